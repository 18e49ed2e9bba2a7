"""Workbooks (xlsx, xlsm, xlsb, xls, ods) read with python-calamine.

Before that, a zip-based workbook is checked for zip bombs and entity-expansion bombs
(:mod:`iaobs.ingest.safety`), and an encrypted one refused with the way out. When no sheet is
given, the one that looks like the data is chosen (:func:`read_workbook`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iaobs.errors import InputError
from iaobs.ingest.headers import HEADER_SCAN_ROWS, build_table, dictionary_matches
from iaobs.ingest.safety import HINT_RESAVE, check_zip, short_error
from iaobs.ingest.table import RawTable, cell_value
from iaobs.study.dictionary import Dictionary, normalise_text

__all__ = ["open_workbook", "read_workbook"]

NOTE_SHEET_WORDS = (
    "note",
    "instruction",
    "dictionnaire",
    "dictionary",
    "lisez",
    "readme",
    "read me",
    "aide",
    "help",
    "liste",
    "lists",
    "documentation",
    "description",
    "methodo",
    "legende",
    "sommaire",
    "consigne",
)
KOBO_REPEAT_HEADERS = {"_parent_index", "_parent_table_name"}
KOBO_HEADERS = {"_id", "_uuid", "_submission_time", "_index", "_submission__id"}

ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def open_workbook(path: Path, kind: str, size: int, max_file_mb: float) -> Any:
    import python_calamine as calamine

    if kind == "zip":
        check_zip(path, max_file_mb)
    elif path.suffix.lower() in {".xlsx", ".xlsm", ".xlsb"}:
        data = path.read_bytes()
        if ENCRYPTED_STREAM in data:
            raise _password_error(path)
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise _password_error(path) from exc
    except calamine.ZipError as exc:
        raise InputError(
            "classeur corrompu ou incomplet (archive illisible)", file=path, hint=HINT_RESAVE
        ) from exc
    except calamine.CalamineError as exc:
        raise InputError(
            f"classeur illisible ({short_error(exc)})", file=path, hint=HINT_RESAVE
        ) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(
            f"classeur illisible ({short_error(exc)})", file=path, hint=HINT_RESAVE
        ) from exc


def _password_error(path: Path) -> InputError:
    return InputError(
        "le classeur est protégé par mot de passe",
        file=path,
        hint="ouvrez-le avec son mot de passe, enregistrez-le sans mot de passe, puis relancez",
    )


def read_workbook(
    path: Path,
    kind: str,
    size: int,
    digest: str,
    sheet: str | None,
    header_row: int | None,
    dictionary: Dictionary | None,
    max_file_mb: float,
    notes: list[str],
) -> RawTable:
    import python_calamine as calamine

    book = open_workbook(path, kind, size, max_file_mb)
    try:
        names = list(book.sheet_names)
        if not names:
            raise InputError("le classeur ne contient aucune feuille", file=path, hint=HINT_RESAVE)
        if sheet is not None:
            if sheet not in names:
                raise InputError(
                    f"feuille « {sheet} » introuvable (feuilles : "
                    + ", ".join(f"« {n} »" for n in names)
                    + ")",
                    file=path,
                    hint="corrigez le nom de la feuille dans study.toml ou retirez-le",
                )
            chosen = sheet
            loaded = {sheet: _sheet(book, path, sheet)}
        else:
            chosen, loaded = _choose_sheet(book, path, names, dictionary, notes)
        rows_obj = loaded[chosen]
        try:
            rows = rows_obj.to_python(skip_empty_area=False)
        except calamine.CalamineError as exc:
            raise InputError(
                f"feuille illisible ({short_error(exc)})", file=path, sheet=chosen, hint=HINT_RESAVE
            ) from exc
    finally:
        book.close()
    numbered = ((i + 1, row) for i, row in enumerate(rows))
    return build_table(path, chosen, digest, numbered, header_row, dictionary, notes)


def _sheet(book: Any, path: Path, name: str) -> Any:
    import python_calamine as calamine

    try:
        return book.get_sheet_by_name(name)
    except calamine.PasswordError as exc:
        raise _password_error(path) from exc
    except calamine.CalamineError as exc:
        raise InputError(
            f"feuille illisible ({short_error(exc)})", file=path, sheet=name, hint=HINT_RESAVE
        ) from exc


def _choose_sheet(
    book: Any,
    path: Path,
    names: list[str],
    dictionary: Dictionary | None,
    notes: list[str],
) -> tuple[str, dict[str, Any]]:
    """Pick the sheet that looks like the data; returns its name and the loaded sheets."""
    if len(names) == 1:
        return names[0], {names[0]: _sheet(book, path, names[0])}
    visibility = {m.name: str(m.visible).rsplit(".", 1)[-1] for m in book.sheets_metadata}
    loaded: dict[str, Any] = {}
    scored: list[tuple[tuple[float, ...], int, str]] = []
    kobo = False
    for index, name in enumerate(names):
        try:
            sh = _sheet(book, path, name)
        except InputError:
            continue
        loaded[name] = sh
        top = sh.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
        cells = [[cell_value(v) for v in row] for row in top]
        nonblank = [row for row in cells if any(v is not None for v in row)]
        if not nonblank:
            continue
        header_texts = {
            str(v).strip().lower() for row in nonblank[:3] for v in row if isinstance(v, str)
        }
        is_repeat = bool(header_texts & KOBO_REPEAT_HEADERS)
        kobo = kobo or is_repeat or bool(header_texts & KOBO_HEADERS)
        matches = 0
        if dictionary is not None:
            matches = max(dictionary_matches(row, dictionary) for row in nonblank)
        lowered = normalise_text(name)
        notes_like = any(word in lowered for word in NOTE_SHEET_WORDS)
        hidden = visibility.get(name, "Visible") != "Visible"
        score = (
            0.0 if hidden else 1.0,
            0.0 if is_repeat else 1.0,
            float(matches),
            0.0 if notes_like else 1.0,
            float(sh.height) * max(len(nonblank[0]), 1),
        )
        scored.append((score, -index, name))
    if not scored:
        raise InputError(
            "toutes les feuilles du classeur sont vides",
            file=path,
            hint="vérifiez que vous avez envoyé le bon fichier",
        )
    scored.sort(reverse=True)
    chosen = scored[0][2]
    others = [n for n in names if n != chosen]
    reason = (
        "export KoboToolbox : feuille principale" if kobo else "feuille qui ressemble aux données"
    )
    notes.append(
        f"feuille « {chosen} » choisie ({reason}) ; autres feuilles ignorées : "
        + ", ".join(f"« {n} »" for n in others)
    )
    return chosen, loaded
