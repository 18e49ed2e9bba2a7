"""The allocation: targets met at the smallest size, census of small strata, minimum, caps."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iaobs.errors import ConfigError
from iaobs.frame.plan import allocate, half_width
from iaobs.study.config import PlanSettings

MARGINS = pd.DataFrame(
    [
        ("a", "tpe", "59", 3000),
        ("a", "tpe", "62", 1000),
        ("a", "pme", "59", 400),
        ("a", "eti", "59", 30),
        ("a", "ge", "59", 4),
        ("b", "tpe", "59", 200),
        ("b", "pme", "59", 60),
        ("b", "eti", "80", 12),
    ],
    columns=["secteur", "taille", "departement", "n_entreprises"],
)


def test_simple_random_sample_size_of_the_textbook() -> None:
    # one stratum, no correction: n0 = z² p(1-p) / e² = 384.1 respondents for ± 5 points
    settings = PlanSettings(
        response_rate=0.5,
        design_effect=1.0,
        overall_precision=0.5,
        min_per_stratum=0,
        census_below=0,
    )
    margins = pd.DataFrame([("a", "tpe", "59", 10**7)], columns=MARGINS.columns)
    plan = allocate(margins, settings)
    assert plan.strata["n_tirage"].iloc[0] == 2 * 385
    assert plan.domains["demi_largeur_attendue"].iloc[0] <= 0.05


def test_targets_met_and_strata_rules() -> None:
    settings = PlanSettings(
        precision=0.08,
        overall_precision=0.05,
        response_rate=0.3,
        design_effect=1.2,
        min_per_stratum=5,
        census_below=10,
    )
    plan = allocate(MARGINS, settings)
    strata = plan.strata.set_index(["secteur", "taille"])
    assert (
        strata.loc[("a", "ge"), "mode"] == "exhaustif" and strata.loc[("a", "ge"), "n_tirage"] == 4
    )
    assert (plan.strata["n_tirage"] <= plan.strata["n_entreprises"]).all()
    assert (
        plan.strata["n_tirage"] + plan.strata["n_reserve"] <= plan.strata["n_entreprises"]
    ).all()
    floor = math.ceil(5 / 0.3)
    assert ((plan.strata["n_tirage"] >= floor) | (plan.strata["mode"] == "exhaustif")).all()
    reached = plan.domains.set_index("domaine")["atteinte"]
    assert reached["a"] and reached["ensemble"]
    # b (272 firms, 30 % answering) cannot reach ± 8 points: every firm is drawn
    assert not reached["b"]
    assert (plan.strata.query("secteur == 'b'")["mode"] == "exhaustif").all()
    assert list(plan.domains["domaine"]) == [
        "a",
        "b",
        "ensemble",
        "taille:tpe",
        "taille:pme",
        "taille:eti",
        "taille:ge",
    ]
    sizes = plan.domains.set_index("domaine").loc["taille:pme"]
    assert sizes["atteinte"] is None and sizes["n_entreprises"] == 460
    assert 0 < sizes["demi_largeur_attendue"] < 1
    # the smallest: a few units less in the largest stratum of a miss the sector's target
    loose = PlanSettings(precision=0.08, overall_precision=0.5, min_per_stratum=5)
    alone = allocate(MARGINS[MARGINS["secteur"] == "a"], loose).strata
    drawn = list(alone["n_tirage"])
    drawn[0] -= 5
    width = half_width(list(alone["n_entreprises"]), [d * 0.3 for d in drawn], [0.5] * 4, loose)
    assert width > 0.08


def test_unreachable_target_is_a_census_and_said() -> None:
    settings = PlanSettings(precision=0.01, response_rate=0.3)
    plan = allocate(MARGINS[MARGINS["secteur"] == "b"], settings)
    assert (plan.strata["n_tirage"] == plan.strata["n_entreprises"]).all()
    assert not plan.domains.set_index("domaine").loc["b", "atteinte"]


def test_neyman_differs_from_proportional_with_proportions_by_size() -> None:
    base = dict(precision=0.08, min_per_stratum=0, census_below=0, overall_precision=0.5)
    proportions = {"tpe": 0.05, "pme": 0.5, "eti": 0.5, "ge": 0.5}
    neyman = allocate(MARGINS, PlanSettings(allocation="neyman", proportions=proportions, **base))
    prop = allocate(
        MARGINS, PlanSettings(allocation="proportional", proportions=proportions, **base)
    )
    assert neyman.total < prop.total  # Neyman is the optimum for a given precision
    same = allocate(MARGINS, PlanSettings(allocation="neyman", **base))
    again = allocate(MARGINS, PlanSettings(allocation="proportional", **base))
    assert list(same.strata["n_tirage"]) == list(again.strata["n_tirage"])


def test_empty_margins_are_an_error() -> None:
    with pytest.raises(ConfigError, match="aucune entreprise"):
        allocate(MARGINS.assign(n_entreprises=0), PlanSettings())


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=6),
    precision=st.floats(min_value=0.03, max_value=0.2),
    rate=st.floats(min_value=0.1, max_value=0.9),
)
def test_plan_properties(sizes, precision, rate) -> None:
    margins = pd.DataFrame(
        [("s", f"t{i}", "59", n) for i, n in enumerate(sizes)], columns=MARGINS.columns
    )
    plan = allocate(margins, PlanSettings(precision=precision, response_rate=rate))
    assert (plan.strata["n_tirage"] <= plan.strata["n_entreprises"]).all()
    assert (plan.strata["n_tirage"] >= 0).all()
    row = plan.domains.set_index("domaine").loc["s"]
    census = (plan.strata["n_tirage"] == plan.strata["n_entreprises"]).all()
    assert row["atteinte"] or census
