"""What a report needs, loaded once: the study, its indicators, quality and weighting notes.

The report templates of ``notebooks/`` start with :func:`load_context` and hand the
:class:`ReportContext` to :mod:`iaobs.reports.figures`, :mod:`iaobs.reports.tables` and the HTML blocks of
this module (cover, L'essentiel, definitions, methodology annex). Every block is an
:class:`Html` string: ``display(block)`` shows it as HTML in a notebook, and every piece of text
coming from data or from ``study.toml`` is escaped.

Hidden cells (flag ``s`` or ``nd``) never carry an estimate in ``ReportContext.indicators``:
their ``estimate``, ``se``, ``ci_low`` and ``ci_high`` are NaN whatever the file says.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.contract import HIDDEN_FLAGS, INDICATOR_COLUMNS
from iaobs.core.typography import plural, typeset_html
from iaobs.core.version import __version__
from iaobs.errors import ConfigError, InputError
from iaobs.reports import questions
from iaobs.reports.counts import counted_text, quality_files
from iaobs.reports.weighting import (
    design_variable,
    translate_note,
    weighting_facts,
)
from iaobs.reports.wording import base_clause, champ_clause, reader_label
from iaobs.stats.contrast import contrast_phrase, load_contrasts
from iaobs.study.config import Study, load_study
from iaobs.study.dictionary import Dictionary
from iaobs.study.store import Processed

__all__ = [
    "INDICATOR_COLUMNS",
    "Html",
    "KeyFigure",
    "ReportContext",
    "cover",
    "cover_html",
    "definitions",
    "design_variable",
    "english_date",
    "essentiel",
    "evolution_rows",
    "evolution_summary",
    "french_date",
    "has_evolution",
    "key_figures",
    "load_context",
    "matrix_items",
    "methodology",
    "translate_note",
]

SIZES_LABEL_SHORT = {"tpe": "TPE", "pme": "PME", "eti": "ETI", "ge": "GE"}
SIZES_LABEL_SHORT_EN = {"tpe": "micro", "pme": "SME", "eti": "mid-cap", "ge": "large"}

_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def english_date(date: dt.date) -> str:
    """``25 November 2026``, whatever the machine's locale."""
    return f"{date.day} {_MONTHS_EN[date.month - 1]} {date.year}"


def french_date(date: dt.date) -> str:
    """``25 novembre 2026``, whatever the machine's locale."""
    return f"{date.day} {_MONTHS_FR[date.month - 1]} {date.year}"


class Html(str):
    """A piece of HTML: a ``str`` that notebooks display as HTML (and not as its source).

    What a notebook displays goes through :func:`iaobs.core.typography.typeset_html` in the
    report's language (set by the report's context: one report per process), so that every
    block of every report follows the same typography.
    """

    language: ClassVar[str] = "fr"

    def _repr_html_(self) -> str:
        return typeset_html(str(self), Html.language)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"<HTML, {len(self)} caractères>")


def esc(value: Any) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape(str(value), quote=True)


# Section titles: key -> (fr, en). Numbered in the order a report displays them.
SECTIONS: dict[str, tuple[str, str]] = {
    "adoption": ("Adoption de l'IA", "AI adoption"),
    "emploi": ("Impact sur l'emploi", "Impact on jobs"),
    "competences": ("Compétences", "Skills"),
    "formation": ("Formation", "Training"),
    "freins": ("Freins et perceptions", "Barriers and perceptions"),
    "evolution": ("Évolution depuis la vague précédente", "Change since the previous wave"),
    "comparaison": (
        "Comparaison avec l'ensemble des secteurs",
        "Comparison with all sectors",
    ),
    "stade": ("Stade d'adoption", "Adoption stage"),
    "technologies": ("Technologies utilisées", "Technologies used"),
    "fonctions": ("Fonctions concernées", "Business functions"),
    "generative": ("IA générative", "Generative AI"),
    "taille": ("Adoption selon la taille", "Adoption by company size"),
    "effectifs": ("Effet attendu sur les effectifs", "Expected effect on headcount"),
    "familles": ("Effet par famille de métiers", "Effect by job family"),
    "taches": ("Tâches automatisables", "Tasks that could be automated"),
    "nouveaux_metiers": ("Nouveaux métiers et recrutements", "New jobs and hiring"),
    "besoins": ("Besoins de compétences", "Skills needs"),
    "prioritaire": ("Compétence prioritaire", "Top-priority skill"),
    "formes": ("Salariés formés", "Staff trained"),
    "publics": ("Publics prioritaires", "Priority groups"),
    "formats": ("Formats et durée", "Formats and duration"),
    "financement": ("Financement", "Funding"),
    "liste_freins": ("Freins à l'usage de l'IA", "Barriers to AI use"),
    "opinions": ("Opinions sur l'IA", "Opinions on AI"),
    "indicateurs_cles": ("Indicateurs clés", "Key indicators"),
    "classements": ("Classement des secteurs", "Sectors ranked"),
    "carte": ("Vue d'ensemble des secteurs", "All sectors at a glance"),
    "tableau_secteurs": ("Tableau des secteurs", "Sectors table"),
    "departements": ("Vue par département", "By département"),
    "fichiers": ("Fichiers reçus", "Files received"),
    "corrections": ("Corrections automatiques", "Automatic corrections"),
    "rejets": ("Lignes rejetées", "Rejected rows"),
    "constats": ("Constats par règle", "Findings by rule"),
    "comparaison_etudes": ("Indicateurs clés des études", "Key indicators of the studies"),
    "comparaison_domaines": ("Par secteur et par taille", "By sector and size"),
    "non_compares": ("Ce qui n'est pas comparé", "What is not compared"),
    "annexe": ("Annexe méthodologique", "Methodology annex"),
}
_UNNUMBERED = {"annexe"}

#: the opinion statements shown together on the agreement scale
OPINIONS = questions.OPINIONS


def matrix_items(ctx: ReportContext, variable: str) -> list[str]:
    """The indicator names of a matrix question's items (``impact_famille__production``…)."""
    return [f"{variable}__{item}" for item in ctx.dictionary[variable].items]


POINT_COLUMNS = ["code", "label", "estimate", "ci_low", "ci_high", "n", "flag"]


