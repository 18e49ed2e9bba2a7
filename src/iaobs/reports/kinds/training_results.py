"""The results of the pilot training's assessment, as tidy frames of floats (formatting happens
at display): answers paired between waves, the paired tests of every compared answer with
Holm-adjusted p-values, attrition between waves and results by group.

Each participant answers the same questionnaire (``formation.yaml``) at T0 (before), T1 (end of
training) and T2 (three months later). A comparison T0 → T1 or T0 → T2 uses only the
participants present at both waves (*paired*): each person is compared with themself. The
tests are those of :mod:`iaobs.stats.paired`, all unweighted (the pilot is exhaustive).

Secrecy: persons, not firms — no number rests on fewer than ``min_persons`` (11) participants;
a breakdown group below it is not shown (``nd``), and when a single group would be hidden, the
next smallest is hidden too so that it cannot be recovered by subtraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.errors import InputError
from iaobs.stats.paired import BOOTSTRAP_RESAMPLES, mcnemar_paired, wilcoxon_paired
from iaobs.stats.tests import holm_adjust
from iaobs.study.store import Processed

__all__ = [
    "BREAKDOWNS",
    "OPINION_ITEMS",
    "WAVES",
    "answer_values",
    "attrition",
    "breakdown",
    "holm",
    "item_ranks",
    "load_formation",
    "mcnemar_table",
    "paired_table",
    "paired_values",
    "with_derived",
]

WAVES = ("T0", "T1", "T2")
#: the scales whose first level is the most favourable: ranks are reversed
_REVERSED_SCALES = frozenset({"accord"})
OPINION_ITEMS = ("opinion_confiance", "opinion_inquietude", "opinion_utilite")
BREAKDOWNS = ("secteur", "famille_metier", "statut")


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (family-wise error), NaN kept in place and left out."""
    return [float(p) for p in holm_adjust([float(p) for p in p_values])]


def item_ranks(variable: Any) -> dict[str, int]:
    """Ranks 1…k of the substantive codes of an ordinal variable, from low to high.

    The ``accord`` scale lists "Tout à fait d'accord" first; its ranks are reversed so that
    5 means strongly agree. Missing codes (NSP) have no rank.
    """
    codes = list(variable.codes)
    if variable.scale in _REVERSED_SCALES:
        codes = codes[::-1]
    return {code: i + 1 for i, code in enumerate(codes)}


def answer_values(series: pd.Series, variable: Any | None) -> pd.Series:
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
    values = answer_values(formation[column], variable)
    ids = formation["id_participant"].astype("string")
    a = pd.Series(values[waves == before].to_numpy(), index=ids[waves == before].to_numpy())
    b = pd.Series(values[waves == after].to_numpy(), index=ids[waves == after].to_numpy())
    a = a[~a.index.duplicated()]
    b = b[~b.index.duplicated()]
    both = pd.DataFrame({"before": a}).join(pd.DataFrame({"after": b}), how="inner").dropna()
    both.index.name = "id_participant"
    return both


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
        ranks = pd.concat([answer_values(frame[c], matrix) for c in items], axis=1)
        frame["auto_eval_moyenne"] = ranks.mean(axis=1, skipna=True)
    freq = dictionary["freq_usage_ia"]
    ranks_f = answer_values(frame["freq_usage_ia"], freq)
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
        elif any(0 < result[k] < min_persons for k in ("gained", "lost")):
            # fewer than min_persons changed one way: their number would follow from the
            # change (n × (after − before) = gained − lost) or from the test (its p-value gives
            # gained + lost), so the change, its interval, the test and both counts are secret
            # (the shares before and after, on n persons, give only gained − lost)
            for key in ("gained", "lost", "diff", "diff_low", "diff_high", "statistic", "p_value"):
                result[key] = math.nan
            result["flag"] = "s"
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
        seen = ["t1", "t2", "t0_t1", "t0_t2", "t0_t1_t2"]
        table = _protect_groups(table, "t0", min_persons, seen)
    numeric = [c for c in table.columns if c not in ("group", "flag")]
    table[numeric] = table[numeric].astype(float)
    table.loc[table["flag"] == "nd", numeric] = math.nan
    return table


def _protect_groups(
    table: pd.DataFrame, size: str, min_persons: int, counts: Sequence[str] = ()
) -> pd.DataFrame:
    """Flag groups below ``min_persons``, then hide the next smallest groups while the hidden
    ones could be worked out from the total: while one group alone is hidden, or the hidden
    groups together hold fewer than ``min_persons`` persons in ``size`` or any of ``counts``
    (the total minus the published groups gives that number)."""
    table = table.copy()
    table["flag"] = np.where(table[size] < min_persons, "nd", "")
    columns = [size, *counts]
    while True:
        hidden = table["flag"] == "nd"
        if not hidden.any() or hidden.all():
            return table
        held = table.loc[hidden, columns].astype(float).sum()
        if hidden.sum() > 1 and not ((held > 0) & (held < min_persons)).any():
            return table
        smallest = table.loc[~hidden, size].astype(float).idxmin()
        table.loc[smallest, "flag"] = "nd"


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
