"""Scaling of the data pipeline: 10^3 to 10^6 responses through read → clean → weight → estimate.

For each size the script builds (once, cached in ``bench/out/scaling/n<size>/``) a synthetic
study with the messiness of the repository's sample study, then runs it in a fresh Python
process and records the wall time of each stage and the process's peak memory (maximum
resident set size).

The study
    One CSV file per sector (semicolon-separated, the way French spreadsheets export; two files
    in Windows-1252, the others in UTF-8), every size in CSV so that the sizes compare (reading
    xlsx is measured apart by ``bench/bench_read.py``). Headers alternate variable names and
    French labels; coded answers are written as labels, codes, hand-typed variants (case,
    accents, spaces) and NSP forms; headcounts as ``1 250`` (space or no-break space) or size
    bands (``10 à 49``); départements as ``59``, ``2`` or ``Nord``; NAF codes as ``6920Z`` or
    ``69.20z``; dates as ``dd/mm/yyyy``; the AI technologies as one 0/1 column per option, the
    other multi-select questions in one cell (``Label; Label``, ``Aucune``). About 1 % of the
    companies answer twice (same SIREN, possibly in another file), 1 % give no headcount (row
    rejected: no size class), a few blank lines and a ``Source : …`` note line close each
    file. ``study.toml`` declares each file's sector, and the population margins
    (secteur × taille × département) hold about four firms per expected respondent.

The stages (timed inside the child process)
    ``read`` (read + map every file), ``clean`` (clean, duplicates, quality; with the writing of
    ``responses.parquet``, ``rejects.csv``, ``findings.csv`` and ``quality.json``), ``weight``
    (:func:`iaobs.stats.weights.compute_weights`), ``estimate`` (:func:`iaobs.stats.estimate.estimate_indicators`,
    every indicator × domain with the secrecy rules) and ``other`` (parquet input of the
    estimation step, ``weighting.json`` and ``indicators.parquet``). That is
    ``iaobs.pipeline.clean.clean_study`` then ``iaobs.pipeline.estimate.compute_study_indicators``.

Prints a table, the growth exponent (slope of log time against log size between 10^5 and
10^6) and the ratio t(10^6)/t(10^5), then one JSON line. Targets: ratio ≤ 12, 10^6 responses
in under 60 s and under 4 GiB of peak memory. Not a test: nothing is asserted.

Usage::

    .venv/bin/python bench/bench_scaling.py                      # 1e3 1e4 1e5 1e6
    .venv/bin/python bench/bench_scaling.py --sizes 1000 100000
    .venv/bin/python bench/bench_scaling.py --profile 100000     # pyinstrument, one size
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "scaling"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
TARGET_SECONDS = 60.0
TARGET_MIB = 4 * 1024
TARGET_RATIO = 12.0
GENERATOR_VERSION = "4"  # bump to rebuild the cached studies

SECTOR_SHARES = {
    "expertise_comptable": 0.20,
    "banque": 0.10,
    "assurance": 0.10,
    "transport_logistique": 0.20,
    "logiciel": 0.20,
    "industrie": 0.20,
}
CP1252 = {"expertise_comptable", "industrie"}
SIZE_SHARES = {"tpe": 0.45, "pme": 0.40, "eti": 0.12, "ge": 0.03}
SIZE_RANGES = {"tpe": (1, 9), "pme": (10, 249), "eti": (250, 4999), "ge": (5000, 30000)}
DEP_SHARES = {"02": 0.12, "59": 0.45, "60": 0.13, "62": 0.22, "80": 0.08}
NAF = {
    "expertise_comptable": ["69.20Z"],
    "banque": ["64.19Z", "64.92Z", "66.19B"],
    "assurance": ["65.11Z", "65.12Z", "65.20Z", "66.22Z"],
    "transport_logistique": ["49.41A", "52.10B", "52.29A", "53.20Z"],
    "logiciel": ["58.29C", "62.01Z", "62.02A", "63.11Z"],
    "industrie": ["10.71C", "25.62B", "28.29B", "29.32Z"],
}
NSP_FORMS = ("NSP", "nsp", "NSP (ne sait pas)", "Ne sait pas")
SPACES = (" ", "\u00a0")  # both exist in Windows-1252


# --------------------------------------------------------------------------------------------
# Synthetic study


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _forms(label: str) -> list[str]:
    """A label as written (three times: the usual form) and four hand-typed variants."""
    return [
        label,
        label,
        label,
        label.upper(),
        _strip_accents(label).lower(),
        "  " + label.replace(" ", "  ", 1) + " ",
        label.lower(),
    ]


def _choose(rng: np.random.Generator, table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index, random form]`` for a (codes × forms) object table."""
    forms = rng.integers(0, table.shape[1], size=len(index))
    return table[index, forms]


