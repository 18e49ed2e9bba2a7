"""What the site publishes: the indicators cleared of secrecy, rounded and labelled.

Every number of the site (explorer, sector pages, open data) goes through
:func:`publishable_rows`, the one gate between the indicators table and a published file: a row
whose flag hides it (``s``, ``nd``) or that has no estimate is dropped, values are rounded to
what the reports print, and the bases that would help recover a hidden cell (weighted base,
effective size) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core import contract
from iaobs.core.contract import HIDDEN_FLAGS, INDICATOR_COLUMNS
from iaobs.stats.evolution import EVOLUTION_COLUMNS
from iaobs.study.dictionary import SEPARATOR, Dictionary
from iaobs.study.store import Processed

__all__ = [
    "PUBLISHED_COLUMNS",
    "SiteData",
    "domain_kind",
    "load_site_data",
    "publishable_rows",
]

#: The contract columns a published row keeps (``se``, ``n_eff`` and ``weighted_base`` stay home).
PUBLISHED_COLUMNS: tuple[str, ...] = tuple(
    c for c in INDICATOR_COLUMNS if c not in ("se", "n_eff", "weighted_base")
)
#: Decimals kept for a proportion (0–1: 0.1 point) and for a mean.
PROPORTION_DECIMALS = 3
MEAN_DECIMALS = 1

#: The first variable of each theme of the questionnaire (its sections, in order); a theme key
#: is a section of the reports (``iaobs.reports.context.SECTIONS``).
THEME_STARTS: tuple[tuple[str, str], ...] = (
    ("ia_stade", "adoption"),
    ("impact_effectifs", "emploi"),
    ("besoin_comp", "competences"),
    ("part_formes_ia", "formation"),
    ("freins", "freins"),
)
DOMAIN_KINDS: tuple[str, ...] = ("all", "secteur", "taille", "departement", "secteur×taille")


def _round(values: pd.Series, statistic: pd.Series) -> pd.Series:
    proportion = statistic.eq("proportion")
    out = values.astype(float).copy()
    out[proportion] = out[proportion].round(PROPORTION_DECIMALS)
    out[~proportion] = out[~proportion].round(MEAN_DECIMALS)
    return out


def publishable_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicators-like table that may be published, rounded.

    Parameters
    ----------
    table
        Rows with at least ``flag``, ``estimate`` and ``statistic`` (the indicators table,
        the evolution table or the contrasts).

    Returns
    -------
    pandas.DataFrame
        The rows whose flag is publishable (empty or ``prudence``) and that have an estimate,
        with estimates and intervals rounded (0.1 point for a share, one decimal for a mean)
        and without ``se``, ``n_eff`` or ``weighted_base`` (bases that help an intruder
        recover a suppressed cell from its neighbours).
    """
    t = table.copy()
    flag = t["flag"].astype("object").where(t["flag"].notna(), "").astype(str)
    t["flag"] = flag
    keep = ~flag.isin(HIDDEN_FLAGS) & t["estimate"].notna()
    t = t.loc[keep].drop(columns=["se", "n_eff", "weighted_base"], errors="ignore")
    statistic = t["statistic"] if "statistic" in t else pd.Series("proportion", index=t.index)
    for column in ("estimate", "ci_low", "ci_high"):
        if column in t:
            t[column] = _round(t[column], statistic)
    for column in ("difference", "ci_low_difference", "ci_high_difference"):
        if column in t:
            t[column] = t[column].astype(float).round(PROPORTION_DECIMALS)
    return t.reset_index(drop=True)


def domain_kind(domain: str) -> str:
    """``all``, ``secteur``, ``taille``, ``departement`` or a crossing (``secteur×taille``)."""
    if domain == "all":
        return "all"
    return "×".join(part.split("=", 1)[0] for part in domain.split(";"))


def _theme_of(dictionary: Dictionary) -> dict[str, str]:
    starts = dict(THEME_STARTS)
    theme, out = "", {}
    for var in dictionary:
        theme = starts.get(var.name, theme)
        out[var.name] = theme or "profil"
    return out


