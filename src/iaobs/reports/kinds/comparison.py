"""Comparisons between waves of a study and between studies (regions).

Two estimates from independent samples differ by ``d = e2 - e1`` with standard error
``sqrt(se1² + se2²)``; the test is a z test (normal approximation of the linearised
estimators) and the interval of the difference is ``d ± z(1-α/2)·se``. When the same firms
answer both waves the samples are not independent: the covariance is ignored, which makes the
test conservative when answers are positively correlated over time (the reports say so).

A cell hidden in either estimate (flag ``s`` or ``nd``, or no estimate) gives no comparison.

* **Waves** — :func:`evolution_table` (one row per indicator × level × domain × wave, with
  the change since the previous wave) and :func:`compute_evolution`, which prepares every
  wave of a study (clean and estimate the waves not yet processed) and writes
  ``data/processed/evolution.parquet``.
* **Studies** — :func:`compare_studies` keeps the indicators and domains defined the same way
  in every study, tests each pair of studies with a Holm adjustment over a family of tests
  (key indicators; then every other shared indicator), and lists what was left out and why.
  :func:`render_comparison` renders the comparison report (HTML, PDF, Excel, CSV) with the
  ``comparaison`` notebook template and the same renderer as the study reports.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from iaobs.study.config import Study, load_study
from iaobs.errors import ConfigError, InputError, ReportError
from iaobs.core.resources import templates_dir
from iaobs.reports.context import ReportContext

__all__ = [
    "EVOLUTION_COLUMNS",
    "EVOLUTION_FILE",
    "Comparison",
    "compare_studies",
    "compute_evolution",
    "difference_test",
    "evolution_table",
    "holm_adjust",
    "load_studies",
    "render_comparison",
]

EVOLUTION_FILE = "evolution.parquet"
HIDDEN = ("s", "nd")
KEYS = ["indicator", "level", "domain", "statistic"]
EVOLUTION_COLUMNS = (
    "indicator",
    "level",
    "domain",
    "statistic",
    "wave",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "flag",
    "previous_wave",
    "difference",
    "se_difference",
    "ci_low_difference",
    "ci_high_difference",
    "p_value",
    "significant",
)


# --------------------------------------------------------------------------------------------
# Tests


def difference_test(
    estimate_1: Any,
    se_1: Any,
    estimate_2: Any,
    se_2: Any,
    *,
    confidence: float = 0.95,
) -> dict[str, np.ndarray]:
    """Difference ``estimate_2 - estimate_1`` of independent estimates, its SE, CI and p-value.

    Parameters
    ----------
    estimate_1, se_1, estimate_2, se_2
        Scalars or arrays of the same length: estimates (a share 0–1 or a mean, in its unit)
        and their standard errors. NaN anywhere gives NaN results for that element.
    confidence
        Level of the interval of the difference (0.95: 95 %).

    Returns
    -------
    dict
        ``difference``, ``se`` (``sqrt(se1² + se2²)``), ``ci_low``, ``ci_high``, ``z`` and the
        two-sided ``p_value`` (normal approximation), as float arrays.

    Examples
    --------
    >>> r = difference_test(0.30, 0.02, 0.40, 0.03)
    >>> round(float(r["difference"]), 2), round(float(r["p_value"]), 4)
    (0.1, 0.0055)
    """
    e1, s1 = np.asarray(estimate_1, float), np.asarray(se_1, float)
    e2, s2 = np.asarray(estimate_2, float), np.asarray(se_2, float)
    diff = e2 - e1
    se = np.sqrt(s1**2 + s2**2)
    quantile = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    z = np.where(np.isnan(diff) | np.isnan(se), np.nan, z)
    p = 2 * stats.norm.sf(np.abs(z))
    return {
        "difference": diff,
        "se": se,
        "ci_low": diff - quantile * se,
        "ci_high": diff + quantile * se,
        "z": z,
        "p_value": p,
    }


def holm_adjust(p_values: Any) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaN stay NaN, out of the family).

    The adjusted p-value of the k-th smallest of m p-values is
    ``max_{j≤k} min(1, (m - j + 1) p_(j))``; rejecting where it is below α controls the
    family-wise error rate at α.

    >>> [round(float(v), 3) for v in holm_adjust([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted)
    return out


def _comparable(frame: pd.DataFrame, suffix: str) -> pd.Series:
    flags = frame[f"flag{suffix}"].astype(str)
    return ~flags.isin(HIDDEN) & frame[f"estimate{suffix}"].notna() & frame[f"se{suffix}"].notna()


# --------------------------------------------------------------------------------------------
# Waves


def _clean_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    from iaobs.reports.context import INDICATOR_COLUMNS

    out = frame.loc[:, list(INDICATOR_COLUMNS)].copy()
    for column in ("indicator", "level", "domain", "statistic", "flag"):
        out[column] = out[column].astype("object").where(out[column].notna(), "").astype(str)
    hidden = out["flag"].isin(HIDDEN)
    out.loc[hidden, ["estimate", "se", "ci_low", "ci_high"]] = math.nan
    return out


def evolution_table(
    waves: Mapping[str, pd.DataFrame],
    *,
    confidence: float = 0.95,
    domains: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Estimates of every wave and the change since the previous wave, with its test.

    Parameters
    ----------
    waves
        Wave name → indicators table (contract columns), in chronological order.
    confidence
        Level of the intervals of the differences and of the test (α = 1 - confidence).
    domains
        Domains kept (default: every domain present in at least two waves).

    Returns
    -------
    DataFrame
        :data:`EVOLUTION_COLUMNS`: one row per indicator × level × domain × wave present in
        at least two waves. ``difference`` is this wave's estimate minus the previous wave's
        (percentage points / 100 for shares), with its SE (independent samples), interval,
        two-sided ``p_value`` and ``significant`` (p < α; ``pd.NA`` when either cell is hidden
        or absent). The first wave has no difference.
    """
    names = list(waves)
    frames = []
    for name in names:
        table = _clean_indicators(waves[name])
        table.insert(4, "wave", name)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=list(EVOLUTION_COLUMNS))
    long = pd.concat(frames, ignore_index=True)
    if domains is not None:
        long = long[long["domain"].isin(set(domains))]
    present = long.groupby(KEYS, sort=False)["wave"].transform("nunique")
    long = long[present >= 2].copy()
    order = {w: i for i, w in enumerate(names)}
    long["_order"] = long["wave"].map(order)
    long = long.sort_values([*KEYS, "_order"], kind="stable").reset_index(drop=True)
    previous = long.groupby(KEYS, sort=False).shift(1)
    long["previous_wave"] = previous["wave"].astype("object")
    first = long["_order"] == long.groupby(KEYS, sort=False)["_order"].transform("min")
    prev = pd.DataFrame(
        {
            "estimate_p": previous["estimate"],
            "se_p": previous["se"],
            "flag_p": previous["flag"].fillna("nd"),
        }
    )
    test = difference_test(
        prev["estimate_p"], prev["se_p"], long["estimate"], long["se"], confidence=confidence
    )
    ok = (
        ~first
        & ~prev["flag_p"].astype(str).isin(HIDDEN)
        & ~long["flag"].isin(HIDDEN)
        & np.isfinite(test["difference"])
        & np.isfinite(test["se"])
    )
    for name, key in (
        ("difference", "difference"),
        ("se_difference", "se"),
        ("ci_low_difference", "ci_low"),
        ("ci_high_difference", "ci_high"),
        ("p_value", "p_value"),
    ):
        long[name] = np.where(ok, test[key], np.nan)
    alpha = 1 - confidence
    significant = pd.Series(pd.NA, index=long.index, dtype="boolean")
    significant[ok] = long.loc[ok, "p_value"] < alpha
    long["significant"] = significant
    long.loc[first, "previous_wave"] = None
    return long.loc[:, list(EVOLUTION_COLUMNS)].reset_index(drop=True)


