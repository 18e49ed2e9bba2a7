"""Benchmark of the statistics engine: weights and every indicator × domain for 100,000 firms.

Builds a synthetic responses frame in the storage of ``iaobs.study.dictionary`` (every variable of
the company questionnaire, random answers with missing values and NSP), population margins for
sector × size × département, then times ``compute_weights`` (base weights, raking on
sector × size and département) and ``estimate_indicators`` (all, secteur, taille,
secteur × taille and département domains, Korn–Graubard intervals, secrecy flags). Prints the
figures, then one JSON line. Target: the whole step in under 10 s.

Usage::

    .venv/bin/python bench/bench_estimate.py              # 100,000 responses
    .venv/bin/python bench/bench_estimate.py --rows 20000
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd

from iaobs.stats.estimate import estimate_indicators
from iaobs.stats.weights import compute_weights
from iaobs.study.config import Thresholds, Weighting
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import random_responses

TARGET_SECONDS = 10.0


def synthetic_responses(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random responses (dictionary storage) and matching population margins."""
    return random_responses(n, seed, firms_per_cell=(n // 20, n // 4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    responses, margins = synthetic_responses(args.rows)
    dico = load_dictionary()
    t0 = time.perf_counter()
    weights = compute_weights(responses, margins, Weighting())
    t1 = time.perf_counter()
    table = estimate_indicators(
        responses,
        weights,
        dico,
        domains=("all", "secteur", "taille", ("secteur", "taille"), "departement"),
        thresholds=Thresholds(),
    )
    t2 = time.perf_counter()
    total = t2 - t0
    print(f"responses               {args.rows:>10,}".replace(",", " "))
    print(f"indicator rows          {len(table):>10,}".replace(",", " "))
    print(f"indicators              {table.indicator.nunique():>10}")
    print(f"domains                 {table.domain.nunique():>10}")
    print(f"compute_weights         {t1 - t0:>10.2f} s")
    print(f"estimate_indicators     {t2 - t1:>10.2f} s")
    print(f"total                   {total:>10.2f} s   (target < {TARGET_SECONDS:.0f} s)")
    print(
        json.dumps(
            {
                "benchmark": "estimate",
                "rows": args.rows,
                "indicator_rows": len(table),
                "weights_s": round(t1 - t0, 2),
                "estimate_s": round(t2 - t1, 2),
                "seconds": round(total, 2),
                "target": f"< {TARGET_SECONDS:.0f} s",
                "met": bool(total < TARGET_SECONDS),
            }
        )
    )


if __name__ == "__main__":
    main()
