"""Tests of iaobs.ingest.read: tiny made-up spreadsheets and CSV files built in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from iaobs.errors import InputError
from iaobs.ingest.read import list_sheets, read_source
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import load_dictionary

# --------------------------------------------------------------------------------------------
# Fixture builders


def write_xlsx(
    path: Path,
    sheets: dict[str, Sequence[Sequence[Any]]],
    *,
    hidden_rows: Sequence[int] = (),
    merge: str | None = None,
) -> Path:
    """Write a workbook: one sheet per entry, rows of cells (None = empty cell)."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
        for r in hidden_rows:
            sheet.set_row(r, None, None, {"hidden": True})
        if merge:
            sheet.merge_range(merge, rows[0][0] if rows else "")
    book.close()
    return path


def write_ods(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "S") -> Path:
    """Write a minimal OpenDocument spreadsheet (one sheet of text and float cells)."""

    def cell(value: Any) -> str:
        if isinstance(value, str):
            return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    ns = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content xmlns:office="{ns}:office:1.0" '
        f'xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest:manifest xmlns:manifest="{ns}:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def data_cells(table: RawTable) -> list[list[Any]]:
    return table.frame[table.columns].astype(object).values.tolist()


# --------------------------------------------------------------------------------------------
# Workbooks


def test_header_found_under_notes_and_blank_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "enquete.xlsx",
        {
            "Réponses": [
                ["Enquête IA 2019 — Banque"],
                ["Note : une ligne par entreprise"],
                [],
                [],
                ["ID", "Secteur", "Effectif", "Commentaire"],
                ["R1", "banque", 12, "rien"],
                [None, None, None, None],
                ["R2", "assurance", 250, None],
            ]
        },
    )
    table = read_source(path)
    assert table.header_row == 5
    assert table.sheet == "Réponses"
    assert table.columns == ["ID", "Secteur", "Effectif", "Commentaire"]
    assert data_cells(table) == [["R1", "banque", 12, "rien"], ["R2", "assurance", 250, None]]
    assert table.frame["_source_row"].tolist() == [6, 8]
    assert table.blank_rows == 1
    assert table.frame["_source_file"].unique().tolist() == ["enquete.xlsx"]
    assert table.frame["_source_sheet"].unique().tolist() == ["Réponses"]
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert any("ligne 5" in note for note in table.notes)


def test_header_found_with_dictionary_under_a_two_cell_title(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {
            "Données": [
                ["Observatoire IA", "Vague 2019"],
                ["Identifiant du répondant", "Stade d'adoption de l'IA", "secteur", "Autre"],
                ["R1", "Veille, réflexion", "banque", "x"],
            ]
        },
    )
    table = read_source(path, dictionary=load_dictionary("entreprises"))
    assert table.header_row == 2
    assert len(table.frame) == 1


def test_second_sheet_chosen_when_first_is_notes(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "s.xlsx",
        {
            "Notes": [["Lisez-moi"], ["Une ligne par entreprise", "voir dictionnaire"]],
            "Saisie": [["ID", "Secteur"], ["R1", "banque"], ["R2", "industrie"]],
        },
    )
    table = read_source(path)
    assert table.sheet == "Saisie"
    assert len(table.frame) == 2
    assert any("Saisie" in note for note in table.notes)
    assert list_sheets(path) == ["Notes", "Saisie"]


def test_hidden_sheet_not_chosen(tmp_path: Path) -> None:
    path = tmp_path / "h.xlsx"
    book = xlsxwriter.Workbook(str(path))
    lists = book.add_worksheet("Codes")
    for r in range(50):
        lists.write_row(r, 0, [f"code{r}", f"libellé {r}", f"x{r}"])
    entry = book.add_worksheet("Saisie")
    entry.write_row(0, 0, ["ID", "Secteur"])
    entry.write_row(1, 0, ["R1", "banque"])
    entry.activate()
    lists.hide()
    book.close()
    assert read_source(path).sheet == "Saisie"


def test_explicit_sheet_and_unknown_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", {"A": [["x", "y"], [1, 2]], "B": [["u", "v"], [3, 4]]})
    assert data_cells(read_source(path, sheet="B")) == [[3, 4]]
    with pytest.raises(InputError, match=r"s\.xlsx.*« C » introuvable"):
        read_source(path, sheet="C")


def test_explicit_header_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", {"S": [["a", "b"], ["c", "d"], ["1", "2"]]})
    table = read_source(path, header_row=2)
    assert table.columns == ["c", "d"]
    assert data_cells(table) == [["1", "2"]]
    with pytest.raises(InputError, match=r"h\.xlsx"):
        read_source(path, header_row=40)


