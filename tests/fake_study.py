"""A fake but schema-exact study for the report tests.

:func:`make_fake_study` writes a ``study.toml`` and the processed files a report reads
(``indicators.parquet`` with exactly the contract columns, ``quality.json``,
``weighting.json``, ``rejects.csv``, ``findings.csv``). Figures are made up and plausible;
some cells carry the ``s``, ``nd`` and ``prudence`` flags, with no estimate for ``s``/``nd``.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.core.contract import INDICATOR_COLUMNS as CONTRACT_COLUMNS
from iaobs.study.dictionary import load_dictionary

__all__ = ["INDICATOR_COLUMNS", "make_fake_study"]

INDICATOR_COLUMNS = list(CONTRACT_COLUMNS)

SECTOR_N = {
    "expertise_comptable": 180,
    "banque": 212,
    "assurance": 96,
    "transport_logistique": 150,
    "logiciel": 120,
    "industrie": 240,
}
SIZE_SHARE = {"tpe": 0.30, "pme": 0.50, "eti": 0.16, "ge": 0.04}
SECTOR_AI = {
    "expertise_comptable": 0.30,
    "banque": 0.42,
    "assurance": 0.36,
    "transport_logistique": 0.18,
    "logiciel": 0.61,
    "industrie": 0.22,
}
SIZE_AI = {"tpe": -0.12, "pme": 0.0, "eti": 0.12, "ge": 0.2}
SKIPPED_TYPES = {"id", "text", "date"}

STUDY_TOML = """\
[study]
title = {title}
region = {region}
wave = "2019"
language = "{language}"

