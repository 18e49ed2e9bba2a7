"""Content digests: of a file, and of the iaobs code itself (version, sources, templates)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from iaobs.core.resources import package_path
from iaobs.core.version import __version__

__all__ = ["file_digest", "library_digest"]


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes; ``"absent"`` when it does not exist, ``"unreadable"`` when it
    cannot be read (a folder, no permission)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return "absent"
    except OSError:
        # A folder, a device or a file without read permission: the readers name the problem.
        return "unreadable"


@functools.cache
def library_digest() -> str:
    """Hash of the iaobs version and of every source, template and style file of the package.

    Computed once per process: the package does not change while it runs.
    """
    root = package_path()
    h = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()
