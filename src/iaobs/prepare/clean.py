"""Mapped frame → coded frame: codes, numbers, dates, NAF → secteur, effectif → taille, 0/1.

Pure functions: a mapped frame (columns named after the dictionary, cells as read, provenance
columns ``_source_file``, ``_source_sheet``, ``_source_row``) goes in, a :class:`CleanResult`
comes out. Nothing is read or written here. Work is vectorised: each column's *distinct*
values are interpreted once, then spread back to the rows.

Rules, per variable type (each correction is counted, per rule, in ``quality["corrections"]``):

* **Codes** (cat, ord, bool with a scale, matrix items): a code or a French/English label,
  insensitive to case, accents, spaces and apostrophes (``libelle_vers_code``); a label's prefix
  or tail (``"1 - Pas du tout à l'aise"``, ``"1"``); ``Oui/O/Y/Yes/1/x`` and ``Non/N/No/0`` on
  yes/no lists; NSP variants (``NSP``, ``ne sait pas``, ``Je ne sais pas``, ``Don't know``) →
  ``nsp`` where the variable has that code (``nsp_normalise``); ``2``, ``2.0``, ``"2"`` → ``02``
  for départements (``departement_zero``). An unknown value is a ``code_inconnu`` finding: a
  warning with the cell emptied, or blocking (row rejected) for a required variable.
* **Numbers**: ``1 250`` with a space, no-break space or narrow no-break space
  (``espace_milliers``); decimal comma ``3,5`` (``virgule_decimale``). In an *integer* column
  ``1.250`` and ``1,250`` (groups of exactly three digits) are read as 1 250
  (``separateur_milliers``): a count cannot be 1.25; in a decimal column they are 1.25.
  Integer columns reject non-integers (``nombre_non_entier``). NSP in a number column is an
  empty cell (``nsp_vers_vide``). ``effectif`` also accepts size bands (``10 à 49``,
  ``10-49``, ``250 à 499 salariés``, ``5000 et plus``, ``moins de 10``): the headcount stays
  empty and, when the band lies inside one size class, ``taille`` is derived from it
  (``taille_depuis_tranche``); otherwise a ``tranche_effectif`` warning. A value outside the
  dictionary's min/max (a negative headcount) is a ``hors_plage`` *warning* and the cell is
  emptied: the rest of the answer is still usable. Planned AI hires above the headcount are
  ``valeur_incoherente`` (cell emptied).
* **Dates**: ISO text, ``dd/mm/yyyy``, ``dd/mm/yy`` (20yy unless that is in the future),
  ``12 mars 2019``, datetime objects, Excel serial numbers (1900 system: days since 1899-12-30,
  accepted between 20 000 and 80 000; ``date_serie_excel``). A date before 2000 or after today
  is a ``date_improbable`` warning and the cell is emptied, except the placeholder of an
  anonymised LimeSurvey survey (1980-01-01), emptied with one correction count
  (``date_anonymisee_vers_vide``).
* **NAF**: ``6920Z``, ``69.20z``, `` 69 20 Z`` → ``69.20Z`` (``naf_normalise``); anything else
  is ``naf_invalide`` (cell emptied).
* **secteur**: a code or label of the study's sectors; when absent, the file's stated sector
  (``stated_sector``: the ``sector =`` of the source in study.toml, ``secteur_depuis_source``),
  else the sector of the NAF code (``secteur_depuis_naf``; a NAF outside every sector derives
  nothing). A NAF whose sector differs from the answered or stated sector is a
  ``naf_secteur_incoherent`` warning; the answered/stated sector is kept. An unknown sector
  label is blocking.
* **taille**: a code or label, or derived from ``effectif`` (``taille_depuis_effectif``); when
  both are given and disagree, ``effectif`` wins (it is the more precise answer):
  ``taille_effectif_incoherente`` warning and ``taille`` corrected.
* **multi**: either one column per option or one cell listing the options (joined by ``;``,
  ``,``, ``|`` or a new line; the longest known labels are matched first, so labels that contain
  a comma survive, then the rest is split). Option cells ``Oui/x/1/Y/Yes/True`` or the option's
  own label → 1, ``Non/0/N/No/False`` → 0. A question whose cells are all blank is *not
  answered*: every option is missing. If at least one cell of the question is filled, the blank
  options are 0. In one cell, ``Aucune``/``None`` means answered with no option (all 0).
* **ia_usage** (derived): 1 if any ``techno__*`` is 1, 0 if all are 0, missing otherwise.
* **id_repondant**: when absent, built from the file name and the source row
  (``banque-L12``, ``id_construit``); then replaced by its pseudonym (see :mod:`iaobs.prepare.privacy`).

Rows: a row with no answer in any question column (only identification or free text, e.g. a
``Source : …`` note or a ``Total`` line) is rejected as ``ligne_sans_reponse``; a row missing a
required variable after derivation (``secteur``, ``taille``; ``id_participant``, ``vague``) is
rejected as ``obligatoire_manquant``. Rejected rows are never dropped silently: they are in
``rejects`` with their reasons, and rows read = rows kept + rows rejected.

Storage follows the table in :mod:`iaobs.study.dictionary`: categoricals hold the codes in dictionary
order (levels, then missing codes; unordered: drop missing codes before comparing levels).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.contract import OUT_OF_SCOPE
from iaobs.errors import ConfigError
from iaobs.prepare.privacy import (
    DEFAULT_KEY,
    confidential_columns,
    normalise_siren,
    pseudonymise,
    resolve_duplicates,
    siren_is_valid,
)
from iaobs.prepare.validate import (
    BLOCKING,
    WARNING,
    FindingCollector,
    check_required,
    check_unique_pairs,
    check_waves,
    empty_findings,
    findings_summary,
    ordered_rules,
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
    "OUT_OF_SCOPE",
    "PROVENANCE",
    "CleanResult",
    "clean_responses",
    "parse_date",
    "parse_naf",
    "parse_number",
    "recode_value",
    "rejected_counts",
    "resolve_result_duplicates",
]

PROVENANCE = ["_source_file", "_source_sheet", "_source_row"]

#: How a sector cell says :data:`~iaobs.core.contract.OUT_OF_SCOPE` (folded, spaces as ``_``).
OUT_OF_SCOPE_WORDS = frozenset(
    {"hors_champ", "out_of_scope", "ausserhalb_des_untersuchungsbereichs"}
)
_NOTE_ROW = re.compile(r"^(total|sous-total|source|sources|note|notes|lecture|champ)(\s|:|$)")


@dataclass
class CleanResult:
    """The outcome of cleaning: what is kept, what is rejected and why, and the counts.

    Attributes
    ----------
    responses
        Accepted rows: the dictionary's non-confidential columns (stored as in
        :mod:`iaobs.study.dictionary`) plus ``_source_file``, ``_source_sheet``, ``_source_row``.
    rejects
        Rejected source rows: provenance, ``reasons`` (French or English text), ``rules``
        (rule codes joined by ``,``) and the non-confidential cells as read (text).
    findings
        The findings table (see :mod:`iaobs.prepare.validate`).
    quality
        ``read``, ``kept``, ``rejected``, ``corrections`` {rule: cells},
        ``findings`` {rule: {severity: n}}, ``rejected_by_rule`` {rule: rows}.
    """

    responses: pd.DataFrame
    rejects: pd.DataFrame
    findings: pd.DataFrame
    quality: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Column machinery


@dataclass
class _Context:
    frame: pd.DataFrame
    dictionary: Dictionary
    collector: FindingCollector
    corrections: Counter[str]
    language: str
    factorized: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def factorize(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``_factorize`` of a column of the frame, computed once."""
        if column not in self.factorized:
            self.factorized[column] = _factorize(self.frame[column])
        return self.factorized[column]

    def choices(self, var: Variable, limit: int = 8) -> str:
        labels = [label.get(self.language) for label in var.all_codes.values()]
        text = ", ".join(labels[:limit])
        return text + (", …" if len(labels) > limit else "")

    def option_choices(self, var: Variable, limit: int = 8) -> str:
        labels = [label.get(self.language) for label in var.options.values()]
        text = " ; ".join(labels[:limit])
        return text + (" ; …" if len(labels) > limit else "")


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, distinct values); missing cells get code −1."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _per_unique(
    values: pd.Series,
    parse: Callable[[object], Parsed],
    factorized: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Parsed]]:
    """Parse each distinct value once; returns (values per row, codes per row, parsed uniques).

    Missing cells get code -1 and value None. ``factorized``: ``_factorize(values)`` when
    already known.
    """
    codes, uniques = factorized if factorized is not None else _factorize(values)
    parsed = [parse(u) for u in uniques]
    table = np.empty(len(parsed) + 1, dtype=object)
    for i, item in enumerate(parsed):
        table[i] = item[0]
    table[-1] = None
    return table[codes], codes, parsed


