"""The ``limesurvey`` profile: LimeSurvey response exports (CSV or Excel).

LimeSurvey writes headers in one of three forms (export option *Headings*):

* question codes: ``Q01``, ``Q05[SQ001]`` for a subquestion (multiple choice, array);
* full question text: ``Quel est votre secteur ?``, ``Technologies utilisées [Analyse de texte]``;
* both: ``Q01. Quel est votre secteur ?``, ``Q05[SQ001]. Technologies utilisées [Analyse de
  texte]``.

Every form is understood: a column is matched by its header, its code or its text, through a
mapping file (the codes are the partner's own) or, when the codes or texts are the
dictionary's variable names or labels, on its own. Multiple-choice subquestions hold ``Y`` or
blank (``Yes``/``No``, ``Oui``/``Non`` with full answers), which the cleaner reads as 1/0.

System columns (``Response ID``, ``Date submitted``, ``Last page``, ``Start language``,
``Seed``, ``Date started``, ``Date last action``, in English, French or as codes ``id``,
``submitdate``, ``lastpage``…): the response id becomes ``id_repondant`` and the submission
date ``date_reponse`` unless the survey asks them itself; the others are kept for
traceability, not analysed. ``IP address``, ``Referrer URL``, the access token and the
participant's names and e-mail are personal data: dropped.

**Incomplete responses** (rule stated in the partners' guide): a response without a submission
date was never sent (the respondent stopped on the way). It gets ``statut_reponse = partiel``
and is rejected with the reason ``reponse_incomplete`` (it reaches ``rejects.csv``; see
:func:`iaobs.prepare.profile_rejects.apply_profile_rejects`), unless the mapping file says
``reponses_incompletes: garder``, in which case it is kept with the status ``partiel``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from iaobs.ingest.headers import header_key
from iaobs.ingest.profiles.base import MappedTable
from iaobs.ingest.profiles.engine import (
    PartnerColumn,
    SystemColumns,
    assemble,
    bracket_parts,
    fold_set,
)
from iaobs.ingest.profiles.mapping import mapping_for
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary

__all__ = ["PROFILE", "describe_columns", "looks_like", "map_limesurvey", "split_header"]

PROFILE = "limesurvey"
SEPARATORS = ";,|"

#: System column → what it is (English, French and code headers).
SYSTEM: dict[str, tuple[str, ...]] = {
    "id": ("Response ID", "ID de la réponse", "ID réponse", "id"),
    "submitdate": ("Date submitted", "Date de soumission", "Date d'envoi", "submitdate"),
    "lastpage": ("Last page", "Dernière page", "lastpage"),
    "startlanguage": ("Start language", "Langue de départ", "startlanguage"),
    "seed": ("Seed", "Tête de série", "Graine", "seed"),
    "startdate": ("Date started", "Date de début", "Date de lancement", "startdate"),
    "datestamp": (
        "Date last action",
        "Date de la dernière action",
        "Date de dernière action",
        "datestamp",
    ),
    "interviewtime": ("Total time", "Temps total", "interviewtime"),
    "ipaddr": ("IP address", "Adresse IP", "ipaddr"),
    "refurl": ("Referrer URL", "URL de provenance", "URL référente", "URL de référence", "refurl"),
    "token": ("Token", "Jeton", "Code d'accès", "token"),
    "firstname": ("First name", "Prénom", "firstname"),
    "lastname": ("Last name", "Nom de famille", "lastname"),
    "email": ("Email address", "Adresse e-mail", "Adresse courriel", "email"),
}
PERSONAL = {"ipaddr", "refurl", "token", "firstname", "lastname", "email"}
TARGETS = {"id": "id_repondant", "submitdate": "date_reponse"}
_KEYS = {key: kind for kind, words in SYSTEM.items() for key in fold_set(words)}
#: Timing columns (``groupTime123``, ``Q01Time``, "Temps de la question : …").
_TIMING = re.compile(r"grouptime\d+|[a-z][a-z0-9]*time")
#: "Q01. Question text" (both), "Q05[SQ001]. Text [Sub]".
_BOTH = re.compile(r"^(?P<code>[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\s]+\])*)\.\s+(?P<text>\S.*)$")
_CODE = re.compile(r"^(?P<q>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<sq>[^\]\s]+)\])+$")


def system_kind(header: str) -> str | None:
    """The LimeSurvey system column a header is (``submitdate``…), or ``None``."""
    key = header_key(header)
    kind = _KEYS.get(key)
    if kind is not None:
        return kind
    if " " not in header.strip() and _TIMING.fullmatch(key):
        return "timing"
    if key.startswith(("temps du groupe", "temps de la question", "group time", "question time")):
        return "timing"
    return None


def looks_like(raw: RawTable) -> bool:
    """Whether the columns are those of a LimeSurvey export."""
    kinds = {system_kind(c) for c in raw.columns}
    return "id" in kinds and bool(kinds & {"submitdate", "lastpage", "startlanguage", "seed"})


def split_header(header: str) -> tuple[str | None, str]:
    """``(code, text)`` of a header: ``("Q01", "Secteur ?")`` for ``Q01. Secteur ?``.

    A header that is only a code gives ``(code, code)``; only text gives ``(None, text)``.
    """
    match = _BOTH.match(header)
    if match:
        return match.group("code"), match.group("text").strip()
    if _CODE.match(header) or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", header):
        return header, header
    return None, header


def describe_columns(raw: RawTable) -> list[PartnerColumn]:
    """The question columns of a LimeSurvey export (system columns left out)."""
    out = []
    for name in raw.columns:
        if name in PROVENANCE_COLUMNS or system_kind(name) is not None:
            continue
        code, text = split_header(name)
        keys: list[str] = [name]
        parts: list[tuple[str, str]] = []
        if code is not None:
            keys.append(code)
            match = _CODE.match(code)
            if match:
                subs = re.findall(r"\[([^\]]+)\]", code)
                parts.append((match.group("q"), subs[-1]))
        if text and text != code:
            keys.append(text)
            parts.extend(bracket_parts(text))
        out.append(PartnerColumn(name, tuple(dict.fromkeys(keys)), tuple(parts)))
    return out


def map_limesurvey(
    raw: RawTable, dictionary: Dictionary, mapping: Path | None = None
) -> MappedTable:
    """Map a LimeSurvey export (see the module docstring for the rules)."""
    spec = mapping_for(mapping, dictionary)
    system = SystemColumns()
    submit: str | None = None
    for name in raw.columns:
        kind = system_kind(name)
        if kind is None:
            continue
        if kind in PERSONAL:
            system.dropped.append(name)
        elif kind in TARGETS:
            system.targets[name] = TARGETS[kind]
            if kind == "submitdate":
                submit = name
        else:
            system.kept.append(name)
    notes: list[str] = []
    incomplete = None
    if submit is not None:
        values = raw.frame[submit]
        incomplete = values.map(lambda v: v is None or (isinstance(v, str) and not v.strip()))
        incomplete = np.asarray(incomplete.fillna(True), dtype=bool)
    else:
        notes.append(
            "pas de colonne « Date submitted » : les réponses incomplètes ne peuvent pas être "
            "repérées (exportez aussi les réponses incomplètes avec cette colonne)"
        )
    return assemble(
        raw,
        dictionary,
        raw.frame,
        describe_columns(raw),
        tool="LimeSurvey",
        spec=spec,
        system=system,
        notes=notes,
        separators=SEPARATORS,
        incomplete=incomplete,
    )
