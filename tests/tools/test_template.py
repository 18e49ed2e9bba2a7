"""Tests of the Excel input template (iaobs.tools.template)."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from iaobs.study.dictionary import load_dictionary
from iaobs.tools.template import DATA_ROWS, template_columns, write_template


@pytest.fixture(scope="module")
def template_fr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "modele.xlsx", load_dictionary())


def test_sheets_and_header(template_fr: Path) -> None:
    workbook = openpyxl.load_workbook(template_fr)
    assert workbook.sheetnames == ["Réponses", "Dictionnaire", "Consignes", "Listes"]
    assert workbook["Listes"].sheet_state == "hidden"
    sheet = workbook["Réponses"]
    names = [c.value for c in sheet[2]]
    expected = [name for name, _, _ in template_columns(load_dictionary())]
    assert names == expected
    assert "ia_usage" not in names
    assert "techno__analyse_texte" in names and "besoin_comp__donnees" in names
    labels = [c.value for c in sheet[1]]
    assert labels[names.index("ia_stade")].endswith("Stade d'adoption de l'IA")
    assert sheet.freeze_panes == "B3"


def test_validations(template_fr: Path) -> None:
    sheet = openpyxl.load_workbook(template_fr)["Réponses"]
    names = [c.value for c in sheet[2]]
    by_column: dict[str, object] = {}
    for validation in sheet.data_validations.dataValidation:
        first = str(validation.sqref).split(":")[0]
        column = names[openpyxl.utils.column_index_from_string(first.rstrip("0123456789")) - 1]
        by_column[column] = validation
        assert str(validation.sqref).endswith(str(DATA_ROWS + 2))
    assert set(by_column) == set(names)  # every column has a validation or an input message
    stage = by_column["ia_stade"]
    assert stage.type == "list" and stage.formula1.startswith("'Listes'!")
    hires = by_column["recrutements_ia_12m"]
    assert hires.type == "whole" and hires.formula1 == "0"
    assert by_column["date_reponse"].type == "date"
    assert by_column["techno__analyse_texte"].type == "list"
    assert "Stade d'adoption" in stage.prompt
    # the list holds the labels, NSP included
    lists = openpyxl.load_workbook(template_fr)["Listes"]
    column = stage.formula1.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")
    values = [c.value for c in lists[column] if c.value]
    assert values[1:] == [
        "Aucun usage ni projet",
        "Veille, réflexion",
        "Expérimentation (test, POC)",
        "Déploiement partiel",
        "Déploiement généralisé",
        "NSP (ne sait pas)",
    ]


def test_dictionary_sheet_lists_every_variable(template_fr: Path) -> None:
    sheet = openpyxl.load_workbook(template_fr)["Dictionnaire"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("N°", "Variable", "Colonnes", "Libellé (français)")
    listed = [r[1] for r in rows[1:]]
    assert listed == list(load_dictionary().variables)
    siren = next(r for r in rows if r[1] == "siren")
    assert "confidentielle" in siren[9]


def test_instructions_and_english(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx", load_dictionary(), language="en")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Responses", "Data dictionary", "Instructions", "Lists"]
    labels = [c.value for c in workbook["Responses"][1]]
    assert any(label.endswith("AI adoption stage") for label in labels)
    text = " ".join(str(c.value) for c in workbook["Instructions"]["A"] if c.value)
    assert "Don't know" in text and "confidential" in text.lower()
    french = openpyxl.load_workbook(write_template(tmp_path / "modele.xlsx", load_dictionary()))
    consignes = " ".join(str(c.value) for c in french["Consignes"]["A"] if c.value)
    assert "NSP" in consignes and "supprimées au nettoyage" in consignes


def test_same_dictionary_same_bytes(tmp_path: Path, template_fr: Path) -> None:
    again = write_template(tmp_path / "again.xlsx", load_dictionary())
    assert again.read_bytes() == template_fr.read_bytes()


def test_training_questionnaire_template(tmp_path: Path) -> None:
    path = write_template(tmp_path / "formation.xlsx", load_dictionary("formation"))
    names = [c.value for c in openpyxl.load_workbook(path)["Réponses"][2]]
    assert names[:2] == ["id_participant", "vague"] and "auto_eval__cadre_legal" in names


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.skipif(not _has("iaobs.ingest.read"), reason="the reader is not there yet")
def test_reader_picks_the_names_row(template_fr: Path) -> None:
    from iaobs.ingest.read import read_source

    table = read_source(template_fr, dictionary=load_dictionary())
    assert table.header_row == 2
    assert table.sheet == "Réponses"


def _fill(path: Path) -> None:
    """Two companies answered with labels picked from the drop-down lists."""
    dictionary = load_dictionary()
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Réponses"]
    names = [c.value for c in sheet[2]]
    rows = [
        {
            "id_repondant": "R-001",
            "date_reponse": datetime(2019, 4, 2),
            "siren": "732829320",
            "raison_sociale": "Exemple Conseil",
            "email_contact": "a.b@exemple.example.com",
            "naf_code": "69.20Z",
            "secteur": "Expertise comptable",
            "departement": "Nord",
            "effectif": 12,
            "taille": "PME (10-249 salariés)",
            "recrutements_ia_12m": 1,
            "ia_stade": "Déploiement partiel",
            "techno": {"analyse_texte", "generation_langage"},
        },
        {
            "id_repondant": "R-002",
            "date_reponse": datetime(2019, 4, 3),
            "siren": "552100554",
            "raison_sociale": "Transports Exemple",
            "email_contact": "c.d@transports.example.com",
            "naf_code": "49.41A",
            "secteur": "Transport et logistique",
            "departement": "Aisne",
            "effectif": 4,
            "taille": "TPE (0-9 salariés)",
            "recrutements_ia_12m": 0,
            "ia_stade": "Aucun usage ni projet",
            "techno": set(),
        },
    ]
    for r, spec in enumerate(rows, start=3):
        for j, column in enumerate(names, start=1):
            var, sub = dictionary.variable_of_column(column)
            if column in spec:
                value = spec[column]
            elif var.type == "multi":
                chosen = spec["techno"] if var.name == "techno" else {next(iter(var.options))}
                if var.name in {"usages", "mode_acquisition"} and not spec["techno"]:
                    continue
                value = "Oui" if sub in chosen else "Non"
            elif var.is_coded:
                codes = list(var.codes)
                value = var.codes[codes[min(2, len(codes) - 1)]].fr
                if var.name == "statut_reponse":
                    value = "Complet"
                if var.name == "difficulte_recrutement" and spec["recrutements_ia_12m"] == 0:
                    value = var.missing["sans_objet"].fr
                if var.name == "dialogue_social" and spec["effectif"] < 11:
                    value = var.codes["pas_de_cse"].fr
            else:
                continue
            sheet.cell(row=r, column=j, value=value)
    workbook.save(path)


@pytest.mark.skipif(not _has("iaobs.pipeline.clean"), reason="the cleaner is not there yet")
def test_filled_template_cleans_without_findings(template_fr: Path, tmp_path: Path) -> None:
    from iaobs.pipeline.clean import validate_files

    path = tmp_path / "rempli.xlsx"
    path.write_bytes(template_fr.read_bytes())
    _fill(path)
    findings, summary = validate_files([path])
    assert summary["files"][0]["read"] == 2
    assert summary["files"][0]["kept"] == 2
    assert summary["files"][0]["unmapped_columns"] in ([], 0, None)
    assert findings.empty, findings[["column", "value", "rule", "message"]].to_string()
