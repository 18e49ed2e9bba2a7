"""Benchmark of the SIRENE reader: a national-size synthetic stock in the published layout.

Writes ``StockUniteLegale.csv`` and ``StockEtablissement.csv`` with every published column
(DuckDB generates them, in bounded memory), then measures, each in a fresh process so that its
peak memory is its own: the frame of a region (``iaobs frame``'s work: two scans of the legal
units, a join with the active head offices) and the active establishments of a few activities
(the directory of the AI actors). Prints the figures and a final JSON line. Not a test.

    .venv/bin/python bench/bench_frame.py [--units 1000000] [--zip] [--memory 1GB]

The national files hold about 28 million legal units and 40 million establishments (2025);
``--units 10000000`` writes 10 million units and 15 million establishments (about 6 GB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from iaobs.frame.sirene import ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS
from iaobs.study.config import HEADCOUNT_BANDS

NAF = [
    "62.01Z",
    "62.02A",
    "69.20Z",
    "64.19Z",
    "49.41A",
    "52.29A",
    "25.62B",
    "47.11F",
    "56.10A",
    "86.21Z",
    "41.20A",
    "68.20B",
    "70.22Z",
    "72.19Z",
    "43.21A",
    "96.02A",
]
DEPS = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B", "971", "972", "974"]


def _pick(values: list[str], key: str) -> str:
    items = ", ".join(f"'{v}'" for v in values)
    return f"list_element([{items}], CAST(hash({key}) % {len(values)} AS BIGINT) + 1)"


def _copy(con, columns, expressions, rows: int, path: Path) -> None:
    empty = "''"
    select = ", ".join(f'{expressions.get(c, empty)} AS "{c}"' for c in columns)
    con.execute(
        f"COPY (SELECT {select} FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"
    )


def generate(folder: Path, units: int, memory: str) -> tuple[Path, Path]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = false")
    siren = "lpad(CAST(i AS VARCHAR), 9, '0')"
    ul = {
        "siren": siren,
        "statutDiffusionUniteLegale": "CASE WHEN i % 31 = 0 THEN 'P' ELSE 'O' END",
        "etatAdministratifUniteLegale": "CASE WHEN i % 10 < 4 THEN 'C' ELSE 'A' END",
        "activitePrincipaleUniteLegale": _pick(NAF, "i"),
        "nomenclatureActivitePrincipaleUniteLegale": "'NAFRev2'",
        "trancheEffectifsUniteLegale": _pick(list(HEADCOUNT_BANDS), "i * 7"),
        "nicSiegeUniteLegale": "'00011'",
        "denominationUniteLegale": "'SOCIETE ' || CAST(i AS VARCHAR)",
        "categorieJuridiqueUniteLegale": "'5710'",
        "dateCreationUniteLegale": "'2010-01-01'",
    }
    ul_path = folder / "StockUniteLegale.csv"
    _copy(con, LEGAL_UNIT_COLUMNS, ul, units, ul_path)
    n = units
    dep = _pick(DEPS, f"i % {n}")
    et = {
        "siren": f"lpad(CAST(i % {n} AS VARCHAR), 9, '0')",
        "nic": f"lpad(CAST(11 + 10 * (i // {n}) AS VARCHAR), 5, '0')",
        "siret": f"lpad(CAST(i % {n} AS VARCHAR), 9, '0') || "
        f"lpad(CAST(11 + 10 * (i // {n}) AS VARCHAR), 5, '0')",
        "statutDiffusionEtablissement": f"CASE WHEN (i % {n}) % 31 = 0 THEN 'P' ELSE 'O' END",
        "etablissementSiege": f"CASE WHEN i < {n} THEN 'true' ELSE 'false' END",
        "etatAdministratifEtablissement": f"CASE WHEN (i % {n}) % 10 < 4 THEN 'F' ELSE 'A' END",
        "activitePrincipaleEtablissement": _pick(NAF, f"i % {n}"),
        "codeCommuneEtablissement": f"{dep} || CASE WHEN length({dep}) = 3 THEN '05' ELSE '001' END",
        "codePostalEtablissement": "'59000'",
        "libelleCommuneEtablissement": "'COMMUNE'",
        "libelleVoieEtablissement": "'DE LA REPUBLIQUE'",
        "typeVoieEtablissement": "'RUE'",
        "numeroVoieEtablissement": "CAST(i % 200 AS VARCHAR)",
        "coordonneeLambertAbscisseEtablissement": "CAST(600000 + i % 200000 AS VARCHAR)",
        "coordonneeLambertOrdonneeEtablissement": "CAST(6500000 + i % 600000 AS VARCHAR)",
        "enseigne1Etablissement": "''",
        "nomenclatureActivitePrincipaleEtablissement": "'NAFRev2'",
    }
    et_path = folder / "StockEtablissement.csv"
    _copy(con, ESTABLISHMENT_COLUMNS, et, int(units * 1.5), et_path)
    con.close()
    return ul_path, et_path


def _zip(path: Path) -> Path:
    target = path.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(path, path.name)
    return target


def task(name: str, ul: Path, et: Path, memory: str) -> dict:
    """One measurement, in this (fresh) process."""
    start = time.perf_counter()
    if name == "frame":
        from iaobs.frame.margins import build_frame
        from iaobs.study.config import FrameSettings

        result = build_frame(
            ul,
            et,
            sectors={
                "logiciel": ("62.01Z", "62.02A"),
                "transport": ("49.*", "52.*"),
                "industrie": ("10.*-33.*",),
                "expertise": ("69.20Z",),
            },
            departements=("02", "59", "60", "62", "80"),
            settings=FrameSettings(memory_limit=memory),
        )
        found = {"firms": result.firms, "units_read": result.units_read}
    else:
        from iaobs.frame.sirene import read_active_establishments

        table = read_active_establishments(
            et,
            naf=["62.01Z", "72.19Z"],
            departements=("02", "59", "60", "62", "80"),
            unites_legales=ul,
            memory_limit=memory,
        )
        found = {"establishments": len(table)}
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "task": name,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
        **found,
    }


NATIONAL_UNITS = 28_000_000  # legal units of the national StockUniteLegale (2025)


def summary(units: int, memory: str, sizes: dict, results: list[dict]) -> dict:
    """The final JSON line: flat figures, and the national file's CPU time extrapolated
    linearly (the reading is a scan: linear in the rows) against the target."""
    out: dict = {"benchmark": "bench_frame", "units": units, "memory_limit": memory}
    out["files_mb"] = sum(sizes.values())
    for row in results:
        key = f"{row['task']}_{row['format']}"
        out[f"{key}_s"] = row["seconds"]
        out[f"{key}_cpu_s"] = row["cpu_seconds"]
        out[f"{key}_peak_mb"] = row["peak_mb"]
    frame_cpu = max(r["cpu_seconds"] for r in results if r["task"] == "frame")
    national = frame_cpu * NATIONAL_UNITS / units
    peak = max(r["peak_mb"] for r in results)
    out["national_frame_cpu_s_extrapolated"] = round(national)
    out["target"] = "national frame < 600 s of CPU, peak < 4096 MB"
    out["met"] = bool(national < 600 and peak < 4096)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--memory", default="1GB", help="DuckDB memory limit")
    parser.add_argument("--zip", action="store_true", help="also measure the zipped CSV")
    parser.add_argument("--folder", type=Path, default=None, help="keep the files here")
    parser.add_argument("--task", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs=2, type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(task(args.task, *args.files, args.memory)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        ul, et = generate(folder, args.units, args.memory)
        sizes = {p.name: round(p.stat().st_size / 2**20) for p in (ul, et)}
        print(
            f"generated {args.units:,} legal units, {int(args.units * 1.5):,} establishments "
            f"({sizes} MB) in {time.perf_counter() - start:.1f} s"
        )
        pairs = [("csv", ul, et)]
        if args.zip:
            pairs.append(("zip", _zip(ul), _zip(et)))
        results = []
        for fmt, u, e in pairs:
            for name in ("frame", "establishments"):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--task",
                        name,
                        "--files",
                        str(u),
                        str(e),
                        "--memory",
                        args.memory,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                row = {"format": fmt, **json.loads(out.stdout.strip().splitlines()[-1])}
                results.append(row)
                shown = ("format", "task", "seconds", "cpu_seconds", "peak_mb")
                print(
                    f"{fmt:4} {name:15} {row['seconds']:8.1f} s (CPU {row['cpu_seconds']:.1f} s)"
                    f"   peak {row['peak_mb']:6} MB   "
                    + ", ".join(f"{k} {v:,}" for k, v in row.items() if k not in shown)
                )
        print(json.dumps(summary(args.units, args.memory, sizes, results)))


if __name__ == "__main__":
    main()
