"""An intruder who attacks published indicators, written apart from the protection it tests.

The intruder knows the published estimates (exactly, or within their rounding), every cell's
weighted base (the weights are calibrated on public counts) and the structure of the tables
(which rows are the substantive levels of a distribution, which add up to a top-two box or a
derived indicator, which domains partition which). Two attacks:

* :func:`subtract` — relations with a single unknown cell, solved again and again until
  nothing new comes out (what a reader with a spreadsheet does);
* :func:`intervals` — the smallest and largest value of every hidden cell compatible with
  everything published (a linear programme per cell and side, ``scipy.optimize.linprog``).

``structure`` is a frame with ``indicator``, ``level``, ``domain``, ``_kind`` (``level``,
``missing``, ``top2``, ``derived``, ``flag`` or ``mean``), ``_parts`` (``source:code|code`` for
a top-two box or a derived row) and ``weighted_base``; ``values`` the published estimates (NaN
when hidden), aligned with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog


def relations(structure: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """Every linear relation between weighted totals: (rows, coefficients, total, slack).

    ``Σ coef·x = total + r`` with ``0 ≤ r ≤ slack`` (the part of a parent domain that its
    children do not cover).
    """
    s = structure.reset_index(drop=True)
    base = s["weighted_base"].to_numpy(dtype=float)
    pos = {k: i for i, k in enumerate(zip(s["indicator"], s["level"], s["domain"], strict=True))}
    out: list[tuple[np.ndarray, np.ndarray, float, float]] = []
    levels = s[s["_kind"] == "level"]
    for _, rows in levels.groupby(["indicator", "domain"]).groups.items():
        idx = np.asarray(list(rows))
        out.append((idx, np.ones(len(idx)), float(base[idx].max()), 0.0))
    for i in np.flatnonzero(s["_kind"].isin(["top2", "derived"]).to_numpy()):
        source, codes = str(s.at[i, "_parts"]).split(":", 1)
        parts = [pos.get((source, c, s.at[i, "domain"])) for c in codes.split("|")]
        if None not in parts:
            out.append((np.array([i, *parts]), np.array([1.0] + [-1.0] * len(parts)), 0.0, 0.0))
    domains = set(s["domain"])
    for (ind, lev), grp in s.groupby(["indicator", "level"]):
        doms = set(grp["domain"])
        for parent, children in _partitions(domains).items():
            if parent[0] not in doms:
                continue
            kids = [pos[(ind, lev, c)] for c in children if c in doms]
            top = pos[(ind, lev, parent[0])]
            rest = base[top] - base[kids].sum()
            if not kids or rest < -1e-6 or (s.at[top, "_kind"] == "mean" and rest > 1e-6):
                continue
            coefs = np.array([1.0] + [-1.0] * len(kids))
            out.append((np.array([top, *kids]), coefs, 0.0, max(rest, 0.0)))
    return out


def _partitions(domains: set[str]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for dom in domains:
        if dom == "all":
            continue
        comps = dom.split(";")
        for j, comp in enumerate(comps):
            parent = ";".join(comps[:j] + comps[j + 1 :]) or "all"
            if parent in domains:
                out.setdefault((parent, comp.split("=")[0]), []).append(dom)
    return out


def subtract(structure: pd.DataFrame, values: np.ndarray) -> dict[int, float]:
    """Hidden shares recovered exactly by subtraction: {row: share}."""
    base = structure["weighted_base"].to_numpy(dtype=float)
    known = np.where(np.isfinite(values), values * base, np.nan)
    rels = [r for r in relations(structure) if r[3] == 0.0]
    found: dict[int, float] = {}
    changed = True
    while changed:
        changed = False
        for rows, coefs, total, _ in rels:
            unknown = np.isnan(known[rows])
            if unknown.sum() != 1:
                continue
            j = rows[unknown][0]
            rest = float(coefs[~unknown] @ known[rows[~unknown]])
            known[j] = (total - rest) / coefs[unknown][0]
            found[int(j)] = known[j] / base[j] if base[j] else 0.0
            changed = True
    return found


def intervals(
    structure: pd.DataFrame,
    values: np.ndarray,
    half_unit: float = 0.0,
    only: np.ndarray | None = None,
) -> dict[int, tuple[float, float]]:
    """The feasibility interval of each hidden share with a non-empty base: {row: (low, high)}.

    ``half_unit``: the published values are known within ± this (half the rounding unit);
    ``only``: the rows to attack (default: every hidden one).
    """
    s = structure.reset_index(drop=True)
    base = s["weighted_base"].to_numpy(dtype=float)
    mean = (s["_kind"] == "mean").to_numpy()
    out: dict[int, tuple[float, float]] = {}
    for _, grp in s.groupby(s["indicator"].where(s["_kind"] != "derived", _source(s))):
        rows = grp.index.to_numpy()
        hidden = rows[~np.isfinite(values[rows]) & (base[rows] > 0)]
        if only is not None:
            hidden = hidden[np.isin(hidden, only)]
        if len(hidden):
            out.update(_group_intervals(s.loc[rows], values, base, mean, hidden, half_unit))
    return out


def _source(s: pd.DataFrame) -> pd.Series:
    return s["_parts"].astype(str).str.split(":").str[0]


def _group_intervals(sub, values, base, mean, hidden, half_unit):
    rows = sub.index.to_numpy()
    col = {int(r): k for k, r in enumerate(rows)}
    rels = relations(sub)
    n = len(rows)
    a_eq, b_eq = [], []
    slack_cols = []
    for k, (idx, coefs, total, slack) in enumerate(rels):
        row = np.zeros(n + len(rels))
        for i, c in zip(idx, coefs, strict=True):
            row[col[int(rows[i])]] = c
        row[n + k] = -1.0
        a_eq.append(row)
        b_eq.append(total)
        slack_cols.append(slack)
    bounds = []
    for r in rows:
        if np.isfinite(values[r]):
            lo = (values[r] - half_unit) * base[r]
            hi = (values[r] + half_unit) * base[r]
            bounds.append((lo, hi))
        elif mean[r]:
            bounds.append((0.0, None))
        else:
            bounds.append((0.0, base[r]))
    bounds += [(0.0, s) for s in slack_cols]
    a_matrix = sparse.csr_matrix(np.array(a_eq)) if a_eq else None
    b_vector = np.array(b_eq) if b_eq else None
    out = {}
    for r in hidden:
        ends = []
        for sign in (1.0, -1.0):
            cost = np.zeros(n + len(rels))
            cost[col[int(r)]] = sign
            res = linprog(cost, A_eq=a_matrix, b_eq=b_vector, bounds=bounds, method="highs")
            ends.append(sign * res.fun if res.status == 0 else (-np.inf if sign > 0 else np.inf))
        scale = base[r] if not mean[r] else 1.0
        out[int(r)] = (ends[0] / scale, ends[1] / scale)
    return out