def _stale(study: Study) -> bool:
    """Whether a wave's indicators are missing or older than its inputs."""
    indicators = study.processed_dir / "indicators.parquet"
    if not indicators.is_file():
        return True
    built = indicators.stat().st_mtime
    inputs = [s.path for s in study.sources] + [s.mapping for s in study.sources if s.mapping]
    inputs += [study.root / "study.toml"] + ([study.margins] if study.margins else [])
    return any(Path(p).stat().st_mtime > built for p in inputs if p and Path(p).exists())


def prepare_waves(study: Study, *, echo: Any = None) -> dict[str, Path]:
    """Clean and estimate every wave of ``study`` whose indicators are missing or stale.

    The study's own wave is expected to be processed already (``iaobs run`` does it first);
    another wave is processed from its ``[[sources]]`` (those with ``wave = "…"``) into
    ``data/processed/waves/<wave>/``. Returns wave → path of its ``indicators.parquet``.

    Raises
    ------
    ConfigError
        When a wave has neither indicators nor source files.
    """
    from iaobs.stats.estimate import compute_study_indicators
    from iaobs.pipeline.clean import clean_study

    paths: dict[str, Path] = {}
    for wave in study.all_waves:
        at = study.for_wave(wave)
        path = at.processed_dir / "indicators.parquet"
        if wave != study.wave and at.sources and _stale(at):
            clean_study(at)
            compute_study_indicators(at)
            if echo is not None:
                echo(f"Vague {wave} : données traitées dans {at.processed_dir}")
        if not path.is_file():
            raise ConfigError(
                f"vague « {wave} » : ni indicateurs ni fichier source",
                file=study.root / "study.toml",
                hint=f'ajoutez ses fichiers avec [[sources]] … wave = "{wave}", ou retirez-la '
                "de [study] waves",
            )
        paths[wave] = path
    return paths


def compute_evolution(study: Study, *, echo: Any = None) -> Path | None:
    """Write ``data/processed/evolution.parquet`` for a study with two waves or more.

    Every wave is prepared first (:func:`prepare_waves`); the table is
    :func:`evolution_table` over the study's waves, on the domains ``all``, each sector and
    each size class. A single-wave study gets no file (an older one is removed) and ``None``.
    """
    from iaobs.core.atomic import atomic_path

    destination = study.processed_dir / EVOLUTION_FILE
    if len(study.all_waves) < 2:
        destination.unlink(missing_ok=True)
        return None
    paths = prepare_waves(study, echo=echo)
    frames = {}
    for wave, path in paths.items():
        try:
            frames[wave] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InputError(
                f"vague {wave} : tableau des indicateurs illisible ({type(exc).__name__})",
                file=path,
                hint="supprimez-le et relancez « iaobs run »",
            ) from exc
    domains = {d for f in frames.values() for d in f["domain"].astype(str).unique()}
    kept = [
        d
        for d in domains
        if d == "all" or (";" not in d and d.split("=")[0] in ("secteur", "taille"))
    ]
    table = evolution_table(frames, confidence=study.weighting.confidence, domains=kept)
    with atomic_path(destination) as tmp:
        table.to_parquet(tmp, index=False)
    return destination


# --------------------------------------------------------------------------------------------
# Studies


@dataclass
class Comparison:
    """Studies compared side by side.

    Attributes
    ----------
    studies
        Key (short name shown in reports: the region, or region and wave) → :class:`Study`.
    estimates
        Long table of the shared indicators: ``study`` (key) + the indicators contract
        columns, hidden cells without estimate.
    tests
        One row per indicator × level × domain × pair of studies: ``study_1``, ``study_2``,
        ``estimate_1``, ``estimate_2``, ``difference`` (study_2 − study_1), ``se_difference``,
        ``ci_low_difference``, ``ci_high_difference``, ``p_value``, ``family`` (``key`` or
        ``other``), ``p_holm`` (Holm-adjusted within its family) and ``significant``
        (``p_holm`` < α; ``pd.NA`` when a cell is hidden).
    excluded
        What was left out: ``what`` (``indicator`` or ``sector``), ``name``, ``reason`` (one
        sentence in French) and ``reason_en``.
    confidence
        Level of the intervals and tests.
    """

    studies: dict[str, Study]
    estimates: pd.DataFrame
    tests: pd.DataFrame
    excluded: pd.DataFrame
    confidence: float = 0.95
    sectors: list[str] = field(default_factory=list)


