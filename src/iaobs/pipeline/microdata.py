"""Microdata for analysts: the weighted responses in CSV, Stata and SPSS, and the R script.

Written by the estimate stage under ``data/processed/microdonnees/`` (internal: pseudonymised
responses, never published under ``reports/``):

* ``reponses.csv`` — one row per weighted respondent: the pseudonymised id, every public
  question (codes), and the design variables (``core.contract.DESIGN_COLUMNS`` and ``cal_*``);
* ``reponses.dta`` (Stata 15) and ``reponses.sav`` (SPSS) — the same with variable labels and
  value labels from the dictionary; coded answers are numbered 1, 2, … in dictionary order
  (``variables.csv`` gives the short Stata names, at most 29 characters);
* ``variables.csv``, ``calage.csv`` (calibration cells and totals), ``indicateurs_definition.csv``
  (what each indicator counts) and ``LISEZMOI.md`` (how to declare the design in R, Stata,
  SPSS and SAS);
* ``data/processed/reproduire.R`` — recomputes the indicators table with R's ``survey``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.atomic import atomic_path
from iaobs.core.contract import (
    BOUND_LOWER,
    BOUND_UPPER,
    CALIBRATION_PREFIX,
    DESIGN_WEIGHT,
    STRATUM,
    STRATUM_POPULATION,
    WEIGHT,
)
from iaobs.core.version import __version__
from iaobs.pipeline.reproduce import r_script
from iaobs.stats.definitions import indicator_definitions
from iaobs.stats.weights import WeightResult
from iaobs.study.config import Study
from iaobs.study.dictionary import Dictionary

__all__ = ["microdata_frame", "write_microdata"]

SKIPPED_TYPES = {"text", "date"}
SKIPPED_PRIVACY = {"confidential", "free_text"}
STATA_NAME_MAX = 29  # Stata allows 32; pyreadstat names a value label set name + its number
FLAG_LABELS = {0: "non", 1: "oui"}


def microdata_frame(
    responses: pd.DataFrame, weighting: WeightResult, dictionary: Dictionary
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The analysts' table (codes as text) and one description row per column."""
    design = weighting.design_frame().reset_index(drop=True)
    resp = responses.reset_index(drop=True)
    columns: dict[str, Any] = {}
    described: list[dict[str, Any]] = []
    for var in dictionary:
        if var.type in SKIPPED_TYPES or var.privacy in SKIPPED_PRIVACY:
            continue
        for col in var.columns():
            if col not in resp.columns:
                continue
            series = resp[col]
            if var.is_flag:
                kind, labels = "0/1", dict(FLAG_LABELS)
                values: Any = pd.array(series.to_numpy(dtype=float, na_value=np.nan)).astype("Int8")
            elif var.is_coded:
                codes = var.all_codes
                kind = "code"
                labels = {code: label.get("fr") for code, label in codes.items()}
                values = series.astype("object").where(series.notna(), None)
                values = values.map(lambda v: None if v is None else str(v))
            elif var.type in ("int", "float"):
                kind, labels = "nombre", {}
                values = pd.to_numeric(series, errors="coerce").astype("float64")
            else:
                kind, labels = "texte", {}
                values = series.astype("object").where(series.notna(), None)
            columns[col] = values
            described.append(
                {
                    "nom": col,
                    "libelle": dictionary.column_label(col),
                    "type": kind,
                    "valeurs": labels,
                }
            )
    explained = weighting.design_variables()
    for col in design.columns:
        columns[col] = design[col].to_numpy()
        described.append(
            {
                "nom": col,
                "libelle": explained.get(col, col),
                "type": "nombre" if design[col].dtype.kind == "f" else "texte",
                "valeurs": {},
            }
        )
    return pd.DataFrame(columns), described


