"""Tests of differences between estimates, and the adjustment of a family of tests.

One implementation of each, used by the comparisons between waves, between studies and by the
pilot-training evaluation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from iaobs.stats.lazy import stats

__all__ = ["difference_test", "holm_adjust"]


def difference_test(
    estimate_1: Any,
    se_1: Any,
    estimate_2: Any,
    se_2: Any,
    *,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """Difference ``estimate_2 - estimate_1`` of independent estimates, its SE, CI and p-value.

    Parameters
    ----------
    estimate_1, se_1, estimate_2, se_2
        Scalars or arrays of the same length: estimates (a share 0–1 or a mean, in its unit)
        and their standard errors. NaN anywhere gives NaN results for that element.
    confidence
        Level of the interval of the difference (0.95: 95 %).

    Returns
    -------
    dict
        ``difference``, ``se`` (``sqrt(se1² + se2²)``), ``ci_low``, ``ci_high``, ``z`` and the
        two-sided ``p_value`` (normal approximation), as float arrays.

    Examples
    --------
    >>> r = difference_test(0.30, 0.02, 0.40, 0.03)
    >>> round(float(r["difference"]), 2), round(float(r["p_value"]), 4)
    (0.1, 0.0055)
    """
    e1, s1 = np.asarray(estimate_1, float), np.asarray(se_1, float)
    e2, s2 = np.asarray(estimate_2, float), np.asarray(se_2, float)
    diff = e2 - e1
    se = np.sqrt(s1**2 + s2**2)
    quantile = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    z = np.where(np.isnan(diff) | np.isnan(se), np.nan, z)
    p = 2 * stats.norm.sf(np.abs(z))
    return {
        "difference": diff,
        "se": se,
        "ci_low": diff - quantile * se,
        "ci_high": diff + quantile * se,
        "z": z,
        "p_value": p,
    }


def holm_adjust(p_values: Any) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaN stay NaN, out of the family).

    The adjusted p-value of the k-th smallest of m p-values is
    ``max_{j≤k} min(1, (m - j + 1) p_(j))``; rejecting where it is below α controls the
    family-wise error rate at α.

    >>> [round(float(v), 3) for v in holm_adjust([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted)
    return out