def _study_keys(studies: Sequence[Study]) -> list[str]:
    regions = [s.region for s in studies]
    keys = []
    for s in studies:
        key = s.region if regions.count(s.region) == 1 else f"{s.region} {s.wave}"
        keys.append(key)
    if len(set(keys)) != len(keys):
        keys = [f"{k} ({s.root.name})" for k, s in zip(keys, studies, strict=True)]
    return keys


def load_studies(paths: Sequence[str | Path]) -> dict[str, tuple[Study, pd.DataFrame]]:
    """Load each study and its indicators table; key = the name shown in the reports.

    Raises
    ------
    ConfigError
        Fewer than two studies, or the same study twice.
    InputError
        A study whose indicators have not been computed yet (names the study and what to run).
    """
    from iaobs.reports.context import read_indicators

    if len(paths) < 2:
        raise ConfigError(
            "comparaison : au moins deux études sont nécessaires",
            hint="ex. iaobs compare ../hauts-de-france ../occitanie",
        )
    studies = [load_study(p) for p in paths]
    roots = [s.root for s in studies]
    if len(set(roots)) != len(roots):
        raise ConfigError("comparaison : la même étude est donnée deux fois")
    out: dict[str, tuple[Study, pd.DataFrame]] = {}
    for key, study in zip(_study_keys(studies), studies, strict=True):
        path = study.processed_dir / "indicators.parquet"
        if not path.is_file():
            raise InputError(
                f"étude « {study.region} » ({study.root}) : indicateurs non calculés",
                file=path,
                hint=f"lancez d'abord « iaobs run {study.root} » (ou « iaobs estimate »)",
            )
        out[key] = (study, read_indicators(path))
    return out


def _signature(study: Study, variable: str) -> tuple[Any, ...] | None:
    dictionary = study.dictionary
    if variable not in dictionary:
        return None
    var = dictionary[variable]
    return (
        var.type,
        tuple(var.codes),
        tuple(getattr(var, "options", {}) or ()),
        tuple(getattr(var, "items", {}) or ()),
        tuple(var.missing),
        getattr(var, "scale", None),
    )


def _variable(indicator: str, study: Study) -> str:
    name = indicator.split("__", 1)[0]
    return name if name in study.dictionary else indicator


def compare_studies(
    loaded: Mapping[str, tuple[Study, pd.DataFrame]],
    *,
    confidence: float = 0.95,
    key_indicators: Iterable[tuple[str, str]] | None = None,
) -> Comparison:
    """Compare the indicators that every study defines the same way.

    Parameters
    ----------
    loaded
        Key → (study, indicators table), as :func:`load_studies` returns.
    confidence
        Level of the intervals and tests (α = 1 - confidence).
    key_indicators
        (indicator, level) pairs of the first family of tests (default: the reports' key
        indicators, :data:`iaobs.reports.tables.KEY_INDICATORS`).

    Returns
    -------
    Comparison
        An indicator is kept when it exists in every study with the same variable definition
        (type, codes, options, items, missing codes, scale) and the same levels; a sector
        domain when the sector exists in every study with the same NAF codes; size-class
        domains and ``all`` always. Département domains are never shared. Everything else is
        listed in ``excluded`` with its reason.
    """
    if key_indicators is None:
        from iaobs.reports.tables import KEY_INDICATORS

        key_indicators = [(k[0], k[1]) for k in KEY_INDICATORS]
    key_set = set(key_indicators)
    keys = list(loaded)
    studies = {k: loaded[k][0] for k in keys}
    tables = {k: loaded[k][1] for k in keys}
    excluded: list[dict[str, str]] = []

    # sectors
    sector_codes = [list(s.dictionary.sectors) for s in studies.values()]
    shared_sectors: list[str] = []
    for code in dict.fromkeys(itertools.chain.from_iterable(sector_codes)):
        missing = [k for k in keys if code not in studies[k].dictionary.sectors]
        label = next(
            s.dictionary.sectors[code].label.get("fr")
            for s in studies.values()
            if code in s.dictionary.sectors
        )
        if missing:
            excluded.append(
                {
                    "what": "sector",
                    "name": label,
                    "reason": "secteur absent de l'étude " + ", ".join(missing),
                    "reason_en": "sector absent from " + ", ".join(missing),
                }
            )
            continue
        nafs = {k: tuple(sorted(studies[k].dictionary.sectors[code].naf)) for k in keys}
        if len(set(nafs.values())) > 1:
            excluded.append(
                {
                    "what": "sector",
                    "name": label,
                    "reason": "codes NAF différents d'une étude à l'autre ("
                    + " ; ".join(f"{k} : {', '.join(v)}" for k, v in nafs.items())
                    + ")",
                    "reason_en": "different NAF codes across studies ("
                    + "; ".join(f"{k}: {', '.join(v)}" for k, v in nafs.items())
                    + ")",
                }
            )
            continue
        shared_sectors.append(code)

    def domain_ok(domain: str) -> bool:
        if domain == "all":
            return True
        for part in domain.split(";"):
            name, _, value = part.partition("=")
            if name == "secteur" and value in shared_sectors:
                continue
            if name == "taille":
                continue
            return False
        return True

    # indicators
    levels = {
        k: t[t["domain"] == "all"].groupby("indicator")["level"].agg(lambda s: tuple(sorted(s)))
        for k, t in tables.items()
    }
    indicators = list(
        dict.fromkeys(itertools.chain.from_iterable(lv.index for lv in levels.values()))
    )
    shared_indicators: list[str] = []
    for indicator in indicators:
        missing = [k for k in keys if indicator not in levels[k].index]
        if missing:
            excluded.append(
                {
                    "what": "indicator",
                    "name": indicator,
                    "reason": "absent de l'étude " + ", ".join(missing),
                    "reason_en": "absent from " + ", ".join(missing),
                }
            )
            continue
        variable = _variable(indicator, studies[keys[0]])
        signatures = {_signature(studies[k], variable) for k in keys}
        level_sets = {levels[k][indicator] for k in keys}
        if len(signatures) > 1:
            excluded.append(
                {
                    "what": "indicator",
                    "name": indicator,
                    "reason": "question définie différemment (type, codes ou modalités)",
                    "reason_en": "question defined differently (type, codes or options)",
                }
            )
            continue
        if len(level_sets) > 1:
            excluded.append(
                {
                    "what": "indicator",
                    "name": indicator,
                    "reason": "modalités différentes dans les tableaux d'indicateurs",
                    "reason_en": "different levels in the indicators tables",
                }
            )
            continue
        shared_indicators.append(indicator)

    frames = []
    for k in keys:
        t = tables[k]
        keep = t["indicator"].isin(shared_indicators) & t["domain"].map(domain_ok)
        frames.append(t[keep].assign(study=k))
    estimates = pd.concat(frames, ignore_index=True)
    estimates = estimates.loc[:, ["study", *[c for c in estimates.columns if c != "study"]]]
    # a domain must exist in every study
    count = estimates.groupby(KEYS)["study"].transform("nunique")
    estimates = estimates[count == len(keys)].reset_index(drop=True)

    tests = _pair_tests(estimates, keys, confidence, key_set)
    return Comparison(
        studies=studies,
        estimates=estimates,
        tests=tests,
        excluded=pd.DataFrame(excluded, columns=["what", "name", "reason", "reason_en"]),
        confidence=confidence,
        sectors=shared_sectors,
    )


