"""The synthetic sample study: a known population, and a messy sample drawn from it.

The repository's default study (Hauts-de-France, wave 2019) is synthetic. It is made in three
steps, each written so that a reader can check it:

1. **Population model** (:data:`POPULATION_MODEL`): a finite population of firms per sector ×
   size class × département, with illustrative counts, and AI-adoption rates by sector and size
   calibrated on published figures (INSEE's ICT survey 2024, Eurostat 2024). Every assumption
   carries its source.
2. **Population answers** (:data:`ANSWER_MODEL`): every firm of the population gets answers to
   the whole questionnaire (vectorised numpy). The *true* population value of each indicator is
   then a plain proportion over the population, written to ``data/raw/sample_truth.json``.
3. **Respondent sample and files**: respondents are drawn cell by cell with response rates that
   differ by sector, size and département (so that unweighted figures are biased and weighting
   matters), then written the way branches send their files: one workbook per sector, notes
   above the header, labels with case/accent/space variants as well as codes, NSP, blank rows,
   duplicated submissions, a few impossible rows, one French CSV (semicolon, Windows-1252,
   decimal comma). Confidential values (SIREN, company names, e-mails, participants' names) are
   planted so that tests can prove they never reach an output.

Same seed, same files: every random draw comes from one ``numpy.random.default_rng(seed)`` and
the workbooks carry a fixed creation date, so two runs give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from iaobs.core.atomic import atomic_path, write_bytes, write_json, write_text
from iaobs.study.dictionary import Dictionary, Variable, load_dictionary
from iaobs.tools.sirene_sample import write_sirene_extracts

__all__ = [
    "ANSWER_MODEL",
    "POPULATION_MODEL",
    "TRAINING_MODEL",
    "Assumption",
    "luhn_valid",
    "population_margins",
    "random_responses",
    "write_sample_study",
]

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


def _as_json(value: Any) -> Any:
    """The model as plain JSON (assumptions become {value, source})."""
    if isinstance(value, Assumption):
        return {"value": _as_json(value.value), "source": value.source}
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Small helpers


def _largest_remainder(total: int, shares: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``shares`` (largest remainder)."""
    weights = np.asarray(shares, dtype=float)
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(int)
    order = np.argsort(-(exact - out), kind="stable")
    out[order[: total - int(out.sum())]] += 1
    return [int(v) for v in out]


def _luhn_total(digits: Sequence[int]) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def luhn_valid(number: str) -> bool:
    """Whether a SIREN (9 digits, spaces allowed) passes the Luhn check."""
    digits = [int(c) for c in str(number) if c.isdigit()]
    return len(digits) == 9 and _luhn_total(digits) % 10 == 0


