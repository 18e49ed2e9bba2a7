"""``iaobs map suggest`` on exports nobody here wrote: long full-text headers in three
languages, a plain CSV, compressed files; its draft always reloads."""

from __future__ import annotations

import bz2
import csv
import gzip
import lzma
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaobs.ingest.profiles import map_columns, read_for_profile
from iaobs.ingest.profiles.mapping import TO_COMPLETE, load_mapping
from iaobs.ingest.read import read_source
from iaobs.prepare.clean import clean_responses
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.suggest import suggest_mapping, write_mapping_suggestion, yaml_key

DICTIONARY = load_dictionary()

LONG_SECTOR_EN = (
    "Which sector of activity does your company mainly belong to? Please choose the one that "
    "best describes the main activity of the establishment that answers this questionnaire, "
    "even if the group it belongs to works in several sectors: [Sector]"
)
LONG_SIZE_DE = (
    "Wie viele Mitarbeiter beschäftigt Ihr Unternehmen derzeit insgesamt? Bitte zählen Sie "
    "alle Beschäftigten am Standort, einschließlich Teilzeitkräfte, Auszubildende und "
    "befristet Angestellte, aber ohne Leiharbeitnehmer: Anzahl"
)
LONG_GENAI_FR = (
    "Votre entreprise utilise-t-elle aujourd'hui des outils d'IA générative (par exemple "
    "ChatGPT, Copilot, Mistral, Gemini ou un outil développé en interne) dans le cadre de "
    "son activité professionnelle, quel que soit le service concerné ?"
)
LONG_OPINION = (
    "Dans quelle mesure êtes-vous d'accord avec l'affirmation suivante : « l'intelligence "
    "artificielle représente une menace pour l'emploi dans mon secteur d'activité au cours des "
    "cinq prochaines années » ? Merci de répondre pour l'entreprise et non à titre personnel."
)


def _plain_csv(folder: Path, name: str = "export.csv") -> Path:
    """A plain CSV of another survey tool: row 1 is a header no dictionary label matches."""
    header = ["Respondent", LONG_SECTOR_EN, LONG_SIZE_DE, LONG_GENAI_FR, LONG_OPINION, "Notes"]
    assert all(len(h) > 128 for h in header[1:5])
    rows = [
        header,
        ["1", "Banking / finance", "12", "Oui", "Plutôt d'accord", "free text one"],
        ["2", "Manufacturing industry", "250", "Non", "I don't know.", "another answer"],
        ["3", "Agriculture", "8", "Je ne sais pas", "Weiß nicht", "x"],
        ["4", "Banking / finance", "40", "Oui", "Tout à fait d'accord", ""],
    ]
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_yaml_key_of_a_long_header_reloads() -> None:
    text = f"columns:\n  {yaml_key(LONG_SECTOR_EN)}: secteur\n  {yaml_key('a: b # c')}: null\n"
    assert yaml.safe_load(text)["columns"] == {LONG_SECTOR_EN: "secteur", "a: b # c": None}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=400))
def test_yaml_key_round_trips_any_text(header: str) -> None:
    text = f"columns:\n  {yaml_key(header)}: secteur  # comment\nvalues: {{}}\n"
    assert yaml.safe_load(text)["columns"] == {header: "secteur"}


def test_plain_csv_gets_the_spreadsheet_profile_and_a_draft_that_loads(tmp_path: Path) -> None:
    export = _plain_csv(tmp_path)
    draft = tmp_path / "map.yaml"
    path, profile, todo = write_mapping_suggestion(export, draft, DICTIONARY)
    assert profile == "tableur"
    data = yaml.safe_load(path.read_text("utf-8"))  # long headers: never complex keys
    assert not any(line.startswith("? ") for line in path.read_text("utf-8").splitlines())
    columns = data["columns"]
    assert columns[LONG_SECTOR_EN] == "secteur"  # English full text
    assert columns[LONG_SIZE_DE] == "effectif"  # German full text, headcounts as numbers
    assert columns[LONG_GENAI_FR] == "ia_generative"
    # values only for the columns it mapped: nothing under a column left to complete
    assert set(data["values"]) <= {"secteur", "ia_generative"}
    assert "free text one" not in path.read_text("utf-8")
    assert data["values"]["secteur"]["Banking / finance"] == "banque"
    assert data["values"]["secteur"]["Agriculture"] is None  # to complete (or hors_champ)
    assert todo >= 1 and TO_COMPLETE in path.read_text("utf-8")
    # completed as a partner would, then loaded and used
    data["values"]["secteur"]["Agriculture"] = "hors_champ"
    for column, target in list(columns.items()):
        if target is None:
            columns[column] = "ignore"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    spec = load_mapping(path, DICTIONARY)
    assert spec.profile == "tableur"
    raw = read_for_profile(export, "mapping", DICTIONARY, mapping=path)
    mapped = map_columns(raw, DICTIONARY, profile="mapping", mapping=path)
    result = clean_responses(mapped.frame, DICTIONARY)
    assert result.quality["out_of_scope"] == 1
    assert result.quality["read"] == (
        result.quality["kept"] + result.quality["rejected"] + result.quality["out_of_scope"]
    )


