"""Small SIRENE extracts and curated lists built in memory for the actors' tests."""

from __future__ import annotations

import pandas as pd
import pytest

SIRENE_COLUMNS = (
    "siren",
    "siret",
    "etatAdministratifEtablissement",
    "activitePrincipaleEtablissement",
    "codeCommuneEtablissement",
    "libelleCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "statutDiffusionEtablissement",
    "denominationUniteLegale",
    "enseigne1Etablissement",
)


def establishment(siret: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(SIRENE_COLUMNS, "")
    row.update(
        siren=siret[:9],
        siret=siret,
        etatAdministratifEtablissement="A",
        activitePrincipaleEtablissement="62.01Z",
        codeCommuneEtablissement="59350",
        libelleCommuneEtablissement="LILLE",
        statutDiffusionEtablissement="O",
        denominationUniteLegale=f"SOCIETE {siret[-3:]}",
    )
    row.update(values)
    return row


@pytest.fixture
def sirene() -> pd.DataFrame:
    """Six establishments: four in the frame, one closed, one outside the region."""
    rows = [
        establishment(
            "11111111100011",
            coordonneeLambertAbscisseEtablissement="704000",
            coordonneeLambertOrdonneeEtablissement="7059000",
        ),
        establishment(
            "22222222200022",
            activitePrincipaleEtablissement="6311Z",
            codeCommuneEtablissement="80021",
            libelleCommuneEtablissement="AMIENS",
        ),
        establishment(
            "33333333300033",
            statutDiffusionEtablissement="P",
            denominationUniteLegale="SECRET SAS",
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
        establishment(
            "77777777700077",
            activitePrincipaleEtablissement="85.42Z",
            denominationUniteLegale="UNIVERSITE DE LILLE",
        ),
    ]
    return pd.DataFrame(rows, columns=list(SIRENE_COLUMNS))
