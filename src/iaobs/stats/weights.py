"""Survey weights: strata, base weights N_h / n_h, collapse of empty strata, bounded raking.

The study's sample is stratified by sector × size class (``Weighting.strata``). Each respondent
of stratum ``h`` first gets the base weight ``N_h / n_h`` (firms in the population over
respondents), then the weights are raked to the population margins named in ``Weighting.rake``
(sector × size and département by default) with per-respondent bounds on the ratio final /
base weight: ``[1, 1]`` in a census stratum, ``[1 / trim_ratio, trim_ratio]`` elsewhere
(:mod:`iaobs.stats.calibration`; R's ``calibrate(calfun = "raking", bounds = …)``, so that the
published weights and variances can be rebuilt with R's ``survey``). Every correction is
reported for the methodology annex:

* a stratum with firms in the population but no respondent, or a single respondent, is merged
  with the nearest size class of the same sector (ordinal distance in the size order; ties go
  to the smaller class); a raking cell without respondent is merged likewise (nearest code of
  its last variable within the same other variables);
* a sector with firms in the population but no respondent at all leaves the field of the
  estimates, and the report says so.

No NaN weight is ever produced: where no sensible correction exists (a stratum with respondents
but no population count, margins whose totals disagree, raking that does not converge) a
:class:`~iaobs.errors.StatisticsError` names the cell and says what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.contract import (
    BOUND_LOWER,
    BOUND_UPPER,
    DESIGN_WEIGHT,
    STRATUM,
    STRATUM_POPULATION,
    WEIGHT,
    calibration_column,
)
from iaobs.errors import ConfigError, StatisticsError
from iaobs.stats.calibration import bounded_raking, rake_weights, raking_bounds
from iaobs.stats.design import SurveyDesign
from iaobs.stats.margins import (
    COUNT,
    MARGIN_COLUMNS,
    _cell_name,
    _departement_code,
    normalise_margins,
    read_margins,
    strata_problems,
)
from iaobs.study.config import Weighting
from iaobs.study.dictionary import Dictionary, load_dictionary

__all__ = [
    "MARGIN_COLUMNS",
    "WeightResult",
    "compute_weights",
    "kish_effective_size",
    "rake_weights",
    "read_margins",
    "strata_problems",
]

MAX_UNKNOWN_SHARE = 0.10  # a raking margin is dropped when more respondents lack its value


# ============================================================================ helpers


def kish_effective_size(weights: np.ndarray | pd.Series) -> float:
    """Kish effective sample size ``(Σw)² / Σw²`` (equals n for equal weights)."""
    w = np.asarray(weights, float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def _order(name: str, values: Sequence[object], dictionary: Dictionary) -> list[str]:
    """Codes of ``name`` in dictionary order, unknown codes sorted at the end."""
    known: list[str] = []
    if name == "taille":
        known = list(dictionary.size_classes)
    elif name == "secteur":
        known = list(dictionary.sectors)
    elif name == "departement":
        known = list(dictionary.departements)
    elif name in dictionary.variables:
        known = list(dictionary[name].codes)
    present = {str(v) for v in values}
    return [c for c in known if c in present] + sorted(present - set(known))


def _merge_groups(
    classes: list[str],
    population: Mapping[str, float],
    respondents: Mapping[str, int],
    minimum: int,
) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """Merge ordinal classes until every group with population has ``minimum`` respondents.

    The deficient group (first in class order) is merged with the group of the nearest class
    outside it (ordinal distance; ties → the smaller class). A group that is a census
    (respondents = population) is never deficient. Returns the groups and the merge log.
    """
    groups = [[c] for c in classes if population.get(c, 0) > 0 or respondents.get(c, 0) > 0]
    log: list[dict[str, Any]] = []
    pos = {c: i for i, c in enumerate(classes)}

    def deficient(g: list[str]) -> bool:
        n = sum(respondents.get(c, 0) for c in g)
        pop = sum(population.get(c, 0) for c in g)
        return n < minimum and n < pop

    while len(groups) > 1:
        bad = next((g for g in groups if deficient(g)), None)
        if bad is None:
            break
        best: tuple[int, int] | None = None
        target: list[str] | None = None
        for other in groups:
            if other is bad:
                continue
            for c in other:
                dist = min(abs(pos[c] - pos[b]) for b in bad)
                cand = (dist, pos[c])
                if best is None or cand < best:
                    best, target = cand, other
        assert target is not None
        n_bad = sum(respondents.get(c, 0) for c in bad)
        log.append(
            {
                "classes": list(bad),
                "fusionnee_avec": list(target),
                "raison": "aucun répondant" if n_bad == 0 else "un seul répondant",
                "population": float(sum(population.get(c, 0) for c in bad)),
                "repondants": int(n_bad),
            }
        )
        merged = sorted(bad + target, key=lambda c: pos[c])
        groups = [g for g in groups if g is not bad and g is not target] + [merged]
        groups.sort(key=lambda g: pos[g[0]])
    return groups, log


# ============================================================================ result


@dataclass
class WeightResult:
    """Weights of a study and everything the methodology annex reports about them.

    Attributes
    ----------
    weights
        Final weight of each respondent (firms represented), indexed like ``responses``.
    strata
        Stratum label of each respondent after collapses (``banque × eti+ge``).
    fpc
        Population size ``N_h`` of each respondent's stratum.
    rows
        Positions in ``responses`` of the weighted respondents (every row).
    design
        The :class:`~iaobs.stats.design.SurveyDesign` for the estimates.
    strata_table
        One row per stratum: variables, classes merged, ``N_h``, ``n_h``, base weight.
    collapses
        Strata and raking cells merged, with the reason.
    raking, trimming
        Reports of the raking (margins, iterations, max relative error, cell merges, margins
        skipped) and of the bounds (``ratio``, ``borne_inf``, ``borne_sup``, ``poids_ecretes``:
        weights at a bound; ``abandon`` when the margins could not be met within them).
    excluded
        Sectors (or stratum groups) with population but no respondent, left out of the field.
    notes
        Plain-French notes for the annex.
    design_weights
        Design weight ``N_h / n_h`` of each respondent (before calibration).
    calibration_cells
        One column ``cal_<margin>`` per raking margin: the respondent's cell label.
    calibration_totals
        One entry per raking margin: ``marge``, ``colonne`` and ``cellules`` (label → total).
    bounds
        Lower and upper bound of ``poids / poids_sondage`` of each respondent (1 and 1 in a
        census stratum; ``1 / trim_ratio`` and ``trim_ratio`` otherwise, or none).
    """

    weights: pd.Series
    strata: pd.Series
    fpc: pd.Series
    rows: np.ndarray
    design: SurveyDesign
    strata_table: pd.DataFrame
    collapses: list[dict[str, Any]]
    raking: dict[str, Any]
    trimming: dict[str, Any]
    excluded: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    design_weights: pd.Series | None = None
    calibration_cells: pd.DataFrame | None = None
    calibration_totals: list[dict[str, Any]] = field(default_factory=list)
    bounds: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_eff(self) -> float:
        """Kish effective sample size of the whole sample."""
        return kish_effective_size(self.weights)

    @property
    def deff(self) -> float:
        """Kish design effect due to weighting, ``n / n_eff``."""
        return len(self.weights) / self.n_eff if self.n_eff else float("nan")

    @property
    def df(self) -> int:
        """Design degrees of freedom (respondents minus strata)."""
        return self.design.df

    def domain_summary(
        self, responses: pd.DataFrame, domains: Sequence[str | tuple[str, ...]]
    ) -> list[dict[str, Any]]:
        """n, weighted total, Kish n_eff and design effect for each domain."""
        out: list[dict[str, Any]] = []
        w = self.weights.to_numpy()
        frame = responses.reset_index(drop=True)
        for spec in domains:
            if spec == "all":
                groups = [("all", np.ones(len(w), dtype=bool))]
            else:
                names = (spec,) if isinstance(spec, str) else tuple(spec)
                keys = frame[list(names)].astype("object")
                valid = keys.notna().all(axis=1).to_numpy()
                sub = keys[valid]
                groups = []
                for values, idx in sub.groupby(list(names), sort=True).indices.items():
                    vals = values if isinstance(values, tuple) else (values,)
                    mask = np.zeros(len(w), dtype=bool)
                    mask[np.flatnonzero(valid)[idx]] = True
                    groups.append(
                        (";".join(f"{n}={v}" for n, v in zip(names, vals, strict=True)), mask)
                    )
            for label, mask in groups:
                ne = kish_effective_size(w[mask])
                out.append(
                    {
                        "domain": label,
                        "n": int(mask.sum()),
                        "poids_total": float(w[mask].sum()),
                        "n_eff": ne,
                        "deff": float(mask.sum() / ne) if ne else None,
                    }
                )
        return out

    def design_frame(self) -> pd.DataFrame:
        """The design variables of each respondent (``core.contract.DESIGN_COLUMNS``, ``cal_*``)."""
        lower, upper = self.bounds if self.bounds is not None else (None, None)
        base = self.design_weights if self.design_weights is not None else self.weights
        frame = pd.DataFrame(
            {
                WEIGHT: self.weights.to_numpy(),
                DESIGN_WEIGHT: base.to_numpy(),
                STRATUM: self.strata.astype(str).to_numpy(),
                STRATUM_POPULATION: self.fpc.to_numpy(),
                BOUND_LOWER: lower if lower is not None else -np.inf,
                BOUND_UPPER: upper if upper is not None else np.inf,
            },
            index=self.weights.index,
        )
        if self.calibration_cells is not None:
            for col in self.calibration_cells.columns:
                frame[col] = self.calibration_cells[col].astype(str).to_numpy()
        return frame

    def design_variables(self) -> dict[str, str]:
        """How each design variable is made (French, for ``weighting.json`` and the guides)."""
        out = {
            WEIGHT: "poids final : poids de sondage × rapport de calage (raking borné) ; "
            "nombre d'entreprises représentées par le répondant",
            DESIGN_WEIGHT: "poids de sondage N_h / n_h de la strate (avant calage)",
            STRATUM: "strate de tirage après regroupement des strates sans répondant ou à "
            "un seul répondant",
            STRATUM_POPULATION: "N_h, nombre d'entreprises de la strate dans la population "
            "(correction de population finie, fpc)",
            BOUND_LOWER: "borne inférieure du rapport poids / poids_sondage dans le calage "
            "(1 dans une strate exhaustive ; -inf : pas de borne)",
            BOUND_UPPER: "borne supérieure du rapport poids / poids_sondage dans le calage "
            "(1 dans une strate exhaustive ; inf : pas de borne)",
        }
        for entry in self.calibration_totals:
            out[entry["colonne"]] = (
                f"cellule de calage de la marge {entry['marge']} (après regroupement des "
                "cellules sans répondant ; « non renseigné » : répondants sans valeur, qui "
                "gardent leur total de poids de sondage)"
            )
        return out

    def to_dict(
        self,
        responses: pd.DataFrame | None = None,
        *,
        domains: Sequence[str | tuple[str, ...]] = ("all",),
    ) -> dict[str, Any]:
        """The content of ``weighting.json``."""
        out: dict[str, Any] = {
            "repondants": len(self.weights),
            "strates": self.strata_table.to_dict(orient="records"),
            "regroupements": self.collapses,
            "hors_champ_secteurs": self.excluded,
            "calage": self.raking,
            "ecretement": self.trimming,
            "n_eff": self.n_eff,
            "deff": self.deff,
            "degres_de_liberte": self.df,
            "notes": self.notes,
            "variables_plan": self.design_variables(),
            "totaux_calage": self.calibration_totals,
        }
        if responses is not None:
            out["domaines"] = self.domain_summary(responses, domains)
        return out


# ============================================================================ main entry


def compute_weights(
    responses: pd.DataFrame,
    margins: pd.DataFrame,
    weighting: Weighting | None = None,
    *,
    dictionary: Dictionary | None = None,
) -> WeightResult:
    """Weights of the respondents: base weights, collapses, raking and trimming.

    Parameters
    ----------
    responses
        Cleaned responses with the strata variables (``secteur``, ``taille``) and the raking
        variables (``departement``).
    margins
        Population margins, one row per cell: ``secteur, taille, departement, n_entreprises``
        (see :func:`read_margins`).
    weighting
        Strata, raking margins, tolerance, iteration cap and trimming ratio.
    dictionary
        Gives the order of size classes (for collapses) and of other codes.

    Returns
    -------
    WeightResult

    Raises
    ------
    StatisticsError
        A respondent without stratum, a stratum with respondents but no firm in the population
        (or more respondents than firms), margins whose totals disagree, raking that does not
        converge. Each message names the cell and what to do.
    """
    weighting = weighting or Weighting()
    dictionary = dictionary or load_dictionary()
    margins = normalise_margins(margins)
    strata_vars = list(weighting.strata)
    resp, keys = _strata_keys(responses, margins, strata_vars)
    group_vars = strata_vars[:-1]
    pop = margins.copy()
    for v in strata_vars:
        pop[v] = pop[v].astype(str)
    respondents = keys.groupby(strata_vars, sort=False).size()

    # --- strata with respondents but no population, or more respondents than firms: all at once
    problems = strata_problems(margins, keys, strata_vars)
    if problems:
        raise StatisticsError(
            " ; ".join(problem for problem, _fix in problems),
            hint=" ; ".join(dict.fromkeys(fix for _problem, fix in problems)),
        )

    # --- collapse within each group (sector) along the size order
    collapses: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    notes: list[str] = []
    strata_table, stratum_of = _collapse_strata(
        pop, respondents, strata_vars, dictionary, collapses, excluded, notes
    )
    stratum, fpc, n_h_rows, base, design = _base_design(resp, keys, stratum_of, strata_table)

    # --- raking
    margins_used = _raking_margins(
        resp, pop, excluded, group_vars, weighting, base, dictionary, collapses, notes
    )
    cells, targets, names, labels, skipped, raking_unknown = margins_used
    raking: dict[str, Any] = {
        "marges": [],
        "iterations": 0,
        "ecart_relatif_max": 0.0,
        "ignorees": skipped,
        "non_renseignes": raking_unknown,
    }
    census = n_h_rows >= fpc.to_numpy()
    w, cal_totals, bounds, trimming = _calibrate(
        base, census, cells, targets, names, labels, weighting, raking, notes
    )
    raking["ignorees"] = skipped
    raking["non_renseignes"] = raking_unknown
    if cells:
        design = design.calibrated(w, cells, design_weights=base)
    cal_columns = {
        calibration_column(name): pd.Series(np.asarray(lab, dtype=object)[c], index=responses.index)
        for name, lab, c in zip(names, labels, cells, strict=True)
    }
    weights = pd.Series(w, index=responses.index, name="poids")
    return WeightResult(
        weights=weights,
        strata=pd.Series(stratum.to_numpy(), index=responses.index, name="strate"),
        fpc=pd.Series(fpc.to_numpy(), index=responses.index, name="N_h"),
        rows=np.arange(len(resp)),
        design=design,
        strata_table=strata_table,
        collapses=collapses,
        raking=raking,
        trimming=trimming,
        excluded=excluded,
        notes=notes,
        design_weights=pd.Series(base, index=responses.index, name="poids_sondage"),
        calibration_cells=pd.DataFrame(cal_columns, index=responses.index),
        calibration_totals=cal_totals,
        bounds=bounds,
    )


def _strata_keys(
    responses: pd.DataFrame, margins: pd.DataFrame, strata_vars: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The responses (index reset) and their strata cells as text; every respondent must have
    one, every strata variable must be in the responses and the margins."""
    if not strata_vars:
        raise ConfigError(
            "[weighting] strata : au moins une variable de stratification est nécessaire"
        )
    for v in strata_vars:
        if v not in responses.columns:
            raise StatisticsError(f"variable de stratification « {v} » absente des réponses")
        if v not in margins.columns:
            raise ConfigError(
                f"variable de stratification « {v} » absente des marges de population",
                hint="ajoutez cette colonne au fichier des marges ou changez [weighting] strata",
            )
    resp = responses.reset_index(drop=True)
    keys = resp[strata_vars].astype("object")
    missing = keys.isna().any(axis=1).to_numpy()
    if missing.any():
        where = _rows_hint(resp, missing)
        raise StatisticsError(
            f"{int(missing.sum())} réponse(s) sans {' ou '.join(strata_vars)} : impossible de les pondérer{where}",
            hint="complétez la correspondance de ces réponses (secteur, taille, ou le code NAF / l'effectif d'où elles sont déduites) ; ne modifiez pas l'export lui-même",
        )
    keys = keys.astype(str)
    return resp, keys


