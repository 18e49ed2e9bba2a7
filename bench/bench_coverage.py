"""Monte Carlo coverage of the published 95 % intervals on the sample study's population.

Draws the synthetic population of ``iaobs sample`` once (its population model and answer model,
seed 2019, with its true values), then ``--samples`` fresh respondent samples (default 200)
with the sample study's design: respondents per sector × size × département cell as allocated
by the sample generator (unequal response rates), simple random sampling within each cell.
Each sample is weighted (``compute_weights``: strata sector × size, raking to sector × size and
département) and estimated (``estimate_indicators``, Korn–Graubard intervals, domains all,
secteur, taille, secteur × taille; the study's default secrecy and precision rules). Prints, for each key
indicator and overall, the share of *published* intervals (flag neither ``s`` nor ``nd``) that
contain the true population value, per domain type (all, secteur, taille, secteur × taille,
large firms), then one JSON line. Target: between 93 % and 97.5 % for each domain type.

The population is drawn through the sample generator's internal functions
(``population_margins``, ``_population_answers``, ``_allocate``, ``_truth``), so this benchmark
follows its model exactly.

Usage::

    .venv/bin/python bench/bench_coverage.py               # 200 samples
    .venv/bin/python bench/bench_coverage.py --samples 50
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np
import pandas as pd

from iaobs.stats.coverage import domain_representation, flag_unrepresented
from iaobs.stats.estimate import DerivedIndicator, estimate_indicators
from iaobs.stats.weights import compute_weights
from iaobs.study.config import Thresholds, Weighting
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import population as sample

KEY_VARIABLES = (
    "ia_usage",
    "ia_stade",
    "techno",
    "opinion_opportunite",
    "besoin_comp",
    "projet_horizon",
    "recrutements_ia_12m",
)
KEY_ROWS = [  # (indicator, level): the figures a report leads with
    ("ia_usage", ""),
    ("ia_adoption", ""),
    ("ia_stade", "aucun"),
    ("techno__generation_langage", ""),
    ("techno__apprentissage_auto", ""),
    ("opinion_opportunite", "top2"),
    ("besoin_comp__donnees", "top2"),
    ("besoin_comp__usage_metier_ia", "top2"),
    ("projet_horizon", "12_mois"),
    ("recrutements_ia_12m", ""),
]
DOMAINS = ("all", "secteur", "taille", ("secteur", "taille"))
TARGET = (0.93, 0.975)


def _storage(frame: pd.DataFrame, dictionary) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Population rows → the cleaned storage (categoricals of codes, nullable 0/1)."""
    out = {}
    for col in frame.columns:
        try:
            var, _ = dictionary.variable_of_column(col)
        except KeyError:
            continue
        if var.type == "multi" or var.is_flag:
            out[col] = pd.array(frame[col].to_numpy(dtype=float), dtype="Float64").astype("Int8")
        elif var.is_coded:
            cats = list(var.codes) + list(var.missing)
            out[col] = pd.Categorical(frame[col].astype("object"), categories=cats)
        elif var.type in ("int", "float"):
            out[col] = pd.array(frame[col].to_numpy(dtype=float), dtype="Float64")
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--respondents", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()

    full = load_dictionary()
    dictionary = dataclasses.replace(
        full,
        variables={
            k: v
            for k, v in full.variables.items()
            if k in KEY_VARIABLES or k in ("secteur", "taille")
        },
    )
    rng = np.random.default_rng(args.seed)
    cells = sample.population_margins(full)
    population = sample._population_answers(rng, cells, full)
    truth, _ = sample._truth(population, full)
    if "ia_adoption" not in truth:  # derived indicator: computed here from the population
        stade = population["ia_stade"].astype("object")
        base = stade.isin(list(full["ia_stade"].codes))
        adopt = stade.isin(["deploiement_partiel", "deploiement_generalise"])
        truth["ia_adoption"] = {"": {"all": float(adopt[base].mean())}}
        for dom in ("secteur", "taille"):
            for code, sub in population[base].groupby(dom):
                truth["ia_adoption"][""][f"{dom}={code}"] = float(adopt[sub.index].mean())
        for (sec, size), sub in population[base].groupby(["secteur", "taille"]):
            truth["ia_adoption"][""][f"secteur={sec};taille={size}"] = float(
                adopt[sub.index].mean()
            )
    for (sec, size), sub in population.groupby(["secteur", "taille"], observed=True):
        if len(sub) == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            cross, _ = sample._truth(sub.reset_index(drop=True), full)
        for ind, lev in KEY_ROWS:
            value = cross.get(ind, {}).get(lev, {}).get("all")
            if value is not None and np.isfinite(value):
                truth[ind][lev][f"secteur={sec};taille={size}"] = value
    stored = _storage(population, full)
    counts = cells["n_entreprises"].to_numpy()
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_cell = sample._allocate(cells, args.respondents)
    margins = cells[["secteur", "taille", "departement", "n_entreprises"]]

    truth_rows = pd.DataFrame(
        [
            (ind, lev, dom, val)
            for ind, lev in KEY_ROWS
            for dom, val in truth.get(ind, {}).get(lev, {}).items()
        ],
        columns=["indicator", "level", "domain", "truth"],
    )
    hits = []
    t0 = time.perf_counter()
    for _ in range(args.samples):
        chosen = np.concatenate(
            [
                st + rng.choice(size, size=k, replace=False)
                for st, size, k in zip(starts, counts, per_cell, strict=True)
                if k > 0
            ]
        )
        responses = stored.iloc[np.sort(chosen)].reset_index(drop=True)
        weights = compute_weights(responses, margins, Weighting(), dictionary=full)
        table = estimate_indicators(
            responses,
            weights,
            dictionary,
            domains=DOMAINS,
            thresholds=Thresholds(),
            derived=(
                DerivedIndicator(
                    "ia_adoption", "ia_stade", ("deploiement_partiel", "deploiement_generalise")
                ),
            ),
        )
        # domains whose respondents do not represent their population: nd (stats.coverage)
        representation = domain_representation(
            responses,
            weights.weights.to_numpy(),
            margins,
            [("secteur",), ("taille",), ("secteur", "taille")],
        )
        table, _ = flag_unrepresented(table, representation)
        merged = truth_rows.merge(table, on=["indicator", "level", "domain"])
        tol = 5e-7  # true values are rounded to 6 decimals
        merged["inside"] = (merged.ci_low - tol <= merged.truth) & (
            merged.truth <= merged.ci_high + tol
        )
        merged["published"] = merged.estimate.notna()
        hits.append(merged[["indicator", "level", "domain", "inside", "published"]])
    elapsed = time.perf_counter() - t0
    everything = pd.concat(hits)
    hidden = 1 - float(everything["published"].mean())
    allhits = everything[everything["published"]].copy()
    allhits["partition"] = allhits["domain"].map(
        lambda d: "×".join(part.split("=")[0] for part in d.split(";"))
    )
    allhits["large"] = allhits["domain"].str.contains("taille=ge", regex=False)
    print(f"{args.samples} samples of {int(per_cell.sum())} respondents, {elapsed:.0f} s")
    print(f"intervals not published (flag s or nd): {hidden:.1%}")
    print("\ncoverage of the published 95 % intervals, by indicator:")
    by_ind = allhits.groupby(["indicator", "level"], sort=False)["inside"].mean()
    for (ind, lev), cov in by_ind.items():
        print(f"  {ind + (' ' + lev if lev else ''):<40} {cov:6.1%}")
    low, high = TARGET
    coverage: dict[str, float] = {}
    print(f"\nby domain type (target {low:.1%}–{high:.1%}):")
    groups = [
        (part, allhits[allhits.partition == part])
        for part in ("all", "secteur", "taille", "secteur×taille")
    ]
    large_rows = everything[everything["domain"].str.contains("taille=ge", regex=False)]
    shown = float(large_rows["published"].mean()) if len(large_rows) else 0.0
    print(
        f"  large firms (taille=ge): published in {shown:.1%} of their {len(large_rows)} rows; a "
        "domain whose respondents do not represent its population (a cell merged into the ETI "
        "class) is nd (stats.coverage)"
    )
    groups.append(("large firms (taille=ge)", allhits[allhits.large]))
    for name, sub in groups:
        if sub.empty:
            continue
        cov = float(sub["inside"].mean())
        coverage[name] = cov
        mark = "ok" if low <= cov <= high else "OUT OF TARGET"
        print(f"  {name:<40} {cov:6.1%}  ({len(sub)} intervals)  {mark}")
    for dom, cov in (
        allhits[allhits.partition == "taille"].groupby("domain")["inside"].mean().items()
    ):
        print(f"    {dom:<38} {cov:6.1%}")
    overall = float(allhits["inside"].mean())
    print(f"\noverall                                    {overall:6.1%}")
    print(
        json.dumps(
            {
                "benchmark": "coverage",
                "samples": args.samples,
                "coverage": round(overall, 4),
                "by_domain_type": {k: round(v, 4) for k, v in coverage.items()},
                "not_published": round(hidden, 4),
                "target": f"{low:.1%}–{high:.1%}",
                "met": all(low <= v <= high for v in coverage.values()),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
