"""The survey's design: how many firms to draw in each stratum (secteur × taille).

The target is a 95 % confidence interval of half-width ``precision`` on a proportion in each
sector (the publication domains) and ``overall_precision`` on the whole region, for an
anticipated proportion ``p`` (0.5, the worst case, by default). For a domain ``d`` made of strata
``h`` of ``N_h`` firms, of which ``r_h`` are expected to respond,

    V_d = deff · Σ_h (N_h / N_d)² · (1 − r_h / N_h) · S_h² / r_h,   S_h² = p_h (1 − p_h) N_h / (N_h − 1)

and the expected half-width is ``z · √V_d``. Within a sector the respondents are shared in
proportion to ``N_h`` (proportional allocation) or to ``N_h S_h`` (Neyman allocation; with one
anticipated proportion for every stratum the two coincide, they differ when ``[plan]
proportions`` gives one by size class), then every stratum gets at least ``min_per_stratum``
expected respondents (or all its firms), strata of ``census_below`` firms or fewer are surveyed
whole (census), and a stratum never gets more than its firms. The smallest total that reaches
the sector's target is found by bisection; the overall target is then met by scaling every
sector up when needed. The number to draw is the expected respondents divided by the
``response_rate``, capped at the stratum's size; a target that even a census cannot reach is
reported as such (``atteinte = False``).

References: Cochran, *Sampling Techniques* (1977), § 5.5 and 5.9; Ardilly, *Les techniques de
sondage* (2006), ch. 3; the ``svy`` / ``samplics`` sample-size functions (design effect and
response rate).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

from iaobs.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from iaobs.study.config import PlanSettings

__all__ = [
    "DOMAIN_COLUMNS",
    "OVERALL",
    "PLAN_COLUMNS",
    "SIZE_DOMAIN",
    "Plan",
    "allocate",
    "half_width",
]

PLAN_COLUMNS = (
    "secteur",
    "taille",
    "n_entreprises",
    "mode",
    "n_tirage",
    "n_reserve",
    "repondants_attendus",
    "taux_sondage",
)
DOMAIN_COLUMNS = (
    "domaine",
    "n_entreprises",
    "n_tirage",
    "repondants_attendus",
    "demi_largeur_attendue",
    "cible",
    "atteinte",
)
OVERALL = "ensemble"
SIZE_DOMAIN = "taille:"  # a size class over every sector: ``taille:pme``


@dataclass(frozen=True)
class Plan:
    """The allocation by stratum (:data:`PLAN_COLUMNS`) and by domain (:data:`DOMAIN_COLUMNS`).

    ``mode`` is ``allocation`` (the share of the sector's total), ``minimum`` (raised to the
    minimum per stratum) or ``exhaustif`` (census: every firm of the stratum is drawn).
    """

    strata: pd.DataFrame
    domains: pd.DataFrame
    settings: PlanSettings

    @property
    def total(self) -> int:
        return int(self.strata["n_tirage"].sum())


def _z(settings: PlanSettings) -> float:
    return NormalDist().inv_cdf(1 - (1 - settings.confidence) / 2)


def _s2(p: float, n: int) -> float:
    return p * (1 - p) * n / (n - 1) if n > 1 else 0.0


def half_width(
    sizes: list[int], respondents: list[float], shares: list[float], settings: PlanSettings
) -> float:
    """Expected 95 % half-width of a proportion over strata of ``sizes`` firms with
    ``respondents`` expected respondents and anticipated proportions ``shares``."""
    total = sum(sizes)
    if total == 0:
        return 0.0
    variance = 0.0
    for n_h, r_h, p_h in zip(sizes, respondents, shares, strict=True):
        if n_h == 0:
            continue
        if r_h <= 0:
            return math.inf
        fpc = max(0.0, 1 - r_h / n_h)
        variance += (n_h / total) ** 2 * fpc * _s2(p_h, n_h) / r_h
    return _z(settings) * math.sqrt(settings.design_effect * variance)


def _stratum_draws(
    sizes: list[int], weights: list[float], respondents: float, settings: PlanSettings
) -> tuple[list[int], list[str]]:
    """Drawn units by stratum for ``respondents`` expected respondents in the domain."""
    rr = settings.response_rate
    total_weight = sum(weights) or 1.0
    draws, modes = [], []
    for n_h, w_h in zip(sizes, weights, strict=True):
        if n_h <= settings.census_below:
            draws.append(n_h)
            modes.append("exhaustif")
            continue
        wanted = math.ceil(respondents * w_h / total_weight / rr - 1e-9)
        floor = math.ceil(settings.min_per_stratum / rr - 1e-9)
        n = max(wanted, floor)
        mode = "minimum" if floor > wanted else "allocation"
        if n >= n_h:
            n, mode = n_h, "exhaustif"
        draws.append(n)
        modes.append(mode)
    return draws, modes


def _domain_draws(
    sizes: list[int], shares: list[float], target: float, settings: PlanSettings
) -> tuple[list[int], list[str]]:
    """The smallest allocation of a domain that reaches ``target`` (a census when none does)."""
    if settings.allocation == "neyman":
        weights = [n * math.sqrt(_s2(p, n)) for n, p in zip(sizes, shares, strict=True)]
    else:
        weights = [float(n) for n in sizes]

    def reach(total: float) -> tuple[list[int], list[str], float]:
        draws, modes = _stratum_draws(sizes, weights, total, settings)
        expected = [d * settings.response_rate for d in draws]
        return draws, modes, half_width(sizes, expected, shares, settings)

    low, high = 0, max(sum(sizes), 1)
    draws, modes, width = reach(high)
    if width > target:
        return draws, modes
    while high - low > 1:
        middle = (low + high) // 2
        if reach(middle)[2] <= target:
            high = middle
        else:
            low = middle
    draws, modes, _ = reach(high)
    return draws, modes


def _shares(strata: pd.DataFrame, settings: PlanSettings) -> list[float]:
    by_size: Mapping[str, float] = settings.proportions or {}
    return [float(by_size.get(size, settings.proportion)) for size in strata["taille"]]


def allocate(margins: pd.DataFrame, settings: PlanSettings) -> Plan:
    """The plan for margins ``secteur, taille, [departement,] n_entreprises``.

    Raises
    ------
    ConfigError
        When the margins have no firm.
    """
    import pandas as pd  # lazy: pandas only when a plan is made

    strata = (
        margins.groupby(["secteur", "taille"], sort=False, observed=True)["n_entreprises"]
        .sum()
        .reset_index()
    )
    strata = strata[strata["n_entreprises"] > 0].reset_index(drop=True)
    if strata.empty:
        raise ConfigError(
            "les marges de population ne comptent aucune entreprise : pas de plan de sondage",
            hint="lancez « iaobs frame » sur les fichiers Sirene, ou complétez population.csv",
        )
    strata["n_entreprises"] = strata["n_entreprises"].astype(int)
    shares = _shares(strata, settings)
    strata["_p"] = shares
    draws = [0] * len(strata)
    modes = [""] * len(strata)
    for _, group in strata.groupby("secteur", sort=False):
        idx = list(group.index)
        d, m = _domain_draws(
            [int(strata.at[i, "n_entreprises"]) for i in idx],
            [shares[i] for i in idx],
            settings.precision,
            settings,
        )
        for i, n, mode in zip(idx, d, m, strict=True):
            draws[i], modes[i] = n, mode
    draws, modes = _meet_overall(strata, draws, modes, shares, settings)
    strata["mode"] = modes
    strata["n_tirage"] = draws
    strata["n_reserve"] = [
        min(math.ceil(n * settings.reserve_rate), int(size) - n)
        for n, size in zip(draws, strata["n_entreprises"], strict=True)
    ]
    strata["repondants_attendus"] = [round(n * settings.response_rate, 1) for n in draws]
    strata["taux_sondage"] = (strata["n_tirage"] / strata["n_entreprises"]).round(4)
    domains = pd.DataFrame(_domain_rows(strata, settings), columns=list(DOMAIN_COLUMNS))
    return Plan(strata=strata[list(PLAN_COLUMNS)], domains=domains, settings=settings)


def _meet_overall(
    strata: pd.DataFrame,
    draws: list[int],
    modes: list[str],
    shares: list[float],
    settings: PlanSettings,
) -> tuple[list[int], list[str]]:
    """Scale the non-census strata up until the overall half-width reaches its target."""
    sizes = [int(n) for n in strata["n_entreprises"]]
    rr = settings.response_rate

    def scaled(factor: float) -> tuple[list[int], list[str]]:
        new_draws, new_modes = [], []
        for n, size, mode in zip(draws, sizes, modes, strict=True):
            m = n if mode == "exhaustif" else min(size, math.ceil(n * factor - 1e-9))
            new_draws.append(m)
            new_modes.append("exhaustif" if m >= size else mode)
        return new_draws, new_modes

    def width(d: list[int]) -> float:
        return half_width(sizes, [x * rr for x in d], shares, settings)

    if width(draws) <= settings.overall_precision:
        return draws, modes
    low, high = 1.0, max(s / max(n, 1) for s, n in zip(sizes, draws, strict=True))
    if width(scaled(high)[0]) > settings.overall_precision:
        return scaled(high)
    for _ in range(40):
        middle = (low + high) / 2
        if width(scaled(middle)[0]) <= settings.overall_precision:
            high = middle
        else:
            low = middle
    return scaled(high)


def _domain_rows(strata: pd.DataFrame, settings: PlanSettings) -> list[tuple]:
    """Sectors and the whole (with their targets), then size classes (no target of their own:
    their expected half-width is shown for information)."""
    rows = []
    groups = [(name, g, settings.precision) for name, g in strata.groupby("secteur", sort=False)]
    groups.append((OVERALL, strata, settings.overall_precision))
    groups += [
        (f"{SIZE_DOMAIN}{name}", g, None) for name, g in strata.groupby("taille", sort=False)
    ]
    for name, group, target in groups:
        width = half_width(
            [int(n) for n in group["n_entreprises"]],
            [float(n) * settings.response_rate for n in group["n_tirage"]],
            [float(p) for p in group["_p"]],
            settings,
        )
        rows.append(
            (
                name,
                int(group["n_entreprises"].sum()),
                int(group["n_tirage"].sum()),
                round(float(group["n_tirage"].sum()) * settings.response_rate, 1),
                round(width, 4),
                target,
                None if target is None else bool(width <= target + 1e-12),
            )
        )
    return rows
