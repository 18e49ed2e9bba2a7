"""A small site built once from the fake study, with contrasts and an earlier wave."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iaobs.render.index import IndexCard
from iaobs.render.site import build_site
from iaobs.study.config import load_study
from iaobs.study.store import Processed

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from fake_study import make_fake_study

DATE = dt.datetime(2026, 3, 2, 10, 0)


def _contrasts(indicators: pd.DataFrame) -> pd.DataFrame:
    """Each sector's 0/1 shares against the rest of the region (made-up differences)."""
    t = indicators[
        indicators["domain"].str.startswith("secteur=")
        & ~indicators["domain"].str.contains(";")
        & indicators["level"].eq("")
        & indicators["statistic"].eq("proportion")
    ].copy()
    region = indicators[indicators["domain"] == "all"].set_index(["indicator", "level"])["estimate"]
    rest = region.reindex(pd.MultiIndex.from_frame(t[["indicator", "level"]])).to_numpy()
    t["rest"] = rest
    t["difference"] = t["estimate"].to_numpy() - rest
    t["p_value"] = np.where(np.abs(t["difference"]) > 0.05, 0.01, 0.4)
    t["significant"] = t["p_value"] < 0.05
    t["direction"] = np.where(
        t["significant"], np.where(t["difference"] > 0, "plus élevé", "plus faible"), ""
    )
    return t


def _evolution(indicators: pd.DataFrame) -> pd.DataFrame:
    """Two waves of the regional and sector shares of ``ia_usage``."""
    cur = indicators[
        (indicators["indicator"] == "ia_usage") & ~indicators["domain"].str.contains(";")
    ]
    rows = []
    for r in cur.to_dict("records"):
        old = dict(
            r,
            wave="2017",
            previous_wave=None,
            difference=np.nan,
            se_difference=np.nan,
            ci_low_difference=np.nan,
            ci_high_difference=np.nan,
            p_value=np.nan,
            significant=None,
        )
        if pd.notna(r["estimate"]):
            old["estimate"] = r["estimate"] - 0.08
            old["ci_low"], old["ci_high"] = r["ci_low"] - 0.08, r["ci_high"] - 0.08
        new = dict(
            r,
            wave="2019",
            previous_wave="2017",
            difference=0.08,
            se_difference=0.02,
            ci_low_difference=0.04,
            ci_high_difference=0.12,
            p_value=0.001,
            significant=True,
        )
        rows += [old, new]
    frame = pd.DataFrame(rows)
    return frame.drop(columns=["n_eff", "weighted_base"])


def _build(folder: Path, language: str) -> Path:
    root = make_fake_study(folder, language=language)
    study = load_study(root)
    processed = Processed(Path(study.processed_dir))
    indicators = pd.read_parquet(processed.indicators)
    _contrasts(indicators).to_parquet(processed.contrasts)
    _evolution(indicators).to_parquet(processed.evolution)
    reports = Path(study.reports_dir)
    (reports / "banque").mkdir(parents=True)
    (reports / "banque" / "report.html").write_text("<!DOCTYPE html><title>Banque</title>")
    (reports / "acteurs-ia").mkdir()
    (reports / "acteurs-ia" / "report.html").write_text("<!DOCTYPE html><title>Acteurs</title>")
    (reports / "acteurs-ia" / "annuaire.csv").write_text("siret,nom\n", encoding="utf-8")
    figure = {
        "sentence": " des entreprises de la banque utilisent l'IA.",
        "value": 0.42,
        "flag": "",
    }
    cards = [IndexCard("banque", "Banque", "secteur", [figure])]
    build_site(study, cards, {"banque": "banque"}, date=DATE)
    return reports


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a built site (reports/2019/)."""
    return _build(tmp_path_factory.mktemp("site"), "fr")


@pytest.fixture(scope="session")
def english_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site for a study whose language is English."""
    return _build(tmp_path_factory.mktemp("site-en"), "en")


@pytest.fixture(scope="session")
def hidden_cells(site: Path) -> set[tuple[str, str, str]]:
    """(indicator, level, domain) of every ``s`` / ``nd`` cell of the fake study."""
    processed = site.parents[1] / "data" / "processed"
    t = pd.read_parquet(processed / "indicators.parquet")
    t = t[t["flag"].isin(["s", "nd"])]
    return set(zip(t["indicator"], t["level"].fillna(""), t["domain"], strict=True))