def point(code: str, label: str, row: Any) -> dict[str, Any]:
    """One bar of a chart or line of a table: an indicator row's estimate, interval, n, flag."""
    return {
        "code": code,
        "label": label,
        "estimate": row["estimate"],
        "ci_low": row["ci_low"],
        "ci_high": row["ci_high"],
        "n": int(row["n"]),
        "flag": row["flag"],
    }


def reference_value(row: Any) -> float | None:
    """A published estimate as a float, or None when the row is missing or hidden."""
    if row is None or row["estimate"] != row["estimate"]:
        return None
    return float(row["estimate"])


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of L'essentiel (and of the observatory's index page).

    ``value``, ``ci_low`` and ``ci_high`` are weighted shares of companies (0–1), ``None``
    when the cell is hidden (flag ``s``/``nd``); ``n`` is the unweighted base;
    ``sentence`` is plain text (escape it before putting it in HTML).
    """

    indicator: str
    level: str
    domain: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    flag: str
    sentence: str
    comparison: float | None = None


@dataclass
class ReportContext:
    """Everything a report template needs, and the counters that number its parts.

    Attributes
    ----------
    indicators
        The indicators table (contract columns); ``level`` and ``flag`` are strings ('' when
        empty); hidden cells (``s``, ``nd``) have NaN estimates and intervals.
    quality, weighting
        The contents of ``quality.json`` and ``weighting.json`` (empty dicts when absent).
    sector
        The sector code of a sector report, ``None`` for the regional overview.
    date
        The report's date: from ``SOURCE_DATE_EPOCH`` when set (reproducible builds).
    """

    study: Study
    dictionary: Dictionary
    indicators: pd.DataFrame
    quality: dict[str, Any]
    weighting: dict[str, Any]
    language: str
    sector: str | None
    date: dt.date
    processed_dir: Path
    respondents_by_domain: dict[str, int] = field(default_factory=dict)
    evolution: pd.DataFrame = field(default_factory=pd.DataFrame)
    contrasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    figure_count: int = 0
    table_count: int = 0
    section_count: int = 0
    subsection_count: int = 0

    def __post_init__(self) -> None:
        Html.language = self.language

    # -- questions asked (see iaobs.reports.questions) ----------------------------------------
    def is_asked(self, *names: str) -> bool:
        """Whether any of ``names`` (variables or ``VAR__ITEM`` columns) was asked."""
        return questions.is_asked(self, *names)

    def shows(self, key: str, *, section: bool = False) -> bool:
        """Whether the part ``key`` of a report has a question the survey asked."""
        return questions.shows(self, key, section=section)

    # -- words ------------------------------------------------------------------------------
    def t(self, key: str, **values: Any) -> str:
        """A fixed phrase in the report's language."""
        return tx.translate(key, self.language, **values)

    def pick(self, fr: str, en: str) -> str:
        """``fr`` or ``en`` according to the report's language."""
        return en if self.language == "en" else fr

    @property
    def source_line(self) -> str:
        """The "Source" line under every figure and table."""
        return self.t("source_line", title=self.study.title, wave=self.study.wave)

    @property
    def date_text(self) -> str:
        """The report's date in words (``25 novembre 2026`` / ``25 November 2026``)."""
        if self.language == "en":
            return english_date(self.date)
        return f"{self.date.day} {_MONTHS_FR[self.date.month - 1]} {self.date.year}"

    @property
    def domain(self) -> str:
        """The report's main domain: ``secteur=CODE`` or ``all``."""
        return f"secteur={self.sector}" if self.sector else "all"

    def sector_label(self, code: str | None = None) -> str:
        """The label of a sector (the report's sector by default); unescaped."""
        code = code or self.sector
        if code is None:
            return self.t("all_sectors")
        sector = self.dictionary.sectors.get(code)
        return sector.label.get(self.language) if sector else code

    def size_label(self, code: str, *, short: bool = False) -> str:
        """The label of a size class (``PME`` when short)."""
        if short:
            table = SIZES_LABEL_SHORT_EN if self.language == "en" else SIZES_LABEL_SHORT
            return table.get(code, code)
        size = self.dictionary.size_classes.get(code)
        return size.label.get(self.language) if size else code

    def label(self, column: str) -> str:
        """The label of a variable, option or matrix item; unescaped."""
        try:
            label = self.dictionary.column_label(column, self.language)
        except KeyError:
            return column
        return reader_label(column, label, self.language)

    def code_label(self, variable: str, code: str) -> str:
        """The label of one answer code of a variable."""
        if code == "top2":
            return self.pick("Top 2 (les deux réponses les plus favorables)", "Top-two box")
        try:
            return self.dictionary.code_label(variable, code, self.language)
        except KeyError:
            return code

    def population(self, domain: str | None = None) -> str:
        """Who a share is of, following "des entreprises" / "of companies"."""
        domain = domain or self.domain
        parts = dict(p.split("=", 1) for p in domain.split(";") if "=" in p)
        words = []
        if "taille" in parts:
            size = self.size_label(parts["taille"], short=True)
            words.append(self.pick(f"de type {size}", f"of {size} size"))
        if "secteur" in parts:
            label = self.sector_label(parts["secteur"])
            words.append(self.pick(f"du secteur {label}", f"in the {label} sector"))
        elif "departement" in parts:
            code = parts["departement"]
            name = self.dictionary.departements.get(code, code)
            words.append(
                self.pick(
                    f"implantées dans le département {name} ({code})",
                    f"located in the {name} département ({code})",
                )
            )
        else:
            words.append(self.pick("de la région", "in the region"))
        return " ".join(words)

    def champ(self, domain: str | None = None, *, multi: bool = False, variable: str = "") -> str:
        """The "Champ" line: the population a figure or a table covers.

        ``variable`` names the question when it was asked of part of the companies only
        (:data:`iaobs.reports.wording.BASES`): the line then says which.
        """
        domain = domain or self.domain
        parts = dict(p.split("=", 1) for p in domain.split(";") if "=" in p)
        region = self.study.region
        if "secteur" in parts:
            who = self.pick(
                f"Entreprises du secteur {self.sector_label(parts['secteur'])}",
                f"Companies of the {self.sector_label(parts['secteur'])} sector",
            )
        else:
            who = self.pick(
                "Entreprises des secteurs de l'observatoire",
                "Companies of the observatory's sectors",
            )
        base = champ_clause(variable, self.language) if variable else ""
        text = self.pick(
            f"{who} implantées en région {region}{base}, ayant répondu à la question",
            f"{who} located in the {region} region{base}, that answered the question",
        )
        if multi:
            text += f" ({self.t('multi_note')})"
        return text + "."

    def answer_phrase(self, indicator: str, level: str = "") -> str:
        """What companies did, as it follows "42 % des entreprises du secteur …" (unescaped)."""
        name, _, sub = indicator.partition("__")
        if name == "ia_usage":
            return self.pick(
                "utilisent au moins une technologie d'IA", "use at least one AI technology"
            )
        var = self.dictionary.variables.get(name)
        label = self.label(indicator) if sub else (var.label.get(self.language) if var else name)
        if var is not None and var.type == "multi":
            return self.pick(f"citent « {label} »", f"cite “{label}”")
        if level == "top2" and var is not None and var.scale == "besoin":
            return self.pick(
                f"déclarent un besoin fort ou très fort en « {label} »",
                f"report a high or very high need for “{label}”",
            )
        if level == "top2":
            return self.pick(
                f"sont d'accord (tout à fait ou plutôt) avec l'affirmation {label}",
                f"agree (strongly or somewhat) with the statement {label}",
            )
        answer = self.code_label(indicator, level) if level else label
        if sub:
            return self.pick(
                f"répondent « {answer} » pour « {label} »", f"answer “{answer}” for “{label}”"
            )
        return self.pick(f"ont répondu « {answer} »", f"answered “{answer}”")

    def lecture(
        self, estimate: Any, indicator: str, level: str = "", domain: str | None = None
    ) -> str:
        """The "Lecture" line: how to read one value, in words (unescaped)."""
        value = tx.format_percent(estimate, language=self.language)
        phrase = self.answer_phrase(indicator, level)
        population = self.population(domain) + base_clause(indicator, self.language)
        if self.language == "en":
            return f"In {self.study.wave}, {value} of companies {population} {phrase}."
        return f"En {self.study.wave}, {value} des entreprises {population} {phrase}."

    # -- numbering --------------------------------------------------------------------------
    def next_figure(self) -> int:
        """The number of the next figure (1, 2, …)."""
        self.figure_count += 1
        return self.figure_count

    def next_table(self) -> int:
        """The number of the next table (1, 2, …)."""
        self.table_count += 1
        return self.table_count

    def heading(self, level: int, key: str) -> Html:
        """A numbered section heading (``<h2>``) or subsection heading (``<h3>``).

        ``key`` is a key of :data:`SECTIONS`; its title follows the report's language.
        """
        if not self.shows(key, section=level == 2):
            return Html("")  # no question of this part was asked: no heading, no number
        fr, en = SECTIONS[key]
        title = en if self.language == "en" else fr
        if level == 2:
            if key in _UNNUMBERED:
                return Html(f'<h2 id="{esc(key)}">{esc(title)}</h2>')
            self.section_count += 1
            self.subsection_count = 0
            number = f"{self.section_count}."
        elif level == 3:
            self.subsection_count += 1
            number = f"{self.section_count}.{self.subsection_count}"
        else:
            raise ValueError("heading level must be 2 or 3")
        return Html(f'<h{level} id="{esc(key)}">{number} {esc(title)}</h{level}>')

    # -- contrasts with the rest of the region ---------------------------------------------
    def contrast_row(
        self, indicator: str, level: str = "", domain: str | None = None
    ) -> dict[str, Any] | None:
        """The test of a domain against the rest of the region (a row of
        ``contrasts.parquet``), or ``None`` when the study has none for it."""
        if self.contrasts.empty:
            return None
        cached = self.__dict__.get("_contrast_cache")
        if cached is None:
            frame = self.contrasts.assign(
                level=self.contrasts["level"].fillna("").astype(str),
                domain=self.contrasts["domain"].astype(str),
            )
            cached = {
                (r["indicator"], r["level"], r["domain"]): r for r in frame.to_dict("records")
            }
            self.__dict__["_contrast_cache"] = cached
        return cached.get((indicator, level, domain or self.domain))

    # -- indicators -------------------------------------------------------------------------
    def row(
        self, indicator: str, level: str = "", domain: str | None = None
    ) -> dict[str, Any] | None:
        """One row of the indicators table as a mapping, or ``None`` when it does not exist."""
        return self._by_key.get((indicator, level, domain or self.domain))

    @property
    def _by_key(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        cached = self.__dict__.get("_key_cache")
        if cached is None:
            cached = {
                (r["indicator"], r["level"], r["domain"]): r
                for r in self.indicators.to_dict("records")
            }
            self.__dict__["_key_cache"] = cached
        return cached

    def items(
        self, variable: str, *, domain: str | None = None, level: str | None = None
    ) -> pd.DataFrame:
        """The shares of a question's answers in one domain, one row per answer.

        For a ``multi`` question: one row per option (share of those who answered the
        question who chose it). For ``cat``/``ord``: one row per substantive code (base:
        substantive answers). For a ``matrix``: one row per item, at ``level`` (``top2`` by
        default). Columns: ``code``, ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``n``,
        ``flag``; rows absent from the indicators table are left out.
        """
        var = self.dictionary[variable]
        domain = domain or self.domain
        keys: list[tuple[str, str, str, str]] = []  # code, label, indicator, level
        if var.type == "multi":
            keys = [
                (o, lab.get(self.language), f"{variable}__{o}", "")
                for o, lab in var.options.items()
            ]
        elif var.type == "matrix":
            lev = level or "top2"
            keys = [
                (i, lab.get(self.language), f"{variable}__{i}", lev) for i, lab in var.items.items()
            ]
        elif var.codes:
            keys = [(c, lab.get(self.language), variable, c) for c, lab in var.codes.items()]
        else:
            keys = [(variable, var.label.get(self.language), variable, level or "")]
        rows = []
        for code, label, indicator, lev in keys:
            row = self.row(indicator, lev, domain)
            if row is None:
                continue
            rows.append(point(code, label, row))
        return pd.DataFrame(rows, columns=POINT_COLUMNS)

    def missing_shares(self, indicator: str, domain: str | None = None) -> pd.DataFrame:
        """Shares of the missing codes (NSP, non concerné…) of a question, among all answers."""
        var = self.dictionary[indicator.split("__", 1)[0]]
        domain = domain or self.domain
        rows = []
        for code, label in var.missing.items():
            row = self.row(indicator, code, domain)
            if row is not None:
                rows.append(
                    {
                        "code": code,
                        "label": label.get(self.language),
                        "estimate": row["estimate"],
                        "n": int(row["n"]),
                        "flag": row["flag"],
                    }
                )
        return pd.DataFrame(rows, columns=["code", "label", "estimate", "n", "flag"])

    def respondents(self, domain: str | None = None) -> int:
        """Companies that answered in a domain (unweighted)."""
        domain = domain or self.domain
        if domain in self.respondents_by_domain:
            return self.respondents_by_domain[domain]
        sub = self.indicators.loc[self.indicators["domain"] == domain, "n"]
        return int(sub.max()) if len(sub) else 0

    def sectors(self) -> list[str]:
        """The study's sector codes that have rows in the indicators table, in study order."""
        domains = set(self.indicators["domain"].unique())
        return [s for s in self.dictionary.sectors if f"secteur={s}" in domains]

    def sizes(self) -> list[str]:
        """Size-class codes in order."""
        return list(self.dictionary.size_classes)

    @property
    def thresholds(self) -> Any:
        return self.study.thresholds


# --------------------------------------------------------------------------------------------
# Loading


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            "fichier JSON illisible",
            file=path,
            hint="relancez « iaobs run » pour le réécrire",
        ) from exc
    return data if isinstance(data, dict) else {"items": data}


