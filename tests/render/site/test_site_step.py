"""The site as a step of the render: built after the reports, rebuilt only when its inputs change."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

from iaobs.render import cache, runner
from iaobs.study.config import load_study

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from fake_study import make_fake_study


def test_site_written_by_the_render_step_and_kept_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "library_digest", lambda: "library")
    study = load_study(make_fake_study(tmp_path))
    reports = Path(study.reports_dir)
    reports.mkdir(parents=True)
    date = dt.datetime(2026, 3, 2)

    def step() -> Path:
        manifest = cache.Manifest.load(reports)
        return runner._write_index(study, [], manifest, reports, date, tmp_path / "cache")

    home = step()
    assert home == reports / "index.html"
    for name in ("explorer.html", "methodologie.html", "donnees/datapackage.json"):
        assert (reports / name).is_file(), name
    explorer = reports / "explorer.html"
    os.utime(explorer, ns=(1, 1))
    step()
    assert explorer.stat().st_mtime_ns == 1  # nothing changed: nothing rewritten

    indicators = Path(study.processed_dir) / "indicators.parquet"
    table = pd.read_parquet(indicators)
    table.loc[0, "estimate"] = 0.5
    table.to_parquet(indicators)
    step()
    assert explorer.stat().st_mtime_ns != 1  # new figures: the site is rebuilt


def test_a_failing_site_leaves_the_list_of_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cache, "library_digest", lambda: "library")
    study = load_study(make_fake_study(tmp_path))
    reports = Path(study.reports_dir)
    reports.mkdir(parents=True)

    def broken(*args: object, **kwargs: object) -> Path:
        raise ValueError("table illisible")

    monkeypatch.setattr(runner, "_build_site", broken)
    manifest = cache.Manifest.load(reports)
    home = runner._write_index(study, [], manifest, reports, dt.datetime(2026, 3, 2), tmp_path)
    assert home.is_file() and "<h1>" in home.read_text("utf-8")
    assert "ÉCHEC site" in capsys.readouterr().err
    assert "index" not in manifest.data  # tried again at the next run
