"""Atomic file writes: a crash never leaves a half-written output.

Every writer of iaobs goes through :func:`atomic_path`: the content is written to a temporary
file in the destination folder, flushed to disk, then renamed over the destination (a rename is
atomic on POSIX file systems).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iaobs.errors import IaobsError

__all__ = ["atomic_path", "write_bytes", "write_json", "write_text"]


@contextlib.contextmanager
def atomic_path(destination: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``destination`` atomically.

    On any exception the temporary file is removed and ``destination`` is left untouched.
    A full disk or an unwritable folder becomes an :class:`IaobsError` naming the folder.
    """
    destination = Path(destination)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
        )
    except OSError as exc:
        raise _os_error(exc, destination) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, destination)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _os_error(exc, destination) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _os_error(exc: OSError, destination: Path) -> IaobsError:
    if exc.errno == errno.ENOSPC:
        return IaobsError(
            f"disque plein : impossible d'écrire « {destination} »",
            hint="libérez de la place sur le disque puis relancez",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST):
        return IaobsError(
            f"dossier non accessible en écriture : « {destination.parent} »",
            hint="vérifiez les droits du dossier ou choisissez un autre dossier de sortie",
        )
    return IaobsError(f"écriture impossible de « {destination} » ({exc.strerror})")


def write_bytes(destination: str | Path, data: bytes) -> Path:
    """Write bytes atomically; returns the destination."""
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
    return Path(destination)


def write_text(destination: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically; returns the destination."""
    return write_bytes(destination, text.encode("utf-8"))


def write_json(destination: str | Path, data: Any) -> Path:
    """Write JSON (UTF-8, indented, keys in insertion order) atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    return write_text(destination, text)