[thresholds]
nd_below = 10
prudence_below = 30
{sectors}
"""


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _domains(sectors: list[str]) -> list[tuple[str, str | None, str | None]]:
    out: list[tuple[str, str | None, str | None]] = [("all", None, None)]
    out += [(f"secteur={s}", s, None) for s in sectors]
    out += [(f"taille={t}", None, t) for t in SIZE_SHARE]
    out += [(f"secteur={s};taille={t}", s, t) for s in sectors for t in SIZE_SHARE]
    return out


def _domain_n(sector: str | None, size: str | None) -> int:
    if sector is None and size is None:
        return sum(SECTOR_N.values())
    if size is None:
        return SECTOR_N[sector]  # type: ignore[index]
    share = SIZE_SHARE[size]
    if sector is None:
        return round(sum(SECTOR_N.values()) * share)
    if (sector, size) == ("banque", "ge"):
        return 2  # statistical secrecy
    return max(round(SECTOR_N[sector] * share), 1)


def _interval(p: float, n: int) -> tuple[float, float, float]:
    se = math.sqrt(max(p * (1 - p), 1e-4) / max(n, 1)) * 1.15
    return se, max(0.0, p - 1.96 * se), min(1.0, p + 1.96 * se)


def _flag(n: int, domain: str, indicator: str) -> str:
    if n < 3:
        return "s"
    if n < 10:
        return "nd"
    if n < 30:
        return "prudence"
    return ""


def _rows_for_domain(
    dictionary, domain: str, sector: str | None, size: str | None, rng: np.random.Generator
) -> list[dict]:
    rows: list[dict] = []
    n_dom = _domain_n(sector, size)
    shift = (SECTOR_AI.get(sector, 0.33) if sector else 0.33) + (SIZE_AI[size] if size else 0.0)
    shift = min(max(shift, 0.03), 0.9)

    def proportion(indicator: str, level: str, p: float, n: int) -> None:
        p = float(min(max(p, 0.0), 1.0))
        se, lo, hi = _interval(p, n)
        flag = _flag(n, domain, indicator)
        hidden = flag in ("s", "nd")
        rows.append(
            {
                "indicator": indicator,
                "level": level,
                "domain": domain,
                "statistic": "proportion",
                "estimate": np.nan if hidden else p,
                "se": np.nan if hidden else se,
                "ci_low": np.nan if hidden else lo,
                "ci_high": np.nan if hidden else hi,
                "n": n,
                "n_eff": n / 1.3,
                "weighted_base": n * 11.7,
                "flag": flag,
            }
        )

    def categorical(indicator: str, codes: list[str], missing: list[str], top2: tuple) -> None:
        answered = max(round(n_dom * 0.96), 0)
        weights = rng.dirichlet(
            np.linspace(2.0, 6.0, len(codes))[:: -1 if rng.random() < 0.5 else 1]
        )
        nsp_share = 0.06 if missing else 0.0
        n_sub = max(answered - round(answered * nsp_share), 0)
        for code, p in zip(codes, weights, strict=True):
            proportion(indicator, code, p, n_sub)
        for code in missing:
            proportion(indicator, code, nsp_share / len(missing), answered)
        if top2:
            proportion(
                indicator,
                "top2",
                float(sum(p for c, p in zip(codes, weights, strict=True) if c in top2)),
                n_sub,
            )

    for var in dictionary:
        if var.type in SKIPPED_TYPES or var.privacy != "public":
            continue
        if var.name in ("secteur",) and sector is not None:
            continue
        if var.type == "multi":
            answered = round(n_dom * (0.5 if var.name in ("techno", "usages") else 0.9))
            for i, option in enumerate(var.options):
                base = shift if var.name == "techno" else 0.45
                p = base * (0.9 - 0.08 * i) + rng.normal(0, 0.03)
                proportion(f"{var.name}__{option}", "", p, answered)
        elif var.type == "bool" and not var.codes:
            proportion(var.name, "", shift + rng.normal(0, 0.01), round(n_dom * 0.97))
        elif var.type == "matrix":
            for item in var.items:
                categorical(f"{var.name}__{item}", list(var.codes), list(var.missing), var.top2)
        elif var.type in ("cat", "ord") or (var.type == "bool" and var.codes):
            categorical(var.name, list(var.codes), list(var.missing), var.top2)
        elif var.type in ("int", "float"):
            n = round(n_dom * 0.9)
            mean = 2.4 if var.name == "recrutements_ia_12m" else 180.0
            flag = _flag(n, domain, var.name)
            hidden = flag in ("s", "nd")
            se = mean * 0.12
            rows.append(
                {
                    "indicator": var.name,
                    "level": "",
                    "domain": domain,
                    "statistic": "mean",
                    "estimate": np.nan if hidden else mean,
                    "se": np.nan if hidden else se,
                    "ci_low": np.nan if hidden else mean - 1.96 * se,
                    "ci_high": np.nan if hidden else mean + 1.96 * se,
                    "n": n,
                    "n_eff": n / 1.3,
                    "weighted_base": n * 11.7,
                    "flag": flag,
                }
            )
    return rows


def make_indicators(sectors: list[str], seed: int = 2019) -> pd.DataFrame:
    """The indicators table of the fake study (contract columns, every variable and domain)."""
    dictionary = load_dictionary("entreprises")
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for domain, sector, size in _domains(sectors):
        rows += _rows_for_domain(dictionary, domain, sector, size, rng)
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["n"] = frame["n"].astype("int64")
    # a prudence cell on a key indicator of a sector, and an nd cell in a size class
    mask = (frame["indicator"] == "ia_usage") & (frame["domain"] == "secteur=assurance")
    frame.loc[mask, "flag"] = "prudence"
    return frame


def _quality(sectors: list[str]) -> dict:
    files = []
    for sector in sectors:
        read = SECTOR_N[sector] + 12
        files.append(
            {
                "file": f"data/raw/2019/{sector}.xlsx",
                "sheet": "Réponses",
                "sha256": hashlib.sha256(sector.encode()).hexdigest(),
                "read": read,
                "kept": SECTOR_N[sector],
                "rejected": 12,
                "blank_rows": 1,
                "corrections": {"naf_normalise": 14, "effectif_texte": 6, "code_libelle": 31},
                "rejected_by_rule": {"doublon_siren": 7, "obligatoire_manquant": 5},
                "findings": {
                    "doublon_siren": {"avertissement": 7},
                    "obligatoire_manquant": {"bloquant": 5},
                    "hors_bornes": {"avertissement": 3},
                },
            }
        )
    return {"files": files}


def _weighting(sectors: list[str]) -> dict:
    """weighting.json in the shape the weighting engine writes (French keys)."""
    strata = []
    for sector in sectors:
        for size in SIZE_SHARE:
            n = _domain_n(sector, size)
            strata.append(
                {
                    "secteur": sector,
                    "taille": size,
                    "strate": f"{sector} × {size}",
                    "N_h": float(n * 13),
                    "n_h": n,
                    "poids_de_base": 13.0,
                }
            )
    return {
        "repondants": sum(SECTOR_N.values()),
        "strates": strata,
        "regroupements": [
            {
                "type": "strate",
                "secteur": "assurance",
                "taille": ["ge"],
                "fusionnee_avec": ["eti"],
                "raison": "aucun répondant",
                "population": 1.0,
                "repondants": 0,
            }
        ],
        "calage": {"marges": ["secteur × taille", "departement"], "iterations": 6},
        "ecretement": {"ratio": 5.0, "tours": 1, "poids_ecretes": 3},
        "n_eff": 760.4,
        "deff": 1.31,
        "domaines": [
            {"domain": "all", "n": sum(SECTOR_N.values()), "n_eff": 760.4, "deff": 1.31},
            {"domain": "secteur=banque", "n": 212, "n_eff": 160.2, "deff": 1.32},
        ],
        "notes": ["marge departement : 11 répondant(s) sans valeur forment une cellule à part"],
    }


def make_fake_study(
    tmp_path: Path,
    *,
    sector_labels: dict[str, str] | None = None,
    region: str = "Hauts-de-France",
    title: str = "Observatoire régional de l'intelligence artificielle et des compétences",
    language: str = "fr",
) -> Path:
    """Write a fake study under ``tmp_path`` and return its folder.

    ``sector_labels`` overrides sector labels (to test escaping); other sectors keep the
    dictionary's labels.
    """
    root = Path(tmp_path) / "etude"
    processed = root / "data" / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    dictionary = load_dictionary("entreprises")
    sectors = list(dictionary.sectors)
    sector_block = ""
    if sector_labels:
        for code, sector in dictionary.sectors.items():
            label = sector_labels.get(code, sector.label.fr)
            naf = ", ".join(_toml_string(n) for n in sector.naf)
            sector_block += f"\n[sectors.{code}]\nlabel = {_toml_string(label)}\nnaf = [{naf}]\n"
    (root / "study.toml").write_text(
        STUDY_TOML.format(
            title=_toml_string(title),
            region=_toml_string(region),
            language=language,
            sectors=sector_block,
        ),
        encoding="utf-8",
    )
    make_indicators(sectors).to_parquet(processed / "indicators.parquet", index=False)
    (processed / "quality.json").write_text(
        json.dumps(_quality(sectors), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (processed / "weighting.json").write_text(
        json.dumps(_weighting(sectors), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    rejects = pd.DataFrame(
        {
            "_source_file": ["data/raw/2019/banque.xlsx"] * 3 + ["data/raw/2019/industrie.xlsx"],
            "_source_sheet": ["Réponses"] * 4,
            "_source_row": [14, 27, 31, 8],
            "reasons": [
                "réponse en double (même SIREN) ; ligne rejetée",
                "taille manquante ; ligne rejetée",
                "secteur manquant ; effectif négatif (-4) ; ligne rejetée",
                "réponse en double (même SIREN) ; ligne rejetée",
            ],
            "rules": [
                "doublon_siren",
                "obligatoire_manquant",
                "obligatoire_manquant;hors_bornes",
                "doublon_siren",
            ],
        }
    )
    rejects.to_csv(processed / "rejects.csv", index=False)
    findings = pd.DataFrame(
        {
            "file": ["data/raw/2019/banque.xlsx"] * 3,
            "sheet": ["Réponses"] * 3,
            "row": [14, 27, 40],
            "column": ["siren", "taille", "effectif"],
            "value": ["***", "", "confidentiel 123"],
            "rule": ["doublon_siren", "obligatoire_manquant", "hors_bornes"],
            "severity": ["bloquant", "bloquant", "avertissement"],
            "message": ["SIREN en double", "taille manquante", "effectif négatif"],
        }
    )
    findings.to_csv(processed / "findings.csv", index=False)
    return root
