"""Run every benchmark of bench/ and write docs/performance.md.

Each benchmark is a script ``bench/bench_*.py`` that prints its figures and ends with one JSON
line (an object with at least ``"benchmark"``, and ``"ratio"``/``"target"`` where it compares
against a baseline measured in the same run). This runner executes them one after the other,
collects those lines, prints a table and writes ``docs/performance.md`` with the machine
description and the date.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PERF = ROOT / "docs" / "performance.md"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def run(script: Path, args: list[str]) -> tuple[dict | None, str, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    elapsed = time.perf_counter() - start
    result = None
    for line in reversed(proc.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                result = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    if proc.returncode != 0 and result is None:
        result = {
            "benchmark": script.stem,
            "error": (proc.stderr.strip().splitlines() or ["?"])[-1],
        }
    return result, proc.stdout, elapsed


def _short(value: object) -> bool:
    """Whether a figure is short enough for the summary table (long lists stay in the JSON)."""
    if isinstance(value, list | dict):
        return len(value) <= 6
    return len(str(value)) <= 80


def main() -> int:
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    scripts = sorted(p for p in BENCH.glob("bench_*.py") if not only or p.stem in only)
    # results of earlier runs are kept, so that `run_all.py bench_x` refreshes one row only
    store = BENCH / "out" / "results.json"
    previous: dict[str, dict] = {}
    if only and store.exists():
        previous = json.loads(store.read_text("utf-8"))
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        result, out, _elapsed = run(script, [])
        print(out, flush=True)
        previous[script.stem] = result or {"benchmark": script.stem}
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(json.dumps(previous, indent=2), "utf-8")
    rows = [(name, previous[name], 0.0) for name in sorted(previous)]
    header = "| benchmark | figures | ratio | target | met |\n|---|---|---|---|---|\n"
    lines = []
    for name, res, _elapsed in rows:
        figures = ", ".join(
            f"{k} = {v}"
            for k, v in res.items()
            if k not in {"benchmark", "ratio", "target", "met"} and _short(v)
        )
        lines.append(
            f"| {name} | {figures} | {res.get('ratio', '')} | {res.get('target', '')} | {res.get('met', '')} |"
        )
    table = header + "\n".join(lines) + "\n"
    print(table)
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    intro = (
        PERF.read_text("utf-8").split("<!-- figures -->")[0]
        if PERF.exists()
        else "# Performance\n\n"
    )
    PERF.write_text(
        f"{intro}<!-- figures -->\n\nMeasured on {date}, {machine()}.\n\n{table}", encoding="utf-8"
    )
    print(f"written: {PERF}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
