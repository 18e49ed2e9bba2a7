"""Evolution between waves: each indicator's estimate by wave and the change, with its test.

Two estimates from independent samples differ by ``d = e2 - e1`` with standard error
``sqrt(se1² + se2²)``; the test is a z test (normal approximation of the linearised
estimators) and the interval of the difference is ``d ± z(1-α/2)·se``. When the same firms
answer both waves the samples are not independent: the covariance is ignored, which makes the
test conservative when answers are positively correlated over time (the reports say so).

A cell hidden in either estimate (flag ``s`` or ``nd``, or no estimate) gives no comparison.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from iaobs.core.contract import INDICATOR_COLUMNS
from iaobs.stats.tests import difference_test

__all__ = ["EVOLUTION_COLUMNS", "HIDDEN", "KEYS", "comparable", "evolution_table"]

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


def comparable(frame: pd.DataFrame, suffix: str) -> pd.Series:
    flags = frame[f"flag{suffix}"].astype(str)
    return ~flags.isin(HIDDEN) & frame[f"estimate{suffix}"].notna() & frame[f"se{suffix}"].notna()


def _clean_indicators(frame: pd.DataFrame) -> pd.DataFrame:
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
