"""Rows a survey-tool profile rejects (responses never submitted), moved to the rejects.

A profile marks such rows in :data:`~iaobs.ingest.profiles.base.PROFILE_REJECT_COLUMN`; after
cleaning, :func:`apply_profile_rejects` moves them from the responses to the rejects with their
reason and one blocking finding each, so that rows read = kept + rejected still holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from iaobs.ingest.profiles.base import PROFILE_REJECT_COLUMN
from iaobs.ingest.profiles.engine import is_blank
from iaobs.ingest.table import PROVENANCE_COLUMNS
from iaobs.prepare.rejects import CleanResult, rejected_counts
from iaobs.prepare.validate import BLOCKING, FINDING_COLUMNS, findings_summary

__all__ = ["apply_profile_rejects"]

_INCOMPLETE_MESSAGE = {
    "fr": "réponse non envoyée (questionnaire abandonné avant la fin : pas de date de soumission)",
    "en": "response never submitted (questionnaire abandoned: no submission date)",
}


def _incomplete_finding(
    key: tuple[str, str, int], row: pd.Series, rule: str, message: str
) -> dict[str, Any]:
    return {
        "file": key[0],
        "sheet": row.get("_source_sheet"),
        "row": key[2],
        "column": "statut_reponse",
        "value": "partiel",
        "rule": rule,
        "severity": BLOCKING,
        "message": message,
    }


def apply_profile_rejects(
    result: CleanResult, mapped: pd.DataFrame, *, language: str = "fr"
) -> CleanResult:
    """Move the rows a profile marked in :data:`PROFILE_REJECT_COLUMN` to the rejects.

    Parameters
    ----------
    result
        The result of cleaning ``mapped``.
    mapped
        The frame given to the cleaner (same provenance columns).
    language
        ``fr`` or ``en``: language of the reasons and findings.

    Returns
    -------
    CleanResult
        Rows read = kept + rejected still holds: marked rows leave ``responses`` for
        ``rejects`` (rule ``reponse_incomplete``, one blocking finding each); a marked row
        the cleaner already rejected gets the reason added.
    """
    if PROFILE_REJECT_COLUMN not in mapped.columns:
        return result
    marks = mapped[PROFILE_REJECT_COLUMN].astype(object)
    marked = mapped.loc[marks.map(lambda v: not is_blank(v)).to_numpy()]
    if marked.empty:
        return result

    def keys(frame: pd.DataFrame) -> list[tuple[str, str, int]]:
        sheets = (
            frame["_source_sheet"] if "_source_sheet" in frame else pd.Series([None] * len(frame))
        )
        return [
            (str(f), "" if is_blank(s) else str(s), int(r))
            for f, s, r in zip(frame["_source_file"], sheets, frame["_source_row"], strict=True)
        ]

    rule_of = dict(zip(keys(marked), marked[PROFILE_REJECT_COLUMN].astype(str), strict=True))
    message = _INCOMPLETE_MESSAGE.get(language, _INCOMPLETE_MESSAGE["fr"])
    responses = result.responses
    rejects = result.rejects.copy()
    new_rejects: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    moving = np.zeros(len(responses), dtype=bool)
    if not responses.empty and "_source_row" in responses:
        moving = np.array([k in rule_of for k in keys(responses)], dtype=bool)
    already = np.zeros(len(rejects), dtype=bool)
    if not rejects.empty and "_source_row" in rejects:
        already = np.array([k in rule_of for k in keys(rejects)], dtype=bool)
        for i in np.flatnonzero(already):
            # a response never submitted is that, whatever else is missing from it: one
            # reason, one finding (its other findings are consequences, like a note row's)
            key = keys(rejects.iloc[[i]])[0]
            rule = rule_of[key]
            rejects.iat[i, rejects.columns.get_loc("rules")] = rule
            rejects.iat[i, rejects.columns.get_loc("reasons")] = message
            findings.append(_incomplete_finding(key, rejects.iloc[i], rule, message))
    if moving.any():
        source = responses.loc[moving]
        by_key = {k: i for i, k in enumerate(keys(mapped))}
        allowed = (
            [c for c in rejects.columns if c not in PROVENANCE_COLUMNS] if not rejects.empty else []
        )
        for key in keys(source):
            row = mapped.iloc[by_key[key]]
            record: dict[str, Any] = {
                "_source_file": key[0],
                "_source_sheet": row.get("_source_sheet"),
                "_source_row": key[2],
                "reasons": message,
                "rules": rule_of[key],
            }
            for column in allowed:
                if column not in record and column in mapped.columns:
                    value = row[column]
                    record[column] = "" if is_blank(value) else str(value)
            new_rejects.append(record)
            findings.append(_incomplete_finding(key, row, rule_of[key], message))
    if not already.any() and not moving.any():
        return result
    if new_rejects:
        added = pd.DataFrame(new_rejects)
        rejects = added if rejects.empty else pd.concat([rejects, added], ignore_index=True)
    found = result.findings
    if already.any() and not found.empty:
        superseded = {(k[0], k[2]) for k in rule_of}
        rows = pd.to_numeric(found["row"], errors="coerce")
        drop = [
            (str(f), int(r)) in superseded if pd.notna(r) else False
            for f, r in zip(found["file"], rows, strict=True)
        ]
        found = found.loc[~np.asarray(drop, dtype=bool)].reset_index(drop=True)
    if findings:
        extra = pd.DataFrame(findings, columns=FINDING_COLUMNS)
        found = extra if found.empty else pd.concat([found, extra], ignore_index=True)
    kept = responses.loc[~moving].reset_index(drop=True)
    quality = dict(result.quality)
    quality["kept"] = len(kept)
    quality["rejected"] = len(rejects)
    quality["findings"] = findings_summary(found)
    quality["rejected_by_rule"], quality["rejected_by_main_rule"] = rejected_counts(rejects)
    return CleanResult(responses=kept, rejects=rejects, findings=found, quality=quality)
