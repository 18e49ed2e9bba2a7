"""The curated actors file: its schema, template and errors naming row and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaobs.actors import schema

HEADER = ",".join(schema.ACTOR_COLUMNS)


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "acteurs.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", "utf-8")
    return path


def test_template_is_valid_and_documented(tmp_path: Path) -> None:
    written = schema.write_actors_template(tmp_path)
    assert {p.name for p in written} == {"acteurs.csv", "acteurs.schema.json", "LISEZMOI.md"}
    assert schema.validate_actors(tmp_path / "acteurs.csv") == []
    published = json.loads((tmp_path / "acteurs.schema.json").read_text("utf-8"))
    assert [f["name"] for f in published["fields"]] == list(schema.ACTOR_COLUMNS)
    readme = (tmp_path / "LISEZMOI.md").read_text("utf-8")
    assert "laboratoire" in readme and "répondu à l'enquête" in readme


def test_template_never_overwrites_a_kept_list(tmp_path: Path) -> None:
    kept = _write(tmp_path, "13002654400014,Labo,laboratoire,,59350,59,,site,2019-03-01")
    schema.write_actors_template(tmp_path)
    assert "Labo" in kept.read_text("utf-8")


def test_example_row_is_valid(tmp_path: Path) -> None:
    schema.write_actors_template(tmp_path, example=True)
    assert schema.validate_actors(tmp_path / "acteurs.csv") == []
    assert len(schema.read_actors(tmp_path / "acteurs.csv")) == 1


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("1300265440001,Labo,laboratoire,,,59,,,", "siret", "14 chiffres"),
        (",Labo,labo,,,59,,,", "type", "choisissez parmi"),
        (",,laboratoire,,,59,,,", "nom", "obligatoire"),
        (",Labo,laboratoire,,,99,,,", "departement", "code de département"),
        (",Labo,laboratoire,,,59,www.exemple,,", "site_web", "https://"),
        (",Labo,laboratoire,,,59,,,01/03/2019", "date_maj", "AAAA-MM-JJ"),
    ],
)
def test_each_error_names_row_and_field(tmp_path: Path, line: str, field: str, words: str) -> None:
    path = _write(tmp_path, ",Bon acteur,startup,,Lille,59,,,", line)
    problems = schema.validate_actors(path)
    assert [(p.row, p.field) for p in problems] == [(3, field)]
    text = str(problems[0])
    assert text.startswith("acteurs.csv, ligne 3, colonne « " + field + " » : ")
    assert words in text


def test_every_problem_at_once_and_duplicate_siret(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "13002654400014,A,startup,,,59,,,",
        "13002654400014,B,startup,,,59,,,",
        ",,inconnu,,,59,,,",
    )
    found = {(p.row, p.field) for p in schema.validate_actors(path)}
    assert found == {(3, "siret"), (4, "nom"), (4, "type")}


def test_missing_file_and_bad_header(tmp_path: Path) -> None:
    (problem,) = schema.validate_actors(tmp_path / "absent.csv")
    assert "iaobs init" in problem.message
    path = tmp_path / "acteurs.csv"
    path.write_text("siret,name,type\n,Labo,startup\n", "utf-8")
    assert any(p.row in (None, 1) for p in schema.validate_actors(path))


def test_read_actors_keeps_line_numbers_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "acteurs.csv"
    path.write_text(
        HEADER.replace(",", ";") + "\n;Labo;laboratoire;;Lille;59;;;\n\n;Start;startup;;;62;;;\n",
        "utf-8",
    )
    rows = schema.read_actors(path)
    assert [(r["nom"], r["_ligne"]) for r in rows] == [("Labo", "2"), ("Start", "4")]
