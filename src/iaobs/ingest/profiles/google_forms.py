"""The ``google-forms`` profile: Google Forms responses (the linked Google Sheet or its CSV).

* The first column is the submission time, ``Horodateur`` (French) or ``Timestamp``
  (English): it becomes ``date_reponse`` unless the form asks the date itself, converted to
  ISO ``YYYY-MM-DD hh:mm:ss`` (the English export writes ``M/D/YYYY``; the cleaner would
  read an ambiguous ``3/4/2024`` as 3 April).
* Headers are the full question text; a grid question gives ``Question [Row]`` columns.
* Checkboxes give one cell with the ticked labels joined by ``, ``. Labels may contain commas
  themselves (``Génération d'images, de vidéos ou de sons``): known labels (the dictionary's,
  and the mapping file's ``values``) are matched first, longest first, then the rest is split
  on commas.
* ``Adresse e-mail`` / ``Email Address`` (when the form collects them) is personal data and
  is dropped; a quiz ``Score`` is kept for traceability, not analysed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.ingest.headers import header_key
from iaobs.ingest.profiles.base import MappedTable
from iaobs.ingest.profiles.engine import (
    PartnerColumn,
    SystemColumns,
    assemble,
    fold_set,
    header_columns,
)
from iaobs.ingest.profiles.mapping import mapping_for
from iaobs.ingest.table import RawTable
from iaobs.study.dictionary import Dictionary, normalise_text

__all__ = ["PROFILE", "describe_columns", "looks_like", "map_google_forms", "to_iso"]

PROFILE = "google-forms"
SEPARATORS = ",;"
TIMESTAMP = fold_set(
    (
        "Horodateur",
        "Timestamp",
        "Horodatage",
        "Marca temporal",
        "Zeitstempel",
        "Carimbo de data/hora",
    )
)
PERSONAL = fold_set(
    (
        "Adresse e-mail",
        "Email Address",
        "Adresse email",
        "Nom d'utilisateur",
        "Username",
        "Adresse e-mail de l'utilisateur",
    )
)
KEPT = fold_set(("Score", "Note", "Points"))
_SLASHED = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)


def looks_like(raw: RawTable) -> bool:
    """Whether the first column is a Google Forms timestamp."""
    columns = raw.columns
    return bool(columns) and header_key(columns[0]) in TIMESTAMP


def to_iso(values: pd.Series, *, month_first: bool) -> pd.Series:
    """Slashed dates ``d/m/yyyy [h:mm:ss [AM]]`` → ISO text; other cells unchanged.

    ``month_first`` is the export's convention for an ambiguous date; a cell whose first
    number exceeds 12 is day-first whatever the convention (and the reverse).
    """

    def one(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _SLASHED.match(value.strip())
        if not match:
            return value
        a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        month, day = (a, b) if month_first else (b, a)
        if month > 12 >= day:
            month, day = day, month
        hour = int(match.group(4) or 0)
        minute = int(match.group(5) or 0)
        second = int(match.group(6) or 0)
        ampm = (match.group(7) or "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        if ampm == "am" and hour == 12:
            hour = 0
        try:
            stamp = dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            return value
        return stamp.isoformat(sep=" ")

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def month_first_in(values: pd.Series, default: bool) -> bool:
    """Whether the slashed dates of a column are written month first (``M/D/YYYY``)."""
    first = second = 0
    for value in values.dropna().head(500):
        match = _SLASHED.match(str(value).strip())
        if match:
            first = max(first, int(match.group(1)))
            second = max(second, int(match.group(2)))
    if first > 12:
        return False
    if second > 12:
        return True
    return default


def describe_columns(raw: RawTable) -> list[PartnerColumn]:
    """The question columns of a Google Forms export."""
    skip = TIMESTAMP | PERSONAL | KEPT
    return header_columns(c for c in raw.columns if header_key(c) not in skip)


def map_google_forms(
    raw: RawTable, dictionary: Dictionary, mapping: Path | None = None
) -> MappedTable:
    """Map a Google Forms export (see the module docstring for the rules)."""
    spec = mapping_for(mapping, dictionary)
    frame = raw.frame.copy()
    system = SystemColumns()
    notes: list[str] = []
    for name in raw.columns:
        key = header_key(name)
        if key in TIMESTAMP:
            english = normalise_text(name) == "timestamp"
            month_first = month_first_in(frame[name], default=english)
            frame[name] = to_iso(frame[name], month_first=month_first)
            system.targets[name] = "date_reponse"
            notes.append(
                f"« {name} » : dates lues {'mois/jour' if month_first else 'jour/mois'}/année, "
                "converties au format ISO"
            )
        elif key in PERSONAL:
            system.dropped.append(name)
        elif key in KEPT:
            system.kept.append(name)
    return assemble(
        raw,
        dictionary,
        frame,
        describe_columns(raw),
        tool="Google Forms",
        spec=spec,
        system=system,
        notes=notes,
        separators=SEPARATORS,
    )
