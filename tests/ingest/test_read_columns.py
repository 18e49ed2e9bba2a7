"""The column-wise CSV reader gives the same raw table as the record-by-record reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import iaobs.ingest.csvfile as csvfile
import iaobs.ingest.read as read
from iaobs.study.dictionary import load_dictionary

MANY = (
    "\n".join(
        ["id_repondant;secteur;effectif;commentaire"]
        + [
            f" R{i} ;{['banque', ' NA ', '', '*', 'Banque'][i % 5]};{i if i % 7 else ' n/a '};"
            f"{['', ' x ', '#N/A', 'é  '][i % 4]} c{i}"
            for i in range(2500)
        ]
    )
    + "\n"
)

CASES = {
    "notes": "Enquête IA 2019\r\n\r\nSource : test\r\nid_repondant;secteur;effectif;;ia_stade\r\n"
    "A1;banque; 1 250 ;;NSP\r\n;;;;\r\nA2;Banque;NA;x;\r\n\r\nTotal;;;;\r\n",
    "ragged": "id_repondant;secteur;effectif\nA1;banque;12;extra\nA2;assurance\n",
    "quoted_newline": 'id_repondant,secteur,commentaire\nA1,banque,"ligne 1\nligne 2"\nA2,assurance,ok\n',
    "lone_cr": "id_repondant;secteur;effectif\rA1;banque;12\rA2;assurance;3\r",
    "no_final_newline": "id_repondant\tsecteur\teffectif\nA1\tbanque\t12\nA2\tassurance\t3",
    "duplicate_headers": "id_repondant;secteur;secteur;_source_row;\nA1;banque;x;5;z\nA2;;;;\n",
    "header_newline": '"id\nrepondant";secteur;effectif\nA1;banque;12\n',
    "quotes": 'id_repondant;secteur;effectif\nA1;"banque; assurance";"1 ""2"""\nA2;ab"c;  \n',
    "blank_end": "id_repondant;secteur;effectif\nA1;banque;12\n\n\n;;\n",
    "many_distinct": MANY,
}


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch, dictionary: object) -> tuple:
    fast = read.read_source(path, dictionary=dictionary)  # type: ignore[arg-type]
    with monkeypatch.context() as m:
        m.setattr(csvfile, "_read_csv_columns", lambda *args: None)
        slow = read.read_source(path, dictionary=dictionary)  # type: ignore[arg-type]
    return fast, slow


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("with_dictionary", [False, True])
def test_same_table_both_ways(
    name: str, with_dictionary: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(CASES[name].encode("cp1252" if name == "notes" else "utf-8"))
    dictionary = load_dictionary() if with_dictionary else None
    fast, slow = _read_both(path, monkeypatch, dictionary)
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    for column in fast.frame.columns:
        assert fast.frame[column].map(type).tolist() == slow.frame[column].map(type).tolist()
    assert (fast.notes, fast.blank_rows, fast.header_row) == (
        slow.notes,
        slow.blank_rows,
        slow.header_row,
    )


def test_column_path_taken_for_one_line_records(tmp_path: Path) -> None:
    path = tmp_path / "simple.csv"
    path.write_text(CASES["notes"], encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    table = csvfile._read_csv_columns(path, text, ";", "x", None, None, [])
    assert table is not None
    assert table.frame["_source_row"].tolist() == [5, 7, 9]
    assert table.blank_rows == 2


def test_quoted_newline_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    text = CASES["quoted_newline"]
    assert csvfile._read_csv_columns(path, text, ",", "x", None, None, []) is None
