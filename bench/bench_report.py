"""Benchmark: render every report of a study with ``render_study`` versus the naive loop.

The naive loop is what a user would write: for each report, the ``papermill`` command, then
``jupyter nbconvert --to html --no-input``, then the ``weasyprint`` command, one after the
other (the venv's executables, through subprocess). ``render_study`` renders the same reports
(HTML + PDF, plus Excel and CSV that the loop does not make) in parallel, then a rerun with
nothing changed is timed through the ``iaobs report`` command.

Usage::

    python bench/bench_report.py                 # the fake study of the tests (6 sectors)
    python bench/bench_report.py --study DIR     # a study with data/processed/ filled

Prints both times, the ratio and the rerun time, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _templates() -> Path:
    if (REPO / "notebooks" / "secteur.py").is_file():
        return REPO / "notebooks"
    return REPO / "tests" / "data" / "render_templates"


def _study(args: argparse.Namespace, work: Path) -> Path:
    if args.study:
        return Path(args.study).resolve()
    sys.path.insert(0, str(REPO / "tests"))
    from fake_study import make_fake_study

    return make_fake_study(work)


def naive_loop(study, specs, out: Path) -> float:  # type: ignore[no-untyped-def]
    """papermill → nbconvert → weasyprint, one report after the other."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    started = time.perf_counter()
    converted: dict[Path, Path] = {}
    out.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        if spec.template not in converted:  # the user converts each template once
            target = out / f"{spec.template.stem}.ipynb"
            subprocess.run(
                [str(BIN / "jupytext"), "--to", "ipynb", "-o", str(target), str(spec.template)],
                check=True,
                capture_output=True,
                env=env,
            )
            converted[spec.template] = target
        folder = out / spec.slug
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "report.ipynb"
        command = [
            str(BIN / "papermill"),
            str(converted[spec.template]),
            str(executed),
            "-k",
            "python3",
        ]
        for name, value in spec.parameters.items():
            command += ["-p", name, str(value)]
        subprocess.run(command, check=True, capture_output=True, env=env)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
            env=env,
        )
        subprocess.run(
            [str(BIN / "weasyprint"), str(folder / "report.html"), str(folder / "report.pdf")],
            check=True,
            capture_output=True,
            env=env,
        )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", help="study folder (default: the fake study of the tests)")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()

    from iaobs.config import load_study
    from iaobs.render import cache, render_study
    from iaobs.render.matrix import build_matrix

    with tempfile.TemporaryDirectory(prefix="iaobs-bench-") as tmp:
        work = Path(tmp)
        root = _study(args, work)
        templates = _templates()
        os.environ["IAOBS_NOTEBOOKS"] = str(templates)
        study = load_study(root)
        manifest = cache.Manifest.load(study.reports_dir)
        fingerprint = cache.fingerprint_data(
            study.processed_dir, study.root / "study.toml", manifest
        )
        specs = build_matrix(study, fingerprint.sectors_with_data, templates)
        print(f"{len(specs)} rapports, modèles : {templates}", flush=True)

        naive = naive_loop(study, specs, work / "naive")
        print(f"boucle naïve (papermill → nbconvert → weasyprint) : {naive:.1f} s", flush=True)

        started = time.perf_counter()
        summary = render_study(study, jobs=args.jobs, force=True, progress=False)
        ours = time.perf_counter() - started
        print(f"render_study (HTML + PDF + Excel + CSV, en parallèle) : {ours:.1f} s", flush=True)
        stages: dict[str, float] = {}
        for result in summary.reports:
            for stage, seconds in result.timings.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        print(
            "  temps cumulés par étape : " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
        )

        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "iaobs"), "report", str(root), "--quiet"], check=True, capture_output=True
        )
        rerun = time.perf_counter() - started
        print(f"relance sans changement (commande iaobs report) : {rerun:.2f} s", flush=True)
        ratio = naive / ours if ours else float("nan")
        print(f"rapport de vitesse : {ratio:.1f}×", flush=True)
        print(
            json.dumps(
                {
                    "benchmark": "report",
                    "reports": len(specs),
                    "failed": len(summary.failed),
                    "cores": os.cpu_count(),
                    "naive_s": round(naive, 2),
                    "render_study_s": round(ours, 2),
                    "speedup": round(ratio, 2),
                    "rerun_unchanged_s": round(rerun, 2),
                    "stages_s": {k: round(v, 2) for k, v in stages.items()},
                    "templates": str(templates.relative_to(REPO))
                    if templates.is_relative_to(REPO)
                    else str(templates),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
