"""Small SIRENE stock files in the published layout and a curated list, for the actors' tests
(a helper module of tests/actors)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

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


CURATED = """siret,nom,type,sous_type,commune,departement,site_web,source,date_maj
,Laboratoire d'informatique (fictif),laboratoire,UMR,Villeneuve-d'Ascq,59,https://labo.example.org,site,2019-02-01
,Incubateur IA (fictif),accompagnement,incubateur,80021,80,,site,2019-01-01
11111111100011,Alpha IA,startup,,,59,https://alpha.example.org,salon,2019-03-01
33333333300033,Nommée par la liste,startup,,Lille,59,,salon,2019-03-01
77777777700077,Université de Lille,enseignement,université,,59,,site,2019-01-15
"""