@dataclass(frozen=True)
class SiteData:
    """The published tables of one wave and their labels."""

    indicators: pd.DataFrame  # publishable rows with labels
    contrasts: pd.DataFrame  # publishable rows of contrasts.parquet (empty when absent)
    evolution: pd.DataFrame  # publishable rows of evolution.parquet (empty when absent)
    dictionary: Dictionary
    language: str
    hidden: pd.DataFrame  # indicator, level, domain, flag of the hidden cells (no number)

    def label(self, indicator: str) -> str:
        """The indicator's label; an option or item is prefixed by its question."""
        try:
            label = self.dictionary.column_label(indicator, self.language)
            var, sub = self.dictionary.variable_of_column(indicator)
        except KeyError:
            return indicator
        return f"{var.label.get(self.language)}{self.colon}{label}" if sub is not None else label

    @property
    def colon(self) -> str:
        """`` : `` with a narrow no-break space in French, ``: `` in English."""
        return "\u202f: " if self.language == "fr" else ": "

    def full_label(self, indicator: str, level: str) -> str:
        """The indicator's label followed by its level's."""
        label, level_label = self.label(indicator), self.level_label(indicator, level)
        return f"{label}{self.colon}{level_label}" if level_label else label

    def level_label(self, indicator: str, level: str) -> str:
        if not level:
            return ""
        if level == "top2":
            return "Deux meilleures modalités" if self.language == "fr" else "Top two"
        try:
            return self.dictionary.code_label(indicator, level, self.language)
        except KeyError:
            return level

    def domain_label(self, domain: str) -> str:
        """``Banque``, ``PME``, ``Nord``, ``Banque × PME``; ``Ensemble`` for ``all``."""
        if domain == "all":
            return "Ensemble de la région" if self.language == "fr" else "Whole region"
        parts = []
        for part in domain.split(";"):
            name, _, code = part.partition("=")
            parts.append(self._code(name, code))
        return " × ".join(parts)

    def _code(self, name: str, code: str) -> str:
        d = self.dictionary
        if name == "secteur" and code in d.sectors:
            return d.sectors[code].label.get(self.language)
        if name == "taille" and code in d.size_classes:
            return d.size_classes[code].label.get(self.language)
        if name == "departement" and code in d.departements:
            return f"{d.departements[code]} ({code})"
        return code

    def theme(self, indicator: str) -> str:
        return _theme_of(self.dictionary).get(indicator.split(SEPARATOR, 1)[0], "autres")


def _read(path: Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame()
    frame = pd.read_parquet(path)
    for column in ("indicator", "level", "domain", "statistic", "flag", "wave"):
        if column in frame:
            frame[column] = frame[column].astype("object").where(frame[column].notna(), "")
            frame[column] = frame[column].astype(str)
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return frame


def _contrast_columns() -> tuple[str, ...] | None:
    """The contrasts' columns from the contract, when the contract defines them."""
    return getattr(contract, "CONTRAST_COLUMNS", None)


def load_site_data(processed: Processed, dictionary: Dictionary, language: str) -> SiteData:
    """Read the indicators, contrasts and evolution of a processed folder, publishable only."""
    table = _read(processed.indicators, INDICATOR_COLUMNS)
    indicators = publishable_rows(table)
    hidden = table.loc[table["flag"].isin(HIDDEN_FLAGS), ["indicator", "level", "domain", "flag"]]
    raw = _read(processed.contrasts, _contrast_columns())
    contrasts = (
        publishable_rows(raw)
        if not raw.empty and {"flag", "estimate", "domain"} <= set(raw.columns)
        else pd.DataFrame()
    )
    evolution = _read(processed.evolution, EVOLUTION_COLUMNS)
    if not evolution.empty:
        evolution = publishable_rows(evolution)
    return SiteData(indicators, contrasts, evolution, dictionary, language, hidden)


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def significance(row: Mapping[str, Any]) -> str:
    """``+`` / ``-`` when a contrast is significantly above / below the rest, ``=`` when not."""
    if not row:
        return ""
    significant = row.get("significant")
    difference = _num(row.get("difference"))
    if significant is None or difference is None or pd.isna(significant):
        return ""
    if not bool(significant):
        return "="
    return "+" if difference > 0 else "-"
