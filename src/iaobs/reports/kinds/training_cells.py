"""Cells of the pilot-training report under the persons threshold: hidden, with complements.

No figure of the training report rests on fewer than ``secret_min_persons`` (11) persons: an
answer given by 1 to 10 persons is hidden (``s``), and so is the smallest other answer when the
hidden ones could otherwise be recovered by difference with the published base.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["distribution", "persons_shown", "small_cells"]


def distribution(
    formation: pd.DataFrame,
    dictionary: Any,
    column: str,
    wave: str,
    *,
    min_persons: int = 11,
    language: str = "fr",
) -> pd.DataFrame:
    """Shares of the answers of one wave (``code``, ``label``, ``count``, ``share`` 0–1 of the
    substantive answers; missing codes such as NSP get ``share`` of all answers, ``missing``
    True). ``flag`` is ``nd`` for every row when fewer than ``min_persons`` answered."""
    variable = dictionary[column]
    waves = formation["vague"].astype("string")
    answers = formation.loc[waves == wave, column].astype("string").dropna()
    substantive = answers[answers.isin(list(variable.codes))]
    total, base = len(answers), len(substantive)
    rows = []
    for code, label in variable.codes.items():
        count = int((substantive == code).sum())
        share = count / base if base else math.nan
        rows.append(
            {
                "code": code,
                "label": label.get(language),
                "count": count,
                "share": share,
                "missing": False,
            }
        )
    for code, label in variable.missing.items():
        count = int((answers == code).sum())
        share = count / total if total else math.nan
        rows.append(
            {
                "code": code,
                "label": label.get(language),
                "count": count,
                "share": share,
                "missing": True,
            }
        )
    table = pd.DataFrame(rows)
    table["base"] = base
    table["flag"] = "" if base >= min_persons else "nd"
    if base < min_persons:
        table["share"] = math.nan
    else:
        table["flag"] = small_cells(table, min_persons)
        table.loc[table["flag"] == "s", "share"] = math.nan
    return table


def small_cells(table: pd.DataFrame, min_persons: int) -> np.ndarray:
    """``s`` for each answer given by 1 to ``min_persons − 1`` persons, with complementary
    suppression: the substantive answers add up to the published base, so when exactly one of
    them is hidden (or the hidden ones add up to fewer than ``min_persons``), the smallest
    other non-empty one is hidden too, until the hidden ones hold at least ``min_persons``."""
    count = table["count"].to_numpy(dtype=float)
    flag = np.where((count > 0) & (count < min_persons), "s", "").astype(object)
    sub = ~table["missing"].to_numpy(dtype=bool)
    while True:
        hidden = sub & (flag == "s")
        if not hidden.any() or (count[hidden].sum() >= min_persons and hidden.sum() > 1):
            break
        others = np.flatnonzero(sub & (flag != "s") & (count > 0))
        if not len(others):
            break
        flag[others[np.argmin(count[others])]] = "s"
    return flag


def persons_shown(counts: pd.Series, min_persons: int) -> pd.Series:
    """Counts of persons, empty (secret) from 1 to ``min_persons − 1``."""
    values = counts.astype(float)
    return values.where(~((values > 0) & (values < min_persons)))