def _report_date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def read_indicators(path: Path) -> pd.DataFrame:
    """Read ``indicators.parquet`` and hide every estimate of an ``s``/``nd`` cell."""
    if not path.exists():
        raise InputError(
            "tableau des indicateurs introuvable",
            file=path,
            hint="lancez d'abord « iaobs run » (ou « iaobs clean » puis l'estimation)",
        )
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(
            f"tableau des indicateurs illisible ({type(exc).__name__})",
            file=path,
            hint="supprimez-le et relancez « iaobs run »",
        ) from exc
    missing = [c for c in INDICATOR_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"colonnes manquantes dans le tableau des indicateurs : {', '.join(missing)}",
            file=path,
            hint="relancez « iaobs run » avec la même version d'iaobs",
        )
    frame = frame.loc[:, list(INDICATOR_COLUMNS)].copy()
    for column in ("indicator", "level", "domain", "statistic", "flag"):
        frame[column] = frame[column].astype("object").where(frame[column].notna(), "")
        frame[column] = frame[column].astype(str)
    for column in ("estimate", "se", "ci_low", "ci_high", "n_eff", "weighted_base"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["n"] = pd.to_numeric(frame["n"], errors="coerce").fillna(0).astype("int64")
    hidden = frame["flag"].isin(HIDDEN_FLAGS)
    frame.loc[hidden, ["estimate", "se", "ci_low", "ci_high"]] = math.nan
    return frame


def _respondents(processed: Path, dictionary: Dictionary) -> dict[str, int]:
    path = Processed(processed).responses
    if not path.exists():
        return {}
    try:
        responses = pd.read_parquet(path, columns=["secteur", "taille"])
    except Exception:  # a file without those columns: fall back on the indicators' bases
        return {}
    out = {"all": len(responses)}
    for column in ("secteur", "taille"):
        for code, count in responses[column].astype(str).value_counts().items():
            out[f"{column}={code}"] = int(count)
    for (sector, size), count in responses.astype(str).value_counts().items():
        out[f"secteur={sector};taille={size}"] = int(count)
    return out


def load_context(
    study_dir: str | Path,
    *,
    sector: str | None = None,
    language: str = "",
    require_indicators: bool = True,
) -> ReportContext:
    """Load what a report needs from a study folder.

    Parameters
    ----------
    study_dir
        The study folder (holding ``study.toml`` and ``data/processed/``).
    sector
        A sector code of the study for a sector report; ``None`` (or ``""``) for the regional
        overview and the data-quality report.
    language
        ``"fr"`` or ``"en"``; empty: the study's language.
    require_indicators
        When false (data-quality report), a missing indicators table gives an empty one.

    Raises
    ------
    ConfigError
        Unknown sector or language.
    InputError
        Missing or unreadable ``indicators.parquet``.
    """
    study = load_study(study_dir)
    language = (language or study.language).strip()
    if language not in ("fr", "en"):
        raise ConfigError(f"langue inconnue {language!r} : attendu fr ou en")
    dictionary = study.dictionary
    if sector is not None and sector != "" and sector not in dictionary.sectors:
        raise ConfigError(
            f"secteur inconnu « {sector} »",
            hint="secteurs de l'étude : " + ", ".join(dictionary.sectors),
        )
    processed = study.processed_dir
    path = Processed(processed).indicators
    if require_indicators or path.exists():
        indicators = read_indicators(path)
    else:
        indicators = pd.DataFrame({c: pd.Series(dtype="object") for c in INDICATOR_COLUMNS})
    return ReportContext(
        study=study,
        dictionary=dictionary,
        indicators=indicators,
        quality=_read_json(Processed(processed).quality),
        weighting=_read_json(Processed(processed).weighting),
        language=language,
        sector=sector or None,
        date=_report_date(),
        processed_dir=processed,
        respondents_by_domain=_respondents(processed, dictionary),
        evolution=_read_evolution(study, processed),
        contrasts=_read_contrasts(processed),
    )


def _read_contrasts(processed: Path) -> pd.DataFrame:
    """``contrasts.parquet`` when the estimate stage wrote it, else an empty frame."""
    path = Processed(processed).contrasts
    return load_contrasts(path) if path.exists() else pd.DataFrame()


def _read_evolution(study: Study, processed: Path) -> pd.DataFrame:
    """``evolution.parquet`` of a study with two waves or more (empty frame otherwise)."""
    path = Processed(processed).evolution
    if len(study.all_waves) < 2 or not path.exists():
        return pd.DataFrame()
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(
            f"tableau des évolutions illisible ({type(exc).__name__})",
            file=path,
            hint="supprimez-le et relancez « iaobs run »",
        ) from exc
    for column in ("indicator", "level", "domain", "flag", "wave"):
        frame[column] = frame[column].astype("object").where(frame[column].notna(), "")
        frame[column] = frame[column].astype(str)
    hidden = frame["flag"].isin(HIDDEN_FLAGS)
    frame.loc[hidden, ["estimate", "se", "ci_low", "ci_high"]] = math.nan
    return frame


def has_evolution(ctx: ReportContext) -> bool:
    """Whether the report shows the change since the previous wave (two waves or more)."""
    return not evolution_rows(ctx).empty


def evolution_rows(ctx: ReportContext, domain: str | None = None) -> pd.DataFrame:
    """The key indicators of a domain at every wave, with the change since the previous wave.

    Columns ``label``, ``indicator``, ``level``, ``wave``, ``estimate``, ``ci_low``,
    ``ci_high``, ``n``, ``flag``, ``difference`` (this wave minus the previous one, 0–1 for
    shares), ``ci_low_difference``, ``ci_high_difference``, ``p_value``, ``significant``
    (``pd.NA`` when a cell is hidden). Rows in key-indicator order, then wave order.
    """
    from iaobs.reports.tables import KEY_INDICATORS

    columns = [
        "label", "indicator", "level", "wave", "estimate", "ci_low", "ci_high", "n", "flag",
        "difference", "ci_low_difference", "ci_high_difference", "p_value", "significant",
    ]  # fmt: skip
    frame = ctx.evolution
    if frame.empty:
        return pd.DataFrame(columns=columns)
    domain = domain or ctx.domain
    frame = frame[frame["domain"] == domain]
    order = {w: i for i, w in enumerate(ctx.study.all_waves)}
    parts = []
    for indicator, level, fr, en in KEY_INDICATORS:
        rows = frame[(frame["indicator"] == indicator) & (frame["level"] == level)]
        if rows.empty:
            continue
        rows = rows.assign(label=ctx.pick(fr, en), _o=rows["wave"].map(order)).sort_values("_o")
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).loc[:, columns]


