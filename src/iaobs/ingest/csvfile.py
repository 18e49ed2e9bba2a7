"""CSV and other text files: encoding, separator, records, and a fast column-wise reader.

The encoding is UTF-8, UTF-8 with BOM, UTF-16 with BOM or Windows-1252 (never a silent
Latin-1), the separator the one that splits the first lines most consistently (``;``, ``,``,
tab, ``|``); cells are always text (codes keep their leading zeros). :func:`read_text` reads
column by column when each record is one line, record by record otherwise: both ways give
the same table.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.errors import InputError
from iaobs.ingest.headers import HEADER_SCAN_ROWS, build_table, find_header
from iaobs.ingest.safety import short_error
from iaobs.ingest.table import MISSING_MARKERS, RawTable, cell_value, header_name, make_table
from iaobs.study.dictionary import Dictionary

__all__ = ["read_text"]

SEPARATORS = (";", ",", "\t", "|")
SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}


def read_text(
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
        table = build_table(path, None, digest, records, header_row, dictionary, notes)
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
    """``cell_value`` of each distinct CSV cell and whether it is blank, plus a missing slot.

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
            cells[k] = cell_value(value)
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

    The header is found as by :func:`build_table` (first rows, record by record); the data below it
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
    found = find_header(path, None, records, header_row, dictionary, mine)
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
    names: list[str | None] = [header_name(v) for v in header_cells]
    notes[:] = mine
    return make_table(
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
