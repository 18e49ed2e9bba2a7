"""The sample study's population and answer models: every assumption with its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

WAVE = "2019"
CREATED = datetime(2019, 7, 1, 9, 0, 0)  # fixed workbook creation date: byte-identical files

# --------------------------------------------------------------------------------------------
# The model, with the source of every assumption


@dataclass(frozen=True)
class Assumption:
    """One value of the model and where it comes from (a publication, or "hypothèse")."""

    value: Any
    source: str


INSEE_TIC_2024 = (
    "INSEE, enquête TIC entreprises 2024 (Insee Focus / Insee Première, 2025) : 10 % des sociétés "
    "de 10 salariés ou plus utilisent au moins une technologie d'IA en 2024 ; 9 % (10-49), "
    "15 % (50-249), 33 % (250 et plus) ; information-communication 42 %, activités "
    "spécialisées 17 %, transport 5 %"
)
EUROSTAT_2024 = (
    "Eurostat, enquête TIC 2024 (isoc_eb_ai) : 13,5 % des entreprises de 10 salariés ou plus "
    "de l'UE utilisent l'IA ; l'analyse de texte est la technologie la plus citée"
)
ILLUSTRATIVE = (
    "hypothèse illustrative de l'étude exemple (ordre de grandeur plausible, non officiel)"
)

POPULATION_MODEL: dict[str, Assumption] = {
    "firms_by_sector": Assumption(
        {
            "expertise_comptable": 1_700,
            "banque": 800,
            "assurance": 2_600,
            "transport_logistique": 9_500,
            "logiciel": 4_200,
            "industrie": 21_000,
        },
        "ordres de grandeur illustratifs pour les Hauts-de-France, non officiels ; les effectifs "
        "réels se lisent dans INSEE Sirene (stock d'unités légales par code APE et "
        "département) ou dans les données ouvertes de l'URSSAF",
    ),
    "size_shares": Assumption(
        {  # shares of TPE, PME, ETI among the firms that are not large (GE counted apart)
            "expertise_comptable": (0.86, 0.137, 0.003),
            "banque": (0.70, 0.27, 0.03),
            "assurance": (0.90, 0.09, 0.01),
            "transport_logistique": (0.80, 0.19, 0.01),
            "logiciel": (0.88, 0.115, 0.005),
            "industrie": (0.78, 0.205, 0.015),
        },
        "hypothèse : structure par taille proche de celle des secteurs en France (beaucoup de "
        "TPE, peu d'ETI) — INSEE, « Les entreprises en France », ordres de grandeur",
    ),
    "large_firms": Assumption(
        {
            "expertise_comptable": 1,
            "banque": 3,
            "assurance": 2,
            "transport_logistique": 4,
            "logiciel": 1,
            "industrie": 6,
        },
        "hypothèse : une poignée de grandes entreprises (5 000 salariés et plus) ayant leur siège "
        "dans la région ; certaines strates ne comptent qu'une entreprise",
    ),
    "departement_shares": Assumption(
        {"02": 0.09, "59": 0.43, "60": 0.14, "62": 0.24, "80": 0.10},
        "hypothèse : proche de la répartition de la population régionale (INSEE, recensement : "
        "Nord 43 %, Pas-de-Calais 24 %, Oise 14 %, Somme 9 %, Aisne 9 %)",
    ),
    "large_firm_departement_shares": Assumption(
        {"02": 0.04, "59": 0.62, "60": 0.12, "62": 0.16, "80": 0.06},
        "hypothèse : les sièges des grandes entreprises sont concentrés dans la métropole lilloise",
    ),
    "ai_rate_sme": Assumption(
        {
            "expertise_comptable": Assumption(0.17, INSEE_TIC_2024 + " (activités spécialisées)"),
            "banque": Assumption(
                0.30,
                "hypothèse : la finance est hors du champ de l'enquête TIC de l'INSEE ; taux "
                "placé entre la moyenne (10 %) et l'information-communication (42 %)",
            ),
            "assurance": Assumption(0.25, "hypothèse : comme la banque, un peu en dessous"),
            "transport_logistique": Assumption(0.05, INSEE_TIC_2024 + " (transport)"),
            "logiciel": Assumption(0.42, INSEE_TIC_2024 + " (information-communication)"),
            "industrie": Assumption(
                0.09,
                "hypothèse : proche de la moyenne des 10 salariés ou plus (" + INSEE_TIC_2024 + ")",
            ),
        },
        "taux d'usage de l'IA des PME (10-249 salariés) par secteur ; le taux publié pour les "
        "10 salariés ou plus est pris pour celui des PME, qui en sont l'essentiel ; "
        "recoupement : " + EUROSTAT_2024,
    ),
    "ai_size_log_odds": Assumption(
        {
            "tpe": Assumption(
                -0.75,
                "hypothèse : les TPE sont hors du champ de l'enquête TIC ; taux pris à environ la "
                "moitié de celui des 10-49 salariés",
            ),
            "pme": Assumption(0.0, "référence"),
            "eti": Assumption(1.49, INSEE_TIC_2024 + " : logit(33 %) − logit(10 %) ≈ 1,49"),
            "ge": Assumption(2.2, "hypothèse : environ une grande entreprise sur deux"),
        },
        "écart de log-cote d'usage de l'IA par rapport aux PME",
    ),
    "sample_allocation": Assumption(
        {
            "expertise_comptable": 0.16,
            "banque": 0.10,
            "assurance": 0.14,
            "transport_logistique": 0.20,
            "logiciel": 0.16,
            "industrie": 0.24,
        },
        "hypothèse : chaque branche a relancé ses adhérents ; les petits secteurs sont "
        "sur-représentés parmi les répondants, d'où l'importance de la pondération",
    ),
    "response_propensity_size": Assumption(
        {"tpe": 1.0, "pme": 2.5, "eti": 10.0, "ge": 40.0},
        "hypothèse : les grandes entreprises répondent plus souvent aux enquêtes de branche",
    ),
    "response_propensity_departement": Assumption(
        {"02": 0.8, "59": 1.2, "60": 0.7, "62": 1.0, "80": 1.0},
        "hypothèse : réseaux de branche plus denses dans le Nord",
    ),
    "no_response_cells": Assumption(
        [("expertise_comptable", "ge")],
        "choix de conception : une strate secteur × taille peuplée mais sans répondant, pour "
        "exercer le regroupement des strates vides",
    ),
}

NAF_CODES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "expertise_comptable": (("69.20Z",), (1.0,)),
    "banque": (("64.19Z", "64.92Z", "66.19B"), (0.7, 0.15, 0.15)),
    "assurance": (
        ("65.11Z", "65.12Z", "65.20Z", "65.30Z", "66.21Z", "66.22Z", "66.29Z"),
        (0.05, 0.10, 0.02, 0.03, 0.10, 0.65, 0.05),
    ),
    "transport_logistique": (
        (
            "49.41A",
            "49.41B",
            "49.10Z",
            "49.39A",
            "52.10B",
            "52.29A",
            "52.29B",
            "53.20Z",
            "50.20Z",
            "49.32Z",
        ),
        (0.30, 0.15, 0.02, 0.08, 0.10, 0.10, 0.07, 0.08, 0.02, 0.08),
    ),
    "logiciel": (
        ("58.21Z", "58.29A", "58.29C", "62.01Z", "62.02A", "62.02B", "62.03Z", "62.09Z", "63.11Z"),
        (0.02, 0.05, 0.08, 0.35, 0.25, 0.05, 0.03, 0.10, 0.07),
    ),
    "industrie": (
        (
            "10.71C",
            "10.13A",
            "25.62B",
            "25.11Z",
            "22.22Z",
            "28.29B",
            "33.12Z",
            "16.10A",
            "20.59Z",
            "29.32Z",
            "24.10Z",
            "13.92Z",
            "18.12Z",
            "31.09B",
            "27.12Z",
        ),
        (0.16, 0.04, 0.10, 0.08, 0.06, 0.06, 0.12, 0.04, 0.04, 0.04, 0.02, 0.04, 0.08, 0.08, 0.04),
    ),
}

# Answers given adoption, sector and size. Every figure here is an illustrative assumption of the
# example study (plausible directions: larger firms and software adopt more, adopters report more
# skills needs, non-adopters cite "not useful"), except where a source is named.
ANSWER_MODEL: dict[str, Assumption] = {
    "techno_given_adoption": Assumption(
        {
            "default": (0.45, 0.25, 0.50, 0.20, 0.20, 0.30, 0.35, 0.05),
            "logiciel": (0.45, 0.25, 0.75, 0.35, 0.20, 0.55, 0.35, 0.03),
            "industrie": (0.25, 0.15, 0.35, 0.10, 0.45, 0.35, 0.45, 0.30),
            "transport_logistique": (0.25, 0.20, 0.30, 0.05, 0.30, 0.40, 0.55, 0.20),
            "banque": (0.60, 0.35, 0.50, 0.10, 0.20, 0.50, 0.40, 0.01),
            "assurance": (0.60, 0.30, 0.45, 0.10, 0.20, 0.40, 0.50, 0.01),
            "expertise_comptable": (0.60, 0.20, 0.55, 0.05, 0.25, 0.20, 0.55, 0.01),
        },
        "hypothèse ; ordre des technologies proche d'" + EUROSTAT_2024,
    ),
    "usages_given_adoption": Assumption(
        {
            "default": (0.30, 0.35, 0.40, 0.15, 0.20, 0.25, 0.15, 0.30, 0.20),
            "transport_logistique": (0.20, 0.35, 0.35, 0.55, 0.15, 0.20, 0.10, 0.25, 0.10),
            "expertise_comptable": (0.20, 0.30, 0.45, 0.05, 0.15, 0.65, 0.10, 0.20, 0.10),
            "banque": (0.35, 0.30, 0.40, 0.05, 0.35, 0.40, 0.15, 0.50, 0.20),
            "assurance": (0.35, 0.30, 0.45, 0.05, 0.25, 0.30, 0.15, 0.50, 0.15),
            "logiciel": (0.35, 0.45, 0.30, 0.05, 0.30, 0.20, 0.20, 0.30, 0.45),
            "industrie": (0.20, 0.50, 0.30, 0.30, 0.15, 0.20, 0.10, 0.15, 0.25),
        },
        ILLUSTRATIVE,
    ),
    "freins": Assumption(
        {
            "adopters": (0.45, 0.50, 0.25, 0.40, 0.40, 0.35, 0.15, 0.08, 0.20, 0.30),
            "non_adopters": (0.35, 0.45, 0.15, 0.20, 0.25, 0.20, 0.12, 0.45, 0.10, 0.40),
        },
        "hypothèse ; les non-utilisateurs citent surtout l'utilité non perçue et le manque de "
        "compétences, comme dans " + EUROSTAT_2024,
    ),
    "skills_need": Assumption(
        {"adoption_effect": 0.9, "size_effect": 0.25, "firm_sd": 0.6},
        ILLUSTRATIVE + " ; les entreprises qui utilisent l'IA déclarent plus de besoins",
    ),
    "nsp_rate": Assumption(0.05, ILLUSTRATIVE + " : environ 5 % de NSP par question"),
}

TRAINING_MODEL: dict[str, Assumption] = {
    "participants": Assumption(100, "formation pilote de 100 salariés (dossier de l'étude)"),
    "companies": Assumption(20, "hypothèse : une vingtaine d'entreprises répondantes"),
    "present": Assumption(
        {"T0": 100, "T1": 90, "T2": 70},
        "hypothèse : attrition réaliste (10 % d'absents en fin de formation, 30 % à trois mois)",
    ),
    "auto_eval_gain": Assumption(
        {"T0": 0.0, "T1": 1.1, "T2": 0.8},
        "hypothèse : progrès en fin de formation, qui s'estompe un peu à trois mois",
    ),
    "quiz_mean": Assumption({"T0": 9.0, "T1": 14.0, "T2": 13.0}, ILLUSTRATIVE),
}
