"""Report tables → ``tables.xlsx``; indicators rows → ``indicators.csv``.

``tables.xlsx`` has a first sheet describing the file (report, study, wave, date, legend of
the flags), then one sheet per section of :func:`iaobs.reports.tables.report_tables` (the same tables
as the report). Each table has its number and title, styled headers, percentage and count
formats, the base ``n`` as a column next to the estimates, the hidden cells shown as ``s``
(statistical secrecy) or ``nd`` (not published, too few respondents) with no estimate, and its
Lecture / Champ / Source notes underneath. Every text cell is written as a string, never as a
formula, so a label starting with ``=``, ``+``, ``-`` or ``@`` cannot run anything.

``indicators.csv`` keeps the column names of the indicators contract. For a French study it is
written for a French spreadsheet: separator ``;``, decimal comma, UTF-8 with a byte-order mark;
for an English study: separator ``,``, decimal point, UTF-8 with a byte-order mark. Suppressed
rows (``s``, ``nd``) keep ``n`` and ``flag`` but have empty ``estimate``, ``se``, ``ci_low`` and
``ci_high``. Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
are prefixed with ``'``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from iaobs.core.atomic import atomic_path
from iaobs.core.contract import ESTIMATE_KINDS, HIDDEN_FLAGS, INDICATOR_COLUMNS, estimate_owner
from iaobs.render.data import LICENCE, publishable_rows

__all__ = [
    "INDICATOR_COLUMNS",
    "neutralise_formula",
    "safe_sheet_names",
    "write_data_csv",
    "write_indicators_csv",
    "write_tables_xlsx",
]

ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

TEXT = {
    "fr": {
        "about": "Présentation",
        "report": "Rapport",
        "study": "Étude",
        "region": "Région",
        "wave": "Vague d'enquête",
        "date": "Date de production",
        "content": "Contenu",
        "legend": "Signes conventionnels",
        "s": "s : secret statistique (cellule reposant sur trop peu d'entreprises ou dominée par "
        "l'une d'elles, ou masquée pour qu'une autre cellule ne puisse être recalculée)",
        "nd": "nd : non diffusé, effectif de répondants insuffisant",
        "prudence": "(*) : à interpréter avec prudence (effectif faible ou intervalle large)",
        "low": "borne basse",
        "high": "borne haute",
        "table": "Tableau",
        "sheet": "Feuille",
        "data": "Données",
        "data_title": "Les chiffres du rapport, un par ligne (filtrables)",
        "licence": "Licence",
        "percent": "0.0\\ %",
    },
    "en": {
        "about": "About",
        "report": "Report",
        "study": "Study",
        "region": "Region",
        "wave": "Survey wave",
        "date": "Produced on",
        "content": "Contents",
        "legend": "Symbols",
        "s": "s: statistical secrecy (cell resting on too few firms or dominated by one, or "
        "hidden so that another cell cannot be worked out)",
        "nd": "nd: not published, too few respondents",
        "prudence": "(*): to be read with caution (few respondents or wide interval)",
        "low": "lower bound",
        "high": "upper bound",
        "table": "Table",
        "sheet": "Sheet",
        "data": "Data",
        "data_title": "The report's figures, one per row (filterable)",
        "licence": "Licence",
        "percent": "0.0%",
    },
}


def neutralise_formula(value: str) -> str:
    """Prefix ``'`` to a text that a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cut(text: str, width: int) -> str:
    """``text`` within ``width`` characters, cut at a word boundary (mid-word only when its
    first word alone is longer)."""
    if len(text) <= width:
        return text
    head = text[: width + 1]
    space = head.rfind(" ")
    cut = head[:space] if space > 0 else text[:width]
    return cut.rstrip(" -–·,;:(").rstrip()


