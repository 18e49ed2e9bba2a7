"""Before/after evaluation of the pilot training: paired statistics and the report's blocks.

Each participant answers the same questionnaire (``formation.yaml``) at T0 (before), T1 (end of
training) and T2 (three months later). A comparison T0 → T1 or T0 → T2 uses only the
participants present at both waves (*paired*): each person is compared with themself.

Statistics (all unweighted: the pilot is exhaustive, every trainee was asked):

* scores and ordinal items (self-assessed confidence 1–5, quiz score 0–20, frequency of AI use
  as ranks 1–5, opinions as ranks 1 = strongly disagree … 5 = strongly agree; NSP left out):
  Wilcoxon signed-rank test (:func:`scipy.stats.wilcoxon`, ``zero_method="wilcox"`` — zero
  differences are dropped —, ``correction=False``, ``method="auto"``: exact distribution when
  there are at most 50 non-zero differences without ties, normal approximation with tie
  correction otherwise); effect size: the matched-pairs rank-biserial correlation
  r = (R⁺ − R⁻) / (R⁺ + R⁻) on non-zero differences, with a 95 % percentile bootstrap interval
  (2 000 resamples of persons, fixed seed); mean difference with its Student t interval;
* yes/no answers: McNemar test, exact (binomial on the discordant pairs) when there are fewer
  than 25 discordant pairs, χ² with continuity correction otherwise; difference of paired
  proportions with Newcombe's hybrid score interval (method 10);
* many items are tested at once: p-values are also given adjusted by Holm's method within each
  table;
* net promoter score (T1): share of promoters (9–10) minus share of detractors (0–6), with a
  95 % percentile bootstrap interval.

Secrecy: persons, not firms — no number rests on fewer than ``secret_min_persons`` (11)
participants; a breakdown group below it is not shown (``nd``), and when a single group would
be hidden, the next smallest is hidden too so that it cannot be recovered by subtraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core import text as tx
from iaobs.core.typography import plural
from iaobs.errors import InputError, StatisticsError
from iaobs.reports.context import Html, ReportContext, esc, load_context
from iaobs.reports.kinds.caveats import points_word, rank_biserial_text
from iaobs.reports.kinds.training_cells import distribution, persons_shown
from iaobs.study.store import Processed

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "EXACT_MCNEMAR_BELOW",
    "TrainingContext",
    "attrition",
    "breakdown",
    "holm",
    "item_ranks",
    "load_training",
    "mcnemar_paired",
    "net_promoter",
    "paired_table",
    "paired_values",
    "training_tables",
    "wilcoxon_paired",
]

WAVES = ("T0", "T1", "T2")
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 2019
EXACT_MCNEMAR_BELOW = 25
#: the scales whose first level is the most favourable: ranks are reversed
_REVERSED_SCALES = frozenset({"accord"})
OPINION_ITEMS = ("opinion_confiance", "opinion_inquietude", "opinion_utilite")
BREAKDOWNS = ("secteur", "famille_metier", "statut")


# --------------------------------------------------------------------------------------------
# Values


def item_ranks(variable: Any) -> dict[str, int]:
    """Ranks 1…k of the substantive codes of an ordinal variable, from low to high.

    The ``accord`` scale lists "Tout à fait d'accord" first; its ranks are reversed so that
    5 means strongly agree. Missing codes (NSP) have no rank.
    """
    codes = list(variable.codes)
    if variable.scale in _REVERSED_SCALES:
        codes = codes[::-1]
    return {code: i + 1 for i, code in enumerate(codes)}


def _numeric(series: pd.Series, variable: Any | None) -> pd.Series:
    """Answers as floats: ranks for coded answers, numbers as they are; NaN when missing."""
    if variable is not None and variable.codes and variable.type in ("ord", "matrix"):
        ranks = item_ranks(variable)
        return series.astype("object").map(lambda v: ranks.get(str(v), np.nan)).astype(float)
    return pd.to_numeric(series, errors="coerce").astype(float)


def paired_values(
    formation: pd.DataFrame,
    column: str,
    before: str,
    after: str,
    *,
    variable: Any | None = None,
) -> pd.DataFrame:
    """The answers of the persons present at both waves who answered at both, side by side.

    Parameters
    ----------
    formation
        One row per participant × wave (``id_participant``, ``vague`` and the answers).
    column
        The answer column (``auto_eval__comprendre_ia``, ``score_quiz``…).
    before, after
        Wave codes (``T0``, ``T1``, ``T2``).
    variable
        The dictionary variable of ``column``: coded answers become ranks (see
        :func:`item_ranks`); ``None`` for numbers.

    Returns
    -------
    DataFrame
        Index ``id_participant``; columns ``before`` and ``after`` (floats, no NaN).
    """
    waves = formation["vague"].astype("string")
    values = _numeric(formation[column], variable)
    ids = formation["id_participant"].astype("string")
    a = pd.Series(values[waves == before].to_numpy(), index=ids[waves == before].to_numpy())
    b = pd.Series(values[waves == after].to_numpy(), index=ids[waves == after].to_numpy())
    a = a[~a.index.duplicated()]
    b = b[~b.index.duplicated()]
    both = pd.DataFrame({"before": a}).join(pd.DataFrame({"after": b}), how="inner").dropna()
    both.index.name = "id_participant"
    return both


# --------------------------------------------------------------------------------------------
# Tests


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


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (family-wise error), NaN kept in place and left out."""
    values = [float(p) for p in p_values]
    present = [(p, i) for i, p in enumerate(values) if not math.isnan(p)]
    present.sort()
    m = len(present)
    adjusted = [math.nan] * len(values)
    running = 0.0
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


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


# --------------------------------------------------------------------------------------------
# Tables of results (tidy frames, floats; formatting happens at display)


def _tested_items(dictionary: Any) -> list[tuple[str, Any]]:
    """(column, variable) of every ordinal or numeric answer compared between waves."""
    out: list[tuple[str, Any]] = []
    matrix = dictionary["auto_eval"]
    out.extend((f"auto_eval__{item}", matrix) for item in matrix.items)
    out.append(("auto_eval_moyenne", None))
    out.append(("score_quiz", None))
    out.append(("freq_usage_ia", dictionary["freq_usage_ia"]))
    out.extend((name, dictionary[name]) for name in OPINION_ITEMS if name in dictionary)
    return out


def with_derived(formation: pd.DataFrame, dictionary: Any) -> pd.DataFrame:
    """Add ``auto_eval_moyenne`` (a person's mean confidence over the items answered, 1–5) and
    ``usage_hebdo`` (uses AI tools at least weekly, boolean; missing when not answered)."""
    frame = formation.copy()
    matrix = dictionary["auto_eval"]
    items = [f"auto_eval__{i}" for i in matrix.items if f"auto_eval__{i}" in frame]
    if items:
        ranks = pd.concat([_numeric(frame[c], matrix) for c in items], axis=1)
        frame["auto_eval_moyenne"] = ranks.mean(axis=1, skipna=True)
    freq = dictionary["freq_usage_ia"]
    ranks_f = _numeric(frame["freq_usage_ia"], freq)
    weekly = item_ranks(freq).get("hebdomadaire", 4)
    frame["usage_hebdo"] = (ranks_f >= weekly).where(ranks_f.notna())
    return frame