def change_text(ctx: ReportContext, row: Any) -> str:
    """A change in points with its interval: ``+5 points [+1 ; +9]`` (``+5 points [+1; +9]``)."""

    def points(value: float) -> str:
        text = tx.format_decimal(value * 100, decimals=0, language=ctx.language)
        return text if text.startswith("-") or text == "0" else f"+{text}"

    if row["difference"] != row["difference"]:
        return tx.MISSING
    sep = ctx.pick(" ; ", "; ")
    return (
        f"{points(row['difference'])} {ctx.pick('points', 'points')} "
        f"[{points(row['ci_low_difference'])}{sep}{points(row['ci_high_difference'])}]"
    )


def significance_text(ctx: ReportContext, value: Any) -> str:
    """``oui`` / ``non`` (``yes`` / ``no``), or ``–`` when there is no test."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return tx.MISSING
    return ctx.pick("oui", "yes") if bool(value) else ctx.pick("non", "no")


def evolution_summary(ctx: ReportContext) -> Html:
    """Sentences on the key indicators that changed significantly, and how to read the test."""
    rows = evolution_rows(ctx)
    if rows.empty:
        return Html("")
    waves = list(dict.fromkeys(rows["wave"]))
    tested = rows[rows["significant"].notna()]
    changed = tested[tested["significant"].astype(bool)]
    items = []
    previous = {(r["label"], r["wave"]): r["estimate"] for r in rows.to_dict("records")}
    order = list(ctx.study.all_waves)
    for _, row in changed.iterrows():
        value = tx.format_percent(row["estimate"], language=ctx.language)
        wave = row["wave"]
        before_wave = order[order.index(wave) - 1] if wave in order[1:] else ""
        before_value = previous.get((row["label"], before_wave))
        before = tx.format_percent(before_value, language=ctx.language)
        items.append(
            ctx.pick(
                f"{row['label']} : {value} en {wave}, contre {before} en {before_wave}, soit "
                f"{change_text(ctx, row)} (évolution significative).",
                f"{row['label']}: {value} in {wave}, compared with {before} in {before_wave}, "
                f"that is {change_text(ctx, row)} (a significant change).",
            )
        )
    opening = ctx.pick(
        f"Vagues d'enquête comparées : {', '.join(waves)}. Sur {len(tested)} évolutions "
        f"d'indicateurs clés testées, {len(changed)} sont significatives au seuil de 5 %.",
        f"Survey waves compared: {', '.join(waves)}. Of {len(tested)} changes of key "
        f"indicators tested, {len(changed)} are significant at the 5% level.",
    )
    caveat = ctx.pick(
        "L'écart entre deux vagues est testé comme entre deux échantillons indépendants "
        "(écart-type de la différence : racine de la somme des variances). Quand les mêmes "
        "entreprises répondent aux deux vagues, le test est approximatif et, le plus souvent, "
        "prudent (il conclut moins souvent à une évolution). Une case non diffusée à l'une "
        "des vagues n'est pas comparée.",
        "The change between two waves is tested as between two independent samples (standard "
        "error of the difference: square root of the sum of the variances). When the same "
        "companies answer both waves the test is approximate and usually conservative. A cell "
        "not published at either wave is not compared.",
    )
    body = _p(opening)
    if items:
        body += "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"
    return Html(body + f'<p class="iaobs-notes">{esc(caveat)}</p>')


# --------------------------------------------------------------------------------------------
# Key figures


@dataclass(frozen=True)
class _KeySpec:
    variable: str
    level: str
    predicate: tuple[str, str]
    best_of: bool = False  # pick the option / item with the highest share


_KEY_SPECS = (
    _KeySpec(
        "ia_usage",
        "",
        ("utilisent au moins une technologie d'IA", "use at least one AI technology"),
    ),
    _KeySpec(
        "opinion_opportunite",
        "top2",
        (
            "considèrent l'IA comme une opportunité (tout à fait ou plutôt d'accord)",
            "see AI as an opportunity (strongly or somewhat agree)",
        ),
    ),
    _KeySpec(
        "besoin_comp",
        "top2",
        (
            "déclarent un besoin fort ou très fort en « {label} », la compétence la plus citée",
            "report a high or very high need for “{label}”, the skill most often cited",
        ),
        best_of=True,
    ),
    _KeySpec(
        "nouveaux_metiers",
        "oui",
        ("ont créé des postes ou des métiers liés à l'IA", "have created AI-related jobs"),
    ),
    _KeySpec(
        "part_formes_ia",
        "aucun",
        (
            "n'ont formé aucun salarié à l'IA au cours des douze derniers mois",
            "trained none of their staff in AI in the last twelve months",
        ),
    ),
    _KeySpec(
        "freins",
        "",
        (
            "citent « {label} » comme frein à l'usage de l'IA, le frein le plus cité",
            "cite “{label}” as a barrier to using AI, the barrier most often cited",
        ),
        best_of=True,
    ),
)


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def key_figures(ctx: ReportContext) -> list[KeyFigure]:
    """Four to six key figures of the report's domain, each a full sentence.

    For a sector report each figure is compared with all sectors; for the regional overview it
    is the regional figure. A hidden cell gives a sentence saying it is not published and why.
    Figures whose indicator is absent from the indicators table are left out.
    """
    out: list[KeyFigure] = []
    for spec in _KEY_SPECS:
        if spec.variable not in ctx.dictionary or not ctx.is_asked(spec.variable):
            continue  # a question the survey did not ask says nothing, not « n = 0 »
        var = ctx.dictionary[spec.variable]
        indicator, label = spec.variable, ""
        if spec.best_of:
            items = ctx.items(spec.variable, level=spec.level or None)
            shown = items[items["estimate"].notna()]
            if shown.empty:
                continue
            best = shown.sort_values(["estimate", "code"], ascending=[False, True]).iloc[0]
            indicator, label = f"{spec.variable}__{best['code']}", str(best["label"])
        elif var.type == "matrix":
            continue
        row = ctx.row(indicator, spec.level)
        if row is None:
            continue
        predicate = tuple(p.replace("{label}", label) for p in spec.predicate)
        comparison = None
        if ctx.sector:  # kept for the index page; the sentence quotes no untested gap
            all_row = ctx.row(indicator, spec.level, "all")
            comparison = _num(all_row["estimate"]) if all_row is not None else None
        sentence = tx.key_figure_sentence(
            predicate,  # type: ignore[arg-type]
            estimate=row["estimate"],
            ci_low=row["ci_low"],
            ci_high=row["ci_high"],
            n=row["n"],
            flag=row["flag"],
            population=ctx.population(),
            language=ctx.language,
            thresholds=ctx.thresholds,
        )
        tested = ctx.contrast_row(indicator, spec.level) if ctx.sector else None
        phrase = contrast_phrase(tested, language=ctx.language) if tested is not None else ""
        if phrase and sentence.endswith("."):
            sentence = f"{sentence[:-1]}, {phrase}."
        out.append(
            KeyFigure(
                indicator=indicator,
                level=spec.level,
                domain=ctx.domain,
                value=_num(row["estimate"]),
                ci_low=_num(row["ci_low"]),
                ci_high=_num(row["ci_high"]),
                n=int(row["n"]),
                flag=str(row["flag"]),
                sentence=sentence,
                comparison=comparison,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# HTML blocks


def _report_title(ctx: ReportContext, kind: str) -> str:
    if kind == "qualite":
        return ctx.pick("Qualité des données de l'enquête", "Survey data quality")
    if kind == "synthese" or not ctx.sector:
        return ctx.pick(
            "L'intelligence artificielle et les compétences : synthèse régionale",
            "Artificial intelligence and skills: regional overview",
        )
    return ctx.pick(
        f"L'intelligence artificielle et les compétences : {ctx.sector_label()}",
        f"Artificial intelligence and skills: {ctx.sector_label()}",
    )


def cover(ctx: ReportContext, kind: str = "secteur") -> Html:
    """The cover: observatory, report title (the only ``h1``), region, sector, wave, date, n.

    ``kind`` is ``secteur``, ``synthese`` or ``qualite``.
    """
    kind_label = {
        "secteur": ctx.t("report_sector"),
        "synthese": ctx.t("report_synthesis"),
        "qualite": ctx.t("report_quality"),
        "chiffres_cles": ctx.pick("Chiffres clés", "Key figures"),
    }.get(kind, "")
    rows = [(ctx.t("region"), ctx.study.region)]
    if ctx.sector:
        rows.append((ctx.t("sector"), ctx.sector_label()))
    rows.append((ctx.t("wave"), ctx.study.wave))
    rows.append((ctx.t("date"), ctx.date_text))
    if kind == "qualite":
        files = quality_files(ctx)
        rows.append(
            (
                ctx.pick("Fichiers reçus", "Files received"),
                tx.format_number(len(files), language=ctx.language),
            )
        )
    else:
        rows.append(
            (ctx.t("respondents"), tx.format_number(ctx.respondents(), language=ctx.language))
        )
    return cover_html(ctx, kind_label, _report_title(ctx, kind), rows)


def cover_html(
    ctx: ReportContext, kind_label: str, title: str, facts: Sequence[tuple[str, str]]
) -> Html:
    """The cover block every full report shares: observatory, kind of report, title (the
    page's only ``h1``) and a list of facts (term, value), all escaped."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return Html(
        '<section class="iaobs-cover">'
        f'<p class="iaobs-cover-observatory">{esc(ctx.study.title)}</p>'
        f'<p class="iaobs-cover-kind">{esc(kind_label)}</p>'
        f"<h1>{esc(title)}</h1>"
        f'<dl class="iaobs-cover-facts">{items}</dl>'
        "</section>"
    )


