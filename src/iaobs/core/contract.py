"""The indicators table's contract (DESIGN.md), in one place.

One row per indicator × level × domain; ``flag`` is empty, ``prudence``, ``nd`` (not shown: too
few respondents) or ``s`` (statistical secrecy). A hidden cell (``s``, ``nd``) keeps its ``n``
and its flag but has no estimate in any report or export.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FLAGS", "HIDDEN_FLAGS", "INDICATOR_COLUMNS", "Thresholds"]

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


@dataclass(frozen=True)
class Thresholds:
    """Secrecy and precision thresholds (DESIGN.md, "Statistics, in short")."""

    secret_min_firms: int = 3
    secret_dominance: float = 0.85
    secret_min_persons: int = 11
    nd_below: int = 10
    prudence_below: int = 30
    prudence_cv: float = 0.33
    prudence_ci_width: float = 0.30
    # secondary secrecy: a hidden share may not be bounded closer than this (0–1: 10 points)
    # on either side of its value, nor a hidden mean closer than this fraction of it
    protection_share: float = 0.10
    protection_mean: float = 0.10
