"""Tests of the synthetic sample study (iaobs.tools.sample)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from iaobs.study.config import load_study
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import POPULATION_MODEL, luhn_valid, population_margins, write_sample_study

N_SMALL = 60


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    write_sample_study(root, seed=7, n_companies=N_SMALL)
    return root


@pytest.fixture(scope="module")
def truth(study: Path) -> dict:
    return json.loads((study / "data" / "raw" / "sample_truth.json").read_text("utf-8"))


def test_same_seed_gives_byte_identical_files(study: Path, tmp_path: Path) -> None:
    again = write_sample_study(tmp_path, seed=7, n_companies=N_SMALL)
    # with the two SIRENE extracts, the actors list (3 files) and the training catalogue
    assert len(again) == 17
    for path in again:
        original = study / path.relative_to(tmp_path)
        assert path.read_bytes() == original.read_bytes(), path.name


def test_population_margins_are_positive_and_stated() -> None:
    margins = population_margins()
    assert list(margins.columns) == ["secteur", "taille", "departement", "n_entreprises"]
    assert (margins["n_entreprises"] > 0).all()
    assert margins["n_entreprises"].sum() == sum(POPULATION_MODEL["firms_by_sector"].value.values())
    dictionary = load_dictionary()
    assert set(margins["secteur"]) == set(dictionary.sectors)
    assert set(margins["departement"]) == set(dictionary.departements)
    # every model assumption says where it comes from
    assert all(a.source for a in POPULATION_MODEL.values())


def test_margins_file_and_readme(study: Path) -> None:
    margins = pd.read_csv(
        study / "data" / "reference" / "population.csv", dtype={"departement": str}
    )
    assert margins.equals(population_margins())
    readme = (study / "data" / "reference" / "README.md").read_text("utf-8")
    assert "illustratifs" in readme and "Sirene" in readme and "URSSAF" in readme


def test_respondent_cells_have_population_and_one_stratum_is_empty(truth: dict) -> None:
    cells = pd.DataFrame(truth["_meta"]["respondents_by_cell"])
    by_stratum = cells.groupby(["secteur", "taille"])[["n_entreprises", "repondants"]].sum()
    assert (by_stratum.loc[by_stratum["repondants"] > 0, "n_entreprises"] > 0).all()
    assert ((by_stratum["n_entreprises"] > 0) & (by_stratum["repondants"] == 0)).any()
    assert (cells["repondants"] <= cells["n_entreprises"]).all()
    assert cells["repondants"].sum() == N_SMALL


def test_every_sector_has_its_file_and_the_study_loads(study: Path) -> None:
    loaded = load_study(study)
    assert loaded.title == "Observatoire régional de l'intelligence artificielle et des compétences"
    assert loaded.region == "Hauts-de-France" and loaded.wave == "2019" and loaded.language == "fr"
    assert loaded.margins == (study / "data" / "reference" / "population.csv").resolve()
    company = [s for s in loaded.sources if s.questionnaire == "entreprises"]
    assert {s.sector for s in company} == set(load_dictionary().sectors)
    assert all(s.profile == "template" for s in loaded.sources)
    assert [s.path.name for s in loaded.sources if s.questionnaire == "formation"] == [
        "formation_pilote.xlsx"
    ]
    assert sum(s.path.suffix == ".csv" for s in company) == 1


def test_truth_has_the_main_indicators(truth: dict) -> None:
    dictionary = load_dictionary()
    domains = (
        {"all"}
        | {f"secteur={s}" for s in dictionary.sectors}
        | {f"taille={t}" for t in dictionary.size_classes}
    )
    for indicator, level in [
        ("ia_usage", ""),
        ("ia_stade", "experimentation"),
        ("ia_generative", "outil_entreprise"),
        ("techno__analyse_texte", ""),
        ("impact_effectifs", "legere_baisse"),
        ("besoin_comp__donnees", "top2"),
        ("part_formes_ia", "aucun"),
        ("opinion_opportunite", "top2"),
        ("freins__couts", ""),
        ("usages__logistique", ""),
    ]:
        values = truth[indicator][level]
        assert set(values) == domains, indicator
        assert all(0 <= v <= 1 for v in values.values()), indicator
        assert indicator in truth["_definitions"]
    # substantive levels exclude NSP from their base: they sum to one
    stage = truth["ia_stade"]
    assert sum(stage[c]["all"] for c in dictionary["ia_stade"].codes) == pytest.approx(1, abs=1e-5)
    # larger firms and software adopt more (the calibrated part of the model)
    usage = truth["ia_usage"][""]
    assert usage["taille=tpe"] < usage["taille=pme"] < usage["taille=eti"]
    assert usage["secteur=logiciel"] > usage["secteur=transport_logistique"]
    assert truth["_formation"]["participants"] == {"T0": 100, "T1": 90, "T2": 70}


@pytest.mark.parametrize(
    ("number", "valid"),
    [("732829320", True), ("732 829 320", True), ("732829321", False), ("12345", False)],
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


def _raw_text(study: Path) -> str:
    """Every cell of every raw file, as text."""
    parts = []
    for path in sorted((study / "data" / "raw" / "2019").iterdir()):
        if path.suffix == ".csv":
            parts.append(path.read_bytes().decode("cp1252"))
        else:
            workbook = openpyxl.load_workbook(path, read_only=True)
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    parts.extend(str(v) for v in row if v is not None)
            workbook.close()
    return "\n".join(parts)


def test_confidential_values_are_planted(study: Path, truth: dict) -> None:
    planted = truth["planted_confidential"]
    assert set(planted) == {"siren", "raison_sociale", "email_contact", "nom_prenom"}
    assert len(planted["siren"]) >= N_SMALL and all(luhn_valid(s) for s in planted["siren"])
    assert len(planted["nom_prenom"]) == 100
    text = _raw_text(study)
    for kind in ("raison_sociale", "email_contact", "nom_prenom"):
        assert all(value in text for value in planted[kind]), kind
    assert all(e.split("@")[1].endswith(".example.com") for e in planted["email_contact"])


def test_french_csv(study: Path) -> None:
    data = (study / "data" / "raw" / "2019" / "expertise_comptable.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    header = text.splitlines()[0]
    assert header.count(";") > 50
    assert "Cœur de Métiers" in text
    assert "\r\n" in text
    frame = pd.read_csv(
        (study / "data" / "raw" / "2019" / "expertise_comptable.csv"),
        sep=";",
        encoding="cp1252",
        dtype=str,
    )
    hires = frame["Recrutements prévus de profils IA ou données (12 mois)"].dropna()
    assert hires.str.fullmatch(r"\d+,0").any()


def test_messy_workbooks(study: Path, truth: dict) -> None:
    raw = study / "data" / "raw" / "2019"
    banque = openpyxl.load_workbook(raw / "banque.xlsx", read_only=True)
    assert banque.sheetnames == ["Réponses", "Consignes"]
    rows = list(banque["Réponses"].iter_rows(max_row=4, values_only=True))
    assert rows[0][0].startswith("Enquête") and rows[3][0] == "id_repondant"
    assert banque.properties.created.year == 2019
    banque.close()
    logiciel = openpyxl.load_workbook(raw / "logiciel.xlsx", read_only=True)
    assert logiciel.sheetnames == ["Lisez-moi", "Réponses"]
    header = next(logiciel["Réponses"].iter_rows(max_row=1, values_only=True))
    assert "Technologies d'IA utilisées : Analyse de texte (fouille de textes)" in header
    assert "Fonctions concernées par l'IA" in header  # a multi answered in one cell
    assert "ia_usage" not in header and "Utilise au moins une technologie d'IA" not in header
    logiciel.close()
    kinds = {d["kind"] for d in truth["planted_defects"]}
    assert {
        "ligne_vide",
        "naf_secteur_incoherent",
        "effectif_impossible",
        "date_future",
        "recrutements_aberrants",
        "secteur_inconnu",
        "ligne_total",
    } <= kinds


def test_pilot_training_file(study: Path) -> None:
    workbook = openpyxl.load_workbook(
        study / "data" / "raw" / "2019" / "formation_pilote.xlsx", read_only=True
    )
    rows = [r for r in workbook["Passations"].iter_rows(values_only=True)]
    workbook.close()
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Code participant (pseudonyme)")
    assert header_at > 0
    data = [r for r in rows[header_at + 1 :] if any(v is not None for v in r)]
    assert len(data) == 260
    assert len({r[0] for r in data}) == 100
