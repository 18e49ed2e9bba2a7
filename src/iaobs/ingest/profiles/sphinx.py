"""The ``sphinx`` profile: Sphinx (Sphinx iQ, Sphinx Declic) data exports.

* Headers carry the question number and its text: ``1. Secteur d'activité``,
  ``Q1 - Secteur d'activité``, ``Q1. Secteur``, or the variable name alone (``Q1``,
  ``SECTEUR``). A column is matched by its header, its number (``Q1`` or ``1`` in a mapping
  file) or its text.
* Answers are labels or codes (the rank of the answer in the question: ``1``, ``2``…; codes
  need the mapping file's ``values``).
* A multiple-answer question is one cell with the answers joined by ``;`` (``/`` or ``|``
  in some exports). Labels containing the separator (``DSI / numérique``) are matched whole
  first.
"""

from __future__ import annotations

import re
from pathlib import Path

from iaobs.ingest.profiles.base import MappedTable
from iaobs.ingest.profiles.engine import PartnerColumn, assemble, bracket_parts
from iaobs.ingest.profiles.mapping import mapping_for
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary

__all__ = ["PROFILE", "describe_columns", "looks_like", "map_sphinx", "split_header"]

PROFILE = "sphinx"
SEPARATORS = ";/|"
_NUMBERED = re.compile(
    r"^(?P<code>(?:Q|QUEST|Question)?\s?(?P<num>\d+(?:[._]\d+)*)[a-z]?)\s*[.\-:)–]\s*(?P<text>\S.*)$",
    re.I,
)


def split_header(header: str) -> tuple[str | None, str | None, str]:
    """``(code, number, text)``: ``("Q1", "1", "Secteur")`` for ``Q1 - Secteur``."""
    match = _NUMBERED.match(header.strip())
    if not match:
        return None, None, header
    return match.group("code").replace(" ", ""), match.group("num"), match.group("text").strip()


def looks_like(raw: RawTable) -> bool:
    """Whether most headers are numbered questions (``1. Question``, ``Q1 - Question``)."""
    columns = [c for c in raw.columns if c not in PROVENANCE_COLUMNS]
    if len(columns) < 2:
        return False
    numbered = sum(1 for c in columns if _NUMBERED.match(c))
    return numbered >= max(2, 0.5 * len(columns))


def describe_columns(raw: RawTable) -> list[PartnerColumn]:
    """The question columns of a Sphinx export."""
    out = []
    for name in raw.columns:
        if name in PROVENANCE_COLUMNS:
            continue
        code, number, text = split_header(name)
        keys = [name]
        if code is not None:
            keys.extend([code, f"Q{number}", str(number), text])
        out.append(PartnerColumn(name, tuple(dict.fromkeys(keys)), bracket_parts(text)))
    return out


def map_sphinx(raw: RawTable, dictionary: Dictionary, mapping: Path | None = None) -> MappedTable:
    """Map a Sphinx export (see the module docstring for the rules)."""
    spec = mapping_for(mapping, dictionary)
    return assemble(
        raw,
        dictionary,
        raw.frame,
        describe_columns(raw),
        tool="Sphinx",
        spec=spec,
        separators=SEPARATORS,
    )
