"""Bounded raking (R's calibrate(calfun = "raking", bounds)), indicator definitions, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iaobs.core.contract import Thresholds
from iaobs.stats.calibration import bounded_raking, raking_bounds
from iaobs.stats.coverage import domain_representation, flag_unrepresented
from iaobs.stats.definitions import indicator_definitions
from iaobs.stats.design import ipf
from iaobs.stats.estimate import estimate_indicators
from iaobs.stats.weights import compute_weights
from iaobs.study.config import Weighting
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import random_responses


def _problem(seed: int = 0) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = 200
    d = rng.uniform(1, 20, n)
    a, b = rng.integers(0, 4, n), rng.integers(0, 3, n)
    ta = np.bincount(a, weights=d) * rng.uniform(0.8, 1.2, 4)
    tb = np.bincount(b, weights=d)
    tb = tb / tb.sum() * ta.sum()
    return d, [a, b], [ta, tb]


def test_unbounded_solution_is_the_raking_solution() -> None:
    d, cells, totals = _problem()
    lower, upper = raking_bounds(np.zeros(len(d), dtype=bool), None)
    g, steps, error = bounded_raking(d, cells, totals, lower, upper)
    w, _, _ = ipf(d, cells, totals, tolerance=1e-14, max_iterations=5000)
    assert error < 1e-12 and steps < 30
    np.testing.assert_allclose(d * g, w, rtol=1e-10)


def test_bounds_hold_census_and_ratio() -> None:
    d, cells, totals = _problem(1)
    census = np.zeros(len(d), dtype=bool)
    census[:5] = True
    d[:5] = 1.0
    free_lower, free_upper = raking_bounds(census, None)
    g0, _, _ = bounded_raking(d, cells, totals, free_lower, free_upper)
    ratio = 0.995 * float(max(g0[~census].max(), 1 / g0[~census].min()))
    lower, upper = raking_bounds(census, ratio)
    g, _, error = bounded_raking(d, cells, totals, lower, upper)
    assert error < 1e-10
    assert np.all(g[:5] == 1.0)
    assert g.max() <= ratio * (1 + 1e-12) and g.min() >= (1 - 1e-12) / ratio
    assert np.isclose(g, ratio).any() or np.isclose(g, 1 / ratio).any()
    for c, t in zip(cells, totals, strict=True):
        np.testing.assert_allclose(np.bincount(c, weights=d * g), t, rtol=1e-10)


def test_every_indicator_row_has_a_definition() -> None:
    responses, margins = random_responses(300, 5, missing=0.1, firms_per_cell=(20, 90))
    dictionary = load_dictionary()
    weighting = compute_weights(responses, margins, Weighting(), dictionary=dictionary)
    table = estimate_indicators(responses, weighting, dictionary, domains=("all",))
    definitions = indicator_definitions(responses, dictionary)
    keys = set(zip(definitions.indicator, definitions.level, strict=True))
    assert set(zip(table.indicator, table.level, strict=True)) <= keys
    top2 = definitions[definitions.level == "top2"].iloc[0]
    assert top2["numerator"].count("|") == 1 and top2["statistic"] == "proportion"
    assert (definitions.loc[definitions.statistic == "mean", "base"] == "*").all()


def test_unrepresented_domain_is_nd() -> None:
    responses = pd.DataFrame(
        {"secteur": ["a", "a", "a", "b"], "taille": ["eti", "eti", "ge", "eti"]}
    )
    margins = pd.DataFrame(
        {
            "secteur": ["a", "a", "b", "b"],
            "taille": ["eti", "ge", "eti", "ge"],
            "n_entreprises": [10.0, 2.0, 10.0, 3.0],
        }
    )
    # the firms of b × ge are represented by the respondent of b × eti
    weights = np.array([5.0, 5.0, 2.0, 13.0])
    rep = domain_representation(responses, weights, margins)
    gaps = dict(zip(rep.domain, rep.gap, strict=True))
    assert gaps["taille=ge"] == pytest.approx(-0.6)
    assert gaps["secteur=a"] == pytest.approx(0.0)
    table = pd.DataFrame(
        {
            "indicator": ["x", "x"],
            "level": ["", ""],
            "domain": ["taille=ge", "secteur=a"],
            "estimate": [0.5, 0.5],
            "se": [0.1, 0.1],
            "ci_low": [0.3, 0.3],
            "ci_high": [0.7, 0.7],
            "flag": ["", ""],
        }
    )
    out, marked = flag_unrepresented(table, rep, Thresholds())
    assert list(out.flag) == ["nd", ""] and np.isnan(out.estimate[0])
    assert {m["domain"] for m in marked} == {"taille=ge", "taille=eti", "secteur=b;taille=eti"}
