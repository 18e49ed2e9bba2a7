"""Per-variable parsing: each column of a mapped frame to its codes, numbers, dates or 0/1.

Each column's *distinct* values are interpreted once (:mod:`iaobs.prepare.values`), then spread
back to the rows; every correction is counted and every problem recorded as a finding in the
:class:`CleanContext` (the rules are listed in :mod:`iaobs.prepare.clean`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from iaobs.prepare.validate import (
    BLOCKING,
    WARNING,
    FindingCollector,
)
from iaobs.prepare.values import (
    _BLANK,
    DATE_MIN,
    NO_WORDS,
    NONE_WORDS,
    NSP_WORDS,
    PLACEHOLDER_DATE,
    YES_WORDS,
    Parsed,
    _as_text,
    _code_table,
    _is_blank,
    parse_date,
    parse_naf,
    parse_number,
    recode_value,
)
from iaobs.study.dictionary import Dictionary, Variable, normalise_text

__all__ = [
    "CleanContext",
    "blank_column",
    "categorical",
    "clean_columns",
    "map_unique",
]


@dataclass
class CleanContext:
    frame: pd.DataFrame
    dictionary: Dictionary
    collector: FindingCollector
    corrections: Counter[str]
    language: str
    factorized: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def factorize(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``factorize`` of a column of the frame, computed once."""
        if column not in self.factorized:
            self.factorized[column] = factorize(self.frame[column])
        return self.factorized[column]

    def choices(self, var: Variable, limit: int = 8) -> str:
        labels = [label.get(self.language) for label in var.all_codes.values()]
        text = ", ".join(labels[:limit])
        return text + (", …" if len(labels) > limit else "")

    def option_choices(self, var: Variable, limit: int = 8) -> str:
        labels = [label.get(self.language) for label in var.options.values()]
        text = " ; ".join(labels[:limit])
        return text + (" ; …" if len(labels) > limit else "")


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, distinct values); missing cells get code −1."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def per_unique(
    values: pd.Series,
    parse: Callable[[object], Parsed],
    factorized: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Parsed]]:
    """Parse each distinct value once; returns (values per row, codes per row, parsed uniques).

    Missing cells get code -1 and value None. ``factorized``: ``factorize(values)`` when
    already known.
    """
    codes, uniques = factorized if factorized is not None else factorize(values)
    parsed = [parse(u) for u in uniques]
    table = np.empty(len(parsed) + 1, dtype=object)
    for i, item in enumerate(parsed):
        table[i] = item[0]
    table[-1] = None
    return table[codes], codes, parsed


def record(
    ctx: CleanContext,
    column: str,
    raw: pd.Series,
    codes: np.ndarray,
    parsed: list[Parsed],
    severity: str = WARNING,
    **fields: Any,
) -> None:
    """Count corrections and record errors of one parsed column."""
    if not parsed:
        return
    counts = np.bincount(codes[codes >= 0], minlength=len(parsed))
    errors: dict[str, list[int]] = {}
    for i, (_value, correction, error) in enumerate(parsed):
        if correction and correction != "tranche":
            ctx.corrections[correction] += int(counts[i])
        if error:
            errors.setdefault(error, []).append(i)
    raw_values = raw.to_numpy(dtype=object)
    for error, idx in errors.items():
        positions = np.flatnonzero(np.isin(codes, idx))
        ctx.collector.add(positions, column, raw_values[positions], error, severity, **fields)


