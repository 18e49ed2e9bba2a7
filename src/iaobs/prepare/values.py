"""Cell values → dictionary values: one distinct cell in, ``(value, correction, error)`` out.

The parsers of :mod:`iaobs.prepare.clean`, each applied once per distinct cell of a column:
codes and labels of coded variables (:func:`recode_value`, with the words read as yes, no,
none and don't know in French, English and German), numbers written in any local style
(:func:`parse_number`), dates (:func:`parse_date`) and activity codes (:func:`parse_naf`).
``correction`` names the rule applied when the cell was not written as expected; ``error``
the rule broken when it cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from iaobs.study.dictionary import Variable, normalise_text

__all__ = [
    "NONE_WORDS",
    "NO_WORDS",
    "NSP_WORDS",
    "YES_WORDS",
    "parse_date",
    "parse_naf",
    "parse_number",
    "recode_value",
]

NSP_WORDS = (
    "nsp",
    "ne sait pas",
    "je ne sais pas",
    "ne sais pas",
    "nsp (ne sait pas)",
    "ne se prononce pas",
    "ns",
    "don't know",
    "dont know",
    "do not know",
    "i don't know",
    "i dont know",
    "i do not know",
    "not sure",
    "dk",
    "weiss nicht",
    "weiß nicht",
    "ich weiss nicht",
    "ich weiß nicht",
    "weiss ich nicht",
    "weiß ich nicht",
    "?",
)
YES_WORDS = ("oui", "o", "yes", "y", "1", "x", "vrai", "true", "ja", "j")
NO_WORDS = ("non", "n", "no", "0", "faux", "false", "nein")
NONE_WORDS = ("aucun", "aucune", "none", "rien", "neant", "aucune de ces reponses")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_MIN, SERIAL_MAX = 20000, 80000
DATE_MIN = pd.Timestamp("2000-01-01")
#: The date an anonymised LimeSurvey survey writes in every date column: emptied silently
#: (one correction count), never a ``date_improbable`` warning per row.
PLACEHOLDER_DATE = pd.Timestamp("1980-01-01")
_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}


# --------------------------------------------------------------------------------------------
# Value parsers: one distinct value in, (value, correction, error) out.

Parsed = tuple[Any, str | None, str | None]
_BLANK: Parsed = (None, None, None)


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip()
    return False


def _as_text(value: object) -> str:
    """A cell as text: ``12.0`` → ``"12"``, strings stripped."""
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    return str(value).strip()


def _code_table(var: Variable) -> dict[str, str]:
    """normalised text → code, for every code, label and accepted variant of ``var``."""
    table: dict[str, str] = {}

    def put(text: str, code: str) -> None:
        key = normalise_text(text)
        if key and key not in table:
            table[key] = code

    labels = var.all_codes
    for code in labels:
        put(code, code)
    for code, label in labels.items():
        put(label.fr, code)
        put(label.en, code)
    for code, label in labels.items():
        for text in (label.fr, label.en):
            match = re.match(r"^\s*(\w+)\s*[-–:.)]\s+(.+)$", text)
            if match:  # "1 - Pas du tout à l'aise": the tail is accepted too
                put(match.group(2), code)
            bare = re.sub(r"\s*\([^)]*\)\s*$", "", text)
            if bare != text:  # "Dirigeant(e)" → "Dirigeant"
                put(bare, code)
    if "oui" in var.codes and "non" in var.codes:
        for word in YES_WORDS:
            put(word, "oui")
        for word in NO_WORDS:
            put(word, "non")
    if "nsp" in var.missing:
        for word in NSP_WORDS:
            put(word, "nsp")
    return table


def recode_value(value: object, var: Variable, table: dict[str, str] | None = None) -> Parsed:
    """Interpret one cell of a coded variable: ``(code, correction, error)``.

    ``correction`` names the rule applied when the cell was not written as a code;
    ``error`` is ``"code_inconnu"`` when nothing matches.
    """
    if _is_blank(value):
        return _BLANK
    table = table if table is not None else _code_table(var)
    codes = var.all_codes
    text = _as_text(value)
    if text in codes:
        return text, None, None
    if isinstance(value, str) and re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
        if text in codes:
            return text, "nombre_vers_code", None
    if text.isdigit() and text.zfill(2) in codes and len(text) < 2:
        return text.zfill(2), "departement_zero", None
    key = normalise_text(text)
    code = table.get(key)
    if code is None:
        key2 = key.strip(" .;,")
        code = table.get(key2)
    if code is None:
        match = re.match(r"^(\w+)\s*[-–:.)]\s*(.+)$", key)
        if match:
            code = table.get(match.group(1)) or table.get(match.group(2))
    if code is None:
        return None, None, "code_inconnu"
    if code in var.missing and code == "nsp":
        return code, "nsp_normalise", None
    return code, "libelle_vers_code", None


_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_GROUPS_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_GROUPS_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_UNIT = re.compile(
    r"\s*(salaries?|salariés?|employes?|employés?|personnes?|etp|h|heures?)\.?$", re.I
)


def _band(text: str) -> tuple[int, int | None] | None:
    """A headcount band ``(low, high)`` from text such as ``10 à 49`` or ``5000 et plus``."""
    key = normalise_text(text)
    key = re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", key)
    key = re.sub(r"\b(salaries?|employes?|personnes?|etp)\b", "", key).strip(" .")
    key = re.sub(r"\s+", " ", key)
    if m := re.fullmatch(r"(?:de )?(\d+) ?(?:a|-|/|–) ?(\d+)", key):
        low, high = int(m.group(1)), int(m.group(2))
        return (low, high) if low <= high else None
    if m := re.fullmatch(r"(\d+) ?(?:et plus|ou plus|\+|and more|or more)", key):
        return int(m.group(1)), None
    if m := re.fullmatch(r"(?:moins de|< ?|less than|under) ?(\d+)", key):
        return 0, max(int(m.group(1)) - 1, 0)
    if m := re.fullmatch(r"(?:plus de|> ?|more than|over) ?(\d+)", key):
        return int(m.group(1)) + 1, None
    return None


INT_LIMIT = 10**15


def parse_number(value: object, *, integer: bool, bands: bool = False) -> Parsed:
    """Interpret one numeric cell: ``(number, correction, error)``.

    With ``bands=True`` (headcount) a size band gives ``(("band", low, high), "tranche", None)``.
    Integers beyond ±10^15 are ``nombre_trop_grand`` (no count is that large).
    """
    parsed = _parse_number(value, integer=integer, bands=bands)
    number = parsed[0]
    if integer and isinstance(number, int) and abs(number) >= INT_LIMIT:
        return None, None, "nombre_trop_grand"
    return parsed


def _parse_number(value: object, *, integer: bool, bands: bool) -> Parsed:
    if _is_blank(value):
        return _BLANK
    if isinstance(value, bool | np.bool_):
        return None, None, "type_nombre"
    if isinstance(value, int | np.integer):
        return int(value), None, None
    if isinstance(value, float | np.floating):
        number = float(value)
        if not np.isfinite(number):
            return None, None, "type_nombre"
        if integer:
            return (
                (int(number), None, None)
                if number.is_integer()
                else (None, None, "nombre_non_entier")
            )
        return number, None, None
    if not isinstance(value, str):
        return None, None, "type_nombre"
    text = value.strip()
    correction = None
    if normalise_text(text) in NSP_WORDS:
        return None, "nsp_vers_vide", None
    text = _UNIT.sub("", text).strip()
    if _SPACE_GROUPS.match(text):
        text = _SPACES.sub("", text)
        correction = "espace_milliers"
    else:
        text = _SPACES.sub("", text) if re.fullmatch(r"[+-]?\s*\d+(?:[.,]\d+)?", text) else text
    if integer and (_GROUPS_DOT.match(text) or _GROUPS_COMMA.match(text)):
        text = text.replace(".", "").replace(",", "")
        correction = "separateur_milliers"
    elif re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")
        correction = correction or "virgule_decimale"
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        number = float(text)
        if integer:
            if not number.is_integer():
                return None, None, "nombre_non_entier"
            return int(number), correction, None
        return number, correction, None
    if bands:
        band = _band(value)
        if band is not None:
            return ("band", *band), "tranche", None
    return None, None, "type_nombre"


def _timestamp(year: int, month: int, day: int) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(year=year, month=month, day=day)
    except (ValueError, OverflowError):
        return None


def parse_date(value: object, *, today: dt.date | None = None) -> Parsed:
    """Interpret one date cell: ``(Timestamp, correction, error)`` (plausibility not checked)."""
    if _is_blank(value):
        return _BLANK
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        try:
            return pd.Timestamp(value), None, None
        except (ValueError, OverflowError):
            return None, None, "date_invalide"
    if isinstance(value, bool | np.bool_):
        return None, None, "date_invalide"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if SERIAL_MIN <= number <= SERIAL_MAX:
            return EXCEL_EPOCH + pd.Timedelta(days=number), "date_serie_excel", None
        return None, None, "date_invalide"
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text))
    if m := re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?.*)?", text
    ):
        stamp = _timestamp(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if stamp is not None and m.group(4):
            stamp += pd.Timedelta(
                hours=int(m.group(4)), minutes=int(m.group(5)), seconds=int(m.group(6) or 0)
            )
        return (stamp, None, None) if stamp is not None else (None, None, "date_invalide")
    if m := re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", text):
        stamp = _timestamp(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (stamp, "date_texte", None) if stamp is not None else (None, None, "date_invalide")
    if m := re.fullmatch(
        r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+\d{1,2}[:h]\d{2}(?::\d{2})?)?", text
    ):
        year = int(m.group(3))
        correction = "date_texte"
        if len(m.group(3)) == 2:
            this_year = (today or dt.date.today()).year % 100
            year += 2000 if year <= this_year else 1900
            correction = "date_annee_2_chiffres"
        stamp = _timestamp(year, int(m.group(2)), int(m.group(1)))
        return (stamp, correction, None) if stamp is not None else (None, None, "date_invalide")
    key = normalise_text(text)
    if m := re.fullmatch(r"(?:le )?(\d{1,2})(?:er)? ([a-z]+) (\d{4})", key):
        month = _MONTHS.get(m.group(2))
        stamp = _timestamp(int(m.group(3)), month, int(m.group(1))) if month else None
        return (stamp, "date_texte", None) if stamp is not None else (None, None, "date_invalide")
    return None, None, "date_invalide"


def parse_naf(value: object) -> Parsed:
    """``6920Z``, ``69.20z``, `` 69 20 Z`` → ``69.20Z``; anything else is ``naf_invalide``."""
    if _is_blank(value):
        return _BLANK
    text = _as_text(value)
    compact = re.sub(r"[\s.\-\u00a0\u202f]", "", text).upper()
    m = re.fullmatch(r"(\d{2})(\d{2})([A-Z])", compact)
    if not m:
        return None, None, "naf_invalide"
    code = f"{m.group(1)}.{m.group(2)}{m.group(3)}"
    return code, (None if code == text else "naf_normalise"), None
