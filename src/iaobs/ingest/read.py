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
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from iaobs.errors import InputError
from iaobs.ingest.compressed import INFLATE_LIMIT, is_archive, unpacked
from iaobs.ingest.csvfile import read_text
from iaobs.ingest.safety import HINT_RESAVE
from iaobs.ingest.sheets import open_workbook, read_workbook
from iaobs.ingest.table import RawTable

if TYPE_CHECKING:
    from iaobs.study.dictionary import Dictionary

__all__ = ["list_sheets", "read_source"]

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
        return read_text(path, data, digest, header_row, dictionary, notes)
    digest = _sha256(path)
    return read_workbook(
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
    with open_workbook(path, kind, size, max_file_mb) as book:
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
