"""Each report's data: the figures it shows, labelled, with a codebook and its licence.

A report publishes beside its pages the figures it shows, not a table shared by every report:

* a sector report: the indicators rows of its sector's domains and of the whole region; the
  overview: every indicators row; each with the labels of its indicator, level and domain
  (:func:`indicator_data`);
* the other reports (quality, pilot training, company benchmark), whose figures are not rows
  of the indicators table: the cells of their tables, one row per figure (:func:`table_data`).

``codebook.csv`` (:func:`codebook`) says what each column means, what each code of the
questionnaire stands for (from the study's dictionary), the conventional signs, and the
licence: the data are published under the Licence Ouverte / Open Licence 2.0 (Etalab).

What of an indicators row may be published is decided in one place,
:func:`iaobs.stats.secrecy.publishable` (estimates and intervals rounded to the published
precision, no standard error, effective size or weighted base, a hidden cell without any
number but its base); the cells of a report's other tables go through
:func:`publishable_rows` (a cell under statistical secrecy or not published keeps its base and
its flag, never a value).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from iaobs.core.contract import INDICATOR_COLUMNS, estimate_owner

__all__ = [
    "ESTIMATE_COLUMNS",
    "LICENCE",
    "codebook",
    "indicator_data",
    "publishable_rows",
    "table_data",
]

ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "value")
LABEL_COLUMNS = ("indicator_label", "level_label", "domain_label")
TABLE_COLUMNS = (
    "table",
    "table_title",
    "row",
    "column",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "flag",
)
LICENCE = {
    "fr": (
        "Licence Ouverte / Open Licence version 2.0 (Etalab) : réutilisation libre, "
        "y compris commerciale, sous réserve de mentionner la source "
        "(https://www.etalab.gouv.fr/licence-ouverte-open-licence)"
    ),
    "en": (
        "Licence Ouverte / Open Licence version 2.0 (Etalab): free reuse, commercial "
        "included, provided the source is credited "
        "(https://www.etalab.gouv.fr/licence-ouverte-open-licence)"
    ),
}
_DOMAIN_KEYS = {"fr": {"all": "Ensemble de la région"}, "en": {"all": "Whole region"}}
_COLUMNS = {
    "fr": {
        "indicator": "code de l'indicateur (variable du questionnaire ou indicateur dérivé)",
        "indicator_label": "libellé de l'indicateur",
        "level": "code de la modalité (vide pour une variable 0/1 ou une moyenne ; "
        "top2 : deux premières modalités de l'échelle)",
        "level_label": "libellé de la modalité",
        "domain": "champ de l'estimation : all (ensemble) ou variable=code, "
        "plusieurs séparés par « ; »",
        "domain_label": "libellé du champ",
        "statistic": "proportion ou moyenne",
        "estimate": "estimation pondérée (proportion entre 0 et 1, ou moyenne)",
        "se": "erreur type (linéarisée)",
        "ci_low": "borne basse de l'intervalle de confiance à 95 %",
        "ci_high": "borne haute de l'intervalle de confiance à 95 %",
        "n": "nombre de répondants de la base (non-réponses et NSP exclus)",
        "n_eff": "taille d'échantillon effective",
        "weighted_base": "somme des poids de la base",
        "flag": "signe conventionnel (voir plus bas)",
        "table": "numéro du tableau du rapport",
        "table_title": "titre du tableau",
        "row": "ligne du tableau",
        "column": "colonne du tableau",
        "value": "valeur de la cellule (proportion entre 0 et 1, écart de deux proportions "
        "entre −1 et 1, moyenne ou effectif)",
    },
    "en": {
        "indicator": "indicator code (questionnaire variable or derived indicator)",
        "indicator_label": "indicator label",
        "level": "level code (empty for a 0/1 variable or a mean; top2: top two levels)",
        "level_label": "level label",
        "domain": "domain of the estimate: all, or variable=code, several joined by ';'",
        "domain_label": "domain label",
        "statistic": "proportion or mean",
        "estimate": "weighted estimate (proportion between 0 and 1, or mean)",
        "se": "standard error (linearised)",
        "ci_low": "lower bound of the 95% confidence interval",
        "ci_high": "upper bound of the 95% confidence interval",
        "n": "respondents in the base (non-response and don't know excluded)",
        "n_eff": "effective sample size",
        "weighted_base": "sum of the weights of the base",
        "flag": "conventional sign (see below)",
        "table": "number of the report's table",
        "table_title": "title of the table",
        "row": "row of the table",
        "column": "column of the table",
        "value": "value of the cell (proportion between 0 and 1, difference of two proportions "
        "between −1 and 1, mean or count)",
    },
}
_FLAGS = {
    "fr": {
        "s": "secret statistique : cellule reposant sur trop peu d'entreprises ou dominée "
        "par l'une d'elles ; pas d'estimation publiée",
        "nd": "non diffusé : effectif de répondants insuffisant ; pas d'estimation publiée",
        "prudence": "à interpréter avec prudence (effectif faible ou intervalle large)",
    },
    "en": {
        "s": "statistical secrecy: cell resting on too few firms or dominated by one; "
        "no estimate published",
        "nd": "not published: too few respondents; no estimate published",
        "prudence": "to be read with caution (few respondents or wide interval)",
    },
}
_HEAD = {
    "fr": ("rubrique", "code", "libellé"),
    "en": ("section", "code", "label"),
}
_SECTIONS = {
    "fr": ("colonne", "signe", "licence", "source", "variable", "modalité", "champ"),
    "en": ("column", "sign", "licence", "source", "variable", "level", "domain"),
}


def _missing(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def publishable_rows(frame: Any) -> Any:
    """The rows of ``frame`` as they may be published: the decision is
    :func:`iaobs.stats.secrecy.publishable` (a row flagged ``s`` or ``nd`` keeps its base and
    flag but loses every figure; no standard error, effective size or weighted base). The one
    gate of every CSV and Excel row of the reports' data."""
    from iaobs.stats.secrecy import publishable  # lazy: numpy and pandas

    if "flag" not in frame.columns:
        return frame.copy()
    return publishable(frame)


