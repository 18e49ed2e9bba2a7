"""The ``template`` profile: headers written as variable names or labels.

This profile reads the Excel input template (``iaobs template``) and any spreadsheet whose
header cells are, for each column, one of (compared without accents, case, spaces or
punctuation, see :func:`header_key`):

* a variable name (``ia_stade``) or a cleaned column name (``techno__analyse_texte``);
* the French or English label of a variable (``Stade d'adoption de l'IA``); for a ``multi``
  variable this is the variable answered in one cell (``techno``, values joined by ``;``);
* ``Variable label : option label`` (also ``-`` or ``[option label]``) for a multi option or a
  matrix item, or the option or item label alone when no other column has the same label;
* a few common synonyms (``SIREN``, ``Code APE``, ``Nombre de salariés``, ``Dept``,
  ``Courriel``, ``Nom de l'entreprise``, ``Identifiant``…).

Exact names win over labels, labels over synonyms, synonyms over bare option labels.
"""

from __future__ import annotations

from pathlib import Path

from iaobs.ingest.headers import recognise_header
from iaobs.ingest.profiles.base import MappedTable
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary

__all__ = ["map_spreadsheet", "map_template"]


def map_template(raw: RawTable, dictionary: Dictionary, mapping: Path | None = None) -> MappedTable:
    """Map a raw table whose headers are variable names or labels (the ``template`` profile).

    ``mapping`` is not used by this profile.
    """
    notes: list[str] = []
    renamed: dict[str, str] = {}
    rename: dict[str, str] = {}
    unmapped: list[str] = []
    taken: dict[str, str] = {}
    existing = set(raw.frame.columns)
    for header in raw.frame.columns:
        if header in PROVENANCE_COLUMNS:
            continue
        target = recognise_header(header, dictionary)
        if target is None:
            unmapped.append(header)
            continue
        if target in taken:
            new = f"{target}.doublon"
            k = 2
            while new in existing or new in rename.values():
                new = f"{target}.doublon{k}"
                k += 1
            rename[header] = new
            unmapped.append(new)
            notes.append(
                f"colonnes « {taken[target]} » et « {header} » pour la même variable "
                f"« {target} » : la première est gardée, la seconde renommée « {new} »"
            )
            continue
        taken[target] = header
        renamed[header] = target
        if header != target:
            rename[header] = target
    frame = raw.frame.rename(columns=rename)
    if unmapped:
        notes.append("colonnes non reconnues, gardées telles quelles : " + ", ".join(unmapped))
    return MappedTable(frame=frame, unmapped=unmapped, renamed=renamed, raw=raw, notes=notes)


def map_spreadsheet(
    raw: RawTable, dictionary: Dictionary, mapping: Path | None = None
) -> MappedTable:
    """A plain CSV or spreadsheet of any tool (the ``tableur`` profile): read with generic
    header detection, its columns recognised as by :func:`map_template`; the others are left
    to a mapping file (``iaobs map suggest`` drafts it)."""
    return map_template(raw, dictionary, mapping)
