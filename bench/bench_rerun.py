"""An unchanged ``iaobs run`` answers in well under a second; one changed source reruns the chain.

On a copy of the repository's sample study (the committed raw files and margins):

1. ``iaobs run`` once, to build everything (timed, for information);
2. the data stages forced (``iaobs clean`` then ``iaobs estimate``: what every run cost before
   the stages were incremental) — the baseline, timed in this process;
3. ``iaobs run`` with nothing changed, five times (a new process each time, as a user runs it):
   the median, against the baseline and the one-second target;
4. one source file changed (a blank line appended to the CSV source): ``iaobs run`` again,
   which must clean, estimate and render again only the reports that depend on that sector.

Prints the figures and one JSON line for ``bench/run_all.py``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = REPO / "bench" / "out" / "rerun-study"
TARGET_S = 1.0


def _iaobs(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "iaobs"), *args], check=True, capture_output=True, text=True, cwd=OUT
    )
    return time.perf_counter() - started, done.stdout


def _prepare() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    shutil.copy2(REPO / "study.toml", OUT / "study.toml")
    shutil.copytree(REPO / "data" / "raw", OUT / "data" / "raw")
    shutil.copytree(REPO / "data" / "reference", OUT / "data" / "reference")


def main() -> int:
    _prepare()
    full, _ = _iaobs("run", ".", "--quiet")
    print(f"premier passage complet : {full:.1f} s", flush=True)
    clean, _ = _iaobs("clean", ".")
    estimate, _ = _iaobs("estimate", ".")
    baseline = clean + estimate
    print(f"étapes de données forcées (clean + estimate) : {baseline:.2f} s", flush=True)
    times = [_iaobs("run", ".", "--quiet")[0] for _ in range(5)]
    unchanged = statistics.median(times)
    print(
        "relance sans changement (iaobs run, médiane de 5) : "
        f"{unchanged:.2f} s ({', '.join(f'{t:.2f}' for t in times)})",
        flush=True,
    )
    source = next((OUT / "data" / "raw").rglob("*.csv"))
    source.write_bytes(source.read_bytes() + b"\n")
    changed, out = _iaobs("run", ".", "--quiet")
    rendered = next((line for line in out.splitlines() if line.startswith("Rapports")), "")
    print(f"une source modifiée ({source.name}) : {changed:.1f} s ; {rendered}", flush=True)
    ratio = baseline / unchanged if unchanged else float("nan")
    print(
        f"relance sans changement : {ratio:.1f}× plus rapide que les seules étapes de données "
        f"d'avant ; objectif < {TARGET_S:.0f} s : {'atteint' if unchanged < TARGET_S else 'non atteint'}",
        flush=True,
    )
    print(
        json.dumps(
            {
                "benchmark": "bench_rerun",
                "full_run_s": round(full, 2),
                "data_stages_forced_s": round(baseline, 2),
                "unchanged_run_s": round(unchanged, 3),
                "one_source_changed_s": round(changed, 2),
                "one_source_changed": rendered,
                "ratio": round(ratio, 1),
                "target": f"< {TARGET_S} s",
                "met": unchanged < TARGET_S,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
