"""The ``kobo`` profile: KoboToolbox exports (XLS/XLSX or CSV).

* Headers are XML names (``secteur``) or labels (``Secteur d'activité``), with the group path
  when the export keeps it (``identification/secteur``): the path is stripped.
* A select-multiple question is one cell of space-separated XML choice names
  (``analyse_texte generation_langage``; with labels, the labels), and, when the export
  splits them, one 0/1 column per choice (``groupe/techno/analyse_texte``). Both are read;
  choice names that are not the dictionary's codes are translated by the mapping file's
  ``values``.
* Metadata columns (``_id``, ``_uuid``, ``_submission_time``, ``_index``,
  ``_validation_status``, ``_status``, ``__version__``, ``_tags``, ``_notes``, ``start``,
  ``end``, ``today``, ``meta/instanceID``…): ``_uuid`` becomes ``id_repondant`` and
  ``_submission_time`` ``date_reponse`` unless the form asks them; the others are kept for
  traceability, not analysed. ``deviceid``, ``username``, ``phonenumber``, ``simserial``,
  ``subscriberid``, ``_submitted_by`` and the geolocation are personal data: dropped.
* A workbook's main sheet is chosen by the reader (repeat-group sheets are left aside).
"""

from __future__ import annotations

from pathlib import Path

from iaobs.ingest.profiles.base import MappedTable
from iaobs.ingest.profiles.engine import PartnerColumn, SystemColumns, assemble
from iaobs.ingest.profiles.mapping import mapping_for
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary

__all__ = ["PROFILE", "describe_columns", "looks_like", "map_kobo", "strip_group"]

PROFILE = "kobo"
SEPARATORS = " ;,"
TARGETS = {"_uuid": "id_repondant", "_submission_time": "date_reponse"}
METADATA = {
    "_id",
    "_index",
    "_validation_status",
    "_status",
    "__version__",
    "_tags",
    "_notes",
    "start",
    "end",
    "today",
    "_parent_index",
    "_parent_table_name",
    "_submission__id",
    "_xform_id_string",
    "_attachments",
    "$edited",
    "formhub/uuid",
    "meta/instanceid",
    "meta/instancename",
    "meta/rootuuid",
    "meta/deprecatedid",
    "meta/audit",
    "audit",
    "_version_",
    "_duration",
    "instanceid",
}
PERSONAL = {
    "deviceid",
    "username",
    "phonenumber",
    "simserial",
    "subscriberid",
    "_submitted_by",
    "_geolocation",
    "email",
    "meta/instanceid_email",
}


def _kind(header: str) -> str | None:
    key = header.strip().lower()
    if key in TARGETS:
        return "target"
    if key in PERSONAL or key.rsplit("/", 1)[-1] in PERSONAL:
        return "personal"
    if key in METADATA or key.rsplit("/", 1)[-1] in METADATA or key.startswith("meta/"):
        return "kept"
    return None


def looks_like(raw: RawTable) -> bool:
    """Whether the columns are those of a KoboToolbox export."""
    names = {c.strip().lower() for c in raw.columns}
    return bool(names & {"_uuid", "_submission_time"}) or {"_id", "_index"} <= names


def strip_group(header: str) -> str:
    """``identification/secteur`` → ``secteur`` (the last segment of a group path)."""
    return header.rsplit("/", 1)[-1].strip() if "/" in header else header


def describe_columns(raw: RawTable) -> list[PartnerColumn]:
    """The question columns of a Kobo export (metadata left out)."""
    out = []
    names = set(raw.columns)
    for name in raw.columns:
        if name in PROVENANCE_COLUMNS or _kind(name) is not None:
            continue
        if (
            name.startswith("_")
            and name[1:].split("_", 1)[0]
            and any(name.startswith(f"_{other}_") for other in names if not other.startswith("_"))
        ):
            # split geopoint parts (_location_latitude…) stay unmapped with their question
            out.append(PartnerColumn(name, (name,)))
            continue
        segments = [s.strip() for s in name.split("/") if s.strip()]
        keys = [name]
        parts: list[tuple[str, str]] = []
        if len(segments) >= 2:
            keys.append(segments[-1])
            parts.append((segments[-2], segments[-1]))
            if len(segments) >= 3:
                keys.append("/".join(segments[-2:]))
        out.append(PartnerColumn(name, tuple(dict.fromkeys(keys)), tuple(parts)))
    return out


def map_kobo(raw: RawTable, dictionary: Dictionary, mapping: Path | None = None) -> MappedTable:
    """Map a KoboToolbox export (see the module docstring for the rules)."""
    spec = mapping_for(mapping, dictionary)
    system = SystemColumns()
    for name in raw.columns:
        kind = _kind(name)
        if kind == "target":
            system.targets[name] = TARGETS[name.strip().lower()]
        elif kind == "personal":
            system.dropped.append(name)
        elif kind == "kept":
            system.kept.append(name)
    return assemble(
        raw,
        dictionary,
        raw.frame,
        describe_columns(raw),
        tool="KoboToolbox",
        spec=spec,
        system=system,
        separators=SEPARATORS,
    )
