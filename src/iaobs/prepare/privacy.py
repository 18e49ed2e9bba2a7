"""Confidential columns, duplicates by SIREN and stable pseudonymous identifiers.

* Confidential columns (``privacy: confidential`` in the dictionary: ``siren``,
  ``raison_sociale``, ``email_contact``; ``nom_prenom`` in the training questionnaire) never
  leave the cleaner: they are dropped from responses and rejects, and a finding on one of them
  shows ``***``. Free-text columns (``commentaire``) are kept in processed data, masked
  (:func:`mask_free_text`: e-mail addresses, phone numbers, SIRET and SIREN numbers, IBAN, names
  after a civility become ``[courriel]``, ``[téléphone]``…), in the responses, the rejects and
  the findings alike; reports never print them. What was typed stays in ``data/raw/``.
* The pseudonymous ``id_repondant`` is ``E`` followed by the first 10 hexadecimal characters of
  HMAC-SHA256(key, nine SIREN digits); without a usable SIREN (not nine digits), of
  ``"id:<file name>:<source id>"``. Same input and same key give the same identifier on every
  run; another key gives other identifiers. The key comes from ``Study.pseudonym_key()``.
* Duplicates: rows sharing a pseudonymous identifier (same SIREN, in one file or several; or the
  same source id twice in one file) are one company. One response is kept: the latest complete
  one, i.e. ``statut_reponse == "complet"`` first, then the latest ``date_reponse``, then the
  last source row (file order of the study, then row number). The others are rejected with the
  reason ``doublon`` naming the file and row kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from iaobs.study.dictionary import Dictionary

__all__ = [
    "confidential_columns",
    "drop_confidential",
    "free_text_columns",
    "mask_free_text",
    "mask_personal_data",
    "mask_text",
    "normalise_siren",
    "pseudonymise",
    "resolve_duplicates",
    "siren_is_valid",
]

DEFAULT_KEY = b"iaobs:cle-par-defaut-non-secrete"


def confidential_columns(dictionary: Dictionary) -> list[str]:
    """The columns of every confidential variable of ``dictionary``."""
    out: list[str] = []
    for var in dictionary:
        if var.privacy == "confidential":
            out.extend(var.columns())
    return out


#: What personal data in free text looks like, in the order it is masked: (kind, pattern,
#: replacement). A SIRET before a SIREN (its first nine digits), an IBAN before either.
_PERSONAL: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("courriel", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[courriel]"),
    (
        "iban",
        re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"),
        "[iban]",
    ),
    ("siret", re.compile(r"(?<!\d)\d{3}[ .]?\d{3}[ .]?\d{3}[ .]?\d{5}(?!\d)"), "[siret]"),
    (
        "telephone",
        re.compile(
            r"(?<![\w+])(?:(?:\+|00)33[ .-]?(?:\(0\))?[ .-]?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)"
        ),
        "[téléphone]",
    ),
    ("siren", re.compile(r"(?<!\d)\d{3}[ .]?\d{3}[ .]?\d{3}(?!\d)"), "[siren]"),
    (
        "nom",
        re.compile(
            r"\b(M\.|MM\.|Mme|Mmes|Mlle|Mr|Dr|Pr|Me|Monsieur|Madame|Mademoiselle|Docteur|Maître)"
            r"(\s+)(?:[A-ZÀ-ÖØ-Þ][\w'’-]*\.?)(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]*)?"
        ),
        r"\1\2[nom]",
    ),
)


def mask_text(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with its personal data masked, and how many of each kind were found.

    >>> mask_text("Appeler M. Martin au 06 12 34 56 78.")
    ('Appeler M. [nom] au [téléphone].', {'telephone': 1, 'nom': 1})
    """
    counts: dict[str, int] = {}
    for kind, pattern, replacement in _PERSONAL:
        text, found = pattern.subn(replacement, text)
        if found:
            counts[kind] = counts.get(kind, 0) + found
    return text, counts


