"""Benchmark: render every report of the sample study with ``render_study`` versus the naive loop.

The naive loop is what a user would write: for each report, the ``papermill`` command, then
``jupyter nbconvert --to html --no-input``, then the ``weasyprint`` command, one after the
other (the venv's executables, through subprocess). ``render_study`` renders the same reports
(HTML + PDF, plus the Excel and CSV files that the loop does not make), then:

* a rerun with nothing changed is timed through the ``iaobs report`` command (a new process:
  interpreter start-up and imports included);
* one sector's published cells are changed (``n_eff`` of the ``secteur=banque`` rows, as a
  correction of that sector would do) and the rerun counts the reports rendered again.

The study is the repository's sample study, copied to ``bench/out/report-study`` and cleaned
and estimated there when needed (``--study DIR`` for another study with ``data/processed/``).
The sample study has a few dozen company reports; by default the naive loop runs on every
report that is not a company report and on ``--naive-companies`` of those (5 by default), and
its time for the other company reports is extrapolated from their mean — the output says so
(``--naive-companies -1``: run it on every report).

With ``--main`` (the issue's measure), only the nine main reports (six sectors, the overview,
the quality report, the pilot training), HTML + PDF on both sides, in one run: the naive loop,
then ``render_study`` with an empty chart cache (cold), then again with every report forced
and the charts drawn by the cold run (warm: a re-rendering after a template or text change).
It prints both ratios; the target (6×) is checked on the cold one.

Usage::

    python bench/bench_report.py --main
    python bench/bench_report.py
    python bench/bench_report.py --study DIR --jobs 2 --naive-companies -1

Prints the times and ratios, then one JSON line: ``benchmark, naive_s, iaobs_s, ratio,
rerun_s, rerun_ratio, one_sector_rerendered, target, met`` (and details).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = REPO / "bench" / "out"
TARGET_RATIO = 6.0  # the performance issue's target; 4× is the minimum asked
RERUN_S = 1.0
RERUN_RATIO = 20.0
_MEASURED = {"wall": 0.0}  # naive-loop seconds actually measured (the rest is extrapolated)


def _prepare(study_arg: str | None) -> Path:
    if study_arg:
        return Path(study_arg).resolve()
    root = OUT / "report-study"
    if not (root / "data" / "processed" / "indicators.parquet").is_file():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        shutil.copy2(REPO / "study.toml", root / "study.toml")
        shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
        shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
        for command in ("clean", "estimate"):
            subprocess.run(
                [str(BIN / "iaobs"), command, str(root)], check=True, capture_output=True
            )
    return root


def naive_loop(study, specs, out: Path) -> float:  # type: ignore[no-untyped-def]
    """papermill → nbconvert → weasyprint, one report after the other; seconds."""
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


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _naive(study, specs, companies: int) -> tuple[float, float, str]:  # type: ignore[no-untyped-def]
    """Naive-loop wall and CPU seconds of all ``specs`` (CPU of its processes): measured, or
    partly extrapolated (and said so)."""
    cpu = _children_cpu()
    wall, how = _naive_wall(study, specs, companies)
    cpu = _children_cpu() - cpu
    if _MEASURED["wall"] < wall:  # partly extrapolated: extrapolate the CPU time alike
        cpu = cpu * wall / max(_MEASURED["wall"], 1e-9)
    return wall, cpu, how


def _naive_wall(study, specs, companies: int) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    out = OUT / "report-naive"
    shutil.rmtree(out, ignore_errors=True)
    company = [s for s in specs if s.kind == "entreprise"]
    others = [s for s in specs if s.kind != "entreprise"]
    if companies < 0 or len(company) <= companies:
        seconds = naive_loop(study, specs, out)
        _MEASURED["wall"] = seconds
        return seconds, "mesuré sur tous les rapports"
    seconds = naive_loop(study, others, out / "autres")
    sample = company[: max(companies, 1)]
    measured = naive_loop(study, sample, out / "entreprises")
    _MEASURED["wall"] = seconds + measured
    per_report = measured / len(sample)
    total = seconds + per_report * len(company)
    how = (
        f"mesuré sur {len(others)} rapports et {len(sample)} rapports d'entreprise, "
        f"extrapolé à {len(company)} rapports d'entreprise ({per_report:.1f} s chacun)"
    )
    return total, how


def _change_one_sector(processed: Path, sector: str) -> None:
    import pandas as pd

    path = processed / "indicators.parquet"
    frame = pd.read_parquet(path)
    domain = frame["domain"].astype("string").fillna("")
    mine = domain.str.split(";").map(lambda parts: f"secteur={sector}" in parts).astype(bool)
    frame.loc[mine, "n_eff"] = frame.loc[mine, "n_eff"] + 0.5
    frame.to_parquet(path)


def _rerun(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "iaobs"), "report", str(root), "--quiet"], check=True, capture_output=True
    )
    return time.perf_counter() - started


MAIN_KINDS = ("secteur", "synthese", "qualite", "formation")


def _timed_render(study, slugs, jobs, engine, force=False):  # type: ignore[no-untyped-def]
    from iaobs.render import render_study

    started = time.perf_counter()
    before = os.times()
    summary = render_study(
        study, only=slugs, formats=("html", "pdf"), jobs=jobs, progress=False, engine=engine,
        force=force,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return summary, seconds, cpu


def main_reports(args: argparse.Namespace) -> int:
    """The nine main reports, HTML + PDF: naive loop against render_study, cold and warm."""
    from iaobs.render import cache
    from iaobs.render.matrix import build_matrix, find_templates_dir
    from iaobs.study.config import load_study

    root = _prepare(args.study)
    study = load_study(root)
    templates = find_templates_dir(Path(study.root))
    manifest = cache.Manifest.load(study.reports_dir)
    fingerprint = cache.fingerprint_data(study.processed_dir, study.root / "study.toml", manifest)
    specs = [
        s
        for s in build_matrix(study, fingerprint.sectors_with_data, templates)
        if s.kind in MAIN_KINDS
    ]
    slugs = [s.slug for s in specs]
    print(f"{len(specs)} rapports principaux : {', '.join(slugs)} ; étude : {root}", flush=True)
    cpu0 = _children_cpu()
    naive = naive_loop(study, specs, OUT / "report-naive-main")
    naive_cpu = _children_cpu() - cpu0
    print(f"boucle naïve (papermill → nbconvert → weasyprint) : {naive:.1f} s, "
          f"temps processeur {naive_cpu:.1f} s", flush=True)  # fmt: skip

    shutil.rmtree(study.reports_dir, ignore_errors=True)
    shutil.rmtree(study.store.figure_cache_dir, ignore_errors=True)
    cold, cold_s, cold_cpu = _timed_render(study, slugs, args.jobs, args.engine)
    warm, warm_s, warm_cpu = _timed_render(study, slugs, args.jobs, args.engine, force=True)
    stages: dict[str, float] = {}
    for result in cold.reports:
        for stage, seconds in result.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    for label, seconds, cpu in (
        ("froid", cold_s, cold_cpu),
        ("cache des graphiques", warm_s, warm_cpu),
    ):
        print(f"render_study HTML + PDF ({label}) : {seconds:.1f} s, temps processeur {cpu:.1f} s "
              f"; rapport {naive / seconds:.1f}× (processeur {naive_cpu / max(cpu, 1e-9):.1f}×)",
              flush=True)  # fmt: skip
    print("  temps cumulés par étape (froid) : "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))  # fmt: skip
    ratio = naive / cold_s
    print(json.dumps({
        "benchmark": "report-main",
        "reports": len(specs),
        "naive_s": round(naive, 2),
        "iaobs_cold_s": round(cold_s, 2),
        "iaobs_warm_s": round(warm_s, 2),
        "ratio": round(ratio, 2),
        "ratio_warm": round(naive / warm_s, 2),
        "naive_cpu_s": round(naive_cpu, 1),
        "cold_cpu_s": round(cold_cpu, 1),
        "warm_cpu_s": round(warm_cpu, 1),
        "failed": len(cold.failed) + len(warm.failed),
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "target": TARGET_RATIO,
        "met": bool(ratio >= TARGET_RATIO and not cold.failed),
        "cores": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
    }, ensure_ascii=False))  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", help="study folder (default: a copy of the sample study)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--naive-companies", type=int, default=5)
    parser.add_argument("--skip-naive", action="store_true", help="only time render_study")
    parser.add_argument("--engine", default=None, help="iaobs (default) or kernel")
    parser.add_argument("--main", action="store_true", help="the nine main reports, HTML + PDF")
    args = parser.parse_args()
    if args.main:
        return main_reports(args)

    from iaobs.render import cache, render_study
    from iaobs.render.matrix import build_matrix, find_templates_dir
    from iaobs.study.config import load_study

    root = _prepare(args.study)
    study = load_study(root)
    templates = find_templates_dir(Path(study.root))
    manifest = cache.Manifest.load(study.reports_dir)
    fingerprint = cache.fingerprint_data(study.processed_dir, study.root / "study.toml", manifest)
    specs = build_matrix(study, fingerprint.sectors_with_data, templates)
    kinds: dict[str, int] = {}
    for spec in specs:
        kinds[spec.kind] = kinds.get(spec.kind, 0) + 1
    print(f"{len(specs)} rapports ({kinds}), étude : {root}", flush=True)

    naive, naive_cpu, how = (float("nan"), float("nan"), "non mesuré")
    if not args.skip_naive:
        naive, naive_cpu, how = _naive(study, specs, args.naive_companies)
        print(
            f"boucle naïve (papermill → nbconvert → weasyprint) : {naive:.1f} s, "
            f"temps processeur {naive_cpu:.1f} s ({how})"
        )

    shutil.rmtree(study.reports_dir, ignore_errors=True)
    started = time.perf_counter()
    cpu = os.times()
    summary = render_study(study, jobs=args.jobs, progress=False, engine=args.engine)
    ours = time.perf_counter() - started
    after = os.times()
    children_cpu = (after.children_user - cpu.children_user) + (
        after.children_system - cpu.children_system
    )
    print(
        f"render_study (HTML + PDF + Excel + CSV, {len(summary.rendered)} rapports, "
        f"{len(summary.failed)} en échec) : {ours:.1f} s ; temps processeur des processus "
        f"de rendu : {children_cpu:.1f} s",
        flush=True,
    )
    stages: dict[str, float] = {}
    for result in summary.reports:
        for stage, seconds in result.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    print("  temps cumulés par étape : " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))

    rerun = _rerun(root)
    print(f"relance sans changement (commande iaobs report) : {rerun:.2f} s", flush=True)

    _change_one_sector(Path(study.processed_dir), "banque")
    started = time.perf_counter()
    changed = render_study(study, jobs=args.jobs, progress=False, engine=args.engine)
    one_sector_s = time.perf_counter() - started
    rerendered = sorted(r.slug for r in changed.rendered)
    print(
        f"relance après changement des indicateurs de la banque : {one_sector_s:.1f} s, "
        f"{len(rerendered)} rapport(s) produit(s) : " + ", ".join(rerendered),
        flush=True,
    )

    ratio = naive / ours if ours else float("nan")
    rerun_ratio = ours / rerun if rerun else float("nan")
    cpu_ratio = naive_cpu / children_cpu if children_cpu else float("nan")
    print(
        f"rapport de vitesse : {ratio:.1f}× (temps processeur : {cpu_ratio:.1f}×) ; "
        f"relance : {rerun_ratio:.0f}× plus rapide"
    )
    met = bool(
        ratio >= TARGET_RATIO
        and rerun < RERUN_S
        and rerun_ratio >= RERUN_RATIO
        and not summary.failed
    )
    print(
        json.dumps(
            {
                "benchmark": "report",
                "naive_s": round(naive, 2),
                "iaobs_s": round(ours, 2),
                "ratio": round(ratio, 2),
                "rerun_s": round(rerun, 3),
                "rerun_ratio": round(rerun_ratio, 1),
                "one_sector_rerendered": len(rerendered),
                "target": {
                    "ratio": TARGET_RATIO,
                    "rerun_s": RERUN_S,
                    "rerun_ratio": RERUN_RATIO,
                },
                "met": met,
                "reports": len(specs),
                "kinds": kinds,
                "failed": len(summary.failed),
                "naive": how,
                "one_sector_s": round(one_sector_s, 2),
                "one_sector_slugs": rerendered,
                "render_cpu_s": round(children_cpu, 1),
                "naive_cpu_s": round(naive_cpu, 1),
                "cpu_ratio": round(cpu_ratio, 2),
                "stages_s": {k: round(v, 2) for k, v in stages.items()},
                "cores": os.cpu_count(),
                "load_1min": round(os.getloadavg()[0], 2),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
