"""The table model of the reports: a numbered table as tidy data, apart from its rendering.

A :class:`ReportTable` holds a tidy frame whose estimates are floats (proportions 0–1, means
in their unit), with the base ``n`` and a flag column beside each estimate, and a kind for
every column (see :mod:`iaobs.reports.tables`). It is rendered as HTML by
:mod:`iaobs.reports.tablehtml` and written to Excel and CSV by :mod:`iaobs.render.excel`.
A report numbers its tables by their rank in its layout: ``((section key, (table key, …)),
…)``, whether a table is shown alone (a notebook cell) or with every other (the workbook).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Built", "ReportTable", "TableSection", "sections_from_layout", "table_from_layout"]


@dataclass
class ReportTable:
    """One numbered table: title, tidy frame, notes (full lines) and column kinds."""

    number: int
    title: str
    frame: pd.DataFrame
    notes: list[str]
    kinds: dict[str, str]
    key: str = ""


@dataclass
class TableSection:
    """The tables of one report section (one Excel sheet)."""

    title: str
    tables: list[ReportTable] = field(default_factory=list)


#: what a table's builder returns: title, tidy frame, notes, column kinds
Built = tuple[str, pd.DataFrame, list[str], dict[str, str]]


def table_from_layout(
    layout: Any, builders: dict[str, Callable[[Any], Built]], ctx: Any, key: str, *, report: str
) -> ReportTable:
    """Build table ``key`` of a report whose tables are numbered by their rank in ``layout``.

    ``layout`` is ``((section key, (table key, …)), …)`` and ``builders`` maps a table key to
    a function of the context returning (title, frame, notes, column kinds).

    The same number is given whether the table is shown alone (a notebook cell) or with every
    other (the Excel export). ``report`` names the report in the error for an unknown key.
    """
    number = 0
    for _, keys in layout:
        for k in keys:
            number += 1
            if k == key:
                title, frame, notes, kinds = builders[key](ctx)
                return ReportTable(number, title, frame, notes, kinds, key=key)
    raise KeyError(f"tableau inconnu du {report} : {key!r}")


def sections_from_layout(
    layout: Any,
    builders: dict[str, Callable[[Any], Built]],
    ctx: Any,
    titles: dict[str, tuple[str, str]],
    *,
    report: str,
) -> list[TableSection]:
    """Every table of such a report, by section (one Excel sheet per section).

    ``titles`` maps a section key to its (French, English) title.
    """
    return [
        TableSection(
            ctx.pick(*titles[section]),
            [table_from_layout(layout, builders, ctx, k, report=report) for k in keys],
        )
        for section, keys in layout
    ]