def _record(
    ctx: _Context,
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


def _categorical(values: np.ndarray, var: Variable) -> pd.Series:
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


def _clean_coded(ctx: _Context, column: str, var: Variable) -> pd.Series:
    raw = ctx.frame[column]
    table = _code_table(var)
    _values, codes, parsed = _per_unique(
        raw, lambda v: recode_value(v, var, table), ctx.factorize(column)
    )
    severity = BLOCKING if var.required else WARNING
    _record(ctx, column, raw, codes, parsed, severity, choices=ctx.choices(var))
    return _categorical_from(codes, [p[0] for p in parsed], var)


def _clean_text(ctx: _Context, column: str) -> pd.Series:
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
    values, _codes, _parsed = _per_unique(
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


def _clean_number(ctx: _Context, column: str, var: Variable) -> tuple[pd.Series, np.ndarray | None]:
    """The cleaned numbers, and (for a headcount) the band of each row or None."""
    raw = ctx.frame[column]
    integer = var.type == "int"
    bands = var.name == "effectif"
    values, codes, parsed = _per_unique(
        raw, lambda v: parse_number(v, integer=integer, bands=bands), ctx.factorize(column)
    )
    _record(ctx, column, raw, codes, parsed)
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


def _clean_date(ctx: _Context, column: str) -> pd.Series:
    raw = ctx.frame[column]
    today = dt.date.today()
    values, codes, parsed = _per_unique(
        raw, lambda v: parse_date(v, today=today), ctx.factorize(column)
    )
    _record(ctx, column, raw, codes, parsed)
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


def _parse_flag(value: object, option_key: set[str]) -> Parsed:
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


def _clean_multi(ctx: _Context, var: Variable) -> dict[str, pd.Series]:
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
        values, codes, parsed = _per_unique(
            raw, functools.partial(_parse_flag, option_key=own), ctx.factorize(column)
        )
        _record(ctx, column, raw, codes, parsed, choices="Oui, Non, x, 1, 0")
        flags = np.array([-1 if v is None else v for v in values], dtype=np.int8)
        matrix[:, j] = flags
        answered |= ~_blank_column(raw, ctx.factorize(column))
    if var.name in ctx.frame:
        raw = ctx.frame[var.name]
        alternatives = sorted(option_table, key=len, reverse=True)
        pattern = re.compile(
            r"(?:^|(?<=[;,|]))\s*("
            + "|".join(re.escape(a) for a in alternatives)
            + r")\s*(?=[;,|]|$)"
        )
        values, codes, parsed = _per_unique(
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


def _map_unique(series: pd.Series, fn: Callable[[object], Any], missing: Any = None) -> np.ndarray:
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


# --------------------------------------------------------------------------------------------
# The cleaner


def _provenance(frame: pd.DataFrame, file: str | None, sheet: str | None) -> pd.DataFrame:
    n = len(frame)
    out = pd.DataFrame(index=frame.index)
    out["_source_file"] = (
        frame["_source_file"].astype("object").to_numpy()
        if "_source_file" in frame
        else np.full(n, file or "", dtype=object)
    )
    out["_source_sheet"] = (
        frame["_source_sheet"].astype("object").to_numpy()
        if "_source_sheet" in frame
        else np.full(n, sheet, dtype=object)
    )
    if "_source_row" in frame:
        rows = pd.to_numeric(frame["_source_row"], errors="coerce")
        fallback = np.arange(2, n + 2)
        out["_source_row"] = np.where(rows.isna(), fallback, rows.fillna(0)).astype(np.int64)
    else:  # header on row 1, data from row 2
        out["_source_row"] = np.arange(2, n + 2, dtype=np.int64)
    out["_source_file"] = _map_unique(out["_source_file"], str, "")
    return out


def _blank_mask(ctx: _Context, columns: Iterable[str]) -> np.ndarray:
    """Rows where every one of ``columns`` is blank."""
    frame = ctx.frame
    mask = np.ones(len(frame), dtype=bool)
    for column in columns:
        if column in frame:
            mask &= _blank_column(frame[column], ctx.factorize(column))
    return mask


def _blank_column(
    series: pd.Series, factorized: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    codes, uniques = factorized if factorized is not None else _factorize(series)
    table = np.array([_is_blank(u) for u in uniques] + [True], dtype=bool)
    return table[codes]


def clean_responses(
    mapped: pd.DataFrame,
    dictionary: Dictionary,
    *,
    stated_sector: str | None = None,
    language: str = "fr",
    key: bytes | None = None,
    file: str | None = None,
    sheet: str | None = None,
    resolve_duplicates: bool = True,
) -> CleanResult:
    """Clean a mapped frame into coded responses, rejects, findings and quality counts.

    Parameters
    ----------
    mapped
        Columns named after the dictionary (plain variables, ``VAR__OPTION`` columns, or a
        multi question in one cell under its own name), cells as read; optional provenance
        columns ``_source_file``, ``_source_sheet``, ``_source_row`` (else ``file``, ``sheet``
        and row = position + 2). Other columns are ignored.
    dictionary
        The questionnaire (``study.dictionary`` or ``study.training_dictionary``).
    stated_sector
        The sector the whole file belongs to (``sector =`` of the source in study.toml).
    language
        ``fr`` or ``en``: language of the findings' messages and of the rejects' reasons.
    key
        Key of the pseudonymous identifiers (``study.pseudonym_key()``); a fixed, non-secret
        key when None.
    resolve_duplicates
        Keep one response per company (see :mod:`iaobs.prepare.privacy`); the pipeline turns this off
        and resolves duplicates once across every file.

    Returns
    -------
    CleanResult
        ``quality["read"] == quality["kept"] + quality["rejected"]`` always holds.
    """
    if stated_sector is not None and stated_sector not in dictionary.sectors:
        raise ConfigError(
            f"secteur déclaré inconnu « {stated_sector} »",
            hint="secteurs : " + ", ".join(dictionary.sectors),
        )
    frame = mapped.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    n = len(frame)
    frame, out_of_scope = _out_of_scope(frame)
    prov = _provenance(frame, file, sheet)
    collector = FindingCollector(dictionary, language)
    ctx = _Context(frame, dictionary, collector, Counter(), language)
    coded: dict[str, pd.Series] = {}
    band_rows: np.ndarray | None = None

    for var in dictionary:
        if var.type == "multi":
            if any(c in frame for c in [var.name, *var.columns()]):
                coded.update(_clean_multi(ctx, var))
            continue
        for column in var.columns():
            if column not in frame:
                continue
            if var.name == "naf_code":
                values, codes, parsed = _per_unique(frame[column], parse_naf, ctx.factorize(column))
                _record(ctx, column, frame[column], codes, parsed)
                coded[column] = pd.Series(values, dtype="string")
            elif var.is_coded:
                coded[column] = _clean_coded(ctx, column, var)
            elif var.type in ("int", "float"):
                coded[column], bands = _clean_number(ctx, column, var)
                if bands is not None:
                    band_rows = bands
            elif var.type == "date":
                coded[column] = _clean_date(ctx, column)
            elif var.type == "bool":
                values, codes, parsed = _per_unique(
                    frame[column], lambda v: _parse_flag(v, set()), ctx.factorize(column)
                )
                _record(ctx, column, frame[column], codes, parsed, choices="Oui, Non, 1, 0")
                coded[column] = pd.Series(pd.array(list(values), dtype="Int8"))
            elif var.privacy == "confidential" and var.type == "text":
                continue  # names and e-mails: never written, nothing derived from them
            else:
                coded[column] = _clean_text(ctx, column)

    _derive_sector(ctx, coded, stated_sector)
    _derive_size(ctx, coded, band_rows)
    _check_hires(ctx, coded, band_rows)
    if "ia_usage" in dictionary and "techno" in dictionary:
        techno = [coded[c] for c in dictionary["techno"].columns() if c in coded]
        if techno:
            block = pd.concat(techno, axis=1)
            any_one = (block == 1).any(axis=1)
            all_zero = (block == 0).fillna(False).all(axis=1)
            usage = pd.Series(pd.array([pd.NA] * n, dtype="Int8"))
            usage[all_zero.to_numpy()] = 0
            usage[any_one.to_numpy()] = 1
            stated = coded.get("ia_usage")  # a yes/no question asked as such wins
            coded["ia_usage"] = usage if stated is None else stated.fillna(usage)

    # rows without any answer to a question (notes, totals)
    question_cols = [
        c
        for var in dictionary
        if var.type not in ("id", "text") and var.privacy != "confidential" and not var.derived
        for c in ([*var.columns(), var.name] if var.type == "multi" else var.columns())
    ]
    no_answer = _blank_mask(ctx, question_cols)
    id_var = (
        "id_repondant"
        if "id_repondant" in dictionary
        else ("id_participant" if "id_participant" in dictionary else None)
    )
    if id_var and id_var in frame:
        ids = frame[id_var].astype("object")
        is_text = _map_unique(ids, lambda v: isinstance(v, str), False).astype(bool)
        text = ids.where(is_text).astype("string").str.strip().str.lower()
        no_answer |= text.str.match(_NOTE_ROW.pattern).fillna(False).to_numpy(dtype=bool)
    collector.add(np.flatnonzero(no_answer), id_var or "", None, "ligne_sans_reponse", BLOCKING)

    if "vague" in coded:
        frame_for_waves = pd.DataFrame(coded)
        check_waves(frame_for_waves, dictionary, collector, raw=frame)
        for column in frame_for_waves:
            coded[column] = frame_for_waves[column]

    _identify(ctx, coded, prov, key or DEFAULT_KEY, no_answer)

    responses = _assemble(coded, dictionary, n)
    check_required(responses, dictionary, collector, skip=no_answer)
    result = _split_rows(
        ctx, responses, prov, collector.frame(prov), no_answer=no_answer, out_of_scope=out_of_scope
    )
    if resolve_duplicates:
        result = resolve_result_duplicates(result, dictionary, language=language)
    _finish_quality(result)
    return result


def _split_rows(
    ctx: _Context,
    responses: pd.DataFrame,
    prov: pd.DataFrame,
    findings: pd.DataFrame,
    *,
    no_answer: np.ndarray,
    out_of_scope: np.ndarray,
) -> CleanResult:
    """Kept rows, rejected rows (a blocking finding, or no answer at all) and rows out of
    the study's field (neither: counted apart, their findings dropped)."""
    n = len(responses)
    if no_answer.any():  # a note or total line: one finding says it all
        noise = no_answer[findings["_pos"].to_numpy()] & (findings["rule"] != "ligne_sans_reponse")
        findings = findings[~noise.to_numpy()].reset_index(drop=True)
    if out_of_scope.any():
        findings = findings[~out_of_scope[findings["_pos"].to_numpy()]].reset_index(drop=True)
    blocked = np.zeros(n, dtype=bool)
    if not findings.empty:
        blocked[findings.loc[findings["severity"] == BLOCKING, "_pos"].to_numpy()] = True
    blocked = (blocked | no_answer) & ~out_of_scope
    keep = ~blocked & ~out_of_scope
    rejects = _rejects(ctx.frame, prov, findings, blocked, ctx.dictionary)
    kept = pd.concat(
        [responses[keep].reset_index(drop=True), prov[keep].reset_index(drop=True)], axis=1
    )
    return CleanResult(
        responses=kept,
        rejects=rejects,
        findings=findings.drop(columns="_pos"),
        quality={
            "read": n,
            "out_of_scope": int(out_of_scope.sum()),
            "corrections": {k: v for k, v in sorted(ctx.corrections.items()) if v},
        },
    )


def _out_of_scope(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows whose sector says :data:`OUT_OF_SCOPE` (the partner's mapping sends a sector
    the study does not cover there), and the frame with that cell emptied."""
    n = len(frame)
    if "secteur" not in frame:
        return frame, np.zeros(n, dtype=bool)
    mask = _map_unique(
        frame["secteur"],
        lambda v: isinstance(v, str) and normalise_text(v).replace(" ", "_") in OUT_OF_SCOPE_WORDS,
        False,
    ).astype(bool)
    if mask.any():
        frame = frame.copy(deep=False)
        frame["secteur"] = frame["secteur"].astype(object).where(~mask, None)
    return frame, mask


def _objects(series: pd.Series | None, n: int) -> np.ndarray:
    """An object array of the values of ``series``, None where missing (all None without it)."""
    out: np.ndarray = np.full(n, None, dtype=object)
    if series is not None:
        values = series.astype("object").to_numpy()
        present = ~pd.isna(values)
        out[present] = values[present]
    return out


def _derive_sector(ctx: _Context, coded: dict[str, pd.Series], stated: str | None) -> None:
    dictionary = ctx.dictionary
    if "secteur" not in dictionary:
        return
    n = len(ctx.frame)
    var = dictionary["secteur"]
    sector = coded.get("secteur")
    values = _objects(sector, n)
    answered_raw = (
        ~_blank_column(ctx.frame["secteur"], ctx.factorize("secteur"))
        if "secteur" in ctx.frame
        else np.zeros(n, dtype=bool)
    )
    if stated is not None:
        fill = (values == None) & ~answered_raw  # noqa: E711 - elementwise
        values[fill] = stated
        ctx.corrections["secteur_depuis_source"] += int(fill.sum())
    naf = coded.get("naf_code")
    if naf is not None:
        naf_values = _objects(naf, n)
        uniques = {v for v in naf_values if v is not None}
        naf_sector = {v: dictionary.sector_for_naf(v) for v in uniques}
        derived = np.array(
            [naf_sector.get(v) if v is not None else None for v in naf_values], dtype=object
        )
        fill = (values == None) & ~answered_raw & (derived != None) & (derived != "autre")  # noqa: E711
        values[fill] = derived[fill]
        ctx.corrections["secteur_depuis_naf"] += int(fill.sum())
        conflict = (values != None) & (derived != None) & (values != derived) & ~fill  # noqa: E711
        if conflict.any():
            positions = np.flatnonzero(conflict)

            def name(code: object) -> str:
                if code == "autre":
                    return "autre" if ctx.language == "fr" else "other"
                return dictionary.code_label("secteur", str(code), ctx.language)

            ctx.collector.add(
                positions,
                "naf_code",
                naf_values[positions],
                "naf_secteur_incoherent",
                naf_sector=[name(c) for c in derived[positions]],
                sector=[name(c) for c in values[positions]],
            )
    coded["secteur"] = _categorical(values, var)


def _derive_size(ctx: _Context, coded: dict[str, pd.Series], bands: np.ndarray | None) -> None:
    dictionary = ctx.dictionary
    if "taille" not in dictionary:
        return
    n = len(ctx.frame)
    var = dictionary["taille"]
    size = coded.get("taille")
    values = _objects(size, n)
    effectif = coded.get("effectif")
    if effectif is not None:
        counts = effectif.to_numpy(dtype="float64", na_value=np.nan)
        derived = np.full(n, None, dtype=object)
        for sc in dictionary.size_classes.values():
            upper = np.inf if sc.max is None else sc.max
            derived[(counts >= sc.min) & (counts <= upper)] = sc.code
        fill = (values == None) & (derived != None)  # noqa: E711
        values[fill] = derived[fill]
        ctx.corrections["taille_depuis_effectif"] += int(fill.sum())
        conflict = (values != None) & (derived != None) & (values != derived)  # noqa: E711
        if conflict.any():
            positions = np.flatnonzero(conflict)
            raw = ctx.frame["taille"].to_numpy(dtype=object)[positions]
            ctx.collector.add(
                positions,
                "taille",
                raw,
                "taille_effectif_incoherente",
                effectif=[str(int(c)) for c in counts[positions]],
                derived=[
                    dictionary.code_label("taille", d, ctx.language) for d in derived[positions]
                ],
            )
            values[conflict] = derived[conflict]
            ctx.corrections["taille_corrigee_par_effectif"] += int(conflict.sum())
    if bands is not None:
        rows = np.flatnonzero(np.array([b is not None for b in bands]))
        ok, ambiguous = [], []
        for pos in rows:
            _tag, low, high = bands[pos]
            fits = [
                sc.code
                for sc in dictionary.size_classes.values()
                if low >= sc.min and (sc.max is None or (high is not None and high <= sc.max))
            ]
            if len(fits) == 1:
                ok.append(pos)
                if values[pos] is not None and values[pos] != fits[0]:
                    ctx.corrections["taille_corrigee_par_effectif"] += 1
                values[pos] = fits[0]
            else:
                ambiguous.append(pos)
        ctx.corrections["taille_depuis_tranche"] += len(ok)
        raw_eff = ctx.frame["effectif"].to_numpy(dtype=object)
        if ctx.language == "fr":
            outcome_ok, outcome_bad = (
                "déduite de la tranche",
                "non déduite (tranche à cheval sur plusieurs tailles)",
            )
        else:
            outcome_ok, outcome_bad = (
                "derived from the band",
                "not derived (band spans several sizes)",
            )
        ctx.collector.add(ok, "effectif", raw_eff[ok], "tranche_effectif", outcome=outcome_ok)
        ctx.collector.add(
            ambiguous, "effectif", raw_eff[ambiguous], "tranche_effectif", outcome=outcome_bad
        )
    coded["taille"] = _categorical(values, var)


HIRES_CEILING = 10_000


def _check_hires(ctx: _Context, coded: dict[str, pd.Series], bands: np.ndarray | None) -> None:
    """Planted AI hires above the headcount (or its band), or above 10 000, are emptied."""
    hires = coded.get("recrutements_ia_12m")
    if hires is None:
        return
    n = len(hires)
    effectif = coded.get("effectif")
    limit = (
        effectif.to_numpy(dtype="float64", na_value=np.nan)
        if effectif is not None
        else np.full(n, np.nan)
    )
    from_band = np.zeros(n, dtype=bool)
    if bands is not None:
        for pos in np.flatnonzero(np.array([b is not None for b in bands])):
            if np.isnan(limit[pos]) and bands[pos][2] is not None:
                limit[pos] = bands[pos][2]
                from_band[pos] = True
    values = hires.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        over_staff = (values > limit) & (values > 10)
        over_ceiling = values > HIRES_CEILING
    bad = np.nan_to_num(over_staff | over_ceiling, nan=0).astype(bool)
    if bad.any():
        positions = np.flatnonzero(bad)
        fr = ctx.language == "fr"
        staff = (
            ("l'effectif ({})", "la tranche d'effectif (au plus {})")
            if fr
            else ("the headcount ({})", "the headcount band (at most {})")
        )
        other = [
            staff[int(from_band[p])].format(int(limit[p]))
            if not np.isnan(limit[p]) and values[p] > limit[p]
            else ("un plafond de 10 000 recrutements" if fr else "a ceiling of 10,000 hires")
            for p in positions
        ]
        raw = ctx.frame["recrutements_ia_12m"].to_numpy(dtype=object)[positions]
        ctx.collector.add(positions, "recrutements_ia_12m", raw, "valeur_incoherente", other=other)
        hires[bad] = pd.NA


def _identify(
    ctx: _Context,
    coded: dict[str, pd.Series],
    prov: pd.DataFrame,
    key: bytes,
    skip: np.ndarray,
) -> None:
    """Build missing source ids, check their uniqueness, and pseudonymise ``id_repondant``."""
    dictionary = ctx.dictionary
    n = len(ctx.frame)
    if "id_participant" in dictionary:
        check_unique_pairs(
            _masked(coded, ("id_participant", "vague"), skip),
            ["id_participant", "vague"],
            ctx.collector,
            "participant_vague_duplique",
        )
    if "id_repondant" not in dictionary:
        return
    ids = coded.get("id_repondant")
    ids = ids if ids is not None else pd.Series(pd.array([pd.NA] * n, dtype="string"))
    missing = ids.isna().to_numpy()
    if missing.any():
        stems = pd.Series(
            _map_unique(prov["_source_file"], lambda f: Path(str(f)).stem or "ligne", "ligne"),
            index=prov.index,
        )
        built = stems + "-L" + prov["_source_row"].astype(str)
        ids = ids.copy()
        ids[missing] = built[missing].to_numpy()
        ctx.corrections["id_construit"] += int((missing & ~skip).sum())
    files = pd.Series(
        _map_unique(prov["_source_file"], lambda f: Path(str(f)).name, ""), index=prov.index
    )
    dup = pd.DataFrame({"file": files, "id": ids.astype("object")})
    dup_mask = dup.duplicated(keep=False).to_numpy() & ~missing & ~skip
    if dup_mask.any():
        positions = np.flatnonzero(dup_mask)
        ctx.collector.add(positions, "id_repondant", ids.to_numpy()[positions], "id_duplique")
    basis = ("id:" + files + ":" + ids.astype(str)).astype("object")
    if "siren" in coded:
        digits = normalise_siren(coded["siren"])
        present = digits.notna().to_numpy()
        valid = siren_is_valid(digits).to_numpy()
        bad = present & ~valid & ~skip
        ctx.collector.add(np.flatnonzero(bad), "siren", [MASKED] * int(bad.sum()), "siren_invalide")
        nine = digits.str.fullmatch(r"\d{9}").fillna(False).to_numpy(dtype=bool)
        basis = basis.where(~nine, digits.astype("object"))
    coded["id_repondant"] = pseudonymise(basis, key, prefix="E")


MASKED = "***"


def _masked(coded: dict[str, pd.Series], columns: Iterable[str], skip: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({c: coded[c].astype("object") for c in columns if c in coded})
    if frame.empty:
        return frame
    frame.loc[skip] = None
    return frame


def _assemble(coded: dict[str, pd.Series], dictionary: Dictionary, n: int) -> pd.DataFrame:
    """The coded frame with every non-confidential dictionary column, stored per its type."""
    confidential = set(confidential_columns(dictionary))
    data: dict[str, Any] = {}
    for var in dictionary:
        for column in var.columns():
            if column in confidential:
                continue
            series = coded.get(column)
            if series is None:
                series = _empty_column(var, n)
            data[column] = series.reset_index(drop=True)
    return pd.DataFrame(data)


def _empty_column(var: Variable, n: int) -> pd.Series:
    if var.is_coded or var.name in ("secteur", "taille", "departement"):
        return _categorical(np.full(n, None, dtype=object), var)
    if var.is_flag:
        return pd.Series(pd.array([pd.NA] * n, dtype="Int8"))
    if var.type == "int":
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64"))
    if var.type == "float":
        return pd.Series(pd.array([pd.NA] * n, dtype="Float64"))
    if var.type == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    return pd.Series(pd.array([pd.NA] * n, dtype="string"))


def _rejects(
    frame: pd.DataFrame,
    prov: pd.DataFrame,
    findings: pd.DataFrame,
    blocked: np.ndarray,
    dictionary: Dictionary,
) -> pd.DataFrame:
    positions = np.flatnonzero(blocked)
    out = prov.iloc[positions].reset_index(drop=True)
    blocking = findings[findings["severity"] == BLOCKING]
    if len(positions):
        grouped = blocking.groupby("_pos", sort=False)
        reasons = grouped["message"].agg(" | ".join)
        rules = grouped["rule"].agg(lambda s: ",".join(ordered_rules(s)))
        out["reasons"] = reasons.reindex(positions).fillna("").to_numpy()
        out["rules"] = rules.reindex(positions).fillna("").to_numpy()
    else:
        out["reasons"] = pd.Series(dtype="object")
        out["rules"] = pd.Series(dtype="object")
    confidential = set(confidential_columns(dictionary))
    allowed = set(dictionary.columns()) | {v.name for v in dictionary if v.type == "multi"}
    for column in frame.columns:
        if column in allowed and column not in confidential:
            sub = frame[column].iloc[positions].reset_index(drop=True)
            out[column] = _map_unique(sub, _cell_text, "")
    return out


def _cell_text(value: object) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return str(value)
    return _as_text(value)


def resolve_result_duplicates(
    result: CleanResult, dictionary: Dictionary, *, language: str = "fr"
) -> CleanResult:
    """Keep one response per company (or per participant and wave) in ``result``.

    The rows dropped move to ``rejects`` (rule ``doublon``, naming the file and row kept) and
    each gets a ``doublon`` finding. See :mod:`iaobs.prepare.privacy` for the rule.
    """
    responses = result.responses
    if "id_participant" in dictionary:
        keys, date = ["id_participant", "vague"], "date_passation"
    else:
        keys, date = ["id_repondant"], "date_reponse"
    if responses.empty or not all(k in responses for k in keys):
        return result
    kept, dropped = resolve_duplicates(responses, keys, date_column=date)
    if dropped.empty:
        return result
    template = "{file}, ligne {row}" if language == "fr" else "{file}, row {row}"
    kept_text = [
        template.format(file=Path(str(f)).name, row=r)
        for f, r in zip(dropped["_kept_file"], dropped["_kept_row"], strict=True)
    ]
    collector = FindingCollector(dictionary, language)
    collector.add(np.arange(len(dropped)), keys[0], None, "doublon", WARNING, kept=kept_text)
    new_findings = collector.frame(dropped[PROVENANCE].reset_index(drop=True)).drop(columns="_pos")
    new_findings["value"] = ""
    rejects = dropped[PROVENANCE].reset_index(drop=True).copy()
    rejects["reasons"] = new_findings["message"].to_numpy()
    rejects["rules"] = "doublon"
    extra = dropped.drop(columns=[*PROVENANCE, "_kept_file", "_kept_row"]).reset_index(drop=True)
    extra = extra.drop(columns=[c for c in extra.columns if c == "id_repondant"])
    cells = {c: _map_unique(extra[c].astype("object"), _cell_text, "") for c in extra.columns}
    rejects = pd.concat([rejects, pd.DataFrame(cells, dtype=object)], axis=1)
    all_rejects = (
        pd.concat([result.rejects, rejects], ignore_index=True)
        if not result.rejects.empty
        else rejects
    )
    findings = (
        pd.concat([result.findings, new_findings], ignore_index=True)
        if not result.findings.empty
        else new_findings
    )
    return CleanResult(
        responses=kept.reset_index(drop=True),
        rejects=all_rejects,
        findings=findings,
        quality=result.quality,
    )


def rejected_counts(rejects: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    """Rejected rows per rule (a row with two rules counts under each) and per main rule
    (each row once, under the first of its rules: these sum to the rows rejected)."""
    by_rule: Counter[str] = Counter()
    by_main: Counter[str] = Counter()
    if not rejects.empty and "rules" in rejects:
        for rules in rejects["rules"]:
            found = [r for r in str(rules).split(",") if r]
            by_rule.update(dict.fromkeys(found, 1))
            if found:
                by_main[found[0]] += 1
    return dict(sorted(by_rule.items())), dict(sorted(by_main.items()))


def _finish_quality(result: CleanResult) -> None:
    quality = result.quality
    quality["kept"] = len(result.responses)
    quality["rejected"] = len(result.rejects)
    quality.setdefault("out_of_scope", 0)
    quality["findings"] = findings_summary(result.findings)
    quality["rejected_by_rule"], quality["rejected_by_main_rule"] = rejected_counts(result.rejects)
    accounted = quality["kept"] + quality["rejected"] + quality["out_of_scope"]
    read = quality.get("read", accounted)
    if read != accounted:  # pragma: no cover - invariant
        raise AssertionError(
            f"lignes lues ({read}) ≠ retenues ({quality['kept']}) + rejetées "
            f"({quality['rejected']}) + hors champ ({quality['out_of_scope']})"
        )


def empty_result() -> CleanResult:
    """A result with no rows (used when every source fails)."""
    return CleanResult(
        pd.DataFrame(), pd.DataFrame(), empty_findings(), {"read": 0, "out_of_scope": 0}
    )