def free_text_columns(dictionary: Dictionary) -> list[str]:
    """The columns of every free-text variable (``privacy: free_text``) of ``dictionary``."""
    return [c for var in dictionary if var.privacy == "free_text" for c in var.columns()]


def mask_free_text(
    frame: pd.DataFrame, columns: Sequence[str], counts: dict[str, int] | None = None
) -> pd.DataFrame:
    """``frame`` with the personal data of ``columns`` masked (a new frame).

    ``counts`` (kind → occurrences), when given, is added to. Each distinct text is masked once.
    """
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            continue
        values = out[column]
        text = values.dropna()
        text = text[text.astype(str).str.strip() != ""]
        masked: dict[object, str] = {}
        for value in pd.unique(text.astype(str)):
            new, found = mask_text(value)
            if found:
                masked[value] = new
                if counts is not None:
                    n = int((text.astype(str) == value).sum())
                    for kind, k in found.items():
                        counts[kind] = counts.get(kind, 0) + k * n
        if masked:
            as_text = values.astype("object")
            hit = as_text.isin(list(masked))
            out[column] = (
                values.astype("object")
                .where(~hit, as_text.map(masked))
                .astype(values.dtype if values.dtype == "string" else object)
            )
    return out


def mask_personal_data(result: Any, dictionary: Dictionary) -> None:
    """Mask personal data typed in free text wherever a cleaning result keeps it.

    ``result`` is a :class:`iaobs.prepare.rejects.CleanResult`: its responses, rejects and
    findings (value and message) are masked in place, and ``quality["personal_data_masked"]``
    counts what was found in the responses, by kind.
    """
    columns = free_text_columns(dictionary)
    counts: dict[str, int] = {}
    result.responses = mask_free_text(result.responses, columns, counts)
    result.rejects = mask_free_text(result.rejects, columns)
    findings = result.findings
    if not findings.empty and "column" in findings:
        free = findings["column"].isin(columns)
        if free.any():
            masked = mask_free_text(findings.loc[free], ["value", "message"])
            findings.loc[free, ["value", "message"]] = masked[["value", "message"]]
    result.quality["personal_data_masked"] = dict(sorted(counts.items()))


def drop_confidential(frame: pd.DataFrame, dictionary: Dictionary) -> pd.DataFrame:
    """``frame`` without its confidential columns (a new frame)."""
    drop = [c for c in confidential_columns(dictionary) if c in frame.columns]
    return frame.drop(columns=drop)


def normalise_siren(values: pd.Series) -> pd.Series:
    """Keep the digits of each SIREN (``"552 100 554"`` → ``"552100554"``); blank → missing.

    Numbers read by a spreadsheet (``552100554.0``) lose their decimal part first.
    """

    def one(value: object) -> object:
        if value is None or value is pd.NA:
            return pd.NA
        if isinstance(value, float):
            if np.isnan(value):
                return pd.NA
            if value.is_integer():
                value = int(value)
        digits = "".join(ch for ch in str(value) if ch.isdigit())
        return digits or pd.NA

    codes, uniques = pd.factorize(values.astype("object").to_numpy(), use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[-1] = pd.NA
    is_text = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
    if is_text.any():
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pa.array(uniques[is_text].tolist(), type=pa.string())
        if pc.all(pc.string_is_ascii(text)).as_py():  # ASCII: digits are 0-9, one pass in C++
            digits = pc.replace_substring_regex(text, pattern="[^0-9]", replacement="")
            found = np.array(digits.to_pylist(), dtype=object)
            found[found == ""] = pd.NA
            table[:-1][is_text] = found
        else:
            table[:-1][is_text] = [one(u) for u in uniques[is_text]]
    others = np.flatnonzero(~is_text)
    for i in others:
        table[i] = pd.NA if _is_missing(uniques[i]) else one(uniques[i])
    return pd.Series(table[codes], index=values.index, dtype=object).astype("string")


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def siren_is_valid(digits: pd.Series) -> pd.Series:
    """Whether each normalised SIREN has nine digits and a valid Luhn key (missing → False)."""
    text = digits.astype("string")
    nine = text.str.fullmatch(r"\d{9}").fillna(False).astype(bool)
    valid = pd.Series(False, index=digits.index)
    if nine.any():
        chosen = text[nine]
        joined = "".join(chosen)
        if joined.isascii():
            arr = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 9) - 48
            arr = arr.astype(np.int64)
        else:
            arr = np.array([[int(c) for c in s] for s in chosen], dtype=np.int64)
        # Luhn: double every second digit from the right (positions 1, 3, 5, 7 from the left)
        doubled = arr.copy()
        doubled[:, 1::2] *= 2
        doubled[doubled > 9] -= 9
        valid.loc[nine] = doubled.sum(axis=1) % 10 == 0
    return valid