def safe_sheet_names(titles: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Excel sheet names for ``titles``: ≤ 31 characters cut at a word boundary, no
    ``[]:*?/\\``, unique.

    Uniqueness is case-insensitive (as Excel checks it); a clash gets a `` (2)`` suffix.
    """
    taken = {name.casefold() for name in reserved}
    names = []
    for i, title in enumerate(titles, start=1):
        base = _SHEET_FORBIDDEN.sub(" ", str(title))
        base = " ".join(base.split()).strip("'") or f"Section {i}"
        if base.casefold() == "history":
            base = "History (1)"
        candidate = _cut(base, 31)
        suffix = 2
        while candidate.casefold() in taken:
            tail = f" ({suffix})"
            candidate = _cut(base, 31 - len(tail)) + tail
            suffix += 1
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


def _table_sheet_titles(
    sections: Sequence[Any], words: Mapping[str, str]
) -> list[tuple[Any, Any, str]]:
    """(section, table, full title) of every table, in the report's order."""
    out = []
    for section in sections:
        for table in getattr(section, "tables", []):
            number = getattr(table, "number", None)
            title = str(getattr(table, "title", ""))
            full = f"{words['table']} {number} – {title}" if number not in (None, "") else title
            out.append((section, table, full))
    return out


def _short_name(number: Any, title: str) -> str:
    """A table's sheet name before :func:`safe_sheet_names`: ``T12 Usage de l'IA…``."""
    prefix = f"T{number} " if number not in (None, "") else ""
    return (prefix + title).strip()


def _missing(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str | tuple | list):
        return False
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _flag_of(value: Any) -> str:
    if _missing(value):
        return ""
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("s", "secret"):
        return "s"
    if lowered in ("nd", "n.d.", "non diffusé", "non diffuse"):
        return "nd"
    if lowered in ("prudence", "*", "(*)"):
        return "(*)"
    return text


def _note_lines(notes: Any) -> list[str]:
    """Lecture / Champ / Source notes as lines, whatever their container."""
    if notes is None:
        return []
    if isinstance(notes, str):
        return [line for line in notes.splitlines() if line.strip()]
    if isinstance(notes, Mapping):
        lines = []
        for key, value in notes.items():
            if _missing(value) or not str(value).strip():
                continue
            label = str(key).strip()
            lines.append(f"{label[:1].upper()}{label[1:]} : {value}" if label else str(value))
        return lines
    if isinstance(notes, Sequence):
        return [line for item in notes for line in _note_lines(item)]
    for method in ("lines", "as_lines", "to_lines"):
        if callable(getattr(notes, method, None)):
            return _note_lines(getattr(notes, method)())
    fields = ("lecture", "champ", "source", "note")
    if any(hasattr(notes, f) for f in fields):
        titles = {"lecture": "Lecture", "champ": "Champ", "source": "Source", "note": "Note"}
        return [
            f"{titles[f]} : {getattr(notes, f)}"
            for f in fields
            if getattr(notes, f, None) not in (None, "")
        ]
    return [str(notes)]


def write_tables_xlsx(
    sections: Sequence[Any],
    destination: Path,
    *,
    title: str,
    study_title: str = "",
    region: str = "",
    wave: str = "",
    date: dt.datetime | None = None,
    language: str = "fr",
    data: Any = None,
) -> Path:
    """Write the report's tables to an Excel workbook, atomically.

    The first sheet presents the file: the report, the contents (each sheet's short name,
    linked, beside the full title of its table), the conventional signs and the licence.
    Then the report's data as one flat sheet (``data``, when given: header frozen,
    autofilter) and one sheet per table, its header frozen.

    Parameters
    ----------
    sections
        ``TableSection``-like objects: ``.title`` and ``.tables``, each table with
        ``.number``, ``.title``, ``.frame`` (pandas DataFrame), ``.notes`` and ``.kinds``
        (column → ``label``, ``text``, ``percent`` (0–1), ``mean``, ``ci_low``, ``ci_high``,
        ``count``, ``flag``; companions follow their estimate, see :mod:`iaobs.reports.tables`).
    destination
        The ``tables.xlsx`` path.
    title, study_title, region, wave, date, language
        Shown on the first sheet; ``date`` is also the workbook's creation date.
    data
        The report's figures as one publishable frame (:mod:`iaobs.render.data`).
    """
    import xlsxwriter

    words = TEXT.get(language, TEXT["fr"])
    date = date or dt.datetime.now(dt.UTC)
    with atomic_path(destination) as tmp:
        workbook = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "nan_inf_to_errors": False,
            },
        )
        workbook.set_properties(
            {
                "title": title,
                "subject": study_title,
                "author": study_title,
                "company": study_title,
                "created": date.replace(tzinfo=None),
                "comments": "iaobs",
            }
        )
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        props: dict[str, dict[str, Any]] = {
            "title": {**base, "bold": True, "font_size": 14, "font_color": "#14365D"},
            "subtitle": {**base, "italic": True, "font_color": "#4A5866"},
            "table_title": {**base, "bold": True, "font_size": 11, "font_color": "#14365D"},
            "header": {
                **base,
                "bold": True,
                "bg_color": "#E3ECF3",
                "font_color": "#14365D",
                "bottom": 2,
                "bottom_color": "#0B6E7A",
                "text_wrap": True,
                "valign": "bottom",
            },
            "text": {**base, "text_wrap": False},
            "percent": {**base, "num_format": words["percent"]},
            # a difference of two shares, in points: +7.0, −3.0 (true minus), 0.0
            "points": {**base, "num_format": '+0.0;"−"0.0;0.0'},
            "count": {**base, "num_format": "#,##0"},
            "number": {**base, "num_format": "#,##0.0"},
            "flag": {**base, "align": "center", "italic": True, "font_color": "#4A5866"},
            "hidden": {**base, "align": "right", "italic": True, "font_color": "#4A5866"},
            "note": {**base, "font_size": 9, "italic": True, "font_color": "#4A5866"},
            "label": {**base, "bold": True},
        }
        fmt = {name: workbook.add_format(p) for name, p in props.items()}
        for name in list(fmt):
            fmt["quoted:" + name] = workbook.add_format({**props[name], "quote_prefix": True})
        tables = _table_sheet_titles(sections, words)
        reserved = [words["about"]] + ([words["data"]] if data is not None else [])
        sheet_names = safe_sheet_names(
            [
                _short_name(getattr(t, "number", None), str(getattr(t, "title", "")))
                for _, t, _ in tables
            ],
            reserved=reserved,
        )
        about = workbook.add_worksheet(words["about"])
        contents = [(name, full) for (_, _, full), name in zip(tables, sheet_names, strict=True)]
        if data is not None:
            contents.insert(0, (words["data"], words["data_title"]))
        _write_about(about, fmt, words, title, study_title, region, wave, date, contents, language)
        if data is not None:
            _write_data_sheet(workbook.add_worksheet(words["data"]), fmt, data)
        for (section, table, _), name in zip(tables, sheet_names, strict=True):
            sheet = workbook.add_worksheet(name)
            single = _OneTable(str(getattr(section, "title", "")), [table])
            _write_section(sheet, fmt, single, title, study_title, words, language)
        workbook.close()
    return destination


