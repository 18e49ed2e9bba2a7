"""Benchmark of statistical secrecy: primary rules, secondary suppression and its audit.

Two workloads:

* the sample study (``iaobs sample``, 1 500 firms, six sectors, about 10 000 indicator rows);
* 100 000 random responses (``iaobs.tools.sample.random_responses``) over the same domains.

For each, estimates every indicator × domain (all, secteur, taille, secteur × taille,
département) without secrecy, then times :func:`iaobs.stats.disclosure.apply_disclosure` —
primary rules, simple secondary suppression, then :func:`iaobs.stats.secrecy.protect_linked`
(linear programmes per indicator, HiGHS) — and a release audit of the result
(:func:`iaobs.stats.secrecy.audit_linked`). Prints the figures (seconds, hidden cells before and
after, programmes solved), then one JSON line.

Usage::

    .venv/bin/python bench/bench_secrecy.py                  # both workloads
    .venv/bin/python bench/bench_secrecy.py --rows 20000     # random responses only, smaller
    .venv/bin/python bench/bench_secrecy.py --release STUDY  # also the attack on a run study's
                                                             # reports/<wave>/ (every file)
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.core.contract import Thresholds
from iaobs.stats import disclosure, estimate
from iaobs.stats.secrecy import audit_linked
from iaobs.stats.weights import compute_weights, read_margins
from iaobs.study.config import Weighting, load_study
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import random_responses

DOMAINS = [*estimate.DEFAULT_DOMAINS, "departement"]


def _sample_table() -> pd.DataFrame:
    """The working indicators table of the sample study, before secrecy."""
    from iaobs.pipeline.clean import clean_study
    from iaobs.tools.sample import write_sample_study

    folder = Path(tempfile.mkdtemp(prefix="iaobs-bench-secrecy-"))
    write_sample_study(folder)
    study = load_study(folder)
    clean_study(study)
    responses = pd.read_parquet(study.store.processed.responses)
    sectors = set(study.dictionary.sectors)
    responses = responses[responses["secteur"].astype(object).isin(sectors)]
    responses = responses.reset_index(drop=True)
    assert study.margins is not None
    weights = compute_weights(responses, read_margins(study.margins), study.weighting)
    responses = responses.iloc[weights.rows].reset_index(drop=True)
    return estimate._estimate_table(
        responses, weights.design, study.dictionary, DOMAINS, "beta", 0.95, estimate.DEFAULT_DERIVED
    )


def _random_table(rows: int) -> pd.DataFrame:
    responses, margins = random_responses(rows, 0, firms_per_cell=(rows // 20, rows // 4))
    weights = compute_weights(responses, margins, Weighting())
    return estimate._estimate_table(
        responses,
        weights.design,
        load_dictionary(),
        DOMAINS,
        "beta",
        0.95,
        estimate.DEFAULT_DERIVED,
    )


def measure(name: str, table: pd.DataFrame) -> dict[str, object]:
    """Time the secrecy of one working table and print the figures."""
    th = Thresholds()
    work = disclosure._with_defaults(table.reset_index(drop=True))
    primary = disclosure._precision(work, th)
    primary[disclosure._primary(work, th, "firms")] = "s"
    t0 = time.perf_counter()
    out = disclosure.apply_disclosure(table, th)
    t1 = time.perf_counter()
    final = work.assign(flag=out["flag"].to_numpy())
    audit = audit_linked(final, th, protect=np.isin(primary, ["s", "nd"]))
    t2 = time.perf_counter()
    summary = out.attrs.get("secret", {})
    hidden_before = int(np.isin(primary, ["s", "nd"]).sum())
    hidden_after = int(out["flag"].isin(["s", "nd"]).sum())
    result = {
        "workload": name,
        "rows": len(table),
        "hidden_primary": hidden_before,
        "hidden_final": hidden_after,
        "published_share": round(1 - hidden_after / len(table), 3),
        "secrecy_seconds": round(t1 - t0, 2),
        "linked_tables_seconds": summary.get("secondes"),
        "programmes": summary.get("programmes_resolus"),
        "audit_seconds": round(t2 - t1, 2),
        "audit_programmes": audit.programmes,
        "unprotected": len(audit.unprotected),
    }
    print(f"— {name}")
    print(f"  indicator rows            {len(table):>8}")
    print(f"  hidden by primary rules   {hidden_before:>8}")
    print(
        f"  hidden in the end         {hidden_after:>8}  (published {result['published_share']:.0%})"
    )
    print(
        f"  apply_disclosure          {t1 - t0:>8.2f} s  (linked tables {summary.get('secondes')} s,"
        f" {summary.get('programmes_resolus')} programmes)"
    )
    print(
        f"  release audit             {t2 - t1:>8.2f} s  ({audit.programmes} programmes,"
        f" {len(audit.unprotected)} unprotected)"
    )
    return result


def measure_release(folder: Path) -> dict[str, object]:
    """The release audit on every published file of a run study: reading, then the attack."""
    from iaobs.pipeline.published import read_release
    from iaobs.pipeline.release import attack_release

    study = load_study(folder)
    start = time.perf_counter()
    release = read_release(study.store.reports_dir)
    read = time.perf_counter() - start
    truth = pd.read_parquet(study.store.processed.secret_cells)
    audit = attack_release(release, truth, study.thresholds, wave=str(study.wave))
    out = {"workload": "release audit", "read_s": round(read, 2)} | audit.to_dict()
    print(
        f"release audit: {audit.files} files, {audit.numbers} numbers read in {read:.1f} s; "
        f"{audit.attacked} hidden cells attacked in {audit.seconds:.1f} s "
        f"({audit.programmes} programmes); narrowest interval {audit.narrowest:.1f} points; "
        f"{'conforme' if audit.ok else 'NON CONFORME'}"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--release", type=Path, help="a study folder whose reports were run")
    args = parser.parse_args()
    results = []
    if args.release is not None:
        results.append(measure_release(args.release))
    if not args.skip_sample:
        results.append(measure("sample study", _sample_table()))
    results.append(measure(f"{args.rows} random responses", _random_table(args.rows)))
    print(json.dumps({"bench": "secrecy", "results": results}))


if __name__ == "__main__":
    main()