def pseudonymise(values: pd.Series, key: bytes, prefix: str = "E") -> pd.Series:
    """Keyed pseudonyms: ``prefix`` + 10 hex characters of HMAC-SHA256(key, value).

    Computed once per distinct value; missing values stay missing.
    """
    codes, uniques = pd.factorize(values.astype("object").to_numpy(), use_na_sentinel=True)
    keyed = hmac.new(key, digestmod=hashlib.sha256)  # the key is set up once, then copied
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        h = keyed.copy()
        h.update(str(u).encode("utf-8"))
        table[i] = prefix + h.hexdigest()[:10]
    table[-1] = pd.NA
    return pd.Series(table[codes], index=values.index, dtype=object).astype("string")


def resolve_duplicates(
    responses: pd.DataFrame,
    keys: Sequence[str] = ("id_repondant",),
    *,
    status_column: str = "statut_reponse",
    date_column: str = "date_reponse",
    order_column: str = "_order",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one response per key; return ``(kept, dropped)``.

    The response kept is the latest complete one: ``statut_reponse == "complet"`` first, then
    the latest ``date_reponse`` (missing dates last), then the highest ``_order`` (the position
    of the row in the study: file order, then source row; the frame order when absent).
    ``dropped`` has the rows not kept plus ``_kept_file`` and ``_kept_row`` naming the row kept.
    """
    frame = responses.reset_index(drop=True)
    keys = [k for k in keys if k in frame]
    if not keys or frame.empty:
        return frame, frame.iloc[0:0].assign(
            _kept_file=pd.Series(dtype="object"), _kept_row=pd.Series(dtype="object")
        )
    present = frame[keys].notna().all(axis=1).to_numpy()
    complete = (
        (frame[status_column].astype("object") == "complet").to_numpy()
        if status_column in frame
        else np.zeros(len(frame), dtype=bool)
    )
    if date_column in frame:
        dates = pd.to_datetime(frame[date_column], errors="coerce")
        date_rank = dates.to_numpy(dtype="datetime64[ns]").astype("int64")
        date_rank = np.where(dates.isna().to_numpy(), np.iinfo(np.int64).min, date_rank)
    else:
        date_rank = np.zeros(len(frame), dtype=np.int64)
    order = frame[order_column].to_numpy() if order_column in frame else np.arange(len(frame))
    ranking = pd.DataFrame(
        {"complete": complete, "date": date_rank, "order": order}, index=frame.index
    )
    ranking = ranking.sort_values(["complete", "date", "order"], kind="stable")
    # after sorting ascending, the best response of each key is the last one
    key_frame = frame.loc[ranking.index, keys]
    is_best = ~key_frame.duplicated(keep="last").to_numpy()
    best = pd.Series(is_best, index=ranking.index).reindex(frame.index).to_numpy()
    keep = best | ~present
    kept = frame[keep]
    dropped = frame[~keep].copy()
    if not dropped.empty:
        winners = frame[best & present]
        lookup = winners.set_index(keys)[["_source_file", "_source_row"]]
        joined = dropped[keys].join(lookup, on=keys)
        dropped["_kept_file"] = joined["_source_file"].to_numpy()
        dropped["_kept_row"] = joined["_source_row"].to_numpy()
    else:
        dropped["_kept_file"] = pd.Series(dtype="object")
        dropped["_kept_row"] = pd.Series(dtype="object")
    return kept, dropped