TEST_COLUMNS = (
    "indicator",
    "level",
    "domain",
    "statistic",
    "study_1",
    "study_2",
    "estimate_1",
    "estimate_2",
    "difference",
    "se_difference",
    "ci_low_difference",
    "ci_high_difference",
    "p_value",
    "family",
    "p_holm",
    "significant",
)


def _pair_tests(
    estimates: pd.DataFrame,
    keys: Sequence[str],
    confidence: float,
    key_set: set[tuple[str, str]],
) -> pd.DataFrame:
    by_study = {k: estimates[estimates["study"] == k].set_index(KEYS) for k in keys}
    parts = []
    for a, b in itertools.combinations(keys, 2):
        left, right = by_study[a], by_study[b]
        joined = left.merge(right, left_index=True, right_index=True, suffixes=("_1", "_2"))
        if joined.empty:
            continue
        test = difference_test(
            joined["estimate_1"],
            joined["se_1"],
            joined["estimate_2"],
            joined["se_2"],
            confidence=confidence,
        )
        ok = _comparable(joined, "_1") & _comparable(joined, "_2")
        part = pd.DataFrame(
            {
                "study_1": a,
                "study_2": b,
                "estimate_1": joined["estimate_1"],
                "estimate_2": joined["estimate_2"],
                "difference": np.where(ok, test["difference"], np.nan),
                "se_difference": np.where(ok, test["se"], np.nan),
                "ci_low_difference": np.where(ok, test["ci_low"], np.nan),
                "ci_high_difference": np.where(ok, test["ci_high"], np.nan),
                "p_value": np.where(ok, test["p_value"], np.nan),
            },
            index=joined.index,
        ).reset_index()
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=list(TEST_COLUMNS))
    tests = pd.concat(parts, ignore_index=True)
    # main indicators: the substantive levels (missing-answer levels are not findings)
    is_key = [
        (i, lev) in key_set for i, lev in zip(tests["indicator"], tests["level"], strict=True)
    ]
    tests["family"] = np.where(is_key, "key", "other")
    tests["p_holm"] = np.nan
    for family in ("key", "other"):
        mask = (tests["family"] == family).to_numpy()
        tests.loc[mask, "p_holm"] = holm_adjust(tests.loc[mask, "p_value"].to_numpy())
    significant = pd.Series(pd.NA, index=tests.index, dtype="boolean")
    ok = tests["p_holm"].notna()
    significant[ok] = tests.loc[ok, "p_holm"] < (1 - confidence)
    tests["significant"] = significant
    return tests.loc[:, list(TEST_COLUMNS)]


# --------------------------------------------------------------------------------------------
# Rendering


def _output_dir(output: str | Path | None) -> Path:
    return Path(output) if output else Path("reports") / "comparaison"


def render_comparison(
    paths: Sequence[str | Path],
    output: str | Path | None = None,
    *,
    language: str = "",
    formats: Sequence[str] = ("html", "pdf", "xlsx"),
    templates_dir: str | Path | None = None,
    timeout: int | None = None,
) -> dict[str, Path]:
    """Render the comparison report of ``paths`` into ``output``.

    Parameters
    ----------
    paths
        Study folders (two or more), each already estimated (``iaobs run``).
    output
        Folder of the report (default ``reports/comparaison/`` under the current folder):
        ``report.html``, ``report.pdf``, ``tables.xlsx``, ``indicators.csv`` (the shared
        indicators, one row per study, with a leading ``study`` column), ``differences.csv``
        (the tests) and ``report.ipynb``.
    language
        ``fr`` or ``en``; empty: the first study's language.
    formats
        Among ``html``, ``pdf``, ``xlsx``.
    templates_dir
        Folder holding ``comparaison.py`` (default: the first study's ``notebooks/``, then
        the iaobs notebooks).

    Raises
    ------
    ConfigError, InputError
        Bad study folders or studies not estimated yet (before anything is rendered).
    ReportError
        When the report failed; the executed notebook is kept in ``output``.
    """
    from iaobs.render.runner import report_date

    loaded = load_studies(paths)
    first = next(iter(loaded.values()))[0]
    language = (language or first.language).strip()
    if language not in ("fr", "en"):
        raise ConfigError(f"langue inconnue {language!r} : attendu fr ou en")
    comparison = compare_studies(loaded, confidence=first.weighting.confidence)
    template = _find_template(first.root, templates_dir)
    final_dir = _output_dir(output).resolve()
    final_dir.mkdir(parents=True, exist_ok=True)
    work = final_dir / ".staging"
    work.mkdir(exist_ok=True)
    indicators_path = work / "indicators.parquet"
    comparison.estimates.to_parquet(indicators_path, index=False)
    title = "Comparaison des études" if language == "fr" else "Comparison of studies"
    regions = " · ".join(loaded)
    date = report_date()
    task = {
        "slug": "comparaison",
        "kind": "comparaison",
        "sector": None,
        "title": title,
        "template": str(template),
        "parameters": {
            "studies": [str(s.root) for s, _ in loaded.values()],
            "language": language,
        },
        "formats": list(formats),
        "final_dir": str(final_dir),
        "staging_root": str(work),
        "cwd": str(first.root),
        "indicators": str(indicators_path),
        "language": language,
        "page_title": f"{title} – {regions}",
        "author": first.title,
        "header": f"{first.title} · {title}",
        "footer": regions,
        "region": regions,
        "wave": " / ".join(dict.fromkeys(s.wave for s, _ in loaded.values())),
        "date": date.isoformat(),
        "cache_dir": str(first.root / ".iaobs-cache"),
        "content": "iaobs.reports.kinds.comparison:comparison_content",
        "timeout": timeout,
        "prestart_next": False,
    }
    record = _run_worker(task, cwd=first.root)
    if record.get("status") != "rendered":
        cell = f", cellule n° {record['cell']}" if record.get("cell") is not None else ""
        raise ReportError(
            f"rapport de comparaison en échec à l'étape « {record.get('stage')} »{cell} : "
            f"{record.get('error')}",
            hint=f"notebook exécuté : {record.get('notebook') or final_dir}",
        )
    outputs = {k: Path(v) for k, v in (record.get("outputs") or {}).items()}
    # the worker's indicators.csv has no study column: replaced by one that has
    outputs["csv"] = _write_study_csv(comparison.estimates, final_dir / "indicators.csv", language)
    outputs["differences"] = _write_tests_csv(
        comparison.tests, final_dir / "differences.csv", language
    )
    indicators_path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        work.rmdir()
    return outputs