def test_dont_know_in_three_languages_is_nsp_not_no(tmp_path: Path) -> None:
    text = suggest_mapping(read_source(_plain_csv(tmp_path)), DICTIONARY)
    data = yaml.safe_load(text)
    for table in data["values"].values():
        for answer in ("I don't know.", "Weiß nicht", "Je ne sais pas"):
            assert table.get(answer) in (None, "nsp") or answer not in table
    assert "non" not in {v for t in data["values"].values() for k, v in t.items() if "know" in k}


def test_german_yes_no_and_dont_know_are_read() -> None:
    var = DICTIONARY["nouveaux_metiers"]
    from iaobs.prepare.values import recode_value

    assert recode_value("Ja", var)[0] == "oui"
    assert recode_value("Nein", var)[0] == "non"
    assert recode_value("Weiß nicht", var)[0] == "nsp"
    assert recode_value("I don't know.", var)[0] == "nsp"


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zip"])
def test_compressed_exports_are_read_and_named_as_received(tmp_path: Path, kind: str) -> None:
    plain = _plain_csv(tmp_path, "reponses.csv")
    data = plain.read_bytes()
    target = tmp_path / f"reponses.csv.{kind}" if kind != "zip" else tmp_path / "reponses.zip"
    if kind == "gz":
        target.write_bytes(gzip.compress(data))
    elif kind == "bz2":
        target.write_bytes(bz2.compress(data))
    elif kind == "xz":
        target.write_bytes(lzma.compress(data))
    else:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("export/reponses.csv", data)
    expected = read_source(plain)
    table = read_source(target)
    assert table.columns == expected.columns
    assert len(table.frame) == len(expected.frame) == 4
    assert set(table.frame["_source_file"]) == {target.name}
    assert table.file == target
    # and map suggest drafts it without --profile
    _path, profile, _todo = write_mapping_suggestion(target, tmp_path / "m.yaml", DICTIONARY)
    assert profile == "tableur"


def test_an_archive_with_two_tables_is_refused_clearly(tmp_path: Path) -> None:
    from iaobs.errors import InputError

    target = tmp_path / "deux.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("a.csv", "x,y\n1,2\n")
        archive.writestr("b.csv", "x,y\n1,2\n")
    with pytest.raises(InputError, match="exactement un tableau"):
        read_source(target)


def test_a_decompression_bomb_is_refused(tmp_path: Path) -> None:
    from iaobs.errors import InputError

    target = tmp_path / "bomb.csv.gz"
    target.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 2_000_000))
    with pytest.raises(InputError, match="décompressé"):
        read_source(target, max_file_mb=0.01)


_HEADER_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip() != "")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(headers=st.lists(_HEADER_TEXT, min_size=1, max_size=4, unique_by=lambda t: t.strip()))
def test_the_draft_of_any_headers_reloads_and_names_them(
    tmp_path: Path, headers: list[str]
) -> None:
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["Identifiant", "Secteur", *headers])
        writer.writerow(["A1", "Banque", *["x"] * len(headers)])
    draft = tmp_path / "draft.yaml"
    write_mapping_suggestion(export, draft, DICTIONARY)
    data = yaml.safe_load(draft.read_text("utf-8"))  # never a complex key, never a parse error
    raw = read_source(export)
    assert set(data["columns"]) <= set(raw.columns)
    for column in raw.columns:
        target = data["columns"].get(column, "absent")
        if target is None:  # to complete: the partner can, and the file still loads
            data["columns"][column] = "ignore"
    draft.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    load_mapping(draft, DICTIONARY)