def test_kobo_main_sheet_chosen(tmp_path: Path) -> None:
    main = [["start", "q1", "_id", "_uuid", "_submission_time", "_index"]]
    main += [[f"s{i}", "oui", i, f"u{i}", "t", i] for i in range(2)]
    repeat = [["rep/q", "_index", "_parent_table_name", "_parent_index"]]
    repeat += [["x", i, "Form", 1] for i in range(10)]
    path = write_xlsx(tmp_path / "kobo.xlsx", {"Form": main, "rep": repeat})
    table = read_source(path)
    assert table.sheet == "Form"
    assert any("Kobo" in note for note in table.notes)


def test_cells_leading_zeros_missing_markers_dates_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "S": [
                ["dep", "naf", "n", "x", "date", "serial", "ratio"],
                ["02", "0111Z", "*", "NA", dt.date(2019, 5, 3), 43500, 0.25],
                ["59", " 69.20Z ", "N/A", "#N/A", None, 43501.0, 1.5],
                ["  ", "na", "", "  texte  ", None, None, None],
            ]
        },
    )
    rows = data_cells(read_source(path))
    assert rows[0] == ["02", "0111Z", None, None, dt.date(2019, 5, 3), 43500, 0.25]
    assert rows[1] == ["59", "69.20Z", None, None, None, 43501, 1.5]
    assert rows[2] == [None, None, None, "texte", None, None, None]
    assert isinstance(rows[0][5], int)


