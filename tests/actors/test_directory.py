"""The directory: selection of SIRENE establishments, merge with the curated list, placement and
non-diffusible units."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from actors_stock import HDF, NAF

from iaobs.actors.directory import build_directory, normalise_naf, public_directory
from iaobs.core import geo


def _curated(**values: str) -> dict[str, str]:
    row = dict.fromkeys(
        (
            "siret",
            "nom",
            "type",
            "sous_type",
            "commune",
            "departement",
            "site_web",
            "source",
            "date_maj",
        ),
        "",
    )
    row.update(values)
    return row


@pytest.mark.parametrize(
    ("raw", "code"), [("6201Z", "62.01Z"), (" 62.01z ", "62.01Z"), ("62.01Z", "62.01Z"), ("", "")]
)
def test_normalise_naf(raw: str, code: str) -> None:
    assert normalise_naf(raw) == code


def test_sirene_alone_keeps_active_regional_ai_establishments(sirene: pd.DataFrame) -> None:
    directory = build_directory(sirene, departements=HDF)
    # 5: closed, 6: Paris, 7: not an AI-supply code (all dropped by the SIRENE reader)
    assert len(directory) == 4
    named = public_directory(directory)
    assert set(named["siret"]) == {"11111111100011", "22222222200022", "44444444400044"}
    assert set(directory["activite"]) == {"62.01Z", "63.11Z", "72.19Z"}
    assert (directory["type"] == "entreprise").all()


def test_curated_row_wins_on_its_siret_and_completes_from_sirene(
    sirene: pd.DataFrame, read_sirene
) -> None:
    curated = [
        _curated(siret="11111111100011", nom="Nom choisi", type="startup", departement="59"),
        _curated(
            siret="77777777700077",
            nom="Université de Lille",
            type="enseignement",
            departement="59",
            site_web="https://www.univ-lille.fr",
        ),
        _curated(nom="Labo X", type="laboratoire", commune="Compiègne", departement="60"),
        _curated(nom="labo x", type="laboratoire", commune="Compiègne", departement="60"),
    ]
    listed = read_sirene(naf=["01.*-99.*"])
    listed = listed[listed["siret"] == "77777777700077"]
    directory = build_directory(sirene, curated, departements=HDF, listed=listed)
    directory = directory.set_index("identifiant")
    first = directory.loc["11111111100011"]
    assert (first["nom"], first["type"], first["origine"]) == (
        "Nom choisi",
        "startup",
        "sirene+liste",
    )
    assert first["precision"] == "adresse"  # SIRENE's coordinates kept
    university = directory.loc["77777777700077"]  # outside the AI codes, found by its SIRET
    assert university["activite"] == "85.42Z" and university["commune"] == "Lille"
    labs = directory[directory["nom"].str.lower() == "labo x"]
    assert len(labs) == 1 and labs["precision"].iat[0] == "commune"  # deduplicated
    assert len(directory) == 4 + 2  # SIRENE's four + the university + the lab
    assert directory.index.is_unique


def test_curated_siret_unknown_to_sirene_is_kept(sirene: pd.DataFrame) -> None:
    curated = [
        _curated(
            siret="99999999900099",
            nom="Hors extrait",
            type="public",
            commune="80021",
            departement="80",
        )
    ]
    directory = build_directory(sirene, curated, departements=HDF).set_index("identifiant")
    row = directory.loc["99999999900099"]
    assert (row["origine"], row["precision"], row["commune"]) == ("liste", "commune", "")
    assert geo.departement_of_point(row["longitude"], row["latitude"]) == "80"


def test_non_diffusible_units_are_counted_never_named_nor_placed(sirene: pd.DataFrame) -> None:
    curated = [
        _curated(
            siret="33333333300033",
            nom="Nommée par la liste",
            type="startup",
            commune="Lille",
            departement="59",
            site_web="https://secret.fr",
        )
    ]
    directory = build_directory(sirene, curated, departements=HDF)
    hidden = directory[~directory["diffusible"]]
    assert len(hidden) == 1
    row = hidden.iloc[0]
    assert row["departement"] == "59" and row["type"] == "startup"  # counted where it belongs
    assert row["nom"] == row["siret"] == row["commune"] == row["site_web"] == ""
    assert math.isnan(row["longitude"]) and row["precision"] == "departement"
    assert row["identifiant"].startswith("P")
    text = directory.to_csv()
    assert "33333333300033" not in text and "SECRET" not in text and "Nommée" not in text
    assert "704100" not in text
    assert "33333333300033" not in public_directory(directory).to_csv()
    assert len(public_directory(directory)) == len(directory) - 1


def test_legal_unit_non_diffusible_hides_its_establishments(stock_files, read_sirene) -> None:
    from actors_stock import UNITS, unit, write_stock

    from iaobs.frame.sirene import LEGAL_UNIT_COLUMNS

    units = [u if u["siren"] != "222222222" else unit("222222222", "BETA", "P") for u in UNITS]
    write_stock(stock_files[1], LEGAL_UNIT_COLUMNS, units)
    directory = build_directory(read_sirene(), departements=HDF)
    assert "22222222200022" not in set(directory["siret"])
    assert (~directory["diffusible"]).sum() == 2


def test_placement_lambert_then_commune_then_departement(read_sirene) -> None:
    sirene = read_sirene(**{"44444444400044": {"codeCommuneEtablissement": "62999"}})
    directory = build_directory(sirene, departements=HDF).set_index("identifiant")
    lille = directory.loc["11111111100011"]
    assert lille["precision"] == "adresse"
    assert abs(lille["longitude"] - 3.0564) < 1e-3 and abs(lille["latitude"] - 50.628) < 1e-3
    assert directory.loc["22222222200022", "precision"] == "commune"  # no coordinates
    assert directory.loc["44444444400044", "precision"] == "departement"  # unknown commune


def test_coordinates_outside_the_departement_fall_back_to_the_commune(read_sirene) -> None:
    lille = {
        "coordonneeLambertAbscisseEtablissement": "704000",
        "coordonneeLambertOrdonneeEtablissement": "7059000",
    }
    sirene = read_sirene(**{"22222222200022": lille})  # Amiens, given Lille's coordinates
    directory = build_directory(sirene, departements=HDF).set_index("identifiant")
    assert directory.loc["22222222200022", "precision"] == "commune"


def test_no_sirene_only_the_curated_list() -> None:
    curated = [_curated(nom="Pôle IA", type="accompagnement", commune="Amiens", departement="80")]
    directory = build_directory(None, curated, departements=HDF)
    assert list(directory["nom"]) == ["Pôle IA"]
    assert build_directory(None, departements=HDF).empty


def test_rows_outside_the_region_are_dropped() -> None:
    curated = [_curated(nom="Ailleurs", type="startup", departement="75")]
    assert build_directory(None, curated, departements=HDF).empty


def test_naf_check_drops_other_activities(sirene: pd.DataFrame) -> None:
    directory = build_directory(sirene, departements=HDF, naf=["62.01Z"])
    assert set(directory["activite"]) == {"62.01Z"}
    assert len(build_directory(sirene, departements=HDF, naf=NAF)) == 4
