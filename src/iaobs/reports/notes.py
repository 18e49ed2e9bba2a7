"""The lines under a report's table: Lecture, Champ, Source and Note, in this order.

Every report kind writes them the same way (labels from the text catalogue, the French colon
spacing), so that a reader finds them in the same place everywhere.
"""

from __future__ import annotations

from typing import Any

__all__ = ["champ_source", "note_lines"]


def note_lines(
    ctx: Any, champ: str | None, *, lecture: str | None = None, note: str | None = None
) -> list[str]:
    """The notes of a table: an optional Lecture, the Champ, the Source, an optional Note.

    ``ctx`` is a report context (its ``t``, ``language`` and ``source_line``). ``champ``
    ``None``: a short report that states its one Champ and Source once, at its head (see
    :func:`champ_source`), gives neither line under each table.
    """
    sep = " : " if ctx.language == "fr" else ": "
    lines = []
    if lecture:
        lines.append(f"{ctx.t('lecture')}{sep}{lecture}")
    if champ is not None:
        lines.append(f"{ctx.t('champ')}{sep}{champ}")
        lines.append(f"{ctx.t('source')}{sep}{ctx.source_line}")
    if note:
        lines.append(f"{ctx.t('note')}{sep}{note}")
    return lines


def champ_source(ctx: Any, champ: str) -> list[str]:
    """The Champ and Source lines a short report states once for all its figures and tables."""
    sep = " : " if ctx.language == "fr" else ": "
    return [f"{ctx.t('champ')}{sep}{champ}", f"{ctx.t('source')}{sep}{ctx.source_line}"]
