"""The raw table: one sheet or CSV file as read, each row with where it comes from.

Cells are normalised here (:func:`cell_value`: text stripped, missing markers → ``None``, whole
floats → ``int``) and :func:`make_table` turns data columns under a header into a
:class:`RawTable` (unnamed columns named or dropped, duplicate headers made unique, the
provenance columns added).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MISSING_MARKERS",
    "PROVENANCE_COLUMNS",
    "RawTable",
    "cell_value",
    "header_name",
    "make_table",
    "row_is_blank",
]

PROVENANCE_COLUMNS = ("_source_file", "_source_sheet", "_source_row")
#: Cell texts read as a missing value (compared after stripping, case-insensitively).
MISSING_MARKERS = frozenset({"*", "na", "n/a", "#n/a"})


@dataclass
class RawTable:
    """One sheet (or CSV file) as read, with where each row comes from.

    Attributes
    ----------
    frame
        One row per non-blank data row; cells as read (``str``, ``int``, ``float``, ``bool``,
        ``datetime``/``date``/``time``, ``None``); columns = header cells as written (stripped,
        made unique); plus the provenance columns ``_source_file`` (file name),
        ``_source_sheet`` (``None`` for CSV) and ``_source_row`` (1-based row number shown by
        Excel; for a CSV file, the row a spreadsheet shows: the record's rank, a line break inside a quoted cell not counted).
    file
        Path of the file read.
    sheet
        Sheet read, ``None`` for CSV.
    sha256
        SHA-256 of the file's bytes (hex).
    header_row
        1-based row (CSV: line) of the header.
    blank_rows
        Entirely blank rows skipped below the header (not counted as rows read).
    notes
        What the reader decided (sheet, header row, encoding, separator…), in French.
    """

    frame: pd.DataFrame
    file: Path
    sheet: str | None
    sha256: str
    header_row: int
    blank_rows: int
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The data columns (header cells), without the provenance columns."""
        return [c for c in self.frame.columns if c not in PROVENANCE_COLUMNS]


def cell_value(value: Any) -> Any:
    """Normalise one cell: strip text, missing markers → None, whole floats → int."""
    cls = value.__class__
    if cls is str:
        text = value.strip()
        if not text or (len(text) <= 4 and text.lower() in MISSING_MARKERS):
            return None
        return text
    if cls is float:
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        return value
    return value


def row_is_blank(raw: Iterable[Any]) -> bool:
    for value in raw:
        if value is None:
            continue
        if isinstance(value, str):
            if value.strip():
                return False
            continue
        return False
    return True


def header_name(value: Any) -> str | None:
    value = cell_value(value) if not isinstance(value, str) else (value.strip() or None)
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).split())


def make_table(
    path: Path,
    sheet: str | None,
    digest: str,
    names: list[str | None],
    columns: Sequence[Any],
    numbers: Sequence[int] | np.ndarray,
    blank: int,
    header_number: int,
    notes: list[str],
) -> RawTable:
    """The :class:`RawTable` of data ``columns`` (cells normalised) under the header ``names``."""
    width = len(columns)
    n_rows = len(numbers)
    if width > len(names):
        names = names + [None] * (width - len(names))
    # columns without a header: kept as colonne_N when they hold data, dropped otherwise
    keep: list[int] = []
    final: list[str] = []
    unnamed: list[str] = []
    for j, name in enumerate(names):
        if name is None:
            if j >= width or not any(v is not None for v in columns[j]):
                continue
            name = f"colonne_{j + 1}"
            unnamed.append(name)
        keep.append(j)
        final.append(name)
    if unnamed:
        notes.append(
            "colonnes sans en-tête (cellules fusionnées ?) nommées : " + ", ".join(unnamed)
        )
    final = _unique(final, notes)
    for reserved in PROVENANCE_COLUMNS:
        if reserved in final:
            final[final.index(reserved)] = f"{reserved}.original"
    data = {
        k: (
            pd.Series(columns[j], dtype=object)
            if j < width
            else pd.Series([None] * n_rows, dtype=object)
        )
        for k, j in enumerate(keep)
    }
    frame = pd.DataFrame(data) if data else pd.DataFrame(index=pd.RangeIndex(n_rows))
    frame.columns = pd.Index(final)
    frame["_source_file"] = path.name
    frame["_source_sheet"] = pd.Series([sheet] * n_rows, dtype=object)
    frame["_source_row"] = pd.Series(np.asarray(numbers, dtype=np.int64), dtype="int64")
    frame.index = pd.RangeIndex(n_rows)
    if not n_rows:
        notes.append("aucune ligne de données sous l'en-tête (0 ligne lue)")
    if blank:
        notes.append(f"{blank} ligne(s) vide(s) ignorée(s) sous l'en-tête")
    return RawTable(
        frame=frame,
        file=path,
        sheet=sheet,
        sha256=digest,
        header_row=header_number,
        blank_rows=blank,
        notes=notes,
    )


def _unique(names: list[str], notes: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    taken = set(names)
    out: list[str] = []
    renamed: list[str] = []
    for name in names:
        seen[name] += 1
        if seen[name] == 1:
            out.append(name)
            continue
        k = seen[name]
        candidate = f"{name}.{k}"
        while candidate in taken:
            k += 1
            candidate = f"{name}.{k}"
        taken.add(candidate)
        out.append(candidate)
        renamed.append(f"« {name} » → « {candidate} »")
    if renamed:
        notes.append("en-têtes en double renommés : " + ", ".join(renamed))
    return out
