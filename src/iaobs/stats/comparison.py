"""Comparison between studies (regions): the indicators every study defines the same way,
tested pair by pair with a Holm adjustment within each family of tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from iaobs.stats.evolution import KEYS, comparable
from iaobs.stats.tests import difference_test, holm_adjust
from iaobs.study.config import Study

__all__ = ["TEST_COLUMNS", "Comparison", "compare_studies"]


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
    key_indicators: Iterable[tuple[str, str]] = (),
) -> Comparison:
    """Compare the indicators that every study defines the same way.

    Parameters
    ----------
    loaded
        Key → (study, indicators table), as :func:`load_studies` returns.
    confidence
        Level of the intervals and tests (α = 1 - confidence).
    key_indicators
        (indicator, level) pairs of the first family of tests (the reports pass their key
        indicators); the other shared indicators form the second family.

    Returns
    -------
    Comparison
        An indicator is kept when it exists in every study with the same variable definition
        (type, codes, options, items, missing codes, scale) and the same levels; a sector
        domain when the sector exists in every study with the same NAF codes; size-class
        domains and ``all`` always. Département domains are never shared. Everything else is
        listed in ``excluded`` with its reason.
    """
    key_set = set(key_indicators)
    keys = list(loaded)
    studies = {k: loaded[k][0] for k in keys}
    tables = {k: loaded[k][1] for k in keys}
    shared_sectors, excluded = _shared_sectors(studies)
    shared_indicators, excluded_indicators = _shared_indicators(studies, tables)
    excluded += excluded_indicators

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


def _excluded(what: str, name: str, reason: str, reason_en: str) -> dict[str, str]:
    return {"what": what, "name": name, "reason": reason, "reason_en": reason_en}


def _shared_sectors(studies: Mapping[str, Study]) -> tuple[list[str], list[dict[str, str]]]:
    """Sectors every study has with the same NAF codes, and the others with their reason."""
    keys = list(studies)
    excluded: list[dict[str, str]] = []
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
                _excluded(
                    "sector",
                    label,
                    "secteur absent de l'étude " + ", ".join(missing),
                    "sector absent from " + ", ".join(missing),
                )
            )
            continue
        nafs = {k: tuple(sorted(studies[k].dictionary.sectors[code].naf)) for k in keys}
        if len(set(nafs.values())) > 1:
            excluded.append(
                _excluded(
                    "sector",
                    label,
                    "codes NAF différents d'une étude à l'autre ("
                    + " ; ".join(f"{k} : {', '.join(v)}" for k, v in nafs.items())
                    + ")",
                    "different NAF codes across studies ("
                    + "; ".join(f"{k}: {', '.join(v)}" for k, v in nafs.items())
                    + ")",
                )
            )
            continue
        shared_sectors.append(code)
    return shared_sectors, excluded


def _shared_indicators(
    studies: Mapping[str, Study], tables: Mapping[str, pd.DataFrame]
) -> tuple[list[str], list[dict[str, str]]]:
    """Indicators every study defines the same way, and the others with their reason."""
    keys = list(studies)
    excluded: list[dict[str, str]] = []
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
                _excluded(
                    "indicator",
                    indicator,
                    "absent de l'étude " + ", ".join(missing),
                    "absent from " + ", ".join(missing),
                )
            )
            continue
        variable = _variable(indicator, studies[keys[0]])
        signatures = {_signature(studies[k], variable) for k in keys}
        level_sets = {levels[k][indicator] for k in keys}
        if len(signatures) > 1:
            excluded.append(
                _excluded(
                    "indicator",
                    indicator,
                    "question définie différemment (type, codes ou modalités)",
                    "question defined differently (type, codes or options)",
                )
            )
            continue
        if len(level_sets) > 1:
            excluded.append(
                _excluded(
                    "indicator",
                    indicator,
                    "modalités différentes dans les tableaux d'indicateurs",
                    "different levels in the indicators tables",
                )
            )
            continue
        shared_indicators.append(indicator)
    return shared_indicators, excluded


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
        ok = comparable(joined, "_1") & comparable(joined, "_2")
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
