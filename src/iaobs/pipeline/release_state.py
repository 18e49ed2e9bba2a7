"""Which files of a release the audit reads, and whether they changed since the last audit.

Kept apart from the audit itself (pandas, SciPy) so that an unchanged ``iaobs run`` answers
without importing either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from iaobs.core.atomic import write_json
from iaobs.study.config import Study

__all__ = ["published_files", "record_release", "release_stamp", "release_unchanged"]

#: files that hold no number a reader could combine (the PDF repeats the HTML's)
_SKIP = {".pdf", ".png", ".svg", ".js", ".css", ".woff2", ".ico"}


def published_files(folder: Path) -> Iterator[tuple[Path, str]]:
    """The files of a release that may hold numbers, with their path relative to ``folder``:
    hidden build files (the report cache's manifest) and images, PDFs, scripts and fonts apart."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.suffix.lower() in _SKIP or "/." in f"/{rel}":
            continue
        yield path, rel


def release_stamp(folder: Path) -> str:
    """Sizes and times of the files the audit reads: unchanged, it need not run again."""
    digest = hashlib.sha256()
    for path, rel in published_files(folder):
        stat = path.stat()
        digest.update(f"{rel}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def release_unchanged(study: Study) -> bool:
    """True when the wave's files are those of the last audit that passed."""
    try:
        state = json.loads(study.store.stage_state("release").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    folder = study.store.reports_dir
    return folder.is_dir() and state.get("stamp") == release_stamp(folder)


def record_release(study: Study) -> None:
    """Remember the release as audited (its files' sizes and times)."""
    state = study.store.stage_state("release")
    state.parent.mkdir(parents=True, exist_ok=True)
    write_json(state, {"stamp": release_stamp(study.store.reports_dir)})
