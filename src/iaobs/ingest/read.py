"""Spreadsheets and CSV files → a raw table with provenance.

:func:`read_source` reads one file as received (``data/raw/`` is never written) and returns a
:class:`RawTable`: one row per non-blank data row, cells as read, and three provenance columns
(``_source_file``, ``_source_sheet``, ``_source_row``) so that every later finding can name the
file, the sheet and the row a person sees in Excel.

What the reader decides on its own, and records in :attr:`RawTable.notes`:

* the sheet (when none is given): the one that looks like the data — not a notes, instructions
  or dictionary sheet, not a hidden sheet, and for a KoboToolbox export the main sheet rather
  than a repeat-group sheet;
* the header row (when none is given): notes, titles and blank rows above it are skipped;
* for CSV files, the encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252; never a
  silent Latin-1) and the separator (``;``, ``,``, tab, ``|``), and whether numbers look written
  with a decimal comma (they are left as text: the cleaner parses numbers).

Cells: text is stripped; empty text and the missing markers ``*``, ``NA``, ``N/A``, ``#N/A``
become ``None``; CSV cells are always text (codes keep their leading zeros); Excel dates stay
``datetime``/``date``; Excel numbers stay numbers (whole numbers as ``int``, serial dates
included: the cleaner converts date columns); formulas give their cached values (never
evaluated). Entirely blank rows below the header are counted in :attr:`RawTable.blank_rows`,
not read; any other row, including a trailing note such as ``Source : …``, is kept so that
the cleaner can reject it with a reason — rows are never lost silently.

Workbooks (xlsx, xlsm, xlsb, xls, ods) are read with python-calamine. Before that, a zip-based
workbook is checked for zip bombs (declared uncompressed size and compression ratio) and every
XML part for a ``<!DOCTYPE``/``<!ENTITY`` declaration in its prolog (entity-expansion bombs);
the check (:mod:`iaobs.ingest.safety`) streams and reads a bounded prefix of each part.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from iaobs.errors import InputError
from iaobs.ingest.compressed import INFLATE_LIMIT, is_archive, unpacked
from iaobs.ingest.safety import HINT_RESAVE, check_zip, short_error
from iaobs.study.dictionary import normalise_text

if TYPE_CHECKING:
    from iaobs.study.dictionary import Dictionary

__all__ = [
    "MISSING_MARKERS",
    "PROVENANCE_COLUMNS",
    "RawTable",
    "list_sheets",
    "read_source",
]

PROVENANCE_COLUMNS = ("_source_file", "_source_sheet", "_source_row")
#: Cell texts read as a missing value (compared after stripping, case-insensitively).
MISSING_MARKERS = frozenset({"*", "na", "n/a", "#n/a"})
#: How many rows are scanned for the header row.
HEADER_SCAN_ROWS = 30

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
SEPARATORS = (";", ",", "\t", "|")
SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
NOTE_SHEET_WORDS = (
    "note",
    "instruction",
    "dictionnaire",
    "dictionary",
    "lisez",
    "readme",
    "read me",
    "aide",
    "help",
    "liste",
    "lists",
    "documentation",
    "description",
    "methodo",
    "legende",
    "sommaire",
    "consigne",
)
KOBO_REPEAT_HEADERS = {"_parent_index", "_parent_table_name"}
KOBO_HEADERS = {"_id", "_uuid", "_submission_time", "_index", "_submission__id"}

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

HINT_HEADER = (
    "la ligne d'en-tête doit contenir les noms de variables ou leurs libellés "
    "(voir « iaobs template »)"
)


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


# --------------------------------------------------------------------------------------------
# Public entry points


def read_source(
    path: str | Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    dictionary: Dictionary | None = None,
    max_file_mb: float = 200.0,
) -> RawTable:
    """Read one spreadsheet or CSV file into a :class:`RawTable`.

    Parameters
    ----------
    path
        The file: ``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``, ``.csv``, ``.txt``,
        ``.tsv``. A workbook renamed ``.csv`` (or a text file renamed ``.xls``) is recognised by
        its content.
    sheet
        Sheet to read; by default the one that looks like the data (see the module docstring).
        Ignored for CSV files.
    header_row
        1-based row of the header (CSV: line number of the header record); by default it is
        detected among the first 30 rows.
    dictionary
        When given, header detection prefers the row whose cells are variable names or labels
        of this questionnaire, and a file where no row has at least two of them is refused.
    max_file_mb
        Largest file accepted, in MiB (workbooks may inflate to 50 times this).

    Returns
    -------
    RawTable
        A header without any data row is not an error: the frame is empty and a note says so.

    Raises
    ------
    InputError
        The file is missing, empty, too large, corrupt, password-protected, not a spreadsheet,
        its sheet is empty or unknown, or (with a dictionary) no header row is recognised.
    """
    path = Path(path)
    size = _check_file(path, max_file_mb)
    head = _read_head(path)
    if is_archive(path, head):
        return _read_archive(path, sheet, header_row, dictionary, max_file_mb)
    kind = _kind(path, head)
    notes: list[str] = []
    if kind == "text" and path.suffix.lower() in WORKBOOK_SUFFIXES:
        notes.append(f"le fichier {path.suffix} est en fait un fichier texte : lu comme CSV")
    if kind != "text" and path.suffix.lower() in TEXT_SUFFIXES:
        notes.append(f"le fichier {path.suffix} est en fait un classeur : lu comme classeur")
    if kind == "text":
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        return _read_text(path, data, digest, header_row, dictionary, notes)
    digest = _sha256(path)
    return _read_workbook(
        path, kind, size, digest, sheet, header_row, dictionary, max_file_mb, notes
    )


def _read_archive(
    path: Path,
    sheet: str | None,
    header_row: int | None,
    dictionary: Dictionary | None,
    max_file_mb: float,
) -> RawTable:
    """The table inside a compressed export, its provenance naming the file received."""
    with unpacked(path, max_file_mb) as inner:
        table = read_source(
            inner,
            sheet=sheet,
            header_row=header_row,
            dictionary=dictionary,
            max_file_mb=max_file_mb * INFLATE_LIMIT,
        )
    table.frame["_source_file"] = path.name
    table.notes.insert(0, f"fichier compressé : « {inner.name} » lu dans l'archive")
    table.file = path
    table.sha256 = _sha256(path)
    return table


def list_sheets(path: str | Path, *, max_file_mb: float = 200.0) -> list[str]:
    """The sheet names of a workbook, in workbook order (``[]`` for a CSV file)."""
    path = Path(path)
    size = _check_file(path, max_file_mb)
    head = _read_head(path)
    if is_archive(path, head):
        with unpacked(path, max_file_mb) as inner:
            return list_sheets(inner, max_file_mb=max_file_mb * INFLATE_LIMIT)
    kind = _kind(path, head)
    if kind == "text":
        return []
    with _open_workbook(path, kind, size, max_file_mb) as book:
        return list(book.sheet_names)


# --------------------------------------------------------------------------------------------
# File checks


def _check_file(path: Path, max_file_mb: float) -> int:
    if not path.exists():
        raise InputError(
            "fichier introuvable",
            file=path,
            hint=f"vérifiez le chemin « {path} » (dans study.toml, les chemins sont relatifs au "
            "dossier de l'étude)",
        )
    if path.is_dir():
        raise InputError(
            "c'est un dossier, pas un fichier", file=path, hint="indiquez un fichier .xlsx ou .csv"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:  # pragma: no cover - permissions
        raise InputError(f"fichier illisible ({exc.strerror})", file=path) from exc
    if size == 0:
        raise InputError(
            "le fichier est vide (0 octet)",
            file=path,
            hint="le fichier a peut-être été mal copié : récupérez-en une nouvelle copie",
        )
    if size > max_file_mb * 1024 * 1024:
        raise InputError(
            f"fichier trop volumineux ({_megabytes(size)} Mo, limite "
            f"{_megabytes(max_file_mb * 1024 * 1024)} Mo)",
            file=path,
            hint="découpez le fichier ou augmentez la limite (max_file_mb)",
        )
    return size


def _megabytes(size: float) -> str:
    """A size in MiB, French style: ``0,05``, ``1,5``, ``250``."""
    mb = size / 1024 / 1024
    text = f"{mb:.0f}" if mb >= 10 else f"{mb:.2g}"
    return text.replace(".", ",")


def _read_head(path: Path, n: int = 8192) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(n)
    except OSError as exc:
        raise InputError(f"fichier illisible ({exc.strerror})", file=path) from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(path: Path, head: bytes) -> str:
    """``zip`` (xlsx, xlsm, xlsb, ods), ``ole`` (xls, or an encrypted xlsx) or ``text``."""
    suffix = path.suffix.lower()
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        raise InputError(
            "c'est un document PDF, pas un tableau",
            file=path,
            hint="demandez le fichier Excel ou CSV d'origine",
        )
    looks_text = _looks_text(head)
    if suffix in WORKBOOK_SUFFIXES:
        lowered = head[:1024].lstrip().lower()
        if looks_text and not lowered.startswith(
            (b"<html", b"<!doctype html", b"<?xml", b"<table")
        ):
            return "text"
        if suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"}:
            raise InputError(
                "ce n'est pas un classeur valide (fichier corrompu, incomplet ou d'un autre format)",
                file=path,
                hint=HINT_RESAVE,
            )
        if lowered.startswith((b"<html", b"<!doctype html", b"<table")):
            raise InputError(
                "ce fichier .xls est en fait une page web (HTML), pas un classeur Excel",
                file=path,
                hint=HINT_RESAVE,
            )
        return "ole"  # an .xls in an older binary format: let calamine try
    if suffix in TEXT_SUFFIXES or looks_text:
        return "text"
    raise InputError(
        f"format de fichier non pris en charge ({suffix or 'sans extension'})",
        file=path,
        hint="fournissez un classeur (.xlsx, .xls, .ods) ou un fichier CSV",
    )


def _looks_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


# --------------------------------------------------------------------------------------------
# Workbooks


def _open_workbook(path: Path, kind: str, size: int, max_file_mb: float) -> Any:
    import python_calamine as calamine

    if kind == "zip":
        check_zip(path, max_file_mb)
    elif path.suffix.lower() in {".xlsx", ".xlsm", ".xlsb"}:
        data = path.read_bytes()
        if ENCRYPTED_STREAM in data:
            raise _password_error(path)
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise _password_error(path) from exc
    except calamine.ZipError as exc:
        raise InputError(
            "classeur corrompu ou incomplet (archive illisible)", file=path, hint=HINT_RESAVE
        ) from exc
    except calamine.CalamineError as exc:
        raise InputError(
            f"classeur illisible ({short_error(exc)})", file=path, hint=HINT_RESAVE
        ) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(
            f"classeur illisible ({short_error(exc)})", file=path, hint=HINT_RESAVE
        ) from exc


def _password_error(path: Path) -> InputError:
    return InputError(
        "le classeur est protégé par mot de passe",
        file=path,
        hint="ouvrez-le avec son mot de passe, enregistrez-le sans mot de passe, puis relancez",
    )


def _read_workbook(
    path: Path,
    kind: str,
    size: int,
    digest: str,
    sheet: str | None,
    header_row: int | None,
    dictionary: Dictionary | None,
    max_file_mb: float,
    notes: list[str],
) -> RawTable:
    import python_calamine as calamine

    book = _open_workbook(path, kind, size, max_file_mb)
    try:
        names = list(book.sheet_names)
        if not names:
            raise InputError("le classeur ne contient aucune feuille", file=path, hint=HINT_RESAVE)
        if sheet is not None:
            if sheet not in names:
                raise InputError(
                    f"feuille « {sheet} » introuvable (feuilles : "
                    + ", ".join(f"« {n} »" for n in names)
                    + ")",
                    file=path,
                    hint="corrigez le nom de la feuille dans study.toml ou retirez-le",
                )
            chosen = sheet
            loaded = {sheet: _sheet(book, path, sheet)}
        else:
            chosen, loaded = _choose_sheet(book, path, names, dictionary, notes)
        rows_obj = loaded[chosen]
        try:
            rows = rows_obj.to_python(skip_empty_area=False)
        except calamine.CalamineError as exc:
            raise InputError(
                f"feuille illisible ({short_error(exc)})", file=path, sheet=chosen, hint=HINT_RESAVE
            ) from exc
    finally:
        book.close()
    numbered = ((i + 1, row) for i, row in enumerate(rows))
    return _build(path, chosen, digest, numbered, header_row, dictionary, notes)


def _sheet(book: Any, path: Path, name: str) -> Any:
    import python_calamine as calamine

    try:
        return book.get_sheet_by_name(name)
    except calamine.PasswordError as exc:
        raise _password_error(path) from exc
    except calamine.CalamineError as exc:
        raise InputError(
            f"feuille illisible ({short_error(exc)})", file=path, sheet=name, hint=HINT_RESAVE
        ) from exc


def _choose_sheet(
    book: Any,
    path: Path,
    names: list[str],
    dictionary: Dictionary | None,
    notes: list[str],
) -> tuple[str, dict[str, Any]]:
    """Pick the sheet that looks like the data; returns its name and the loaded sheets."""
    if len(names) == 1:
        return names[0], {names[0]: _sheet(book, path, names[0])}
    visibility = {m.name: str(m.visible).rsplit(".", 1)[-1] for m in book.sheets_metadata}
    loaded: dict[str, Any] = {}
    scored: list[tuple[tuple[float, ...], int, str]] = []
    kobo = False
    for index, name in enumerate(names):
        try:
            sh = _sheet(book, path, name)
        except InputError:
            continue
        loaded[name] = sh
        top = sh.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
        cells = [[_cell(v) for v in row] for row in top]
        nonblank = [row for row in cells if any(v is not None for v in row)]
        if not nonblank:
            continue
        header_texts = {
            str(v).strip().lower() for row in nonblank[:3] for v in row if isinstance(v, str)
        }
        is_repeat = bool(header_texts & KOBO_REPEAT_HEADERS)
        kobo = kobo or is_repeat or bool(header_texts & KOBO_HEADERS)
        matches = 0
        if dictionary is not None:
            matches = max(_dictionary_matches(row, dictionary) for row in nonblank)
        lowered = normalise_text(name)
        notes_like = any(word in lowered for word in NOTE_SHEET_WORDS)
        hidden = visibility.get(name, "Visible") != "Visible"
        score = (
            0.0 if hidden else 1.0,
            0.0 if is_repeat else 1.0,
            float(matches),
            0.0 if notes_like else 1.0,
            float(sh.height) * max(len(nonblank[0]), 1),
        )
        scored.append((score, -index, name))
    if not scored:
        raise InputError(
            "toutes les feuilles du classeur sont vides",
            file=path,
            hint="vérifiez que vous avez envoyé le bon fichier",
        )
    scored.sort(reverse=True)
    chosen = scored[0][2]
    others = [n for n in names if n != chosen]
    reason = (
        "export KoboToolbox : feuille principale" if kobo else "feuille qui ressemble aux données"
    )
    notes.append(
        f"feuille « {chosen} » choisie ({reason}) ; autres feuilles ignorées : "
        + ", ".join(f"« {n} »" for n in others)
    )
    return chosen, loaded


def _dictionary_matches(row: Sequence[Any], dictionary: Dictionary) -> int:
    from iaobs.ingest.profiles.template import recognise_header

    return sum(1 for v in row if isinstance(v, str) and recognise_header(v, dictionary) is not None)


# --------------------------------------------------------------------------------------------
# Text files


def _read_text(
    path: Path,
    data: bytes,
    digest: str,
    header_row: int | None,
    dictionary: Dictionary | None,
    notes: list[str],
) -> RawTable:
    text, encoding = _decode(path, data)
    notes.append(f"encodage {encoding}")
    separator = _sniff_separator(text)
    notes.append(f"séparateur {SEPARATOR_NAMES.get(separator, repr(separator))}")
    table = _read_csv_columns(path, text, separator, digest, header_row, dictionary, notes)
    if table is None:  # ragged rows, line breaks inside cells, lone CR: record by record
        records = _csv_records(path, text, separator)
        table = _build(path, None, digest, records, header_row, dictionary, notes)
    decimal = _decimal_style(table.frame, table.columns)
    if decimal == "comma":
        notes_text = "nombres écrits avec une virgule décimale (convertis au nettoyage)"
        table.notes.append(notes_text)
    return table


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: BOM, then UTF-8, then Windows-1252, then a detected encoding."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(path, data[3:], "utf-8"), "UTF-8 (avec BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(path, data, "utf-16"), "UTF-16"
    if b"\x00" in data:
        raise InputError(
            "ce n'est pas un fichier texte (CSV) : il contient des données binaires",
            file=path,
            hint="exportez les données au format .xlsx ou CSV UTF-8",
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is not None:
        encoding = codecs.lookup(best.encoding).name
        if encoding not in {"latin-1", "iso8859-1", "ascii"}:
            try:
                return data.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                pass
    raise InputError(
        "encodage des caractères non reconnu (ni UTF-8 ni Windows-1252)",
        file=path,
        hint="enregistrez le fichier au format « CSV UTF-8 » depuis Excel ou LibreOffice",
    )


def _strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"texte illisible en {encoding} (octet {exc.start})",
            file=path,
            hint="enregistrez le fichier au format « CSV UTF-8 » depuis Excel ou LibreOffice",
        ) from exc


def _sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the most consistent number of fields."""
    sample = text[:65536]
    cut = sample.rfind("\n")
    if cut > 0 and len(text) > len(sample):
        sample = sample[:cut]
    best = (0.0, 0, 0)
    chosen = ","
    for rank, sep in enumerate(SEPARATORS):
        try:
            counts = [
                len(rec)
                for rec in csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
                if any(cell.strip() for cell in rec)
            ][:200]
        except csv.Error:
            continue
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(counts), mode, -rank)
        if score > best:
            best = score
            chosen = sep
    return chosen