def _collapse_strata(
    pop: pd.DataFrame,
    respondents: pd.Series,
    strata_vars: list[str],
    dictionary: Dictionary,
    collapses: list[dict[str, Any]],
    excluded: list[dict[str, Any]],
    notes: list[str],
) -> tuple[pd.DataFrame, dict[tuple[str, ...], str]]:
    """The strata after collapsing size classes within each group (sector): their table and
    the stratum of each (group, class) cell; groups without respondents are excluded."""
    group_vars, class_var = strata_vars[:-1], strata_vars[-1]
    stratum_of: dict[tuple[str, ...], str] = {}
    rows_table: list[dict[str, Any]] = []
    sector_order = {
        v: {c: i for i, c in enumerate(_order(v, pop[v].unique(), dictionary))} for v in group_vars
    }
    group_keys: list[tuple[str, ...]] = (
        sorted(
            {tuple(t) for t in pop[group_vars].itertuples(index=False, name=None)},
            key=lambda t: [sector_order[v][x] for v, x in zip(group_vars, t, strict=True)],
        )
        if group_vars
        else [()]
    )
    for gk in group_keys:
        sel = np.ones(len(pop), dtype=bool)
        for v, x in zip(group_vars, gk, strict=True):
            sel &= (pop[v] == x).to_numpy()
        classes_pop = pop.loc[sel].groupby(class_var)[COUNT].sum().to_dict()
        classes_resp: dict[str, int] = {}
        for cell, n in respondents.items():
            cell_t = cell if isinstance(cell, tuple) else (cell,)
            if tuple(cell_t[:-1]) == gk:
                classes_resp[cell_t[-1]] = int(n)
        classes = _order(class_var, list(classes_pop) + list(classes_resp), dictionary)
        total_pop = sum(classes_pop.values())
        total_resp = sum(classes_resp.values())
        if total_resp == 0:
            if total_pop > 0:
                excluded.append(
                    {
                        **dict(zip(group_vars, gk, strict=True)),
                        "population": float(total_pop),
                        "raison": "aucun répondant : hors du champ des estimations",
                    }
                )
                notes.append(
                    f"{_cell_name(group_vars, gk) or 'population'} : {total_pop:,.0f} entreprises mais aucun "
                    "répondant ; ce groupe est hors du champ des estimations".replace(",", " ")
                )
            continue
        groups, log = _merge_groups(classes, classes_pop, classes_resp, minimum=2)
        for entry in log:
            collapses.append(
                {
                    "type": "strate",
                    **dict(zip(group_vars, gk, strict=True)),
                    class_var: entry.pop("classes"),
                    **entry,
                }
            )
        for g in groups:
            label = " × ".join([*gk, "+".join(g)])
            n_h = sum(classes_resp.get(c, 0) for c in g)
            N_h = float(sum(classes_pop.get(c, 0) for c in g))
            for c in g:
                stratum_of[(*gk, c)] = label
            if n_h == 1 and N_h > 1:
                notes.append(
                    f"strate {label} : un seul répondant après regroupement ; sa contribution à la variance est nulle"
                )
            rows_table.append(
                {
                    **dict(zip(group_vars, gk, strict=True)),
                    class_var: "+".join(g),
                    "strate": label,
                    "N_h": N_h,
                    "n_h": int(n_h),
                    "poids_de_base": N_h / n_h if n_h else None,
                }
            )
    return pd.DataFrame(rows_table), stratum_of