def essentiel(ctx: ReportContext) -> Html:
    """L'essentiel: the key figures as sentences, with the prudence note when needed."""
    figures = key_figures(ctx)
    items = "".join(f"<li>{esc(f.sentence)}</li>" for f in figures)
    note = ""
    if any(f.flag == "prudence" for f in figures):
        note = f'<p class="iaobs-notes">{esc(ctx.t("prudence_note"))}</p>'
    return Html(
        '<div class="iaobs-essentiel">'
        f'<h2 id="essentiel">{esc(ctx.t("essentiel"))}</h2>'
        f"<ul>{items}</ul>{note}</div>"
    )


def definitions(ctx: ReportContext) -> Html:
    """The encadré "Définitions": generative AI, adoption stage, size classes."""
    sizes = "; ".join(
        f"{SIZES_LABEL_SHORT.get(code, code)}{ctx.pick(' : ', ': ')}{ctx.size_label(code)}"
        for code in ctx.sizes()
    )
    entries = [
        (
            ctx.pick("IA générative", "Generative AI"),
            ctx.pick(
                "Outils d'intelligence artificielle qui produisent du texte, du code, des "
                "images ou des sons à partir d'une demande (par exemple les assistants "
                "conversationnels).",
                "AI tools that produce text, code, images or sounds from a prompt (for "
                "instance chat assistants).",
            ),
        ),
        (
            ctx.pick("Stade d'adoption", "Adoption stage"),
            ctx.pick(
                "Position déclarée de l'entreprise, de l'absence d'usage ou de projet à la "
                "veille, à l'expérimentation (test, preuve de concept), au déploiement partiel "
                "puis généralisé.",
                "The company's stated position: no use or project, watching, experimenting "
                "(pilot), partly deployed, widely deployed.",
            ),
        ),
        (
            ctx.pick("Utilisation de l'IA", "Use of AI"),
            ctx.pick(
                "Une entreprise utilise l'IA si elle déclare au moins une des technologies de "
                "la liste d'Eurostat (analyse de texte, reconnaissance vocale, génération de "
                "langage ou d'images, reconnaissance d'images, apprentissage automatique, "
                "automatisation de processus, robots autonomes).",
                "A company uses AI when it reports at least one technology of Eurostat's list.",
            ),
        ),
        (
            ctx.pick("TPE, PME, ETI, GE", "Size classes"),
            ctx.pick(
                f"Catégories d'entreprises approchées par l'effectif salarié. {sizes}.",
                f"Company size classes approximated by headcount. {sizes}.",
            ),
        ),
    ]
    body = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in entries)
    return Html(
        '<aside class="iaobs-encadre">'
        f'<p class="iaobs-encadre-title">{esc(ctx.t("definitions"))}</p>'
        f"<dl>{body}</dl></aside>"
    )


