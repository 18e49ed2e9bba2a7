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
from typing import Any

import numpy as np

from iaobs.errors import StatisticsError
from iaobs.stats.design import ipf

__all__ = ["bounded_raking", "rake_weights", "raking_bounds"]


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
            # near the solution the dual's decrease falls under its rounding error: a step
            # that brings the totals closer to their targets is taken all the same
            if worst(state(eta + size * step)[2]) < 0.5 * worst(misfit):
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


def rake_weights(
    weights: np.ndarray,
    cells: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    *,
    tolerance: float = 1e-8,
    max_iterations: int = 200,
    names: Sequence[str] | None = None,
    cell_labels: Sequence[Sequence[str]] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Rake ``weights`` to the population totals of several margins.

    Parameters
    ----------
    weights
        Starting (design) weights.
    cells
        One integer array per margin: the cell of each respondent (0 … C − 1).
    targets
        One array per margin: population total of each cell (firms).
    tolerance
        Convergence: every cell total within this relative error of its target.
    max_iterations
        Iteration cap (one iteration adjusts every margin once).
    names, cell_labels
        Margin names and cell labels, for the report and the error messages.

    Returns
    -------
    weights, report
        Calibrated weights; report with ``iterations``, ``max_relative_error``, ``margins``.

    Raises
    ------
    StatisticsError
        Margin totals disagree (relative difference above 1e-6), a cell has no respondent, or
        the raking does not converge; the message names the margin and the cell.
    """
    names = list(names) if names is not None else [f"marge {k + 1}" for k in range(len(cells))]
    labels = cell_labels or [[str(j) for j in range(len(t))] for t in targets]
    totals = [float(np.sum(t)) for t in targets]
    for k in range(1, len(totals)):
        if abs(totals[k] - totals[0]) > 1e-6 * max(totals[0], 1.0):
            raise StatisticsError(
                f"les marges de calage ne totalisent pas le même nombre d'entreprises : "
                f"{names[0]} = {totals[0]:,.0f}, {names[k]} = {totals[k]:,.0f}".replace(",", " "),
                hint="corrigez le fichier des marges (cellules manquantes ou sans "
                f"{names[k]} renseigné) pour que chaque marge couvre la même population",
            )
    w0 = np.asarray(weights, float)
    for k, (c, t) in enumerate(zip(cells, targets, strict=True)):
        have = np.bincount(c, weights=w0, minlength=len(t))
        empty = np.flatnonzero((have <= 0) & (np.asarray(t) > 0))
        if len(empty):
            raise StatisticsError(
                f"calage : la cellule {names[k]} = {labels[k][empty[0]]} n'a aucun répondant",
                hint="regroupez-la avec une cellule voisine dans les marges, ou retirez cette marge du calage",
            )
    w, iterations, error = ipf(
        w0,
        [np.asarray(c) for c in cells],
        [np.asarray(t, float) for t in targets],
        tolerance=tolerance,
        max_iterations=max_iterations,
    )
    if not np.isfinite(error) or error > tolerance:
        worst = ("?", "?", error)
        for k, (c, t) in enumerate(zip(cells, targets, strict=True)):
            cur = np.bincount(c, weights=w, minlength=len(t))
            rel = np.abs(cur / np.asarray(t, float) - 1)
            j = int(np.nanargmax(rel))
            if rel[j] >= worst[2] or worst[0] == "?":
                worst = (names[k], labels[k][j], float(rel[j]))
        raise StatisticsError(
            f"le calage n'a pas convergé après {iterations} itérations : écart relatif "
            f"{worst[2]:.2%} sur la cellule {worst[0]} = {worst[1]}",
            hint="regroupez les cellules peu peuplées, vérifiez la cohérence des marges, ou "
            "augmentez [weighting] max_iterations (ou relâchez tolerance) dans study.toml",
        )
    return w, {
        "marges": list(names),
        "iterations": int(iterations),
        "ecart_relatif_max": float(error),
        "tolerance": tolerance,
    }
