"""Content hashes of report inputs and the cache manifest of a wave.

A report is rendered again only when its key changes. The key is the SHA-256 of:

* the template file's bytes and the report's parameters;
* the data it depends on — a sector report: the indicators rows of its sector's domains
  (``secteur=banque``, ``secteur=banque;taille=pme``…) and of the all-sectors domain ``all``,
  plus ``quality.json`` and ``weighting.json`` without the parts that name another sector;
  a company benchmark: the same for its sector, plus the domains of no sector (``taille=…``),
  plus its own answers (a digest passed as its ``data_version`` parameter), plus the
  reference files its « pistes d'action » read (the rules in use and the training catalogue,
  :attr:`iaobs.study.store.Store.company_report_inputs`);
  the regional overview: every indicator, ``quality.json`` and ``weighting.json``; the quality
  report: ``quality.json``, ``rejects.csv``, ``findings.csv`` and the release audit's summary.
  The release audit's summary (``audit_diffusion`` in ``weighting.json``) is written after the
  reports, from them: it is part of the quality report's key only, which states it (else every
  report would be rendered again after each audit);
* ``study.toml`` (titles, labels, thresholds);
* the iaobs version and a hash of every file of the iaobs package (code, templates, styles).

The requested formats are not part of the key: the manifest records, per format, the key its
file was made from (``"formats": {"html": key, "pdf": key…}``); a request for formats already
written with the current key is a cache hit, and rendering some formats keeps the others.

The manifest lives at ``reports/<wave>/.cache.json``. It also remembers, per hash of
``indicators.parquet``, the per-sector digests and the sectors that have data, so that an
unchanged rerun reads no parquet file and imports neither pandas nor pyarrow.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_json
from iaobs.core.resources import package_path
from iaobs.core.version import __version__
from iaobs.study.store import Processed

__all__ = [
    "MANIFEST_NAME",
    "DataFingerprint",
    "Manifest",
    "fingerprint_data",
    "library_digest",
    "report_key",
]

MANIFEST_NAME = ".cache.json"
MANIFEST_FORMAT = 2
# the processed files a report depends on, named as the store names them
INDICATORS = Processed(Path()).indicators.name
QUALITY = Processed(Path()).quality.name
WEIGHTING = Processed(Path()).weighting.name
#: the part of ``weighting.json`` the release audit writes after the reports
RELEASE_AUDIT = "audit_diffusion"
REJECTS = Processed(Path()).rejects.name
FINDINGS = Processed(Path()).findings.name
_ALL = "*"  # group of the rows of no particular sector
#: Kinds of report that read one sector's data (``ReportSpec.sector``) and the ``all`` domain;
#: a company benchmark also reads the other domains of no sector (its size class) and, through
#: its ``data_version`` parameter, its own answers.
SECTOR_KINDS = ("secteur", "chiffres_cles", "entreprise")


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or ``"absent"`` when the file does not exist."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "absent"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def library_digest() -> str:
    """Hash of the iaobs version and of every source, template and style file of the package."""
    root = package_path()
    h = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _domain_sector(domain: str) -> str | None:
    for part in str(domain).split(";"):
        key, _, value = part.partition("=")
        if key.strip() == "secteur":
            return value.strip()
    return None


def _index_indicators(path: Path) -> tuple[dict[str, str], list[str]]:
    """Per-sector digests of the indicators rows and the sectors that have respondents."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = table.column_names
    rows = table.to_pylist()
    groups: dict[str, Any] = {}
    with_data: set[str] = set()
    for row in rows:
        domain = str(row.get("domain", "") or "")
        sector = _domain_sector(domain)
        key = sector if sector is not None else (domain if domain == "all" else _ALL)
        h = groups.setdefault(key, hashlib.sha256())
        h.update(repr(tuple(row.get(c) for c in columns)).encode())
        n = row.get("n")
        if sector is not None and isinstance(n, int | float) and n > 0:
            with_data.add(sector)
    return {k: h.hexdigest() for k, h in groups.items()}, sorted(with_data)


def _project(value: Any, keep: str, others: frozenset[str]) -> Any:
    """Drop from a JSON value the entries that belong to another sector than ``keep``."""

    def foreign(key: Any, item: Any) -> bool:
        if isinstance(key, str):
            if key in others:
                return True
            sector = _domain_sector(key) if "secteur=" in key else None
            if sector is not None and sector != keep:
                return True
        if isinstance(item, dict):
            for field_name in ("secteur", "sector"):
                tag = item.get(field_name)
                if isinstance(tag, str) and tag in others:
                    return True
            for field_name in ("domain", "domaine"):
                tag = item.get(field_name)
                sector = _domain_sector(tag) if isinstance(tag, str) else None
                if sector is not None and sector != keep:
                    return True
        return False

    if isinstance(value, dict):
        return {k: _project(v, keep, others) for k, v in value.items() if not foreign(k, v)}
    if isinstance(value, list):
        return [_project(v, keep, others) for v in value if not foreign(None, v)]
    return value