def _find_template(root: Path, override: str | Path | None) -> Path:
    candidates = []
    if override is not None:
        candidates.append(Path(override))
    elif os.environ.get("IAOBS_NOTEBOOKS"):
        candidates.append(Path(os.environ["IAOBS_NOTEBOOKS"]))
    else:
        candidates += [root / "notebooks", templates_dir()]
    for folder in candidates:
        if (folder / "comparaison.py").is_file():
            return (folder / "comparaison.py").resolve()
    raise ConfigError(
        "modèle du rapport de comparaison introuvable (notebooks/comparaison.py)",
        hint="cherché dans : " + ", ".join(str(c) for c in candidates),
    )


def _run_worker(task: Mapping[str, Any], *, cwd: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "iaobs.render.worker"],
            input=json.dumps(task, ensure_ascii=False) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=str(cwd),
            check=False,
        )
    except OSError as exc:
        raise ReportError(f"processus de rendu indisponible ({exc})") from exc
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise ReportError(
            f"processus de rendu interrompu (code {done.returncode})",
            hint="relancez avec IAOBS_DEBUG=1 pour le détail",
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _csv_frame(frame: pd.DataFrame, destination: Path, language: str) -> Path:
    from iaobs.core.atomic import atomic_path
    from iaobs.render.excel import neutralise_formula

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: "" if v is None or v != v else neutralise_formula(str(v))
            )
    sep, decimal = (";", ",") if language != "en" else (",", ".")
    text = out.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\n")
    with atomic_path(destination) as tmp:
        tmp.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return destination


def _write_study_csv(estimates: pd.DataFrame, destination: Path, language: str) -> Path:
    from iaobs.reports.context import INDICATOR_COLUMNS

    return _csv_frame(estimates.loc[:, ["study", *INDICATOR_COLUMNS]], destination, language)


def _write_tests_csv(tests: pd.DataFrame, destination: Path, language: str) -> Path:
    out = tests.copy()
    out["significant"] = out["significant"].map(
        lambda v: "" if v is pd.NA or v is None else ("1" if v else "0")
    )
    return _csv_frame(out, destination, language)


# --------------------------------------------------------------------------------------------
# The comparison report (notebooks/comparaison.py)


@dataclass
class ComparisonContext(ReportContext):
    """A :class:`~iaobs.reports.context.ReportContext` for the comparison report.

    Words, labels and thresholds come from the first study; ``indicators`` holds the first
    study's shared indicators (for labels); ``comparison`` holds every study's.
    """

    comparison: Comparison | None = None

    @property
    def source_line(self) -> str:
        assert self.comparison is not None
        surveys = ", ".join(f"{key} ({s.wave})" for key, s in self.comparison.studies.items())
        return self.pick(
            f"Observatoires régionaux de l'IA et des compétences, enquêtes : {surveys} ; "
            "calculs de l'observatoire.",
            f"Regional observatories of AI and skills, surveys: {surveys}; observatory "
            "calculations.",
        )

    def champ(self, domain: str | None = None, *, multi: bool = False) -> str:
        assert self.comparison is not None
        regions = ", ".join(s.region for s in self.comparison.studies.values())
        return self.pick(
            f"Entreprises des secteurs communs aux études, implantées dans les régions "
            f"{regions}, ayant répondu à la question.",
            f"Companies of the sectors shared by the studies, located in the regions "
            f"{regions}, that answered the question.",
        )

    @property
    def keys(self) -> list[str]:
        assert self.comparison is not None
        return list(self.comparison.studies)

    def study_row(self, key: str, indicator: str, level: str, domain: str) -> dict[str, Any] | None:
        """One study's row of the shared indicators (``None`` when absent)."""
        cache = self.__dict__.get("_study_rows")
        if cache is None:
            assert self.comparison is not None
            cache = {
                (r["study"], r["indicator"], r["level"], r["domain"]): r
                for r in self.comparison.estimates.to_dict("records")
            }
            self.__dict__["_study_rows"] = cache
        return cache.get((key, indicator, level, domain))

    def test_row(
        self, a: str, b: str, indicator: str, level: str, domain: str
    ) -> dict[str, Any] | None:
        """The test of studies ``a`` and ``b`` on one indicator (``None`` when absent)."""
        cache = self.__dict__.get("_test_rows")
        if cache is None:
            assert self.comparison is not None
            cache = {
                (r["study_1"], r["study_2"], r["indicator"], r["level"], r["domain"]): r
                for r in self.comparison.tests.to_dict("records")
            }
            self.__dict__["_test_rows"] = cache
        return cache.get((a, b, indicator, level, domain))


