"""The ``surveymonkey`` profile: SurveyMonkey exports (*All individual responses*, XLSX or CSV).

* Two header rows: the question (written once, above the first of its columns), then the
  option: ``Response`` for a single answer, ``Open-Ended Response`` for free text, the option
  label for each column of a multiple-choice question (the cell holds the label when ticked)
  or the row label of a matrix. :func:`read_surveymonkey` merges them into one header,
  ``Question`` or ``Question [Option]``; the second row is not a response and is not counted.
* ``Respondent ID`` becomes ``id_repondant`` and ``End Date`` ``date_reponse`` unless the
  survey asks them; ``Collector ID`` and ``Start Date`` are kept for traceability, not
  analysed. Dates are American (``MM/DD/YYYY hh:mm:ss AM``) and are converted to ISO before
  the cleaner, which reads an ambiguous slashed date day first.
* ``Email Address``, ``First Name``, ``Last Name``, ``IP Address`` and ``Custom Data`` are
  personal data: they are dropped and never reach processed data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from iaobs.ingest.headers import header_key
from iaobs.ingest.profiles.base import MappedTable
from iaobs.ingest.profiles.engine import (
    PartnerColumn,
    SystemColumns,
    assemble,
    bracket_parts,
    fold_set,
)
from iaobs.ingest.profiles.google_forms import month_first_in, to_iso
from iaobs.ingest.profiles.mapping import mapping_for
from iaobs.ingest.read import read_source
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary

__all__ = [
    "PROFILE",
    "describe_columns",
    "looks_like",
    "map_surveymonkey",
    "merge_header_rows",
    "read_surveymonkey",
]

PROFILE = "surveymonkey"
SEPARATORS = ";,|"
#: Second-row cells that mean "the answer itself" (not an option).
ANSWER_CELLS = fold_set(
    (
        "Response",
        "Open-Ended Response",
        "Réponse",
        "Réponse ouverte",
        "Réponse libre",
        "Respuesta",
        "Antwort",
    )
)
TARGETS = {
    header_key(w): t
    for t, words in {
        "id_repondant": ("Respondent ID", "ID du répondant", "ID répondant"),
        "date_reponse": ("End Date", "Date de fin"),
    }.items()
    for w in words
}
KEPT = fold_set(("Collector ID", "ID du collecteur", "Start Date", "Date de début"))
DATES = fold_set(("Start Date", "End Date", "Date de début", "Date de fin"))
PERSONAL = fold_set(
    (
        "Email Address",
        "Adresse e-mail",
        "Adresse email",
        "First Name",
        "Prénom",
        "Last Name",
        "Nom",
        "Nom de famille",
        "IP Address",
        "Adresse IP",
        "Custom Data",
        "Custom Data 1",
        "Données personnalisées",
        "Données personnalisées 1",
        "Custom Variable",
    )
)
_UNNAMED = "colonne_"


def _personal(key: str) -> bool:
    return key in PERSONAL or key.startswith(("custom data", "donnees personnalisees"))


def _is_subheader(row: pd.Series, columns: list[str]) -> bool:
    cells = [row[c] for c in columns]
    keys = {header_key(v) for v in cells if isinstance(v, str)}
    return bool(keys & ANSWER_CELLS)


def merge_header_rows(raw: RawTable) -> RawTable:
    """Merge SurveyMonkey's two header rows into ``Question`` / ``Question [Option]``.

    Does nothing when the first data row is not SurveyMonkey's option row.
    """
    frame = raw.frame
    columns = raw.columns
    if frame.empty or not _is_subheader(frame.iloc[0], columns):
        return raw
    sub = frame.iloc[0]
    names: list[str] = []
    question = ""
    for column in columns:
        if not column.startswith(_UNNAMED):
            question = column.rpartition(".")[0] if _dup_suffix(column) else column
        option = sub[column]
        option_text = "" if option is None else " ".join(str(option).split())
        if not option_text or header_key(option_text) in ANSWER_CELLS:
            names.append(question)
        else:
            names.append(f"{question} [{option_text}]")
    unique: list[str] = []
    for name in names:
        candidate, k = name, 2
        while candidate in unique:
            candidate = f"{name}.{k}"
            k += 1
        unique.append(candidate)
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = [*unique, *[c for c in frame.columns if c in PROVENANCE_COLUMNS]]
    notes = [n for n in raw.notes if not n.startswith("colonnes sans en-tête")]
    notes.append(
        f"export SurveyMonkey : lignes d'en-tête {raw.header_row} (questions) et "
        f"{raw.header_row + 1} (options) fusionnées"
    )
    return RawTable(
        frame=body,
        file=raw.file,
        sheet=raw.sheet,
        sha256=raw.sha256,
        header_row=raw.header_row + 1,
        blank_rows=raw.blank_rows,
        notes=notes,
    )


def _dup_suffix(column: str) -> bool:
    head, _, tail = column.rpartition(".")
    return bool(head) and tail.isdigit()


def read_surveymonkey(
    path: str | Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    max_file_mb: float = 200.0,
) -> RawTable:
    """Read a SurveyMonkey export with both header rows merged (see the module docstring)."""
    raw = read_source(path, sheet=sheet, header_row=header_row, max_file_mb=max_file_mb)
    # the question row has blank cells (one per option): the detector may have taken the
    # option row for the header
    if (
        header_row is None
        and raw.header_row > 1
        and any(header_key(c) in ANSWER_CELLS for c in raw.columns)
    ):
        raw = read_source(
            path, sheet=raw.sheet, header_row=raw.header_row - 1, max_file_mb=max_file_mb
        )
    return merge_header_rows(raw)


def looks_like(raw: RawTable) -> bool:
    """Whether the columns are those of a SurveyMonkey export."""
    keys = {header_key(c) for c in raw.columns}
    if keys & {header_key("Respondent ID"), header_key("ID du répondant")}:
        return True
    if keys & ANSWER_CELLS:
        return True
    return not raw.frame.empty and _is_subheader(raw.frame.iloc[0], raw.columns)


def describe_columns(raw: RawTable) -> list[PartnerColumn]:
    """The question columns of a SurveyMonkey export (merged headers; system columns out)."""
    out = []
    for name in raw.columns:
        key = header_key(name)
        if key in TARGETS or key in KEPT or _personal(key):
            continue
        out.append(PartnerColumn(name, (name,), bracket_parts(name)))
    return out


def map_surveymonkey(
    raw: RawTable, dictionary: Dictionary, mapping: Path | None = None
) -> MappedTable:
    """Map a SurveyMonkey export (see the module docstring for the rules)."""
    spec = mapping_for(mapping, dictionary)
    raw = merge_header_rows(raw)
    frame = raw.frame.copy()
    system = SystemColumns()
    notes: list[str] = []
    for name in raw.columns:
        key = header_key(name)
        if key in DATES:
            month_first = month_first_in(frame[name], default=True)
            frame[name] = to_iso(frame[name], month_first=month_first)
            notes.append(
                f"« {name} » : dates lues {'mois/jour' if month_first else 'jour/mois'}/année "
                "(format américain de SurveyMonkey), converties au format ISO"
            )
        if key in TARGETS:
            system.targets[name] = TARGETS[key]
        elif key in KEPT:
            system.kept.append(name)
        elif _personal(key):
            system.dropped.append(name)
    return assemble(
        raw,
        dictionary,
        frame,
        describe_columns(raw),
        tool="SurveyMonkey",
        spec=spec,
        system=system,
        notes=notes,
        separators=SEPARATORS,
    )