class _OneTable:
    """A section holding one table (each table has its own sheet)."""

    def __init__(self, title: str, tables: list[Any]) -> None:
        self.title = title
        self.tables = tables


def _write_data_sheet(sheet: Any, fmt: Mapping[str, Any], data: Any) -> None:
    """The report's data as one flat table: header frozen, autofilter on every column."""
    columns = [str(c) for c in data.columns]
    for j, column in enumerate(columns):
        _put(sheet, 0, j, column, fmt["header"], fmt)
        sheet.set_column(j, j, max(10.0, min(len(column) * 1.2 + 2, 40.0)))
    row = 0
    for row, values in enumerate(data.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(values):
            if _missing(value):
                continue
            if isinstance(value, bool) or (
                not isinstance(value, int | float) and type(value).__module__ != "numpy"
            ):
                _put(sheet, row, j, str(value), fmt["text"], fmt)
                continue
            number = float(value)
            if math.isfinite(number):
                sheet.write_number(row, j, number)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row, 1), max(len(columns) - 1, 0))


def _write_about(sheet, fmt, words, title, study_title, region, wave, date, contents, language):
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 2, 90)
    _put(sheet, 0, 0, title, fmt["title"], fmt)
    row = 2
    for label, value in (
        (words["study"], study_title),
        (words["region"], region),
        (words["wave"], wave),
        (words["date"], date.strftime("%Y-%m-%d")),
    ):
        sheet.write_string(row, 0, label, fmt["label"])
        _put(sheet, row, 1, str(value), fmt["text"], fmt)
        row += 1
    row += 1
    sheet.write_string(row, 0, words["content"], fmt["label"])
    for name, full in contents:
        sheet.write_url(row, 1, f"internal:'{name}'!A1", string=name)
        _put(sheet, row, 2, full, fmt["text"], fmt)
        row += 1
    row += 1
    sheet.write_string(row, 0, words["legend"], fmt["label"])
    for key in ("s", "nd", "prudence"):
        sheet.write_string(row, 1, words[key], fmt["text"])
        row += 1
    row += 1
    sheet.write_string(row, 0, words["licence"], fmt["label"])
    sheet.write_string(row, 1, LICENCE["en" if language == "en" else "fr"], fmt["text"])
    sheet.freeze_panes(1, 0)


