"""Benchmark of the cleaner: 100 000 messy mapped responses, then read + clean from an xlsx.

Prints the figures and a final JSON line. Not a test: nothing is asserted.

    .venv/bin/python bench/bench_clean.py [--rows 100000] [--no-xlsx]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.prepare.clean import clean_responses
from iaobs.study.dictionary import load_dictionary


def synthetic_mapped(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` mapped company responses with the messiness of real files (vectorised)."""
    rng = np.random.default_rng(seed)
    d = load_dictionary("entreprises")

    def pick(values: list[object], p: list[float] | None = None) -> np.ndarray:
        out = np.empty(n, dtype=object)
        out[:] = [values[i] for i in rng.choice(len(values), size=n, p=p)]
        return out

    cols: dict[str, np.ndarray] = {}
    cols["id_repondant"] = np.array([f"R{i:06d}" for i in range(n)], dtype=object)
    sirens = rng.integers(100_000_000, 999_999_999, size=n)
    dup = rng.random(n) < 0.02
    sirens[dup] = sirens[rng.integers(0, n, size=int(dup.sum()))]
    cols["siren"] = sirens.astype(str).astype(object)
    cols["raison_sociale"] = np.array([f"Entreprise {i}" for i in range(n)], dtype=object)
    sectors = list(d.sectors)
    labels = [d.sectors[s].label.fr for s in sectors]
    cols["secteur"] = pick(sectors + labels + [s.upper() for s in labels] + [" banque "])
    cols["naf_code"] = pick(["6920Z", "64.19z", " 62 01 Z", "49.41A", "10.71C", "65.12Z", None])
    cols["effectif"] = pick(
        [
            3,
            "12",
            "1 250",
            "1\u202f250",
            40.0,
            "10 à 49",
            "250 à 499 salariés",
            "5000 et plus",
            None,
            -5,
        ]
    )
    cols["departement"] = pick([2, "2.0", "02", "59", 59, "Nord", "Pas-de-Calais", "80", None])
    cols["date_reponse"] = pick(["2019-05-03", "04/05/2019", 43600, 43601.0, "05/05/19", None])
    cols["statut_reponse"] = pick(["complet", "Complet", "partiel", None])
    for name in (
        "ia_stade",
        "groupe",
        "budget_ia",
        "opinion_opportunite",
        "maturite_donnees",
        "nouveaux_metiers",
        "charte_ia",
    ):
        var = d[name]
        variants = list(var.all_codes) + [lbl.fr for lbl in var.all_codes.values()]
        variants += [lbl.fr.upper() for lbl in var.all_codes.values()] + ["NSP", None, "???"]
        cols[name] = pick(variants)
    for item in d["besoin_comp"].columns():
        cols[item] = pick(["fort", "Besoin fort", "besoin FAIBLE", "NSP", None, "moyen"])
    for option in d["freins"].columns():
        cols[option] = pick(["Oui", "x", "1", 1, None, None, "Non"])
    techno = [lbl.fr for lbl in d["techno"].options.values()]
    cols["techno"] = pick(
        [f"{techno[0]}; {techno[2]}", techno[1], f"{techno[3]}, {techno[4]}", "Aucune", None]
    )
    cols["recrutements_ia_12m"] = pick([0, 1, "2", None, 99999])
    cols["commentaire"] = pick(["Très intéressant", None, None])
    frame = pd.DataFrame(cols)
    frame["_source_file"] = "bench.xlsx"
    frame["_source_sheet"] = "Réponses"
    frame["_source_row"] = np.arange(2, n + 2)
    return frame


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    import xlsxwriter

    data = frame.drop(columns=["_source_file", "_source_sheet", "_source_row"])
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Réponses")
    sheet.write_row(0, 0, list(data.columns))
    for r, row in enumerate(data.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            sheet.write(r, c, value)
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-xlsx", action="store_true")
    args = parser.parse_args()
    d = load_dictionary("entreprises")
    figures: dict[str, float | int | None] = {"rows": args.rows}

    t0 = time.perf_counter()
    mapped = synthetic_mapped(args.rows)
    figures["generate_s"] = round(time.perf_counter() - t0, 2)

    t0 = time.perf_counter()
    result = clean_responses(mapped, d, key=b"bench")
    figures["clean_s"] = round(time.perf_counter() - t0, 2)
    figures["kept"] = len(result.responses)
    figures["rejected"] = len(result.rejects)
    figures["findings"] = len(result.findings)
    assert figures["kept"] + figures["rejected"] == args.rows
    print(
        f"clean_responses : {args.rows} lignes en {figures['clean_s']} s "
        f"({figures['kept']} retenues, {figures['rejected']} rejetées, "
        f"{figures['findings']} constats)",
        flush=True,
    )

    figures["read_s"] = figures["read_clean_s"] = None
    if not args.no_xlsx:
        try:
            from iaobs.ingest.profiles import map_columns
            from iaobs.ingest.read import read_source
        except ImportError:
            print("lecteur absent : pas de mesure lecture + nettoyage", flush=True)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "bench.xlsx"
                t0 = time.perf_counter()
                write_xlsx(mapped, path)
                figures["write_xlsx_s"] = round(time.perf_counter() - t0, 2)
                t0 = time.perf_counter()
                raw = read_source(path, dictionary=d, max_file_mb=1000)
                table = map_columns(raw, d)
                figures["read_s"] = round(time.perf_counter() - t0, 2)
                clean_responses(table.frame, d, key=b"bench")
                figures["read_clean_s"] = round(time.perf_counter() - t0, 2)
            print(
                f"lecture xlsx + correspondance : {figures['read_s']} s ; "
                f"lecture + nettoyage : {figures['read_clean_s']} s (cible < 20 s)",
                flush=True,
            )
    print(json.dumps({"bench": "clean", **figures}))


if __name__ == "__main__":
    main()