def test_row_of_missing_markers_is_kept_not_blank(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", {"S": [["a", "b"], ["*", "NA"], ["1", "2"]]})
    table = read_source(path)
    assert len(table.frame) == 2 and table.blank_rows == 0


def test_formulas_give_cached_values(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_row(0, 0, ["a", "b"])
    sheet.write_formula("A2", "=1+1", None, 2)
    sheet.write_formula("B2", '="x"&"y"', None, "xy")
    book.close()
    assert data_cells(read_source(path)) == [[2, "xy"]]


def test_hidden_rows_are_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "h.xlsx", {"S": [["a", "b"], [1, 2], [3, 4], [5, 6]]}, hidden_rows=[2]
    )
    assert data_cells(read_source(path)) == [[1, 2], [3, 4], [5, 6]]


def test_duplicated_headers_made_unique(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", {"S": [["col", "col", "x", "col"], [1, 2, 3, 4]]})
    table = read_source(path)
    assert table.columns == ["col", "col.2", "x", "col.3"]
    assert any("double" in note for note in table.notes)


def test_merged_header_cells_named(tmp_path: Path) -> None:
    rows = [["Technologies", None, "ID"], ["a", "b", "R1"]]
    path = write_xlsx(tmp_path / "m.xlsx", {"S": rows}, merge="A1:B1")
    table = read_source(path)
    assert table.columns == ["Technologies", "colonne_2", "ID"]
    assert data_cells(table) == [["a", "b", "R1"]]


def test_empty_trailing_columns_dropped_and_trailing_notes_kept(tmp_path: Path) -> None:
    rows = [["a", "b", None], [1, 2, None], [], [], ["Source : enquête 2019"]]
    path = write_xlsx(tmp_path / "n.xlsx", {"S": rows})
    table = read_source(path)
    assert table.columns == ["a", "b"]
    assert data_cells(table) == [[1, 2], ["Source : enquête 2019", None]]
    assert table.frame["_source_row"].tolist() == [2, 5]
    assert table.blank_rows == 2


def test_header_only_gives_empty_table(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", {"S": [["a", "b"]]})
    table = read_source(path)
    assert len(table.frame) == 0
    assert table.columns == ["a", "b"]
    assert set(PROVENANCE_COLUMNS) <= set(table.frame.columns)
    assert any("0 ligne" in note for note in table.notes)


def test_ods(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "t.ods", [["Titre"], ["dep", "n"], ["02", 3], ["*", "NA"]])
    table = read_source(path)
    assert table.sheet == "S" and table.header_row == 2
    assert data_cells(table) == [["02", 3], [None, None]]


def test_renamed_files(tmp_path: Path) -> None:
    # a workbook renamed .csv is read as a workbook; a CSV renamed .xls as a CSV
    path = write_xlsx(tmp_path / "w.xlsx", {"S": [["a", "b"], [1, 2]]})
    renamed = tmp_path / "w.csv"
    renamed.write_bytes(path.read_bytes())
    assert data_cells(read_source(renamed)) == [[1, 2]]
    text = write_csv(tmp_path / "t.xls", "a;b\n01;2\n")
    table = read_source(text)
    assert data_cells(table) == [["01", "2"]]
    assert any("texte" in note for note in table.notes)


# --------------------------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    ("separator", "name"),
    [(";", "point-virgule"), (",", "virgule"), ("\t", "tabulation"), ("|", "barre")],
)
def test_csv_separators(tmp_path: Path, separator: str, name: str) -> None:
    lines = [["id", "dep", "libellé"], ["R1", "02", "Aisne"], ["R2", "59", "Nord"]]
    text = "\n".join(separator.join(line) for line in lines) + "\n"
    table = read_source(write_csv(tmp_path / "s.csv", text))
    assert table.columns == ["id", "dep", "libellé"]
    assert data_cells(table) == [["R1", "02", "Aisne"], ["R2", "59", "Nord"]]
    assert any(name in note for note in table.notes)


def test_csv_cp1252_keeps_oe_and_euro(tmp_path: Path) -> None:
    text = "métier;budget\nChef d'œuvre;1 000 €\nŒnologue;NA\n"
    path = write_csv(tmp_path / "w.csv", text, "cp1252")
    table = read_source(path)
    assert data_cells(table) == [["Chef d'œuvre", "1 000 €"], ["Œnologue", None]]
    assert any("1252" in note for note in table.notes)
    assert "\x9c" not in "".join(str(c) for row in data_cells(table) for c in row)


def test_csv_utf8_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", "id;région\nR1;Hauts-de-France\n", "utf-8-sig")
    table = read_source(path)
    assert table.columns == ["id", "région"]
    assert any("BOM" in note for note in table.notes)


def test_csv_utf16_with_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.txt", "id\trégion\nR1\tNord\n", "utf-16")
    assert data_cells(read_source(path)) == [["R1", "Nord"]]


def test_csv_quoted_newlines_and_line_numbers(tmp_path: Path) -> None:
    text = 'id;commentaire;n\nR1;"ligne 1\nligne 2";3\nR2;"a;b";4\n\nR3;x;5\n'
    table = read_source(write_csv(tmp_path / "q.csv", text))
    assert data_cells(table) == [
        ["R1", "ligne 1\nligne 2", "3"],
        ["R2", "a;b", "4"],
        ["R3", "x", "5"],
    ]
    # the rows a spreadsheet shows: a line break inside a quoted cell starts no new row
    assert table.frame["_source_row"].tolist() == [2, 3, 5]
    assert table.blank_rows == 1


def test_csv_decimal_comma_left_as_text_and_noted(tmp_path: Path) -> None:
    text = "id;part;effectif\nR1;0,25;1 250\nR2;12,5;30\n"
    table = read_source(write_csv(tmp_path / "d.csv", text))
    assert data_cells(table) == [["R1", "0,25", "1 250"], ["R2", "12,5", "30"]]
    assert any("virgule décimale" in note for note in table.notes)


def test_csv_title_lines_above_header(tmp_path: Path) -> None:
    text = "Export du 03/05/2019\n\nIdentifiant;Secteur;Effectif\nR1;banque;12\nR2;industrie;8\n"
    table = read_source(write_csv(tmp_path / "t.csv", text), dictionary=load_dictionary())
    assert table.header_row == 3
    assert table.frame["_source_row"].tolist() == [4, 5]
    assert any("point-virgule" in note for note in table.notes)


def test_csv_ragged_rows_padded(tmp_path: Path) -> None:
    text = "a,b,c\n1,2\n3,4,5,6\n"
    table = read_source(write_csv(tmp_path / "r.csv", text))
    assert table.columns == ["a", "b", "c", "colonne_4"]
    assert data_cells(table) == [["1", "2", None, None], ["3", "4", "5", "6"]]


# --------------------------------------------------------------------------------------------
# Errors


def _truncated_xlsx(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", {"S": [["a"], [1]]})
    bad = tmp / "tronque.xlsx"
    bad.write_bytes(good.read_bytes()[:300])
    return bad


def _protected_xlsx(tmp: Path) -> Path:
    path = tmp / "protege.xlsx"
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    body += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024
    path.write_bytes(body)
    return path


def _empty_sheet(tmp: Path) -> Path:
    return write_xlsx(tmp / "vide.xlsx", {"S": []})


def _no_header(tmp: Path) -> Path:
    return write_xlsx(tmp / "inconnu.xlsx", {"S": [["foo", "bar", "baz"], [1, 2, 3]]})


ERROR_CASES = [
    ("missing", lambda tmp: tmp / "absent.xlsx", "introuvable"),
    ("directory", lambda tmp: (tmp / "dossier.xlsx").mkdir() or tmp / "dossier.xlsx", "dossier"),
    ("empty", lambda tmp: write_csv(tmp / "zero.csv", ""), "vide"),
    (
        "too large",
        lambda tmp: write_csv(tmp / "gros.csv", "a;b\n" + "1;2\n" * 400_000),
        "volumineux",
    ),
    (
        "not a workbook",
        lambda tmp: write_csv(tmp / "faux.xlsx", "\x00\x01binaire", "latin-1"),
        "pas un classeur",
    ),
    ("truncated", _truncated_xlsx, "corrompu"),
    ("protected", _protected_xlsx, "mot de passe"),
    ("binary csv", lambda tmp: write_csv(tmp / "bin.csv", "a;b\x00\x00\x01", "latin-1"), "binaire"),
    ("pdf", lambda tmp: write_csv(tmp / "doc.csv", "%PDF-1.4 ..."), "PDF"),
    ("empty sheet", _empty_sheet, "vide"),
]


@pytest.mark.parametrize(("case", "make", "expected"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_input_errors_name_the_file(tmp_path: Path, case: str, make: Any, expected: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as info:
        read_source(path, max_file_mb=1.0)
    message = str(info.value)
    assert path.name in message
    assert expected in message
    assert "Traceback" not in message


def test_password_message_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="enregistrez-le sans mot de passe"):
        read_source(_protected_xlsx(tmp_path))


def test_no_recognisable_header_with_dictionary(tmp_path: Path) -> None:
    path = _no_header(tmp_path)
    with pytest.raises(InputError) as info:
        read_source(path, dictionary=load_dictionary("entreprises"))
    assert "aucune ligne d'en-tête reconnue dans les 30 premières lignes" in str(info.value)
    assert "iaobs template" in str(info.value)
    assert "inconnu.xlsx" in str(info.value)


def test_calamine_error_translated_with_cause(tmp_path: Path) -> None:
    path = _truncated_xlsx(tmp_path)
    with pytest.raises(InputError) as info:
        read_source(path)
    assert info.value.__cause__ is not None


# --------------------------------------------------------------------------------------------
# Bombs


def _rewrite_member(source: Path, target: Path, member: str, content: bytes) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = content if info.filename == member else zin.read(info.filename)
            zout.writestr(info.filename, data)
    return target


def test_xml_entity_bomb_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["a"], ["x"]]})
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE lolz [<!ENTITY l0 "lol">{entities}]>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    bomb = _rewrite_member(good, tmp_path / "bombe.xlsx", "xl/worksheets/sheet1.xml", bomb_xml)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"bombe\.xlsx.*DTD"):
            read_source(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_doctype_hidden_after_long_comment_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["a"], ["x"]]})
    xml = (
        '<?xml version="1.0"?><!--' + "x" * 70_000 + '--><!DOCTYPE a [<!ENTITY e "e">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData/></worksheet>"
    ).encode()
    bad = _rewrite_member(good, tmp_path / "c.xlsx", "xl/worksheets/sheet1.xml", xml)
    with pytest.raises(InputError, match="DTD"):
        read_source(bad)