def _domain_label(domain: str, dictionary: Any, language: str) -> str:
    if not domain or domain == "all":
        return _DOMAIN_KEYS.get(language, _DOMAIN_KEYS["fr"])["all"]
    parts = []
    for part in domain.split(";"):
        key, _, code = part.strip().partition("=")
        parts.append(_code_label(key, code, dictionary, language))
    return " · ".join(parts)


def _code_label(key: str, code: str, dictionary: Any, language: str) -> str:
    table: Mapping[str, Any] = {}
    if key == "secteur":
        table = dictionary.sectors
    elif key == "taille":
        table = dictionary.size_classes
    elif key == "departement":
        name = dictionary.departements.get(code)
        return f"{name} ({code})" if name else code
    entry = table.get(code)
    if entry is not None:
        return str(entry.label.get(language))
    try:
        return str(dictionary.code_label(key, code, language))
    except KeyError:
        return code


def _indicator_label(indicator: str, dictionary: Any, language: str) -> str:
    try:
        return str(dictionary.column_label(indicator, language))
    except KeyError:
        return indicator


def _level_label(indicator: str, level: str, dictionary: Any, language: str) -> str:
    if not level:
        return ""
    if level == "top2":
        return "deux premières modalités" if language != "en" else "top two levels"
    try:
        return str(dictionary.code_label(indicator, level, language))
    except KeyError:
        return level


def indicator_data(rows: Any, dictionary: Any, language: str = "fr") -> Any:
    """Indicators rows as published (:func:`iaobs.stats.secrecy.publishable`), with the
    labels of their indicator, level and domain."""
    from iaobs.stats.secrecy import publishable  # lazy: numpy and pandas

    frame = publishable(rows.reindex(columns=list(INDICATOR_COLUMNS)))
    text = {c: frame[c].astype("string").fillna("") for c in ("indicator", "level", "domain")}
    cache: dict[tuple[str, ...], str] = {}

    def once(key: tuple[str, ...], make: Any) -> str:
        if key not in cache:
            cache[key] = make()
        return cache[key]

    frame.insert(
        1,
        "indicator_label",
        [
            once(("i", i), lambda i=i: _indicator_label(i, dictionary, language))
            for i in text["indicator"]
        ],
    )
    frame.insert(
        3,
        "level_label",
        [
            once(("l", i, lv), lambda i=i, lv=lv: _level_label(i, lv, dictionary, language))
            for i, lv in zip(text["indicator"], text["level"], strict=True)
        ],
    )
    frame.insert(
        5,
        "domain_label",
        [
            once(("d", d), lambda d=d: _domain_label(d, dictionary, language))
            for d in text["domain"]
        ],
    )
    return frame


