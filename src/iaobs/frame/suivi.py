"""Fieldwork follow-up: response rates by stratum, representativeness, whom to remind first.

Every unit of the drawn sample released to the field (the ``principal`` units, and the
``reserve`` units that have a response or an outcome) gets one AAPOR final disposition:

* ``I`` complete and ``P`` partial interview — a response received whose SIREN (before
  pseudonymisation) is the unit's, by its ``statut_reponse`` (``complet`` unless ``partiel``);
* ``R`` refusal, ``NC`` non-contact, ``O`` other, ``UH`` unknown eligibility (unreachable),
  ``NE`` not eligible (out of scope: ceased, wrong activity) — from the team's outcome file
  (``data/private/suivi-contacts.csv``: ``siren, disposition`` with ``refus``, ``non_contact``,
  ``autre``, ``injoignable``, ``hors_champ``);
* ``UO`` unknown eligibility, no news — every other released unit.

Then, per stratum and overall (AAPOR, *Standard Definitions*, 2023):

    RR1 = I / (I + P + R + NC + O + UH + UO)        RR2 = (I + P) / (same denominator)

Strata whose respondents (I + P) are below the plan's expected respondents (rounded up: the
stratum's ``cible``) are *below target*.
The R-indicator (Schouten, Cobben & Bethlehem, 2009) with response propensities estimated by
stratum, ``ρ_h`` = RR2 of the stratum, weighted by the strata's firms ``W_h = N_h / N``:

    R = 1 − 2 · √(Σ_h W_h (ρ_h − ρ̄)²),   ρ̄ = Σ_h W_h ρ_h

(1: the respondents mirror the sample; lower: some strata answer less). Its partial indicator
``√W_h (ρ_h − ρ̄)`` says which strata pull it down: the strata below target with the most
negative partial indicator are to be reminded first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iaobs.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DISPOSITIONS", "FIELDWORK_COLUMNS", "Fieldwork", "follow_up", "normalise_siren"]

# The outcome codes of the team's file → AAPOR final dispositions.
DISPOSITIONS: Mapping[str, str] = {
    "refus": "R",
    "non_contact": "NC",
    "autre": "O",
    "injoignable": "UH",
    "hors_champ": "NE",
}
FIELDWORK_COLUMNS = (
    "secteur",
    "taille",
    "lances",
    "complets",
    "partiels",
    "refus",
    "non_contacts",
    "autres",
    "eligibilite_inconnue",
    "hors_champ",
    "repondants",
    "rr1",
    "rr2",
    "cible",
    "ecart",
    "sous_cible",
    "r_partiel",
    "priorite",
)


@dataclass(frozen=True)
class Fieldwork:
    """The follow-up: by stratum (:data:`FIELDWORK_COLUMNS`), overall, and what did not match."""

    strata: pd.DataFrame
    overall: Mapping[str, float]
    r_indicator: float
    outside_sample: int = 0
    without_siren: int = 0
    alerts: tuple[str, ...] = field(default=())

    @property
    def reminders(self) -> pd.DataFrame:
        """The strata to remind, first first."""
        below = self.strata[self.strata["priorite"].notna()]
        return below.sort_values("priorite")


def normalise_siren(value: object) -> str | None:
    """The 9 digits of a SIREN written with spaces, dots or as a number; None otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) == 14:  # a SIRET: its first 9 digits
        digits = digits[:9]
    return digits.zfill(9) if 0 < len(digits) <= 9 else None


def _outcomes(dispositions: pd.DataFrame | None, file: Path | None) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    if dispositions is None:
        return outcomes
    for column in ("siren", "disposition"):
        if column not in dispositions.columns:
            raise InputError(
                f"colonne « {column} » absente",
                file=file,
                column=column,
                hint="colonnes attendues : siren, disposition",
            )
    for i, (siren, code) in enumerate(
        zip(dispositions["siren"], dispositions["disposition"], strict=True), start=2
    ):
        key = normalise_siren(siren)
        text = str(code).strip().lower().replace(" ", "_").replace("-", "_")
        if key is None:
            raise InputError(f"SIREN illisible « {siren} »", file=file, row=i, column="siren")
        if text not in DISPOSITIONS:
            raise InputError(
                f"issue inconnue « {code} »",
                file=file,
                row=i,
                column="disposition",
                hint="issues possibles : " + ", ".join(DISPOSITIONS),
            )
        outcomes[key] = DISPOSITIONS[text]
    return outcomes


def _dispositions(
    sample: pd.DataFrame, responses: pd.DataFrame, outcomes: Mapping[str, str]
) -> pd.DataFrame:
    """The released units of the sample with their AAPOR disposition."""
    status: dict[str, str] = {}
    for siren, state in zip(responses["siren"], responses["statut_reponse"], strict=True):
        key = normalise_siren(siren)
        if key is not None:
            partial = str(state or "").strip().lower().startswith("partiel")
            if status.get(key) != "I":  # a complete answer wins over a partial one
                status[key] = "P" if partial else "I"
    units = sample.assign(siren=sample["siren"].map(normalise_siren))
    units["disposition"] = [
        status.get(s) or outcomes.get(s) or ("UO" if st == "principal" else None)
        for s, st in zip(units["siren"], units["statut"], strict=True)
    ]
    return units[units["disposition"].notna()]