def load_comparison(studies: Sequence[str | Path], language: str = "") -> ComparisonContext:
    """Load the studies and compare them (what the comparison notebook starts with)."""
    from iaobs.reports.context import _report_date

    loaded = load_studies(studies)
    first = next(iter(loaded.values()))[0]
    language = (language or first.language).strip()
    if language not in ("fr", "en"):
        raise ConfigError(f"langue inconnue {language!r} : attendu fr ou en")
    comparison = compare_studies(loaded, confidence=first.weighting.confidence)
    key0 = next(iter(loaded))
    own = comparison.estimates[comparison.estimates["study"] == key0].drop(columns="study")
    respondents = {}
    for key, (_study, table) in loaded.items():
        base = table.loc[table["domain"] == "all", "n"]
        respondents[key] = int(base.max()) if len(base) else 0
    ctx = ComparisonContext(
        study=first,
        dictionary=first.dictionary,
        indicators=own.reset_index(drop=True),
        quality={},
        weighting={},
        language=language,
        sector=None,
        date=_report_date(),
        processed_dir=first.processed_dir,
        comparison=comparison,
    )
    ctx.__dict__["_respondents_by_study"] = respondents
    return ctx


def _pairs(ctx: ComparisonContext) -> list[tuple[str, str]]:
    return list(itertools.combinations(ctx.keys, 2))


def _domain_label(ctx: ComparisonContext, domain: str) -> str:
    if domain == "all":
        return ctx.t("all_sectors")
    name, _, value = domain.partition("=")
    if name == "secteur":
        return ctx.sector_label(value)
    if name == "taille":
        return ctx.size_label(value)
    return domain


def _side_by_side(
    ctx: ComparisonContext, rows: list[tuple[str, str, str, str]], title: str, note: str
) -> Any:
    """rows = (label, indicator, level, domain): a group per study, then per pair of studies
    the difference (points, 95 % CI) and whether it is significant after Holm."""
    from iaobs.reports.context import change_text, significance_text
    from iaobs.reports.tables import _add_group, _frame, _notes

    head = ctx.t("indicator")
    columns: dict[str, list[Any]] = {head: [r[0] for r in rows]}
    kinds = {head: "label"}
    for key in ctx.keys:
        found = [ctx.study_row(key, ind, lev, dom) for _, ind, lev, dom in rows]
        _add_group(columns, kinds, ctx, key, found)
    for a, b in _pairs(ctx):
        change = ctx.pick(f"Écart {b} − {a} (points, IC 95 %)", f"{b} − {a} (points, 95% CI)")
        flag = ctx.pick(f"Significatif (Holm) {b} − {a}", f"Significant (Holm) {b} − {a}")
        if len(ctx.keys) == 2:
            change = ctx.pick("Écart (points, IC 95 %)", "Difference (points, 95% CI)")
            flag = ctx.pick("Significatif (Holm, 5 %)", "Significant (Holm, 5%)")
        columns[change], columns[flag] = [], []
        for _, ind, lev, dom in rows:
            test = ctx.test_row(a, b, ind, lev, dom)
            columns[change].append(change_text(ctx, test) if test else tx_missing())
            columns[flag].append(
                significance_text(ctx, test["significant"]) if test else tx_missing()
            )
        kinds[change], kinds[flag] = "text", "text"
    return title, _frame(columns), _notes(ctx, note=note), kinds


def tx_missing() -> str:
    from iaobs.core.text import MISSING

    return MISSING


def _key_rows(ctx: ComparisonContext, domain: str = "all") -> list[tuple[str, str, str, str]]:
    from iaobs.reports.tables import KEY_INDICATORS

    out = []
    for indicator, level, fr, en in KEY_INDICATORS:
        if all(ctx.study_row(k, indicator, level, domain) is not None for k in ctx.keys):
            out.append((ctx.pick(fr, en), indicator, level, domain))
    return out


def _domain_rows(
    ctx: ComparisonContext, indicator: str = "ia_usage", level: str = ""
) -> list[tuple[str, str, str, str]]:
    assert ctx.comparison is not None
    domains = ["all"] + [f"secteur={s}" for s in ctx.comparison.sectors]
    domains += [f"taille={t}" for t in ctx.sizes()]
    return [
        (_domain_label(ctx, d), indicator, level, d)
        for d in domains
        if all(ctx.study_row(k, indicator, level, d) is not None for k in ctx.keys)
    ]


def _test_note(ctx: ComparisonContext) -> str:
    return ctx.pick(
        "Écarts testés entre échantillons indépendants (test z) ; significativité au seuil de "
        "5 % après correction de Holm sur la famille des indicateurs clés (tous domaines et "
        "paires d'études). Pas de test quand une case n'est pas diffusée.",
        "Differences tested between independent samples (z test); significance at the 5% "
        "level after Holm's correction over the family of key indicators (every domain and "
        "pair of studies). No test when a cell is not published.",
    )


def _excluded_table(ctx: ComparisonContext) -> Any:
    from iaobs.reports.tables import _frame

    assert ctx.comparison is not None
    excluded = ctx.comparison.excluded
    what = {
        "indicator": ctx.pick("indicateur", "indicator"),
        "sector": ctx.pick("secteur", "sector"),
    }
    names = []
    for _, row in excluded.iterrows():
        name = str(row["name"])
        if row["what"] == "indicator":
            name = f"{ctx.label(name)} ({name})" if ctx.label(name) != name else name
        names.append(name)
    head = ctx.pick("Élément", "Item")
    columns = {
        head: names,
        ctx.pick("Type", "Type"): [what.get(w, w) for w in excluded["what"]],
        ctx.pick("Raison", "Reason"): list(
            excluded["reason" if ctx.language != "en" else "reason_en"]
        ),
    }
    kinds = {head: "label", ctx.pick("Type", "Type"): "text", ctx.pick("Raison", "Reason"): "text"}
    title = ctx.pick(
        "Indicateurs et secteurs laissés hors de la comparaison",
        "Indicators and sectors left out of the comparison",
    )
    sep = ctx.pick(" : ", ": ")
    return title, _frame(columns), [f"{ctx.t('source')}{sep}{ctx.source_line}"], kinds


