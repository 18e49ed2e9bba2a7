"""Tests of paired answers (the same persons asked twice) and the net promoter score.

* ordinal or numeric answers: Wilcoxon signed-rank test (:func:`scipy.stats.wilcoxon`,
  ``zero_method="wilcox"`` — zero differences are dropped —, ``correction=False``; exact
  distribution when there are at most 50 non-zero differences without ties, normal
  approximation with tie correction otherwise); effect size: the matched-pairs rank-biserial
  correlation r = (R⁺ − R⁻) / (R⁺ + R⁻) on non-zero differences, with a percentile bootstrap
  interval (resamples of persons, fixed seed); mean difference with its Student t interval;
* yes/no answers: McNemar test, exact (binomial on the discordant pairs) when there are fewer
  than :data:`EXACT_MCNEMAR_BELOW` discordant pairs, χ² with continuity correction otherwise;
  difference of paired proportions with Newcombe's hybrid score interval (method 10);
* net promoter score: share of promoters (9–10) minus share of detractors (0–6), with a
  percentile bootstrap interval.

Holm's adjustment of a family of these tests is :func:`iaobs.stats.tests.holm_adjust`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from iaobs.errors import StatisticsError

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "EXACT_MCNEMAR_BELOW",
    "mcnemar_paired",
    "net_promoter",
    "wilcoxon_paired",
]

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 2019
EXACT_MCNEMAR_BELOW = 25


def _rank_biserial(diff: np.ndarray) -> np.ndarray:
    """Matched-pairs rank-biserial correlation of each row of ``diff`` (zeros dropped)."""
    from scipy.stats import rankdata

    diff = np.atleast_2d(diff).astype(float)
    absd = np.abs(diff)
    absd = np.where(diff == 0, np.nan, absd)
    ranks = rankdata(absd, axis=1, nan_policy="omit")
    ranks = np.where(np.isnan(absd), 0.0, ranks)
    plus = np.where(diff > 0, ranks, 0.0).sum(axis=1)
    minus = np.where(diff < 0, ranks, 0.0).sum(axis=1)
    total = plus + minus
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (plus - minus) / total, np.nan)


def _bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(resamples, n))


def _percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return (math.nan, math.nan)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return (float(low), float(high))


def wilcoxon_paired(
    before: Sequence[float] | np.ndarray,
    after: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Wilcoxon signed-rank test of ``after − before`` and its effect sizes.

    Parameters
    ----------
    before, after
        Paired values (same length, same person at the same position), no missing value.
    confidence
        Level of the intervals (0–1).
    resamples, seed
        Bootstrap of the rank-biserial interval: number of resamples of persons, random seed.

    Returns
    -------
    dict
        ``n`` (pairs), ``n_nonzero`` (pairs whose difference is not zero: the test's base),
        ``mean_before``, ``mean_after``, ``median_before``, ``median_after``, ``mean_diff``
        with ``diff_low``/``diff_high`` (Student t interval), ``median_diff``, ``statistic``
        (W, sum of the ranks of the smaller sign as scipy reports it), ``p_value`` (two-sided;
        NaN when every difference is zero), ``method`` (``exact`` or ``approx``),
        ``rank_biserial`` with ``rb_low``/``rb_high`` (bootstrap percentile interval),
        ``increased``, ``decreased``, ``unchanged`` (counts of persons).
    """
    from scipy import stats

    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    if a.shape != b.shape:
        raise StatisticsError("séries appariées de longueurs différentes")
    diff = b - a
    n = len(diff)
    nonzero = int(np.count_nonzero(diff))
    out: dict[str, Any] = {
        "n": n,
        "n_nonzero": nonzero,
        "mean_before": float(a.mean()) if n else math.nan,
        "mean_after": float(b.mean()) if n else math.nan,
        "median_before": float(np.median(a)) if n else math.nan,
        "median_after": float(np.median(b)) if n else math.nan,
        "mean_diff": float(diff.mean()) if n else math.nan,
        "median_diff": float(np.median(diff)) if n else math.nan,
        "diff_low": math.nan,
        "diff_high": math.nan,
        "statistic": math.nan,
        "p_value": math.nan,
        "method": "",
        "rank_biserial": math.nan,
        "rb_low": math.nan,
        "rb_high": math.nan,
        "increased": int((diff > 0).sum()),
        "decreased": int((diff < 0).sum()),
        "unchanged": int((diff == 0).sum()),
    }
    if n >= 2:
        sd = float(diff.std(ddof=1))
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
        out["diff_low"], out["diff_high"] = out["mean_diff"] - half, out["mean_diff"] + half
    if nonzero == 0:
        return out
    nz = diff[diff != 0]
    has_ties = len(np.unique(np.abs(nz))) < len(nz)
    method = "exact" if len(nz) <= 50 and not has_ties else "approx"
    result = stats.wilcoxon(
        diff, zero_method="wilcox", correction=False, alternative="two-sided", method=method
    )
    out["statistic"] = float(result.statistic)
    out["p_value"] = float(result.pvalue)
    out["method"] = method
    out["rank_biserial"] = float(_rank_biserial(diff)[0])
    if n >= 2 and resamples > 0:
        boot = _rank_biserial(diff[_bootstrap_indices(n, resamples, seed)])
        out["rb_low"], out["rb_high"] = _percentile_interval(boot, confidence)
    return out


