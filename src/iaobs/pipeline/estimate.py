"""The estimate stage of a study: weights and the indicators table from the cleaned responses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.core.atomic import atomic_path, write_json
from iaobs.core.contract import CALIBRATION_PREFIX, DESIGN_COLUMNS
from iaobs.errors import ConfigError, InputError
from iaobs.pipeline.microdata import write_microdata
from iaobs.stats.contrast import estimate_contrasts
from iaobs.stats.coverage import domain_representation, flag_unrepresented
from iaobs.stats.estimate import DEFAULT_DOMAINS, estimate_indicators
from iaobs.stats.weights import compute_weights, read_margins
from iaobs.study.config import Study

__all__ = ["compute_study_indicators"]


def compute_study_indicators(study: Study) -> Path:
    """Weights and indicators of a study: ``data/processed/indicators.parquet``.

    Reads ``responses.parquet`` and the population margins, computes the weights
    (:func:`iaobs.stats.weights.compute_weights`), every indicator × domain (all, secteur, taille,
    secteur × taille, and département when at least half the respondents give one), applies
    the secrecy rules, and writes atomically ``indicators.parquet``, ``contrasts.parquet`` (each
    sector and size class against the rest of the region, :mod:`iaobs.stats.contrast`) and
    ``weighting.json``; adds the design variables to ``responses.parquet`` and writes the
    analysts' microdata and ``reproduire.R`` (:mod:`iaobs.pipeline.microdata`).

    Returns
    -------
    The path of ``indicators.parquet``.
    """
    source = study.store.processed.responses
    if not source.exists():
        raise InputError(
            "réponses nettoyées introuvables",
            file=source,
            hint="lancez d'abord « iaobs clean » (ou « iaobs run »)",
        )
    if study.margins is None:
        raise ConfigError(
            "aucune marge de population : impossible de pondérer",
            hint='indiquez le fichier dans study.toml, section [population] margins = "…"',
        )
    try:
        responses = pd.read_parquet(source)
    except Exception as exc:  # pyarrow raises many types
        raise InputError(f"lecture impossible ({exc})", file=source) from exc
    margins = read_margins(study.margins)
    dictionary = study.dictionary
    sectors = set(dictionary.sectors)
    in_field = (
        responses["secteur"].astype("object").isin(sectors) if "secteur" in responses else None
    )
    if in_field is None:
        raise InputError("colonne « secteur » absente des réponses", file=source)
    out_of_field = int((~in_field).sum())
    stored = responses.drop(columns=_design_columns(responses))
    responses = stored[in_field.to_numpy()].reset_index(drop=True)
    weighting = compute_weights(responses, margins, study.weighting, dictionary=dictionary)
    responses = responses.iloc[weighting.rows].reset_index(drop=True)
    _write_design(source, stored, in_field.to_numpy(), weighting.design_frame())
    domains: list[str | tuple[str, ...]] = list(DEFAULT_DOMAINS)
    if "departement" in responses.columns and responses["departement"].notna().mean() >= 0.5:
        domains.append("departement")
    partitions = [
        () if spec == "all" else ((spec,) if isinstance(spec, str) else tuple(spec))
        for spec in domains
    ]
    write_microdata(study, responses, weighting, partitions)
    representation = domain_representation(
        responses, weighting.weights.to_numpy(), margins, [p for p in partitions if p]
    )
    limit = study.thresholds.max_unrepresented
    not_shown = representation.loc[representation["gap"].abs() > limit, "domain"]
    indicators = estimate_indicators(
        responses,
        weighting.design,
        dictionary,
        domains=domains,
        thresholds=study.thresholds,
        ci_method=study.weighting.ci_method,
        confidence=study.weighting.confidence,
        not_shown=tuple(not_shown.astype(str)),
    )
    cells = indicators.attrs.pop("secret_cells", None)
    indicators, unrepresented = flag_unrepresented(indicators, representation, study.thresholds)
    report = weighting.to_dict(responses, domains=domains)
    report["hors_champ"] = out_of_field
    report["domaines_non_representes"] = unrepresented
    report["indicateurs"] = {
        "lignes": len(indicators),
        "flags": {k: int(v) for k, v in indicators["flag"].value_counts().items()},
        "methode_intervalle": study.weighting.ci_method,
        "niveau_confiance": study.weighting.confidence,
    }
    # the audit's summary goes to weighting.json, not into the parquet (its timing would change
    # the file's bytes at every run)
    report["secret"] = dict(indicators.attrs.pop("secret", None) or {})
    contrasts = estimate_contrasts(
        responses,
        weighting.design,
        dictionary,
        indicators,
        confidence=study.weighting.confidence,
    )
    target = study.store.processed.indicators
    with atomic_path(target) as tmp:
        indicators.to_parquet(tmp, index=False)
    with atomic_path(study.store.processed.contrasts) as tmp:
        contrasts.to_parquet(tmp, index=False)
    if cells is not None:  # the release audit's private table (true values of hidden cells)
        with atomic_path(study.store.processed.secret_cells) as tmp:
            cells.to_parquet(tmp, index=False)
    write_json(
        study.store.processed.weighting,
        json.loads(json.dumps(report, default=_json_default)),
    )
    return target


def _design_columns(responses: pd.DataFrame) -> list[str]:
    """Design variables of an earlier estimate run (rewritten by this one)."""
    return [
        c for c in responses.columns if c in DESIGN_COLUMNS or str(c).startswith(CALIBRATION_PREFIX)
    ]


def _write_design(
    target: Path, stored: pd.DataFrame, in_field: np.ndarray, design: pd.DataFrame
) -> None:
    """``responses.parquet`` with the design variables (empty for out-of-field rows)."""
    out = stored.copy()
    rows = np.flatnonzero(in_field)
    for col in design.columns:
        values = design[col].to_numpy()
        if values.dtype.kind == "f":
            full = np.full(len(out), np.nan)
        else:
            full = np.full(len(out), None, dtype=object)
        full[rows] = values
        out[col] = full
    with atomic_path(target) as tmp:
        out.to_parquet(tmp, index=False)


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