COMPARISON_LAYOUT: list[tuple[str, list[str]]] = [
    ("comparaison_etudes", ["cles"]),
    ("comparaison_domaines", ["domaines"]),
    ("non_compares", ["exclus"]),
]


def comparison_table(ctx: ComparisonContext, key: str) -> Any:
    """One numbered table of the comparison report (``cles``, ``domaines`` or ``exclus``)."""
    from iaobs.reports.tables import ReportTable

    if key == "cles":
        built = _side_by_side(
            ctx,
            _key_rows(ctx),
            ctx.pick(
                "Indicateurs clés de chaque étude, ensemble des secteurs (en %)",
                "Key indicators of each study, all sectors (%)",
            ),
            _test_note(ctx),
        )
    elif key == "domaines":
        built = _side_by_side(
            ctx,
            _domain_rows(ctx),
            ctx.pick(
                "Entreprises utilisant au moins une technologie d'IA, par secteur et par taille "
                "(en %)",
                "Companies using at least one AI technology, by sector and size (%)",
            ),
            _test_note(ctx),
        )
    elif key == "exclus":
        built = _excluded_table(ctx)
    else:
        raise KeyError(f"tableau inconnu du rapport de comparaison : {key!r}")
    number = [k for _, keys in COMPARISON_LAYOUT for k in keys].index(key) + 1
    title, frame, notes, kinds = built
    return ReportTable(number, title, frame, notes, kinds, key=key)


def show_table(ctx: ComparisonContext, key: str) -> Any:
    """A table of the comparison report as HTML."""
    from iaobs.reports.tables import table_html

    return table_html(comparison_table(ctx, key), ctx)


def comparison_tables(ctx: ComparisonContext) -> list[Any]:
    """Every table of the comparison report, by section (one Excel sheet per section)."""
    from iaobs.reports.context import SECTIONS
    from iaobs.reports.tables import TableSection

    return [
        TableSection(ctx.pick(*SECTIONS[section]), [comparison_table(ctx, k) for k in keys])
        for section, keys in COMPARISON_LAYOUT
    ]


def comparison_content(kind: str, parameters: Mapping[str, Any], *, tables: bool = True) -> Any:
    """Content provider of the renderer for the comparison report (tables, no key figures)."""
    from iaobs.render.content import ReportContent

    ctx = load_comparison(list(parameters["studies"]), str(parameters.get("language", "")))
    return ReportContent(sections=comparison_tables(ctx) if tables else [], key_figures=[])


def cover(ctx: ComparisonContext) -> Any:
    """The comparison report's cover: studies, waves, respondents, date."""
    from iaobs.reports.context import cover_html
    from iaobs.core.text import format_number

    assert ctx.comparison is not None
    counts = ctx.__dict__.get("_respondents_by_study", {})
    rows = [
        (
            f"{key}",
            ctx.pick(
                f"enquête {s.wave}, {format_number(counts.get(key, 0), language='fr')} "
                "entreprises répondantes",
                f"{s.wave} survey, {format_number(counts.get(key, 0), language='en')} "
                "responding companies",
            ),
        )
        for key, s in ctx.comparison.studies.items()
    ]
    rows.append((ctx.t("date"), ctx.date_text))
    title = ctx.pick(
        "L'intelligence artificielle et les compétences : comparaison des études régionales",
        "Artificial intelligence and skills: comparison of regional studies",
    )
    return cover_html(ctx, ctx.pick("Comparaison", "Comparison"), title, rows)


def essentiel(ctx: ComparisonContext) -> Any:
    """L'essentiel: what is compared, how many differences are significant, and which."""
    from iaobs.reports.context import Html, change_text, esc
    from iaobs.core.text import format_interval, format_number, format_percent

    assert ctx.comparison is not None
    tests = ctx.comparison.tests
    fmt = ctx.language
    key_tests = tests[(tests["family"] == "key") & tests["significant"].notna()]
    significant = key_tests[key_tests["significant"].astype(bool)]
    shared = ctx.comparison.estimates["indicator"].nunique()
    dropped = int((ctx.comparison.excluded["what"] == "indicator").sum())
    items = [
        ctx.pick(
            f"{format_number(shared, language=fmt)} indicateurs sont définis de la même façon "
            f"dans les études comparées ; {format_number(dropped, language=fmt)} sont laissés "
            "de côté (voir la dernière section).",
            f"{format_number(shared, language=fmt)} indicators are defined the same way in the "
            f"studies compared; {format_number(dropped, language=fmt)} are left out (see the "
            "last section).",
        ),
        ctx.pick(
            f"Sur {format_number(len(key_tests), language=fmt)} écarts d'indicateurs clés testés, "
            f"{format_number(len(significant), language=fmt)} sont significatifs au seuil de "
            "5 % après correction de Holm.",
            f"Of {format_number(len(key_tests), language=fmt)} differences of key indicators "
            f"tested, {format_number(len(significant), language=fmt)} are significant at the 5% "
            "level after Holm's correction.",
        ),
    ]
    shown = significant[significant["domain"] == "all"].sort_values("p_holm").head(4)
    for _, test in shown.iterrows():
        a, b = test["study_1"], test["study_2"]
        ra = ctx.study_row(a, test["indicator"], test["level"], "all")
        rb = ctx.study_row(b, test["indicator"], test["level"], "all")
        if ra is None or rb is None:
            continue
        phrase = ctx.answer_phrase(test["indicator"], test["level"])
        pa, pb = (format_percent(r["estimate"], language=fmt) for r in (ra, rb))
        ia, ib = (format_interval(r["ci_low"], r["ci_high"], language=fmt) for r in (ra, rb))
        items.append(
            ctx.pick(
                f"{pb} des entreprises en {b} (IC 95\u202f% : {ib}) {phrase}, contre {pa} en "
                f"{a} (IC 95\u202f% : {ia}) : écart de {change_text(ctx, test)}, significatif.",
                f"{pb} of companies in {b} (95% CI: {ib}) {phrase}, compared with {pa} in {a} "
                f"(95% CI: {ia}): a difference of {change_text(ctx, test)}, significant.",
            )
        )
    body = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Html(
        '<div class="iaobs-essentiel">'
        f'<h2 id="essentiel">{esc(ctx.t("essentiel"))}</h2><ul>{body}</ul></div>'
    )


