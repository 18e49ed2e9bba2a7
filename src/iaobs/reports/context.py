"""What a report needs, loaded once: the study, its indicators, quality and weighting notes.

The report templates of ``notebooks/`` start with :func:`load_context` and hand the
:class:`ReportContext` to the blocks of a report (:mod:`iaobs.reports.blocks`: cover,
L'essentiel, definitions, methodology annex), its tables (:mod:`iaobs.reports.tables`), its
figures (:mod:`iaobs.reports.figures`) and the evolution between waves
(:mod:`iaobs.reports.evolution`). Every block is an :class:`~iaobs.reports.markup.Html` string.

Hidden cells (flag ``s`` or ``nd``) never carry an estimate in ``ReportContext.indicators``:
their ``estimate``, ``se``, ``ci_low`` and ``ci_high`` are NaN whatever the file says.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.cellmark import cell_key, mark
from iaobs.core.contract import HIDDEN_FLAGS, INDICATOR_COLUMNS
from iaobs.core.text import english_date, french_date
from iaobs.errors import ConfigError, InputError
from iaobs.reports import questions
from iaobs.reports.catalogue import SECTIONS, UNNUMBERED
from iaobs.reports.markup import Html, esc
from iaobs.reports.weighting import design_variable, translate_note
from iaobs.reports.wording import base_clause, champ_clause, reader_label
from iaobs.stats.contrast import load_contrasts
from iaobs.study.config import Study, load_study
from iaobs.study.dictionary import Dictionary, normalise_text
from iaobs.study.store import Processed

# Html, esc, SECTIONS, the dates, design_variable and translate_note are re-exported: the
# templates and the report kinds take them with the context.
__all__ = [
    "HIDDEN_FLAGS",
    "INDICATOR_COLUMNS",
    "OPINIONS",
    "POINT_COLUMNS",
    "SECTIONS",
    "Html",
    "KeyFigure",
    "ReportContext",
    "design_variable",
    "english_date",
    "esc",
    "french_date",
    "load_context",
    "matrix_items",
    "point",
    "read_indicators",
    "reference_value",
    "slug",
    "translate_note",
]

SIZES_LABEL_SHORT = {"tpe": "TPE", "pme": "PME", "eti": "ETI", "ge": "GE"}
SIZES_LABEL_SHORT_EN = {"tpe": "micro", "pme": "SME", "eti": "mid-cap", "ge": "large"}

#: the opinion statements shown together on the agreement scale
OPINIONS = questions.OPINIONS


def matrix_items(ctx: ReportContext, variable: str) -> list[str]:
    """The indicator names of a matrix question's items (``impact_famille__production``…)."""
    return [f"{variable}__{item}" for item in ctx.dictionary[variable].items]


POINT_COLUMNS = ["code", "label", "estimate", "ci_low", "ci_high", "n", "flag", "cell"]


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
        "cell": cell_key(row),  # its key, to mark the number where a sentence prints it
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
        return french_date(self.date)

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
        if not level:
            return self.pick(f"ont répondu « {answer} »", f"answered “{answer}”")
        # the answer alone (« Oui », « Non ») does not say to what: name the question
        return self.pick(
            f"ont répondu « {answer} » à la question « {label} »",
            f"answered “{answer}” to the question “{label}”",
        )

    def lecture(
        self, estimate: Any, indicator: str, level: str = "", domain: str | None = None
    ) -> str:
        """The "Lecture" line: how to read one value, in words (unescaped)."""
        cell = f"{indicator}|{level}|{domain or self.domain}"
        value = mark(tx.format_percent(estimate, language=self.language), cell)
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
            if key in UNNUMBERED:
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
            shared = self.__dict__.get("_shared")
            if shared is not None and shared.contrasts is self.contrasts:
                cached = shared.contrasts_by_key()
            else:
                cached = contrasts_by_key(self.contrasts)
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
            shared = self.__dict__.get("_shared")
            if shared is not None and shared.indicators is self.indicators:
                cached = shared.rows_by_key()
            else:
                cached = rows_by_key(self.indicators)
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


def _respondents(processed: Path) -> dict[str, int]:
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
    shared = None
    if require_indicators or path.exists():
        shared = _shared_tables(Path(processed))
        indicators = shared.indicators
    else:
        indicators = pd.DataFrame({c: pd.Series(dtype="object") for c in INDICATOR_COLUMNS})
    ctx = ReportContext(
        study=study,
        dictionary=dictionary,
        indicators=indicators,
        quality=_read_json(Processed(processed).quality),
        weighting=_read_json(Processed(processed).weighting),
        language=language,
        sector=sector or None,
        date=_report_date(),
        processed_dir=processed,
        respondents_by_domain=dict(shared.respondents) if shared else _respondents(processed),
        evolution=_read_evolution(study, processed),
        contrasts=shared.contrasts if shared else _read_contrasts(processed),
    )
    if shared is not None:
        ctx.__dict__["_shared"] = shared
    return ctx


def rows_by_key(frame: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The rows of an indicators (or contrasts) table as mappings, by (indicator, level,
    domain)."""
    return {(r["indicator"], r["level"], r["domain"]): r for r in frame.to_dict("records")}


def contrasts_by_key(contrasts: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The rows of ``contrasts.parquet`` as mappings, by (indicator, level, domain)."""
    return rows_by_key(
        contrasts.assign(
            level=contrasts["level"].fillna("").astype(str),
            domain=contrasts["domain"].astype(str),
        )
    )


class _SharedTables:
    """A study's published tables as every report of a process reads them: the indicators,
    the contrasts and the respondents per domain, with their rows by key built on first use.

    Reports only read them (nothing writes into a context's tables); a report process gets
    them from the report server, which loads them once before forking
    (:func:`iaobs.render.worker.warm_study`), so that neither the notebook nor the content
    provider after it reads and indexes them again."""

    def __init__(self, processed: Path) -> None:
        self.indicators = read_indicators(Processed(processed).indicators)
        self.contrasts = _read_contrasts(processed)
        self.respondents = _respondents(processed)
        self._rows: dict[tuple[str, str, str], dict[str, Any]] | None = None
        self._contrast_rows: dict[tuple[str, str, str], dict[str, Any]] | None = None

    def rows_by_key(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        if self._rows is None:
            self._rows = rows_by_key(self.indicators)
        return self._rows

    def contrasts_by_key(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        if self._contrast_rows is None:
            self._contrast_rows = contrasts_by_key(self.contrasts)
        return self._contrast_rows


_SHARED: dict[str, tuple[tuple[Any, ...], _SharedTables]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


def _shared_tables(processed: Path) -> _SharedTables:
    """The :class:`_SharedTables` of a processed folder, read again when one of its files
    changed (size or modification time)."""
    files = Processed(processed)
    stamps = tuple(_stamp(f) for f in (files.indicators, files.contrasts, files.responses))
    key = str(processed.resolve())
    cached = _SHARED.get(key)
    if cached is None or cached[0] != stamps:
        _SHARED.clear()
        _SHARED[key] = (stamps, _SharedTables(processed))
    return _SHARED[key][1]


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


def slug(text: str) -> str:
    """A lowercase ASCII identifier for HTML ids."""
    return re.sub(r"[^a-z0-9]+", "-", normalise_text(text)).strip("-") or "x"
