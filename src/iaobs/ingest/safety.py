"""Workbooks are zip archives of XML parts: refuse the hostile ones before any parser sees them.

:func:`check_zip` refuses zip bombs (declared uncompressed size above :data:`INFLATE_FACTOR`
times the file limit, or a large member compressed more than :data:`MAX_RATIO` to 1) and XML
parts that declare a ``<!DOCTYPE`` or ``<!ENTITY`` in their prolog (entity-expansion bombs);
it streams and reads at most :data:`PROLOG_LIMIT` bytes per part.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from iaobs.errors import InputError

__all__ = ["HINT_RESAVE", "INFLATE_FACTOR", "MAX_RATIO", "PROLOG_LIMIT", "check_zip", "short_error"]

#: Bytes read at most from the start of each XML part of a workbook to check its prolog.
PROLOG_LIMIT = 1 << 20
#: A workbook may not inflate to more than this many times ``max_file_mb``.
INFLATE_FACTOR = 50
#: Compression ratio above which a large zip member is taken for a zip bomb.
MAX_RATIO = 1000
HINT_RESAVE = "ouvrez-le dans Excel ou LibreOffice et enregistrez-le de nouveau au format .xlsx"


def short_error(exc: BaseException) -> str:
    """An exception's message on one line, at most 160 characters."""
    text = " ".join(str(exc).split())
    return text[:160] or type(exc).__name__


def check_zip(path: Path, max_file_mb: float) -> None:
    """Refuse zip bombs and XML parts declaring a DOCTYPE or entities (bounded memory)."""
    limit = INFLATE_FACTOR * max_file_mb * 1024 * 1024
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(info.file_size for info in members)
            if total > limit:
                raise InputError(
                    f"classeur refusé : il occuperait {total / 1024 / 1024:.0f} Mo une fois "
                    f"décompressé (limite {limit / 1024 / 1024:.0f} Mo)",
                    file=path,
                    hint="vérifiez l'origine du fichier ; s'il est légitime, augmentez max_file_mb",
                )
            for info in members:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
                    raise InputError(
                        f"classeur refusé : la partie « {info.filename} » est anormalement "
                        f"compressée (rapport {ratio:.0f} pour 1, bombe de décompression ?)",
                        file=path,
                        hint="vérifiez l'origine du fichier et enregistrez-le de nouveau",
                    )
            for info in members:
                name = info.filename.lower()
                if name.endswith((".xml", ".rels", ".vml")) and info.file_size:
                    with archive.open(info) as handle:
                        if _prolog_declares_dtd(handle):
                            raise InputError(
                                f"classeur refusé : la partie « {info.filename} » déclare une "
                                "DTD ou des entités XML (fichier malveillant ou altéré)",
                                file=path,
                                hint="vérifiez l'origine du fichier et enregistrez-le de nouveau",
                            )
    except zipfile.BadZipFile as exc:
        raise InputError(
            "classeur corrompu ou incomplet (archive zip illisible)", file=path, hint=HINT_RESAVE
        ) from exc
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        raise InputError(
            f"classeur illisible ({short_error(exc)})", file=path, hint=HINT_RESAVE
        ) from exc
    except zlib.error as exc:
        raise InputError(
            "classeur corrompu ou incomplet (données compressées illisibles)",
            file=path,
            hint=HINT_RESAVE,
        ) from exc


_PROLOG_TOKEN = re.compile(r"\s*(<\?|<!--|<!|<)", re.S)


def _prolog_declares_dtd(handle: io.BufferedIOBase | Any) -> bool:
    """Whether an XML stream declares a DOCTYPE (or anything ``<!``) before its root element.

    Reads at most :data:`PROLOG_LIMIT` bytes; a prolog longer than that is suspicious and
    counts as a declaration.
    """
    raw = b""
    while len(raw) < PROLOG_LIMIT:
        chunk = handle.read(min(65536, PROLOG_LIMIT - len(raw)))
        if not chunk:
            break
        raw += chunk
        verdict = _scan_prolog(raw)
        if verdict is not None:
            return verdict
    verdict = _scan_prolog(raw, final=True)
    return True if verdict is None else verdict


def _scan_prolog(raw: bytes, final: bool = False) -> bool | None:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", errors="ignore")
    else:
        text = raw.decode("latin-1")
    text = text.lstrip("\ufeff\u00ef\u00bb\u00bf")
    pos = 0
    while True:
        match = _PROLOG_TOKEN.match(text, pos)
        if match is None:
            if text[pos:].strip():
                return False  # not markup: calamine will report it
            return False if final else None
        token = match.group(1)
        if token in ("<", "<!") and len(text) - match.start() < 10 and not final:
            return None  # a tag cut by the end of the buffer: read more
        if token in ("<?", "<!--"):
            end = text.find("?>" if token == "<?" else "-->", match.end())
            if end < 0:
                return True if final else None
            pos = end + (2 if token == "<?" else 3)
            continue
        return token == "<!"