def chart_studies(
    ctx: ComparisonContext,
    rows: Sequence[tuple[str, str, str, str]] | None = None,
    *,
    title: str | None = None,
) -> Any:
    """Bars of each study side by side, with 95 % intervals (key indicators by default)."""
    from iaobs.reports import figures
    from iaobs.reports.context import Html

    rows = list(rows) if rows is not None else _key_rows(ctx)
    records = []
    for label, indicator, level, domain in rows:
        for key in ctx.keys:
            r = ctx.study_row(key, indicator, level, domain)
            if r is None:
                continue
            records.append(
                {
                    "label": label,
                    "group": key,
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": r["n"],
                    "flag": r["flag"],
                }
            )
    data = pd.DataFrame(
        records, columns=["label", "group", "estimate", "ci_low", "ci_high", "n", "flag"]
    )
    if data.empty:
        return Html("")
    fig = figures.plot_groups(
        data, ctx.keys, language=ctx.language, xlabel=ctx.t("percent_of_firms").capitalize()
    )
    title = title or ctx.pick(
        "Indicateurs clés de chaque étude, ensemble des secteurs (en %)",
        "Key indicators of each study, all sectors (%)",
    )
    note = ctx.pick(
        "Traits : intervalles de confiance à 95 %. Deux intervalles qui se recouvrent ne "
        "suffisent pas à conclure : voir le tableau pour le test de chaque écart.",
        "Whiskers: 95% confidence intervals. Overlapping intervals are not a test: see the "
        "table for the test of each difference.",
    )
    values = ctx.pick(" ; ", "; ").join(
        f"{r['label']} – {r['group']}{ctx.pick(' : ', ': ')}{_pct(r['estimate'], ctx.language)}"
        for _, r in data.iterrows()
    )
    alt = ctx.pick("Barres groupées par étude. ", "Bars grouped by study. ") + values + "."
    return figures.figure_html(
        fig, ctx=ctx, title=title, alt=alt, lecture=None, champ=ctx.champ(), note=note
    )


def _pct(value: Any, language: str) -> str:
    from iaobs.core.text import format_percent

    return format_percent(value, language=language)


def chart_domains(ctx: ComparisonContext) -> Any:
    """Use of AI in each shared sector and size class, studies side by side."""
    return chart_studies(
        ctx,
        _domain_rows(ctx),
        title=ctx.pick(
            "Entreprises utilisant au moins une technologie d'IA, par secteur et par taille (en %)",
            "Companies using at least one AI technology, by sector and size (%)",
        ),
    )


def methodology(ctx: ComparisonContext) -> Any:
    """How the studies are compared: shared definitions, tests, Holm families, caveats."""
    from iaobs.reports.context import Html, esc

    assert ctx.comparison is not None
    conf = _pct(ctx.comparison.confidence, ctx.language)
    paragraphs = [
        ctx.pick(
            "Chaque étude est pondérée et estimée séparément, selon sa propre méthode (strates, "
            "marges de population, calage, secret statistique) ; ses intervalles de confiance "
            "sont ceux de ses propres rapports.",
            "Each study is weighted and estimated on its own, with its own design (strata, "
            "population margins, raking, confidentiality rules); its confidence intervals are "
            "those of its own reports.",
        ),
        ctx.pick(
            "Seuls sont comparés les indicateurs définis de la même façon dans toutes les "
            "études : même question, mêmes codes de réponse et mêmes modalités. Un secteur "
            "n'est comparé que s'il regroupe les mêmes codes NAF dans toutes les études ; les "
            "départements, propres à chaque région, ne le sont pas.",
            "Only indicators defined the same way in every study are compared: same question, "
            "same answer codes and levels. A sector is compared only when it groups the same "
            "NAF codes in every study; départements, specific to each region, are not.",
        ),
        ctx.pick(
            "L'écart entre deux études est estimé comme entre deux échantillons indépendants : "
            "son écart-type est la racine de la somme des variances, son intervalle de "
            f"confiance à {conf} l'écart plus ou moins 1,96 écart-type, et le test un test z. "
            "Comme de nombreux écarts sont testés, les p-valeurs sont corrigées par la méthode "
            "de Holm, qui garantit un risque de 5 % de conclure à tort à au moins un écart "
            "dans une famille de tests : la famille des indicateurs clés (tous domaines et "
            "toutes paires d'études), et celle des autres indicateurs communs (fichiers "
            "differences.csv et tables.xlsx). Les intervalles des écarts ne sont pas corrigés.",
            "The difference between two studies is estimated as between two independent "
            "samples: its standard error is the square root of the sum of the variances, its "
            f"{conf} confidence interval the difference plus or minus 1.96 standard errors, "
            "and the test a z test. As many differences are tested, p-values are adjusted with "
            "Holm's method, which keeps at 5% the risk of wrongly finding at least one "
            "difference within a family of tests: the family of key indicators (every domain "
            "and pair of studies), and that of the other shared indicators (files "
            "differences.csv and tables.xlsx). The intervals of the differences are not "
            "adjusted.",
        ),
        ctx.pick(
            "Une case non diffusée (secret statistique ou effectif insuffisant) dans l'une des "
            "études n'est pas comparée. Les différences de questionnaire, de période de "
            "collecte ou de mode de diffusion de l'enquête entre régions peuvent expliquer une "
            "partie des écarts.",
            "A cell not published (confidentiality or too few respondents) in either study is "
            "not compared. Differences in questionnaire wording, collection period or survey "
            "mode between regions may explain part of the differences.",
        ),
    ]
    return Html(
        '<section class="iaobs-annexe">'
        + str(ctx.heading(2, "annexe"))
        + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        + "</section>"
    )