def categorical(values: np.ndarray, var: Variable) -> pd.Series:
    """Codes (or None) → categorical over the variable's codes (anything else → missing)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return _categorical_from(codes, list(uniques), var)


def _categorical_from(codes: np.ndarray, uniques: list[Any], var: Variable) -> pd.Series:
    """Categorical of the rows whose value is ``uniques[codes[i]]`` (−1: missing)."""
    categories = list(var.all_codes)
    position = {c: i for i, c in enumerate(categories)}
    table = np.array(
        [position.get(u, -1) if isinstance(u, str) else -1 for u in uniques] + [-1], dtype=np.int64
    )
    dtype = pd.CategoricalDtype(categories=categories)
    return pd.Series(pd.Categorical.from_codes(table[codes], dtype=dtype))


def clean_coded(ctx: CleanContext, column: str, var: Variable) -> pd.Series:
    raw = ctx.frame[column]
    table = _code_table(var)
    _values, codes, parsed = per_unique(
        raw, lambda v: recode_value(v, var, table), ctx.factorize(column)
    )
    severity = BLOCKING if var.required else WARNING
    record(ctx, column, raw, codes, parsed, severity, choices=ctx.choices(var))
    return _categorical_from(codes, [p[0] for p in parsed], var)


def clean_text(ctx: CleanContext, column: str) -> pd.Series:
    raw = ctx.frame[column]
    obj = raw.to_numpy(dtype=object)
    if len(obj) and pd.api.types.infer_dtype(obj, skipna=True) == "string":
        # text only (the usual case: identifiers, comments): stripped in one pass
        present = ~pd.isna(obj)
        out = np.full(len(obj), None, dtype=object)
        stripped = (
            pd.Series(obj[present], dtype=object).str.strip().to_numpy(dtype=object, copy=True)
        )
        stripped[stripped == ""] = None
        out[present] = stripped
        return pd.Series(out, dtype="string")
    values, _codes, _parsed = per_unique(
        raw, lambda v: _BLANK if _is_blank(v) else (_as_text(v), None, None)
    )
    return pd.Series(values, dtype="string")


def _bounds_text(var: Variable, language: str) -> str:
    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if var.min is not None and var.max is not None:
        return (
            f"{fmt(var.min)} à {fmt(var.max)}"
            if language == "fr"
            else f"{fmt(var.min)} to {fmt(var.max)}"
        )
    if var.min is not None:
        return f"≥ {fmt(var.min)}"
    return f"≤ {fmt(var.max)}"  # type: ignore[arg-type]


def clean_number(
    ctx: CleanContext, column: str, var: Variable
) -> tuple[pd.Series, np.ndarray | None]:
    """The cleaned numbers, and (for a headcount) the band of each row or None."""
    raw = ctx.frame[column]
    integer = var.type == "int"
    bands = var.name == "effectif"
    values, codes, parsed = per_unique(
        raw, lambda v: parse_number(v, integer=integer, bands=bands), ctx.factorize(column)
    )
    record(ctx, column, raw, codes, parsed)
    band_rows = None
    if bands:
        is_band = np.array([isinstance(v, tuple) for v in values], dtype=bool)
        if is_band.any():
            band_rows = np.full(len(values), None, dtype=object)
            band_rows[is_band] = values[is_band]
            values = values.copy()
            values[is_band] = None
    dtype = "Int64" if integer else "Float64"
    numbers = pd.Series(pd.array(list(values), dtype=dtype))
    bad = pd.Series(False, index=numbers.index)
    if var.min is not None:
        bad |= (numbers < var.min).fillna(False)
    if var.max is not None:
        bad |= (numbers > var.max).fillna(False)
    if bad.any():
        positions = np.flatnonzero(bad.to_numpy())
        ctx.collector.add(
            positions,
            column,
            raw.to_numpy(dtype=object)[positions],
            "hors_plage",
            bounds=_bounds_text(var, ctx.language),
        )
        numbers[bad] = pd.NA
    return numbers, band_rows


def clean_date(ctx: CleanContext, column: str) -> pd.Series:
    raw = ctx.frame[column]
    today = dt.date.today()
    values, codes, parsed = per_unique(
        raw, lambda v: parse_date(v, today=today), ctx.factorize(column)
    )
    record(ctx, column, raw, codes, parsed)
    dates = pd.Series(pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")).astype(
        "datetime64[ns]"
    )
    limit = pd.Timestamp(today) + pd.Timedelta(days=1)
    # an anonymised survey's placeholder (LimeSurvey: 1980-01-01) is no date, not a warning
    placeholder = (dates.dt.normalize() == PLACEHOLDER_DATE).fillna(False)
    if placeholder.any():
        ctx.corrections["date_anonymisee_vers_vide"] += int(placeholder.sum())
        dates[placeholder] = pd.NaT
    bad = ((dates < DATE_MIN) | (dates >= limit)).fillna(False)
    if bad.any():
        positions = np.flatnonzero(bad.to_numpy())
        ctx.collector.add(
            positions,
            column,
            dates.to_numpy()[positions].astype("datetime64[D]").astype(str),
            "date_improbable",
        )
        dates[bad] = pd.NaT
    return dates


def _flag_table(var: Variable) -> dict[str, str]:
    table = {}
    for option, label in var.options.items():
        for text in (option, label.fr, label.en):
            table[normalise_text(text)] = option
    return table


def parse_flag(value: object, option_key: set[str]) -> Parsed:
    if _is_blank(value):
        return _BLANK
    if isinstance(value, bool | np.bool_):
        return int(bool(value)), None, None
    if isinstance(value, int | float | np.integer | np.floating):
        if value == 1:
            return 1, None, None
        if value == 0:
            return 0, None, None
        return None, None, "code_inconnu"
    key = normalise_text(value)
    if key in ("1", "0"):
        return int(key), None, None
    if key in YES_WORDS or key in ("coche", "checked", "selected", "✓", "✔"):
        return 1, "case_cochee_vers_1", None
    if key in NO_WORDS or key in ("non coche", "not selected"):
        return 0, "case_vers_0", None
    if key in option_key:
        return 1, "libelle_vers_code", None
    if key in NSP_WORDS:
        return None, "nsp_vers_vide", None
    return None, None, "code_inconnu"


def _split_multi(
    text: str, var: Variable, pattern: re.Pattern[str], table: dict[str, str]
) -> Parsed:
    """One cell listing options → (tuple of options or "none", correction, unknown pieces)."""
    key = normalise_text(str(text).replace("\n", ";").replace("\r", ";"))
    if not key:
        return _BLANK
    if key in NSP_WORDS:
        return None, "nsp_vers_vide", None
    if key in NONE_WORDS:
        return (), "multi_aucune", None
    found = [table[m.group(1)] for m in pattern.finditer(key)]
    rest = pattern.sub(";", key)
    unknown = []
    for piece in re.split(r"[;,|]", rest):
        piece = piece.strip(" .")
        if not piece:
            continue
        if piece in table:
            found.append(table[piece])
        elif piece in NONE_WORDS:
            continue
        else:
            unknown.append(piece)
    return tuple(dict.fromkeys(found)), None, "|".join(unknown) if unknown else None


def clean_multi(ctx: CleanContext, var: Variable) -> dict[str, pd.Series]:
    n = len(ctx.frame)
    options = list(var.options)
    matrix = np.full((n, len(options)), -1, dtype=np.int8)  # -1 = missing
    answered = np.zeros(n, dtype=bool)
    option_table = _flag_table(var)
    for j, option in enumerate(options):
        column = f"{var.name}__{option}"
        if column not in ctx.frame:
            continue
        raw = ctx.frame[column]
        own = {
            normalise_text(option),
            *(normalise_text(t) for t in (var.options[option].fr, var.options[option].en)),
        }
        values, codes, parsed = per_unique(
            raw, functools.partial(parse_flag, option_key=own), ctx.factorize(column)
        )
        record(ctx, column, raw, codes, parsed, choices="Oui, Non, x, 1, 0")
        flags = np.array([-1 if v is None else v for v in values], dtype=np.int8)
        matrix[:, j] = flags
        answered |= ~blank_column(raw, ctx.factorize(column))
    if var.name in ctx.frame:
        raw = ctx.frame[var.name]
        alternatives = sorted(option_table, key=len, reverse=True)
        pattern = re.compile(
            r"(?:^|(?<=[;,|]))\s*("
            + "|".join(re.escape(a) for a in alternatives)
            + r")\s*(?=[;,|]|$)"
        )
        values, codes, parsed = per_unique(
            raw,
            lambda v: _BLANK if _is_blank(v) else _split_multi(str(v), var, pattern, option_table),
            ctx.factorize(var.name),
        )
        counts = np.bincount(codes[codes >= 0], minlength=len(parsed))
        unknown_idx: dict[int, str] = {}
        for i, (value, correction, unknown) in enumerate(parsed):
            if correction:
                ctx.corrections[correction] += int(counts[i])
            if unknown:
                unknown_idx[i] = unknown
            if value:
                ctx.corrections["multi_une_cellule"] += int(counts[i])
        if unknown_idx:
            positions = np.flatnonzero(np.isin(codes, list(unknown_idx)))
            pieces = [unknown_idx[c] for c in codes[positions]]
            ctx.collector.add(
                positions, var.name, pieces, "code_inconnu", choices=ctx.option_choices(var)
            )
        index = {o: j for j, o in enumerate(options)}
        cell = np.zeros((len(parsed) + 1, len(options)), dtype=np.int8)
        filled = np.zeros(len(parsed) + 1, dtype=bool)
        for i, (value, _c, unknown) in enumerate(parsed):
            if value is not None or unknown:
                filled[i] = True
            for option in value or ():
                cell[i, index[option]] = 1
        rows = cell[codes]
        row_filled = filled[codes]
        matrix = np.where(row_filled[:, None], np.maximum(matrix, rows), matrix)
        answered |= row_filled
    # answered questions: blank options are 0; unanswered: all missing
    matrix = np.where(answered[:, None] & (matrix < 0), 0, matrix)
    out = {}
    for j, option in enumerate(options):
        col = matrix[:, j]
        series = pd.Series(pd.array(np.where(col < 0, 0, col), dtype="Int8"))
        series[col < 0] = pd.NA
        out[f"{var.name}__{option}"] = series
    return out


def map_unique(series: pd.Series, fn: Callable[[object], Any], missing: Any = None) -> np.ndarray:
    """``fn`` of each distinct value of ``series``, spread back to the rows (missing → ``missing``)."""
    obj = series.to_numpy(dtype=object)
    codes, uniques = pd.factorize(obj, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        table[i] = fn(u)
    table[-1] = missing
    return table[codes]


def _unique_spread(raw: pd.Series, fn: Callable[[object], Any]) -> np.ndarray:
    """``fn`` applied to each distinct value of ``raw``, spread back to the rows."""
    obj = raw.to_numpy(dtype=object)
    codes, uniques = pd.factorize(obj, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        table[i] = u
    table[-1] = None
    return table[codes]


def blank_column(
    series: pd.Series, factorized: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Rows whose cell is blank (missing, empty or spaces)."""
    codes, uniques = factorized if factorized is not None else factorize(series)
    table = np.array([_is_blank(u) for u in uniques] + [True], dtype=bool)
    return table[codes]


