"""Small SIRENE stock files in the published layout and their reading, for the actors' tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pytest

from iaobs.frame.sirene import ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS, read_active_establishments

HDF = ("02", "59", "60", "62", "80")
NAF = ("58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z")


def establishment(siret: str, **values: str) -> dict[str, str]:
    """A StockEtablissement row: active, 62.01Z, in Lille, diffusible, unless told."""
    row = {
        "siren": siret[:9],
        "nic": siret[9:],
        "siret": siret,
        "etatAdministratifEtablissement": "A",
        "activitePrincipaleEtablissement": "62.01Z",
        "codeCommuneEtablissement": "59350",
        "libelleCommuneEtablissement": "LILLE",
        "statutDiffusionEtablissement": "O",
        "etablissementSiege": "true",
    }
    row.update(values)
    return row


def unit(siren: str, name: str, diffusion: str = "O") -> dict[str, str]:
    return {
        "siren": siren,
        "statutDiffusionUniteLegale": diffusion,
        "etatAdministratifUniteLegale": "A",
        "denominationUniteLegale": name,
    }


def write_stock(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, str]]) -> Path:
    columns = list(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in columns} for r in rows)
    return path


ESTABLISHMENTS = [
    establishment(
        "11111111100011",
        coordonneeLambertAbscisseEtablissement="704000",
        coordonneeLambertOrdonneeEtablissement="7059000",
    ),
    establishment(
        "22222222200022",
        activitePrincipaleEtablissement="63.11Z",
        codeCommuneEtablissement="80021",
        libelleCommuneEtablissement="AMIENS",
    ),
    establishment(
        "33333333300033",
        statutDiffusionEtablissement="P",
        coordonneeLambertAbscisseEtablissement="704100",
        coordonneeLambertOrdonneeEtablissement="7059100",
    ),
    establishment(
        "44444444400044",
        activitePrincipaleEtablissement="72.19Z",
        codeCommuneEtablissement="62041",
        libelleCommuneEtablissement="ARRAS",
    ),
    establishment("55555555500055", etatAdministratifEtablissement="F"),
    establishment("66666666600066", codeCommuneEtablissement="75108"),
    establishment("77777777700077", activitePrincipaleEtablissement="85.42Z"),
]
UNITS = [
    unit("111111111", "ALPHA IA"),
    unit("222222222", "BETA DATA"),
    unit("333333333", "SECRET SAS"),
    unit("444444444", "GAMMA R&D"),
    unit("555555555", "FERMEE"),
    unit("666666666", "PARIS IA"),
    unit("777777777", "UNIVERSITE DE LILLE"),
]


@pytest.fixture
def stock_files(tmp_path: Path) -> tuple[Path, Path]:
    """(StockEtablissement, StockUniteLegale) of seven establishments, written as CSV."""
    etab = write_stock(tmp_path / "StockEtablissement.csv", ESTABLISHMENT_COLUMNS, ESTABLISHMENTS)
    units = write_stock(tmp_path / "StockUniteLegale.csv", LEGAL_UNIT_COLUMNS, UNITS)
    return etab, units


@pytest.fixture
def read_sirene(stock_files: tuple[Path, Path]):
    """Read the stock files as the directory does, optionally after editing some rows."""

    def _read(naf: Iterable[str] = NAF, **changes: Mapping[str, str]) -> pd.DataFrame:
        etab, units = stock_files
        if changes:
            rows = [dict(r, **changes.get(r["siret"], {})) for r in ESTABLISHMENTS]
            write_stock(etab, ESTABLISHMENT_COLUMNS, rows)
        return read_active_establishments(etab, naf=naf, departements=HDF, unites_legales=units)

    return _read


@pytest.fixture
def sirene(read_sirene) -> pd.DataFrame:
    """The AI-supply establishments of the region read from the stock files."""
    return read_sirene()


CURATED = """siret,nom,type,sous_type,commune,departement,site_web,source,date_maj
,Laboratoire d'informatique (fictif),laboratoire,UMR,Villeneuve-d'Ascq,59,https://labo.example.org,site,2019-02-01
,Incubateur IA (fictif),accompagnement,incubateur,80021,80,,site,2019-01-01
11111111100011,Alpha IA,startup,,,59,https://alpha.example.org,salon,2019-03-01
33333333300033,Nommée par la liste,startup,,Lille,59,,salon,2019-03-01
77777777700077,Université de Lille,enseignement,université,,59,,site,2019-01-15
"""


@pytest.fixture
def actors_study(tmp_path: Path) -> Path:
    """A study of two waves (2018, 2019) with SIRENE extracts and a curated list, no survey;
    its directories computed by the actors stage."""
    from iaobs.pipeline.actors import compute_actors
    from iaobs.study.config import load_study

    root = tmp_path / "etude"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "study.toml").write_text(
        '[study]\ntitle = "Observatoire test"\nregion = "Hauts-de-France"\nwave = "2019"\n'
        'waves = ["2018", "2019"]\nlanguage = "fr"\n\n[acteurs]\n'
        'naf = ["58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z"]\n'
        'etablissements = "data/reference/sirene/{wave}/StockEtablissement.csv"\n'
        'unites_legales = "data/reference/sirene/{wave}/StockUniteLegale.csv"\n',
        "utf-8",
    )
    sirene = root / "data" / "reference" / "sirene"
    for wave, rows in (
        ("2018", ESTABLISHMENTS[:1] + ESTABLISHMENTS[2:4]),
        ("2019", ESTABLISHMENTS),
    ):
        write_stock(sirene / wave / "StockEtablissement.csv", ESTABLISHMENT_COLUMNS, rows)
        write_stock(sirene / wave / "StockUniteLegale.csv", LEGAL_UNIT_COLUMNS, UNITS)
    listed = root / "data" / "reference" / "acteurs" / "acteurs.csv"
    listed.parent.mkdir(parents=True)
    listed.write_text(CURATED, "utf-8")
    compute_actors(load_study(root))
    return root
