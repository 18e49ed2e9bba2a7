"""The indicators table's contract (DESIGN.md), in one place.

One row per indicator × level × domain; ``flag`` is empty, ``prudence``, ``nd`` (not shown: too
few respondents) or ``s`` (statistical secrecy). A hidden cell (``s``, ``nd``) keeps its ``n``
and its flag but has no estimate in any report or export.
"""

from __future__ import annotations

__all__ = ["FLAGS", "HIDDEN_FLAGS", "INDICATOR_COLUMNS"]

INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator",
    "level",
    "domain",
    "statistic",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "n_eff",
    "weighted_base",
    "flag",
)
FLAGS: tuple[str, ...] = ("", "prudence", "nd", "s")
HIDDEN_FLAGS: tuple[str, ...] = ("s", "nd")