def test_zip_bomb_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["a"], ["x"]]})
    padding = b" " * (30 * 1024 * 1024)
    xml = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData/>' + padding + b"</worksheet>"
    )
    bomb = _rewrite_member(good, tmp_path / "zip.xlsx", "xl/worksheets/sheet1.xml", xml)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(InputError, match=r"zip\.xlsx.*(décompressé|compressée)"):
        read_source(bomb, max_file_mb=0.5)


# --------------------------------------------------------------------------------------------
# Property: every non-blank row written is read back, or the file is refused cleanly

CELL = st.one_of(
    st.none(),
    st.just(""),
    st.integers(-10_000, 10_000),
    st.text(alphabet="abcéèàçœŒ€ 0;,\"'\n", min_size=1, max_size=8),
    st.sampled_from(["*", "NA", "02", "0,5", "Éléonore"]),
)


@settings(
    max_examples=int(os.environ.get("IAOBS_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=0, max_size=8),
    fmt=st.sampled_from(["xlsx", "utf-8", "cp1252"]),
    separator=st.sampled_from([";", ",", "\t"]),
)
def test_property_rows_are_never_lost(
    tmp_path: Path, rows: list[list[Any]], fmt: str, separator: str
) -> None:
    header = ["identifiant", "réponse", "commentaire"]

    def blank(row: list[Any]) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)

    expected = sum(1 for row in rows if not blank(row))
    try:
        if fmt == "xlsx":
            path = write_xlsx(tmp_path / "p.xlsx", {"S": [header, *rows]})
        else:
            import csv
            import io

            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=separator, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])
            path = write_csv(tmp_path / "p.csv", buffer.getvalue(), fmt)
        table = read_source(path)
    except InputError as exc:
        event(f"refused: {exc.message[:40]}")
        return
    event(f"read {fmt}")
    assert isinstance(table, RawTable)
    assert len(table.frame) == expected
    assert table.columns[:3] == header