def _put(sheet: Any, row: int, col: int, text: str, style: Any, fmt: Mapping[str, Any]) -> None:
    """Write a text cell as a string, never a formula; a text that a spreadsheet would read as
    a formula (``=``, ``+``, ``-``, ``@``…) also gets Excel's quote prefix."""
    text = str(text)
    if text.startswith(_FORMULA_START):
        name = next((k for k, v in fmt.items() if v is style), None)
        style = fmt.get(f"quoted:{name}", style)
    sheet.write_string(row, col, text, style)


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_section(sheet, fmt, section, title, study_title, words, language):
    sheet.hide_gridlines(2)
    _put(sheet, 0, 0, str(getattr(section, "title", "")), fmt["title"], fmt)
    subtitle = " · ".join(t for t in (title, study_title) if t)
    _put(sheet, 1, 0, subtitle, fmt["subtitle"], fmt)
    widths: dict[int, float] = {}
    row = 3
    tables = list(getattr(section, "tables", []))
    first_header: int | None = None
    for table in tables:
        frame = table.frame
        if any(name is not None for name in frame.index.names):
            frame = frame.reset_index()
        kinds = {str(k): str(v) for k, v in (getattr(table, "kinds", None) or {}).items()}
        columns = [str(c) for c in frame.columns]
        owner = estimate_owner(columns, kinds)
        flag_of_group = {owner[c]: c for c in columns if kinds.get(c) == "flag" and c in owner}
        number = getattr(table, "number", None)
        heading = str(getattr(table, "title", ""))
        if number not in (None, ""):
            heading = f"{words['table']} {number} – {heading}"
        _put(sheet, row, 0, heading, fmt["table_title"], fmt)
        row += 1
        for j, column in enumerate(columns):
            _put(sheet, row, j, column, fmt["header"], fmt)
            widths[j] = max(widths.get(j, 0), min(len(column), 28) * 0.85 + 2)
        if first_header is None:
            first_header = row
        sheet.set_row(row, 42)
        row += 1
        last_data = row
        for values in frame.itertuples(index=False, name=None):
            last_data = row
            cells = dict(zip(columns, values, strict=True))
            for j, column in enumerate(columns):
                kind = kinds.get(column, "text")
                group = owner.get(column)
                hidden = None
                if group is not None and kind in (*ESTIMATE_KINDS, "ci_low", "ci_high"):
                    flag = _flag_of(cells.get(flag_of_group.get(group, ""), ""))
                    hidden = flag if flag in HIDDEN_FLAGS else None
                unit = kinds.get(group, kind) if group is not None else kind
                text = _write_cell(sheet, row, j, cells[column], kind, unit, hidden, fmt)
                widths[j] = max(widths.get(j, 0), min(len(text), 60) * 1.05 + 2)
            row += 1
        for line in _note_lines(getattr(table, "notes", None)):
            _put(sheet, row, 0, line, fmt["note"], fmt)
            row += 1
        row += 1
    for j, width in widths.items():
        sheet.set_column(j, j, max(8.0, min(width, 60.0)))
    if len(tables) == 1 and first_header is not None:
        sheet.freeze_panes(first_header + 1, 1)
        sheet.autofilter(first_header, 0, max(last_data, first_header), max(len(columns) - 1, 0))
    else:
        sheet.freeze_panes(3, 1)


