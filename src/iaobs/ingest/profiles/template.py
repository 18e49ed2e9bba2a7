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

import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from iaobs.ingest.profiles import MappedTable, register_profile
from iaobs.ingest.read import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary, normalise_text

__all__ = [
    "SYNONYMS",
    "header_index",
    "header_key",
    "map_spreadsheet",
    "map_template",
    "recognise_header",
]

#: Common header spellings of identification variables (keys are compared with header_key).
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "id_repondant": (
        "ID",
        "Identifiant",
        "Id répondant",
        "N° de réponse",
        "Response ID",
        "Respondent ID",
        "Company ID",
        "Identifiant entreprise",
    ),
    "siren": ("SIREN", "N° SIREN", "Numéro SIREN", "Siren de l'entreprise"),
    "raison_sociale": (
        "Raison sociale",
        "Nom de l'entreprise",
        "Nom entreprise",
        "Entreprise",
        "Dénomination",
        "Company",
    ),
    "email_contact": ("E-mail", "Email", "Courriel", "Mail", "Adresse e-mail", "Adresse mail"),
    "naf_code": ("Code NAF", "NAF", "APE", "Code APE", "Code NAF/APE", "NAF/APE", "Code APE/NAF"),
    "effectif": ("Effectif", "Effectifs", "Nombre de salariés", "Nb salariés", "Salariés"),
    "departement": ("Département", "Dept", "Dépt", "Dep", "Code département"),
    "date_reponse": ("Date de réponse", "Date réponse"),
}

_PUNCTUATION = re.compile(r"[^0-9a-z]+")


def header_key(text: object) -> str:
    """Fold a header for matching: :func:`normalise_text`, then punctuation → single spaces.

    ``"Stade d’adoption de l’IA"``, ``"stade_d_adoption_de_l_ia"`` and
    ``"STADE D'ADOPTION DE L'IA "`` give the same key.
    """
    return _PUNCTUATION.sub(" ", normalise_text(text)).strip()


def header_index(dictionary: Dictionary) -> dict[str, str]:
    """Header key → dictionary column, for every header this profile recognises.

    Keys claimed by two different columns at the same priority are left out (ambiguous).
    The index is computed once per dictionary object.
    """
    cached = _INDEXES.get(id(dictionary))
    if cached is not None and cached[0] is dictionary:
        return cached[1]
    index = _build_index(dictionary)
    _INDEXES[id(dictionary)] = (dictionary, index)
    return index


_INDEXES: dict[int, tuple[Dictionary, dict[str, str]]] = {}


def _build_index(dictionary: Dictionary) -> dict[str, str]:
    layers: list[dict[str, set[str]]] = [defaultdict(set) for _ in range(4)]
    names, labels, synonyms, bare = layers
    for var in dictionary:
        names[header_key(var.name)].add(var.name)
        for column in var.columns():
            names[header_key(column)].add(column)
        var_labels = {var.label.fr, var.label.en}
        for label in var_labels:
            labels[header_key(label)].add(var.name)
        subs = {**var.options, **var.items}
        for code, sub_label in subs.items():
            column = f"{var.name}__{code}"
            for label in var_labels:
                for sub in {sub_label.fr, sub_label.en}:
                    labels[header_key(f"{label} {sub}")].add(column)
            for sub in {sub_label.fr, sub_label.en}:
                bare[header_key(sub)].add(column)
    for column, words in SYNONYMS.items():
        if column in dictionary:
            for word in words:
                synonyms[header_key(word)].add(column)
    index: dict[str, str] = {}
    blocked: set[str] = set()
    for layer in layers:
        for key, targets in layer.items():
            if not key or key in index or key in blocked:
                continue
            if len(targets) == 1:
                index[key] = next(iter(targets))
            else:
                blocked.add(key)
    return index


def recognise_header(text: object, dictionary: Dictionary) -> str | None:
    """The dictionary column a header cell stands for, or ``None``."""
    if text is None:
        return None
    return header_index(dictionary).get(header_key(text))


@register_profile("template")
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


@register_profile("tableur")
def map_spreadsheet(
    raw: RawTable, dictionary: Dictionary, mapping: Path | None = None
) -> MappedTable:
    """A plain CSV or spreadsheet of any tool (the ``tableur`` profile): read with generic
    header detection, its columns recognised as by :func:`map_template`; the others are left
    to a mapping file (``iaobs map suggest`` drafts it)."""
    return map_template(raw, dictionary, mapping)
