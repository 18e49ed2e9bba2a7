"""What the site publishes: the indicators cleared of secrecy, rounded and labelled.

Every number of the site (explorer, sector pages, open data) goes through
:func:`publishable_rows`, the one gate between the indicators table and a published file: a row
whose flag hides it (``s``, ``nd``) or that has no estimate is dropped, values are rounded to
what the reports print, and the bases that would help recover a hidden cell (weighted base,
effective size) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core.contract import CONTRAST_COLUMNS, HIDDEN_FLAGS, INDICATOR_COLUMNS
from iaobs.core.text import number_or_none
from iaobs.stats.evolution import EVOLUTION_COLUMNS
from iaobs.stats.secrecy import PUBLISHED_COLUMNS, PUBLISHED_DIGITS, publishable
from iaobs.study.dictionary import SEPARATOR, Dictionary
from iaobs.study.store import Processed

__all__ = [
    "PUBLISHED_COLUMNS",
    "SiteData",
    "domain_kind",
    "load_site_data",
    "publishable_rows",
]

#: Columns never published beside an estimate: they help recover a hidden cell.
WITHHELD: tuple[str, ...] = ("se", "n_eff", "weighted_base", "se_difference")
#: Differences and other values of the evolution and contrast tables, rounded like estimates.
DIFFERENCES: tuple[str, ...] = ("rest", "difference", "ci_low_difference", "ci_high_difference")

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


def publishable_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicators-like table the site may publish, as a reader gets them.

    The decision is :func:`iaobs.stats.secrecy.publishable` (rounded estimates and intervals,
    no standard error, effective size or weighted base); the site then keeps only the rows that
    have an estimate (a hidden cell, ``s`` or ``nd``, is not a row of the site's data) and,
    for the evolution and contrast tables, their differences and tests rounded the same way.

    Parameters
    ----------
    table
        The indicators table, the evolution table or the contrasts (at least ``indicator``,
        ``domain``, ``statistic``, ``estimate``, ``n`` and ``flag``).

    Returns
    -------
    pandas.DataFrame
        ``PUBLISHED_COLUMNS`` then the table's other columns but :data:`WITHHELD`.
    """
    t = table.reset_index(drop=True).copy()
    for column in ("level", "flag"):
        if column not in t:
            t[column] = ""
        t[column] = t[column].astype("object").where(t[column].notna(), "").astype(str)
    published = publishable(t)
    extra = [c for c in t.columns if c not in PUBLISHED_COLUMNS and c not in WITHHELD]
    out = pd.concat([published, t[extra]], axis=1)
    keep = ~out["flag"].isin(HIDDEN_FLAGS) & out["estimate"].notna()
    out = out.loc[keep].reset_index(drop=True)
    digits = PUBLISHED_DIGITS["proportion"]
    for column in DIFFERENCES:
        if column in out:
            proportion = out["statistic"].eq("proportion")
            values = pd.to_numeric(out[column], errors="coerce").astype(float)
            out[column] = values.where(~proportion, values.round(digits)).where(
                proportion, values.round(PUBLISHED_DIGITS["mean"])
            )
    out["n"] = out["n"].astype("int64")
    return out


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


def load_site_data(processed: Processed, dictionary: Dictionary, language: str) -> SiteData:
    """Read the indicators, contrasts and evolution of a processed folder, publishable only."""
    table = _read(processed.indicators, INDICATOR_COLUMNS)
    indicators = publishable_rows(table)
    hidden = table.loc[table["flag"].isin(HIDDEN_FLAGS), ["indicator", "level", "domain", "flag"]]
    raw = _read(processed.contrasts, CONTRAST_COLUMNS)
    contrasts = (
        publishable_rows(raw)
        if not raw.empty and {"flag", "estimate", "domain"} <= set(raw.columns)
        else pd.DataFrame()
    )
    if not contrasts.empty:  # a comparison only for a cell the indicators publish
        keys = ["indicator", "level", "domain"]
        contrasts = contrasts.merge(indicators[keys], on=keys, how="inner")
    evolution = _read(processed.evolution, EVOLUTION_COLUMNS)
    if not evolution.empty:
        evolution = publishable_rows(evolution)
    return SiteData(indicators, contrasts, evolution, dictionary, language, hidden)


def significance(row: Mapping[str, Any]) -> str:
    """``+`` / ``-`` when a contrast is significantly above / below the rest, ``=`` when not."""
    if not row:
        return ""
    significant = row.get("significant")
    difference = number_or_none(row.get("difference"))
    if significant is None or difference is None or pd.isna(significant):
        return ""
    if not bool(significant):
        return "="
    return "+" if difference > 0 else "-"
