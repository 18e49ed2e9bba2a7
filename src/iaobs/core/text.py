"""Numbers and sentences in French and English, as a reader of the reports sees them.

French conventions follow the national statistical publications: a narrow no-break space
(U+202F) as thousands separator and before ``%``, a decimal comma, intervals as
``35 % – 49 %``. English: ``42%``, ``1,250``, ``3.5``, ``35%–49%``.

Every function here returns plain text (not HTML): escape it with :func:`html.escape` before
putting it in a page.

Examples
--------
>>> format_percent(0.4236)
'42\u202f%'
>>> format_number(1250, language="en")
'1,250'
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from iaobs.core.cellmark import mark
from iaobs.core.contract import Thresholds

__all__ = [
    "MISSING",
    "NNBSP",
    "english_date",
    "flag_reason",
    "format_decimal",
    "format_interval",
    "format_number",
    "format_percent",
    "french_date",
    "key_figure_sentence",
    "number_or_none",
    "suppressed_sentence",
    "translate",
    "upper_first",
]

NNBSP = "\u202f"  # narrow no-break space
MISSING = "–"  # shown where a number does not exist (never for a hidden cell: s / nd)


def upper_first(text: str) -> str:
    """``text`` with a capital first letter (a label opening a sentence); the rest unchanged."""
    return text[:1].upper() + text[1:]


def number_or_none(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is empty, not a number or NaN."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return True


def _round_half_up(value: float, decimals: int) -> float:
    # Publications round 0.5 up (42.5 % -> 43 %), not to even; the tiny epsilon absorbs the
    # binary representation of values such as 0.425.
    factor = 10**decimals
    return math.floor(value * factor + 0.5 + 1e-9) / factor


def _group(digits: str, separator: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return separator.join(reversed(out))


def format_decimal(value: Any, *, decimals: int = 1, language: str = "fr") -> str:
    """Format a number with a fixed number of decimals and grouped thousands.

    Parameters
    ----------
    value
        The number; ``None`` or NaN gives ``"–"``.
    decimals
        Digits after the decimal mark (0 for an integer display).
    language
        ``"fr"``: ``1 250,5`` (narrow no-break space, decimal comma); ``"en"``: ``1,250.5``.
    """
    if _is_missing(value):
        return MISSING
    number = _round_half_up(float(value), decimals) if decimals >= 0 else float(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    text = f"{number:.{max(decimals, 0)}f}"
    whole, _, frac = text.partition(".")
    thousands, mark = (",", ".") if language == "en" else (NNBSP, ",")
    whole = _group(whole, thousands)
    if sign and float(text) == 0:
        sign = ""
    return f"{sign}{whole}{mark}{frac}" if frac else f"{sign}{whole}"


def format_number(value: Any, *, language: str = "fr") -> str:
    """Format a count or an integer value: ``1 250`` (fr), ``1,250`` (en)."""
    return format_decimal(value, decimals=0, language=language)


def format_percent(
    value: Any, *, decimals: int = 0, language: str = "fr", sign: bool = True
) -> str:
    """Format a proportion (0–1) as a percentage: ``42 %`` (fr) or ``42%`` (en).

    Parameters
    ----------
    value
        A proportion between 0 and 1; ``None`` or NaN gives ``"–"``.
    decimals
        Digits after the decimal mark (0 in text, at most 1 in tables).
    sign
        Whether to append the percent sign.
    """
    if _is_missing(value):
        return MISSING
    number = format_decimal(float(value) * 100, decimals=decimals, language=language)
    if not sign:
        return number
    return f"{number}%" if language == "en" else f"{number}{NNBSP}%"


def format_interval(
    low: Any, high: Any, *, decimals: int = 0, language: str = "fr", sign: bool = True
) -> str:
    """Format a confidence interval of proportions: ``35 % – 49 %`` (fr), ``35%–49%`` (en)."""
    if _is_missing(low) or _is_missing(high):
        return MISSING
    lo = format_percent(low, decimals=decimals, language=language, sign=sign)
    hi = format_percent(high, decimals=decimals, language=language, sign=sign)
    return f"{lo}–{hi}" if language == "en" else f"{lo} – {hi}"


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


# --------------------------------------------------------------------------------------------
# Words of the reports


_TEXTS: dict[str, tuple[str, str]] = {
    # cover and frame
    "report_sector": ("Rapport sectoriel", "Sector report"),
    "report_synthesis": ("Synthèse régionale", "Regional overview"),
    "report_quality": ("Rapport sur la qualité des données", "Data quality report"),
    "region": ("Région", "Region"),
    "sector": ("Secteur", "Sector"),
    "wave": ("Vague d'enquête", "Survey wave"),
    "date": ("Date de publication", "Publication date"),
    "respondents": ("Entreprises répondantes", "Responding companies"),
    "all_sectors": ("Tous secteurs", "All sectors"),
    "essentiel": ("L'essentiel", "Key findings"),
    "definitions": ("Définitions", "Definitions"),
    "lecture": ("Lecture", "How to read"),
    "champ": ("Champ", "Scope"),
    "source": ("Source", "Source"),
    "note": ("Note", "Note"),
    "figure": ("Figure", "Figure"),
    "table": ("Tableau", "Table"),
    "prudence_note": ("(*) à interpréter avec prudence", "(*) to be interpreted with caution"),
    "legend_s": ("s : secret statistique", "s: statistical confidentiality"),
    "legend_nd": (
        "nd : non diffusé (effectif insuffisant)",
        "nd: not published (too few respondents)",
    ),
    "ci95": ("IC 95 %", "95% CI"),
    "share": ("Part", "Share"),
    "share_pct": ("Part (%)", "Share (%)"),
    "flag": ("diffusion", "flag"),
    "ci_low": ("IC bas", "CI low"),
    "ci_high": ("IC haut", "CI high"),
    "n": ("n", "n"),
    "answer": ("Réponse", "Answer"),
    "item": ("Élément", "Item"),
    "indicator": ("Indicateur", "Indicator"),
    "size": ("Taille", "Size"),
    "nsp_apart": ("NSP / non concerné", "Don't know / not applicable"),
    "percent_of_firms": ("en % des entreprises", "% of companies"),
    "source_line": (
        "{title}, enquête {wave} ; calculs de l'observatoire.",
        "{title}, {wave} survey; observatory calculations.",
    ),
    "multi_note": ("plusieurs réponses possibles", "several answers possible"),
    "base_note": ("n = {n} répondants", "n = {n} respondents"),
    "nsp_excluded": (
        "Les réponses « ne sait pas » et « non concerné » sont exclues de la base.",
        "“Don't know” and “not applicable” answers are excluded from the base.",
    ),
}

_REASONS: dict[str, tuple[str, str]] = {
    # a secret cell whose base is known: too few companies, or hidden for another reason
    "s_small": (
        "secret statistique (moins de {secret_min_firms} entreprises)",
        "statistical confidentiality (fewer than {secret_min_firms} companies)",
    ),
    "s_other": (
        "secret statistique (une entreprise prépondérante, ou secret secondaire : masquée pour "
        "qu'une autre case ne puisse être recalculée)",
        "statistical confidentiality (one dominant company, or secondary secrecy: hidden so "
        "that another cell cannot be worked out)",
    ),
    "s": (
        "secret statistique (moins de {secret_min_firms} entreprises, une entreprise "
        "prépondérante, ou secret secondaire : masquée pour qu'une autre case ne puisse être "
        "recalculée)",
        "statistical confidentiality (fewer than {secret_min_firms} companies, one dominant "
        "company, or secondary secrecy: hidden so that another cell cannot be worked out)",
    ),
    "nd": (
        "effectif insuffisant (moins de {nd_below} répondants)",
        "too few respondents (fewer than {nd_below})",
    ),
}


def translate(key: str, language: str = "fr", **values: Any) -> str:
    """A fixed phrase of the reports in ``language``, with ``{placeholders}`` filled in."""
    try:
        fr, en = _TEXTS[key]
    except KeyError:
        raise KeyError(f"texte inconnu : {key!r}") from None
    text = en if language == "en" else fr.replace(" %", NNBSP + "%")
    return text.format(**values) if values else text


def flag_reason(flag: str, *, language: str = "fr", thresholds: Any = None, n: Any = None) -> str:
    """Why a cell flagged ``s`` or ``nd`` is not published, in words ('' for other flags).

    ``thresholds`` is the study's :class:`iaobs.study.config.Thresholds` (defaults when omitted).
    ``n``, the cell's base when known, tells a secret cell of too few companies from one hidden
    for another reason (a dominant company, or secondary secrecy).
    """
    if flag not in ("s", "nd"):
        return ""
    if thresholds is None:
        thresholds = Thresholds()
    count = number_or_none(n)
    if flag == "s" and count is not None:
        flag = "s_small" if count < thresholds.secret_min_firms else "s_other"
    fr, en = _REASONS[flag]
    text = en if language == "en" else fr
    return text.format(
        secret_min_firms=format_number(thresholds.secret_min_firms, language=language),
        nd_below=format_number(thresholds.nd_below, language=language),
    )


def _clean_flag(flag: Any) -> str:
    if flag is None or (isinstance(flag, float) and math.isnan(flag)):
        return ""
    return str(flag)


def suppressed_sentence(
    predicate: Mapping[str, str] | tuple[str, str],
    *,
    population: str,
    flag: str,
    n: Any,
    language: str = "fr",
    thresholds: Any = None,
) -> str:
    """The sentence standing in for a hidden key figure (flag ``s`` or ``nd``).

    >>> suppressed_sentence(("utilisent l'IA", "use AI"), population="du secteur", flag="nd", n=7)
    "La part des entreprises du secteur qui utilisent l'IA n'est pas publiée : effectif insuffisant (moins de 10 répondants), n = 7."
    """
    pred = _pick(predicate, language)
    reason = flag_reason(flag, language=language, thresholds=thresholds, n=n)
    count = format_number(n, language=language)
    if language == "en":
        return (
            f"The share of companies {population} that {pred} is not published: {reason}, "
            f"n = {count}."
        )
    return f"La part des entreprises {population} qui {pred} n'est pas publiée : {reason}, n = {count}."


def _pick(text: Mapping[str, str] | tuple[str, str] | str, language: str) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, tuple):
        return text[1] if language == "en" else text[0]
    return text.get(language) or text["fr"]


def key_figure_sentence(
    predicate: Mapping[str, str] | tuple[str, str],
    *,
    estimate: Any,
    ci_low: Any,
    ci_high: Any,
    n: Any,
    flag: Any = "",
    population: str,
    comparison: Any = None,
    comparison_label: str | None = None,
    language: str = "fr",
    thresholds: Any = None,
    cell: str | None = None,
) -> str:
    """A key-figure sentence: value, 95 % interval, base, and an optional comparison.

    Parameters
    ----------
    predicate
        The verb phrase in the third person plural, as ``(french, english)``:
        ``("utilisent au moins une technologie d'IA", "use at least one AI technology")``.
    estimate, ci_low, ci_high
        Weighted share of companies (0–1) and its 95 % interval.
    n
        Unweighted respondents in the base.
    flag
        ``''``, ``'prudence'`` (adds ``(*)``), ``'s'`` or ``'nd'`` (the figure is replaced by a
        sentence saying it is not published, and why).
    population
        Who the share is of, as it follows "des entreprises" / "of companies":
        ``"du secteur"`` / ``"in the sector"``.
    comparison, comparison_label
        A share (0–1) to compare with, e.g. all sectors: ``"tous secteurs confondus"``.
    cell
        The cell's key (``indicator|level|domain``): the value and its interval are marked
        with it for the release audit (:mod:`iaobs.core.cellmark`).

    Examples
    --------
    >>> key_figure_sentence(("utilisent l'IA", "use AI"), estimate=0.42, ci_low=0.35,
    ...     ci_high=0.49, n=212, population="du secteur", comparison=0.28,
    ...     comparison_label="tous secteurs confondus")  # doctest: +SKIP
    "42 % des entreprises du secteur (IC 95 % : 35 % – 49 %, n = 212) utilisent l'IA, contre 28 % tous secteurs confondus."
    """
    flag = _clean_flag(flag)
    if flag in ("s", "nd") or _is_missing(estimate):
        return suppressed_sentence(
            predicate,
            population=population,
            flag=flag or "nd",
            n=n,
            language=language,
            thresholds=thresholds,
        )
    pred = _pick(predicate, language)
    value = mark(format_percent(estimate, language=language), cell)
    interval = format_interval(ci_low, ci_high, language=language)
    if cell and not (_is_missing(ci_low) or _is_missing(ci_high)):
        lo = mark(format_percent(ci_low, language=language), cell, "ci_low")
        hi = mark(format_percent(ci_high, language=language), cell, "ci_high")
        interval = f"{lo}–{hi}" if language == "en" else f"{lo} – {hi}"
    count = format_number(n, language=language)
    star = " (*)" if flag == "prudence" else ""
    if language == "en":
        text = f"{value}{star} of companies {population} (95% CI: {interval}, n = {count}) {pred}"
        if comparison is not None and not _is_missing(comparison):
            text += f", compared with {format_percent(comparison, language=language)}"
            text += f" {comparison_label}" if comparison_label else ""
    else:
        text = (
            f"{value}{star} des entreprises {population} (IC 95{NNBSP}% : {interval}, "
            f"n = {count}) {pred}"
        )
        if comparison is not None and not _is_missing(comparison):
            text += f", contre {format_percent(comparison, language=language)}"
            text += f" {comparison_label}" if comparison_label else ""
    return text + "."
