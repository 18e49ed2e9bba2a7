"""Which row is the header, and which dictionary column a header cell stands for.

:func:`recognise_header` matches a header cell against a questionnaire's variable names, labels
and common synonyms (compared without accents, case, spaces or punctuation, see
:func:`header_key`): exact names win over labels, labels over synonyms, synonyms over bare
option labels. :func:`find_header` looks for the header among the first rows of a sheet or CSV
file (with a dictionary: the row naming the most variables) and :func:`build_table` reads the
rows below it into a :class:`~iaobs.ingest.table.RawTable`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from iaobs.errors import InputError
from iaobs.ingest.table import RawTable, cell_value, header_name, make_table, row_is_blank
from iaobs.study.dictionary import Dictionary, normalise_text

__all__ = [
    "HEADER_SCAN_ROWS",
    "HINT_HEADER",
    "SYNONYMS",
    "build_table",
    "dictionary_matches",
    "find_header",
    "header_index",
    "header_key",
    "recognise_header",
]

#: How many rows are scanned for the header row.
HEADER_SCAN_ROWS = 30

HINT_HEADER = (
    "la ligne d'en-tête doit contenir les noms de variables ou leurs libellés (voir « iaobs "
    "template ») ; pour l'export d'un autre outil, faites proposer la correspondance par "
    "« iaobs map suggest FICHIER » (profil détecté, ou tableur) et déclarez-la comme profil"
)


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


def dictionary_matches(row: Sequence[Any], dictionary: Dictionary) -> int:
    return sum(1 for v in row if isinstance(v, str) and recognise_header(v, dictionary) is not None)


def _detect_header(
    path: Path,
    sheet: str | None,
    head: list[tuple[int, list[Any]]],
    dictionary: Dictionary | None,
    notes: list[str],
) -> int:
    """Index (in ``head``) of the header row among the first non-blank rows."""
    if dictionary is not None:
        scores = [dictionary_matches(row, dictionary) for _, row in head]
        best = max(scores, default=0)
        if best < 2:
            raise InputError(
                "aucune ligne d'en-tête reconnue dans les 30 premières lignes",
                file=path,
                sheet=sheet,
                hint=HINT_HEADER,
            )
        return scores.index(best)
    widths = [sum(1 for v in row if v is not None) for _, row in head]
    widest = max(widths, default=0)
    for index, (_, row) in enumerate(head):
        filled = [v for v in row if v is not None]
        texts = [v for v in filled if isinstance(v, str) and not _NUMBER.match(v)]
        if len(texts) < 2 or len(texts) < 0.6 * len(filled):
            continue
        if len(filled) < 0.6 * widest:
            continue
        if len({normalise_text(t) for t in texts}) < 0.8 * len(texts):
            continue
        return index
    notes.append("aucune ligne d'en-tête évidente : la première ligne non vide est prise")
    return 0


_NUMBER = re.compile(r"^[-+]?[\d\s\u00a0\u202f.,]+%?$")


def find_header(
    path: Path,
    sheet: str | None,
    iterator: Iterator[tuple[int, Sequence[Any]]],
    header_row: int | None,
    dictionary: Dictionary | None,
    notes: list[str],
) -> tuple[Sequence[Any], int, list[tuple[int, Sequence[Any]]]]:
    """The header record, its row number, and the rows read past it while looking."""
    header_cells: Sequence[Any] | None = None
    header_number = 0
    if header_row is not None:
        for number, raw in iterator:
            if number == header_row:
                header_cells, header_number = raw, number
                break
        if header_cells is None:
            raise InputError(
                f"la ligne d'en-tête {header_row} n'existe pas",
                file=path,
                sheet=sheet,
                hint="corrigez header_row ou retirez-le pour une détection automatique",
            )
        if row_is_blank(header_cells):
            raise InputError(
                f"la ligne d'en-tête {header_row} est vide",
                file=path,
                sheet=sheet,
                hint="corrigez header_row ou retirez-le pour une détection automatique",
            )
        return header_cells, header_number, []
    head: list[tuple[int, list[Any]]] = []
    raws: list[tuple[int, Sequence[Any]]] = []
    for number, raw in iterator:
        raws.append((number, raw))
        if not row_is_blank(raw):
            head.append((number, [cell_value(v) for v in raw]))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        if number > 10 * HEADER_SCAN_ROWS and not head:
            break
    if not head:
        raise InputError(
            "la feuille est vide" if sheet is not None else "le fichier ne contient aucune donnée",
            file=path,
            sheet=sheet,
            hint="vérifiez que vous avez envoyé le bon fichier (ou la bonne feuille)",
        )
    index = _detect_header(path, sheet, head, dictionary, notes)
    header_number = head[index][0]
    header_cells = next(raw for number, raw in raws if number == header_number)
    pending = [(n, r) for n, r in raws if n > header_number]
    message = f"en-tête trouvé ligne {header_number}"
    if index:
        message += f" ({index} ligne(s) de titre ou de notes au-dessus ignorée(s))"
    notes.append(message)
    return header_cells, header_number, pending


def build_table(
    path: Path,
    sheet: str | None,
    digest: str,
    rows: Iterable[tuple[int, Sequence[Any]]],
    header_row: int | None,
    dictionary: Dictionary | None,
    notes: list[str],
) -> RawTable:
    iterator = iter(rows)
    # 1. find the header row
    header_cells, header_number, pending = find_header(
        path, sheet, iterator, header_row, dictionary, notes
    )
    # 2. column names
    names: list[str | None] = [header_name(v) for v in header_cells]
    # 3. data rows
    data: list[list[Any]] = []
    numbers: list[int] = []
    blank = 0
    width = len(names)

    def consume(number: int, raw: Sequence[Any]) -> None:
        nonlocal blank, width
        cells = [cell_value(v) for v in raw]
        if all(v is None for v in cells) and row_is_blank(raw):
            blank += 1
            return
        if len(cells) > width:
            width = len(cells)
        data.append(cells)
        numbers.append(number)

    for number, raw in pending:
        consume(number, raw)
    for number, raw in iterator:
        consume(number, raw)

    for row in data:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    columns: list[Any] = (
        [list(col) for col in zip(*data, strict=True)] if data else [[] for _ in range(width)]
    )
    return make_table(path, sheet, digest, names, columns, numbers, blank, header_number, notes)