def _short_names(names: list[str]) -> dict[str, str]:
    """Stata names: at most 32 characters, unique (a numbered suffix when cut)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        short = name if len(name) <= STATA_NAME_MAX else name[:STATA_NAME_MAX]
        k = 1
        while short in used:
            suffix = f"_{k}"
            short = name[: STATA_NAME_MAX - len(suffix)] + suffix
            k += 1
        used.add(short)
        out[name] = short
    return out


def _cut(text: str, size: int) -> str:
    """``text`` cut to ``size`` bytes of UTF-8 (Stata counts bytes), on a character boundary."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _labelled(frame: pd.DataFrame, described: list[dict[str, Any]]) -> tuple[pd.DataFrame, dict]:
    """Coded answers as 1, 2, … with their value labels (Stata and SPSS label numbers)."""
    out = frame.copy()
    value_labels: dict[str, dict[float, str]] = {}
    for row in described:
        col, labels = row["nom"], row["valeurs"]
        if row["type"] == "code":
            number = {code: float(i) for i, code in enumerate(labels, start=1)}
            out[col] = frame[col].map(lambda v, number=number: number.get(v, np.nan)).astype(float)
            value_labels[col] = {number[c]: _cut(str(text), 120) for c, text in labels.items()}
        elif row["type"] == "0/1":
            out[col] = frame[col].astype("float64")
            value_labels[col] = {float(k): v for k, v in labels.items()}
        elif row["type"] == "nombre":
            out[col] = frame[col].astype("float64").replace([np.inf, -np.inf], np.nan)
    return out, value_labels


def _write_labelled(frame: pd.DataFrame, described: list[dict[str, Any]], folder: Path) -> None:
    import pyreadstat  # lazy: only the estimate stage writes the microdata

    numbered, value_labels = _labelled(frame, described)
    labels = {row["nom"]: _cut(str(row["libelle"]), 80) for row in described}
    short = _short_names(list(numbered.columns))
    with atomic_path(folder / "reponses.sav") as tmp:
        pyreadstat.write_sav(
            numbered,
            str(tmp),
            column_labels=[labels[c] for c in numbered.columns],
            variable_value_labels=value_labels,
        )
    stata = numbered.rename(columns=short)
    with atomic_path(folder / "reponses.dta") as tmp:
        pyreadstat.write_dta(
            stata,
            str(tmp),
            column_labels=[labels[c] for c in numbered.columns],
            variable_value_labels={short[c]: v for c, v in value_labels.items()},
            version=15,
        )


def write_microdata(
    study: Study,
    responses: pd.DataFrame,
    weighting: WeightResult,
    partitions: list[tuple[str, ...]],
) -> Path:
    """Write the microdata folder and ``reproduire.R``; returns the folder."""
    processed = study.store.processed
    folder = processed.microdata
    folder.mkdir(parents=True, exist_ok=True)
    dictionary = study.dictionary
    frame, described = microdata_frame(responses, weighting, dictionary)
    with atomic_path(folder / "reponses.csv") as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8", float_format="%.17g")
    short = _short_names(list(frame.columns))
    variables = pd.DataFrame(
        {
            "nom": [r["nom"] for r in described],
            "nom_stata": [short[r["nom"]] for r in described],
            "libelle": [r["libelle"] for r in described],
            "type": [r["type"] for r in described],
            "valeurs": [
                " ; ".join(f"{i}={c}" for i, c in enumerate(r["valeurs"], start=1))
                if r["type"] == "code"
                else ""
                for r in described
            ],
        }
    )
    with atomic_path(folder / "variables.csv") as tmp:
        variables.to_csv(tmp, index=False, encoding="utf-8")
    calage = pd.DataFrame(
        [
            {"marge": e["marge"], "colonne": e["colonne"], "cellule": cell, "total": total}
            for e in weighting.calibration_totals
            for cell, total in e["cellules"].items()
        ],
        columns=["marge", "colonne", "cellule", "total"],
    )
    with atomic_path(folder / "calage.csv") as tmp:
        calage.to_csv(tmp, index=False, encoding="utf-8", float_format="%.17g")
    definitions = indicator_definitions(responses, dictionary)
    with atomic_path(folder / "indicateurs_definition.csv") as tmp:
        definitions.to_csv(tmp, index=False, encoding="utf-8")
    _write_labelled(frame, described, folder)
    with atomic_path(folder / "LISEZMOI.md") as tmp:
        tmp.write_text(readme(weighting), encoding="utf-8")
    script = r_script(
        version=__version__,
        partitions=partitions,
        confidence=study.weighting.confidence,
        names={
            "weight": WEIGHT,
            "design_weight": DESIGN_WEIGHT,
            "stratum": STRATUM,
            "fpc": STRATUM_POPULATION,
            "lower": BOUND_LOWER,
            "upper": BOUND_UPPER,
        },
    )
    with atomic_path(processed.reproduce_script) as tmp:
        tmp.write_text(script, encoding="utf-8")
    return folder


