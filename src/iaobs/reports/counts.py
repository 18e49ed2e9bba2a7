"""What ``quality.json`` and the rejected rows say, as tables and sentences.

Read leniently (older files may lack keys). Used by the quality report, the methodology annex
and the report tables; the functions take a report context (anything with ``quality``,
``processed_dir``, ``language``, ``pick`` and ``sector_label``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.text import number_or_none
from iaobs.core.typography import plural
from iaobs.study.store import Processed

__all__ = [
    "counted_text",
    "excluded_sentence",
    "findings_by_rule",
    "quality_counts",
    "quality_files",
    "read_csv",
    "rejects_by_reason",
]


def quality_files(ctx: Any) -> pd.DataFrame:
    """One row per source file: file, sheet, sha256, read, kept, rejected, corrected.

    Read from ``quality.json`` (a ``files`` list, or a mapping of file name to entry).
    """
    raw = ctx.quality.get("files", ctx.quality.get("items", []))
    if isinstance(raw, dict):
        raw = [
            {"file": name, **(entry if isinstance(entry, dict) else {})}
            for name, entry in raw.items()
        ]
    rows = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        corrections = entry.get("corrections", {})
        corrected = (
            sum(int(v) for v in corrections.values() if isinstance(v, int | float))
            if isinstance(corrections, dict)
            else int(corrections or 0)
        )
        rows.append(
            {
                "file": Path(str(entry.get("file", entry.get("path", "?")))).name,
                "sheet": str(entry.get("sheet") or ""),
                "sha256": str(entry.get("sha256") or ""),
                "read": int(entry.get("read", entry.get("rows_read", 0)) or 0),
                "kept": int(entry.get("kept", entry.get("rows_kept", 0)) or 0),
                "rejected": int(entry.get("rejected", entry.get("rows_rejected", 0)) or 0),
                "out_of_scope": int(entry.get("out_of_scope", 0) or 0),
                "corrected": corrected,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "file",
            "sheet",
            "sha256",
            "read",
            "kept",
            "rejected",
            "out_of_scope",
            "corrected",
        ],
    )


def quality_counts(ctx: Any, key: str) -> pd.DataFrame:
    """Counts by rule per file (``key`` is ``corrections`` or ``findings`` of quality.json)."""
    raw = ctx.quality.get("files", [])
    if isinstance(raw, dict):
        raw = [{"file": name, **entry} for name, entry in raw.items() if isinstance(entry, dict)]
    rows = []
    for entry in raw if isinstance(raw, list) else []:
        counts = entry.get(key, {}) if isinstance(entry, dict) else {}
        if not isinstance(counts, dict):
            continue
        for rule, count in counts.items():
            if isinstance(count, dict):  # {severity: count} or {"count": n}
                count = count.get(
                    "count",
                    count.get("n", sum(v for v in count.values() if isinstance(v, int | float))),
                )
            rows.append(
                {
                    "file": Path(str(entry.get("file", "?"))).name,
                    "rule": str(rule),
                    "count": int(count or 0),
                }
            )
    return pd.DataFrame(rows, columns=["file", "rule", "count"])


def counted_text(ctx: Any, files: pd.DataFrame) -> str:
    """``2 fichiers reçus, 125 lignes lues : 100 retenues, 15 rejetées, 10 hors champ``."""
    fr = ctx.language != "en"
    n_files, read = len(files), int(files["read"].sum())
    kept, rejected = int(files["kept"].sum()), int(files["rejected"].sum())
    out = int(files["out_of_scope"].sum())
    num = functools.partial(tx.format_number, language=ctx.language)
    if fr:
        text = (
            f"{plural(n_files, 'fichier reçu', 'fichiers reçus')}, "
            f"{plural(read, 'ligne lue', 'lignes lues')} : "
            f"{num(kept)} retenue{'s' if kept > 1 else ''}, "
            f"{num(rejected)} rejetée{'s' if rejected > 1 else ''}"
        )
        return text + (f", {num(out)} hors champ" if out else "")
    text = (
        f"{plural(n_files, 'file', language='en')} received, "
        f"{plural(read, 'row', language='en')} read: {num(kept)} kept, {num(rejected)} rejected"
    )
    return text + (f", {num(out)} out of scope" if out else "")


def excluded_sentence(ctx: Any, excluded: list[Any]) -> str:
    """The sectors of the population with no respondent, named, with their firms."""
    named = []
    for group in excluded:
        if not isinstance(group, dict) or "secteur" not in group:
            continue
        firms = tx.format_number(
            number_or_none(group.get("population")) or 0, language=ctx.language
        )
        noun = (
            ctx.pick("entreprise", "company")
            if firms in ("0", "1")
            else ctx.pick("entreprises", "companies")
        )
        named.append(f"{ctx.sector_label(str(group['secteur']))} ({firms} {noun})")
    if not named:
        return ""
    many = len(named) > 1
    return ctx.pick(
        ("Secteurs" if many else "Secteur")
        + " de la population sans aucun répondant, donc hors du champ des estimations : "
        + " ; ".join(named)
        + ".",
        ("Sectors" if many else "Sector")
        + " of the population with no respondent, hence outside the estimates: "
        + "; ".join(named)
        + ".",
    )


def read_csv(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


def rejects_by_reason(ctx: Any) -> pd.DataFrame:
    """Rejected rows counted by main reason (the first of a row's rules) and file, from
    ``rejects.csv``; no values. Each row counts once: the counts sum to the rows rejected."""
    rejects = read_csv(Processed(ctx.processed_dir).rejects)
    rows: list[dict[str, Any]] = []
    if rejects is not None and len(rejects):
        file_col = next((c for c in ("_source_file", "file") if c in rejects.columns), None)
        reason_col = next((c for c in ("rules", "rule", "reasons") if c in rejects.columns), None)
        if reason_col is not None:
            for _, r in rejects.iterrows():
                file = str(r[file_col]).replace("\\", "/").rsplit("/", 1)[-1] if file_col else "?"
                parts = str(r[reason_col]).replace(",", ";").split(";")
                rule = next((p.split(":", 1)[0].strip() for p in parts if p.strip()), "")
                if rule:
                    rows.append({"file": file, "rule": rule})
    frame = pd.DataFrame(rows, columns=["file", "rule"])
    return (
        frame.groupby(["file", "rule"]).size().reset_index(name="count")
        if len(frame)
        else pd.DataFrame(columns=["file", "rule", "count"])
    )


def findings_by_rule(ctx: Any) -> pd.DataFrame:
    """Findings counted by rule, severity and file (``findings.csv`` or ``quality.json``)."""
    findings = read_csv(Processed(ctx.processed_dir).findings)
    if findings is not None and "rule" in findings.columns:
        file_col = next((c for c in ("file", "_source_file") if c in findings.columns), None)
        frame = pd.DataFrame(
            {
                "file": findings[file_col].str.replace("\\", "/").str.rsplit("/", n=1).str[-1]
                if file_col
                else "?",
                "rule": findings["rule"],
                "severity": findings["severity"] if "severity" in findings.columns else "",
            }
        )
        return frame.groupby(["file", "rule", "severity"]).size().reset_index(name="count")
    counts = quality_counts(ctx, "findings")
    counts["severity"] = ""
    return counts.loc[:, ["file", "rule", "severity", "count"]]
