"""Property-based tests of the reader and the cleaner on random messy tables.

For any table — mixed cell types, random labels (dictionary names, French labels, noise),
random blank rows and columns, random title lines above the header, random encodings and
separators, CSV or xlsx — reading, mapping and cleaning either succeed with
rows read = rows kept + rows rejected, or raise an :class:`IaobsError` (a message for the
user). Any other exception is a bug.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from iaobs.errors import IaobsError
from iaobs.ingest.profiles import map_columns, read_for_profile
from iaobs.ingest.read import read_source
from iaobs.prepare.clean import clean_responses
from iaobs.study.dictionary import load_dictionary

DICTIONARY = load_dictionary("entreprises")
NAMES = [c for var in DICTIONARY for c in var.columns()][:60]
LABELS = [var.label.fr for var in DICTIONARY if getattr(var, "label", None) is not None][:30]
CODES = sorted({code for var in DICTIONARY for code in (var.codes or ())})[:80]
SETTINGS = settings(
    max_examples=int(os.environ.get("IAOBS_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
cell = st.one_of(
    st.none(),
    st.just(""),
    text,
    st.sampled_from(CODES),
    st.sampled_from(
        [
            "banque",
            "Banque",
            "PME",
            "tpe",
            "NSP",
            "Oui",
            "non",
            "x",
            "1 250",
            "3,5",
            "64.19Z",
            "6419z",
            "59",
            "2019-05-03",
            "03/05/2019",
            "Total",
            "Source : enquête",
            "=1+1",
            "-",
            "*",
            "N/A",
            "12 mars 2019",
        ]
    ),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(dt.date(1890, 1, 1), dt.date(2100, 1, 1)),
)
header_cell = st.one_of(st.sampled_from(NAMES), st.sampled_from(LABELS), text, st.none())


@st.composite
def messy_tables(draw: st.DrawFn) -> tuple[list[Any], list[list[Any]], int]:
    """A header (at least two dictionary names), rows, and how many title lines go above."""
    width = draw(st.integers(2, 10))
    header = draw(st.lists(header_cell, min_size=width, max_size=width))
    header[0], header[1] = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
    header = draw(st.permutations(header))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=width + 2), max_size=15))
    for _ in range(draw(st.integers(0, 3))):  # blank rows anywhere
        rows.insert(draw(st.integers(0, len(rows))), [None] * width)
    if draw(st.booleans()):  # a blank column
        at = draw(st.integers(0, width))
        header.insert(at, None)
        rows = [[*r[:at], None, *r[at:]] for r in rows]
    titles = draw(st.integers(0, 2))
    return header, rows, titles


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_csv(
    path: Path, header: list[Any], rows: list[list[Any]], titles: int, encoding: str, sep: str
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    for i in range(titles):
        writer.writerow([f"Enquête IA — titre {i}"])
    writer.writerow([_text(v) for v in header])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    data = buffer.getvalue()
    try:
        path.write_bytes(data.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(data.encode(encoding, errors="replace"))


def _xlsx_cell(v: Any) -> Any:
    """A value openpyxl can store: XML-safe text, no formula, finite numbers."""
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        v = str(v)
    if isinstance(v, str):
        v = "".join(ch for ch in v if ch >= " " or ch in "\t\n")
        if v.startswith("="):
            v = "'" + v
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**15:
        v = str(v)
    return v


def _write_xlsx(path: Path, header: list[Any], rows: list[list[Any]], titles: int) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Réponses"
    for i in range(titles):
        ws.append([f"Enquête IA — titre {i}"])
    ws.append([_xlsx_cell(v) for v in header])
    for row in rows:
        ws.append([_xlsx_cell(v) for v in row])
    wb.save(path)


def _check(path: Path, profile: str = "template") -> None:
    try:
        raw = read_for_profile(path, profile, DICTIONARY)
        mapped = map_columns(raw, DICTIONARY, profile=profile)
        frame = mapped.frame.copy()
        result = clean_responses(frame, DICTIONARY, file=path.name, sheet=raw.sheet)
    except IaobsError as exc:
        assert str(exc).strip()
        event("refused with a message")
        return
    event("cleaned")
    read = len(raw.frame)
    assert result.quality["read"] == read
    assert len(result.responses) + len(result.rejects) == read
    kept_rows = set(result.responses["_source_row"].astype(int))
    rejected_rows = set(result.rejects["_source_row"].astype(int))
    assert kept_rows.isdisjoint(rejected_rows)
    assert kept_rows | rejected_rows == set(raw.frame["_source_row"].astype(int))
    for column in ("siren", "raison_sociale", "email_contact"):
        assert column not in result.responses
        assert column not in result.rejects


@SETTINGS
@given(
    table=messy_tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    sep=st.sampled_from([";", ",", "\t", "|"]),
)
def test_random_csv_is_read_and_cleaned_or_refused(
    table: tuple[list[Any], list[list[Any]], int], encoding: str, sep: str
) -> None:
    header, rows, titles = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        _write_csv(path, header, rows, titles, encoding, sep)
        _check(path)


@SETTINGS
@given(table=messy_tables())
def test_random_xlsx_is_read_and_cleaned_or_refused(
    table: tuple[list[Any], list[list[Any]], int],
) -> None:
    header, rows, titles = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        _write_xlsx(path, header, rows, titles)
        _check(path)


@SETTINGS
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]))
def test_random_bytes_never_crash_the_reader(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fichier{suffix}"
        path.write_bytes(data)
        try:
            read_source(path, dictionary=DICTIONARY)
        except IaobsError as exc:
            assert path.name in str(exc)


@SETTINGS
@given(
    columns=st.lists(st.sampled_from(NAMES), min_size=1, max_size=12, unique=True),
    values=st.lists(st.lists(cell, min_size=12, max_size=12), min_size=0, max_size=12),
)
def test_cleaner_on_random_mapped_frames(columns: list[str], values: list[list[Any]]) -> None:
    frame = pd.DataFrame([row[: len(columns)] for row in values], columns=columns, dtype=object)
    frame["_source_file"] = "x.xlsx"
    frame["_source_sheet"] = "Réponses"
    frame["_source_row"] = range(2, 2 + len(frame))
    try:
        result = clean_responses(frame, DICTIONARY, file="x.xlsx", sheet="Réponses")
    except IaobsError:
        return
    assert len(result.responses) + len(result.rejects) == len(frame)
    assert result.quality["read"] == len(frame)
