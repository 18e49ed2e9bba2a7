"""The outcome of cleaning: rows kept, rejected with their reasons, or out of the field.

:class:`CleanResult` holds the three and the counts; rows read = kept + rejected + out of
scope always holds (:func:`finish_quality`). A rejected row keeps its provenance, its reasons
and its non-confidential cells as read; a duplicate response moves to the rejects naming the
row kept (:func:`resolve_result_duplicates`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.prepare.columns import CleanContext, map_unique
from iaobs.prepare.privacy import (
    confidential_columns,
    resolve_duplicates,
)
from iaobs.prepare.validate import (
    BLOCKING,
    WARNING,
    FindingCollector,
    empty_findings,
    findings_summary,
    ordered_rules,
)
from iaobs.prepare.values import (
    _as_text,
    _is_blank,
)
from iaobs.study.dictionary import Dictionary

__all__ = [
    "PROVENANCE",
    "CleanResult",
    "empty_result",
    "finish_quality",
    "rejected_counts",
    "resolve_result_duplicates",
    "split_rows",
]

PROVENANCE = ["_source_file", "_source_sheet", "_source_row"]


@dataclass
class CleanResult:
    """The outcome of cleaning: what is kept, what is rejected and why, and the counts.

    Attributes
    ----------
    responses
        Accepted rows: the dictionary's non-confidential columns (stored as in
        :mod:`iaobs.study.dictionary`) plus ``_source_file``, ``_source_sheet``, ``_source_row``.
    rejects
        Rejected source rows: provenance, ``reasons`` (French or English text), ``rules``
        (rule codes joined by ``,``) and the non-confidential cells as read (text).
    findings
        The findings table (see :mod:`iaobs.prepare.validate`).
    quality
        ``read``, ``kept``, ``rejected``, ``corrections`` {rule: cells},
        ``findings`` {rule: {severity: n}}, ``rejected_by_rule`` {rule: rows}.
    """

    responses: pd.DataFrame
    rejects: pd.DataFrame
    findings: pd.DataFrame
    quality: dict[str, Any] = field(default_factory=dict)


def split_rows(
    ctx: CleanContext,
    responses: pd.DataFrame,
    prov: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    no_answer: np.ndarray,
    out_of_scope: np.ndarray,
) -> CleanResult:
    """Kept rows, rejected rows (a blocking finding, or no answer at all) and rows out of
    the study's field (neither: counted apart, their findings dropped)."""
    n = len(responses)
    if no_answer.any():  # a note or total line: one finding says it all
        noise = no_answer[findings["_pos"].to_numpy()] & (findings["rule"] != "ligne_sans_reponse")
        findings = findings[~noise.to_numpy()].reset_index(drop=True)
    if out_of_scope.any():
        findings = findings[~out_of_scope[findings["_pos"].to_numpy()]].reset_index(drop=True)
    blocked = np.zeros(n, dtype=bool)
    if not findings.empty:
        blocked[findings.loc[findings["severity"] == BLOCKING, "_pos"].to_numpy()] = True
    blocked = (blocked | no_answer) & ~out_of_scope
    keep = ~blocked & ~out_of_scope
    rejects = _rejects(ctx.frame, prov, findings, blocked, ctx.dictionary)
    kept = pd.concat(
        [responses[keep].reset_index(drop=True), prov[keep].reset_index(drop=True)], axis=1
    )
    return CleanResult(
        responses=kept,
        rejects=rejects,
        findings=findings.drop(columns="_pos"),
        quality={
            "read": n,
            "out_of_scope": int(out_of_scope.sum()),
            "corrections": {k: v for k, v in sorted(ctx.corrections.items()) if v},
        },
    )


def _rejects(
    frame: pd.DataFrame,
    prov: pd.DataFrame,
    findings: pd.DataFrame,
    blocked: np.ndarray,
    dictionary: Dictionary,
) -> pd.DataFrame:
    positions = np.flatnonzero(blocked)
    out = prov.iloc[positions].reset_index(drop=True)
    blocking = findings[findings["severity"] == BLOCKING]
    if len(positions):
        grouped = blocking.groupby("_pos", sort=False)
        reasons = grouped["message"].agg(" | ".join)
        rules = grouped["rule"].agg(lambda s: ",".join(ordered_rules(s)))
        out["reasons"] = reasons.reindex(positions).fillna("").to_numpy()
        out["rules"] = rules.reindex(positions).fillna("").to_numpy()
    else:
        out["reasons"] = pd.Series(dtype="object")
        out["rules"] = pd.Series(dtype="object")
    confidential = set(confidential_columns(dictionary))
    allowed = set(dictionary.columns()) | {v.name for v in dictionary if v.type == "multi"}
    for column in frame.columns:
        if column in allowed and column not in confidential:
            sub = frame[column].iloc[positions].reset_index(drop=True)
            out[column] = map_unique(sub, _cell_text, "")
    return out


