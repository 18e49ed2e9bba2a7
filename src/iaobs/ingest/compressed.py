"""Compressed exports: ``.gz``, ``.bz2``, ``.xz`` and ``.zip`` archives holding one table.

Survey tools and open-data portals often hand out their exports compressed
(``reponses.csv.gz``, ``export.zip``). :func:`unpacked` inflates such a file into a temporary
folder, with bounded memory and a bounded size (a decompression bomb is refused), so that the
reader reads the table inside as if it had been sent plain. The provenance keeps the name of
the file as received.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from iaobs.errors import InputError

__all__ = ["COMPRESSED_SUFFIXES", "is_archive", "unpacked"]

#: Suffixes of the single-file compressions read transparently.
COMPRESSED_SUFFIXES = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: What a table inside an archive may be.
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".xlsx", ".xlsm", ".xls", ".ods")
#: How many times the file limit an archive may inflate to.
INFLATE_LIMIT = 20
_HINT = "décompressez-le vous-même et déclarez le fichier décompressé dans study.toml"


def is_archive(path: Path, head: bytes) -> bool:
    """Whether ``path`` is a compressed export rather than a table (a zip that is not a
    workbook: no ``[Content_Types].xml`` nor ``mimetype`` part)."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSED_SUFFIXES:
        return True
    if suffix != ".zip" or not head.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError("archive zip illisible ou incomplète", file=path, hint=_HINT) from exc
    return not ({"[Content_Types].xml", "mimetype"} & names)


@contextlib.contextmanager
def unpacked(path: Path, max_file_mb: float) -> Iterator[Path]:
    """The table inside a compressed export, inflated in a temporary folder.

    Raises
    ------
    InputError
        The archive is corrupt, holds no table or several, or inflates beyond
        :data:`INFLATE_LIMIT` times ``max_file_mb``.
    """
    limit = int(INFLATE_LIMIT * max_file_mb * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="iaobs-") as folder:
        suffix = path.suffix.lower()
        try:
            if suffix in COMPRESSED_SUFFIXES:
                inner = Path(folder) / (Path(path.stem).name or "table.csv")
                if not inner.suffix:
                    inner = inner.with_suffix(".csv")
                with COMPRESSED_SUFFIXES[suffix](path, "rb") as source:
                    _copy(source, inner, limit, path)
            else:
                inner = _from_zip(path, Path(folder), limit)
        except InputError:
            raise
        except (OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile) as exc:
            raise InputError(
                f"fichier compressé illisible ou incomplet ({type(exc).__name__})",
                file=path,
                hint=_HINT,
            ) from exc
        yield inner


def _from_zip(path: Path, folder: Path, limit: int) -> Path:
    with zipfile.ZipFile(path) as archive:
        tables = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith(TABLE_SUFFIXES)
            and not Path(info.filename).name.startswith((".", "__MACOSX"))
            and "__MACOSX" not in info.filename
        ]
        if len(tables) != 1:
            found = ", ".join(f"« {t.filename} »" for t in tables[:5]) or "aucun"
            raise InputError(
                f"l'archive doit contenir exactement un tableau (CSV ou classeur) ; trouvé : "
                f"{found}",
                file=path,
                hint="envoyez un tableau par archive, ou décompressez-la et déclarez chaque "
                "fichier dans study.toml",
            )
        info = tables[0]
        if info.file_size > limit:
            _too_large(path, info.file_size, limit)
        inner = folder / Path(info.filename).name
        with archive.open(info) as source:
            _copy(source, inner, limit, path)
    return inner


def _copy(source: IO[bytes], target: Path, limit: int, path: Path) -> None:
    written = 0
    with open(target, "wb") as out:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            written += len(chunk)
            if written > limit:
                _too_large(path, written, limit)
            out.write(chunk)
    if written == 0:
        raise InputError("le fichier compressé ne contient aucune donnée", file=path, hint=_HINT)


def _too_large(path: Path, size: int, limit: int) -> None:
    raise InputError(
        f"fichier compressé refusé : il dépasse {limit / 1024 / 1024:.0f} Mo une fois décompressé",
        file=path,
        hint="vérifiez l'origine du fichier ; s'il est légitime, augmentez max_file_mb",
    )
