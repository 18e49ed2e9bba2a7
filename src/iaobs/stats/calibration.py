"""Bounded raking, written as R's ``survey::calibrate(calfun = "raking", bounds = …)`` solves it.

The final weights are ``w_i = d_i · g_i`` with ``d_i`` the design weight (``N_h / n_h``) and
``g_i = min(max(exp(x_i'λ), L_i), U_i)``, where ``x_i`` holds the dummies of the respondent's
calibration cells and ``λ`` solves the calibration equations ``Σ d_i g_i x_i = T`` (population
totals of the cells). The bounds ``[L_i, U_i]`` are per respondent:

* a respondent of a census stratum (every firm of the stratum answered) has ``L = U = 1``: it
  represents itself only;
* the others have ``[1 / r, r]`` when a bound ratio ``r`` is set (``[weighting] trim_ratio``),
  no bound otherwise.

The ``g`` values solving these equations are unique (they are the derivatives of a convex
function at its minimum), so any algorithm that converges gives R's weights to rounding. The
variance is R's for this call: the linearised scores are replaced by the residuals of their
regression on the cell dummies weighted by the design weights
(:meth:`iaobs.stats.design.SurveyDesign.calibrated`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from iaobs.errors import StatisticsError

__all__ = ["bounded_raking", "raking_bounds"]


def raking_bounds(census: np.ndarray, ratio: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-respondent bounds ``(L, U)`` of the ratio final weight / design weight."""
    n = len(census)
    if ratio is not None and ratio > 1:
        lower = np.full(n, 1.0 / float(ratio))
        upper = np.full(n, float(ratio))
    else:
        lower = np.full(n, -np.inf)
        upper = np.full(n, np.inf)
    lower[census] = 1.0
    upper[census] = 1.0
    return lower, upper


def _dummies(cells: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    n = len(cells[0])
    x = np.zeros((n, int(sum(sizes))))
    offset = 0
    for c, size in zip(cells, sizes, strict=True):
        x[np.arange(n), offset + np.asarray(c, dtype=np.int64)] = 1.0
        offset += size
    return x


def bounded_raking(
    design_weights: np.ndarray,
    cells: Sequence[np.ndarray],
    totals: Sequence[np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    epsilon: float = 1e-12,
    tolerance: float = 1e-8,
    max_iterations: int = 100,
) -> tuple[np.ndarray, int, float]:
    """Solve the bounded raking equations by Newton's method (as ``survey:::grake``).

    Parameters
    ----------
    design_weights
        ``d``, one per respondent (> 0).
    cells
        One integer array per margin: the cell of each respondent.
    totals
        One array per margin: the calibration total of each cell.
    lower, upper
        Bounds of ``g`` per respondent (``-inf``/``inf`` for none, ``1``/``1`` to hold).
    epsilon
        Target: every ``|misfit| / (1 + |total|)`` below it (R's ``epsilon``).
    tolerance
        Largest acceptable relative misfit when ``epsilon`` is not reached.
    max_iterations
        Newton steps.

    Returns
    -------
    g, iterations, misfit
        The ratios final / design weight, the steps made and the largest relative misfit.

    Raises
    ------
    StatisticsError
        The equations have no solution within the bounds (the misfit stays above ``tolerance``).
    """
    d = np.asarray(design_weights, float)
    sizes = [len(t) for t in totals]
    x = _dummies(cells, sizes)
    target = np.concatenate([np.asarray(t, float) for t in totals])
    lo = np.where(np.isfinite(lower), lower, 0.0)
    hi = np.where(np.isfinite(upper), upper, np.inf)
    with np.errstate(divide="ignore"):
        a, b = np.log(lo), np.log(hi)

    def primitive(u: np.ndarray) -> np.ndarray:
        """G with G' = clip(exp(u), lo, hi): convex, so the dual below has one minimum."""
        inner = np.exp(np.clip(u, a, b))
        below = u < a
        above = u > b
        out = inner.copy()
        out[below] += lo[below] * (u[below] - a[below])
        out[above] += hi[above] * (u[above] - b[above])
        return out

    def dual(e: np.ndarray) -> float:
        return float(np.sum(d * primitive(x @ e)) - e @ target)

    def state(e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u = x @ e
        raw = np.exp(np.clip(u, -700.0, 700.0))
        g = np.clip(raw, lo, hi)
        inside = (raw > lo) & (raw < hi)
        return g, np.where(inside, raw, 0.0), target - x.T @ (d * g)

    def worst(misfit: np.ndarray) -> float:
        return float(np.max(np.abs(misfit) / (1.0 + np.abs(target)))) if len(misfit) else 0.0

    floor = 1e-9 * (x.T @ d)  # keeps a cell whose respondents all sit at a bound movable
    eta = np.zeros(x.shape[1])
    g, deriv, misfit = state(eta)
    value = dual(eta)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        if worst(misfit) < epsilon:
            break
        hessian = (x * (d * deriv)[:, None]).T @ x + np.diag(floor)
        step = np.linalg.solve(hessian, misfit)
        slope = -float(misfit @ step)
        size = 1.0
        for _ in range(60):  # backtracking line search on the convex dual
            trial = dual(eta + size * step)
            if trial <= value + 1e-4 * size * slope:
                break
            size /= 2
        eta = eta + size * step
        value = dual(eta)
        g, deriv, misfit = state(eta)
    error = worst(misfit)
    if not np.isfinite(error) or error > tolerance:
        raise StatisticsError(
            f"calage borné impossible : écart relatif {error:.2g} après {iterations} itérations",
            hint="les bornes des poids sont trop étroites pour atteindre les marges : augmentez "
            "[weighting] trim_ratio (ou retirez-le) dans study.toml, ou regroupez des cellules",
        )
    return g, iterations, error