def follow_up(
    sample: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    plan: pd.DataFrame | None = None,
    dispositions: pd.DataFrame | None = None,
    dispositions_file: Path | None = None,
) -> Fieldwork:
    """The follow-up of ``sample`` (as drawn) given the ``responses`` received
    (``siren, statut_reponse``), the plan (for the targets) and the team's outcomes."""
    import pandas as pd  # lazy: pandas only when the follow-up is computed

    units = _dispositions(sample, responses, _outcomes(dispositions, dispositions_file))
    codes = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
    table = (
        pd.crosstab([units["secteur"], units["taille"]], units["disposition"])
        .reindex(columns=list(codes), fill_value=0)
        .reset_index()
    )
    strata = sample[["secteur", "taille"]].drop_duplicates()
    table = strata.merge(table, on=["secteur", "taille"], how="left").fillna(0)
    sizes = _stratum_sizes(sample, plan)
    targets = _targets(plan)
    rows = [_stratum_row(row, targets) for row in table.to_dict("records")]
    result = pd.DataFrame(rows)
    weights = [sizes.get((r["secteur"], r["taille"]), 0.0) for r in rows]
    r_value, partial = _r_indicator(list(result["rr2"]), weights)
    result["r_partiel"] = partial
    below = result[result["sous_cible"]].sort_values(
        ["r_partiel", "ecart"], ascending=[True, False]
    )
    result["priorite"] = pd.Series(range(1, len(below) + 1), index=below.index, dtype="Int64")
    totals = {c: float(table[c].sum()) for c in codes}
    base = sum(totals[c] for c in codes if c != "NE")
    known = {siren for siren in units["siren"]}
    given = [normalise_siren(s) for s in responses["siren"]]
    return Fieldwork(
        strata=result[list(FIELDWORK_COLUMNS)],
        overall={
            "lances": base + totals["NE"],
            "repondants": totals["I"] + totals["P"],
            "rr1": totals["I"] / base if base else float("nan"),
            "rr2": (totals["I"] + totals["P"]) / base if base else float("nan"),
        },
        r_indicator=r_value,
        outside_sample=sum(1 for s in given if s is not None and s not in known),
        without_siren=sum(1 for s in given if s is None),
    )


def _stratum_sizes(sample: pd.DataFrame, plan: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    if plan is not None:
        return {(r.secteur, r.taille): float(r.n_entreprises) for r in plan.itertuples(index=False)}
    principal = sample[sample["statut"] == "principal"]
    return {
        key: float(group["poids_tirage"].sum())
        for key, group in principal.groupby(["secteur", "taille"])
    }


def _targets(plan: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    if plan is None:
        return {}
    return {
        (r.secteur, r.taille): float(r.repondants_attendus) for r in plan.itertuples(index=False)
    }


def _stratum_row(row: Mapping[str, object], targets: Mapping[tuple[str, str], float]) -> dict:
    n = {c: int(row[c]) for c in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")}  # type: ignore[call-overload]
    base = sum(v for k, v in n.items() if k != "NE")
    respondents = n["I"] + n["P"]
    expected = targets.get((str(row["secteur"]), str(row["taille"])), float("nan"))
    target = math.ceil(expected - 1e-9) if expected == expected else float("nan")
    return {
        "secteur": row["secteur"],
        "taille": row["taille"],
        "lances": base + n["NE"],
        "complets": n["I"],
        "partiels": n["P"],
        "refus": n["R"],
        "non_contacts": n["NC"],
        "autres": n["O"],
        "eligibilite_inconnue": n["UH"] + n["UO"],
        "hors_champ": n["NE"],
        "repondants": respondents,
        "rr1": n["I"] / base if base else float("nan"),
        "rr2": respondents / base if base else float("nan"),
        "cible": target,
        "ecart": max(0, target - respondents) if target == target else 0,
        "sous_cible": bool(target == target and respondents < target),
    }


def _r_indicator(rates: list[float], weights: list[float]) -> tuple[float, list[float]]:
    pairs = [(r, w) for r, w in zip(rates, weights, strict=True) if r == r and w > 0]
    total = sum(w for _, w in pairs)
    if not total:
        return float("nan"), [float("nan")] * len(rates)
    mean = sum(r * w for r, w in pairs) / total
    spread = math.sqrt(sum(w / total * (r - mean) ** 2 for r, w in pairs))
    partial = [
        math.sqrt(w / total) * (r - mean) if r == r and w > 0 else float("nan")
        for r, w in zip(rates, weights, strict=True)
    ]
    return 1 - 2 * spread, partial
