"""A domain against the rest of the region: the difference and its design-based test.

For a domain ``D`` (a sector, a size class…) and the rest of the region ``R`` (the other
respondents with a known value of the same variable), the difference of two ratios
``Δ = p_D − p_R`` is linearised as one statistic of the same design::

    z_i = 1[i ∈ D] · w_i b_i (y_i − p_D) / W_D  −  1[i ∈ R] · w_i b_i (y_i − p_R) / W_R

(``b`` the base of the indicator, ``W`` the weighted bases), so its variance includes the
covariance of the two estimates that the strata and the calibration create. A sector is never
compared with a total that contains it. The test is a Student t on the design's degrees of
freedom (respondents of the base minus strata); ``significant`` at 1 − the confidence level.

The table has the columns of :data:`iaobs.core.contract.CONTRAST_COLUMNS`; a domain hidden in
the indicators table (``s``, ``nd``) keeps its flag and counts but no estimate nor test, and so
does a domain whose region cell is hidden (the rest of the region plus the domain would give
the region back): ``s``.
Reports read it with :func:`load_contrasts` and phrase a row with :func:`contrast_phrase`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.contract import CONTRAST_COLUMNS, HIDDEN_FLAGS
from iaobs.errors import InputError
from iaobs.stats.design import SurveyDesign
from iaobs.stats.estimate import (
    DEFAULT_DERIVED,
    DerivedIndicator,
    _blocks,
    _code_array,
    _design_of,
    domain_label,
)
from iaobs.stats.lazy import stats
from iaobs.study.dictionary import Dictionary

__all__ = [
    "CONTRAST_PARTITIONS",
    "contrast_phrase",
    "estimate_contrasts",
    "load_contrasts",
]

CONTRAST_PARTITIONS = ("secteur", "taille")
HIGHER, LOWER = "plus élevé", "plus faible"


def _partition(
    responses: pd.DataFrame, dictionary: Dictionary, name: str
) -> tuple[np.ndarray, list[str]]:
    var = dictionary.variables.get(name)
    col = responses[name]
    if var is not None and var.codes:
        codes = [str(c) for c in var.codes]
    else:
        codes = sorted(str(x) for x in col.dropna().unique())
    return _code_array(col, codes), codes


def _one_partition(
    design: SurveyDesign, values: np.ndarray, base: np.ndarray, groups: np.ndarray, G: int
) -> dict[str, np.ndarray]:
    """Domain and rest ratios, the difference and its SE, for every domain × column."""
    w = design.weights
    known = groups >= 0
    b = base & known[:, None]
    wb = np.where(b, w[:, None], 0.0)
    wy = wb * np.where(b, values, 0.0)
    onehot = np.zeros((len(w), G))
    onehot[np.flatnonzero(known), groups[known]] = 1.0
    wd, td = onehot.T @ wb, onehot.T @ wy  # (G, K)
    wall, tall = wb.sum(axis=0), wy.sum(axis=0)  # (K,)
    wr, tr = wall - wd, tall - td
    with np.errstate(invalid="ignore", divide="ignore"):
        pd_, pr = td / wd, tr / wr
    K = values.shape[1]
    scores = np.empty((len(w), G * K))
    for g in range(G):
        in_d = (groups == g)[:, None]
        in_r = known[:, None] & ~in_d
        safe_pd = np.nan_to_num(pd_[g])
        safe_pr = np.nan_to_num(pr[g])
        zd = np.where(in_d, (wy - wb * safe_pd) / np.where(wd[g] > 0, wd[g], 1.0), 0.0)
        zr = np.where(in_r, (wy - wb * safe_pr) / np.where(wr[g] > 0, wr[g], 1.0), 0.0)
        scores[:, g * K : (g + 1) * K] = zd - zr
    var = design.domain_variance(scores, design.domain_index(None))[0].reshape(G, K)
    n_d = onehot.T @ b.astype(float)
    n_all = b.sum(axis=0).astype(float)
    # degrees of freedom: respondents of the base (domain and rest) minus their strata
    strata_present = np.array(
        [len(np.unique(design.strata[b[:, k]])) for k in range(K)], dtype=float
    )
    df = np.broadcast_to(n_all - strata_present, (G, K))
    return {
        "estimate": pd_,
        "rest": pr,
        "se": np.sqrt(var),
        "n": n_d,
        "n_rest": n_all - n_d,
        "df": df,
    }


def estimate_contrasts(
    responses: pd.DataFrame,
    design: Any,
    dictionary: Dictionary,
    indicators: pd.DataFrame | None = None,
    *,
    partitions: Sequence[str] = CONTRAST_PARTITIONS,
    confidence: float = 0.95,
    derived: Sequence[DerivedIndicator] = DEFAULT_DERIVED,
) -> pd.DataFrame:
    """Every indicator × level × domain of ``partitions`` against the rest of the region.

    Parameters
    ----------
    responses, design, dictionary
        As for :func:`iaobs.stats.estimate.estimate_indicators` (same rows, same design).
    indicators
        The indicators table: its flags are copied, and hidden domains get no test.
    partitions
        Variables whose codes are compared each with the others (sector, size class).
    confidence
        The test's level: significant when ``p_value < 1 − confidence``.
    """
    d = _design_of(design)
    responses = responses.reset_index(drop=True)
    blocks = _blocks(responses, dictionary, derived)
    alpha = 1 - confidence
    frames = []
    for name in partitions:
        if name not in responses.columns:
            continue
        groups, codes = _partition(responses, dictionary, name)
        G = len(codes)
        labels = [domain_label([name], [c]) for c in codes]
        for block in blocks:
            r = _one_partition(d, block.values, block.base, groups, G)
            K = len(block.levels)
            frames.append(
                pd.DataFrame(
                    {
                        "indicator": block.indicator,
                        "level": np.tile(np.asarray(block.levels, dtype=object), G),
                        "domain": np.repeat(np.asarray(labels, dtype=object), K),
                        "statistic": block.statistic,
                        **{k: v.ravel() for k, v in r.items()},
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=list(CONTRAST_COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    table = table[(table["n"] > 0) & (table["n_rest"] > 0)].reset_index(drop=True)
    return _tested(table, indicators, alpha)


def _tested(table: pd.DataFrame, indicators: pd.DataFrame | None, alpha: float) -> pd.DataFrame:
    table["difference"] = table["estimate"] - table["rest"]
    df = np.maximum(table["df"].to_numpy(float), 1.0)
    se = table["se"].to_numpy(float)
    diff = table["difference"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(se > 0, diff / np.where(se > 0, se, 1.0), np.nan)
    q = stats.t.ppf(1 - alpha / 2, df)
    table["t"] = t
    table["p_value"] = np.where(np.isfinite(t), 2 * stats.t.sf(np.abs(t), df), np.nan)
    table["ci_low"] = diff - q * se
    table["ci_high"] = diff + q * se
    table["flag"] = ""
    if indicators is not None and not indicators.empty:
        flags = indicators.set_index(["indicator", "level", "domain"])["flag"]
        keys = pd.MultiIndex.from_frame(table[["indicator", "level", "domain"]])
        table["flag"] = flags.reindex(keys).fillna("").to_numpy()
        # the rest of the region is the region minus the domain: hidden with the region
        region = pd.MultiIndex.from_arrays(
            [table["indicator"], table["level"], np.full(len(table), "all")]
        )
        region_hidden = flags.reindex(region).fillna("").isin(HIDDEN_FLAGS).to_numpy()
        table.loc[region_hidden & ~table["flag"].isin(HIDDEN_FLAGS).to_numpy(), "flag"] = "s"
    hidden = table["flag"].isin(HIDDEN_FLAGS).to_numpy()
    for col in ("estimate", "rest", "difference", "se", "ci_low", "ci_high", "t", "p_value"):
        table.loc[hidden, col] = np.nan
    significant = (table["p_value"] < alpha).fillna(False).to_numpy(bool)
    table["significant"] = significant
    table["direction"] = np.where(significant, np.where(table["difference"] > 0, HIGHER, LOWER), "")
    table["n"] = table["n"].astype(np.int64)
    table["n_rest"] = table["n_rest"].astype(np.int64)
    return table[list(CONTRAST_COLUMNS)]


def load_contrasts(path: str | Path) -> pd.DataFrame:
    """Read ``contrasts.parquet`` (``Store.processed.contrasts``); checks its columns.

    Raises
    ------
    InputError
        File missing, unreadable, or without the columns of ``CONTRAST_COLUMNS``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            "table des comparaisons introuvable",
            file=path,
            hint="lancez « iaobs estimate » (ou « iaobs run »)",
        )
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types
        raise InputError(f"lecture impossible ({exc})", file=path) from exc
    missing = [c for c in CONTRAST_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(
            "table des comparaisons : colonne(s) manquante(s) " + ", ".join(missing),
            file=path,
            hint="relancez « iaobs estimate » avec cette version d'iaobs",
        )
    return table


def contrast_phrase(row: pd.Series | dict[str, Any], *, language: str = "fr") -> str:
    """``significativement plus élevé que dans le reste de la région`` or the neutral phrase.

    Only a significant difference is called higher or lower; otherwise the phrase says the
    difference is not significant (never "identical"). Empty for a hidden domain.
    """
    flag = row["flag"]
    if flag in HIDDEN_FLAGS or pd.isna(row["difference"]):
        return ""
    direction = row["direction"]
    if language == "en":
        if direction == HIGHER:
            return "significantly higher than in the rest of the region"
        if direction == LOWER:
            return "significantly lower than in the rest of the region"
        return "not significantly different from the rest of the region"
    if direction:
        return f"significativement {direction} que dans le reste de la région"
    return "sans écart significatif avec le reste de la région"
