"""Errors raised by iaobs.

Every error a user can act on derives from :class:`IaobsError`; the command line catches only
that root and prints its one-line message. Data-quality findings are *not* exceptions: they are
rows of a findings table (see :mod:`iaobs.prepare.validate`).

::

    IaobsError
    ├── InputError          a data file cannot be read or understood (file, sheet, row, column)
    ├── ConfigError         study.toml, a mapping file or the margins are wrong
    ├── StatisticsError     no sensible estimate exists (empty stratum with respondents, raking
    │                       that does not converge, disagreeing margins)
    └── ReportError         a report failed to render (report slug, failing cell)

Third-party exceptions are translated at the boundary, always ``raise ... from exc``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "IaobsError",
    "InputError",
    "ReportError",
    "StatisticsError",
]


class IaobsError(Exception):
    """Root of every error iaobs raises on purpose; its message is meant for the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} — {self.hint}"
        return self.message


def _where(
    file: str | Path | None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> str:
    parts: list[str] = []
    if file is not None:
        parts.append(f"fichier « {Path(file).name} »")
    if sheet:
        parts.append(f"feuille « {sheet} »")
    if row is not None:
        parts.append(f"ligne {row}")
    if column:
        parts.append(f"colonne « {column} »")
    return ", ".join(parts)


class InputError(IaobsError):
    """A data file cannot be read or understood.

    The message names the file and, where they apply, the sheet, the row (as numbered in the
    spreadsheet, 1-based) and the column, then what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        where = _where(file, sheet, row, column)
        super().__init__(f"{where} : {message}" if where else message, hint=hint)


class ConfigError(IaobsError):
    """The study configuration (study.toml, mapping file, population margins) is wrong."""

    def __init__(
        self, message: str, *, file: str | Path | None = None, hint: str | None = None
    ) -> None:
        self.file = str(file) if file is not None else None
        where = _where(file)
        super().__init__(f"{where} : {message}" if where else message, hint=hint)


class StatisticsError(IaobsError):
    """No sensible estimate can be produced; the message names the cell and what to do."""


class ReportError(IaobsError):
    """A report failed to render; carries the report slug and the failing cell when known."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        slug: str | None = None,
        cell: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.slug = slug
        self.cell = cell
        super().__init__(message, hint=hint)