def readme(weighting: WeightResult) -> str:
    """``LISEZMOI.md``: the files, the design variables and how to declare the design."""
    cal = [e["colonne"] for e in weighting.calibration_totals]
    cal_text = " + ".join(cal) if cal else "(aucune)"
    design_rows = "\n".join(
        f"| `{name}` | {text} |" for name, text in weighting.design_variables().items()
    )
    return f"""# Microdonnées pondérées (usage interne)

Réponses pseudonymisées des entreprises du champ, une ligne par répondant, avec les variables
du plan de sondage. **Usage interne** : ces fichiers ne se publient pas (secret statistique).

| fichier | contenu |
|---|---|
| `reponses.csv` | codes des réponses (UTF-8, séparateur virgule) et variables du plan |
| `reponses.dta` | Stata 15 : réponses numérotées 1, 2, … avec étiquettes de valeurs ; noms courts dans `variables.csv` |
| `reponses.sav` | SPSS : mêmes valeurs et étiquettes |
| `variables.csv` | nom, nom Stata, libellé, type, numérotation des codes |
| `calage.csv` | cellules de calage (`{CALIBRATION_PREFIX}*`) et leurs totaux |
| `indicateurs_definition.csv` | ce que compte chaque indicateur (numérateur, base) |
| `../reproduire.R` | recalcule la table des indicateurs avec le paquet R `survey` |

## Variables du plan

| variable | définition |
|---|---|
{design_rows}

Le plan est un sondage stratifié (strates `{STRATUM}`, tirage sans remise : correction de
population finie `{STRATUM_POPULATION}`), calé par raking sur {cal_text} (totaux de
`calage.csv`), avec le rapport `{WEIGHT} / {DESIGN_WEIGHT}` borné par `{BOUND_LOWER}` et
`{BOUND_UPPER}`. Les écarts-types des publications sont ceux de ce plan calé. Déclarer
seulement strates, fpc et `{WEIGHT}` (sans le calage) donne les mêmes estimations et des
écarts-types un peu plus grands (prudents).

## R (paquet survey)

```r
library(survey)
d <- read.csv("reponses.csv", colClasses = "character", na.strings = "")
for (v in c("{WEIGHT}", "{DESIGN_WEIGHT}", "{STRATUM_POPULATION}", "{BOUND_LOWER}", "{BOUND_UPPER}"))
  d[[v]] <- as.numeric(d[[v]])
plan <- svydesign(ids = ~1, strata = ~{STRATUM}, fpc = ~{STRATUM_POPULATION},
                  weights = ~{DESIGN_WEIGHT}, data = d)
# calage : voir ../reproduire.R (calibrate(calfun = "raking", bounds = …) avec calage.csv)
# plan sans calage, poids finals :
plan0 <- svydesign(ids = ~1, strata = ~{STRATUM}, fpc = ~{STRATUM_POPULATION}, weights = ~{WEIGHT}, data = d)
svymean(~I(ia_usage == "1"), plan0, na.rm = TRUE)
```

## Stata

```stata
use reponses.dta, clear
svyset _n [pweight = {WEIGHT}], strata({STRATUM}) fpc({STRATUM_POPULATION})
svy: proportion ia_usage
svy, subpop(if secteur == 1): proportion ia_usage
```

## SPSS (Complex Samples)

```spss
GET FILE='reponses.sav'.
CSPLAN ANALYSIS
  /PLAN FILE='plan.csaplan'
  /PLANVARS ANALYSISWEIGHT={WEIGHT}
  /DESIGN STRATA={STRATUM}
  /ESTIMATOR TYPE=WOR
  /POPSIZE VARIABLE={STRATUM_POPULATION}.
CSDESCRIPTIVES /PLAN FILE='plan.csaplan' /MEAN VARIABLES=ia_usage.
```

## SAS

```sas
proc import datafile="reponses.csv" out=reponses dbms=csv replace; guessingrows=max; run;
proc sql; create table totaux as select distinct {STRATUM}, {STRATUM_POPULATION} as _total_
  from reponses; quit;
proc surveymeans data=reponses total=totaux mean clm;
  strata {STRATUM};
  weight {WEIGHT};
  var ia_usage;
  domain secteur;
run;
```

Stata, SPSS et SAS linéarisent sans le calage : mêmes estimations, écarts-types un peu plus
grands que ceux publiés. Les écarts-types publiés se retrouvent exactement avec R (`../reproduire.R`).
"""