def _wilson(successes: float, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def mcnemar_paired(
    before: Sequence[bool] | np.ndarray,
    after: Sequence[bool] | np.ndarray,
    *,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """McNemar test of a yes/no answer asked twice to the same persons.

    Exact (two-sided binomial test of the discordant pairs, p = 0.5) when there are fewer than
    :data:`EXACT_MCNEMAR_BELOW` discordant pairs; χ² with continuity correction otherwise.

    Returns
    -------
    dict
        ``n`` (pairs), ``yes_before``/``yes_after`` (shares 0–1), ``gained`` (no → yes),
        ``lost`` (yes → no), ``diff`` (share after − share before) with ``diff_low`` and
        ``diff_high`` (Newcombe's hybrid score interval, method 10), ``statistic``,
        ``p_value``, ``method`` (``exact`` or ``chi2``).
    """
    from scipy import stats

    a = np.asarray(before, dtype=bool)
    b = np.asarray(after, dtype=bool)
    n = len(a)
    both = int((a & b).sum())
    lost = int((a & ~b).sum())
    gained = int((~a & b).sum())
    neither = n - both - lost - gained
    out: dict[str, Any] = {
        "n": n,
        "yes_before": (both + lost) / n if n else math.nan,
        "yes_after": (both + gained) / n if n else math.nan,
        "gained": gained,
        "lost": lost,
        "diff": (gained - lost) / n if n else math.nan,
        "diff_low": math.nan,
        "diff_high": math.nan,
        "statistic": math.nan,
        "p_value": math.nan,
        "method": "",
    }
    if n == 0:
        return out
    discordant = gained + lost
    if discordant == 0:
        out["p_value"], out["method"] = 1.0, "exact"
    elif discordant < EXACT_MCNEMAR_BELOW:
        out["statistic"] = float(min(gained, lost))
        out["p_value"] = float(stats.binomtest(min(gained, lost), discordant, 0.5).pvalue)
        out["method"] = "exact"
    else:
        chi2 = (abs(gained - lost) - 1) ** 2 / discordant
        out["statistic"] = float(chi2)
        out["p_value"] = float(stats.chi2.sf(chi2, 1))
        out["method"] = "chi2"
    # Newcombe (1998), method 10: p1 = after, p2 = before
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p1, p2 = out["yes_after"], out["yes_before"]
    l1, u1 = _wilson(both + gained, n, z)
    l2, u2 = _wilson(both + lost, n, z)
    marg = (both + gained) * (neither + lost) * (both + lost) * (neither + gained)
    phi = (both * neither - gained * lost) / math.sqrt(marg) if marg > 0 else 0.0
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = d + math.sqrt(
        max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    )
    out["diff_low"], out["diff_high"] = max(-1.0, low), min(1.0, high)
    return out


def net_promoter(
    scores: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Net promoter score of 0–10 answers: promoters (9–10) minus detractors (0–6).

    Returns ``n``, ``promoters``, ``passives``, ``detractors`` (shares 0–1), ``nps`` (−1 to 1)
    and ``nps_low``/``nps_high`` (95 % percentile bootstrap interval).
    """
    values = np.asarray(scores, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return {
            "n": 0,
            "promoters": math.nan,
            "passives": math.nan,
            "detractors": math.nan,
            "nps": math.nan,
            "nps_low": math.nan,
            "nps_high": math.nan,
        }
    signs = np.where(values >= 9, 1.0, np.where(values <= 6, -1.0, 0.0))
    boot = signs[_bootstrap_indices(n, resamples, seed)].mean(axis=1)
    low, high = _percentile_interval(boot, confidence)
    return {
        "n": n,
        "promoters": float((signs == 1).mean()),
        "passives": float((signs == 0).mean()),
        "detractors": float((signs == -1).mean()),
        "nps": float(signs.mean()),
        "nps_low": low,
        "nps_high": high,
    }
