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

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.contract import OUT_OF_SCOPE
from iaobs.errors import ConfigError
from iaobs.prepare.columns import (
    CleanContext,
    blank_column,
    categorical,
    clean_columns,
    map_unique,
)
from iaobs.prepare.derive import check_hires, derive_sector, derive_size, derive_usage, identify
from iaobs.prepare.privacy import (
    DEFAULT_KEY,
    confidential_columns,
)
from iaobs.prepare.rejects import (
    CleanResult,
    finish_quality,
    resolve_result_duplicates,
    split_rows,
)
from iaobs.prepare.validate import (
    BLOCKING,
    FindingCollector,
    check_required,
    check_waves,
)
from iaobs.study.dictionary import Dictionary, Variable, normalise_text

__all__ = ["OUT_OF_SCOPE", "CleanResult", "clean_responses"]

#: How a sector cell says :data:`~iaobs.core.contract.OUT_OF_SCOPE` (folded, spaces as ``_``).
OUT_OF_SCOPE_WORDS = frozenset(
    {"hors_champ", "out_of_scope", "ausserhalb_des_untersuchungsbereichs"}
)
_NOTE_ROW = re.compile(r"^(total|sous-total|source|sources|note|notes|lecture|champ)(\s|:|$)")


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
    out["_source_file"] = map_unique(out["_source_file"], str, "")
    return out


def _blank_mask(ctx: CleanContext, columns: Iterable[str]) -> np.ndarray:
    """Rows where every one of ``columns`` is blank."""
    frame = ctx.frame
    mask = np.ones(len(frame), dtype=bool)
    for column in columns:
        if column in frame:
            mask &= blank_column(frame[column], ctx.factorize(column))
    return mask


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
    ctx = CleanContext(frame, dictionary, collector, Counter(), language)
    coded, band_rows = clean_columns(ctx)

    derive_sector(ctx, coded, stated_sector)
    derive_size(ctx, coded, band_rows)
    check_hires(ctx, coded, band_rows)
    derive_usage(coded, dictionary, n)

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
        is_text = map_unique(ids, lambda v: isinstance(v, str), False).astype(bool)
        text = ids.where(is_text).astype("string").str.strip().str.lower()
        no_answer |= text.str.match(_NOTE_ROW.pattern).fillna(False).to_numpy(dtype=bool)
    collector.add(np.flatnonzero(no_answer), id_var or "", None, "ligne_sans_reponse", BLOCKING)

    if "vague" in coded:
        frame_for_waves = pd.DataFrame(coded)
        check_waves(frame_for_waves, dictionary, collector, raw=frame)
        for column in frame_for_waves:
            coded[column] = frame_for_waves[column]

    identify(ctx, coded, prov, key or DEFAULT_KEY, no_answer)

    responses = _assemble(coded, dictionary, n)
    check_required(responses, dictionary, collector, skip=no_answer)
    result = split_rows(
        ctx, responses, prov, collector.frame(prov), no_answer=no_answer, out_of_scope=out_of_scope
    )
    if resolve_duplicates:
        result = resolve_result_duplicates(result, dictionary, language=language)
    finish_quality(result)
    return result


def _out_of_scope(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows whose sector says :data:`OUT_OF_SCOPE` (the partner's mapping sends a sector
    the study does not cover there), and the frame with that cell emptied."""
    n = len(frame)
    if "secteur" not in frame:
        return frame, np.zeros(n, dtype=bool)
    mask = map_unique(
        frame["secteur"],
        lambda v: isinstance(v, str) and normalise_text(v).replace(" ", "_") in OUT_OF_SCOPE_WORDS,
        False,
    ).astype(bool)
    if mask.any():
        frame = frame.copy(deep=False)
        frame["secteur"] = frame["secteur"].astype(object).where(~mask, None)
    return frame, mask


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
                series = empty_column(var, n)
            data[column] = series.reset_index(drop=True)
    return pd.DataFrame(data)


def empty_column(var: Variable, n: int) -> pd.Series:
    if var.is_coded or var.name in ("secteur", "taille", "departement"):
        return categorical(np.full(n, None, dtype=object), var)
    if var.is_flag:
        return pd.Series(pd.array([pd.NA] * n, dtype="Int8"))
    if var.type == "int":
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64"))
    if var.type == "float":
        return pd.Series(pd.array([pd.NA] * n, dtype="Float64"))
    if var.type == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    return pd.Series(pd.array([pd.NA] * n, dtype="string"))
