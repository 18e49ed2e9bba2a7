"""Domains the respondents do not represent: not published (``nd``), and the annex says why.

When a cell of a domain has firms but no respondent (the large firms of a small sector, say),
the cell is merged with the neighbouring size class: its firms are represented by the
respondents of that class, which is right for the sector but wrong for the size class. The
domain « large firms » then stands for only part of its population — the estimate is for
another population than the one named, and its interval, narrow because of the finite
population correction, misses the true value far more often than 5 % of the time (58 % and
53 % coverage in Monte Carlo simulations of the sample study, ``bench/bench_coverage.py``).

:func:`domain_representation` compares, for every domain, the firms its respondents represent
(sum of final weights) with its population (the margins); :func:`flag_unrepresented` marks
``nd`` the domains where they differ by more than ``Thresholds.max_unrepresented``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from iaobs.core.contract import Thresholds
from iaobs.stats.estimate import domain_label

__all__ = ["domain_representation", "flag_unrepresented"]

COUNT = "n_entreprises"


def domain_representation(
    responses: pd.DataFrame,
    weights: np.ndarray | pd.Series,
    margins: pd.DataFrame,
    partitions: Sequence[tuple[str, ...]] = (("secteur",), ("taille",), ("secteur", "taille")),
) -> pd.DataFrame:
    """For each domain: population, firms represented by its respondents, relative gap.

    ``margins`` are the population margins (``secteur, taille[, departement], n_entreprises``);
    sectors without any respondent (outside the field of the estimates) are left out.
    """
    w = np.asarray(weights, dtype=float)
    frame = responses.reset_index(drop=True)
    pop = margins.copy()
    in_field = pop["secteur"].astype(str).isin(set(frame["secteur"].astype(str)))
    pop = pop.loc[in_field]
    rows = []
    for names in partitions:
        names = tuple(names)
        if not all(n in frame.columns and n in pop.columns for n in names):
            continue
        keys = frame[list(names)].astype("object")
        valid = keys.notna().all(axis=1).to_numpy()
        represented = (
            pd.Series(w[valid])
            .groupby([keys[n].astype(str)[valid].to_numpy() for n in names])
            .sum()
        )
        population = pop.groupby([pop[n].astype(str) for n in names])[COUNT].sum()
        for key, total in population.items():
            values = key if isinstance(key, tuple) else (key,)
            got = float(represented.get(key, 0.0))
            if got == 0.0:
                continue  # no respondent: the domain has no row at all
            rows.append(
                {
                    "domain": domain_label(names, values),
                    "population": float(total),
                    "represented": got,
                    "gap": (got - float(total)) / float(total) if total > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["domain", "population", "represented", "gap"])


def flag_unrepresented(
    indicators: pd.DataFrame, representation: pd.DataFrame, thresholds: Thresholds | None = None
) -> tuple[pd.DataFrame, list[dict[str, float | str]]]:
    """Mark ``nd`` (no estimate) every row of a domain whose gap exceeds the threshold.

    Returns the table and the domains so marked, for ``weighting.json`` and the annex.
    """
    limit = (thresholds or Thresholds()).max_unrepresented
    bad = representation[representation["gap"].abs() > limit]
    if bad.empty:
        return indicators, []
    out = indicators.copy()
    hit = out["domain"].isin(set(bad["domain"])).to_numpy()
    out.loc[hit, "flag"] = "nd"
    for col in ("estimate", "se", "ci_low", "ci_high"):
        out.loc[hit, col] = np.nan
    return out, bad.to_dict(orient="records")