def clean_columns(ctx: CleanContext) -> tuple[dict[str, pd.Series], np.ndarray | None]:
    """Every dictionary column of the frame parsed per its type (confidential text left out),
    and the rows whose headcount was a size band (``None`` when there is none)."""
    frame = ctx.frame
    coded: dict[str, pd.Series] = {}
    band_rows: np.ndarray | None = None
    for var in ctx.dictionary:
        if var.type == "multi":
            if any(c in frame for c in [var.name, *var.columns()]):
                coded.update(clean_multi(ctx, var))
            continue
        for column in var.columns():
            if column not in frame:
                continue
            if var.name == "naf_code":
                values, codes, parsed = per_unique(frame[column], parse_naf, ctx.factorize(column))
                record(ctx, column, frame[column], codes, parsed)
                coded[column] = pd.Series(values, dtype="string")
            elif var.is_coded:
                coded[column] = clean_coded(ctx, column, var)
            elif var.type in ("int", "float"):
                coded[column], bands = clean_number(ctx, column, var)
                if bands is not None:
                    band_rows = bands
            elif var.type == "date":
                coded[column] = clean_date(ctx, column)
            elif var.type == "bool":
                values, codes, parsed = per_unique(
                    frame[column], lambda v: parse_flag(v, set()), ctx.factorize(column)
                )
                record(ctx, column, frame[column], codes, parsed, choices="Oui, Non, 1, 0")
                coded[column] = pd.Series(pd.array(list(values), dtype="Int8"))
            elif var.privacy == "confidential" and var.type == "text":
                continue  # names and e-mails: never written, nothing derived from them
            else:
                coded[column] = clean_text(ctx, column)
    return coded, band_rows
