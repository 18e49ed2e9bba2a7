"""The sample study's curated list of AI actors, beside the synthetic SIRENE extracts.

Written by ``iaobs sample`` in ``data/reference/acteurs/`` (``acteurs.csv``, its schema and
instructions): actors that SIRENE's activity codes do not find (labs, schools, support
structures, large users: made up, in real communes), and a few rows with the SIRET of an
establishment of the sample's SIRENE extracts (``[frame]``) to show the merge — among them one
non-diffusible unit, which the directory counts but never names.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from iaobs.actors.schema import ACTOR_COLUMNS, write_actors_template
from iaobs.core import geo
from iaobs.core.atomic import write_text
from iaobs.frame.sirene import read_active_establishments
from iaobs.study.config import DEFAULT_ACTORS_NAF

__all__ = ["write_sample_actors"]

#: The actors of the sample list that SIRENE does not know (made up, in real communes)
LISTED = [
    (
        "",
        "Laboratoire d'informatique du Nord (fictif)",
        "laboratoire",
        "unité mixte de recherche",
        "Villeneuve-d'Ascq",
        "59",
        "https://labo-informatique.example.org",
        "site du laboratoire",
        "2019-02-15",
    ),
    (
        "",
        "Institut de recherche en données (fictif)",
        "laboratoire",
        "institut public",
        "59350",
        "59",
        "",
        "annuaire de la recherche",
        "2019-01-10",
    ),
    (
        "",
        "Laboratoire de robotique de Picardie (fictif)",
        "laboratoire",
        "",
        "Amiens",
        "80",
        "",
        "site du laboratoire",
        "2018-11-30",
    ),
    (
        "",
        "Centre d'IA de Compiègne (fictif)",
        "laboratoire",
        "laboratoire universitaire",
        "Compiègne",
        "60",
        "https://ia-compiegne.example.org",
        "site du laboratoire",
        "2019-03-01",
    ),
    (
        "",
        "École d'ingénieurs du numérique (fictive)",
        "enseignement",
        "école d'ingénieurs",
        "Lille",
        "59",
        "https://ecole-numerique.example.org",
        "site de l'école",
        "2019-01-20",
    ),
    (
        "",
        "Université de la Côte d'Opale (fictive)",
        "enseignement",
        "université",
        "62193",
        "62",
        "",
        "site de l'université",
        "2018-12-05",
    ),
    (
        "",
        "Campus numérique de l'Aisne (fictif)",
        "formation",
        "organisme de formation",
        "Saint-Quentin",
        "02",
        "",
        "annuaire des formations",
        "2019-02-01",
    ),
    (
        "",
        "Formations data de l'Artois (fictif)",
        "formation",
        "",
        "Arras",
        "62",
        "",
        "annuaire des formations",
        "2019-01-15",
    ),
    (
        "",
        "Incubateur régional de l'IA (fictif)",
        "accompagnement",
        "incubateur",
        "Lille",
        "59",
        "https://incubateur-ia.example.org",
        "site de l'incubateur",
        "2019-03-10",
    ),
    (
        "",
        "Pôle de compétitivité numérique (fictif)",
        "accompagnement",
        "pôle de compétitivité",
        "Roubaix",
        "59",
        "",
        "site du pôle",
        "2019-02-20",
    ),
    (
        "",
        "Agence de développement de l'Oise (fictive)",
        "public",
        "agence de développement",
        "Beauvais",
        "60",
        "",
        "site de l'agence",
        "2018-10-01",
    ),
    (
        "",
        "Grand distributeur du Nord (fictif)",
        "utilisateur",
        "distribution",
        "Roubaix",
        "59",
        "",
        "presse régionale",
        "2019-01-05",
    ),
    (
        "",
        "Logisticien des Hauts (fictif)",
        "utilisateur",
        "logistique",
        "Lens",
        "62",
        "",
        "presse régionale",
        "2019-02-10",
    ),
]


def _rows_from_sirene(found: pd.DataFrame, other: pd.DataFrame) -> list[tuple[str, ...]]:
    diffusible = found[found["diffusion"] == "O"]
    hidden = found[found["diffusion"] == "P"]
    rows = []
    kinds = ("startup", "startup", "entreprise", "startup")
    for kind, (_, row) in zip(kinds, diffusible.iloc[::97].head(4).iterrows(), strict=False):
        name = str(row["denomination"] or row["enseigne"] or "").title()
        rows.append(
            (
                row["siret"],
                name,
                kind,
                "",
                "",
                row["departement"],
                "",
                "salon régional de l'IA",
                "2019-03-15",
            )
        )
    for _, row in other.head(1).iterrows():  # an actor outside the AI-supply codes
        rows.append(
            (
                row["siret"],
                "Cabinet conseil en données (fictif)",
                "entreprise",
                "conseil",
                "",
                row["departement"],
                "",
                "annuaire du pôle",
                "2019-02-28",
            )
        )
    for _, row in hidden.head(1).iterrows():  # the list names it; the directory will not
        rows.append(
            (
                row["siret"],
                "Start-up non diffusible (fictive)",
                "startup",
                "",
                "",
                row["departement"],
                "",
                "salon régional de l'IA",
                "2019-03-15",
            )
        )
    return rows


def write_sample_actors(
    output: Path, etablissements: Path, unites_legales: Path, region: str = "Hauts-de-France"
) -> list[Path]:
    """Write the sample's curated list of actors (and its schema and instructions) in
    ``output/data/reference/acteurs/``, with SIRETs read from the sample's SIRENE extracts."""
    deps = geo.region_codes(region)
    found = read_active_establishments(
        etablissements, naf=DEFAULT_ACTORS_NAF, departements=deps, unites_legales=unites_legales
    )
    other = read_active_establishments(
        etablissements, naf=["69.20Z"], departements=deps, unites_legales=unites_legales
    )
    folder = Path(output) / "data" / "reference" / "acteurs"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([ACTOR_COLUMNS, *LISTED, *_rows_from_sirene(found, other)])
    written = [write_text(folder / "acteurs.csv", buffer.getvalue())]
    written += [p for p in write_actors_template(folder) if p.name != "acteurs.csv"]
    return written
