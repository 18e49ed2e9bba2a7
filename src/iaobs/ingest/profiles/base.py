"""What every profile shares: the mapped table, a profile's signature, the known tools.

The profile modules and the mapping engine import this module only; the registry of profiles
(:mod:`iaobs.ingest.profiles`) imports them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from iaobs.core.contract import SURVEY_TOOLS
from iaobs.ingest.table import RawTable
from iaobs.study.dictionary import Dictionary

__all__ = ["PROFILE_REJECT_COLUMN", "TOOL_PROFILES", "MappedTable", "ProfileFunction"]

#: Column of a mapped frame holding, per row, the rule code of a row the profile rejects
#: (e.g. ``reponse_incomplete``), empty otherwise.
PROFILE_REJECT_COLUMN = "_profile_reject"


@dataclass
class MappedTable:
    """A raw table whose recognised columns carry dictionary column names.

    Attributes
    ----------
    frame
        The raw frame with recognised columns renamed to dictionary column names
        (``ia_stade``, ``techno__analyse_texte``, ``techno`` for a multi answered in one cell),
        unrecognised columns kept under their own names, provenance columns kept.
    unmapped
        Columns of ``frame`` that are not dictionary columns (their names as in ``frame``,
        including ``<column>.doublon`` for a second column mapping to an already mapped one).
    renamed
        Original header → dictionary column, for every recognised column.
    raw
        The table as read.
    notes
        What the mapping decided (duplicates, ambiguous headers), in French.
    ignored
        Columns deliberately not analysed: the survey tool's technical columns (kept in
        ``frame`` for traceability) and columns a mapping file ignores (removed).
    dropped
        Personal columns of the export (e-mail, names, IP address) removed from ``frame``.
    """

    frame: pd.DataFrame
    unmapped: list[str]
    renamed: dict[str, str]
    raw: RawTable
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


ProfileFunction = Callable[[RawTable, Dictionary, "Path | None"], MappedTable]

#: The profiles a mapping file may name as the tool that made the export.
TOOL_PROFILES = SURVEY_TOOLS
