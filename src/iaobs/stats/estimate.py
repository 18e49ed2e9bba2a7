"""Weighted proportions, means and totals with their confidence intervals → indicators table.

Every estimate is a ratio ``Σ w·y / Σ w`` over the units of a domain that answered the question
(the *base*), with its linearised standard error on the full design (:mod:`iaobs.stats.design`).
Intervals:
proportions Korn–Graubard (``beta``, default), ``logit`` or ``wilson``, one-sided
Clopper–Pearson at 0 or 1 (never Wald); means Student t on the design degrees of freedom.

:func:`estimate_indicators` builds the tidy table of DESIGN.md (one row per indicator × level ×
domain) and applies the secrecy and precision rules of :mod:`iaobs.stats.disclosure`;
:func:`compute_study_indicators` runs the whole step for a study.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.contract import INDICATOR_COLUMNS
from iaobs.errors import ConfigError, InputError, StatisticsError
from iaobs.stats.design import DomainIndex, SurveyDesign, noise_free_se
from iaobs.stats.disclosure import apply_disclosure
from iaobs.stats.lazy import stats
from iaobs.study.config import Thresholds
from iaobs.study.dictionary import Dictionary, Variable

__all__ = [
    "CONTRACT_COLUMNS",
    "DerivedIndicator",
    "RatioEstimates",
    "clopper_pearson_interval",
    "domain_label",
    "estimate_indicators",
    "estimate_ratios",
    "estimate_totals",
    "mean_interval",
    "proportion_interval",
    "wilson_interval",
]

CONTRACT_COLUMNS = list(INDICATOR_COLUMNS)
CI_METHODS = ("beta", "logit", "wilson")
SKIPPED_TYPES = {"id", "text", "date"}
SKIPPED_PRIVACY = {"confidential", "free_text"}
DEFAULT_DOMAINS: tuple[str | tuple[str, ...], ...] = (
    "all",
    "secteur",
    "taille",
    ("secteur", "taille"),
)


# ============================================================================ intervals


def _ratio_t(n: np.ndarray, df: np.ndarray, alpha: float) -> np.ndarray:
    """(t_{n−1} / t_df)² at α/2, the Korn–Graubard degrees-of-freedom adjustment."""
    n1 = np.maximum(np.asarray(n, float) - 1.0, 1.0)
    d = np.maximum(np.asarray(df, float), 1.0)
    return (stats.t.ppf(alpha / 2, n1) / stats.t.ppf(alpha / 2, d)) ** 2


def clopper_pearson_interval(
    x: float | np.ndarray, n: float | np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper–Pearson) interval of ``x`` successes out of ``n`` (``n`` may be real).

    Equals R's ``binom.test``; 0 successes give ``[0, 1 − (α/2)^(1/n)]``.
    """
    x = np.asarray(x, float)
    n = np.asarray(n, float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, np.maximum(x, 1e-300), n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    return low, high


def wilson_interval(
    p: float | np.ndarray, n: float | np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``p`` on ``n`` (effective) observations.

    Without continuity correction; equals R's ``prop.test(..., correct = FALSE)``.
    """
    p = np.asarray(p, float)
    n = np.asarray(n, float)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def proportion_interval(
    p: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    *,
    method: str = "beta",
    confidence: float = 0.95,
    n_kish: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of weighted proportions (vectorised).

    Parameters
    ----------
    p, se
        Estimated proportions (0–1) and their linearised standard errors.
    n
        Respondents in the base (unweighted).
    df
        Design degrees of freedom of the domain (PSUs minus strata).
    method
        ``beta``: Korn–Graubard, as R's ``svyciprop(method = "beta")``: effective size
        ``n* = p(1−p)/Var(p) · (t_{n−1}/t_df)²`` at α/2, then
        ``[qbeta(α/2, n*p, n*(1−p)+1), qbeta(1−α/2, n*p+1, n*(1−p))]``.
        ``logit``: ``expit(logit p ± t_df · se / (p(1−p)))`` (R's ``method = "logit"``).
        ``wilson``: Wilson score interval on ``n* = p(1−p)/Var(p)``.
    n_kish
        Kish effective size of the base, used when ``p`` is 0 or 1 (the variance is then 0):
        the interval is one-sided, ``[0, 1 − (α/2)^(1/n*)]`` (or its mirror for 1), with
        ``n*`` the Kish size times the degrees-of-freedom adjustment.

    Returns
    -------
    (low, high), within [0, 1]; NaN where ``p`` is NaN.
    """
    if method not in CI_METHODS:
        raise ConfigError(
            f"méthode d'intervalle inconnue « {method} »",
            hint="méthodes possibles : " + ", ".join(CI_METHODS),
        )
    p = np.asarray(p, float)
    p = np.where(np.abs(p) < 1e-12, 0.0, np.where(np.abs(1 - p) < 1e-12, 1.0, p))  # rounding
    se = np.asarray(se, float)
    n = np.asarray(n, float)
    df = np.asarray(df, float)
    alpha = 1 - confidence
    var = se**2
    nk = np.asarray(n_kish, float) if n_kish is not None else n
    adj = _ratio_t(n, df, alpha)
    # a variance that is rounding noise (a calibrated margin, a census) counts as zero
    interior = (p > 0) & (p < 1) & (var > 1e-10 * p * (1 - p))
    with np.errstate(invalid="ignore", divide="ignore"):
        n_design = np.where(interior, p * (1 - p) / np.where(var > 0, var, 1.0), nk)
        low = np.full(p.shape, np.nan)
        high = np.full(p.shape, np.nan)
        if method == "beta" or method == "logit":
            ne = n_design * adj
            a = np.where(interior, ne * p, 1.0)
            b = np.where(interior, ne * (1 - p), 1.0)
            lo_b = stats.beta.ppf(alpha / 2, a, b + 1)
            hi_b = stats.beta.ppf(1 - alpha / 2, a + 1, b)
            if method == "beta":
                low = np.where(interior, lo_b, low)
                high = np.where(interior, hi_b, high)
            else:
                t = stats.t.ppf(1 - alpha / 2, np.maximum(df, 1.0))
                pp = np.where(interior, p, 0.5)
                eta = np.log(pp / (1 - pp))
                half = t * se / (pp * (1 - pp))
                low = np.where(interior, 1 / (1 + np.exp(-(eta - half))), low)
                high = np.where(interior, 1 / (1 + np.exp(-(eta + half))), high)
        else:
            lo_w, hi_w = wilson_interval(np.where(interior, p, 0.5), n_design, confidence)
            low = np.where(interior, lo_w, low)
            high = np.where(interior, hi_w, high)
        # boundary cases: one-sided exact interval on the effective size
        ne0 = np.maximum(nk * adj, 1e-9)
        zero = (p == 0) & np.isfinite(p)
        one = (p == 1) & np.isfinite(p)
        low = np.where(zero, 0.0, low)
        high = np.where(zero, 1 - (alpha / 2) ** (1 / ne0), high)
        low = np.where(one, (alpha / 2) ** (1 / ne0), low)
        high = np.where(one, 1.0, high)
        # no variance inside (0, 1): a census of the domain
        flat = (p > 0) & (p < 1) & ~interior
        low = np.where(flat, p, low)
        high = np.where(flat, p, high)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def mean_interval(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval ``estimate ± t_{df, 1−α/2} · se`` (R's ``confint(svymean, df=)``)."""
    estimate = np.asarray(estimate, float)
    se = np.asarray(se, float)
    t = stats.t.ppf(1 - (1 - confidence) / 2, np.maximum(np.asarray(df, float), 1.0))
    return estimate - t * se, estimate + t * se


# ============================================================================ estimators


@dataclass(frozen=True)
class RatioEstimates:
    """Ratios ``Σ w·y / Σ w`` over the base, per domain (rows) and statistic (columns).

    All arrays are ``(G, K)``: ``estimate``, ``se``, ``n`` (respondents in the base),
    ``count`` (respondents in the base with a non-zero value), ``weighted_base`` (sum of
    weights of the base), ``n_eff`` (Kish effective size of the base), ``df`` (PSUs minus
    strata among them) and ``dominance`` (largest share of one unit in ``Σ w·|y|``).
    """

    estimate: np.ndarray
    se: np.ndarray
    n: np.ndarray
    count: np.ndarray
    weighted_base: np.ndarray
    n_eff: np.ndarray
    df: np.ndarray
    dominance: np.ndarray


def _as_2d(a: np.ndarray | Sequence[float]) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    return arr[:, None] if arr.ndim == 1 else arr


def estimate_ratios(
    design: SurveyDesign,
    values: np.ndarray,
    base: np.ndarray | None = None,
    index: DomainIndex | None = None,
    *,
    dominance: bool = False,
) -> RatioEstimates:
    """Weighted means (proportions for 0/1 values) per domain, with linearised SEs.

    Parameters
    ----------
    design
        The survey design; ``values`` rows are its units.
    values
        ``(n,)`` or ``(n, K)`` values; NaN where the unit is not in the base.
    base
        ``(n,)`` or ``(n, K)`` booleans: the units that answered (default: non-NaN values).
    index
        Domain partition (default: every unit, one domain).
    dominance
        Also compute the largest share of one unit in the weighted total (secrecy rule).
    """
    y = _as_2d(values)
    if base is None:
        b = ~np.isnan(y)
    else:
        b = np.asarray(base, dtype=bool)
        b = np.broadcast_to(b[:, None] if b.ndim == 1 else b, y.shape)
    if index is None:
        index = design.domain_index(None)
    w = design.weights
    G = index.n_groups
    K = y.shape[1]
    wb = np.where(b, w[:, None], 0.0)
    yz = np.where(b, y, 0.0)
    wy = wb * yz
    # one sparse product for every per-domain sum
    sums = index.sum_by_group(np.hstack([wb, wy, b, b & (yz != 0), wb * wb]))
    weighted_base, total, n, count, w2 = (sums[:, j * K : (j + 1) * K] for j in range(5))
    with np.errstate(invalid="ignore", divide="ignore"):
        est = total / weighted_base
    g = np.clip(index.groups, 0, None)
    safe_est = np.where(np.isfinite(est), est, 0.0)
    safe_base = np.where(weighted_base > 0, weighted_base, 1.0)
    # influence values; wb is 0 outside the base, so are the scores
    scores = (wy - wb * safe_est[g]) / safe_base[g]
    var = design.domain_variance(scores, index)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(w2 > 0, weighted_base**2 / np.where(w2 > 0, w2, 1.0), 0.0)
    # degrees of freedom: one computation per distinct base column
    df = np.empty((G, K))
    done: list[int] = []
    for k in range(K):
        same = next((j for j in done if np.array_equal(b[:, j], b[:, k])), None)
        if same is None:
            df[:, k] = index.degrees_of_freedom(design, b[:, k])
            done.append(k)
        else:
            df[:, k] = df[:, same]
    dom = np.zeros((G, K))
    if dominance:
        contrib = np.abs(wb * yz)
        abs_total = index.sum_by_group(contrib)
        inside = index.inside
        for k in range(K):
            mx = np.zeros(G)
            np.maximum.at(mx, index.groups[inside], contrib[inside, k])
            with np.errstate(invalid="ignore", divide="ignore"):
                dom[:, k] = np.where(abs_total[:, k] > 0, mx / abs_total[:, k], 0.0)
    est = np.where(weighted_base > 0, est, np.nan)
    se = np.where(weighted_base > 0, np.sqrt(var), np.nan)
    return RatioEstimates(est, se, n, count, weighted_base, n_eff, df, dom)


def estimate_totals(
    design: SurveyDesign, values: np.ndarray, index: DomainIndex | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted totals ``Σ w·y`` per domain and their linearised SEs, each ``(G, K)``.

    Missing values count as 0 (the total of what was reported).
    """
    y = np.nan_to_num(_as_2d(values))
    if index is None:
        index = design.domain_index(None)
    scores = design.weights[:, None] * y
    total = index.sum_by_group(scores)
    return total, np.sqrt(design.domain_variance(scores, index))


# ============================================================================ indicators table


@dataclass(frozen=True)
class DerivedIndicator:
    """A named indicator: share of the base of ``source`` whose answer is among ``codes``."""

    name: str
    source: str
    codes: tuple[str, ...]


DEFAULT_DERIVED = (
    DerivedIndicator("ia_adoption", "ia_stade", ("deploiement_partiel", "deploiement_generalise")),
)


def domain_label(variables: Sequence[str], values: Sequence[object]) -> str:
    """``secteur=banque;taille=pme`` for the domain where each variable has its value."""
    return ";".join(f"{v}={x}" for v, x in zip(variables, values, strict=True))


def _code_array(series: pd.Series, codes: Sequence[str]) -> np.ndarray:
    """Integer position of each value in ``codes`` (−1 for anything else, missing included)."""
    index = pd.Index([str(c) for c in codes])
    if isinstance(series.dtype, pd.CategoricalDtype):
        mapping = index.get_indexer(pd.Index([str(c) for c in series.cat.categories]))
        cat_codes = series.cat.codes.to_numpy()
        return np.where(cat_codes >= 0, mapping[np.maximum(cat_codes, 0)], -1).astype(np.int64)
    values = series.astype("object")
    present = values.notna().to_numpy()
    out = np.full(len(values), -1, dtype=np.int64)
    if present.any():
        out[present] = index.get_indexer(pd.Index(values[present].astype(str)))
    return out


def _domain_partitions(
    responses: pd.DataFrame,
    dictionary: Dictionary,
    domains: Iterable[str | tuple[str, ...]],
) -> list[tuple[tuple[str, ...], np.ndarray, list[str]]]:
    """For each domain spec: variables, group code per unit and the domain labels."""
    out: list[tuple[tuple[str, ...], np.ndarray, list[str]]] = []
    for spec in domains:
        if spec == "all" or spec == ("all",):
            out.append(((), np.zeros(len(responses), dtype=np.int64), ["all"]))
            continue
        names = (spec,) if isinstance(spec, str) else tuple(spec)
        parts = []
        for name in names:
            if name not in responses.columns:
                raise InputError(
                    f"domaine « {name} » : colonne absente des réponses",
                    hint="les domaines possibles sont des variables codées présentes dans responses.parquet",
                )
            col = responses[name]
            var = dictionary.variables.get(name)
            if var is not None and var.codes:
                codes = list(var.codes)
            elif isinstance(col.dtype, pd.CategoricalDtype):
                codes = [str(c) for c in col.cat.categories]
            else:
                codes = sorted(str(x) for x in col.dropna().unique())
            parts.append((name, codes, _code_array(col, codes)))
        combined = np.zeros(len(responses), dtype=np.int64)
        valid = np.ones(len(responses), dtype=bool)
        for _, codes, arr in parts:
            valid &= arr >= 0
            combined = combined * len(codes) + np.maximum(arr, 0)
        combined = np.where(valid, combined, -1)
        present = np.unique(combined[combined >= 0])
        remap = np.full(
            int(np.prod([len(c) for _, c, _ in parts])) if parts else 1, -1, dtype=np.int64
        )
        remap[present] = np.arange(len(present))
        groups = np.where(combined >= 0, remap[np.maximum(combined, 0)], -1)
        labels = []
        for code in present:
            values = []
            rest = int(code)
            for _, codes, _ in reversed(parts):
                values.append(codes[rest % len(codes)])
                rest //= len(codes)
            labels.append(domain_label(names, list(reversed(values))))
        out.append((names, groups, labels))
    return out


@dataclass
class _Block:
    """Statistics of one variable that share domains: values, base and row metadata.

    A proportion block is stored as answer codes: ``pos[i]`` is the position of unit ``i``'s
    answer among Q possible answers (−1: no answer), and column ``k`` of the block is
    ``y = level_sets[pos, k]`` on the base ``base_sets[pos, k]`` (both ``(Q, K)`` booleans).
    A mean block holds its real values ``real`` and its base ``real_base`` (both ``(n,)``).
    ``values`` and ``base`` give the ``(n, K)`` arrays either way.
    """

    indicator: str
    levels: list[str]
    statistic: str
    family: str  # relation group for secondary suppression
    kind: list[str]  # "level" | "missing" | "top2" | "flag" | "derived" | "mean"
    parts: list[str] | None = None  # "indicator:level|level" for rows that sum other rows
    pos: np.ndarray | None = None  # (n,) answer position, -1 without answer
    level_sets: np.ndarray | None = None  # (Q, K) bool
    base_sets: np.ndarray | None = None  # (Q, K) bool
    real: np.ndarray | None = None  # (n,) values of a mean (0 outside the base)
    real_base: np.ndarray | None = None  # (n,) bool

    def _spread(self, table: np.ndarray) -> np.ndarray:
        assert self.pos is not None
        padded = np.vstack([table, np.zeros((1, table.shape[1]), dtype=table.dtype)])
        return padded[np.where(self.pos >= 0, self.pos, len(table))]

    @property
    def values(self) -> np.ndarray:
        """(n, K) values (0 outside the base)."""
        if self.real is not None:
            return self.real[:, None]
        assert self.level_sets is not None
        return self._spread(self.level_sets).astype(float)

    @property
    def base(self) -> np.ndarray:
        """(n, K) booleans: the units in the base of each column."""
        if self.real_base is not None:
            return self.real_base[:, None]
        assert self.base_sets is not None
        return self._spread(self.base_sets)


def _coded_block(name: str, series: pd.Series, var: Variable) -> _Block:
    codes = list(var.codes)
    missing = list(var.missing)
    pos = _code_array(series, codes + missing)
    n_sub = len(codes)
    q = n_sub + len(missing)
    level_cols: list[np.ndarray] = []
    base_cols: list[np.ndarray] = []
    levels: list[str] = []
    kinds: list[str] = []
    substantive = np.arange(q) < n_sub
    everything = np.ones(q, dtype=bool)
    for j, code in enumerate(codes):
        level_cols.append(np.arange(q) == j)
        base_cols.append(substantive)
        levels.append(code)
        kinds.append("level")
    if var.top2 and all(c in codes for c in var.top2):
        idx = [codes.index(c) for c in var.top2]
        level_cols.append(np.isin(np.arange(q), idx))
        base_cols.append(substantive)
        levels.append("top2")
        kinds.append("top2")
    for j, code in enumerate(missing):
        level_cols.append(np.arange(q) == n_sub + j)
        base_cols.append(everything)
        levels.append(code)
        kinds.append("missing")
    parts = [f"{name}:{'|'.join(var.top2)}" if k == "top2" else "" for k in kinds]
    return _Block(
        name,
        levels,
        "proportion",
        name,
        kinds,
        parts,
        pos=pos,
        level_sets=np.column_stack(level_cols),
        base_sets=np.column_stack(base_cols),
    )


def _as_float(series: pd.Series) -> np.ndarray:
    """Numbers as float64, NaN where missing or not a number."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _flag_block(name: str, series: pd.Series, family: str) -> _Block:
    v = _as_float(series)
    base = ~np.isnan(v)
    pos = np.where(base, (np.nan_to_num(v) != 0).astype(np.int64), -1)
    return _Block(
        name,
        [""],
        "proportion",
        family,
        ["flag"],
        pos=pos,
        level_sets=np.array([[False], [True]]),
        base_sets=np.array([[True], [True]]),
    )


def _mean_block(name: str, series: pd.Series) -> _Block:
    v = _as_float(series)
    base = ~np.isnan(v)
    return _Block(name, [""], "mean", name, ["mean"], real=np.nan_to_num(v), real_base=base)


def _blocks(
    responses: pd.DataFrame, dictionary: Dictionary, derived: Sequence[DerivedIndicator]
) -> list[_Block]:
    blocks: list[_Block] = []
    for var in dictionary:
        if var.type in SKIPPED_TYPES or var.privacy in SKIPPED_PRIVACY:
            continue
        if var.type == "multi":
            for col in var.columns():
                if col in responses.columns:
                    blocks.append(_flag_block(col, responses[col], var.name))
        elif var.type == "matrix":
            for col in var.columns():
                if col in responses.columns:
                    blocks.append(_coded_block(col, responses[col], var))
        elif var.is_coded:
            if var.name in responses.columns:
                blocks.append(_coded_block(var.name, responses[var.name], var))
        elif var.is_flag:
            if var.name in responses.columns:
                blocks.append(_flag_block(var.name, responses[var.name], var.name))
        elif var.type in ("int", "float") and var.name in responses.columns:
            blocks.append(_mean_block(var.name, responses[var.name]))
    for d in derived:
        if d.source in responses.columns and d.source in dictionary.variables:
            var = dictionary[d.source]
            codes = list(var.codes)
            pos = _code_array(responses[d.source], codes)
            idx = [codes.index(c) for c in d.codes if c in var.codes]
            blocks.append(
                _Block(
                    d.name,
                    [""],
                    "proportion",
                    d.source,
                    ["derived"],
                    [f"{d.source}:{'|'.join(d.codes)}"],
                    pos=pos,
                    level_sets=np.isin(np.arange(len(codes)), idx)[:, None],
                    base_sets=np.ones((len(codes), 1), dtype=bool),
                )
            )
    return blocks


def _design_of(design: Any) -> SurveyDesign:
    if isinstance(design, SurveyDesign):
        return design
    inner = getattr(design, "design", None)
    if isinstance(inner, SurveyDesign):
        return inner
    raise TypeError("design: SurveyDesign or WeightResult expected")


def estimate_indicators(
    responses: pd.DataFrame,
    design: Any,
    dictionary: Dictionary,
    *,
    domains: Sequence[str | tuple[str, ...]] = DEFAULT_DOMAINS,
    thresholds: Thresholds | None = None,
    ci_method: str = "beta",
    confidence: float = 0.95,
    derived: Sequence[DerivedIndicator] = DEFAULT_DERIVED,
    unit: str = "firms",
    not_shown: Sequence[str] = (),
) -> pd.DataFrame:
    """Every indicator of the dictionary × every domain, with intervals and secrecy flags.

    Parameters
    ----------
    responses
        Cleaned responses (``iaobs.study.dictionary``), row ``i`` being unit ``i`` of the design.
    design
        A :class:`~iaobs.stats.design.SurveyDesign` or :class:`~iaobs.stats.weights.WeightResult`.
    dictionary
        The questionnaire; id, text, date, confidential and free-text variables are skipped.
    domains
        ``"all"``, a variable name (one domain per code) or a tuple of names (crossed).
    thresholds
        Secrecy and precision thresholds (defaults of :class:`iaobs.study.config.Thresholds`).
    ci_method
        ``beta`` (Korn–Graubard), ``logit`` or ``wilson`` for proportions.
    confidence
        Confidence level of the intervals (0.95).
    derived
        Named derived indicators (``ia_adoption`` by default).
    unit
        ``firms`` (company survey) or ``persons`` (pilot training): which secrecy threshold.
    not_shown
        Domains published as ``nd`` whatever their size (protected by the secondary secrecy).

    Returns
    -------
    The indicators table with exactly the columns of ``CONTRACT_COLUMNS``. Proportions are
    0–1 shares of the base (respondents who answered, missing codes excluded; a missing code's
    own row has every answer as base); means are in the variable's unit.
    """
    if ci_method not in CI_METHODS:
        raise ConfigError(
            f"méthode d'intervalle inconnue « {ci_method} »",
            hint="méthodes possibles : " + ", ".join(CI_METHODS),
        )
    d = _design_of(design)
    if len(responses) != d.n:
        raise StatisticsError(
            f"{len(responses)} réponses mais {d.n} unités dans le plan de sondage",
            hint="calculez les poids sur le même fichier de réponses",
        )
    responses = responses.reset_index(drop=True)
    table = _estimate_table(responses, d, dictionary, domains, ci_method, confidence, derived)
    return apply_disclosure(table, thresholds or Thresholds(), unit=unit, not_shown=not_shown)


def _fine_cells(
    design: SurveyDesign, partitions: Sequence[tuple[Any, np.ndarray, list[str]]]
) -> tuple[np.ndarray, np.ndarray]:
    """The finest cells of the units: same stratum, calibration cells and domains.

    Returns ``(cell of each unit (n,), first unit of each cell (F,))``. Every sum the
    estimation needs (per domain, per stratum × domain, per calibration cell × domain) is a
    sum of per-cell sums, so the per-unit work is done once for all partitions.
    """
    parts: list[tuple[np.ndarray, int]] = [(design.strata, design.n_strata)]
    if design.calibration is not None:
        for margin, size in zip(
            design.calibration.margins, design.calibration.n_cells, strict=True
        ):
            parts.append((margin, size))
    for _names, groups, labels in partitions:
        parts.append((groups + 1, len(labels) + 1))
    key = np.zeros(design.n, dtype=np.int64)
    bound = 1
    for codes, size in parts:
        if bound * max(size, 1) >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            bound = int(key.max()) + 1
        key = key * max(size, 1) + codes
        bound *= max(size, 1)
    _, first, cell = np.unique(key, return_index=True, return_inverse=True)
    return cell.astype(np.int64), first


#: Per fine cell (rows) and block column: the sums the ratio estimator needs, by name
#: (``y_<u>`` = Σ u·b·y, ``b_<u>`` = Σ u·b for the unit weights ``u``; ``y2_w2``, ``count``,
#: and for means ``abs`` and ``max`` of ``|w·y|``).
_CellSums = dict[str, np.ndarray]


def _block_sums(
    block: _Block, cell: np.ndarray, n_cells: int, weights: dict[str, np.ndarray]
) -> _CellSums:
    """Sums of ``u·b·y`` and ``u·b`` per fine cell for each unit weight ``u`` of ``weights``.

    Proportions: one ``bincount`` per weight over (cell, answer) pairs, then a product with
    the block's level and base sets. Means: one ``bincount`` per weight and column.
    """
    out: dict[str, np.ndarray] = {}
    if block.pos is not None:
        assert block.level_sets is not None and block.base_sets is not None
        q = block.level_sets.shape[0]
        ok = block.pos >= 0
        key = cell[ok] * q + block.pos[ok]
        level = block.level_sets.astype(float)
        base = block.base_sets.astype(float)
        for name, u in weights.items():
            u_ok = None if u is None else u[ok]
            counts = np.bincount(key, weights=u_ok, minlength=n_cells * q).reshape(n_cells, q)
            out["y_" + name] = counts @ level
            out["b_" + name] = counts @ base
        out["y2_w2"] = out["y_w2"]  # y is 0/1
        out["count"] = out["y_one"]
        return out
    assert block.real is not None and block.real_base is not None
    b = block.real_base
    y = block.real[b]
    c = cell[b]
    for name, u in weights.items():
        u_b = np.ones(len(y)) if u is None else u[b]
        out["y_" + name] = np.bincount(c, weights=u_b * y, minlength=n_cells)[:, None]
        out["b_" + name] = np.bincount(c, weights=u_b, minlength=n_cells)[:, None]
    w2 = weights["w2"][b]
    out["y2_w2"] = np.bincount(c, weights=w2 * y * y, minlength=n_cells)[:, None]
    out["count"] = np.bincount(c, weights=(y != 0).astype(float), minlength=n_cells)[:, None]
    contrib = np.abs(weights["w"][b] * y)
    out["abs"] = np.bincount(c, weights=contrib, minlength=n_cells)[:, None]
    biggest = np.zeros(n_cells)
    np.maximum.at(biggest, c, contrib)
    out["max"] = biggest[:, None]
    return out


def _onehot(rows: np.ndarray, n_rows: int, n_cells: int) -> np.ndarray:
    """(n_rows, n_cells) 0/1 matrix with a 1 at (rows[f], f); rows −1 are left out."""
    matrix = np.zeros((n_rows, n_cells))
    keep = rows >= 0
    matrix[rows[keep], np.flatnonzero(keep)] = 1.0
    return matrix


def _fast_ratios(
    design: SurveyDesign,
    sums: _CellSums,
    cell_group: np.ndarray,
    G: int,
    aggregators: dict[str, Any],
    dominance: bool,
) -> RatioEstimates:
    """:func:`estimate_ratios` from per-fine-cell sums (designs where each unit is a PSU).

    The linearised scores ``e_i = w_i·b_i·(y_i − R_g)/W_g`` are constant in ``R_g`` and
    ``W_g`` within a fine cell, so their sums (and sums of squares) over strata × domains and
    calibration cells × domains follow from the fine-cell sums of ``u·b·y`` and ``u·b``.
    """
    to_group = aggregators["group"]
    weighted_base = to_group @ sums["b_w"]
    total = to_group @ sums["y_w"]
    n = to_group @ sums["b_one"]
    count = to_group @ sums["count"]
    w2 = to_group @ sums["b_w2"]
    with np.errstate(invalid="ignore", divide="ignore"):
        est = total / weighted_base
    safe_est = np.where(np.isfinite(est), est, 0.0)
    safe_base = np.where(weighted_base > 0, weighted_base, 1.0)
    inside = cell_group >= 0
    g = np.where(inside, cell_group, 0)
    r = np.where(inside[:, None], safe_est[g], 0.0)  # (F, K)
    base = safe_base[g]
    e1 = (sums["y_w"] - r * sums["b_w"]) / base
    e2 = (sums["y2_w2"] - 2.0 * r * sums["y_w2"] + r * r * sums["b_w2"]) / (base * base)
    to_hg = aggregators["hg"]
    t1 = to_hg @ e2
    t2 = to_hg @ e1
    K = e1.shape[1]
    if design.calibration is None:
        var = design.variance_from_sums(t1, t2, G)
    else:
        alg = design._cal
        assert alg is not None
        em = (sums["y_dw"] - r * sums["b_dw"]) / base
        ec = (sums["y_cww"] - r * sums["b_cww"]) / base
        m = np.empty((alg.p, G, K))
        cross1 = np.empty((G, alg.p, K))
        for to_cells, off, size in aggregators["cal"]:
            m[off : off + size] = (to_cells @ em).reshape(size, G, K)
            cross1[:, off : off + size, :] = (to_cells @ ec).reshape(size, G, K).transpose(1, 0, 2)
        var = design.variance_from_sums(t1, t2, G, m, cross1)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(w2 > 0, weighted_base**2 / np.where(w2 > 0, w2, 1.0), 0.0)
    # degrees of freedom: units in the base minus strata with some unit in the base
    H = design.n_strata
    present = (to_hg @ sums["b_one"]) > 0
    df = n - present.reshape(H, G, K).sum(axis=0)
    dom = np.zeros((G, K))
    if dominance:
        abs_total = to_group @ sums["abs"]
        biggest = np.zeros((G, K))
        np.maximum.at(biggest, cell_group[inside], sums["max"][inside])
        with np.errstate(invalid="ignore", divide="ignore"):
            dom = np.where(abs_total > 0, biggest / abs_total, 0.0)
    est = np.where(weighted_base > 0, est, np.nan)
    se = np.where(weighted_base > 0, np.sqrt(var), np.nan)
    return RatioEstimates(est, se, n, count, weighted_base, n_eff, df.astype(float), dom)


def _fast_results(
    design: SurveyDesign,
    blocks: list[_Block],
    partitions: Sequence[tuple[Any, np.ndarray, list[str]]],
) -> list[list[RatioEstimates]]:
    """Ratio estimates of every block × partition, for a design whose PSUs are its units."""
    cell, first = _fine_cells(design, partitions)
    F = len(first)
    w = design.weights
    weights: dict[str, Any] = {"one": None, "w": w, "w2": w * w}
    if design.calibration is not None:
        alg = design._cal
        assert alg is not None
        weights["dw"] = alg.d_over_w * w
        weights["cww"] = design.stratum_factor[design.strata] * w * w
    cell_stratum = design.strata[first]
    aggregators = []
    for _names, groups, labels in partitions:
        G = len(labels)
        cell_group = groups[first]
        hg = np.where(cell_group >= 0, cell_stratum * G + cell_group, -1)
        agg: dict[str, Any] = {
            "group": _onehot(cell_group, G, F),
            "hg": _onehot(hg, design.n_strata * G, F),
            "cal": [],
        }
        if design.calibration is not None:
            alg = design._cal
            assert alg is not None
            for cells, off in zip(alg.cells, alg.offsets, strict=True):
                size = int(cells.max() - off) + 1
                rows = np.where(cell_group >= 0, (cells[first] - off) * G + cell_group, -1)
                agg["cal"].append((_onehot(rows, size * G, F), off, size))
        aggregators.append((cell_group, G, agg))
    out = []
    for block in blocks:
        sums = _block_sums(block, cell, F, weights)
        out.append(
            [
                _fast_ratios(design, sums, cell_group, G, agg, block.statistic == "mean")
                for cell_group, G, agg in aggregators
            ]
        )
    return out


def _estimate_table(
    responses: pd.DataFrame,
    design: SurveyDesign,
    dictionary: Dictionary,
    domains: Sequence[str | tuple[str, ...]],
    ci_method: str,
    confidence: float,
    derived: Sequence[DerivedIndicator],
) -> pd.DataFrame:
    partitions = _domain_partitions(responses, dictionary, domains)
    blocks = _blocks(responses, dictionary, derived)
    # each unit its own PSU (every study design): sums per fine cell, once for all domains
    fast = _fast_results(design, blocks, partitions) if design.psu_is_unit else None
    indexes: list[tuple[Any, Any, list[str]]] = [
        (names, None if fast is not None else design.domain_index(groups, len(labels)), labels)
        for names, groups, labels in partitions
    ]
    frames: list[dict[str, np.ndarray]] = []
    for b, block in enumerate(blocks):
        for p, (names, index, labels) in enumerate(indexes):
            if fast is not None:
                r = fast[b][p]
            else:
                r = estimate_ratios(
                    design, block.values, block.base, index, dominance=block.statistic == "mean"
                )
            G, K = r.estimate.shape
            se = r.se if block.statistic == "mean" else noise_free_se(r.estimate, r.se)
            if block.statistic == "mean":
                low, high = mean_interval(r.estimate, r.se, r.df, confidence=confidence)
            else:
                low, high = proportion_interval(
                    r.estimate,
                    r.se,
                    r.n,
                    r.df,
                    method=ci_method,
                    confidence=confidence,
                    n_kish=r.n_eff,
                )
            frames.append(
                {
                    "indicator": np.full(G * K, block.indicator, dtype=object),
                    "level": np.tile(np.asarray(block.levels, dtype=object), G),
                    "domain": np.repeat(np.asarray(labels, dtype=object), K),
                    "statistic": np.full(G * K, block.statistic, dtype=object),
                    "estimate": r.estimate.ravel(),
                    "se": se.ravel(),
                    "ci_low": np.asarray(low).ravel(),
                    "ci_high": np.asarray(high).ravel(),
                    "n": r.n.ravel().astype(np.int64),
                    "n_eff": r.n_eff.ravel(),
                    "weighted_base": r.weighted_base.ravel(),
                    "_count": r.count.ravel().astype(np.int64),
                    "_dominance": r.dominance.ravel(),
                    "_df": r.df.ravel(),
                    "_kind": np.tile(np.asarray(block.kind, dtype=object), G),
                    "_family": np.full(G * K, block.family, dtype=object),
                    "_parts": np.tile(np.asarray(block.parts or [""] * K, dtype=object), G),
                    "_partition": np.full(G * K, "×".join(names) or "all", dtype=object),
                }
            )
    if not frames:
        return pd.DataFrame(columns=CONTRACT_COLUMNS)
    table = pd.DataFrame({k: np.concatenate([f[k] for f in frames]) for k in frames[0]})
    table["flag"] = ""
    return table
