"""The synthetic population: margins, answers of every firm, true values and the sample's allocation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from iaobs.study.dictionary import Dictionary, load_dictionary
from iaobs.tools.sample.model import (
    ANSWER_MODEL,
    NAF_CODES,
    POPULATION_MODEL,
    Assumption,
)


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
    """Every firm of the population with its answers (codes, 0/1, NaN/None when not asked).

    The answers are drawn in a fixed order (the sections below, one after the other) so that
    a seed gives the same population.
    """
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
    firms = _Firms(rng, dictionary, cols, s, t, adopt, sectors, is_)
    _identification(firms)
    _adoption(firms)
    _jobs(firms)
    _skills(firms)
    _training_needs(firms)
    _attitudes(firms)
    return pd.DataFrame(cols)


@dataclass
class _Firms:
    """The population being drawn: its strata, adoption and the answers so far (``cols``)."""

    rng: np.random.Generator
    dictionary: Dictionary
    cols: dict[str, Any]
    s: np.ndarray
    t: np.ndarray
    adopt: np.ndarray
    sectors: list[str]
    is_: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        self.n = len(self.s)
        self.a = self.adopt.astype(float)
        self.big = (self.t >= 2).astype(float)
        self.soft = self.is_["logiciel"].astype(float)
        self.everyone = np.ones(self.n, dtype=bool)

    def codes_of(self, name: str) -> list[str]:
        return list(self.dictionary[name].codes)

    def coded(
        self, name: str, idx: np.ndarray, nsp: float | None = None, code: str = "nsp"
    ) -> None:
        values = np.array(self.codes_of(name), dtype=object)[idx]
        rate_ = ANSWER_MODEL["nsp_rate"].value if nsp is None else nsp
        if rate_ > 0:
            values[self.rng.random(self.n) < rate_] = code
        self.cols[name] = values

    def accord(self, latent: np.ndarray) -> np.ndarray:
        # codes run from tout_a_fait (agree most) to pas_du_tout: reverse the ordered index
        return 4 - _ordered(self.rng, latent, (-2.2, -0.9, 0.3, 1.6))


def _identification(f: _Firms) -> None:
    """Who answers: the firm's group and the respondent's role."""
    group_p = np.array(
        [[0.90, 0.08, 0.02], [0.65, 0.25, 0.10], [0.25, 0.45, 0.30], [0.05, 0.55, 0.40]]
    )
    f.coded("groupe", _pick(f.rng, group_p[f.t]), nsp=0.02)
    role_p = np.array(
        [
            [0.80, 0.05, 0.03, 0.05, 0.05, 0.02],
            [0.40, 0.25, 0.12, 0.10, 0.10, 0.03],
            [0.10, 0.40, 0.25, 0.10, 0.12, 0.03],
            [0.05, 0.40, 0.30, 0.10, 0.12, 0.03],
        ]
    )
    f.coded("fonction_repondant", _pick(f.rng, role_p[f.t]), nsp=0)


def _adoption(f: _Firms) -> None:
    """AI adoption: technologies, stage, uses, generative AI, acquisition, budget, horizon."""
    options = list(f.dictionary["techno"].options)
    tech_model = ANSWER_MODEL["techno_given_adoption"].value
    tech_p = np.array([tech_model.get(name, tech_model["default"]) for name in f.sectors])[f.s]
    techno = _flags(f.rng, tech_p, f.everyone) * f.a[:, None]
    for k, option in enumerate(options):
        f.cols[f"techno__{option}"] = techno[:, k]
    f.cols["ia_usage"] = f.a
    stage_adopt = np.where(
        f.big[:, None] > 0, [0.0, 0.0, 0.25, 0.45, 0.30], [0.0, 0.0, 0.40, 0.42, 0.18]
    )
    p_watch = np.clip(0.30 + 0.10 * f.t + 0.25 * f.soft, 0, 0.9)
    stage_non = np.column_stack([1 - p_watch, p_watch, np.zeros((f.n, 3))])
    f.coded("ia_stade", _pick(f.rng, np.where(f.adopt[:, None], stage_adopt, stage_non)), nsp=0.03)
    usage_model = ANSWER_MODEL["usages_given_adoption"].value
    usage_p = np.array([usage_model.get(name, usage_model["default"]) for name in f.sectors])[f.s]
    usages = _flags(f.rng, usage_p, f.adopt)
    for k, option in enumerate(f.dictionary["usages"].options):
        f.cols[f"usages__{option}"] = usages[:, k]
    gen_p = np.where(f.adopt[:, None], [0.15, 0.30, 0.25, 0.30], [0.60, 0.33, 0.04, 0.03])
    f.coded("ia_generative", _pick(f.rng, gen_p), nsp=0.04)
    acq_p = np.column_stack(
        [
            0.15 + 0.35 * f.soft + 0.1 * f.big,
            np.full(f.n, 0.35),
            np.full(f.n, 0.15) + 0.15 * f.soft,
            np.full(f.n, 0.45),
            np.full(f.n, 0.30),
        ]
    )
    acq = _flags(f.rng, acq_p, f.adopt)
    for k, option in enumerate(f.dictionary["mode_acquisition"].options):
        f.cols[f"mode_acquisition__{option}"] = acq[:, k]
    f.coded(
        "budget_ia",
        _ordered(f.rng, 2.2 * f.a + 0.9 * f.t + 0.5 * f.soft, (0.8, 2.3, 3.4, 4.6, 6.0)),
        nsp=0.10,
    )
    watching = np.asarray(f.cols["ia_stade"] == "veille")
    horizon_p = np.where(
        f.adopt[:, None],
        [0.45, 0.30, 0.25],
        np.where(watching[:, None], [0.15, 0.30, 0.55], [0.03, 0.07, 0.90]),
    )
    f.coded("projet_horizon", _pick(f.rng, horizon_p), nsp=0.06)


def _jobs(f: _Firms) -> None:
    """Impact on jobs: headcount, job families, automatable tasks, new jobs, hires."""
    impact = list(f.dictionary["impact_effectifs"].codes)
    impact_p = np.where(
        f.adopt[:, None], [0.03, 0.17, 0.62, 0.15, 0.03], [0.01, 0.06, 0.83, 0.08, 0.02]
    )
    values = np.array(impact, dtype=object)[_pick(f.rng, impact_p)]
    u = f.rng.random(f.n)
    values[u < 0.08] = "nsp"
    values[(u >= 0.08) & (u < 0.08 + 0.08 * (1 - f.a) * (f.t == 0))] = "non_concerne"
    f.cols["impact_effectifs"] = values
    item_shift = {
        "production": -0.2,
        "administratif": -0.6,
        "commercial": 0.0,
        "technique_it": 0.6,
        "encadrement": 0.1,
    }
    for item, shift_ in item_shift.items():
        latent = shift_ * (1 + f.a) - 0.3 * f.is_["industrie"] * (item == "production")
        values = np.array(impact, dtype=object)[_ordered(f.rng, latent, (-3.0, -1.3, 1.5, 3.2))]
        u = f.rng.random(f.n)
        values[u < 0.07] = "nsp"
        values[(u >= 0.07) & (u < 0.10)] = "non_concerne"
        f.cols[f"impact_famille__{item}"] = values
    exposure = 0.6 * f.is_["expertise_comptable"] + 0.4 * (f.is_["banque"] | f.is_["assurance"])
    f.coded(
        "taches_automatisables", _ordered(f.rng, 0.8 * f.a + exposure, (0.3, 1.8, 3.5)), nsp=0.12
    )
    f.coded(
        "nouveaux_metiers",
        (f.rng.random(f.n) >= _expit(-3.2 + 1.8 * f.a + 0.8 * f.t + 0.8 * f.soft)).astype(int),
    )
    hires = f.rng.poisson(np.exp(-3.5 + 1.3 * f.a + 1.1 * f.t + 1.0 * f.soft))
    f.cols["recrutements_ia_12m"] = hires
    difficulty = np.array(f.codes_of("difficulte_recrutement"), dtype=object)[
        _pick(f.rng, np.tile([0.15, 0.40, 0.30, 0.15], (f.n, 1)))
    ]
    difficulty[(hires == 0) & (f.rng.random(f.n) < 0.85)] = "sans_objet"
    f.cols["difficulte_recrutement"] = difficulty


def _skills(f: _Firms) -> None:
    """Skills needed, the priority skill and data maturity."""
    need = ANSWER_MODEL["skills_need"].value
    firm_need = (
        need["adoption_effect"] * f.a
        + need["size_effect"] * f.t
        + f.rng.normal(0, need["firm_sd"], f.n)
    )
    skill_shift = {
        "tech_ia": -0.6 + 0.8 * f.soft,
        "donnees": np.full(f.n, 0.3),
        "usage_metier_ia": np.full(f.n, 0.4),
        "cyber_conformite": 0.2 + 0.4 * (f.is_["banque"] | f.is_["assurance"]),
        "transverses": np.full(f.n, 0.5),
        "relationnelles": np.full(f.n, 0.2),
        "conduite_changement": np.full(f.n, 0.1),
    }
    besoin = list(f.dictionary["besoin_comp"].codes)
    latents = []
    for item, shift_arr in skill_shift.items():
        latent = firm_need + shift_arr + f.rng.logistic(size=f.n)
        latents.append(latent)
        values = np.array(besoin, dtype=object)[np.searchsorted([-1.5, -0.4, 0.6, 1.7], latent)]
        values[f.rng.random(f.n) < 0.05] = "nsp"
        f.cols[f"besoin_comp__{item}"] = values
    f.cols["competence_prioritaire"] = np.array(list(skill_shift), dtype=object)[
        np.argmax(np.column_stack(latents), axis=1)
    ]
    f.coded("maturite_donnees", f.accord(0.5 * f.a + 0.2 * f.t), nsp=0.06)


def _training_needs(f: _Firms) -> None:
    """Training: share trained, audiences, formats, funding, duration."""
    f.coded(
        "part_formes_ia",
        _ordered(f.rng, 2.0 * f.a + 0.3 * f.t + 0.8 * f.soft, (1.2, 2.6, 3.8, 5.0)),
    )
    pub_p = np.column_stack(
        [
            np.full(f.n, 0.35),
            np.full(f.n, 0.45),
            np.full(f.n, 0.40),
            np.full(f.n, 0.30),
            0.25 + 0.20 * (f.is_["industrie"] | f.is_["transport_logistique"]),
            0.25 + 0.20 * f.soft,
        ]
    )
    for name, probs in (
        ("publics_prioritaires", pub_p),
        ("formats_formation", np.tile([0.40, 0.35, 0.30, 0.20, 0.35, 0.15], (f.n, 1))),
        (
            "financement",
            np.column_stack(
                [
                    np.full(f.n, 0.45),
                    0.45 + 0.2 * (f.t == 0),
                    np.full(f.n, 0.20),
                    np.full(f.n, 0.10),
                    np.full(f.n, 0.15),
                    0.20 + 0.15 * f.big,
                ]
            ),
        ),
    ):
        flags = _flags(f.rng, probs, f.everyone)
        for k, option in enumerate(f.dictionary[name].options):
            f.cols[f"{name}__{option}"] = flags[:, k]
    f.coded("duree_formation", _ordered(f.rng, 0.5 * f.a + 0.2 * f.t, (-1.0, 1.0, 2.8)), nsp=0.10)


def _attitudes(f: _Firms) -> None:
    """Barriers and attitudes: freins, opinions, social dialogue, charter, support."""
    freins_model = ANSWER_MODEL["freins"].value
    freins_p = np.where(f.adopt[:, None], freins_model["adopters"], freins_model["non_adopters"])
    freins = _flags(f.rng, freins_p, f.everyone)
    for k, option in enumerate(f.dictionary["freins"].options):
        f.cols[f"freins__{option}"] = freins[:, k]
    f.coded(
        "opinion_opportunite",
        f.accord(1.2 * f.a + 0.2 * f.t + 0.6 * f.soft - 0.2 * f.is_["transport_logistique"]),
    )
    exposed = f.is_["banque"] | f.is_["assurance"] | f.is_["expertise_comptable"]
    f.coded("opinion_menace_emploi", f.accord(0.3 * f.a + 0.4 * exposed - 0.8), nsp=0.06)
    cse = np.asarray(f.cols["effectif"]) >= 11
    p_yes = np.clip(0.10 + 0.25 * f.a + 0.10 * f.t, 0, 0.9)
    dialogue = _pick(f.rng, np.column_stack([p_yes, 1 - p_yes, np.zeros(f.n)]))
    dialogue[~cse & (f.rng.random(f.n) < 0.85)] = 2
    f.coded("dialogue_social", dialogue)
    charte_p = np.where(f.adopt[:, None], [0.25, 0.30, 0.45], [0.03, 0.07, 0.90])
    charte_p = charte_p + f.big[:, None] * np.array([0.10, 0.05, -0.15]) * (charte_p[:, 2:3] > 0.5)
    f.coded("charte_ia", _pick(f.rng, np.clip(charte_p, 0.01, None)), nsp=0.04)
    # about 6 % of firms ask to be supported (the 2019 programme supported f.a few dozen firms)
    f.coded("volontaire_accompagnement", (f.rng.random(f.n) >= 0.05 + 0.04 * f.a).astype(int))


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