def _siren(body: int) -> str:
    """A Luhn-valid SIREN from an 8-digit body."""
    digits = [int(c) for c in f"{body:08d}"]
    check = (10 - _luhn_total([*digits, 0]) % 10) % 10
    return f"{body:08d}{check}"


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _pick(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row of a (n, k) matrix of weights (rows need not sum to 1)."""
    p = probs / probs.sum(axis=1, keepdims=True)
    u = rng.random(len(p))[:, None]
    return np.minimum((p.cumsum(axis=1) < u).sum(axis=1), p.shape[1] - 1)


def _ordered(rng: np.random.Generator, latent: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    """Ordered-logit category index (0 = lowest) for a latent score."""
    return np.searchsorted(np.asarray(cuts, dtype=float), latent + rng.logistic(size=len(latent)))


def _flags(
    rng: np.random.Generator, probs: np.ndarray, asked: np.ndarray, at_least_one: bool = True
) -> np.ndarray:
    """0/1 choices per option (float, NaN where the question was not asked)."""
    out = (rng.random(probs.shape) < probs).astype(float)
    if at_least_one:
        none = out.sum(axis=1) == 0
        best = _pick(rng, probs[none])
        out[np.flatnonzero(none), best] = 1.0
    out[~asked] = np.nan
    return out


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _slug(text: str) -> str:
    text = _strip_accents(text).lower().replace("œ", "oe")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# --------------------------------------------------------------------------------------------
# Population


def population_margins(dictionary: Dictionary | None = None) -> pd.DataFrame:
    """The population counts of the example study, one row per non-empty cell.

    Returns
    -------
    pandas.DataFrame
        Columns ``secteur, taille, departement, n_entreprises`` (firms, illustrative counts);
        cells with no firm are left out. The counts do not depend on the seed.
    """
    dictionary = dictionary or load_dictionary("entreprises")
    firms = POPULATION_MODEL["firms_by_sector"].value
    shares = POPULATION_MODEL["size_shares"].value
    large = POPULATION_MODEL["large_firms"].value
    deps = list(dictionary.departements)
    dep_shares = [POPULATION_MODEL["departement_shares"].value[d] for d in deps]
    ge_dep_shares = [POPULATION_MODEL["large_firm_departement_shares"].value[d] for d in deps]
    rows = []
    for sector in dictionary.sectors:
        by_size = [
            *_largest_remainder(firms[sector] - large[sector], shares[sector]),
            large[sector],
        ]
        for size, n_size in zip(dictionary.size_classes, by_size, strict=True):
            split = _largest_remainder(n_size, ge_dep_shares if size == "ge" else dep_shares)
            for dep, n in zip(deps, split, strict=True):
                if n > 0:
                    rows.append((sector, size, dep, n))
    return pd.DataFrame(rows, columns=["secteur", "taille", "departement", "n_entreprises"])


def random_responses(
    n: int,
    seed: int = 0,
    *,
    missing: float = 0.05,
    unknown_departement: bool = False,
    skewed_counts: bool = False,
    firms_per_cell: tuple[int, int] = (200, 900),
    dictionary: Dictionary | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random answers to every question, in the storage of :mod:`iaobs.study.dictionary`, and
    population margins (sector × size × département) to weight them: for the tests and
    benchmarks of the statistics engine, where realism does not matter but size and every
    variable type do (the realistic sample study is :func:`write_sample_study`).

    ``missing`` is the share of empty coded answers (NSP codes are drawn like the others);
    ``unknown_departement`` leaves some départements empty; ``skewed_counts`` draws numbers
    log-normally with 20 % missing (else Poisson(20), none missing); each margin cell counts a
    number of firms drawn in ``firms_per_cell``.
    """
    rng = np.random.default_rng(seed)
    dico = dictionary or load_dictionary()
    sectors, sizes, deps = list(dico.sectors), list(dico.size_classes), list(dico.departements)
    dep_codes = rng.integers(-1 if unknown_departement else 0, len(deps), n)
    data: dict[str, object] = {
        "id_repondant": [f"r{i}" for i in range(n)],
        "secteur": pd.Categorical.from_codes(rng.integers(0, len(sectors), n), sectors),
        "taille": pd.Categorical.from_codes(rng.choice(4, n, p=[0.4, 0.4, 0.15, 0.05]), sizes),
        "departement": pd.Categorical.from_codes(dep_codes, deps),
    }
    for var in dico:
        if var.name in data or var.type in ("id", "text", "date"):
            continue
        if var.type == "multi":
            answered = rng.random(n) < 0.9
            for col in var.columns():
                v = np.where(answered, (rng.random(n) < 0.3).astype(float), np.nan)
                data[col] = pd.array(v, dtype="Float64").astype("Int8")
        elif var.is_coded:
            cats = list(var.codes) + list(var.missing)
            for col in var.columns():
                codes = rng.integers(0, len(cats), n)
                codes[rng.random(n) < missing] = -1
                data[col] = pd.Categorical.from_codes(codes, cats)
        elif var.is_flag:
            data[var.name] = pd.array(rng.integers(0, 2, n), dtype="Int8")
        elif var.type in ("int", "float"):
            if skewed_counts:
                v = rng.lognormal(3, 1.5, n).round()
                v[rng.random(n) < 0.2] = np.nan
                data[var.name] = pd.array(v, dtype="Float64").astype("Int64")
            else:
                data[var.name] = pd.array(rng.poisson(20, n), dtype="Int64")
    low, high = firms_per_cell
    margins = pd.DataFrame(
        [
            {
                "secteur": s,
                "taille": t,
                "departement": d,
                "n_entreprises": float(rng.integers(low, high)),
            }
            for s in sectors
            for t in sizes
            for d in deps
        ]
    )
    return pd.DataFrame(data), margins


def _headcounts(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Headcount of each firm within its size class (employees)."""
    n = len(size)
    tpe = rng.choice(10, size=n, p=(0.75 ** np.arange(10)) / (0.75 ** np.arange(10)).sum())
    bounds = {1: (10, 250), 2: (250, 5000), 3: (5000, 40000)}
    out = tpe.astype(np.int64)
    for k, (low, high) in bounds.items():
        mask = size == k
        draw = np.exp(rng.uniform(np.log(low), np.log(high), size=int(mask.sum())))
        out[mask] = np.clip(np.floor(draw), low, high - 1).astype(np.int64)
    return out


def _population_answers(
    rng: np.random.Generator, cells: pd.DataFrame, dictionary: Dictionary
) -> pd.DataFrame:
    """Every firm of the population with its answers (codes, 0/1, NaN/None when not asked)."""
    sectors = list(dictionary.sectors)
    sizes = list(dictionary.size_classes)
    counts = cells["n_entreprises"].to_numpy()
    s = np.repeat(cells["secteur"].map(sectors.index).to_numpy(), counts)
    t = np.repeat(cells["taille"].map(sizes.index).to_numpy(), counts)
    dep = np.repeat(cells["departement"].to_numpy(), counts)
    n = len(s)
    sector_name = np.array(sectors, dtype=object)[s]
    is_ = {name: sector_name == name for name in sectors}
    cols: dict[str, Any] = {
        "secteur": sector_name,
        "taille": np.array(sizes, dtype=object)[t],
        "departement": dep,
    }

    naf = np.empty(n, dtype=object)
    for name in sectors:
        codes, weights = NAF_CODES[name]
        mask = is_[name]
        naf[mask] = np.array(codes, dtype=object)[
            rng.choice(len(codes), size=int(mask.sum()), p=weights)
        ]
    cols["naf_code"] = naf
    cols["effectif"] = _headcounts(rng, t)

    # --- adoption (the calibrated part of the model)
    rate = POPULATION_MODEL["ai_rate_sme"].value
    shift = POPULATION_MODEL["ai_size_log_odds"].value
    log_odds = (
        np.array([_logit(rate[name].value) for name in sectors])[s]
        + np.array([shift[size].value for size in sizes])[t]
    )
    adopt = rng.random(n) < _expit(log_odds)
    a = adopt.astype(float)
    big = (t >= 2).astype(float)
    soft = is_["logiciel"].astype(float)
    nsp_rate = ANSWER_MODEL["nsp_rate"].value
    everyone = np.ones(n, dtype=bool)

    def codes_of(name: str) -> list[str]:
        return list(dictionary[name].codes)

    def coded(name: str, idx: np.ndarray, nsp: float | None = None, code: str = "nsp") -> None:
        values = np.array(codes_of(name), dtype=object)[idx]
        rate_ = nsp_rate if nsp is None else nsp
        if rate_ > 0:
            values[rng.random(n) < rate_] = code
        cols[name] = values

    def accord(latent: np.ndarray) -> np.ndarray:
        # codes run from tout_a_fait (agree most) to pas_du_tout: reverse the ordered index
        return 4 - _ordered(rng, latent, (-2.2, -0.9, 0.3, 1.6))

    # identification
    group_p = np.array(
        [[0.90, 0.08, 0.02], [0.65, 0.25, 0.10], [0.25, 0.45, 0.30], [0.05, 0.55, 0.40]]
    )
    coded("groupe", _pick(rng, group_p[t]), nsp=0.02)
    role_p = np.array(
        [
            [0.80, 0.05, 0.03, 0.05, 0.05, 0.02],
            [0.40, 0.25, 0.12, 0.10, 0.10, 0.03],
            [0.10, 0.40, 0.25, 0.10, 0.12, 0.03],
            [0.05, 0.40, 0.30, 0.10, 0.12, 0.03],
        ]
    )
    coded("fonction_repondant", _pick(rng, role_p[t]), nsp=0)

    # AI adoption
    options = list(dictionary["techno"].options)
    tech_model = ANSWER_MODEL["techno_given_adoption"].value
    tech_p = np.array([tech_model.get(name, tech_model["default"]) for name in sectors])[s]
    techno = _flags(rng, tech_p, everyone) * a[:, None]
    for k, option in enumerate(options):
        cols[f"techno__{option}"] = techno[:, k]
    cols["ia_usage"] = a
    stage_adopt = np.where(
        big[:, None] > 0, [0.0, 0.0, 0.25, 0.45, 0.30], [0.0, 0.0, 0.40, 0.42, 0.18]
    )
    p_watch = np.clip(0.30 + 0.10 * t + 0.25 * soft, 0, 0.9)
    stage_non = np.column_stack([1 - p_watch, p_watch, np.zeros((n, 3))])
    coded("ia_stade", _pick(rng, np.where(adopt[:, None], stage_adopt, stage_non)), nsp=0.03)
    usage_model = ANSWER_MODEL["usages_given_adoption"].value
    usage_p = np.array([usage_model.get(name, usage_model["default"]) for name in sectors])[s]
    usages = _flags(rng, usage_p, adopt)
    for k, option in enumerate(dictionary["usages"].options):
        cols[f"usages__{option}"] = usages[:, k]
    gen_p = np.where(adopt[:, None], [0.15, 0.30, 0.25, 0.30], [0.60, 0.33, 0.04, 0.03])
    coded("ia_generative", _pick(rng, gen_p), nsp=0.04)
    acq_p = np.column_stack(
        [
            0.15 + 0.35 * soft + 0.1 * big,
            np.full(n, 0.35),
            np.full(n, 0.15) + 0.15 * soft,
            np.full(n, 0.45),
            np.full(n, 0.30),
        ]
    )
    acq = _flags(rng, acq_p, adopt)
    for k, option in enumerate(dictionary["mode_acquisition"].options):
        cols[f"mode_acquisition__{option}"] = acq[:, k]
    coded(
        "budget_ia",
        _ordered(rng, 2.2 * a + 0.9 * t + 0.5 * soft, (0.8, 2.3, 3.4, 4.6, 6.0)),
        nsp=0.10,
    )
    watching = np.asarray(cols["ia_stade"] == "veille")
    horizon_p = np.where(
        adopt[:, None],
        [0.45, 0.30, 0.25],
        np.where(watching[:, None], [0.15, 0.30, 0.55], [0.03, 0.07, 0.90]),
    )
    coded("projet_horizon", _pick(rng, horizon_p), nsp=0.06)

    # impact on jobs
    impact = list(dictionary["impact_effectifs"].codes)
    impact_p = np.where(
        adopt[:, None], [0.03, 0.17, 0.62, 0.15, 0.03], [0.01, 0.06, 0.83, 0.08, 0.02]
    )
    values = np.array(impact, dtype=object)[_pick(rng, impact_p)]
    u = rng.random(n)
    values[u < 0.08] = "nsp"
    values[(u >= 0.08) & (u < 0.08 + 0.08 * (1 - a) * (t == 0))] = "non_concerne"
    cols["impact_effectifs"] = values
    item_shift = {
        "production": -0.2,
        "administratif": -0.6,
        "commercial": 0.0,
        "technique_it": 0.6,
        "encadrement": 0.1,
    }
    for item, shift_ in item_shift.items():
        latent = shift_ * (1 + a) - 0.3 * is_["industrie"] * (item == "production")
        values = np.array(impact, dtype=object)[_ordered(rng, latent, (-3.0, -1.3, 1.5, 3.2))]
        u = rng.random(n)
        values[u < 0.07] = "nsp"
        values[(u >= 0.07) & (u < 0.10)] = "non_concerne"
        cols[f"impact_famille__{item}"] = values
    exposure = 0.6 * is_["expertise_comptable"] + 0.4 * (is_["banque"] | is_["assurance"])
    coded("taches_automatisables", _ordered(rng, 0.8 * a + exposure, (0.3, 1.8, 3.5)), nsp=0.12)
    coded(
        "nouveaux_metiers",
        (rng.random(n) >= _expit(-3.2 + 1.8 * a + 0.8 * t + 0.8 * soft)).astype(int),
    )
    hires = rng.poisson(np.exp(-3.5 + 1.3 * a + 1.1 * t + 1.0 * soft))
    cols["recrutements_ia_12m"] = hires
    difficulty = np.array(codes_of("difficulte_recrutement"), dtype=object)[
        _pick(rng, np.tile([0.15, 0.40, 0.30, 0.15], (n, 1)))
    ]
    difficulty[(hires == 0) & (rng.random(n) < 0.85)] = "sans_objet"
    cols["difficulte_recrutement"] = difficulty

    # skills
    need = ANSWER_MODEL["skills_need"].value
    firm_need = (
        need["adoption_effect"] * a + need["size_effect"] * t + rng.normal(0, need["firm_sd"], n)
    )
    skill_shift = {
        "tech_ia": -0.6 + 0.8 * soft,
        "donnees": np.full(n, 0.3),
        "usage_metier_ia": np.full(n, 0.4),
        "cyber_conformite": 0.2 + 0.4 * (is_["banque"] | is_["assurance"]),
        "transverses": np.full(n, 0.5),
        "relationnelles": np.full(n, 0.2),
        "conduite_changement": np.full(n, 0.1),
    }
    besoin = list(dictionary["besoin_comp"].codes)
    latents = []
    for item, shift_arr in skill_shift.items():
        latent = firm_need + shift_arr + rng.logistic(size=n)
        latents.append(latent)
        values = np.array(besoin, dtype=object)[np.searchsorted([-1.5, -0.4, 0.6, 1.7], latent)]
        values[rng.random(n) < 0.05] = "nsp"
        cols[f"besoin_comp__{item}"] = values
    cols["competence_prioritaire"] = np.array(list(skill_shift), dtype=object)[
        np.argmax(np.column_stack(latents), axis=1)
    ]
    coded("maturite_donnees", accord(0.5 * a + 0.2 * t), nsp=0.06)

    # training
    coded("part_formes_ia", _ordered(rng, 2.0 * a + 0.3 * t + 0.8 * soft, (1.2, 2.6, 3.8, 5.0)))
    pub_p = np.column_stack(
        [
            np.full(n, 0.35),
            np.full(n, 0.45),
            np.full(n, 0.40),
            np.full(n, 0.30),
            0.25 + 0.20 * (is_["industrie"] | is_["transport_logistique"]),
            0.25 + 0.20 * soft,
        ]
    )
    for name, probs in (
        ("publics_prioritaires", pub_p),
        ("formats_formation", np.tile([0.40, 0.35, 0.30, 0.20, 0.35, 0.15], (n, 1))),
        (
            "financement",
            np.column_stack(
                [
                    np.full(n, 0.45),
                    0.45 + 0.2 * (t == 0),
                    np.full(n, 0.20),
                    np.full(n, 0.10),
                    np.full(n, 0.15),
                    0.20 + 0.15 * big,
                ]
            ),
        ),
    ):
        flags = _flags(rng, probs, everyone)
        for k, option in enumerate(dictionary[name].options):
            cols[f"{name}__{option}"] = flags[:, k]
    coded("duree_formation", _ordered(rng, 0.5 * a + 0.2 * t, (-1.0, 1.0, 2.8)), nsp=0.10)

    # barriers and attitudes
    freins_model = ANSWER_MODEL["freins"].value
    freins_p = np.where(adopt[:, None], freins_model["adopters"], freins_model["non_adopters"])
    freins = _flags(rng, freins_p, everyone)
    for k, option in enumerate(dictionary["freins"].options):
        cols[f"freins__{option}"] = freins[:, k]
    coded(
        "opinion_opportunite",
        accord(1.2 * a + 0.2 * t + 0.6 * soft - 0.2 * is_["transport_logistique"]),
    )
    exposed = is_["banque"] | is_["assurance"] | is_["expertise_comptable"]
    coded("opinion_menace_emploi", accord(0.3 * a + 0.4 * exposed - 0.8), nsp=0.06)
    cse = np.asarray(cols["effectif"]) >= 11
    p_yes = np.clip(0.10 + 0.25 * a + 0.10 * t, 0, 0.9)
    dialogue = _pick(rng, np.column_stack([p_yes, 1 - p_yes, np.zeros(n)]))
    dialogue[~cse & (rng.random(n) < 0.85)] = 2
    coded("dialogue_social", dialogue)
    charte_p = np.where(adopt[:, None], [0.25, 0.30, 0.45], [0.03, 0.07, 0.90])
    charte_p = charte_p + big[:, None] * np.array([0.10, 0.05, -0.15]) * (charte_p[:, 2:3] > 0.5)
    coded("charte_ia", _pick(rng, np.clip(charte_p, 0.01, None)), nsp=0.04)
    # about 6 % of firms ask to be supported (the 2019 programme supported a few dozen firms)
    coded("volontaire_accompagnement", (rng.random(n) >= 0.05 + 0.04 * a).astype(int))
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------------------------
# True population values


def _truth(frame: pd.DataFrame, dictionary: Dictionary) -> tuple[dict[str, Any], dict[str, str]]:
    """Population proportions (and means) of every indicator, by domain.

    Returns ``{indicator: {level or "": {domain: value}}}`` and a definition per indicator.
    Proportions exclude missing codes (NSP…) from their base, as the estimates do; the row of
    a missing code itself has every answer (NSP included) as its base.
    """
    skip_types = {"id", "text", "date"}
    skip = {"statut_reponse", "effectif"}
    index = {
        dim: (levels, pd.Categorical(frame[dim], categories=levels).codes.astype(np.int64))
        for dim, levels in (
            ("secteur", list(dictionary.sectors)),
            ("taille", list(dictionary.size_classes)),
        )
    }
    truth: dict[str, Any] = {}
    definitions: dict[str, str] = {}

    def share(mask_base: Any, mask_num: Any) -> dict[str, float]:
        base_all = np.asarray(mask_base, dtype=float)
        num_all = np.asarray(mask_num, dtype=float) * base_all
        out = {"all": round(float(num_all.sum() / base_all.sum()), 6)}
        for dim, (levels, codes) in index.items():
            base = np.bincount(codes, weights=base_all, minlength=len(levels))
            num = np.bincount(codes, weights=num_all, minlength=len(levels))
            for k, level in enumerate(levels):
                if base[k] > 0:
                    out[f"{dim}={level}"] = round(float(num[k] / base[k]), 6)
        return out

    for var in dictionary:
        if var.type in skip_types or var.name in skip or var.privacy != "public":
            continue
        if var.is_flag:
            for column in var.columns():
                values = frame[column]
                truth[column] = {"": share(values.notna(), values == 1)}
                definitions[column] = (
                    "part des entreprises de la population concernées (valeur 1), parmi celles "
                    "qui ont répondu à la question"
                )
            continue
        if var.type in {"int", "float"}:
            values = frame[var.name].astype(float).to_numpy()
            truth[var.name] = {"": share(~np.isnan(values), np.nan_to_num(values))}
            definitions[var.name] = "moyenne sur les entreprises de la population"
            continue
        for column in var.columns():
            values = frame[column]
            answered = values.notna()
            substantive = values.isin(list(var.codes))
            levels: dict[str, Any] = {}
            for code in var.codes:
                levels[code] = share(substantive, values == code)
            for code in var.missing:
                levels[code] = share(answered, values == code)
            if var.top2:
                levels["top2"] = share(substantive, values.isin(list(var.top2)))
            truth[column] = levels
            definitions[column] = (
                "part des entreprises de la population par réponse (code), parmi les réponses "
                "exprimées (NSP et autres non-réponses exclues) ; pour un code de non-réponse, "
                "parmi toutes les réponses ; top2 = somme des deux modalités du haut de l'échelle"
            )
    return truth, definitions


# --------------------------------------------------------------------------------------------
# Respondent sample


def _allocate(cells: pd.DataFrame, n_companies: int) -> np.ndarray:
    """Respondents per cell: sector quotas, then size and département response propensities."""
    alloc = POPULATION_MODEL["sample_allocation"].value
    p_size = POPULATION_MODEL["response_propensity_size"].value
    p_dep = POPULATION_MODEL["response_propensity_departement"].value
    closed = {tuple(c) for c in POPULATION_MODEL["no_response_cells"].value}
    sectors = list(alloc)
    quotas = dict(
        zip(sectors, _largest_remainder(n_companies, [alloc[s] for s in sectors]), strict=True)
    )
    counts = cells["n_entreprises"].to_numpy().astype(float)
    propensity = np.array(
        [
            0.0 if (sec, size) in closed else p_size[size] * p_dep[dep]
            for sec, size, dep in cells[["secteur", "taille", "departement"]].itertuples(
                index=False
            )
        ]
    )
    out = np.zeros(len(cells), dtype=int)
    for sector in sectors:
        idx = np.flatnonzero(cells["secteur"].to_numpy() == sector)
        cap = counts[idx]
        weight = counts[idx] * propensity[idx]
        want = float(min(quotas[sector], cap[weight > 0].sum()))
        expected = np.zeros(len(idx))
        free = weight > 0
        for _ in range(10):  # water-filling: cells at their cap give their share to the others
            remaining = want - expected[~free].sum()
            expected[free] = remaining * weight[free] / weight[free].sum()
            over = free & (expected > cap)
            if not over.any():
                break
            expected[over] = cap[over]
            free &= ~over
        base = np.floor(expected).astype(int)
        extra = round(want) - int(base.sum())
        room = np.flatnonzero(base < cap)
        order = room[np.argsort(-(expected - base)[room], kind="stable")]
        base[order[:extra]] += 1
        out[idx] = base
    return out


# --------------------------------------------------------------------------------------------
# Names, dates and value rendering

FIRST_NAMES = (
    "Camille",
    "Julien",
    "Sophie",
    "Thomas",
    "Nadia",
    "Mehdi",
    "Claire",
    "Antoine",
    "Élodie",
    "Karim",
    "Pauline",
    "Nicolas",
    "Léa",
    "Hugo",
    "Amandine",
    "Sébastien",
    "Inès",
    "Mathieu",
    "Aurélie",
    "François",
    "Manon",
    "Rachid",
    "Céline",
    "Benoît",
    "Chloé",
    "Yann",
    "Sarah",
    "Guillaume",
    "Fatima",
    "Jérôme",
    "Laetitia",
    "Olivier",
    "Émilie",
    "Maxime",
    "Samia",
    "Cédric",
)
LAST_NAMES = (
    "Martin",
    "Lefebvre",
    "Dubois",
    "Leroy",
    "Delattre",
    "Vandenbussche",
    "Lemaire",
    "Descamps",
    "Dupont",
    "Duhamel",
    "Caron",
    "Lecomte",
    "Bernard",
    "Deschamps",
    "Vasseur",
    "Delcourt",
    "Bouchez",
    "Wattel",
    "Hennebelle",
    "Bonnet",
    "Fontaine",
    "Marchand",
    "Lambert",
    "Carpentier",
    "Benali",
    "Haddad",
    "Petit",
    "Moreau",
    "Lefranc",
    "Vermeulen",
    "Dhalluin",
    "Vandamme",
    "Poulain",
    "Mercier",
    "Roussel",
    "Boulanger",
    "Lenoir",
    "Dumont",
    "Lebrun",
    "Cappelle",
)
PLACES = (
    "Lille",
    "Roubaix",
    "Tourcoing",
    "Arras",
    "Amiens",
    "Beauvais",
    "Compiègne",
    "Laon",
    "Saint-Quentin",
    "Valenciennes",
    "Dunkerque",
    "Calais",
    "Boulogne",
    "Lens",
    "Douai",
    "Cambrai",
    "Maubeuge",
    "Abbeville",
    "Creil",
    "Soissons",
    "Béthune",
    "Saint-Omer",
    "Armentières",
    "Noyon",
)
NAME_PATTERNS = {
    "expertise_comptable": (
        "Cabinet {l}",
        "{l} & {l2} Expertise",
        "Fiduciaire de {p}",
        "{l} Audit Conseil",
    ),
    "banque": (
        "Banque {l} & Cie",
        "Comptoir financier de {p}",
        "{l} Finance",
        "Banque régionale de {p}",
    ),
    "assurance": ("Mutuelle de {p}", "{l} Assurances", "Cabinet {l} Courtage", "Prévoyance {p}"),
    "transport_logistique": ("Transports {l}", "{l} Logistique", "Messageries de {p}", "TLR {p}"),
    "logiciel": ("{l} Informatique", "{p} Digital", "Datavia {p}", "{l} Solutions Numériques"),
    "industrie": ("{l} Industries", "Ateliers {l}", "Fonderie de {p}", "Plasturgie {l}"),
}
LEGAL_FORMS = ("SAS", "SARL", "SA", "EURL", "")
COMMENTS = (
    "Nous attendons d'y voir plus clair sur le cadre juridique.",
    "Projet de chatbot pour le service client en cours.",
    "Difficile de trouver des formations adaptées aux petites structures.",
    "L'IA générative est utilisée par certains salariés sans cadre défini.",
    "Intéressés par un accompagnement collectif de la branche.",
    "Pas de projet pour l'instant, faute de temps.",
    "Besoin d'un diagnostic de nos données avant tout projet.",
)


@dataclass
class FileStyle:
    """How one branch writes its file (header, multi-select layout, value forms, mess)."""

    sector: str
    kind: str = "xlsx"  # xlsx or csv
    prefix: str = "R"
    header: str = "names"  # names, labels or mixed
    multi: str = "columns"  # columns (one 0/1 column per option) or cell (labels joined by "; ")
    flag_values: tuple[Any, Any] = (1, 0)  # checked, unchecked
    value_forms: tuple[float, float, float] = (0.75, 0.15, 0.10)  # label, code, variant
    date_forms: tuple[float, float, float, float] = (
        0.25,
        0.25,
        0.25,
        0.25,
    )  # datetime, serial, iso, fr
    dep_forms: tuple[float, float, float, float] = (0.6, 0.2, 0.1, 0.1)  # int, "02", name, "2"
    notes_above: tuple[str, ...] = ()
    notes_sheet: str = "Consignes"
    notes_first: bool = False
    footer: bool = False
    optional: tuple[str, ...] = ()  # secteur / taille / commentaire columns present
    band_rate: float = 0.04


def _file_styles() -> list[FileStyle]:
    return [
        FileStyle(
            "banque",
            prefix="BQ",
            header="names",
            multi="columns",
            flag_values=(1, 0),
            value_forms=(0.30, 0.60, 0.10),
            date_forms=(0.8, 0.1, 0.1, 0.0),
            notes_above=(
                "Enquête IA et compétences — branche bancaire",
                "Extraction du 12/07/2019",
            ),
            optional=("secteur", "commentaire"),
        ),
        FileStyle(
            "assurance",
            prefix="AS",
            header="labels",
            multi="columns",
            flag_values=("x", ""),
            value_forms=(0.80, 0.05, 0.15),
            date_forms=(0.0, 0.0, 0.1, 0.9),
            dep_forms=(0.4, 0.1, 0.4, 0.1),
            notes_sheet="Notes",
            optional=("taille",),
        ),
        FileStyle(
            "transport_logistique",
            prefix="TL",
            header="names",
            multi="cell",
            flag_values=("Oui", "Non"),
            value_forms=(0.85, 0.0, 0.15),
            date_forms=(0.0, 0.4, 0.6, 0.0),
            notes_above=(
                "Observatoire régional de l'IA — réponses de la branche transport et logistique",
                "Fichier transmis par la délégation régionale",
                "Ne pas modifier les en-têtes",
            ),
            footer=True,
            optional=("commentaire",),
        ),
        FileStyle(
            "logiciel",
            prefix="LOG",
            header="labels",
            multi="cell",
            flag_values=("1", "0"),
            value_forms=(0.70, 0.20, 0.10),
            date_forms=(0.6, 0.0, 0.4, 0.0),
            notes_sheet="Lisez-moi",
            notes_first=True,
            optional=("commentaire",),
        ),
        FileStyle(
            "industrie",
            prefix="IND",
            header="mixed",
            multi="columns",
            flag_values=("Oui", "Non"),
            value_forms=(0.70, 0.15, 0.15),
            date_forms=(0.4, 0.3, 0.0, 0.3),
            notes_above=("Enquête régionale IA et compétences 2019 — industrie",),
            notes_sheet="Notes",
            optional=("secteur", "taille"),
            band_rate=0.12,
        ),
        FileStyle(
            "expertise_comptable",
            kind="csv",
            prefix="EC",
            header="labels",
            multi="cell",
            flag_values=("1", "0"),
            value_forms=(0.80, 0.05, 0.15),
            date_forms=(0.0, 0.0, 0.0, 1.0),
            dep_forms=(0.5, 0.3, 0.0, 0.2),
            optional=("secteur", "commentaire"),
        ),
    ]


def _variant(rng: np.random.Generator, label: str) -> str:
    """A hand-typed form of a label: case, accents, spaces or apostrophe changed."""
    k = int(rng.integers(5))
    if k == 0:
        return label.upper()
    if k == 1:
        return _strip_accents(label).lower()
    if k == 2:
        return "  " + label.replace(" ", "  ", 1) + " "
    if k == 3 and "'" in label:
        return label.replace("'", "\u2019")
    return label.lower()


NSP_FORMS = ("NSP", "nsp", "NSP (ne sait pas)", "Nsp")


@dataclass
class _Renderer:
    """Turns one respondent's codes into the cells of one branch's file."""

    rng: np.random.Generator
    dictionary: Dictionary
    style: FileStyle

    def form(self) -> int:
        return int(
            self.rng.choice(3, p=np.asarray(self.style.value_forms) / sum(self.style.value_forms))
        )

    def code(self, var: Variable, code: str) -> str:
        if code == "nsp" and self.rng.random() < 0.7:
            return str(NSP_FORMS[int(self.rng.integers(len(NSP_FORMS)))])
        label = var.all_codes[code].fr
        form = self.form()
        if form == 1:
            return code
        if form == 2:
            return _variant(self.rng, label)
        return label

    def date(self, day: date) -> Any:
        form = int(self.rng.choice(4, p=np.asarray(self.style.date_forms)))
        if self.style.kind == "csv":
            form = 3 if form < 2 else form
        if form == 0:
            return datetime(day.year, day.month, day.day)
        if form == 1:
            return (day - date(1899, 12, 30)).days
        if form == 2:
            return day.isoformat()
        return day.strftime("%d/%m/%Y")

    def departement(self, code: str) -> Any:
        form = int(self.rng.choice(4, p=np.asarray(self.style.dep_forms)))
        if form == 0:
            return int(code) if self.style.kind == "xlsx" else code
        if form == 1:
            return code
        if form == 2:
            return self.dictionary.departements[code]
        return str(int(code))

    def headcount(self, value: int) -> Any:
        if self.rng.random() < self.style.band_rate:
            for low, high in ((10, 49), (50, 249), (250, 499)):
                if low <= value <= high:
                    return f"{low} à {high}"
        if value >= 1000 and self.rng.random() < 0.6:
            spaces = (" ", "\u00a0") if self.style.kind == "csv" else (" ", "\u00a0", "\u202f")
            sep = spaces[int(self.rng.integers(len(spaces)))]
            return f"{value // 1000}{sep}{value % 1000:03d}"
        if self.style.kind == "csv" or self.rng.random() < 0.1:
            return str(value)
        return int(value)

    def naf(self, code: str) -> str:
        u = self.rng.random()
        if u < 0.3:
            return code.replace(".", "")
        if u < 0.4:
            return code.lower()
        return code

    def siren(self, number: str) -> Any:
        u = self.rng.random()
        if u < 0.2:
            return f"{number[:3]} {number[3:6]} {number[6:]}"
        if u < 0.5 and self.style.kind == "xlsx":
            return int(number)
        return number

    def flags(self, var: Variable, row: dict[str, Any]) -> list[Any]:
        values = [row.get(f"{var.name}__{o}") for o in var.options]
        if all(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
            return [None] * len(values)
        yes, no = self.style.flag_values
        if no == "" and not any(v == 1 for v in values):
            no = "0"  # "x" style: an answered question with nothing ticked is written 0
        return [yes if v == 1 else (no if no != "" else None) for v in values]

    def joined(self, var: Variable, row: dict[str, Any]) -> str | None:
        values = [row.get(f"{var.name}__{o}") for o in var.options]
        if all(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
            return None
        chosen = [o for o, v in zip(var.options, values, strict=True) if v == 1]
        parts = []
        for option in chosen:
            label = var.options[option].fr
            parts.append(_variant(self.rng, label) if self.form() == 2 else label)
        return "; ".join(parts)


def _columns(dictionary: Dictionary, style: FileStyle) -> list[tuple[str, str, str | None]]:
    """(header, variable, option/item or None; "*" for a multi answered in one cell)."""
    out: list[tuple[str, str, str | None]] = []
    for i, var in enumerate(dictionary):
        if var.derived or (
            var.name in ("secteur", "taille", "commentaire") and var.name not in style.optional
        ):
            continue
        use_names = style.header == "names" or (style.header == "mixed" and i % 2 == 0)
        if var.type == "multi" and (style.multi == "columns" or var.name == "techno"):
            for option, label in var.options.items():
                header = f"{var.name}__{option}" if use_names else f"{var.label.fr} : {label.fr}"
                out.append((header, var.name, option))
        elif var.type == "multi":
            out.append((var.name if use_names else var.label.fr, var.name, "*"))
        elif var.type == "matrix":
            for item, label in var.items.items():
                header = f"{var.name}__{item}" if use_names else f"{var.label.fr} : {label.fr}"
                out.append((header, var.name, item))
        else:
            out.append((var.name if use_names else var.label.fr, var.name, None))
    return out


PARTIAL_FROM = "part_formes_ia"  # a partial questionnaire stops before this question


def _render_row(
    r: _Renderer, columns: list[tuple[str, str, str | None]], row: dict[str, Any]
) -> list[Any]:
    dictionary = r.dictionary
    cells: list[Any] = []
    stopped = False
    done_multi: set[str] = set()
    multi_cells: dict[str, list[Any]] = {}
    for _header, name, sub in columns:
        var = dictionary[name]
        if name == PARTIAL_FROM and row["statut_reponse"] == "partiel":
            stopped = True
        if stopped or row.get("_blank_" + name):
            cells.append(None)
            continue
        if var.type == "multi" and sub == "*":
            cells.append(r.joined(var, row))
            continue
        if var.type == "multi":
            if name not in done_multi:
                multi_cells[name] = r.flags(var, row)
                done_multi.add(name)
            cells.append(multi_cells[name][list(var.options).index(sub)])  # type: ignore[arg-type]
            continue
        column = f"{name}__{sub}" if sub else name
        value = row.get(column)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            cells.append(None)
        elif name in row.get("_raw", {}):
            cells.append(row["_raw"][name])
        elif name == "date_reponse":
            cells.append(r.date(value))
        elif name == "siren":
            cells.append(r.siren(value))
        elif name == "naf_code":
            cells.append(r.naf(value))
        elif name == "departement":
            cells.append(r.departement(value))
        elif name == "effectif":
            cells.append(r.headcount(int(value)))
        elif name == "recrutements_ia_12m":
            v = int(value)
            if r.style.kind == "csv":
                cells.append(f"{v},0" if r.rng.random() < 0.3 else str(v))
            else:
                cells.append(v)
        elif var.is_coded:
            cells.append(r.code(var, str(value)))
        else:
            cells.append(value)
    return cells


# --------------------------------------------------------------------------------------------
# Writers


def _new_workbook(path: Path) -> xlsxwriter.Workbook:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {
            "title": "Enquête IA et compétences — données d'exemple",
            "author": "Observatoire régional de l'IA et des compétences",
            "company": "Observatoire régional",
            "created": CREATED,
        }
    )
    return workbook


def _write_sheet(
    workbook: xlsxwriter.Workbook, name: str, rows: list[list[Any]], bold_row: int | None = None
) -> None:
    sheet = workbook.add_worksheet(name)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    bold = workbook.add_format({"bold": True})
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(i, j, value, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(i, j, value)
            elif isinstance(value, int | float | np.integer | np.floating):
                sheet.write_number(i, j, float(value) if isinstance(value, float) else int(value))
            else:
                text = str(value)
                if text:
                    sheet.write_string(i, j, text, bold if i == bold_row else None)


def _write_xlsx(
    path: Path,
    data_sheet: str,
    rows: list[list[Any]],
    header_index: int,
    notes_sheet: str,
    notes: list[str],
    notes_first: bool,
) -> Path:
    with atomic_path(path) as tmp:
        workbook = _new_workbook(tmp)
        sheets = [(data_sheet, rows, header_index), (notes_sheet, [[n] for n in notes], None)]
        if notes_first:
            sheets.reverse()
        for name, content, bold_row in sheets:
            _write_sheet(workbook, name, content, bold_row)
        workbook.close()
    return path


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _write_csv(path: Path, rows: list[list[Any]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return write_bytes(path, buffer.getvalue().encode("cp1252"))


NOTES_SHEET_TEXT = (
    "Consignes de saisie",
    "Une ligne par entreprise répondante.",
    "Cases à cocher : une colonne par réponse possible (ou réponses séparées par « ; »).",
    "NSP = ne sait pas.",
    "Les colonnes SIREN, raison sociale et courriel sont confidentielles : elles servent au "
    "repérage des doublons et sont supprimées au nettoyage.",
    "Données fictives produites par « iaobs sample » : toute ressemblance avec une entreprise "
    "existante serait fortuite.",
)


@dataclass
class _Planted:
    """Confidential values and defects written into the raw files (for tests)."""

    confidential: dict[str, list[str]] = field(
        default_factory=lambda: {
            "siren": [],
            "raison_sociale": [],
            "email_contact": [],
            "nom_prenom": [],
        }
    )
    defects: list[dict[str, Any]] = field(default_factory=list)


def _company_identity(rng: np.random.Generator, sector: str, used: set[str]) -> tuple[str, str]:
    """A fake company name and a contact e-mail at a reserved example domain."""
    for _ in range(50):
        pattern = NAME_PATTERNS[sector][int(rng.integers(4))]
        name = pattern.format(
            l=LAST_NAMES[int(rng.integers(len(LAST_NAMES)))],
            l2=LAST_NAMES[int(rng.integers(len(LAST_NAMES)))],
            p=PLACES[int(rng.integers(len(PLACES)))],
        )
        form = LEGAL_FORMS[int(rng.integers(len(LEGAL_FORMS)))]
        name = re.sub(r"\bde ([AEIOUÉ])", r"d'\1", f"{name} {form}".strip())
        if name not in used:
            break
        name = f"{name} {int(rng.integers(2, 99))}"
        if name not in used:
            break
    used.add(name)
    first = _slug(FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))])
    last = _slug(LAST_NAMES[int(rng.integers(len(LAST_NAMES)))])
    domain = (_slug(name) or "entreprise")[:40]
    return name, f"{first}.{last}@{domain}.example.com"


def _sector_records(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    chosen: np.ndarray,
    sector: str,
    style: FileStyle,
    dictionary: Dictionary,
    sirens: list[str],
    used_names: set[str],
) -> list[dict[str, Any]]:
    """One record per respondent of a sector (codes), in the order they answered."""
    rows = frame.iloc[chosen].to_dict("records")
    start = date(2019, 3, 4)
    days = np.sort(rng.integers(0, 110, size=len(rows)))
    records = []
    for k, (row, day) in enumerate(zip(rows, days, strict=True)):
        row = dict(row)
        row["id_repondant"] = f"{style.prefix}-{k + 1:04d}"
        row["date_reponse"] = start + timedelta(days=int(day))
        row["statut_reponse"] = "partiel" if rng.random() < 0.06 else "complet"
        row["siren"] = sirens.pop()
        name, email = _company_identity(rng, sector, used_names)
        if sector == "expertise_comptable" and k == 0:
            name = "Cœur de Métiers Expertise"
        row["raison_sociale"] = name
        row["email_contact"] = email if rng.random() > 0.05 else None
        row["commentaire"] = (
            COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.08 else None
        )
        for var in dictionary:  # item non-response, about 1.5 % of the cells
            if (
                not var.required
                and var.type not in {"id"}
                and var.name
                not in {
                    "date_reponse",
                    "statut_reponse",
                    "siren",
                    "raison_sociale",
                    "naf_code",
                    "effectif",
                }
                and rng.random() < 0.015
            ):
                row["_blank_" + var.name] = True
        records.append(row)
    return records


def _perturb(
    rng: np.random.Generator, row: dict[str, Any], dictionary: Dictionary
) -> dict[str, Any]:
    """An earlier submission of the same firm: earlier date, a few different answers."""
    early = dict(row)
    early["date_reponse"] = row["date_reponse"] - timedelta(days=int(rng.integers(3, 21)))
    early["statut_reponse"] = "partiel" if rng.random() < 0.5 else "complet"
    names = ["ia_stade", "ia_generative", "budget_ia", "opinion_opportunite", "charte_ia"]
    for name in rng.choice(names, size=2, replace=False):
        codes = list(dictionary[str(name)].codes)
        early[str(name)] = codes[int(rng.integers(len(codes)))]
    return early


def _plant_defects(
    rng: np.random.Generator, records: list[dict[str, Any]], style: FileStyle
) -> None:
    """Impossible or contradictory values, marked in ``_defect`` and ``_raw`` of a record."""

    def pick() -> dict[str, Any] | None:
        free = [r for r in records if "_defect" not in r and not r.get("_duplicate")]
        return free[int(rng.integers(len(free)))] if free else None

    plans: dict[str, list[tuple[str, str, Any]]] = {
        "banque": [
            ("naf_secteur_incoherent", "naf_code", "62.01Z"),
            ("naf_secteur_incoherent", "naf_code", "6201Z"),
        ],
        "assurance": [("effectif_impossible", "effectif", -5)],
        "transport_logistique": [
            ("date_future", "date_reponse", "2031-04-12"),
            ("naf_secteur_incoherent", "naf_code", "6920Z"),
        ],
        "logiciel": [("recrutements_aberrants", "recrutements_ia_12m", 99999)],
        "industrie": [
            ("secteur_inconnu", "secteur", "Agroalimentaire"),
            ("secteur_inconnu", "secteur", "BTP"),
        ],
        "expertise_comptable": [("effectif_impossible", "effectif", "-5")],
    }
    for kind, column, value in plans.get(style.sector, []):
        record = pick()
        if record is None:
            return
        record["_defect"] = (kind, column, value)
        record.setdefault("_raw", {})[column] = value


def _layout_sector(
    rng: np.random.Generator,
    records: list[dict[str, Any]],
    style: FileStyle,
    dictionary: Dictionary,
    planted: _Planted,
    rel_path: str,
    sheet: str | None,
) -> tuple[list[list[Any]], int]:
    """The rows of the data sheet (notes, header, data with blanks and duplicates, footer)."""
    renderer = _Renderer(rng, dictionary, style)
    columns = _columns(dictionary, style)
    headers = [h for h, _, _ in columns]
    out: list[list[Any]] = []
    for note in style.notes_above:
        out.append([note])
    if style.notes_above:
        out.append([])
    header_index = len(out)
    out.append(list(headers))

    # duplicated submissions (~2 %): an earlier, partly different answer of the same firm
    n = len(records)
    n_dup = max(1, round(0.02 * n)) if n >= 10 else 0
    order: list[dict[str, Any]] = list(records)
    for i in rng.choice(n, size=n_dup, replace=False) if n_dup else []:
        later = records[int(i)]
        early = _perturb(rng, later, dictionary)
        early["_duplicate"] = True
        at = next(j for j, r in enumerate(order) if r is later)
        pos = int(rng.integers(0, at + 1))
        order.insert(pos, early)
        later["_has_earlier"] = early
    for k, row in enumerate(order):  # renumber in file order
        row["id_repondant"] = f"{style.prefix}-{k + 1:04d}"
    _plant_defects(rng, records, style)

    blank_after = (
        set(rng.choice(len(order), size=max(1, len(order) // 100), replace=False).tolist())
        if order
        else set()
    )
    row_of: dict[int, int] = {}
    for k, row in enumerate(order):
        cells = _render_row(renderer, columns, row)
        out.append(cells)
        excel_row = len(out)  # 1-based spreadsheet row / CSV line
        row_of[id(row)] = excel_row
        planted.confidential["siren"].append(row["siren"])
        planted.confidential["raison_sociale"].append(row["raison_sociale"])
        if row.get("email_contact"):
            planted.confidential["email_contact"].append(row["email_contact"])
        if "_defect" in row:
            kind, column, value = row["_defect"]
            header = (
                headers[[c[1] for c in columns].index(column)]
                if column in [c[1] for c in columns]
                else column
            )
            planted.defects.append(
                {
                    "file": rel_path,
                    "sheet": sheet,
                    "row": excel_row,
                    "column": header,
                    "value": value,
                    "kind": kind,
                }
            )
        if k in blank_after:
            out.append([])
            planted.defects.append(
                {
                    "file": rel_path,
                    "sheet": sheet,
                    "row": len(out),
                    "column": None,
                    "value": None,
                    "kind": "ligne_vide",
                }
            )
    for row in records:
        if "_has_earlier" in row:
            planted.defects.append(
                {
                    "file": rel_path,
                    "sheet": sheet,
                    "kind": "doublon_siren",
                    "row": row_of[id(row["_has_earlier"])],
                    "kept_row": row_of[id(row)],
                    "column": None,
                    "value": None,
                }
            )
    if style.footer:
        out.append([])
        out.append(["Total", f"{len(order)} réponses"])
        out.append(["Source : fédération régionale du transport et de la logistique, enquête 2019"])
        planted.defects.append(
            {
                "file": rel_path,
                "sheet": sheet,
                "row": len(out) - 1,
                "column": None,
                "value": "Total",
                "kind": "ligne_total",
            }
        )
    return out, header_index


# --------------------------------------------------------------------------------------------
# Pilot training


def _training(
    rng: np.random.Generator, companies: list[dict[str, Any]], planted: _Planted
) -> tuple[list[list[Any]], int, dict[str, Any]]:
    """The pilot-training file (long: one row per participant × wave) and its true values."""
    dictionary = load_dictionary("formation")
    n = int(TRAINING_MODEL["participants"].value)
    present = TRAINING_MODEL["present"].value
    gain = TRAINING_MODEL["auto_eval_gain"].value
    quiz = TRAINING_MODEL["quiz_mean"].value
    employer = np.concatenate(
        [np.arange(len(companies)), rng.integers(0, len(companies), n - len(companies))]
    )
    rng.shuffle(employer)
    ability = rng.normal(0, 1, n)
    motivation = ability + rng.normal(0, 1, n)
    # T1: the least motivated drop out more often; T2: most of T1 plus a few who missed T1
    t1 = np.zeros(n, dtype=bool)
    t1[
        rng.choice(
            n,
            size=present["T1"],
            replace=False,
            p=_expit(motivation + 2) / _expit(motivation + 2).sum(),
        )
    ] = True
    in_t1 = np.flatnonzero(t1)
    t2 = np.zeros(n, dtype=bool)
    t2[rng.choice(in_t1, size=present["T2"] - 2, replace=False)] = True
    t2[rng.choice(np.flatnonzero(~t1), size=min(2, int((~t1).sum())), replace=False)] = True
    names = []
    used: set[str] = set()
    for _ in range(n):
        while True:
            name = f"{FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]} {LAST_NAMES[int(rng.integers(len(LAST_NAMES)))].upper()}"
            if name not in used:
                used.add(name)
                break
        names.append(name)
    planted.confidential["nom_prenom"].extend(names)

    def code(var: str, idx: int) -> str:
        return list(dictionary[var].codes)[idx]

    person = []
    for i in range(n):
        company = companies[int(employer[i])]
        person.append(
            {
                "id_participant": f"P{i + 1:03d}",
                "nom_prenom": names[i],
                "id_entreprise": company["id_repondant"],
                "secteur": company["secteur"],
                "taille": company["taille"],
                "famille_metier": code("famille_metier", int(rng.integers(5))),
                "statut": code("statut", int(rng.choice(4, p=[0.10, 0.40, 0.25, 0.25]))),
                "tranche_age": code(
                    "tranche_age", int(rng.choice(5, p=[0.08, 0.27, 0.30, 0.25, 0.10]))
                ),
                "sexe": "nr"
                if rng.random() < 0.03
                else ("femme" if rng.random() < 0.52 else "homme"),
                "diplome": code("diplome", int(rng.choice(5, p=[0.10, 0.20, 0.25, 0.20, 0.25]))),
            }
        )
    items = {
        "comprendre_ia": 0.3,
        "formuler_requetes": -0.2,
        "verifier_resultats": 0.0,
        "proteger_donnees": 0.2,
        "identifier_cas_usage": -0.1,
        "automatiser_tache": -0.6,
        "cadre_legal": -0.5,
        "limites_biais": -0.2,
    }
    starts = {"T0": date(2019, 9, 16), "T1": date(2019, 11, 4), "T2": date(2020, 2, 3)}
    rows: list[dict[str, Any]] = []
    for wave, mask in (("T0", np.ones(n, dtype=bool)), ("T1", t1), ("T2", t2)):
        g = gain[wave]
        for i in map(int, np.flatnonzero(mask)):
            a = float(ability[i])
            row: dict[str, Any] = {
                **person[i],
                "vague": wave,
                "date_passation": starts[wave] + timedelta(days=int(rng.integers(0, 12))),
            }
            for item, shift in items.items():
                value = 2.4 + 0.6 * a + shift + g + rng.normal(0, 0.6)
                row[f"auto_eval__{item}"] = int(np.clip(np.rint(value), 1, 5))
            row["score_quiz"] = int(np.clip(np.rint(quiz[wave] + 2 * a + rng.normal(0, 2)), 0, 20))
            freq = 0.8 * a - 0.3 + {"T0": 0.0, "T1": 0.5, "T2": 0.9}[wave]
            row["freq_usage_ia"] = code(
                "freq_usage_ia", int(_ordered(rng, np.array([freq]), (-1.5, -0.3, 0.8, 2.0))[0])
            )
            for name, latent in (
                ("opinion_confiance", 0.2 * a + 0.3 * g - 0.3),
                ("opinion_inquietude", -0.4 * g - 0.2),
                ("opinion_utilite", 0.3 * a + 0.8 * g + 0.4),
            ):
                row[name] = code(
                    name, int(4 - _ordered(rng, np.array([latent]), (-2.2, -0.9, 0.3, 1.6))[0])
                )
            if wave == "T1":
                row["satisfaction"] = code(
                    "satisfaction", int(rng.choice(4, p=[0.03, 0.07, 0.45, 0.45]))
                )
                row["recommandation"] = int(
                    np.clip(np.rint(8 + 0.5 * a + rng.normal(0, 1.5)), 0, 10)
                )
                row["intention_application"] = code(
                    "intention_application", int(rng.choice(5, p=[0.35, 0.40, 0.15, 0.07, 0.03]))
                )
                row["heures_formation"] = float(rng.choice([21.0, 21.0, 17.5, 14.0, 10.5]))
                row["modalite"] = code("modalite", int(rng.choice(3, p=[0.5, 0.2, 0.3])))
                row["certification"] = "oui" if rng.random() < 0.4 else "non"
            if wave == "T2":
                earlier = next(
                    (
                        r
                        for r in rows
                        if r["id_participant"] == row["id_participant"] and r["vague"] == "T1"
                    ),
                    None,
                )
                certified = earlier is not None and earlier.get("certification") == "oui"
                row["certification"] = "oui" if certified or rng.random() < 0.15 else "non"
                tg = int(_ordered(rng, np.array([0.5 * a + 0.5]), (-1.5, 0.0, 1.2, 2.8))[0])
                row["temps_gagne_hebdo"] = (
                    "nsp" if rng.random() < 0.06 else code("temps_gagne_hebdo", tg)
                )
            rows.append(row)

    truth: dict[str, Any] = {
        "participants": {w: int(sum(r["vague"] == w for r in rows)) for w in ("T0", "T1", "T2")}
    }
    frame = pd.DataFrame(rows)
    truth["score_quiz_mean"] = {
        w: round(float(v), 4) for w, v in frame.groupby("vague")["score_quiz"].mean().items()
    }
    truth["auto_eval_mean"] = {
        item: {
            w: round(float(v), 4)
            for w, v in frame.groupby("vague")[f"auto_eval__{item}"].mean().items()
        }
        for item in items
    }
    truth["_definition"] = (
        "valeurs observées sur l'ensemble des participants (la formation pilote est exhaustive)"
    )

    style = FileStyle("formation", value_forms=(0.8, 0.1, 0.1), date_forms=(0.4, 0.2, 0.2, 0.2))
    renderer = _Renderer(rng, dictionary, style)
    columns: list[tuple[str, str, str | None]] = []
    for i, var in enumerate(dictionary):
        if var.type == "matrix":
            for item, label in var.items.items():
                columns.append(
                    (
                        f"{var.name}__{item}" if i % 3 else f"{var.label.fr} : {label.fr}",
                        var.name,
                        item,
                    )
                )
        else:
            columns.append((var.name if i % 3 else var.label.fr, var.name, None))
    out: list[list[Any]] = [
        ["Formation pilote IA — passations T0, T1, T2"],
        ["Saisie : équipe formation"],
        [],
    ]
    header_index = len(out)
    out.append([h for h, _, _ in columns])
    wave_forms = {
        "T0": ("T0", "T0 - avant la formation", "t0"),
        "T1": ("T1", "t1 ", "T1 - fin de formation"),
        "T2": ("T2", "T2 - trois mois après", " T2"),
    }
    for k, row in enumerate(rows):
        cells: list[Any] = []
        for _header, name, sub in columns:
            var = dictionary[name]
            value = row.get(f"{name}__{sub}" if sub else name)
            if value is None:
                cells.append(None)
            elif name == "vague":
                forms = wave_forms[str(value)]
                cells.append(forms[int(rng.integers(len(forms)))])
            elif name == "date_passation":
                cells.append(renderer.date(value))
            elif name == "heures_formation":
                cells.append(f"{value:g}".replace(".", ",") if rng.random() < 0.3 else value)
            elif var.type == "matrix":
                cells.append(str(value) if rng.random() < 0.05 else int(value))
            elif var.is_coded:
                cells.append(renderer.code(var, str(value)))
            else:
                cells.append(value)
        out.append(cells)
        if k in (37, 121):
            out.append([])
    return out, header_index, truth


# --------------------------------------------------------------------------------------------
# Study file and README

POPULATION_README = """# Marges de population de l'étude exemple

`population.csv` : nombre d'entreprises par secteur × taille × département
(`secteur,taille,departement,n_entreprises`), utilisé pour pondérer les réponses.

**Ces effectifs sont des ordres de grandeur illustratifs, pas des chiffres officiels.** Ils
décrivent la population fictive de l'étude exemple (écrite par `iaobs sample`), dont les
valeurs vraies des indicateurs sont dans `data/raw/sample_truth.json`.

Ils sont reconstruits par `iaobs frame` (à chaque `make report`) à partir des extraits Sirene
fictifs de `data/raw/sirene/` (`StockUniteLegale_utf8.zip`, `StockEtablissement_utf8.zip`, au
format publié par l'INSEE, aucune entreprise réelle) ; les unités écartées, par motif, sont
comptées dans `population-exclusions.csv`.

Pour une étude réelle, les effectifs officiels se lisent dans :

- INSEE, répertoire Sirene (stock des unités légales et des établissements actifs, par code APE
  et par commune, donc par département) — https://www.sirene.fr et data.gouv.fr ;
- URSSAF, données ouvertes sur les établissements employeurs et leurs effectifs salariés par
  code APE et département — https://open.urssaf.fr.

La taille suit les classes du dictionnaire (TPE 0-9, PME 10-249, ETI 250-4 999, GE 5 000 et plus
salariés), approchées par l'effectif. Les cellules sans entreprise sont omises.
"""


def _study_toml(sources: list[tuple[str, str | None, str]]) -> str:
    lines = [
        "# Étude par défaut du dépôt : données synthétiques écrites par « iaobs sample »",
        "# (population fictive, valeurs vraies dans data/raw/sample_truth.json).",
        "",
        "[study]",
        'title = "Observatoire régional de l\'intelligence artificielle et des compétences"',
        'region = "Hauts-de-France"',
        f'wave = "{WAVE}"',
        'language = "fr"',
        "",
        "[population]",
        'margins = "data/reference/population.csv"   # effectifs illustratifs (voir son README)',
        "",
        "[frame]   # extraits Sirene fictifs : « iaobs frame » en tire les marges ci-dessus",
        'unites_legales = "data/raw/sirene/StockUniteLegale_utf8.zip"',
        'etablissements = "data/raw/sirene/StockEtablissement_utf8.zip"',
    ]
    for path, sector, questionnaire in sources:
        lines += ["", "[[sources]]", f'path = "{path}"', 'profile = "template"']
        if sector:
            lines.append(f'sector = "{sector}"')
        if questionnaire != "entreprises":
            lines.append(f'questionnaire = "{questionnaire}"')
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Entry point


def write_sample_study(output: Path, seed: int = 2019, n_companies: int = 1500) -> list[Path]:
    """Write the synthetic sample study into ``output`` (a study folder).

    Parameters
    ----------
    output
        The study folder; ``data/raw/2019/``, ``data/raw/sample_truth.json``,
        ``data/reference/population.csv`` (and its README) and ``study.toml`` are written in it.
    seed
        Seed of the random generator: the same seed gives byte-identical files.
    n_companies
        Number of responding companies before duplicates and planted defects (firms).

    Returns
    -------
    list of Path
        Every file written.
    """
    output = Path(output)
    n_companies = max(int(n_companies), 6)
    rng = np.random.default_rng(seed)
    dictionary = load_dictionary("entreprises")
    cells = population_margins(dictionary)
    frame = _population_answers(rng, cells, dictionary)
    truth, definitions = _truth(frame, dictionary)

    # respondents: cell by cell, simple random sampling within the cell
    per_cell = _allocate(cells, n_companies)
    starts = np.concatenate([[0], np.cumsum(cells["n_entreprises"].to_numpy())[:-1]])
    chosen_parts = [
        st + rng.choice(size, size=k, replace=False)
        for st, size, k in zip(starts, cells["n_entreprises"].to_numpy(), per_cell, strict=True)
        if k > 0
    ]
    chosen = np.sort(np.concatenate(chosen_parts)) if chosen_parts else np.array([], dtype=int)

    draws = rng.integers(10_000_000, 100_000_000, size=2 * len(chosen) + 10)
    _, first = np.unique(draws, return_index=True)
    bodies = draws[np.sort(first)][: len(chosen)]  # distinct 8-digit bodies, in draw order
    sirens = [_siren(int(b)) for b in bodies]
    planted = _Planted()
    used_names: set[str] = set()
    written: list[Path] = []
    sources: list[tuple[str, str | None, str]] = []
    companies: list[dict[str, Any]] = []
    sector_of = frame["secteur"].to_numpy()
    for style in _file_styles():
        sector_rows = chosen[sector_of[chosen] == style.sector]
        sector_rows = sector_rows[rng.permutation(len(sector_rows))]
        records = _sector_records(
            rng, frame, sector_rows, style.sector, style, dictionary, sirens, used_names
        )
        records.sort(key=lambda r: r["date_reponse"])
        rel = f"data/raw/{WAVE}/{style.sector}.{style.kind}"
        sheet = None if style.kind == "csv" else "Réponses"
        rows, header_index = _layout_sector(rng, records, style, dictionary, planted, rel, sheet)
        path = output / rel
        if style.kind == "csv":
            written.append(_write_csv(path, rows))
        else:
            written.append(
                _write_xlsx(
                    path,
                    "Réponses",
                    rows,
                    header_index,
                    style.notes_sheet,
                    list(NOTES_SHEET_TEXT),
                    style.notes_first,
                )
            )
        sources.append((rel, style.sector, "entreprises"))
        companies.extend(r for r in records if not r.get("_duplicate") and "_defect" not in r)

    # pilot training: participants from about twenty responding companies
    n_firms = min(int(TRAINING_MODEL["companies"].value), len(companies))
    picked = rng.choice(len(companies), size=n_firms, replace=False)
    rows, header_index, training_truth = _training(
        rng, [companies[int(i)] for i in sorted(picked)], planted
    )
    rel = f"data/raw/{WAVE}/formation_pilote.xlsx"
    written.append(
        _write_xlsx(
            output / rel,
            "Passations",
            rows,
            header_index,
            "Consignes",
            [
                "Une ligne par participant et par vague (T0, T1, T2).",
                "Le nom est confidentiel : il ne sort jamais du dossier data/raw.",
            ],
            False,
        )
    )
    sources.append((rel, None, "formation"))

    margins_path = output / "data" / "reference" / "population.csv"
    written.append(write_text(margins_path, cells.to_csv(index=False, lineterminator="\n")))
    written += write_sirene_extracts(cells, output / "data" / "raw" / "sirene", seed=seed)
    written.append(write_text(output / "data" / "reference" / "README.md", POPULATION_README))

    document: dict[str, Any] = {
        "_about": (
            "Valeurs vraies de la population fictive de l'étude exemple (iaobs sample) : "
            '{indicateur: {modalité ou "": {domaine: valeur}}}. Proportions entre 0 et 1 '
            "calculées sur toute la population, NSP exclus de la base comme dans les estimations."
        ),
        "_meta": {
            "seed": seed,
            "n_companies": n_companies,
            "population_firms": int(cells["n_entreprises"].sum()),
            "respondents": len(chosen),
            "respondents_by_cell": [
                {
                    "secteur": sec,
                    "taille": size,
                    "departement": dep,
                    "n_entreprises": int(nn),
                    "repondants": int(k),
                }
                for (sec, size, dep, nn), k in zip(
                    cells.itertuples(index=False), per_cell, strict=True
                )
            ],
            "population_model": _as_json(POPULATION_MODEL),
            "answer_model": _as_json(ANSWER_MODEL),
            "training_model": _as_json(TRAINING_MODEL),
        },
        "_definitions": definitions,
        **truth,
        "_formation": training_truth,
        "planted_defects": planted.defects,
        "planted_confidential": planted.confidential,
    }
    written.append(write_json(output / "data" / "raw" / "sample_truth.json", document))
    written.append(write_text(output / "study.toml", _study_toml(sources)))
    return written