def _base_design(
    resp: pd.DataFrame,
    keys: pd.DataFrame,
    stratum_of: dict[tuple[str, ...], str],
    strata_table: pd.DataFrame,
) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray, SurveyDesign]:
    """Each respondent's stratum, N_h and n_h, its base weight N_h / n_h, and the design."""
    row_key, distinct = _row_keys(keys)
    stratum_labels = np.array([stratum_of[k] for k in distinct], dtype=object)
    stratum = pd.Series(stratum_labels[row_key], index=resp.index)
    n_h_map = strata_table.set_index("strate")["n_h"]
    N_h_map = strata_table.set_index("strate")["N_h"]
    # per distinct (secteur, taille) cell, then spread to the rows
    fpc = pd.Series(
        N_h_map.reindex(stratum_labels).to_numpy(dtype=float)[row_key], index=resp.index
    )
    n_h_rows = n_h_map.reindex(stratum_labels).to_numpy(dtype=float)[row_key]
    base = (fpc / n_h_rows).to_numpy()
    design = SurveyDesign.from_arrays(base, strata=stratum.to_numpy(), fpc=fpc.to_numpy())
    object.__setattr__(
        design,
        "lonely_strata",
        tuple(strata_table.loc[(strata_table.n_h == 1) & (strata_table.N_h > 1), "strate"]),
    )
    return stratum, fpc, n_h_rows, base, design


