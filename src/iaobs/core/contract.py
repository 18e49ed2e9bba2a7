"""The indicators table's contract (DESIGN.md), in one place.

One row per indicator × level × domain; ``flag`` is empty, ``prudence``, ``nd`` (not shown: too
few respondents) or ``s`` (statistical secrecy). A hidden cell (``s``, ``nd``) keeps its ``n``
and its flag but has no estimate in any report or export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "BOUND_LOWER",
    "BOUND_UPPER",
    "CALIBRATION_PREFIX",
    "COMPANION_KINDS",
    "CONTRAST_COLUMNS",
    "DESIGN_COLUMNS",
    "DESIGN_WEIGHT",
    "ESTIMATE_KINDS",
    "FLAGS",
    "HIDDEN_FLAGS",
    "INDICATOR_COLUMNS",
    "OUT_OF_SCOPE",
    "PAIRED_YES_NO_COLUMNS",
    "STRATUM",
    "STRATUM_POPULATION",
    "SURVEY_TOOLS",
    "WEIGHT",
    "Thresholds",
    "calibration_column",
    "estimate_owner",
]

#: The survey tools whose exports a study may declare (``profile = …``) or a mapping file name.
SURVEY_TOOLS: tuple[str, ...] = (
    "template",
    "tableur",
    "limesurvey",
    "google-forms",
    "kobo",
    "surveymonkey",
    "sphinx",
)

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
#: Kinds of a report table's columns that are an estimate: a share (0–1), a mean, or a
#: difference of two shares, shown in points (``+7``, never ``7 %``). The columns of its
#: interval, base and flag (:data:`COMPANION_KINDS`) follow it.
ESTIMATE_KINDS: tuple[str, ...] = ("percent", "mean", "points")
COMPANION_KINDS: tuple[str, ...] = ("ci_low", "ci_high", "count", "flag")
#: The headers of the pilot training's table of yes/no answers before and after, by language:
#: share before, share after, the change (its base is the number of pairs), persons no → yes,
#: persons yes → no. The report writes them; the release audit reads them to attack
#: ``n × (after − before) = (no → yes) − (yes → no)``.
PAIRED_YES_NO_COLUMNS: dict[str, tuple[str, str, str, str, str]] = {
    "fr": ("Part avant", "Part après", "Écart (points)", "Non → oui", "Oui → non"),
    "en": ("Share before", "Share after", "Change (points)", "No → yes", "Yes → no"),
}
#: The sector code of a firm outside the study's field: a mapping file sends there the sectors
#: the study does not cover; such rows are counted apart (rows read = kept + rejected + out of
#: scope), never weighted, never rejected.
OUT_OF_SCOPE = "hors_champ"

# Design variables the estimate stage adds to ``responses.parquet`` and to the microdata
# (``weighting.json`` → ``variables_plan`` says how each is made).
WEIGHT = "poids"  # final weight: firms represented by the respondent
DESIGN_WEIGHT = "poids_sondage"  # N_h / n_h, before calibration
STRATUM = "strate"  # stratum after collapses
STRATUM_POPULATION = "effectif_strate"  # N_h: firms of the stratum (finite population correction)
BOUND_LOWER = "borne_inf"  # lower bound of poids / poids_sondage in the calibration
BOUND_UPPER = "borne_sup"  # upper bound (1 and 1 in a census stratum)
CALIBRATION_PREFIX = "cal_"  # one column per raking margin: the respondent's cell
DESIGN_COLUMNS: tuple[str, ...] = (
    WEIGHT,
    DESIGN_WEIGHT,
    STRATUM,
    STRATUM_POPULATION,
    BOUND_LOWER,
    BOUND_UPPER,
)


def estimate_owner(columns: Sequence[str], kinds: Mapping[str, str]) -> dict[str, str]:
    """Column → the estimate column it belongs to, for a report table's columns in order: an
    estimate (:data:`ESTIMATE_KINDS`) owns itself and the companions that follow it, one of
    each kind (a second column of counts after an estimate's base is a column of its own:
    « Non → oui » after the base of a change). Other columns own nothing and are not keys.
    The HTML table, the Excel workbook and the report's data group columns by this."""
    owner: dict[str, str] = {}
    current: str | None = None
    taken: set[str] = set()
    for column in columns:
        kind = kinds.get(column, "text")
        if kind in ESTIMATE_KINDS:
            current = column
            owner[column] = column
            taken = set()
        elif kind in COMPANION_KINDS and current is not None and kind not in taken:
            owner[column] = current
            taken.add(kind)
        else:
            current = None
    return owner


def calibration_column(margin: str) -> str:
    """``cal_secteur_taille`` for the raking margin ``secteur × taille``."""
    return CALIBRATION_PREFIX + "_".join(part.strip() for part in margin.split("×"))


# The contrasts table (``contrasts.parquet``): a domain against the rest of the region, one row
# per indicator × level × domain; ``difference = estimate - rest``, its SE from the same design
# (linearised covariance of the two domain estimates), a t test on the design's degrees of
# freedom; ``direction`` is ``plus élevé``, ``plus faible`` or ``""`` (not significant);
# ``flag`` is the domain's flag in the indicators table (a hidden domain has no test).
CONTRAST_COLUMNS: tuple[str, ...] = (
    "indicator",
    "level",
    "domain",
    "statistic",
    "estimate",
    "rest",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_value",
    "significant",
    "direction",
    "n",
    "n_rest",
    "flag",
)


@dataclass(frozen=True)
class Thresholds:
    """Secrecy and precision thresholds (DESIGN.md, "Statistics, in short")."""

    secret_min_firms: int = 3
    # the rule on the firms giving an answer (1 or 2 firms: secret) applies where the
    # respondents are at least this share of the firms they represent (0–1): there the firms
    # are known and a count tells their answers; in a sampled domain nobody knows who answered
    secret_answer_coverage: float = 0.5
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
    # a domain whose respondents represent a population differing from its own by more than
    # this share (cells without respondent merged into a neighbouring class) is not shown
    max_unrepresented: float = 0.05