# --------------------------------------------------------------------------------------------
# Quality and weighting notes (shapes are read leniently: older files may lack keys)


def _p(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def methodology(ctx: ReportContext, kind: str | None = None) -> Html:
    """The methodology annex (without its tables, which :mod:`iaobs.reports.tables` numbers).

    Covers the sample, weighting (collapsed strata, raking, trimming, design effect),
    intervals, secrecy rules with the study's thresholds, data quality, provenance and the
    rounding note.
    """
    fmt = ctx.language
    th = ctx.thresholds
    parts: list[str] = ['<section class="iaobs-annexe">', str(ctx.heading(2, "annexe"))]
    n_all = ctx.respondents("all")
    parts.append(f"<h3>{esc(ctx.pick('Échantillon', 'Sample'))}</h3>")
    parts.append(
        _p(
            ctx.pick(
                f"L'enquête a été menée en {ctx.study.wave} auprès des entreprises des secteurs de "
                f"l'observatoire implantées en région {ctx.study.region}. "
                f"{tx.format_number(n_all, language=fmt)} entreprises ont répondu"
                + (
                    f", dont {tx.format_number(ctx.respondents(), language=fmt)} dans le secteur "
                    f"{ctx.sector_label()}."
                    if ctx.sector
                    else "."
                ),
                f"The survey was run in {ctx.study.wave} among companies of the observatory's "
                f"sectors located in the {ctx.study.region} region. "
                f"{tx.format_number(n_all, language=fmt)} companies answered"
                + (
                    f", {tx.format_number(ctx.respondents(), language=fmt)} of them in the "
                    f"{ctx.sector_label()} sector."
                    if ctx.sector
                    else "."
                ),
            )
        )
    )
    from iaobs.reports import tables  # tables import this module

    parts.append(str(tables.show(ctx, "echantillon", kind=kind)))
    # weighting
    parts.append(f"<h3>{esc(ctx.pick('Pondération', 'Weighting'))}</h3>")
    strata = " × ".join(design_variable(ctx, v) for v in ctx.study.weighting.strata)
    parts.append(
        _p(
            ctx.pick(
                f"Chaque réponse reçoit un poids égal au nombre d'entreprises de sa strate "
                f"({strata}) divisé par le nombre de répondants de la strate, d'après les "
                "effectifs d'entreprises de la population de référence.",
                f"Each answer is weighted by the number of companies of its stratum ({strata}) "
                "divided by the number of respondents of the stratum, from the reference "
                "population counts.",
            )
        )
    )
    facts = weighting_facts(ctx)
    if facts["collapsed"]:
        parts.append(
            _p(
                ctx.pick(
                    "Strates sans répondant regroupées avec la classe de taille la plus proche "
                    "de leur secteur : ",
                    "Strata without respondents merged with the nearest size class of their "
                    "sector: ",
                )
                + ctx.pick(" ; ", "; ").join(facts["collapsed"])
                + "."
            )
        )
    if facts["margins"]:
        margins_text = ", ".join(facts["margins"])
        n_iter = int(facts["iterations"] or 0)
        noun = plural(n_iter, ctx.pick("itération", "iteration"), language=ctx.language)
        parts.append(
            _p(
                ctx.pick(
                    f"Les poids sont ensuite calés (raking) sur les marges : {margins_text}",
                    f"Weights are then raked to the margins: {margins_text}",
                )
                + (ctx.pick(f", en {noun}.", f", in {noun}.") if n_iter else ".")
            )
        )
    if facts["trim_ratio"] is not None:
        ratio = tx.format_decimal(facts["trim_ratio"], language=fmt)
        trimmed = tx.format_number(facts["trimmed"] or 0, language=fmt)
        parts.append(
            _p(
                ctx.pick(
                    f"Le calage est borné : chaque poids reste entre 1/{ratio} et {ratio} fois "
                    f"son poids de sondage ({trimmed} poids atteignent une borne).",
                    f"The calibration is bounded: each weight stays between 1/{ratio} and "
                    f"{ratio} times its design weight ({trimmed} weights reach a bound).",
                )
            )
        )
    deff, neff = facts["deff"], facts["n_eff"]
    if deff or neff:
        where = (
            ctx.pick("du secteur", "of the sector")
            if ctx.sector
            else ctx.pick("de l'ensemble", "overall")
        )
        parts.append(
            _p(
                ctx.pick(
                    f"Effet de plan {where} : "
                    + (tx.format_decimal(deff, decimals=2, language=fmt) if deff else "–")
                    + " ; taille d'échantillon effective (Kish) : "
                    + (tx.format_number(neff, language=fmt) if neff else "–")
                    + ".",
                    f"Design effect {where}: "
                    + (tx.format_decimal(deff, decimals=2, language=fmt) if deff else "–")
                    + "; effective sample size (Kish): "
                    + (tx.format_number(neff, language=fmt) if neff else "–")
                    + ".",
                )
            )
        )
    for note in facts["notes"]:
        parts.append(_p(note))
    # intervals
    method = {
        "beta": ("de Korn et Graubard (loi bêta)", "Korn–Graubard (beta)"),
        "logit": ("sur l'échelle logit", "on the logit scale"),
        "wilson": ("de Wilson", "Wilson"),
    }.get(ctx.study.weighting.ci_method, (ctx.study.weighting.ci_method,) * 2)
    conf = tx.format_percent(ctx.study.weighting.confidence, language=fmt)
    parts.append(f"<h3>{esc(ctx.pick('Intervalles de confiance', 'Confidence intervals'))}</h3>")
    parts.append(
        _p(
            ctx.pick(
                f"Chaque part est accompagnée de son intervalle de confiance à {conf} (IC), "
                f"calculé par la méthode {method[0]} à partir de la variance linéarisée, qui "
                "tient compte de la stratification et de la pondération. L'intervalle donne la "
                "plage dans laquelle se situe la vraie valeur avec une confiance de "
                f"{conf} ; deux intervalles qui se recouvrent ne permettent pas de conclure à "
                "une différence. Les réponses « ne sait pas » sont exclues de la base des "
                "pourcentages et présentées à part.",
                f"Each share comes with its {conf} confidence interval (CI), computed with the "
                f"{method[1]} method from the linearised variance, which accounts for "
                "stratification and weighting. Overlapping intervals do not allow concluding "
                "that two values differ. “Don't know” answers are left out of the base and "
                "shown apart.",
            )
        )
    )
    # secrecy
    parts.append(
        f"<h3>{esc(ctx.pick('Secret statistique et diffusion', 'Confidentiality and publication rules'))}</h3>"
    )
    pct_dom = tx.format_percent(th.secret_dominance, language=fmt)
    pct_cv = tx.format_percent(th.prudence_cv, language=fmt)
    width = tx.format_number(th.prudence_ci_width * 100, language=fmt)
    parts.append(
        "<ul>"
        + "".join(
            f"<li>{esc(item)}</li>"
            for item in (
                ctx.pick(
                    f"s (secret statistique) : la case repose sur moins de {th.secret_min_firms} "
                    f"entreprises, ou une entreprise y pèse plus de {pct_dom} du total ; "
                    "elle n'est pas diffusée.",
                    f"s (statistical confidentiality): the cell rests on fewer than "
                    f"{th.secret_min_firms} companies, or one company weighs more than {pct_dom} "
                    "of the total; it is not published.",
                ),
                ctx.pick(
                    f"nd (non diffusé) : moins de {th.nd_below} répondants dans la base.",
                    f"nd (not published): fewer than {th.nd_below} respondents in the base.",
                ),
                ctx.pick(
                    f"(*) à interpréter avec prudence : moins de {th.prudence_below} répondants, "
                    f"ou un coefficient de variation supérieur à {pct_cv}, ou un intervalle de "
                    f"confiance plus large que {width} points.",
                    f"(*) to be interpreted with caution: fewer than {th.prudence_below} "
                    f"respondents, or a coefficient of variation above {pct_cv}, or a confidence "
                    f"interval wider than {width} points.",
                ),
            )
        )
        + "</ul>"
    )
    parts.append(
        _p(
            ctx.pick(
                "Les pourcentages étant arrondis, leur total peut ne pas être égal à 100.",
                "Percentages are rounded, so totals may not add up to 100.",
            )
        )
    )
    not_asked = questions.not_asked_sentence(ctx)
    if not_asked:
        parts.append(_p(not_asked))
    # data quality and provenance
    files = quality_files(ctx)
    parts.append(
        f"<h3>{esc(ctx.pick('Qualité des données et provenance', 'Data quality and provenance'))}</h3>"
    )
    if len(files):
        parts.append(
            _p(
                ctx.pick(
                    f"{counted_text(ctx, files)} (rejets : doublons, réponses incomplètes ou "
                    "incohérentes ; hors champ : entreprises d'un secteur que l'étude ne couvre "
                    "pas) ; le détail par fichier figure dans le rapport sur "
                    "la qualité des données.",
                    f"{counted_text(ctx, files)} (rejected: duplicates, incomplete or inconsistent "
                    "answers; out of scope: firms of a sector the study does not cover); "
                    "details per file in the data quality report.",
                )
            )
        )
        if any("fichiers" in keys for _, keys in tables.layout(ctx, tables._kind(ctx, kind))):
            parts.append(str(tables.show(ctx, "fichiers", kind=kind)))
    parts.append(
        _p(
            ctx.pick(
                f"Traitements réalisés avec iaobs {__version__}. L'empreinte de chaque fichier "
                "exploité est consignée dans les fichiers techniques de l'étude (quality.json).",
                f"Processed with iaobs {__version__}. Each data file's fingerprint is recorded "
                "in the study's technical files (quality.json).",
            )
        )
    )
    parts.append("</section>")
    return Html("".join(parts))


def slug(text: str) -> str:
    """A lowercase ASCII identifier for HTML ids."""
    from iaobs.study.dictionary import normalise_text

    return re.sub(r"[^a-z0-9]+", "-", normalise_text(text)).strip("-") or "x"