def _number(value: Any) -> float | None:
    if _missing(value) or isinstance(value, str | bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _table_rows(table: Any) -> Iterable[dict[str, Any]]:
    frame = table.frame
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    kinds = {str(k): str(v) for k, v in (getattr(table, "kinds", None) or {}).items()}
    columns = [str(c) for c in frame.columns]
    owner = estimate_owner(columns, kinds)
    labels = [c for c in columns if c not in owner and kinds.get(c, "text") in ("label", "text")]
    number = getattr(table, "number", None)
    title = str(getattr(table, "title", ""))
    numeric = {c for c in columns if c not in owner and _is_numeric(frame[c], kinds.get(c))}
    labels = [c for c in labels if c not in numeric]
    for values in frame.itertuples(index=False, name=None):
        cells = dict(zip(columns, values, strict=True))
        row = " · ".join(str(cells[c]) for c in labels if not _missing(cells[c]) and str(cells[c]))
        for column in columns:
            if column in numeric:
                yield {
                    "table": number,
                    "table_title": title,
                    "row": row,
                    "column": column,
                    "value": _number(cells[column]),
                    "flag": "",
                }
                continue
            if owner.get(column) != column:
                continue
            companions = {kinds[c]: cells[c] for c in columns if owner.get(c) == column != c}
            flag = companions.get("flag")
            yield {
                "table": number,
                "table_title": title,
                "row": row,
                "column": column,
                "value": _number(cells[column]),
                "ci_low": _number(companions.get("ci_low")),
                "ci_high": _number(companions.get("ci_high")),
                "n": _number(companions.get("count")),
                "flag": "" if _missing(flag) else str(flag).strip(),
            }


def _is_numeric(series: Any, kind: str | None) -> bool:
    """A column of figures that belongs to no estimate (counts of the quality report…)."""
    import pandas as pd

    if kind in ("count", "number", "mean", "percent"):
        return True
    return (
        kind in (None, "text")
        and pd.api.types.is_numeric_dtype(series)
        and not pd.api.types.is_bool_dtype(series)
    )


def table_data(sections: Sequence[Any]) -> Any:
    """The figures of a report's tables, one row per estimate (with its interval, base and
    flag), publishable; for reports whose figures are not indicators rows."""
    import pandas as pd

    rows = [
        row
        for section in sections
        for table in getattr(section, "tables", [])
        for row in _table_rows(table)
    ]
    return publishable_rows(pd.DataFrame(rows, columns=list(TABLE_COLUMNS)))


def codebook(
    data: Any,
    dictionary: Any | None,
    *,
    language: str = "fr",
    source: str = "",
) -> Any:
    """The codebook of a report's data: its columns, the codes of the questionnaire that
    appear in it, the conventional signs, the source and the licence."""
    import pandas as pd

    lang = "en" if language == "en" else "fr"
    column_words, flag_words = _COLUMNS[lang], _FLAGS[lang]
    sec = dict(
        zip(
            ("column", "sign", "licence", "source", "variable", "level", "domain"),
            _SECTIONS[lang],
            strict=True,
        )
    )
    rows: list[tuple[str, str, str]] = [
        (sec["column"], str(c), column_words.get(str(c), "")) for c in data.columns
    ]
    rows += [(sec["sign"], code, text) for code, text in flag_words.items()]
    if source:
        rows.append((sec["source"], "", source))
    rows.append((sec["licence"], "etalab-2.0", LICENCE[lang]))
    if dictionary is not None and "indicator" in data.columns:
        rows += _dictionary_rows(data, dictionary, lang, sec)
    return pd.DataFrame(rows, columns=list(_HEAD[lang]))


def _dictionary_rows(
    data: Any, dictionary: Any, language: str, sec: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    seen_levels: set[tuple[str, str]] = set()
    for indicator in dict.fromkeys(data["indicator"].astype("string").fillna("")):
        if not indicator:
            continue
        rows.append((sec["variable"], indicator, _indicator_label(indicator, dictionary, language)))
    pairs = data[["indicator", "level"]].astype("string").fillna("").drop_duplicates()
    for indicator, level in pairs.itertuples(index=False, name=None):
        if level and (indicator, level) not in seen_levels:
            seen_levels.add((indicator, level))
            label = _level_label(indicator, level, dictionary, language)
            rows.append((sec["level"], f"{indicator}={level}", label))
    for domain in dict.fromkeys(data["domain"].astype("string").fillna("")):
        rows.append((sec["domain"], domain, _domain_label(domain, dictionary, language)))
    return rows
