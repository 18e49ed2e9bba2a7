"""Paired tests against scipy and hand computations: Wilcoxon, McNemar, net promoter score."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from iaobs.stats import paired


def test_wilcoxon_exact_without_ties_and_all_zero() -> None:
    before = np.arange(10.0)
    after = before + np.array([1.5, -0.5, 2.5, 3.5, 4.5, -5.5, 6.5, 7.5, 8.5, 9.5])
    got = paired.wilcoxon_paired(before, after, resamples=0)
    ref = stats.wilcoxon(after - before, method="exact")
    assert got["method"] == "exact" and got["p_value"] == pytest.approx(ref.pvalue)
    same = paired.wilcoxon_paired([1, 2, 3], [1, 2, 3])
    assert same["n_nonzero"] == 0 and math.isnan(same["p_value"])


def test_mcnemar_exact_against_binomial_and_chi2() -> None:
    before = np.array([0] * 10 + [1] * 10 + [0] * 7 + [1] * 2, dtype=bool)
    after = np.array([0] * 10 + [1] * 10 + [1] * 7 + [0] * 2, dtype=bool)
    got = paired.mcnemar_paired(before, after)
    assert (got["gained"], got["lost"]) == (7, 2) and got["method"] == "exact"
    assert got["p_value"] == pytest.approx(stats.binomtest(2, 9, 0.5).pvalue)
    assert got["diff"] == pytest.approx(5 / 29)
    assert got["diff_low"] < got["diff"] < got["diff_high"]
    many_b = np.array([0] * 30 + [1] * 10, dtype=bool)
    many_a = np.array([1] * 30 + [0] * 10, dtype=bool)
    got = paired.mcnemar_paired(many_b, many_a)
    assert got["method"] == "chi2"
    chi2 = (abs(30 - 10) - 1) ** 2 / 40
    assert got["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1))


def test_net_promoter_score() -> None:
    got = paired.net_promoter([10, 9, 8, 7, 6, 0, 10, 10, math.nan])
    assert got["n"] == 8
    assert got["nps"] == pytest.approx(4 / 8 - 2 / 8)
    assert got["nps_low"] <= got["nps"] <= got["nps_high"]
