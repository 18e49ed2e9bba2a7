"""The acteurs-ia report rendered for real, then opened in headless Chromium: the map, the
directory searched and sorted by its script, no request but file: and data:."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package

from browser import ARGS, CHROMIUM, sync_playwright_or_skip
from iaobs.core.contract import INDICATOR_COLUMNS
from iaobs.render import render_study
from iaobs.study.config import load_study

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_report_rendered_and_used_in_chromium(actors_study: Path, tmp_path: Path) -> None:
    sync_playwright = sync_playwright_or_skip()
    study = load_study(actors_study)
    # a study of actors alone: an empty indicators table stands for the survey's
    pd.DataFrame(columns=list(INDICATOR_COLUMNS)).to_parquet(study.store.processed.indicators)
    summary = render_study(
        study, only=["acteurs-ia"], formats=("html", "pdf", "xlsx"), progress=False, jobs=1
    )
    assert summary.exit_code == 0
    folder = study.reports_dir / "acteurs-ia"
    for name in ("report.html", "report.pdf", "tables.xlsx", "annuaire.csv", "datapackage.json"):
        assert (folder / name).is_file(), name
    assert not (folder / "indicators.csv").exists()
    assert Package(str(folder / "datapackage.json")).validate().valid
    page_text = (folder / "report.html").read_text("utf-8")
    assert "Nommée par la liste" not in page_text and "33333333300033" not in page_text
    stamp = (folder / "report.html").stat().st_mtime_ns
    again = render_study(
        study, only=["acteurs-ia"], formats=("html", "pdf", "xlsx"), progress=False, jobs=1
    )
    assert again.exit_code == 0 and (folder / "report.html").stat().st_mtime_ns == stamp
    index = (study.reports_dir / "index.html").read_text("utf-8")
    assert 'href="acteurs-ia/report.html"' in index and 'href="acteurs-ia/annuaire.csv"' in index

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profil"), executable_path=CHROMIUM, args=ARGS, headless=True
        )
        try:
            page = context.new_page()
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((folder / "report.html").as_uri(), wait_until="load")
            assert page.locator("h1").count() == 1
            assert page.locator("figure img[alt]").count() == 1  # the map
            rows = page.locator("#annuaire-table tbody tr")
            assert rows.count() == 6
            search = page.locator("#iaobs-annuaire-q")
            assert search.is_visible()
            search.fill("universite")  # accents and case ignored
            visible = page.locator("#annuaire-table tbody tr:not([hidden])")
            assert visible.count() == 1 and "Université de Lille" in visible.inner_text()
            assert page.locator(".iaobs-annuaire output").inner_text().startswith("1 ")
            search.fill("")
            page.locator("#annuaire-table thead th").nth(0).locator("button").click()
            first = page.locator("#annuaire-table tbody tr").first.locator("th").inner_text()
            names = page.locator("#annuaire-table tbody tr th").all_inner_texts()
            assert first == sorted(names, key=str.casefold)[0] or names == sorted(names)
            assert (
                page.locator("#annuaire-table thead th").nth(0).get_attribute("aria-sort")
                == "ascending"
            )
            page.locator("#annuaire-table thead th").nth(0).locator("button").click()
            assert (
                page.locator("#annuaire-table thead th").nth(0).get_attribute("aria-sort")
                == "descending"
            )
            assert not errors, errors
            foreign = [u for u in requests if not u.startswith(("file://", "data:"))]
            assert not foreign, foreign
        finally:
            context.close()
