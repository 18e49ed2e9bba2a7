"""Mapping files (values, ignore, checks) and ``iaobs map suggest``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from iaobs.cli import main
from iaobs.errors import ConfigError
from iaobs.ingest.profiles import map_columns, read_for_profile
from iaobs.ingest.profiles.mapping import TO_COMPLETE, load_mapping
from iaobs.prepare.clean import clean_responses
from iaobs.prepare.profile_rejects import apply_profile_rejects
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.suggest import write_mapping_suggestion

sys.path.insert(0, str(Path(__file__).parents[1]))
import exports

DICTIONARY = load_dictionary()


def _write(tmp_path: Path, text: str, name: str = "map.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "partenaire.csv"
    path.write_text(
        "Identifiant;Activité;Taille;Site web;Q99;Commentaire libre\n"
        "A1;Banque / Finance;Moins de 10;Oui;x;RAS\n"
        "A2;Transport;10 à 249;Non;y;\n"
        "A3;Banque / Finance;10 à 249;Oui;z;à revoir\n",
        "utf-8",
    )
    return path


MAPPING = """profile: template
columns:
  Identifiant: id_repondant
  Activité: secteur
  Taille: taille
  Q99: ignore
  Site web: null
values:
  secteur: {"Banque / Finance": banque, "Transport": transport_logistique}
  taille: {"Moins de 10": tpe, "10 à 249": pme}
"""


def test_mapping_file_values_and_ignore(tmp_path: Path) -> None:
    mapping = _write(tmp_path, MAPPING)
    raw = read_for_profile(_csv(tmp_path), "mapping", DICTIONARY, mapping=mapping)
    mapped = map_columns(raw, DICTIONARY, profile="mapping", mapping=mapping)
    assert mapped.renamed == {
        "Identifiant": "id_repondant",
        "Activité": "secteur",
        "Taille": "taille",
        "Commentaire libre": "commentaire",
    }
    assert mapped.ignored == ["Q99"] and "Q99" not in mapped.frame
    assert mapped.unmapped == ["Site web"]  # left to complete: reported, kept
    assert any("ignorées" in note and "Q99" in note for note in mapped.notes)
    assert any("à compléter" in note and "Site web" in note for note in mapped.notes)
    result = clean_responses(mapped.frame, DICTIONARY)
    assert list(result.responses["secteur"].astype(str)) == [
        "banque",
        "transport_logistique",
        "banque",
    ]
    assert list(result.responses["taille"].astype(str)) == ["tpe", "pme", "pme"]
    assert result.rejects.empty


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: {Activité: secteurr}", "vouliez-vous dire « secteur »"),
        ("values: {secteur: {Banque: banq}}", "code inconnu"),
        ("values: {effectif: {dix: 10}}", "pas une variable à codes"),
        ("profile: limesurvay", "vouliez-vous dire « limesurvey »"),
        ("colonnes: {}", "clé inconnue"),
        ("columns: [a, b", "mal formé ligne"),
        ("reponses_incompletes: peut-être", "rejeter"),
    ],
)
def test_mapping_file_errors_name_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_mapping(path, DICTIONARY)
    assert message in str(info.value)
    assert "map.yaml" in str(info.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        load_mapping(tmp_path / "absent.yaml", DICTIONARY)


def test_suggest_on_a_foreign_limesurvey_export_then_complete_maps_and_cleans(
    tmp_path: Path,
) -> None:
    export = exports.limesurvey_foreign_export(tmp_path)
    draft = tmp_path / "draft.yaml"
    path, profile, todo = write_mapping_suggestion(export, draft, DICTIONARY)
    assert profile == "limesurvey" and path == draft
    text = draft.read_text("utf-8")
    assert todo > 0 and TO_COMPLETE in text
    assert "meilleure proposition" in text
    data = yaml.safe_load(text)
    assert data["profile"] == "limesurvey"
    # what the draft found on its own
    assert data["columns"]["Q05[SQ001]. Technologies d'IA utilisées [Analyse de textes]"] == (
        "techno__analyse_texte"
    )
    assert data["values"]["taille"]["Moins de 10 salariés"] == "tpe"
    # the partner completes the entries marked À COMPLÉTER (and only those)
    completed = 0
    for column, target in data["columns"].items():
        if target is None:
            data["columns"][column] = exports.FOREIGN_COLUMNS[column]
            completed += 1
        else:
            assert target == exports.FOREIGN_COLUMNS[column], column
    for variable, table in data["values"].items():
        for answer, code in table.items():
            if code is None:
                table[answer] = exports.FOREIGN_VALUES[variable][answer]
                completed += 1
            else:
                assert code == exports.FOREIGN_VALUES[variable].get(answer, code), answer
    assert completed == todo
    final = _write(tmp_path, yaml.safe_dump(data, allow_unicode=True), "final.yaml")
    raw = read_for_profile(export, "mapping", DICTIONARY, mapping=final)
    mapped = map_columns(raw, DICTIONARY, profile="mapping", mapping=final)
    assert mapped.unmapped == []
    assert set(mapped.ignored) >= {
        "Q03. Avez-vous un site internet ?",
        "Q06. Nombre de sites en région",
    }
    result = apply_profile_rejects(clean_responses(mapped.frame, DICTIONARY), mapped.frame)
    assert result.rejects.empty, result.rejects.to_dict("records")
    responses = result.responses
    for column in ("secteur", "taille", "ia_stade"):
        assert list(responses[column].astype(str)) == exports.EXPECTED[column], column
    assert list(responses["techno__generation_images"].astype("Float64").fillna(-1)) == [
        0,
        -1,
        1,
        1,
        -1,
    ]
    assert result.findings.empty, result.findings.to_dict("records")


def test_cli_map_suggest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = exports.google_forms_export(tmp_path)
    code = main(["map", "suggest", str(export)])
    out = capsys.readouterr().out
    assert code == 0
    written = tmp_path / "google_forms.mapping.yaml"
    assert written.exists() and "google-forms" in out
    data = yaml.safe_load(written.read_text("utf-8"))
    assert data["profile"] == "google-forms"
    assert data["columns"]["Secteur de l'observatoire"] == "secteur"
    # nothing to complete: every column is one of ours
    assert "# 0 entrée à compléter" in written.read_text("utf-8")
    assert data["values"] == {}


def test_cli_map_suggest_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["map", "suggest", str(tmp_path / "absent.csv"), "--profile", "limesurvey"])
    assert code == 1
    assert "introuvable" in capsys.readouterr().err