def paired_table(
    formation: pd.DataFrame,
    dictionary: Any,
    before: str,
    after: str,
    *,
    min_persons: int = 11,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> pd.DataFrame:
    """Wilcoxon results of every compared answer between two waves, Holm-adjusted.

    One row per answer (``column``), with the fields of :func:`wilcoxon_paired` plus
    ``p_holm`` and ``flag`` (``nd`` when fewer than ``min_persons`` pairs: every figure of the
    row is then NaN and the row is left out of the Holm family).
    """
    frame = with_derived(formation, dictionary)
    rows = []
    for column, variable in _tested_items(dictionary):
        if column not in frame:
            continue
        pairs = paired_values(frame, column, before, after, variable=variable)
        result = wilcoxon_paired(pairs["before"], pairs["after"], resamples=resamples)
        result = {"column": column, **result, "flag": ""}
        if result["n"] < min_persons:
            result = {k: (math.nan if isinstance(v, float) else v) for k, v in result.items()} | {
                "flag": "nd"
            }
        rows.append(result)
    table = pd.DataFrame(rows)
    if len(table):
        # the mean of the items is a summary of the items, not a separate hypothesis
        family = table["column"] != "auto_eval_moyenne"
        adjusted = holm(table.loc[family, "p_value"].tolist())
        table["p_holm"] = math.nan
        table.loc[family, "p_holm"] = adjusted
    return table


def mcnemar_table(
    formation: pd.DataFrame, dictionary: Any, *, min_persons: int = 11
) -> pd.DataFrame:
    """McNemar results of the yes/no answers: weekly AI use (T0→T1, T0→T2) and certification
    (T1→T2, the two waves where it is asked); Holm-adjusted p-values in ``p_holm``."""
    frame = with_derived(formation, dictionary)
    cert = frame["certification"].astype("string") if "certification" in frame else None
    if cert is not None:
        frame["certification_oui"] = (cert == "oui").where(cert.isin(["oui", "non"]))
    rows = []
    plan = [("usage_hebdo", "T0", "T1"), ("usage_hebdo", "T0", "T2")]
    if cert is not None:
        plan.append(("certification_oui", "T1", "T2"))
    for column, before, after in plan:
        pairs = paired_values(frame, column, before, after)
        result = mcnemar_paired(pairs["before"] > 0.5, pairs["after"] > 0.5)
        result = {"column": column, "before": before, "after": after, **result, "flag": ""}
        if result["n"] < min_persons:
            result = {k: (math.nan if isinstance(v, float) else v) for k, v in result.items()}
            result["flag"] = "nd"
        rows.append(result)
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p_value"].tolist()) if len(table) else []
    return table


def attrition(
    formation: pd.DataFrame, *, by: str | None = None, min_persons: int = 11
) -> pd.DataFrame:
    """Participants at each wave and who left between waves.

    Parameters
    ----------
    formation
        One row per participant × wave.
    by
        A characteristic taken at T0 (``secteur``, ``famille_metier``…) for one row per group;
        ``None`` for one row for everybody.
    min_persons
        Groups with fewer participants at T0 are shown ``nd`` (counts NaN).

    Returns
    -------
    DataFrame
        ``group``, ``t0``, ``t1``, ``t2`` (participants present), ``t0_t1``, ``t0_t2``,
        ``t0_t1_t2`` (present at both / all), ``left_t1`` (present at T0, absent at T1),
        ``left_t2`` (present at T0, absent at T2), ``retention_t1``, ``retention_t2`` (shares
        of T0 participants present at T1 / T2, 0–1), ``flag``.
    """
    waves = formation["vague"].astype("string")
    ids = formation["id_participant"].astype("string")
    present = {w: set(ids[waves == w]) for w in WAVES}
    t0 = formation[waves == "T0"]
    if by is None:
        groups: list[tuple[str, set[str]]] = [("", present["T0"])]
    else:
        key = t0[by].astype("string").fillna("")
        groups = [
            (str(code), set(t0.loc[key == code, "id_participant"].astype("string")))
            for code in key.unique()
            if code
        ]
    rows = []
    for code, members in groups:
        n0 = len(members)
        both_t1, both_t2 = len(members & present["T1"]), len(members & present["T2"])
        row: dict[str, Any] = {
            "group": code,
            "t0": n0,
            "t1": len(members & present["T1"]),
            "t2": len(members & present["T2"]),
            "t0_t1": len(members & present["T1"]),
            "t0_t2": len(members & present["T2"]),
            "t0_t1_t2": len(members & present["T1"] & present["T2"]),
        }
        row["left_t1"] = n0 - both_t1
        row["left_t2"] = n0 - both_t2
        row["retention_t1"] = both_t1 / n0 if n0 else math.nan
        row["retention_t2"] = both_t2 / n0 if n0 else math.nan
        row["flag"] = "" if n0 >= min_persons else "nd"
        rows.append(row)
    table = pd.DataFrame(rows)
    if by is None:
        # T1/T2 participants who were not seen at T0 cannot be paired: count them apart
        table["t1"] = len(present["T1"])
        table["t2"] = len(present["T2"])
    else:
        table = _protect_groups(table, "t0", min_persons)
    numeric = [c for c in table.columns if c not in ("group", "flag")]
    table[numeric] = table[numeric].astype(float)
    table.loc[table["flag"] == "nd", numeric] = math.nan
    return table


def _protect_groups(table: pd.DataFrame, size: str, min_persons: int) -> pd.DataFrame:
    """Flag groups below ``min_persons``; when exactly one is hidden, hide the next smallest
    too so that the hidden one cannot be recovered from the total."""
    table = table.copy()
    table["flag"] = np.where(table[size] < min_persons, "nd", "")
    hidden = table["flag"] == "nd"
    if hidden.sum() == 1 and (~hidden).sum() >= 1:
        smallest = table.loc[~hidden, size].astype(float).idxmin()
        table.loc[smallest, "flag"] = "nd"
    return table


def breakdown(
    formation: pd.DataFrame,
    dictionary: Any,
    by: str,
    before: str,
    after: str,
    *,
    columns: Sequence[str] = ("score_quiz", "auto_eval_moyenne"),
    min_persons: int = 11,
    resamples: int = 0,
) -> pd.DataFrame:
    """Paired mean differences by group (characteristic taken at T0), where ≥ 11 pairs remain.

    One row per group × column: ``group``, ``column``, and the fields of
    :func:`wilcoxon_paired`; ``flag`` ``nd`` when fewer than ``min_persons`` pairs (figures
    NaN; when a single group is hidden the next smallest is hidden as well).
    """
    frame = with_derived(formation, dictionary)
    waves = frame["vague"].astype("string")
    t0 = frame[waves == "T0"]
    group_of = pd.Series(
        t0[by].astype("string").to_numpy(), index=t0["id_participant"].astype("string")
    )
    group_of = group_of[~group_of.index.duplicated()]
    variable = dictionary.variables.get(by)
    order = list(variable.codes) if variable is not None and variable.codes else []
    order += sorted(set(group_of.dropna()) - set(order))
    rows = []
    for column in columns:
        pairs = paired_values(frame, column, before, after)
        groups = group_of.reindex(pairs.index)
        sub_rows = []
        for code in order:
            mine = pairs[groups == code]
            if len(mine) == 0:
                continue
            result = wilcoxon_paired(mine["before"], mine["after"], resamples=resamples)
            sub_rows.append({"group": code, "column": column, **result})
        sub = pd.DataFrame(sub_rows)
        if len(sub):
            sub = _protect_groups(sub, "n", min_persons)
            numbers = [c for c in sub.columns if c not in ("group", "column", "flag", "method")]
            sub[numbers] = sub[numbers].astype(float)
            sub.loc[sub["flag"] == "nd", [c for c in numbers if c != "n"]] = math.nan
            rows.append(sub)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


# --------------------------------------------------------------------------------------------
# Loading


def load_formation(processed_dir: Path) -> pd.DataFrame:
    """Read ``formation.parquet``; a clear error when it is missing or unreadable."""
    path = Processed(Path(processed_dir)).formation
    if not path.exists():
        raise InputError(
            "réponses de la formation pilote introuvables",
            file=path,
            hint='déclarez la source de la formation (questionnaire = "formation") dans '
            "study.toml puis lancez « iaobs run »",
        )
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise InputError(
            f"réponses de la formation pilote illisibles ({type(exc).__name__})",
            file=path,
            hint="supprimez le fichier et relancez « iaobs run »",
        ) from exc
    for column in ("id_participant", "vague"):
        if column not in frame:
            raise InputError(f"colonne « {column} » absente", file=path)
    return frame


# --------------------------------------------------------------------------------------------
# The report: context, blocks, tables and figures


TRAINING_SECTIONS: dict[str, tuple[str, str]] = {
    "participation": ("Participation et attrition", "Participation and attrition"),
    "progres": (
        "Évolutions entre les vagues, sans groupe de comparaison",
        "Changes between waves, without a comparison group",
    ),
    "aisance": ("Aisance déclarée et connaissances", "Self-assessed confidence and knowledge"),
    "usages": ("Usage de l'IA et certification", "AI use and certification"),
    "satisfaction": ("Satisfaction et recommandation (T1)", "Satisfaction and recommendation (T1)"),
    "trois_mois": ("Trois mois après (T2)", "Three months later (T2)"),
    "profils": ("Résultats par profil", "Results by profile"),
    "annexe": ("Annexe méthodologique", "Methodology annex"),
}

#: section -> table keys, in the order the report shows them (their numbers)
TRAINING_LAYOUT: list[tuple[str, list[str]]] = [
    ("participation", ["attrition", "attrition_famille", "attrition_secteur"]),
    ("progres", ["apparie_t1", "apparie_t2", "oui_non"]),
    ("satisfaction", ["satisfaction", "intention", "recommandation"]),
    ("trois_mois", ["temps_gagne"]),
    ("profils", ["profil_secteur", "profil_famille_metier", "profil_statut"]),
]

_BY_LABEL = {
    "secteur": ("secteur d'activité", "sector"),
    "famille_metier": ("famille de métiers", "job family"),
    "statut": ("catégorie socioprofessionnelle", "occupational category"),
}


@dataclass
class TrainingContext(ReportContext):
    """A :class:`ReportContext` for the pilot-training report, with the training answers.

    ``formation`` has one row per participant × wave; ``training`` is the training
    questionnaire. Results are computed once and cached in ``results``.
    """

    formation: pd.DataFrame = field(default_factory=pd.DataFrame)
    training: Any = None
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def source_line(self) -> str:
        return self.pick(
            f"{self.study.title}, questionnaires d'évaluation de la formation pilote "
            f"(T0, T1, T2), {self.study.wave} ; calculs de l'observatoire.",
            f"{self.study.title}, pilot-training assessment questionnaires (T0, T1, T2), "
            f"{self.study.wave}; observatory calculations.",
        )

    @property
    def min_persons(self) -> int:
        return int(self.study.thresholds.secret_min_persons)

    def heading(self, level: int, key: str) -> Html:
        """A numbered heading of the training report (keys of :data:`TRAINING_SECTIONS`)."""
        fr, en = TRAINING_SECTIONS[key]
        title = en if self.language == "en" else fr
        if key == "annexe":
            return Html(f'<h2 id="{esc(key)}">{esc(title)}</h2>')
        if level == 2:
            self.section_count += 1
            self.subsection_count = 0
            number = f"{self.section_count}."
        else:
            self.subsection_count += 1
            number = f"{self.section_count}.{self.subsection_count}"
        return Html(f'<h{level} id="{esc(key)}">{number} {esc(title)}</h{level}>')

    def cached(self, key: str, build: Any) -> Any:
        if key not in self.results:
            self.results[key] = build()
        return self.results[key]

    def paired(self, before: str, after: str) -> pd.DataFrame:
        return self.cached(
            f"paired:{before}:{after}",
            lambda: paired_table(
                self.formation, self.training, before, after, min_persons=self.min_persons
            ),
        )

    def column_label(self, column: str) -> str:
        if column == "auto_eval_moyenne":
            return self.pick(
                "Aisance moyenne (moyenne des 8 éléments)", "Mean confidence (mean of 8 items)"
            )
        if column == "usage_hebdo":
            return self.pick(
                "Utilise des outils d'IA au moins une fois par semaine",
                "Uses AI tools at least weekly",
            )
        if column == "certification_oui":
            return self.training.column_label("certification", self.language)
        if column.startswith("auto_eval__"):
            return self.pick("À l'aise pour ", "Confident to ") + self.training.column_label(
                column, self.language
            )
        return self.training.column_label(column, self.language)

    def group_label(self, by: str, code: str) -> str:
        if by == "secteur":
            return self.sector_label(code)
        try:
            return self.training.code_label(by, code, self.language)
        except KeyError:
            return code


def load_training(study_dir: str | Path, *, language: str = "") -> TrainingContext:
    """Load the study and its pilot-training answers for the evaluation report.

    Raises
    ------
    InputError
        When ``formation.parquet`` is missing or unreadable.
    """
    base = load_context(study_dir, language=language, require_indicators=False)
    formation = load_formation(base.processed_dir)
    values = {f: getattr(base, f) for f in base.__dataclass_fields__}
    return TrainingContext(**values, formation=formation, training=base.study.training_dictionary)


def _present(ctx: TrainingContext) -> dict[str, int]:
    waves = ctx.formation["vague"].astype("string")
    ids = ctx.formation["id_participant"].astype("string")
    return {w: int(ids[waves == w].nunique()) for w in WAVES}


def _fmt(ctx: TrainingContext, value: Any, decimals: int = 1) -> str:
    return tx.format_decimal(value, decimals=decimals, language=ctx.language)


def _pct(ctx: TrainingContext, value: Any) -> str:
    return tx.format_percent(value, language=ctx.language)


def _num(ctx: TrainingContext, value: Any) -> str:
    return tx.format_number(value, language=ctx.language)


def format_p(value: Any, language: str = "fr") -> str:
    """A p-value for a table: ``< 0,001``, ``0,042``, ``1``; ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tx.MISSING
    if value < 0.001:
        return "< 0,001" if language != "en" else "< 0.001"
    return tx.format_decimal(value, decimals=3, language=language)


def _row(table: pd.DataFrame, column: str) -> dict[str, Any] | None:
    sub = table[table["column"] == column] if len(table) else table
    return None if sub.empty else sub.iloc[0].to_dict()


def attrition_text(ctx: TrainingContext) -> Html:
    """The attrition in plain words, and whether those who left differed at T0."""
    present = _present(ctx)
    table = attrition(ctx.formation, min_persons=ctx.min_persons).iloc[0]
    parts = [
        ctx.pick(
            f"{_num(ctx, present['T0'])} participants ont répondu avant la formation (T0). "
            f"{_num(ctx, table['left_t1'])} n'ont pas répondu en fin de formation (T1) et "
            f"{_num(ctx, table['left_t2'])} n'ont pas répondu trois mois après (T2). Les "
            f"comparaisons portent uniquement sur les personnes présentes aux deux vagues "
            f"comparées : {_num(ctx, table['t0_t1'])} pour T0 → T1, "
            f"{_num(ctx, table['t0_t2'])} pour T0 → T2.",
            f"{_num(ctx, present['T0'])} participants answered before the training (T0). "
            f"{_num(ctx, table['left_t1'])} did not answer at its end (T1) and "
            f"{_num(ctx, table['left_t2'])} did not answer three months later (T2). "
            f"Comparisons use only the persons present at both waves compared: "
            f"{_num(ctx, table['t0_t1'])} for T0 → T1, {_num(ctx, table['t0_t2'])} for T0 → T2.",
        )
    ]
    # did the persons lost at T2 start from a different level?
    frame = with_derived(ctx.formation, ctx.training)
    waves = frame["vague"].astype("string")
    t0 = frame[waves == "T0"].drop_duplicates("id_participant")
    at_t2 = set(frame.loc[waves == "T2", "id_participant"].astype("string"))
    stayed = t0["id_participant"].astype("string").isin(at_t2)
    quiz = pd.to_numeric(t0["score_quiz"], errors="coerce")
    if stayed.sum() >= ctx.min_persons and (~stayed).sum() >= ctx.min_persons:
        parts.append(
            ctx.pick(
                f"Avant la formation, les participants perdus à T2 avaient un score moyen au "
                f"test de {_fmt(ctx, quiz[~stayed].mean())} sur 20, contre "
                f"{_fmt(ctx, quiz[stayed].mean())} pour ceux qui ont répondu à T2 : "
                "les résultats à T2 décrivent les participants restés, pas nécessairement "
                "l'ensemble des stagiaires.",
                f"Before the training, participants lost at T2 had a mean test score of "
                f"{_fmt(ctx, quiz[~stayed].mean())} out of 20, against "
                f"{_fmt(ctx, quiz[stayed].mean())} for those who answered at T2: T2 results "
                "describe those who stayed, not necessarily every trainee.",
            )
        )
    return Html("".join(f"<p>{esc(p)}</p>" for p in parts))


def _nps(ctx: TrainingContext) -> dict[str, Any]:
    waves = ctx.formation["vague"].astype("string")
    scores = pd.to_numeric(ctx.formation.loc[waves == "T1", "recommandation"], errors="coerce")
    return net_promoter(scores.to_numpy(dtype=float, na_value=np.nan))


def _satisfaction(ctx: TrainingContext) -> pd.DataFrame:
    return distribution(
        ctx.formation,
        ctx.training,
        "satisfaction",
        "T1",
        min_persons=ctx.min_persons,
        language=ctx.language,
    )


# -- tables ----------------------------------------------------------------------------------

_Built = tuple[str, pd.DataFrame, list[str], dict[str, str]]


def _notes(
    ctx: TrainingContext, champ: str, *, lecture: str | None = None, note: str | None = None
) -> list[str]:
    sep = " : " if ctx.language == "fr" else ": "
    lines = []
    if lecture:
        lines.append(f"{ctx.t('lecture')}{sep}{lecture}")
    lines.append(f"{ctx.t('champ')}{sep}{champ}")
    lines.append(f"{ctx.t('source')}{sep}{ctx.source_line}")
    if note:
        lines.append(f"{ctx.t('note')}{sep}{note}")
    return lines


def _champ_pairs(ctx: TrainingContext, before: str, after: str) -> str:
    return ctx.pick(
        f"Participants à la formation pilote ayant répondu à {before} et à {after} "
        "(appariés), ayant répondu à la question.",
        f"Pilot-training participants who answered at {before} and at {after} (paired) and "
        "answered the question.",
    )


def _attrition_table(ctx: TrainingContext, by: str | None) -> _Built:
    table = attrition(ctx.formation, by=by, min_persons=ctx.min_persons)
    head = ctx.pick("Groupe", "Group")
    if by is None:
        labels = [ctx.pick("Ensemble des participants", "All participants")]
        title = ctx.pick("Participants à chaque vague", "Participants at each wave")
    else:
        labels = [ctx.group_label(by, g) for g in table["group"]]
        fr, en = _BY_LABEL[by]
        head = ctx.pick(fr.capitalize(), en.capitalize())
        title = ctx.pick(f"Participants et départs par {fr}", f"Participants and dropouts by {en}")
    frame = pd.DataFrame(
        {
            head: labels,
            "T0": table["t0"],
            ctx.pick("T1 (présents à T0)", "T1 (present at T0)"): table["t0_t1"],
            ctx.pick("T2 (présents à T0)", "T2 (present at T0)"): table["t0_t2"],
            ctx.pick("Présents à T0, T1 et T2", "Present at T0, T1 and T2"): table["t0_t1_t2"],
            ctx.pick("Part de T0 présente à T2", "Share of T0 present at T2"): table[
                "retention_t2"
            ],
            ctx.t("flag"): table["flag"],
        }
    )
    kinds = {c: "count" for c in frame.columns}
    kinds[head] = "label"
    kinds[frame.columns[5]] = "percent"
    kinds[ctx.t("flag")] = "flag"
    note = None
    if (table["flag"] == "nd").any():
        note = ctx.pick(
            f"Groupes de moins de {ctx.min_persons} participants non diffusés (nd) ; quand un "
            "seul groupe l'est, le plus petit des autres l'est aussi.",
            f"Groups of fewer than {ctx.min_persons} participants not published (nd); when only "
            "one group is, the smallest other one is too.",
        )
    champ = ctx.pick(
        "Participants à la formation pilote ayant répondu avant la formation (T0).",
        "Pilot-training participants who answered before the training (T0).",
    )
    return title, frame, _notes(ctx, champ, note=note), kinds


def _paired_frame(ctx: TrainingContext, before: str, after: str) -> _Built:
    table = ctx.paired(before, after)
    lang = ctx.language
    label = ctx.t("item")
    diff = ctx.pick(f"Écart moyen {after} − {before}", f"Mean change {after} − {before}")
    frame = pd.DataFrame(
        {
            label: [ctx.column_label(c) for c in table["column"]],
            ctx.pick(f"Moyenne {before}", f"Mean {before}"): table["mean_before"],
            ctx.pick(f"Moyenne {after}", f"Mean {after}"): table["mean_after"],
            diff: table["mean_diff"],
            f"{diff} – {ctx.t('ci_low')}": table["diff_low"],
            f"{diff} – {ctx.t('ci_high')}": table["diff_high"],
            f"{diff} – {ctx.t('n')}": table["n"].astype(int),
            f"{diff} – {ctx.t('flag')}": table["flag"],
            ctx.pick("Part en hausse", "Share up"): [
                tx.MISSING if not r.n or r.flag == "nd" else _pct(ctx, r.increased / r.n)
                for r in table.itertuples()
            ],
            ctx.pick("r rang-bisérial [IC 95 %]", "Rank-biserial r [95% CI]"): [
                rank_biserial_text(ctx, r) for r in table.itertuples()
            ],
            ctx.pick("p (Wilcoxon)", "p (Wilcoxon)"): [format_p(p, lang) for p in table["p_value"]],
            ctx.pick("p ajustée (Holm)", "Holm-adjusted p"): [
                format_p(p, lang) for p in table["p_holm"]
            ],
        }
    )
    kinds = {
        label: "label",
        frame.columns[1]: "mean",
        frame.columns[2]: "mean",
        diff: "mean",
        frame.columns[4]: "ci_low",
        frame.columns[5]: "ci_high",
        frame.columns[6]: "count",
        frame.columns[7]: "flag",
        frame.columns[8]: "text",
        frame.columns[9]: "text",
        frame.columns[10]: "text",
        frame.columns[11]: "text",
    }
    title = ctx.pick(
        f"Évolution entre {before} et {after} : aisance (1 à 5), test (sur 20), fréquence "
        "d'usage (1 à 5) et opinions (1 à 5)",
        f"Change between {before} and {after}: confidence (1-5), test (out of 20), frequency "
        "of use (1-5) and opinions (1-5)",
    )
    first = _row(table, "score_quiz")
    lecture = None
    if first and first["flag"] != "nd":
        lecture = ctx.pick(
            f"Les {_num(ctx, first['n'])} participants présents à {before} et à {after} ont "
            f"obtenu en moyenne {_fmt(ctx, first['mean_before'])} sur 20 au test à {before} et "
            f"{_fmt(ctx, first['mean_after'])} à {after}, soit {_fmt(ctx, first['mean_diff'])} "
            f"{points_word(first['mean_diff'])} de plus.",
            f"The {_num(ctx, first['n'])} participants present at {before} and {after} scored "
            f"{_fmt(ctx, first['mean_before'])} out of 20 on average at {before} and "
            f"{_fmt(ctx, first['mean_after'])} at {after}, {_fmt(ctx, first['mean_diff'])} "
            "points more.",
        )
    note = ctx.pick(
        "Fréquence : 1 = jamais … 5 = tous les jours ; opinions : 1 = pas du tout d'accord … "
        "5 = tout à fait d'accord (NSP exclus). Test de Wilcoxon des rangs signés (écarts nuls "
        "exclus) ; r rang-bisérial : de −1 (tous en baisse) à +1 (tous en hausse), intervalle "
        "par bootstrap ; intervalle de l'écart moyen : loi de Student. p ajustée : méthode de "
        "Holm sur les éléments du tableau (hors aisance moyenne), qui tient compte du nombre de "
        "tests. (1) Tous les écarts non nuls vont dans le même sens : r vaut ±1 et son "
        "intervalle par bootstrap ne peut pas varier ; il n'est pas donné. Ces écarts ne sont "
        "pas des effets de la formation (pas de groupe de comparaison).",
        "Frequency: 1 = never … 5 = daily; opinions: 1 = strongly disagree … 5 = strongly agree "
        "(don't know excluded). Wilcoxon signed-rank test (zero changes excluded); rank-biserial "
        "r from −1 (all down) to +1 (all up), bootstrap interval; interval of the mean change: "
        "Student's t. Adjusted p: Holm's method over the table's items (except mean "
        "confidence), which accounts for the number of tests. (1) Every non-zero change goes "
        "the same way: r is ±1 and its bootstrap interval cannot vary; it is not given. These "
        "changes are not effects of the training (no comparison group).",
    )
    return (
        title,
        frame,
        _notes(ctx, _champ_pairs(ctx, before, after), lecture=lecture, note=note),
        kinds,
    )


def _yes_no_frame(ctx: TrainingContext) -> _Built:
    table = ctx.cached(
        "mcnemar",
        lambda: mcnemar_table(ctx.formation, ctx.training, min_persons=ctx.min_persons),
    )
    lang = ctx.language
    label = ctx.t("item")
    diff = ctx.pick("Écart (points)", "Change (points)")
    frame = pd.DataFrame(
        {
            label: [
                f"{ctx.column_label(r.column)} ({r.before} → {r.after})" for r in table.itertuples()
            ],
            ctx.pick("Part avant", "Share before"): table["yes_before"],
            ctx.pick("Part après", "Share after"): table["yes_after"],
            diff: table["diff"],
            f"{diff} – {ctx.t('ci_low')}": table["diff_low"],
            f"{diff} – {ctx.t('ci_high')}": table["diff_high"],
            f"{diff} – {ctx.t('n')}": table["n"].astype(int),
            f"{diff} – {ctx.t('flag')}": table["flag"],
            ctx.pick("Non → oui", "No → yes"): persons_shown(table["gained"], ctx.min_persons),
            ctx.pick("Oui → non", "Yes → no"): persons_shown(table["lost"], ctx.min_persons),
            ctx.pick("p (McNemar)", "p (McNemar)"): [format_p(p, lang) for p in table["p_value"]],
            ctx.pick("p ajustée (Holm)", "Holm-adjusted p"): [
                format_p(p, lang) for p in table["p_holm"]
            ],
        }
    )
    kinds = {
        label: "label",
        frame.columns[1]: "percent",
        frame.columns[2]: "percent",
        diff: "percent",
        frame.columns[4]: "ci_low",
        frame.columns[5]: "ci_high",
        frame.columns[6]: "count",
        frame.columns[7]: "flag",
        frame.columns[8]: "count",
        frame.columns[9]: "count",
        frame.columns[10]: "text",
        frame.columns[11]: "text",
    }
    note = ctx.pick(
        f"Test de McNemar exact (loi binomiale) quand il y a moins de {EXACT_MCNEMAR_BELOW} "
        "changements de réponse, χ² avec correction de continuité sinon ; intervalle de l'écart "
        "par la méthode de Newcombe pour proportions appariées. La certification n'est demandée "
        "qu'à T1 et T2.",
        f"Exact McNemar test (binomial) when fewer than {EXACT_MCNEMAR_BELOW} answers changed, "
        "χ² with continuity correction otherwise; interval of the change by Newcombe's method "
        "for paired proportions. Certification is only asked at T1 and T2.",
    )
    champ = ctx.pick(
        "Participants présents aux deux vagues comparées, ayant répondu à la question.",
        "Participants present at both waves compared who answered the question.",
    )
    title = ctx.pick("Réponses oui/non avant et après", "Yes/no answers before and after")
    return title, frame, _notes(ctx, champ, note=note), kinds


def _distribution_frame(ctx: TrainingContext, column: str, wave: str, title: str) -> _Built:
    table = distribution(
        ctx.formation,
        ctx.training,
        column,
        wave,
        min_persons=ctx.min_persons,
        language=ctx.language,
    )
    substantive = table[~table["missing"]]
    share = ctx.t("share_pct")
    frame = pd.DataFrame(
        {
            ctx.t("answer"): substantive["label"],
            share: substantive["share"],
            f"{share} – {ctx.t('flag')}": substantive["flag"],
            ctx.pick("Effectif", "Count"): substantive["count"]
            .where(substantive["flag"] != "nd")
            .astype(float),
        }
    )
    kinds = {
        frame.columns[0]: "label",
        share: "percent",
        frame.columns[2]: "flag",
        frame.columns[3]: "count",
    }
    missing = table[table["missing"]]
    note = (
        ctx.pick("Base : ", "Base: ")
        + _num(ctx, int(table["base"].iloc[0]))
        + ctx.pick(" réponses", " answers")
    )
    if len(missing):
        note += "".join(
            ctx.pick(
                f" ; {m.label} : {_answers(ctx, m.count)}, hors base",
                f"; {m.label}: {_answers(ctx, m.count)}, outside the base",
            )
            for m in missing.itertuples()
        )
    champ = ctx.pick(
        f"Participants à la formation pilote ayant répondu à {wave}.",
        f"Pilot-training participants who answered at {wave}.",
    )
    return title, frame, _notes(ctx, champ, note=note + "."), kinds


def _answers(ctx: TrainingContext, count: int) -> str:
    """« 12 réponses », « 1 réponse », « moins de 11 réponses » (a count of persons)."""
    if 0 < count < ctx.min_persons:
        return ctx.pick(
            f"moins de {ctx.min_persons} réponses", f"fewer than {ctx.min_persons} answers"
        )
    return ctx.pick(plural(count, "réponse"), plural(count, "answer", language="en"))


def _recommendation_frame(ctx: TrainingContext) -> _Built:
    nps = ctx.cached("nps", lambda: _nps(ctx))
    hidden = nps["n"] < ctx.min_persons
    flag = "nd" if hidden else ""
    nan = math.nan
    labels = [
        ctx.pick("Promoteurs (9 ou 10)", "Promoters (9-10)"),
        ctx.pick("Neutres (7 ou 8)", "Passives (7-8)"),
        ctx.pick("Détracteurs (0 à 6)", "Detractors (0-6)"),
        ctx.pick("Score net de recommandation (NPS, points)", "Net promoter score (points)"),
    ]
    value = ctx.pick("Valeur", "Value")
    frame = pd.DataFrame(
        {
            ctx.t("indicator"): labels,
            value: [nan] * 3 + [nan if hidden else nps["nps"] * 100],
            f"{value} – {ctx.t('ci_low')}": [nan] * 3 + [nan if hidden else nps["nps_low"] * 100],
            f"{value} – {ctx.t('ci_high')}": [nan] * 3 + [nan if hidden else nps["nps_high"] * 100],
            f"{value} – {ctx.t('flag')}": [flag] * 4,
            ctx.t("share_pct"): [
                nan if hidden else nps[k] for k in ("promoters", "passives", "detractors")
            ]
            + [nan],
            f"{ctx.t('share_pct')} – {ctx.t('flag')}": [flag] * 4,
        }
    )
    kinds = {
        frame.columns[0]: "label",
        value: "mean",
        frame.columns[2]: "ci_low",
        frame.columns[3]: "ci_high",
        frame.columns[4]: "flag",
        frame.columns[5]: "percent",
        frame.columns[6]: "flag",
    }
    note = ctx.pick(
        f"Base : {_num(ctx, nps['n'])} réponses à T1. NPS = part des promoteurs − part des "
        "détracteurs, en points (de −100 à +100) ; intervalle à 95 % par bootstrap.",
        f"Base: {_num(ctx, nps['n'])} answers at T1. NPS = share of promoters − share of "
        "detractors, in points (−100 to +100); 95% bootstrap interval.",
    )
    champ = ctx.pick(
        "Participants à la formation pilote ayant répondu en fin de formation (T1).",
        "Pilot-training participants who answered at the end of the training (T1).",
    )
    title = ctx.pick(
        "Recommanderiez-vous la formation ? Score net de recommandation",
        "Would you recommend the training? Net promoter score",
    )
    return title, frame, _notes(ctx, champ, note=note), kinds


def _profile_frame(ctx: TrainingContext, by: str) -> _Built:
    fr, en = _BY_LABEL[by]
    head = ctx.pick(fr.capitalize(), en.capitalize())
    columns: dict[str, list[Any]] = {head: []}
    kinds: dict[str, str] = {head: "label"}
    blocks = []
    for before, after in (("T0", "T1"), ("T0", "T2")):
        for column, short in (
            ("score_quiz", ctx.pick("test", "test")),
            ("auto_eval_moyenne", ctx.pick("aisance", "confidence")),
        ):
            blocks.append(
                (before, after, column, f"{ctx.pick('Écart', 'Change')} {short} {before} → {after}")
            )
    results = {
        (b, a): ctx.cached(
            f"breakdown:{by}:{b}:{a}",
            lambda b=b, a=a: breakdown(
                ctx.formation, ctx.training, by, b, a, min_persons=ctx.min_persons
            ),
        )
        for b, a in (("T0", "T1"), ("T0", "T2"))
    }
    groups: list[str] = []
    for res in results.values():
        for g in res.get("group", pd.Series(dtype=str)):
            if g not in groups:
                groups.append(g)
    columns[head] = [ctx.group_label(by, g) for g in groups]
    for before, after, column, name in blocks:
        res = results[(before, after)]
        sub = res[res["column"] == column].set_index("group") if len(res) else pd.DataFrame()
        columns[name] = [
            float(sub.loc[g, "mean_diff"]) if g in sub.index else math.nan for g in groups
        ]
        columns[f"{name} – {ctx.t('n')}"] = [
            float(sub.loc[g, "n"]) if g in sub.index else 0.0 for g in groups
        ]
        columns[f"{name} – {ctx.t('flag')}"] = [
            str(sub.loc[g, "flag"]) if g in sub.index else "nd" for g in groups
        ]
        kinds[name] = "mean"
        kinds[f"{name} – {ctx.t('n')}"] = "count"
        kinds[f"{name} – {ctx.t('flag')}"] = "flag"
    frame = pd.DataFrame(columns)
    title = ctx.pick(
        f"Progression moyenne par {fr} (test sur 20, aisance sur 5)",
        f"Mean progress by {en} (test out of 20, confidence out of 5)",
    )
    note = ctx.pick(
        f"Écart moyen entre les deux vagues des participants présents aux deux ; caractéristique "
        f"relevée à T0. Groupes de moins de {ctx.min_persons} participants appariés non diffusés "
        "(nd) ; quand un seul groupe l'est, le plus petit des autres l'est aussi.",
        f"Mean change between the two waves of participants present at both; characteristic "
        f"taken at T0. Groups of fewer than {ctx.min_persons} paired participants not published "
        "(nd); when only one group is, the smallest other one is too.",
    )
    champ = ctx.pick(
        "Participants à la formation pilote présents aux deux vagues comparées.",
        "Pilot-training participants present at both waves compared.",
    )
    return title, frame, _notes(ctx, champ, note=note), kinds


_TRAINING_BUILDERS: dict[str, Any] = {
    "attrition": lambda c: _attrition_table(c, None),
    "attrition_famille": lambda c: _attrition_table(c, "famille_metier"),
    "attrition_secteur": lambda c: _attrition_table(c, "secteur"),
    "apparie_t1": lambda c: _paired_frame(c, "T0", "T1"),
    "apparie_t2": lambda c: _paired_frame(c, "T0", "T2"),
    "oui_non": _yes_no_frame,
    "satisfaction": lambda c: _distribution_frame(
        c,
        "satisfaction",
        "T1",
        c.pick(
            "Satisfaction globale en fin de formation",
            "Overall satisfaction at the end of the training",
        ),
    ),
    "intention": lambda c: _distribution_frame(
        c,
        "intention_application",
        "T1",
        c.pick("« Je vais appliquer ce que j'ai appris »", "“I will apply what I learned”"),
    ),
    "recommandation": _recommendation_frame,
    "temps_gagne": lambda c: _distribution_frame(
        c,
        "temps_gagne_hebdo",
        "T2",
        c.pick(
            "Temps gagné par semaine grâce à l'IA, trois mois après",
            "Time saved per week thanks to AI, three months later",
        ),
    ),
    "profil_secteur": lambda c: _profile_frame(c, "secteur"),
    "profil_famille_metier": lambda c: _profile_frame(c, "famille_metier"),
    "profil_statut": lambda c: _profile_frame(c, "statut"),
}


def build_training_table(ctx: TrainingContext, key: str) -> Any:
    """One numbered table of the training report (a :class:`iaobs.reports.tables.ReportTable`)."""
    from iaobs.reports.tables import table_from_layout

    return table_from_layout(
        TRAINING_LAYOUT, _TRAINING_BUILDERS, ctx, key, report="rapport de formation"
    )


def show(ctx: TrainingContext, key: str) -> Html:
    """A table of the training report as HTML (what a notebook cell displays)."""
    from iaobs.reports.tables import table_html

    return table_html(build_training_table(ctx, key), ctx)


def training_tables(ctx: TrainingContext) -> list[Any]:
    """Every table of the training report, by section (one Excel sheet per section)."""
    from iaobs.reports.tables import sections_from_layout

    return sections_from_layout(
        TRAINING_LAYOUT, _TRAINING_BUILDERS, ctx, TRAINING_SECTIONS, report="rapport de formation"
    )


# -- figures ---------------------------------------------------------------------------------


def chart_confidence(ctx: TrainingContext) -> Html:
    """Mean self-assessed confidence per item at T0, T1 and T2 (participants of all three)."""
    import matplotlib.pyplot as plt

    from iaobs.reports import figures

    figures.apply_theme()
    frame = ctx.formation
    waves = frame["vague"].astype("string")
    ids = frame["id_participant"].astype("string")
    everywhere = set(ids[waves == "T0"]) & set(ids[waves == "T1"]) & set(ids[waves == "T2"])
    matrix = ctx.training["auto_eval"]
    items = list(matrix.items)
    sub = frame[ids.isin(everywhere)]
    means = {
        w: [
            _numeric(sub.loc[sub["vague"].astype("string") == w, f"auto_eval__{i}"], matrix).mean()
            for i in items
        ]
        for w in WAVES
    }
    n = len(everywhere)
    fig, ax = plt.subplots(
        figsize=(figures.WIDTH_IN, 0.5 + 0.36 * len(items)), layout="constrained"
    )
    if n >= ctx.min_persons:
        y = np.arange(len(items))[::-1]
        colors = {"T0": figures.NSP_GREY, "T1": figures.BLUE, "T2": figures.OKABE_ITO["orange"]}
        markers = {"T0": "o", "T1": "D", "T2": "s"}
        for j in range(len(items)):
            values = [means[w][j] for w in WAVES]
            ax.plot([min(values), max(values)], [y[j], y[j]], color="#CCCCCC", lw=2, zorder=1)
        for w in WAVES:
            ax.scatter(means[w], y, color=colors[w], marker=markers[w], s=28, zorder=3, label=w)
        ax.set_yticks(y, [figures._wrap(matrix.items[i].get(ctx.language), 40) for i in items])
        ax.set_xlim(1, 5)
        ax.set_xlabel(
            ctx.pick(
                "Aisance moyenne (1 = pas du tout à l'aise, 5 = très à l'aise)",
                "Mean confidence (1 = not at all, 5 = very confident)",
            )
        )
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
        ax.xaxis.set_major_formatter(
            plt.FuncFormatter(lambda v, _p: tx.format_decimal(v, decimals=0, language=ctx.language))
        )
    else:
        ax.set_axis_off()
    alt = ctx.pick(
        "Points par élément, aisance moyenne à T0, T1 et T2 : ",
        "Dots per item, mean confidence at T0, T1 and T2: ",
    ) + "; ".join(
        f"{matrix.items[i].get(ctx.language)} " + " → ".join(_fmt(ctx, means[w][j]) for w in WAVES)
        for j, i in enumerate(items)
    )
    first = matrix.items[items[0]].get(ctx.language)
    lecture = ctx.pick(
        f"Avant la formation, l'aise moyenne pour « {first} » était de "
        f"{_fmt(ctx, means['T0'][0])} sur 5 ; elle est de {_fmt(ctx, means['T1'][0])} en fin de "
        f"formation et de {_fmt(ctx, means['T2'][0])} trois mois après.",
        f"Before the training, mean confidence to “{first}” was {_fmt(ctx, means['T0'][0])} out "
        f"of 5; {_fmt(ctx, means['T1'][0])} at its end and {_fmt(ctx, means['T2'][0])} three "
        "months later.",
    )
    champ = ctx.pick(
        f"Participants présents aux trois vagues (n = {_num(ctx, n)}).",
        f"Participants present at all three waves (n = {_num(ctx, n)}).",
    )
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=ctx.pick(
            "Aisance déclarée avant, à la fin et trois mois après la formation",
            "Self-assessed confidence before, at the end of and three months after the training",
        ),
        alt=alt,
        lecture=lecture,
        champ=champ,
        note=ctx.pick("Tests par élément : tableaux 4 et 5.", "Tests per item: tables 4 and 5."),
    )


def chart_quiz(ctx: TrainingContext) -> Html:
    """Mean knowledge-test score at each wave (participants of each comparison), with CIs."""
    import matplotlib.pyplot as plt

    from iaobs.reports import figures

    figures.apply_theme()
    rows = []
    for before, after in (("T0", "T1"), ("T0", "T2")):
        r = _row(ctx.paired(before, after), "score_quiz")
        if r and r["flag"] != "nd":
            rows.append((before, after, r))
    fig, ax = plt.subplots(figsize=(figures.WIDTH_IN, 1.9), layout="constrained")
    labels, values, lows, highs = [], [], [], []
    for before, after, r in rows:
        labels.append(
            ctx.pick(f"{before} → {after}\n(n = {r['n']})", f"{before} → {after}\n(n = {r['n']})")
        )
        values.append((r["mean_before"], r["mean_after"]))
        lows.append(r["diff_low"])
        highs.append(r["diff_high"])
    y = np.arange(len(rows))[::-1]
    for j, (a, b) in enumerate(values):
        ax.annotate(
            "",
            xy=(b, y[j]),
            xytext=(a, y[j]),
            arrowprops={"arrowstyle": "->", "color": figures.BLUE, "lw": 1.6},
        )
        ax.scatter([a], [y[j]], color=figures.NSP_GREY, s=26, zorder=3)
        ax.text(a, y[j] + 0.18, _fmt(ctx, a), ha="center", fontsize=8)
        ax.text(b, y[j] + 0.18, _fmt(ctx, b), ha="center", fontsize=8, color=figures.BLUE)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(rows) - 0.3)
    ax.set_xlim(0, 20)
    ax.set_xticks([0, 5, 10, 15, 20])
    ax.set_xlabel(
        ctx.pick(
            "Score moyen au test de connaissances (sur 20)", "Mean knowledge-test score (out of 20)"
        )
    )
    alt = ctx.pick(
        "Flèches du score moyen avant vers après : ", "Arrows from mean score before to after: "
    ) + "; ".join(
        f"{b} → {a} : {_fmt(ctx, v[0])} → {_fmt(ctx, v[1])}"
        for (b, a, _), v in zip(rows, values, strict=True)
    )
    lecture = None
    if rows:
        b, a, r = rows[0]
        lecture = ctx.pick(
            f"Les participants présents à {b} et à {a} passent en moyenne de "
            f"{_fmt(ctx, r['mean_before'])} à {_fmt(ctx, r['mean_after'])} sur 20 "
            f"(écart : {_fmt(ctx, r['mean_diff'])} [IC 95 % : {_fmt(ctx, r['diff_low'])} ; "
            f"{_fmt(ctx, r['diff_high'])}]).",
            f"Participants present at {b} and {a} go from {_fmt(ctx, r['mean_before'])} to "
            f"{_fmt(ctx, r['mean_after'])} out of 20 on average (change: "
            f"{_fmt(ctx, r['mean_diff'])} [95% CI: {_fmt(ctx, r['diff_low'])}; "
            f"{_fmt(ctx, r['diff_high'])}]).",
        )
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=ctx.pick(
            "Score moyen au test de connaissances, avant et après",
            "Mean knowledge-test score, before and after",
        ),
        alt=alt,
        lecture=lecture,
        champ=ctx.pick(
            "Participants présents aux deux vagues comparées.",
            "Participants present at both waves compared.",
        ),
        note=ctx.pick("Formes parallèles du test à T0 et T1.", "Parallel test forms at T0 and T1."),
    )


def chart_satisfaction(ctx: TrainingContext) -> Html:
    """Shares of the satisfaction answers at T1 (bars)."""
    from iaobs.reports import figures

    sat = ctx.cached("satisfaction", lambda: _satisfaction(ctx))
    data = sat[~sat["missing"]].assign(
        estimate=lambda d: d["share"], ci_low=math.nan, ci_high=math.nan
    )
    fig = figures.plot_bars(
        data[["label", "estimate", "ci_low", "ci_high", "flag"]],
        language=ctx.language,
        xlabel=ctx.pick("En % des participants", "% of participants"),
    )
    shown = data[data["flag"] != "nd"]
    alt = ctx.pick("Barres horizontales : ", "Horizontal bars: ") + "; ".join(
        f"{r.label} {_pct(ctx, r.share)}" for r in shown.itertuples()
    )
    lecture = None
    if len(shown):
        top = shown.iloc[-1]
        lecture = ctx.pick(
            f"En fin de formation, {_pct(ctx, top['share'])} des participants se disent "
            f"« {top['label'].lower()} ».",
            f"At the end of the training, {_pct(ctx, top['share'])} of participants are "
            f"“{top['label'].lower()}”.",
        )
    base = int(sat["base"].iloc[0]) if len(sat) else 0
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=ctx.pick(
            "Satisfaction globale en fin de formation (en %)",
            "Overall satisfaction at the end of the training (%)",
        ),
        alt=alt,
        lecture=lecture,
        champ=ctx.pick(
            "Participants ayant répondu en fin de formation (T1).",
            "Participants who answered at the end of the training (T1).",
        ),
        note=ctx.pick(
            f"n = {_num(ctx, base)} participants.", f"n = {_num(ctx, base)} participants."
        ),
    )


def methodology(ctx: TrainingContext) -> Html:
    """The methodology annex of the training report (design, tests, effect sizes, secrecy)."""
    k = ctx.min_persons
    paragraphs = [
        ctx.pick(
            "Chaque participant a répondu au même questionnaire avant la formation (T0), à la "
            "fin de la formation (T1) et trois mois après (T2). Le code participant, "
            "pseudonyme, est identique d'une vague à l'autre : chaque personne est comparée à "
            "elle-même (données appariées). La formation pilote étant exhaustive, les réponses "
            "ne sont pas pondérées.",
            "Each participant answered the same questionnaire before the training (T0), at its "
            "end (T1) and three months later (T2). The pseudonymous participant code is the same "
            "at every wave: each person is compared with themself (paired data). The pilot is "
            "exhaustive, so answers are not weighted.",
        ),
        ctx.pick(
            "Attrition : une comparaison entre deux vagues ne retient que les personnes "
            "présentes aux deux. Les personnes parties peuvent différer de celles qui restent ; "
            "la partie 1 compare leur niveau de départ.",
            "Attrition: a comparison between two waves keeps only the persons present at both. "
            "Those who left may differ from those who stayed; part 1 compares their starting "
            "level.",
        ),
        ctx.pick(
            "Scores et échelles ordonnées (aisance de 1 à 5, test sur 20, fréquence d'usage et "
            "opinions converties en rangs de 1 à 5, « ne sait pas » exclu) : test de Wilcoxon "
            "des rangs signés (écarts nuls exclus, sans correction de continuité ; loi exacte "
            "jusqu'à 50 écarts non "
            "nuls sans ex aequo, approximation normale corrigée des ex aequo sinon). Taille "
            "d'effet : corrélation rang-bisérial appariée r = (R⁺ − R⁻)/(R⁺ + R⁻), de −1 à +1, "
            f"avec un intervalle de confiance à 95 % par bootstrap percentile "
            f"({_num(ctx, BOOTSTRAP_RESAMPLES)} tirages de personnes). L'écart moyen est donné "
            "avec son intervalle de Student.",
            "Scores and ordered scales (confidence 1-5, test out of 20, frequency of use and "
            "opinions as ranks 1-5, don't know excluded): Wilcoxon signed-rank test "
            "(zero differences dropped, no continuity correction; exact distribution up to 50 non-zero differences without "
            "ties, tie-corrected normal approximation otherwise). Effect size: matched-pairs "
            "rank-biserial correlation r = (R⁺ − R⁻)/(R⁺ + R⁻), from −1 to +1, with a 95% "
            f"percentile bootstrap interval ({_num(ctx, BOOTSTRAP_RESAMPLES)} resamples of "
            "persons). The mean change is given with its Student interval.",
        ),
        ctx.pick(
            "Réponses oui/non : test de McNemar, exact (loi binomiale des changements) quand "
            f"moins de {EXACT_MCNEMAR_BELOW} personnes changent de réponse, χ² avec correction "
            "de continuité sinon ; écart de proportions avec l'intervalle de Newcombe.",
            "Yes/no answers: McNemar test, exact (binomial on the changes) when fewer than "
            f"{EXACT_MCNEMAR_BELOW} persons change answer, χ² with continuity correction "
            "otherwise; difference of proportions with Newcombe's interval.",
        ),
        ctx.pick(
            "Tests multiples : chaque tableau teste plusieurs éléments ; la p-valeur ajustée par "
            "la méthode de Holm contrôle le risque de conclure à tort à au moins un effet. Une "
            "p-valeur ajustée inférieure à 0,05 peut être lue comme un changement net.",
            "Multiple testing: each table tests several items; Holm's adjusted p-value controls "
            "the risk of wrongly finding at least one effect. An adjusted p-value below 0.05 can "
            "be read as a clear change.",
        ),
        ctx.pick(
            "Score net de recommandation (NPS) : part des réponses 9 ou 10 moins part des "
            "réponses 0 à 6 à la question « Recommanderiez-vous la formation ? », en points, "
            "avec un intervalle à 95 % par bootstrap.",
            "Net promoter score: share of answers 9-10 minus share of answers 0-6 to “Would you "
            "recommend the training?”, in points, with a 95% bootstrap interval.",
        ),
        ctx.pick(
            f"Secret : aucun chiffre ne repose sur moins de {k} personnes. Les groupes plus "
            "petits (secteur, famille de métiers, catégorie) sont notés nd ; si un seul groupe "
            "est masqué, le plus petit des autres l'est aussi, pour qu'il ne puisse pas être "
            "retrouvé par différence avec l'ensemble. Aucune réponse individuelle ni aucun nom "
            "ne figure dans ce rapport.",
            f"Confidentiality: no figure rests on fewer than {k} persons. Smaller groups "
            "(sector, job family, category) are marked nd; if only one group is hidden, the "
            "smallest other one is too, so that it cannot be recovered from the total. No "
            "individual answer and no name appears in this report.",
        ),
    ]
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return Html(f'<section class="iaobs-annexe">{ctx.heading(2, "annexe")}{body}</section>')
