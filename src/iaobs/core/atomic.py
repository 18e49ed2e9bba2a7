"""Atomic file writes: a crash never leaves a half-written output.

Every writer of iaobs goes through :func:`atomic_path`: the content is written to a temporary
file in the destination folder, flushed to disk, then renamed over the destination (a rename is
atomic on POSIX file systems).

A process killed with SIGKILL can still leave its temporary file behind (a hidden
``.<name>.<random>.tmp`` beside the destination; the destination itself is never half-written).
:func:`remove_temporaries` removes them; the command line calls it at the start of a run, under
:func:`study_lock`, which also keeps two runs from working on the same study at once.
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

__all__ = [
    "atomic_path",
    "remove_temporaries",
    "study_lock",
    "write_bytes",
    "write_json",
    "write_text",
]


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
            # mkstemp creates the file 0600; an output is as readable as any file the user
            # creates (0644 under the usual umask), so that a web server can publish it
            os.fchmod(handle.fileno(), _FILE_MODE & ~_umask())
        os.replace(tmp, destination)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _os_error(exc, destination) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_FILE_MODE = 0o666


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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


def remove_temporaries(folder: str | Path, *, staging: str | None = None) -> int:
    """Remove what killed writers left in ``folder`` (recursively); returns how many.

    Removes the hidden temporary files of :func:`atomic_path` (``.<name>.<random>.tmp``) and,
    when ``staging`` names a sub-folder (``.staging`` of the report runner), that whole
    sub-folder. Only call it when no other process writes there (see :func:`study_lock`).
    """
    import shutil

    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    if staging:
        target = folder / staging
        if target.is_dir():
            removed += sum(1 for p in target.rglob("*") if p.is_file())
            shutil.rmtree(target, ignore_errors=True)
    for path in folder.rglob(".*.tmp"):
        if path.is_file() and path.name.count(".") >= 3:
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def study_lock(root: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on a study for the time of a run (``.iaobs-cache/run.lock``).

    The lock is released when the block ends or the process dies, however it dies. A second
    run on the same study while the first holds it is an :class:`IaobsError`.
    """
    import fcntl

    lock = Path(root) / ".iaobs-cache" / "run.lock"
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a+b")  # noqa: SIM115 - held for the duration of the block
    except OSError as exc:
        raise _os_error(exc, lock) from exc
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IaobsError(
                f"une autre exécution d'iaobs travaille déjà sur l'étude « {Path(root)} »",
                hint="attendez qu'elle se termine, puis relancez",
            ) from exc
        yield lock
    finally:
        handle.close()
