"""The publishability gate: hidden cells dropped, values rounded, bases left out."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from iaobs.core.contract import INDICATOR_COLUMNS
from iaobs.render.site.data import domain_kind, publishable_rows
from iaobs.stats.secrecy import PUBLISHED_COLUMNS

ROWS = [
    # indicator, level, domain, statistic, estimate, se, lo, hi, n, n_eff, wbase, flag
    ("ia_usage", "", "all", "proportion", 0.42349, 0.02, 0.38, 0.46, 900, 700.0, 9000.0, ""),
    (
        "ia_usage",
        "",
        "secteur=banque",
        "proportion",
        0.5,
        0.1,
        0.3,
        0.7,
        25,
        20.0,
        300.0,
        "prudence",
    ),
    (
        "ia_usage",
        "",
        "secteur=banque;taille=ge",
        "proportion",
        math.nan,
        math.nan,
        math.nan,
        math.nan,
        2,
        2.0,
        20.0,
        "s",
    ),
    (
        "ia_usage",
        "",
        "taille=tpe",
        "proportion",
        math.nan,
        math.nan,
        math.nan,
        math.nan,
        8,
        7.0,
        90.0,
        "nd",
    ),
    ("effectif", "", "all", "mean", 181.456, 10.0, 161.04, 201.87, 850, 640.0, 9000.0, ""),
    (
        "ia_usage",
        "",
        "departement=59",
        "proportion",
        math.nan,
        math.nan,
        math.nan,
        math.nan,
        40,
        30.0,
        400.0,
        "",
    ),
]
COLUMNS = list(INDICATOR_COLUMNS)


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def test_hidden_and_empty_cells_are_dropped(table: pd.DataFrame) -> None:
    out = publishable_rows(table)
    assert list(out["domain"]) == ["all", "secteur=banque", "all"]
    assert set(out["flag"]) == {"", "prudence"}


def test_values_rounded_and_bases_left_out(table: pd.DataFrame) -> None:
    out = publishable_rows(table)
    assert out.loc[0, "estimate"] == pytest.approx(0.423)
    assert out.loc[2, "estimate"] == pytest.approx(181.5)
    assert out.loc[2, "ci_low"] == pytest.approx(161.0)
    assert not {"se", "n_eff", "weighted_base"} & set(out.columns)
    assert list(out.columns) == list(PUBLISHED_COLUMNS)


@pytest.mark.parametrize(
    ("domain", "kind"),
    [
        ("all", "all"),
        ("secteur=banque", "secteur"),
        ("departement=59", "departement"),
        ("secteur=banque;taille=pme", "secteur×taille"),
    ],
)
def test_domain_kind(domain: str, kind: str) -> None:
    assert domain_kind(domain) == kind


def test_differences_rounded_and_their_se_withheld() -> None:
    table = pd.DataFrame(
        [
            (
                "ia_usage",
                "",
                "secteur=banque",
                "proportion",
                0.51234,
                0.1,
                0.3,
                0.7,
                40,
                "",
                0.0412345,
                0.02,
                0.04,
            )
        ],
        columns=[
            "indicator",
            "level",
            "domain",
            "statistic",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "n",
            "flag",
            "difference",
            "se_difference",
            "p_value",
        ],
    )
    out = publishable_rows(table)
    assert out.loc[0, "difference"] == pytest.approx(0.041)
    assert "se_difference" not in out and "se" not in out
    assert out.loc[0, "p_value"] == pytest.approx(0.04)


def test_a_table_with_every_cell_hidden_publishes_nothing(table: pd.DataFrame) -> None:
    table["flag"] = "s"
    out = publishable_rows(table)
    assert out.empty and list(out.columns)[: len(PUBLISHED_COLUMNS)] == list(PUBLISHED_COLUMNS)