def _csv_records(path: Path, text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) for every CSV record.

    The row number is the record's rank, the row a spreadsheet shows when it opens the file
    (a line break inside a quoted cell does not start a new row), not its text line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    start = 1
    rank = 0
    pending: tuple[int, list[str], int, int] | None = None
    try:
        for record in reader:
            if pending is not None:
                yield pending[0], pending[1]
            rank += 1
            pending = (rank, record, start, reader.line_num)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"CSV illisible ({short_error(exc)})",
            file=path,
            row=rank + 1,
            hint="vérifiez les guillemets de cette ligne ou exportez le fichier de nouveau",
        ) from exc
    if pending is not None:
        number, record, first, last = pending
        if last > first and _open_quote_at_end(text, first):
            raise InputError(
                "guillemet ouvert jamais refermé : cette ligne et toutes les suivantes "
                "formeraient une seule cellule",
                file=path,
                row=number,
                hint="fermez le guillemet de cette ligne (ou retirez-le), ou exportez le "
                "fichier de nouveau",
            )
        yield number, record


def _open_quote_at_end(text: str, first: int) -> bool:
    """Whether the text from line ``first`` to the end holds an odd number of quotes, i.e. the
    last record runs to the end of the file inside a quoted field that was never closed."""
    offset = 0
    if first > 1:
        for count, match in enumerate(_NEWLINE.finditer(text), start=2):
            if count == first:
                offset = match.end()
                break
    return text.count('"', offset) % 2 == 1


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _normalise_distinct(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_cell`` of each distinct CSV cell and whether it is blank, plus a missing slot.

    Returns ``(cells, blank)`` of length ``len(uniques) + 1`` (last: a missing cell).
    """
    n = len(uniques)
    cells = np.empty(n + 1, dtype=object)
    blank = np.ones(n + 1, dtype=bool)
    if n > 1000 and all(type(u) is str for u in uniques):
        # many distinct texts (identifiers, names): strip and test in vectorised passes
        stripped = pd.Series(uniques, dtype=object).str.strip()
        empty = (stripped == "").to_numpy(dtype=bool)
        short = (stripped.str.len() <= 4).to_numpy(dtype=bool)
        marker = np.zeros(n, dtype=bool)
        if short.any():
            marker[short] = stripped[short].str.lower().isin(MISSING_MARKERS).to_numpy(dtype=bool)
        values = stripped.to_numpy(dtype=object, copy=True)
        values[empty | marker] = None
        cells[:n] = values
        blank[:n] = empty
    else:
        for k, value in enumerate(uniques):
            cells[k] = _cell(value)
            blank[k] = not (isinstance(value, str) and value.strip())
    cells[-1] = None
    return cells, blank


#: Lines given to the header search of the column-wise CSV reader.
HEADER_PREFIX_LINES = 20 * HEADER_SCAN_ROWS
_LONE_CR = re.compile(r"\r(?!\n)")


class _Exhausted:
    """An iterator that remembers whether it ran out."""

    def __init__(self, iterator: Iterator[tuple[int, list[str]]]) -> None:
        self.iterator = iterator
        self.exhausted = False

    def __iter__(self) -> _Exhausted:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        try:
            return next(self.iterator)
        except StopIteration:
            self.exhausted = True
            raise


def _read_csv_columns(
    path: Path,
    text: str,
    separator: str,
    digest: str,
    header_row: int | None,
    dictionary: Dictionary | None,
    notes: list[str],
) -> RawTable | None:
    """Read a CSV text column by column (pandas' C parser); None when it cannot be done exactly.

    The header is found as by :func:`_build` (first rows, record by record); the data below it
    are parsed in one call, then each column's *distinct* cells are normalised once. This
    path is taken only when each record is one line (so that the line number of every row is
    known): no line break inside a quoted cell, no carriage return without a line feed, no
    row wider than the header. Otherwise the caller reads the file record by record; both
    ways give the same table.
    """
    if "\r" in text and _LONE_CR.search(text):
        return None
    mine = list(notes)
    # the header is looked for in the first lines only (a full copy of a large text costs)
    cut = -1
    for _ in range(HEADER_PREFIX_LINES):
        cut = text.find("\n", cut + 1)
        if cut < 0:
            break
    prefix = text if cut < 0 else text[: cut + 1]
    records = _Exhausted(_csv_records(path, prefix, separator))
    found = _find_header(path, None, records, header_row, dictionary, mine)
    if records.exhausted and len(prefix) < len(text):
        return None  # the header search went past the prefix: read record by record
    header_cells, header_number = found[0], found[1]
    width = len(header_cells)
    # the data start on the text line after the header record (records above it and the
    # header itself may span several lines); their rows number on from the header's
    start_line = _line_after(prefix, separator, header_number)
    offset = 0
    for _ in range(start_line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return None
    body = text[offset:]
    if not body or width == 0:
        return None
    try:
        data = body.encode("utf-8")  # the C parser reads bytes
    except UnicodeEncodeError:
        return None
    lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    del body
    try:
        with warnings.catch_warnings():
            # a first data row wider than the header is a warning (and lost cells) in pandas
            warnings.simplefilter("error", pd.errors.ParserWarning)
            parsed = pd.read_csv(
                io.BytesIO(data),
                sep=separator,
                header=None,
                names=range(width),
                index_col=False,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quotechar='"',
                doublequote=True,
                encoding="utf-8",
            )
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, csv.Error):
        return None
    del data
    if len(parsed) != lines or parsed.shape[1] != width:
        return None
    blank = np.ones(len(parsed), dtype=bool)
    columns: list[np.ndarray] = []
    for j in range(width):
        raw = parsed[j].to_numpy(dtype=object)
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        cells, empty = _normalise_distinct(np.asarray(uniques, dtype=object))
        columns.append(cells[codes])
        blank &= empty[codes]
    keep = ~blank
    numbers = np.arange(header_number + 1, header_number + 1 + lines, dtype=np.int64)[keep]
    if not keep.all():
        columns = [c[keep] for c in columns]
    names: list[str | None] = [_header_name(v) for v in header_cells]
    notes[:] = mine
    return _table(
        path, None, digest, names, columns, numbers, int(blank.sum()), header_number, notes
    )


def _line_after(text: str, separator: str, records: int) -> int:
    """The text line that follows the first ``records`` CSV records of ``text``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    for _ in range(records):
        next(reader, None)
    return reader.line_num + 1


_COMMA_NUMBER = re.compile(r"^[-+]?\d{1,3}(?:[ \u00a0\u202f.]?\d{3})*,\d+$")
_POINT_NUMBER = re.compile(r"^[-+]?\d+\.\d+$")


def _decimal_style(frame: pd.DataFrame, columns: list[str]) -> str | None:
    comma = point = 0
    sample = frame[columns].head(500)
    for values in sample.itertuples(index=False):
        for v in values:
            if isinstance(v, str):
                if _COMMA_NUMBER.match(v):
                    comma += 1
                elif _POINT_NUMBER.match(v):
                    point += 1
    if comma > point:
        return "comma"
    if point:
        return "point"
    return None


# --------------------------------------------------------------------------------------------
# Rows → table


def _cell(value: Any) -> Any:
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


def _is_blank(raw: Iterable[Any]) -> bool:
    for value in raw:
        if value is None:
            continue
        if isinstance(value, str):
            if value.strip():
                return False
            continue
        return False
    return True


def _header_name(value: Any) -> str | None:
    value = _cell(value) if not isinstance(value, str) else (value.strip() or None)
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).split())


def _detect_header(
    path: Path,
    sheet: str | None,
    head: list[tuple[int, list[Any]]],
    dictionary: Dictionary | None,
    notes: list[str],
) -> int:
    """Index (in ``head``) of the header row among the first non-blank rows."""
    if dictionary is not None:
        scores = [_dictionary_matches(row, dictionary) for _, row in head]
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


def _find_header(
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
        if _is_blank(header_cells):
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
        if not _is_blank(raw):
            head.append((number, [_cell(v) for v in raw]))
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


def _build(
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
    header_cells, header_number, pending = _find_header(
        path, sheet, iterator, header_row, dictionary, notes
    )
    # 2. column names
    names: list[str | None] = [_header_name(v) for v in header_cells]
    # 3. data rows
    data: list[list[Any]] = []
    numbers: list[int] = []
    blank = 0
    width = len(names)

    def consume(number: int, raw: Sequence[Any]) -> None:
        nonlocal blank, width
        cells = [_cell(v) for v in raw]
        if all(v is None for v in cells) and _is_blank(raw):
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
    return _table(path, sheet, digest, names, columns, numbers, blank, header_number, notes)


def _table(
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