def _raking_margins(
    resp: pd.DataFrame,
    pop: pd.DataFrame,
    excluded: list[dict[str, Any]],
    group_vars: list[str],
    weighting: Weighting,
    base: np.ndarray,
    dictionary: Dictionary,
    collapses: list[dict[str, Any]],
    notes: list[str],
) -> tuple[list[Any], list[Any], list[str], list[Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The raking margins on the field's population: each respondent's cell, the cells'
    targets, names and labels; the margins left out and the respondents without a value."""
    excluded_mask = np.zeros(len(pop), dtype=bool)
    for ex in excluded:
        m = np.ones(len(pop), dtype=bool)
        for v in group_vars:
            m &= (pop[v] == ex[v]).to_numpy()
        excluded_mask |= m
    field_pop = pop.loc[~excluded_mask]
    cells, targets, names, labels, skipped = [], [], [], [], []
    raking_unknown: list[dict[str, Any]] = []
    for margin in weighting.rake:
        mvars = list(margin)
        name = " × ".join(mvars)
        absent = [v for v in mvars if v not in resp.columns or v not in field_pop.columns]
        if absent:
            skipped.append({"marge": name, "raison": f"variable absente : {', '.join(absent)}"})
            continue
        rvals = resp[mvars].astype("object")
        unknown = rvals.isna().any(axis=1).to_numpy()
        nmiss = int(unknown.sum())
        if nmiss > MAX_UNKNOWN_SHARE * len(resp):
            skipped.append(
                {"marge": name, "raison": f"{nmiss} répondant(s) sans {' ou '.join(mvars)}"}
            )
            notes.append(
                f"marge {name} non utilisée pour le calage : {nmiss} répondant(s) sur {len(resp)} sans valeur"
            )
            continue
        known = rvals.loc[~unknown]
        if "departement" in mvars:
            known = pd.DataFrame(
                {v: _map_distinct(known[v], _departement_code) for v in mvars}, index=known.index
            )
        known = known.astype(str)
        mpop = field_pop.copy()
        mvalid = mpop[mvars].notna().all(axis=1)
        mpop = mpop.loc[mvalid]
        for v in mvars:
            mpop[v] = mpop[v].astype(str)
        totals = mpop.groupby(mvars, sort=False)[COUNT].sum()
        known_codes, target, cell_label, merges = _margin_cells(known, totals, mvars, dictionary)
        cell_codes = np.empty(len(resp), dtype=np.int64)
        cell_codes[~unknown] = known_codes
        if nmiss:
            # respondents without a value form their own cell, which keeps its design-weight
            # total; the known cells share the rest in the population's proportions
            unknown_total = float(base[unknown].sum())
            target = target * (target.sum() - unknown_total) / target.sum()
            target = np.append(target, unknown_total)
            cell_codes[unknown] = len(target) - 1
            cell_label = [*cell_label, "non renseigné"]
            notes.append(
                f"marge {name} : {nmiss} répondant(s) sans valeur forment une cellule à part, "
                "qui garde son poids de sondage ; les autres cellules suivent la population"
            )
            raking_unknown.append({"marge": name, "repondants": nmiss, "poids": unknown_total})
        for mg in merges:
            collapses.append({"type": "calage", "marge": name, **mg})
        cells.append(cell_codes)
        targets.append(target)
        names.append(name)
        labels.append(cell_label)
    return cells, targets, names, labels, skipped, raking_unknown


def _rows_hint(resp: pd.DataFrame, mask: np.ndarray) -> str:
    if "_source_row" in resp.columns:
        rows = resp.loc[mask, "_source_row"].head(5).tolist()
        files = (
            resp.loc[mask, "_source_file"].head(1).tolist()
            if "_source_file" in resp.columns
            else []
        )
        where = f" (fichier « {Path(str(files[0])).name} », " if files else " ("
        return where + "ligne(s) " + ", ".join(str(r) for r in rows) + ")"
    return ""


def _margin_cells(
    rvals: pd.DataFrame, totals: pd.Series, mvars: list[str], dictionary: Dictionary
) -> tuple[np.ndarray, np.ndarray, list[str], list[dict[str, Any]]]:
    """Cells of one raking margin, merging population cells without respondent."""
    resp_counts = rvals.groupby(mvars, sort=False).size()
    for cell, n in resp_counts.items():
        cell_t = cell if isinstance(cell, tuple) else (cell,)
        if float(totals.get(cell, 0.0)) <= 0:
            raise StatisticsError(
                f"marge de calage {' × '.join(mvars)} : la cellule {_cell_name(mvars, cell_t)} a "
                f"{n} répondant(s) mais aucune entreprise dans la population",
                hint="complétez le fichier des marges pour cette cellule, ou corrigez la valeur chez ces répondants",
            )
    outer, last = mvars[:-1], mvars[-1]
    cell_index: dict[tuple[str, ...], int] = {}
    target: list[float] = []
    label: list[str] = []
    merges: list[dict[str, Any]] = []
    tot = {(k if isinstance(k, tuple) else (k,)): float(v) for k, v in totals.items()}
    rc = {(k if isinstance(k, tuple) else (k,)): int(v) for k, v in resp_counts.items()}
    for ok in sorted({k[:-1] for k in tot}):
        classes = _order(last, [k[-1] for k in tot if k[:-1] == ok], dictionary)
        pop_c = {c: tot.get((*ok, c), 0.0) for c in classes}
        resp_c = {c: rc.get((*ok, c), 0) for c in classes}
        if sum(resp_c.values()) == 0:
            continue  # whole group outside the sample (handled by the strata step)
        groups, log = _merge_groups(classes, pop_c, resp_c, minimum=1)
        for entry in log:
            merges.append(
                {**dict(zip(outer, ok, strict=True)), last: entry.pop("classes"), **entry}
            )
        for g in groups:
            j = len(target)
            target.append(sum(pop_c[c] for c in g))
            label.append(_cell_name(mvars, [*ok, "+".join(g)]))
            for c in g:
                cell_index[(*ok, c)] = j
    row_key, distinct = _row_keys(rvals)
    codes = np.array([cell_index[k] for k in distinct], dtype=np.int64)[row_key]
    return codes, np.asarray(target), label, merges


def _row_keys(frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """For each row, the index of its tuple of values among the distinct tuples (no missing)."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64), []
    parts = [pd.factorize(frame[c].to_numpy(dtype=object)) for c in frame.columns]
    combined = np.zeros(len(frame), dtype=np.int64)
    for codes, uniques in parts:
        combined = combined * max(len(uniques), 1) + codes
    row_key, _ = pd.factorize(combined)
    positions = pd.Series(np.arange(len(frame))).groupby(row_key).first().to_numpy()
    distinct = [tuple(uniques[codes[p]] for codes, uniques in parts) for p in positions]
    return np.asarray(row_key, dtype=np.int64), distinct


def _map_distinct(series: pd.Series, function: Any) -> pd.Series:
    """``series.map(function)`` computed once per distinct value (missing stays missing)."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    table = np.array([function(u) for u in uniques] + [None], dtype=object)
    return pd.Series(table[codes], index=series.index, dtype=object)


def _calibrate(
    base: np.ndarray,
    census: np.ndarray,
    cells: list[np.ndarray],
    targets: list[np.ndarray],
    names: list[str],
    labels: list[list[str]],
    weighting: Weighting,
    raking: dict[str, Any],
    notes: list[str],
) -> tuple[np.ndarray, list[dict[str, Any]], tuple[np.ndarray, np.ndarray], dict[str, Any]]:
    """Bounded raking of the design weights (:mod:`iaobs.stats.calibration`).

    Census strata are held at weight 1 by bounds ``[1, 1]``; the others are bounded to
    ``[1 / trim_ratio, trim_ratio]`` times their design weight when ``trim_ratio`` is set.
    Iterative proportional fitting of the free respondents first checks the margins (clear
    errors) and gives the unbounded solution; Newton's method then solves the bounded
    equations exactly, as R's ``calibrate(calfun = "raking", bounds = …)``.
    Returns the weights, the calibration totals, the bounds and the bounds' report.
    """
    ratio = weighting.trim_ratio if weighting.trim_ratio and weighting.trim_ratio > 1 else None
    lower, upper = raking_bounds(census, ratio)
    trimming: dict[str, Any] = {
        "ratio": ratio,
        "borne_inf": 1.0 / ratio if ratio else None,
        "borne_sup": ratio,
        "poids_ecretes": 0,
        "methode": "calage borné (raking) : rapport poids / poids de sondage dans les bornes",
    }
    if census.any():
        notes.append(
            f"{int(census.sum())} répondant(s) de strates exhaustives gardent un poids de 1"
        )
    if not cells:
        return base.copy(), [], (lower, upper), trimming
    free = ~census
    free_targets, final_targets = [], []
    for k, (cc, tk) in enumerate(zip(cells, targets, strict=True)):
        held = np.bincount(cc[census], weights=base[census], minlength=len(tk))
        rest = np.asarray(tk, float) - held
        still = np.bincount(cc[free], minlength=len(tk)) > 0
        if np.any(still & (rest <= 0)):
            j = int(np.flatnonzero(still & (rest <= 0))[0])
            raise StatisticsError(
                f"calage : la cellule {names[k]} = {labels[k][j]} est déjà couverte par des "
                "strates exhaustives (toutes les entreprises ont répondu)",
                hint="vérifiez les effectifs de cette cellule dans le fichier des marges",
            )
        free_targets.append(np.where(still, rest, 0.0))
        # a cell of census respondents only keeps their total
        final_targets.append(np.where(still, np.asarray(tk, float), held))
    w = base.copy()
    w[free], rep = rake_weights(
        base[free],
        [c[free] for c in cells],
        free_targets,
        tolerance=weighting.tolerance,
        max_iterations=weighting.max_iterations,
        names=names,
        cell_labels=labels,
    )
    raking.update(rep)
    try:
        g, steps, error = bounded_raking(
            base, cells, final_targets, lower, upper, tolerance=weighting.tolerance
        )
    except StatisticsError:
        if ratio is None:
            raise
        # the margins cannot be met within the bounds: calibrate without them (census strata
        # still held at 1) and say so; the published bounds are those used
        lower, upper = raking_bounds(census, None)
        g, steps, error = bounded_raking(
            base, cells, final_targets, lower, upper, tolerance=weighting.tolerance
        )
        trimming["ratio"] = trimming["borne_inf"] = trimming["borne_sup"] = None
        trimming["abandon"] = (
            f"bornes [1/{ratio:g} ; {ratio:g}] incompatibles avec les marges : calage sans bornes"
        )
        notes.append(
            f"les poids ne peuvent pas rester entre 1/{ratio:g} et {ratio:g} fois leur poids de "
            "sondage tout en respectant les marges : le calage est fait sans ces bornes"
        )
        ratio = None
    w = base * g
    raking["iterations_newton"] = int(steps)
    raking["ecart_relatif_max"] = float(error)
    if ratio:
        at_bound = free & ((g <= lower * (1 + 1e-9)) | (g >= upper * (1 - 1e-9)))
        trimming["poids_ecretes"] = int(at_bound.sum())
    totals = [
        {
            "marge": name,
            "colonne": calibration_column(name),
            "cellules": dict(zip(lab, (float(t) for t in tk), strict=True)),
        }
        for name, lab, tk in zip(names, labels, final_targets, strict=True)
    ]
    return w, totals, (lower, upper), trimming
