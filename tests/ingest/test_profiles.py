"""Tests of iaobs.ingest.profiles: header → dictionary column mapping (template profile)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iaobs.errors import ConfigError
from iaobs.ingest.headers import header_key, recognise_header
from iaobs.ingest.profiles import MappedTable, available_profiles, map_columns
from iaobs.ingest.table import RawTable
from iaobs.study.dictionary import load_dictionary


@pytest.fixture(scope="module")
def entreprises():  # type: ignore[no-untyped-def]
    return load_dictionary("entreprises")


def raw_table(headers: list[str], rows: list[list[object]] | None = None) -> RawTable:
    """A RawTable as the reader would return it, built in memory."""
    rows = rows if rows is not None else [[f"v{j}" for j in range(len(headers))]]
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    frame["_source_file"] = "f.xlsx"
    frame["_source_sheet"] = "S"
    frame["_source_row"] = list(range(2, 2 + len(rows)))
    return RawTable(frame, Path("f.xlsx"), "S", "0" * 64, 1, 0, [])


HEADERS = [
    # variable names and cleaned column names
    ("ia_stade", "ia_stade"),
    ("IA_STADE ", "ia_stade"),
    ("techno__analyse_texte", "techno__analyse_texte"),
    ("besoin_comp__donnees", "besoin_comp__donnees"),
    ("techno", "techno"),
    # French and English labels, accents, case, quotes, spaces
    ("Stade d'adoption de l'IA", "ia_stade"),
    ("stade d’adoption de l’ia", "ia_stade"),
    ("STADE  D'ADOPTION DE L'IA", "ia_stade"),
    ("AI adoption stage", "ia_stade"),
    ("Taille de l'entreprise", "taille"),
    ("Technologies d'IA utilisées", "techno"),
    ("AI technologies used", "techno"),
    # option and item labels
    ("Technologies d'IA utilisées : Reconnaissance vocale", "techno__reconnaissance_vocale"),
    ("Technologies d'IA utilisées - Reconnaissance vocale", "techno__reconnaissance_vocale"),
    ("Technologies d'IA utilisées [Reconnaissance vocale]", "techno__reconnaissance_vocale"),
    ("AI technologies used: Speech recognition", "techno__reconnaissance_vocale"),
    ("Reconnaissance vocale", "techno__reconnaissance_vocale"),
    ("Besoin futur de compétences : Gestion et analyse des données", "besoin_comp__donnees"),
    ("Gestion et analyse des données", "besoin_comp__donnees"),
    # synonyms
    ("SIREN", "siren"),
    ("siren", "siren"),
    ("N° SIREN", "siren"),
    ("Code NAF", "naf_code"),
    ("APE", "naf_code"),
    ("code APE", "naf_code"),
    ("Effectif", "effectif"),
    ("Nombre de salariés", "effectif"),
    ("Département", "departement"),
    ("Dept", "departement"),
    ("E-mail", "email_contact"),
    ("Courriel", "email_contact"),
    ("Email", "email_contact"),
    ("Raison sociale", "raison_sociale"),
    ("Nom de l'entreprise", "raison_sociale"),
    ("ID", "id_repondant"),
    ("Identifiant", "id_repondant"),
    # not recognised: unknown, or an option label shared by several questions
    ("Colonne perso", None),
    ("Autre", None),
    ("", None),
]


@pytest.mark.parametrize(("header", "expected"), HEADERS)
def test_recognise_header(entreprises, header: str, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    assert recognise_header(header, entreprises) == expected


def test_header_key_folds_accents_case_and_punctuation() -> None:
    assert header_key("Stade d’adoption de l’IA ") == header_key("stade_d_adoption_de_l_ia")
    assert header_key("Œuvre") == "oeuvre"


def test_map_columns_renames_and_lists_unmapped(entreprises) -> None:  # type: ignore[no-untyped-def]
    raw = raw_table(["Identifiant", "Stade d'adoption de l'IA", "Code APE", "Remarque interne"])
    mapped = map_columns(raw, entreprises)
    assert isinstance(mapped, MappedTable)
    assert mapped.renamed == {
        "Identifiant": "id_repondant",
        "Stade d'adoption de l'IA": "ia_stade",
        "Code APE": "naf_code",
    }
    assert mapped.unmapped == ["Remarque interne"]
    assert list(mapped.frame.columns) == [
        "id_repondant",
        "ia_stade",
        "naf_code",
        "Remarque interne",
        "_source_file",
        "_source_sheet",
        "_source_row",
    ]
    assert mapped.raw is raw
    assert mapped.frame["_source_row"].tolist() == [2]
    # the raw frame is left untouched
    assert "Identifiant" in raw.frame.columns


def test_two_columns_for_the_same_variable(entreprises) -> None:  # type: ignore[no-untyped-def]
    raw = raw_table(["ia_stade", "Stade d'adoption de l'IA", "secteur"])
    mapped = map_columns(raw, entreprises)
    assert mapped.renamed == {"ia_stade": "ia_stade", "secteur": "secteur"}
    assert "ia_stade.doublon" in mapped.frame.columns
    assert mapped.unmapped == ["ia_stade.doublon"]
    assert any("doublon" in note for note in mapped.notes)
    assert mapped.frame["ia_stade.doublon"].tolist() == ["v1"]


def test_multi_options_and_matrix_items(entreprises) -> None:  # type: ignore[no-untyped-def]
    headers = [
        "Technologies d'IA utilisées : Analyse de texte (fouille de textes)",
        "Technologies d'IA utilisées : Reconnaissance vocale",
        "Besoin futur de compétences [Gestion et analyse des données]",
    ]
    mapped = map_columns(raw_table(headers), entreprises)
    assert list(mapped.renamed.values()) == [
        "techno__analyse_texte",
        "techno__reconnaissance_vocale",
        "besoin_comp__donnees",
    ]
    assert mapped.unmapped == []


def test_formation_dictionary(entreprises) -> None:  # type: ignore[no-untyped-def]
    formation = load_dictionary("formation")
    var = next(iter(formation))
    assert recognise_header(var.label.fr, formation) == var.name
    assert recognise_header(var.name, formation) == var.name


def test_unknown_profile_is_a_config_error(entreprises) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"profil d'import inconnu.*template"):
        map_columns(raw_table(["a"]), entreprises, profile="nimporte")
    assert "template" in available_profiles()