def _luhn_sirens(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct Luhn-valid SIREN numbers as 9-digit text."""
    body = np.unique(rng.integers(10_000_000, 100_000_000, size=n + n // 10 + 100))
    body = rng.permutation(body)[:n]
    digits = np.stack([(body // 10 ** (7 - k)) % 10 for k in range(8)], axis=1)
    total = np.zeros(n, dtype=np.int64)
    for k in range(8):  # positions 1..8 from the left; the check digit will be the 9th
        d = digits[:, k]
        if k % 2 == 1:  # doubled: second, fourth… from the left (even from the right with check)
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    check = (10 - total % 10) % 10
    return np.array([f"{b}{c}" for b, c in zip(body, check, strict=True)], dtype=object)


def _sector_frame(
    rng: np.random.Generator, sector: str, n: int, start: int, sirens: np.ndarray
) -> pd.DataFrame:
    """``n`` rows of one sector's file (cells as text, None for blank), headers as written."""
    from iaobs.study.dictionary import load_dictionary

    d = load_dictionary("entreprises")
    cols: dict[str, np.ndarray] = {}
    headers: dict[str, str] = {}

    def put(column: str, header: str, values: np.ndarray, blank: float = 0.0) -> None:
        if blank:
            values = values.copy()
            values[rng.random(n) < blank] = None
        cols[column] = values
        headers[column] = header

    size = rng.choice(list(SIZE_SHARES), size=n, p=list(SIZE_SHARES.values()))
    low = np.array([SIZE_RANGES[s][0] for s in size])
    high = np.array([SIZE_RANGES[s][1] for s in size])
    headcount = (low + (high - low + 1) * rng.random(n) ** 2).astype(np.int64)

    for i, var in enumerate(d):
        use_name = i % 2 == 0
        name = var.name
        if var.derived or name in ("secteur", "taille"):
            continue
        head = name if use_name else var.label.fr
        if name == "id_repondant":
            put(name, head, np.array([f"R{start + k:07d}" for k in range(n)], dtype=object))
        elif name == "date_reponse":
            days = pd.date_range("2019-04-01", "2019-06-30").strftime("%d/%m/%Y").to_numpy()
            put(name, head, days[rng.integers(0, len(days), n)].astype(object), 0.02)
        elif name == "statut_reponse":
            put(
                name,
                head,
                rng.choice(np.array(["complet", "Complet", "complet", "partiel"], dtype=object), n),
            )
        elif name == "siren":
            put(name, head, sirens.copy())
        elif name == "raison_sociale":
            put(name, head, np.array([f"Entreprise {start + k}" for k in range(n)], dtype=object))
        elif name == "email_contact":
            put(
                name,
                head,
                np.array([f"contact{start + k}@exemple.fr" for k in range(n)], dtype=object),
                0.3,
            )
        elif name == "naf_code":
            codes = NAF[sector]
            table = np.array([[c, c.replace(".", ""), c.lower(), c] for c in codes], dtype=object)
            put(name, head, _choose(rng, table, rng.integers(0, len(codes), n)), 0.05)
        elif name == "departement":
            deps = list(DEP_SHARES)
            table = np.array([[c, c, str(int(c)), d.departements[c]] for c in deps], dtype=object)
            idx = rng.choice(len(deps), size=n, p=list(DEP_SHARES.values()))
            put(name, head, _choose(rng, table, idx), 0.03)
        elif name == "effectif":
            text = headcount.astype(str).astype(object)
            big = headcount >= 1000
            sep = np.array(SPACES, dtype=object)[rng.integers(0, 2, n)]
            spaced = [
                f"{v // 1000}{s}{v % 1000:03d}"
                for v, s in zip(headcount[big], sep[big], strict=True)
            ]
            text[big] = np.array(spaced, dtype=object)
            band = (rng.random(n) < 0.05) & (headcount >= 10) & (headcount <= 49)
            text[band] = "10 à 49"
            put(name, head, text, 0.01)
        elif name == "recrutements_ia_12m":
            hires = rng.poisson(0.6, n)
            text = hires.astype(str).astype(object)
            comma = rng.random(n) < 0.2
            text[comma] = np.array([f"{h},0" for h in hires[comma]], dtype=object)
            put(name, head, text, 0.1)
        elif name == "commentaire":
            put(
                name,
                head,
                rng.choice(
                    np.array(
                        ["Très intéressant", "RAS", None, None, None, None, None, None],
                        dtype=object,
                    ),
                    n,
                ),
            )
        elif var.type == "multi" and name == "techno":
            answered = rng.random(n) < 0.93
            for option, label in var.options.items():
                yes = rng.random(n) < 0.25
                values = np.where(yes, "1", "0").astype(object)
                values[~answered] = None
                put(
                    f"{name}__{option}",
                    f"{name}__{option}" if use_name else f"{var.label.fr} : {label.fr}",
                    values,
                )
        elif var.type == "multi":
            options = [label.fr for label in var.options.values()]
            k = len(options)
            masks = np.arange(2**k)
            joined = np.empty(2**k, dtype=object)
            for m in masks:
                parts = [options[j] for j in range(k) if m >> j & 1]
                joined[m] = "; ".join(parts) if parts else "Aucune"
            bits = rng.random((n, k)) < 0.2
            idx = (bits * (1 << np.arange(k))).sum(axis=1)
            put(name, head, joined[idx], 0.07)
        elif var.is_coded:
            codes = list(var.all_codes)
            forms = [[*_forms(var.all_codes[c].fr), c] for c in codes]
            if "nsp" in var.missing:
                forms[codes.index("nsp")] = [*NSP_FORMS, "nsp", "NSP", "nsp", "NSP"]
            table = np.array(forms, dtype=object)
            for column in var.columns():
                idx = rng.integers(0, len(codes), n)
                item_head = (
                    head
                    if var.type != "matrix"
                    else (
                        column
                        if use_name
                        else f"{var.label.fr} : {var.items[column.split('__')[1]].fr}"
                    )
                )
                put(column, item_head, _choose(rng, table, idx), 0.03)
    frame = pd.DataFrame(cols)
    frame.columns = [headers[c] for c in frame.columns]
    return frame


def build_study(n: int, folder: Path, seed: int = 12345) -> None:
    """Write the study of ``n`` responses into ``folder`` (see the module docstring)."""
    rng = np.random.default_rng(seed + n)
    raw = folder / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (folder / "data" / "processed").mkdir(parents=True, exist_ok=True)
    sectors = list(SECTOR_SHARES)
    counts = np.floor(np.array(list(SECTOR_SHARES.values())) * n).astype(int)
    counts[-1] += n - counts.sum()
    n_unique = n - n // 100  # about 1 % of the rows answer a second time
    sirens = _luhn_sirens(rng, n_unique)
    pool = np.concatenate([sirens, sirens[rng.integers(0, n_unique, n - n_unique)]])
    rng.shuffle(pool)
    sources = []
    start = 0
    for sector, count in zip(sectors, counts, strict=True):
        frame = _sector_frame(rng, sector, int(count), start, pool[start : start + count])
        lines = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
        blank = ";" * (frame.shape[1] - 1) + "\r\n"
        body = lines.split("\r\n")
        # a few blank lines inside the data, a blank line and a note line at the end
        for at in sorted(
            rng.integers(2, max(len(body) - 1, 3), size=max(count // 20_000, 1)), reverse=True
        ):
            body.insert(int(at), blank[:-2])
        text = "\r\n".join(body).rstrip("\r\n") + "\r\n" + blank
        text += "Source : enquête fictive de l'observatoire (données de test)\r\n"
        encoding = "cp1252" if sector in CP1252 else "utf-8"
        path = raw / f"{sector}.csv"
        path.write_bytes(text.encode(encoding))
        sources.append((path.name, sector))
        start += count
    cells = []
    for sector, count in zip(sectors, counts, strict=True):
        for size, p_size in SIZE_SHARES.items():
            for dep, p_dep in DEP_SHARES.items():
                expected = count * p_size * p_dep
                cells.append((sector, size, dep, max(4 * math.ceil(expected), 3)))
    margins = pd.DataFrame(cells, columns=["secteur", "taille", "departement", "n_entreprises"])
    (folder / "data" / "reference").mkdir(parents=True, exist_ok=True)
    margins.to_csv(folder / "data" / "reference" / "population.csv", index=False)
    toml = [
        "[study]",
        f'title = "Étude synthétique de {n} réponses"',
        'region = "Hauts-de-France"',
        'wave = "2019"',
        'language = "fr"',
        "",
        "[population]",
        'margins = "data/reference/population.csv"',
        "",
        "[input]",
        "max_file_mb = 2000",
        "",
    ]
    for name, sector in sources:
        toml += [
            "[[sources]]",
            f'path = "data/raw/{name}"',
            'profile = "template"',
            f'sector = "{sector}"',
            "",
        ]
    (folder / "study.toml").write_text("\n".join(toml), encoding="utf-8")
    (folder / "VERSION").write_text(GENERATOR_VERSION)


def study_folder(n: int) -> Path:
    """The cached study of ``n`` responses, built when missing or outdated."""
    folder = OUT / f"n{n}"
    version = folder / "VERSION"
    if not version.exists() or version.read_text() != GENERATOR_VERSION:
        t0 = time.perf_counter()
        build_study(n, folder)
        size = sum(p.stat().st_size for p in (folder / "data" / "raw").iterdir())
        print(
            f"  étude de {n} réponses écrite en {time.perf_counter() - t0:.1f} s "
            f"({size / 2**20:.0f} Mio de CSV)",
            flush=True,
        )
    return folder


# --------------------------------------------------------------------------------------------
# The measured run (child process)


def _peak_kib() -> int:
    """Peak resident memory of this process, KiB (VmHWM: not inherited across fork + exec,
    unlike ``ru_maxrss``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(folder: Path) -> None:
    """Run the pipeline on ``folder`` and print one JSON line with the stage times."""
    import iaobs.pipeline.clean as pipeline
    import iaobs.pipeline.estimate as estimate
    import iaobs.stats.weights as weights
    from iaobs.study.config import load_study

    times = {"read": 0.0, "clean": 0.0, "weight": 0.0, "estimate": 0.0, "other": 0.0}

    def timed(stage: str, function):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                times[stage] += time.perf_counter() - t0

        return wrapper

    pipeline._read_and_map = timed("read", pipeline._read_and_map)  # type: ignore[assignment]
    weights.compute_weights = timed("weight", weights.compute_weights)  # type: ignore[assignment]
    estimate.estimate_indicators = timed(  # type: ignore[assignment]
        "estimate", estimate.estimate_indicators
    )
    study = load_study(folder)
    t0 = time.perf_counter()
    result = pipeline.clean_study(study)
    t1 = time.perf_counter()
    estimate.compute_study_indicators(study)
    t2 = time.perf_counter()
    times["clean"] = t1 - t0 - times["read"]
    times["other"] = t2 - t1 - times["weight"] - times["estimate"]
    indicators = pd.read_parquet(study.processed_dir / "indicators.parquet")
    peak_kib = _peak_kib()
    print(
        json.dumps(
            {
                "seconds": round(t2 - t0, 3),
                "stages": {k: round(v, 3) for k, v in times.items()},
                "peak_mib": round(peak_kib / 1024, 1),
                "read": result.quality["totals"]["read"],
                "kept": len(result.responses),
                "rejected": len(result.rejects),
                "findings": len(result.findings),
                "indicator_rows": len(indicators),
            }
        ),
        flush=True,
    )


def measure(n: int) -> dict:
    folder = study_folder(n)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"échec à n = {n} :\n{proc.stderr[-3000:]}")
    line = proc.stdout.strip().splitlines()[-1]
    return json.loads(line)


def profile(n: int) -> None:
    """Profile one size with pyinstrument (one run); text and HTML reports go to bench/out/."""
    folder = study_folder(n)
    session = OUT / f"profile_n{n}.pyisession"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pyinstrument",
            "-r",
            "pyisession",
            "-o",
            str(session),
            __file__,
            "--child",
            str(folder),
        ],
        check=True,
    )
    html = OUT / f"profile_n{n}.html"
    text = OUT / f"profile_n{n}.txt"
    for renderer, target in (("html", html), ("text", text)):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pyinstrument",
                f"--load={session}",
                "-r",
                renderer,
                "-o",
                str(target),
            ],
            check=True,
        )
    print(f"profil : {html}\n         {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--profile", type=int, default=None, metavar="N")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        run_child(args.child)
        return
    if args.profile is not None:
        profile(args.profile)
        return
    sizes = sorted(args.sizes)
    rows = {}
    for n in sizes:
        study_folder(n)
    print(
        f"{'réponses':>10} {'lecture':>8} {'nettoy.':>8} {'pondér.':>8} {'estim.':>8} "
        f"{'autres':>8} {'total s':>8} {'pic Mio':>8} {'rejets':>7} {'constats':>9}"
    )
    for n in sizes:
        r = measure(n)
        rows[n] = r
        s = r["stages"]
        print(
            f"{n:>10} {s['read']:>8.2f} {s['clean']:>8.2f} {s['weight']:>8.2f} "
            f"{s['estimate']:>8.2f} {s['other']:>8.2f} {r['seconds']:>8.2f} "
            f"{r['peak_mib']:>8.0f} {r['rejected']:>7} {r['findings']:>9}",
            flush=True,
        )
    ratio = exponent = None
    if 100_000 in rows and 1_000_000 in rows:
        ratio = rows[1_000_000]["seconds"] / rows[100_000]["seconds"]
        exponent = math.log(ratio) / math.log(10)
    elif len(sizes) >= 2:
        a, b = sizes[-2], sizes[-1]
        exponent = math.log(rows[b]["seconds"] / rows[a]["seconds"]) / math.log(b / a)
    if exponent is not None:
        print(f"exposant de croissance (pente log t / log n) : {exponent:.2f}")
    if ratio is not None:
        print(f"rapport t(10^6) / t(10^5) : {ratio:.1f} (cible ≤ {TARGET_RATIO:g})")
    big = rows.get(1_000_000)
    met = None
    if big is not None and ratio is not None:
        met = bool(
            big["seconds"] < TARGET_SECONDS
            and big["peak_mib"] < TARGET_MIB
            and ratio <= TARGET_RATIO
        )
    print(
        json.dumps(
            {
                "benchmark": "scaling",
                "sizes": sizes,
                "seconds": [rows[n]["seconds"] for n in sizes],
                "peak_mib": [rows[n]["peak_mib"] for n in sizes],
                "ratio_1e6_1e5": None if ratio is None else round(ratio, 2),
                "exponent": None if exponent is None else round(exponent, 3),
                "target": f"1e6 < {TARGET_SECONDS:.0f} s, < {TARGET_MIB // 1024} GiB, "
                f"ratio ≤ {TARGET_RATIO:g}",
                "met": met,
            }
        )
    )


if __name__ == "__main__":
    main()
