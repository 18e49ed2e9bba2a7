"""The lines under a report's table: Lecture, Champ, Source and Note, in this order.

Every report kind writes them the same way (labels from the text catalogue, the French colon
spacing), so that a reader finds them in the same place everywhere.
"""

from __future__ import annotations

from typing import Any

__all__ = ["note_lines"]


def note_lines(
    ctx: Any, champ: str, *, lecture: str | None = None, note: str | None = None
) -> list[str]:
    """The notes of a table: an optional Lecture, the Champ, the Source, an optional Note.

    ``ctx`` is a report context (its ``t``, ``language`` and ``source_line``).
    """
    sep = " : " if ctx.language == "fr" else ": "
    lines = []
    if lecture:
        lines.append(f"{ctx.t('lecture')}{sep}{lecture}")
    lines.append(f"{ctx.t('champ')}{sep}{champ}")
    lines.append(f"{ctx.t('source')}{sep}{ctx.source_line}")
    if note:
        lines.append(f"{ctx.t('note')}{sep}{note}")
    return lines