def _cell_text(value: object) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return str(value)
    return _as_text(value)


def resolve_result_duplicates(
    result: CleanResult, dictionary: Dictionary, *, language: str = "fr"
) -> CleanResult:
    """Keep one response per company (or per participant and wave) in ``result``.

    The rows dropped move to ``rejects`` (rule ``doublon``, naming the file and row kept) and
    each gets a ``doublon`` finding. See :mod:`iaobs.prepare.privacy` for the rule.
    """
    responses = result.responses
    if "id_participant" in dictionary:
        keys, date = ["id_participant", "vague"], "date_passation"
    else:
        keys, date = ["id_repondant"], "date_reponse"
    if responses.empty or not all(k in responses for k in keys):
        return result
    kept, dropped = resolve_duplicates(responses, keys, date_column=date)
    if dropped.empty:
        return result
    template = "{file}, ligne {row}" if language == "fr" else "{file}, row {row}"
    kept_text = [
        template.format(file=Path(str(f)).name, row=r)
        for f, r in zip(dropped["_kept_file"], dropped["_kept_row"], strict=True)
    ]
    collector = FindingCollector(dictionary, language)
    collector.add(np.arange(len(dropped)), keys[0], None, "doublon", WARNING, kept=kept_text)
    new_findings = collector.frame(dropped[PROVENANCE].reset_index(drop=True)).drop(columns="_pos")
    new_findings["value"] = ""
    rejects = dropped[PROVENANCE].reset_index(drop=True).copy()
    rejects["reasons"] = new_findings["message"].to_numpy()
    rejects["rules"] = "doublon"
    extra = dropped.drop(columns=[*PROVENANCE, "_kept_file", "_kept_row"]).reset_index(drop=True)
    extra = extra.drop(columns=[c for c in extra.columns if c == "id_repondant"])
    cells = {c: map_unique(extra[c].astype("object"), _cell_text, "") for c in extra.columns}
    rejects = pd.concat([rejects, pd.DataFrame(cells, dtype=object)], axis=1)
    all_rejects = (
        pd.concat([result.rejects, rejects], ignore_index=True)
        if not result.rejects.empty
        else rejects
    )
    findings = (
        pd.concat([result.findings, new_findings], ignore_index=True)
        if not result.findings.empty
        else new_findings
    )
    return CleanResult(
        responses=kept.reset_index(drop=True),
        rejects=all_rejects,
        findings=findings,
        quality=result.quality,
    )


def rejected_counts(rejects: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    """Rejected rows per rule (a row with two rules counts under each) and per main rule
    (each row once, under the first of its rules: these sum to the rows rejected)."""
    by_rule: Counter[str] = Counter()
    by_main: Counter[str] = Counter()
    if not rejects.empty and "rules" in rejects:
        for rules in rejects["rules"]:
            found = [r for r in str(rules).split(",") if r]
            by_rule.update(dict.fromkeys(found, 1))
            if found:
                by_main[found[0]] += 1
    return dict(sorted(by_rule.items())), dict(sorted(by_main.items()))


def finish_quality(result: CleanResult) -> None:
    quality = result.quality
    quality["kept"] = len(result.responses)
    quality["rejected"] = len(result.rejects)
    quality.setdefault("out_of_scope", 0)
    quality["findings"] = findings_summary(result.findings)
    quality["rejected_by_rule"], quality["rejected_by_main_rule"] = rejected_counts(result.rejects)
    accounted = quality["kept"] + quality["rejected"] + quality["out_of_scope"]
    read = quality.get("read", accounted)
    if read != accounted:  # pragma: no cover - invariant
        raise AssertionError(
            f"lignes lues ({read}) ≠ retenues ({quality['kept']}) + rejetées "
            f"({quality['rejected']}) + hors champ ({quality['out_of_scope']})"
        )


def empty_result() -> CleanResult:
    """A result with no rows (used when every source fails)."""
    return CleanResult(
        pd.DataFrame(), pd.DataFrame(), empty_findings(), {"read": 0, "out_of_scope": 0}
    )