def _write_cell(sheet, row, col, value, kind, unit, hidden, fmt) -> str:
    """Write one cell; returns its text (for the column width).

    ``kind`` is the column's kind, ``unit`` the kind of the estimate it belongs to
    (``percent``, ``points`` or ``mean``), ``hidden`` the ``s``/``nd`` flag that hides it.
    """
    if kind == "flag":
        text = _flag_of(value)
        _put(sheet, row, col, text, fmt["flag"], fmt)
        return text
    if hidden:
        sheet.write_string(row, col, hidden, fmt["hidden"])
        return hidden
    if _missing(value):
        sheet.write_blank(row, col, None, fmt["text"])
        return ""
    if isinstance(value, bool):
        text = str(value)
        sheet.write_string(row, col, text, fmt["text"])
        return text
    if isinstance(value, int | float) or type(value).__module__ == "numpy":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if math.isfinite(number):
            if kind in ("percent", "ci_low", "ci_high") and unit == "percent":
                sheet.write_number(row, col, number, fmt["percent"])
                return f"{100 * number:.1f} %"
            if kind in ("points", "ci_low", "ci_high") and unit == "points":
                sheet.write_number(row, col, 100 * number, fmt["points"])
                return f"{100 * number:+.1f}"
            if kind == "count":
                sheet.write_number(row, col, number, fmt["count"])
                return f"{number:,.0f}"
            style = fmt["count"] if number.is_integer() and kind != "mean" else fmt["number"]
            sheet.write_number(row, col, number, style)
            return f"{number:,.1f}"
    text = _cell_text(value)
    style = fmt["label"] if kind == "label" else fmt["text"]
    _put(sheet, row, col, text, style, fmt)
    return text


def write_indicators_csv(indicators: Any, destination: Path, *, language: str = "fr") -> Path:
    """Write indicators rows (contract columns) to ``destination``, atomically.

    Parameters
    ----------
    indicators
        A pandas DataFrame with the columns of the indicators contract (extra columns dropped).
    destination
        The ``indicators.csv`` path.
    language
        ``fr``: ``;`` and decimal comma; ``en``: ``,`` and decimal point. UTF-8 with BOM.
    """
    frame = indicators.reindex(columns=list(INDICATOR_COLUMNS))
    return write_data_csv(publishable_rows(frame), destination, language=language)


def write_data_csv(frame: Any, destination: Path, *, language: str = "fr") -> Path:
    """Write a publishable data frame to ``destination`` for a spreadsheet, atomically.

    ``fr``: ``;`` and decimal comma; ``en``: ``,`` and decimal point; UTF-8 with a byte-order
    mark; text cells a spreadsheet would read as a formula are neutralised.
    """
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        frame[column] = frame[column].map(
            lambda v: "" if _missing(v) else neutralise_formula(str(v))
        )
    sep, decimal = (";", ",") if language != "en" else (",", ".")
    text = frame.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\n")
    with atomic_path(destination) as tmp:
        tmp.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return destination
