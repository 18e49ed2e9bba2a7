"""The sample study's actors: a synthetic SIRENE extract and a synthetic curated list.

Written by ``iaobs sample`` beside the survey files: ``data/reference/sirene/<wave>/``
(``StockEtablissement.csv`` and ``StockUniteLegale.csv`` in the published layout, for the
Hauts-de-France) and ``data/reference/acteurs/`` (``acteurs.csv``, its schema and
instructions). Every name, SIRET and address is made up; communes and their places are real.
The extract holds what the directory must leave out too: closed establishments, other
activities, establishments of other regions, and non-diffusible units (status P).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from iaobs.actors.schema import ACTOR_COLUMNS, write_actors_template
from iaobs.core import geo
from iaobs.core.atomic import write_text
from iaobs.frame.sirene import ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS

__all__ = ["write_sample_actors"]

#: (commune code, weight): where the synthetic establishments are
COMMUNES = (
    ("59350", 30),
    ("59009", 10),
    ("59512", 6),
    ("59599", 5),
    ("59328", 3),
    ("59183", 4),
    ("59606", 4),
    ("59178", 3),
    ("62041", 5),
    ("62193", 3),
    ("62160", 2),
    ("62498", 3),
    ("62765", 1),
    ("80021", 7),
    ("80001", 1),
    ("80620", 1),
    ("60057", 3),
    ("60159", 4),
    ("60175", 2),
    ("02691", 2),
    ("02408", 1),
    ("02722", 1),
)
AI_NAF = (("62.01Z", 40), ("62.02A", 25), ("58.29C", 15), ("63.11Z", 12), ("72.19Z", 8))
OTHER_NAF = ("69.20Z", "47.11F", "56.10A", "70.22Z", "62.09Z")
_PREFIX = ("DATA", "NEURO", "ALGO", "COGNI", "VISIO", "SEMA", "PREDI", "LUMI", "OPTI", "INFO")
_SUFFIX = ("LYS", "TECH", "SOFT", "NORD", "LAB", "SCOPE", "MIND", "WAVE", "LINK", "SENSE")
_FORM = ("SAS", "SARL", "SA", "SASU")


def _siret(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        body = [int(d) for d in rng.integers(0, 10, size=13)]
        body[0] = int(rng.integers(3, 9))
        for last in range(10):  # a Luhn-valid 14-digit number, as SIRET are
            digits = [*body, last]
            total = sum(
                (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
                for i, d in enumerate(digits)
            )
            if total % 10 == 0:
                siret = "".join(map(str, digits))
                if siret not in used:
                    used.add(siret)
                    return siret
                break


def _lambert(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer  # lazy: pyproj only when the sample is written

    transformer = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    return transformer.transform(lon, lat)


def _establishments(rng: np.random.Generator, n: int) -> tuple[list[dict], list[dict]]:
    used: set[str] = set()
    codes = [c for c, _ in COMMUNES]
    weights = np.array([w for _, w in COMMUNES], dtype=float)
    naf = [c for c, _ in AI_NAF]
    naf_w = np.array([w for _, w in AI_NAF], dtype=float)
    rows, units = [], []
    for i in range(n):
        siret = _siret(rng, used)
        commune = codes[int(rng.choice(len(codes), p=weights / weights.sum()))]
        lon, lat = geo.commune_point(commune) or (np.nan, np.nan)
        roll = rng.random()
        activity = naf[int(rng.choice(len(naf), p=naf_w / naf_w.sum()))]
        state, diffusion = "A", "O"
        if roll < 0.08:
            state = "F"  # closed
        elif roll < 0.20:
            activity = OTHER_NAF[int(rng.integers(len(OTHER_NAF)))]
        elif roll < 0.25:
            commune, lon, lat = "75108", 2.31, 48.875  # Paris: another region
        elif roll < 0.29:
            diffusion = "P"
        name = (
            f"{_PREFIX[int(rng.integers(len(_PREFIX)))]}{_SUFFIX[int(rng.integers(len(_SUFFIX)))]}"
            f" {i + 1:03d} {_FORM[int(rng.integers(len(_FORM)))]}"
        )
        geolocated = rng.random() > 0.12  # some establishments have no coordinates
        jitter = rng.normal(0, 0.012, size=2)
        x, y = _lambert(np.array([lon + jitter[0]]), np.array([lat + jitter[1] * 0.6]))
        rows.append(
            {
                "siren": siret[:9],
                "nic": siret[9:],
                "siret": siret,
                "statutDiffusionEtablissement": diffusion,
                "dateCreationEtablissement": f"{int(rng.integers(1995, 2019))}-0{int(rng.integers(1, 10))}-01",
                "trancheEffectifsEtablissement": str(
                    rng.choice(["NN", "01", "02", "03", "11", "12", "21"])
                ),
                "etablissementSiege": "true",
                "codeCommuneEtablissement": commune,
                "codePostalEtablissement": commune[:2] + "000",
                "libelleCommuneEtablissement": (geo.commune_name(commune) or "").upper(),
                "etatAdministratifEtablissement": state,
                "activitePrincipaleEtablissement": activity,
                "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                "coordonneeLambertAbscisseEtablissement": f"{x[0]:.1f}" if geolocated else "",
                "coordonneeLambertOrdonneeEtablissement": f"{y[0]:.1f}" if geolocated else "",
            }
        )
        units.append(
            {
                "siren": siret[:9],
                "statutDiffusionUniteLegale": diffusion,
                "etatAdministratifUniteLegale": state,
                "activitePrincipaleUniteLegale": activity,
                "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
                "nicSiegeUniteLegale": siret[9:],
                "denominationUniteLegale": name,
                "categorieJuridiqueUniteLegale": "5710",
            }
        )
    return rows, units


def _csv(columns: tuple[str, ...], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: r.get(c, "") for c in columns} for r in rows)
    return buffer.getvalue()


def _curated(rows: list[dict], units: list[dict]) -> list[tuple[str, ...]]:
    """About twenty actors: labs, schools, support structures, large users; a few of them
    with the SIRET of an establishment of the extract (the merge), one non-diffusible."""
    active = [
        (r, u)
        for r, u in zip(rows, units, strict=True)
        if r["etatAdministratifEtablissement"] == "A" and r["codeCommuneEtablissement"] != "75108"
    ]
    ai = [p for p in active if p[0]["activitePrincipaleEtablissement"] in dict(AI_NAF)]
    diffusible = [p for p in ai if p[0]["statutDiffusionEtablissement"] == "O"]
    hidden = [p for p in ai if p[0]["statutDiffusionEtablissement"] == "P"]
    other = [p for p in active if p[0]["activitePrincipaleEtablissement"] not in dict(AI_NAF)]
    out = [
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
    for (row, unit), kind in zip(
        diffusible[:4], ("startup", "startup", "entreprise", "startup"), strict=False
    ):
        out.append(
            (
                row["siret"],
                unit["denominationUniteLegale"].title(),
                kind,
                "",
                "",
                row["codeCommuneEtablissement"][:2],
                "",
                "salon régional de l'IA",
                "2019-03-15",
            )
        )
    for row, _unit in other[:1]:
        out.append(
            (
                row["siret"],
                "Cabinet conseil en données (fictif)",
                "entreprise",
                "conseil",
                "",
                row["codeCommuneEtablissement"][:2],
                "",
                "annuaire du pôle",
                "2019-02-28",
            )
        )
    for row, _unit in hidden[:1]:  # the list names it; the directory will not
        out.append(
            (
                row["siret"],
                "Start-up non diffusible (fictive)",
                "startup",
                "",
                "",
                row["codeCommuneEtablissement"][:2],
                "",
                "salon régional de l'IA",
                "2019-03-15",
            )
        )
    return out


def write_sample_actors(output: Path, wave: str, seed: int = 2019, n: int = 220) -> list[Path]:
    """Write the synthetic SIRENE extract of ``wave`` and the synthetic curated list."""
    rng = np.random.default_rng(seed + 16)
    rows, units = _establishments(rng, n)
    folder = Path(output) / "data" / "reference" / "sirene" / wave
    written = [
        write_text(folder / "StockEtablissement.csv", _csv(ESTABLISHMENT_COLUMNS, rows)),
        write_text(folder / "StockUniteLegale.csv", _csv(LEGAL_UNIT_COLUMNS, units)),
    ]
    actors = Path(output) / "data" / "reference" / "acteurs"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([ACTOR_COLUMNS, *_curated(rows, units)])
    written.append(write_text(actors / "acteurs.csv", buffer.getvalue()))
    written += [p for p in write_actors_template(actors) if p.name != "acteurs.csv"]
    return written
