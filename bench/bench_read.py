"""Benchmark of iaobs.ingest.read: read_source (calamine) against pandas.read_excel with openpyxl.

Writes once a survey-like workbook (100,000 rows × 60 columns by default) into bench/out/,
then times, in the same process, ``iaobs.ingest.read.read_source`` on it, ``pandas.read_excel``
with the openpyxl engine (the baseline) and, for information, ``pandas.read_excel`` with the
calamine engine (the raw reading cost, without iaobs's cell normalisation and header
detection). Prints the figures, then one JSON line. Target: read_source ≥ 5× faster than
openpyxl.

Usage::

    .venv/bin/python bench/bench_read.py            # 100,000 rows (openpyxl takes minutes)
    .venv/bin/python bench/bench_read.py --rows 5000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

import pandas as pd
import xlsxwriter

from iaobs.core.atomic import atomic_path
from iaobs.ingest.read import read_source

OUT = Path(__file__).resolve().parent / "out"
TARGET = 5.0

STADES = ["Aucun usage ni projet", "Veille, réflexion", "Expérimentation (test, POC)",
          "Déploiement partiel", "Déploiement généralisé", "NSP (ne sait pas)"]  # fmt: skip
ACCORD = ["Tout à fait d'accord", "Plutôt d'accord", "Ni d'accord ni pas d'accord",
          "Plutôt pas d'accord", "Pas du tout d'accord", "NSP (ne sait pas)"]  # fmt: skip
BESOIN = ["Aucun besoin", "Besoin faible", "Besoin moyen", "Besoin fort", "Besoin très fort"]
SECTEURS = ["Banque", "Assurance et prévoyance", "Expertise comptable", "Industrie",
            "Transport et logistique", "Logiciel et numérique"]  # fmt: skip
NAF = ["64.19Z", "65.12Z", "69.20Z", "25.62A", "49.41A", "62.01Z"]
DEPS = ["02", "59", "60", "62", "80"]
COMMENTS = ["", "", "", "RAS", "Projet en cours avec un prestataire", "Formation prévue en 2020",
            "Difficile de recruter des data scientists", "*", "NA"]  # fmt: skip

N_MULTI = 24
N_MATRIX = 12
N_LIKERT = 10


def header() -> list[str]:
    cols = ["Identifiant", "Date de réponse", "SIREN", "Raison sociale", "Code APE",
            "Secteur", "Département", "Effectif", "Stade d'adoption de l'IA"]  # fmt: skip
    cols += [f"Technologies : option {i}" for i in range(1, N_MULTI + 1)]
    cols += [f"Besoin futur de compétences [item {i}]" for i in range(1, N_MATRIX + 1)]
    cols += [f"Opinion {i}" for i in range(1, N_LIKERT + 1)]
    cols += ["Recrutements prévus", "Budget", "Part des tâches", "Commentaire libre"]
    return cols


def write_workbook(path: Path, rows: int, seed: int = 2019) -> None:
    """A survey-like workbook: a title row, a blank row, the header, then ``rows`` answers."""
    rng = random.Random(seed)
    cols = header()
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet = book.add_worksheet("Réponses")
        sheet.write_string(0, 0, "Enquête IA et compétences — export de saisie")
        sheet.write_row(2, 0, cols)
        start = dt.date(2019, 3, 1)
        for r in range(rows):
            line = 3 + r
            k = rng.randrange(6)
            sheet.write_string(line, 0, f"R{r + 1:06d}")
            sheet.write_datetime(line, 1, start + dt.timedelta(days=rng.randrange(90)), date_format)
            sheet.write_string(line, 2, f"{rng.randrange(10**8, 10**9)}")
            sheet.write_string(line, 3, f"Entreprise {rng.randrange(5000)} SAS")
            sheet.write_string(line, 4, NAF[k])
            sheet.write_string(line, 5, SECTEURS[k])
            sheet.write_string(line, 6, rng.choice(DEPS))
            sheet.write_number(line, 7, rng.choice([3, 12, 48, 120, 260, 1250, 6000]))
            sheet.write_string(line, 8, rng.choice(STADES))
            c = 9
            for _ in range(N_MULTI):
                if rng.random() < 0.9:
                    sheet.write_number(line, c, rng.random() < 0.3)
                c += 1
            for _ in range(N_MATRIX):
                sheet.write_string(line, c, rng.choice(BESOIN))
                c += 1
            for _ in range(N_LIKERT):
                sheet.write_string(line, c, rng.choice(ACCORD))
                c += 1
            sheet.write_number(line, c, rng.randrange(0, 12))
            sheet.write_number(line, c + 1, round(rng.uniform(0, 250_000), 2))
            sheet.write_string(line, c + 2, rng.choice(["0 %", "moins de 10 %", "10 à 30 %"]))
            comment = rng.choice(COMMENTS)
            if comment:
                sheet.write_string(line, c + 3, comment)
        book.close()


def timed(function):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100000)")
    parser.add_argument(
        "--skip-openpyxl", action="store_true", help="do not run the (slow) openpyxl baseline"
    )
    args = parser.parse_args(argv)
    path = OUT / f"read_{args.rows}.xlsx"
    if not path.exists():
        print(f"writing {path} …", flush=True)
        _, seconds = timed(lambda: write_workbook(path, args.rows))
        print(f"  written in {seconds:.1f} s ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    cols = len(header())

    table, ours = timed(lambda: read_source(path))
    assert len(table.frame) == args.rows, (len(table.frame), args.rows)
    print(f"read_source (calamine)     : {args.rows} rows × {cols} cols in {ours:.2f} s")
    raw, raw_calamine = timed(
        lambda: pd.read_excel(path, engine="calamine", header=2, dtype=object)
    )
    print(f"pandas.read_excel calamine : {len(raw)} rows in {raw_calamine:.2f} s")
    result: dict[str, object] = {
        "benchmark": "bench_read",
        "rows": args.rows,
        "columns": cols,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "read_source_s": round(ours, 2),
        "pandas_calamine_s": round(raw_calamine, 2),
    }
    if not args.skip_openpyxl:
        base, baseline = timed(lambda: pd.read_excel(path, engine="openpyxl", header=2))
        print(f"pandas.read_excel openpyxl : {len(base)} rows in {baseline:.2f} s")
        ratio = baseline / ours
        print(f"ratio openpyxl / read_source : {ratio:.1f} (target ≥ {TARGET:g})")
        result.update(
            openpyxl_s=round(baseline, 2), ratio=round(ratio, 1), target=TARGET, met=ratio >= TARGET
        )
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