@dataclass
class DataFingerprint:
    """Digests of the processed data, by what each kind of report depends on."""

    indicators: str
    sector_groups: dict[str, str]
    sectors_with_data: list[str]
    files: dict[str, str]
    study_toml: str
    quality: Any = None
    weighting: Any = None
    references: str = "absent"  # digest of the company reports' reference files
    release_audit: str = "absent"  # digest of weighting.json's audit_diffusion
    _projections: dict[str, str] = field(default_factory=dict)

    def data_digest(self, kind: str, sector: str | None, all_sectors: Iterable[str]) -> str:
        """Digest of the data a report of ``kind`` (and ``sector``) reads."""
        if kind in SECTOR_KINDS and sector is not None:
            cached = self._projections.get(sector)
            if cached is None:
                others = frozenset(s for s in all_sectors if s != sector)
                cached = _digest(
                    {
                        "rows": [self.sector_groups.get(sector), self.sector_groups.get("all")],
                        "quality": _project(self.quality, sector, others),
                        "weighting": _project(self.weighting, sector, others),
                    }
                )
                self._projections[sector] = cached
            if kind == "entreprise":  # also its size class (a domain of no sector), its rules
                return _digest([cached, self.sector_groups.get(_ALL), self.references])
            return cached
        if kind == "qualite":
            return _digest(
                [self.files[QUALITY], self.files[REJECTS], self.files[FINDINGS], self.release_audit]
            )
        return _digest([self.indicators, self.files[QUALITY], self.files[WEIGHTING]])


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def fingerprint_data(
    processed: Path,
    study_toml: Path,
    manifest: Manifest,
    references: Sequence[Path] = (),
) -> DataFingerprint:
    """Hash the processed files; reuses the manifest's per-sector digests when possible.

    ``references``: the reference files the company reports read (their bytes, not their
    place, count)."""
    files = {
        name: file_digest(processed / name) for name in (INDICATORS, QUALITY, REJECTS, FINDINGS)
    }
    weighting = _read_json(processed / WEIGHTING)
    audit = weighting.pop(RELEASE_AUDIT, None) if isinstance(weighting, dict) else None
    files[WEIGHTING] = _digest(weighting) if weighting is not None else "absent"
    cached = manifest.data.get("indicators") or {}
    if cached.get("sha256") == files[INDICATORS] and "groups" in cached:
        groups, with_data = dict(cached["groups"]), list(cached["with_data"])
    elif files[INDICATORS] == "absent":
        groups, with_data = {}, []
    else:
        groups, with_data = _index_indicators(processed / INDICATORS)
        manifest.data["indicators"] = {
            "sha256": files[INDICATORS],
            "groups": groups,
            "with_data": with_data,
        }
    return DataFingerprint(
        indicators=files[INDICATORS],
        sector_groups=groups,
        sectors_with_data=with_data,
        files=files,
        study_toml=file_digest(study_toml),
        quality=_read_json(processed / QUALITY),
        weighting=weighting,
        references=_digest([file_digest(p) for p in references]),
        release_audit=_digest(audit) if audit is not None else "absent",
    )


def report_key(
    *,
    template: Path,
    parameters: Mapping[str, Any],
    data: str,
    study_toml: str,
    library: str,
) -> str:
    """The cache key of one report (see the module docstring for what it covers)."""
    return _digest(
        {
            "template": file_digest(template),
            "parameters": dict(parameters),
            "data": data,
            "study": study_toml,
            "library": library,
            "version": __version__,
        }
    )


class Manifest:
    """The cache manifest of a wave: ``reports/<wave>/.cache.json``."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data or {"format": MANIFEST_FORMAT, "reports": {}}

    @classmethod
    def load(cls, reports_dir: Path) -> Manifest:
        """Read the manifest; a missing, unreadable or older-format one starts empty."""
        path = reports_dir / MANIFEST_NAME
        data = _read_json(path)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            data = None
        return cls(path, data)

    @property
    def reports(self) -> dict[str, Any]:
        return self.data.setdefault("reports", {})

    def is_fresh(
        self, slug: str, key: str, formats: Iterable[str], outputs: Iterable[Path]
    ) -> bool:
        """Whether every format asked of ``slug`` was made with ``key``, files present."""
        entry = self.reports.get(slug)
        if not entry or entry.get("key") != key:
            return False
        made = entry.get("formats")
        if not isinstance(made, dict) or any(made.get(f) != key for f in formats):
            return False
        return all(path.is_file() for path in outputs)

    def save(self) -> None:
        write_json(self.path, self.data)
