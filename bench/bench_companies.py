"""Benchmark: 200 « Votre entreprise face à son secteur » reports (HTML + PDF).

A larger sample study is generated (``write_sample_study``, enough volunteer companies for the
reports asked), cleaned and estimated; then the company reports are rendered

* with ``render_study(only=[…], formats=("html", "pdf"))``, and
* with the naive loop a user would write: per report, the ``papermill`` command, then
  ``jupyter nbconvert --to html --no-input``, then the ``weasyprint`` command. To keep the
  benchmark's duration sane the naive loop runs on a subset (``--naive``, 20 by default) and its
  time is extrapolated linearly to all the reports — the output says so.

Usage::

    python bench/bench_companies.py                  # 200 reports, naive loop on 20
    python bench/bench_companies.py --reports 50 --naive 5

Prints both times, the ratio, and a final JSON line: ``benchmark, reports, iaobs_s,
naive_s_per_report, naive_s_extrapolated, ratio, target_s, met``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
TARGET_S = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="company reports to render")
    parser.add_argument("--naive", type=int, default=20, help="reports timed with the naive loop")
    parser.add_argument("--companies", type=int, default=None, help="companies of the sample")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()

    from bench_report import naive_loop

    from iaobs.pipeline.clean import clean_study
    from iaobs.pipeline.estimate import compute_study_indicators
    from iaobs.render import cache, render_study
    from iaobs.render.matrix import build_matrix, find_templates_dir
    from iaobs.study.config import load_study
    from iaobs.tools.sample import write_sample_study

    with tempfile.TemporaryDirectory(prefix="iaobs-bench-companies-") as tmp:
        root = Path(tmp) / "etude"
        # about 5 % of the sample's respondents volunteer (the sample's model)
        companies = args.companies or max(600, int(args.reports * 26))
        started = time.perf_counter()
        write_sample_study(root, n_companies=companies)
        study = load_study(root)
        clean_study(study)
        compute_study_indicators(study)
        print(
            f"étude d'exemple : {companies} entreprises, nettoyée et estimée en "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        templates = find_templates_dir(REPO)
        os.environ["IAOBS_NOTEBOOKS"] = str(templates)
        manifest = cache.Manifest.load(study.reports_dir)
        fingerprint = cache.fingerprint_data(
            study.processed_dir, study.root / "study.toml", manifest
        )
        specs = [
            s
            for s in build_matrix(study, fingerprint.sectors_with_data, templates)
            if s.kind == "entreprise"
        ]
        if len(specs) < args.reports:
            print(f"seulement {len(specs)} entreprises volontaires ; augmentez --companies")
            return 1
        specs = specs[: args.reports]

        started = time.perf_counter()
        summary = render_study(
            study,
            only=[s.slug for s in specs],
            formats=("html", "pdf"),
            jobs=args.jobs,
            force=True,
            progress=False,
        )
        ours = time.perf_counter() - started
        stages: dict[str, float] = {}
        for result in summary.reports:
            for stage, seconds in result.timings.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        print(f"render_study, {len(specs)} rapports HTML + PDF : {ours:.1f} s", flush=True)
        print(
            "  temps cumulés par étape : " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
        )

        subset = specs[: max(1, min(args.naive, len(specs)))]
        naive = naive_loop(study, subset, Path(tmp) / "naive")
        per_report = naive / len(subset)
        extrapolated = per_report * len(specs)
        print(
            f"boucle naïve (papermill → nbconvert → weasyprint) sur {len(subset)} rapports : "
            f"{naive:.1f} s, soit {per_report:.2f} s par rapport ; extrapolée linéairement à "
            f"{len(specs)} rapports : {extrapolated:.0f} s",
            flush=True,
        )
        ratio = extrapolated / ours if ours else float("nan")
        met = ours < TARGET_S and not summary.failed
        print(
            f"rapport de vitesse : {ratio:.1f}× ; objectif {TARGET_S:.0f} s "
            f"{'atteint' if met else 'non atteint'} ({len(summary.failed)} échec(s))",
            flush=True,
        )
        print(
            json.dumps(
                {
                    "benchmark": "companies",
                    "reports": len(specs),
                    "iaobs_s": round(ours, 2),
                    "naive_s_per_report": round(per_report, 3),
                    "naive_s_extrapolated": round(extrapolated, 1),
                    "naive_reports_timed": len(subset),
                    "ratio": round(ratio, 2),
                    "target_s": int(TARGET_S),
                    "target": f"< {TARGET_S:.0f} s",
                    "met": met,
                    "failed": len(summary.failed),
                    "cores": os.cpu_count(),
                    "stages_s": {k: round(v, 2) for k, v in stages.items()},
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
