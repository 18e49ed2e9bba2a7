"""The intruder's attack on the published tables of counts and distributions.

The tables of the pilot-training report (and of the quality and company reports) are not
indicators cells: they reach the release audit as table cells (``table``, ``row``,
``column``, ``value``, ``n``, ``flag``, see :mod:`iaobs.pipeline.published`). Besides the
direct check (no number for a hidden cell), two relations a reader sees in them are attacked:

* **a distribution adds up to its base**: the shares of a table's « Part (%) » column (one
  row per answer, the « ne sait pas » answers apart) add up to 100 %; the base is the count
  of a published answer divided by its share. One hidden answer is the complement of the
  others; several hidden answers together hold ``1 − Σ published`` of the base, and each lies
  between 0 and that rest — which must hold at least ``min_persons`` persons (11), the rule
  of the training report's complementary secrecy;
* **groups add up to their total**: a table with one row (« Ensemble des participants ») and
  a table of the same file with the same columns and several rows (by family, by sector) are
  a total and its parts; in each column of counts, a single hidden group is the total minus
  the others, and several hidden groups together hold that rest, which must count at least
  ``min_persons`` persons.

* **a yes/no answer asked twice changes by those who changed it**: in a table of paired
  yes/no answers (« Part avant », « Part après », « Non → oui », « Oui → non », the base ``n``
  of the change), ``n × (après − avant) = (non → oui) − (oui → non)``: one count of persons
  left blank while the other is published is that difference away.

A hidden cell is a table cell without a value in a row that a flag (``s``, ``nd``) hides, or
a blank count of persons in a paired table.
Every relation here has one unknown block, so the attack needs no linear programme: the
feasibility interval of each hidden cell is ``[0, rest]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iaobs.core.contract import HIDDEN_FLAGS, PAIRED_YES_NO_COLUMNS

__all__ = ["PAIRED_COLUMNS", "SHARE_COLUMNS", "TableAttack", "attack_tables"]

#: The column of a distribution's shares (French and English reports).
SHARE_COLUMNS = ("Part (%)", "Share (%)")
#: The columns of a table of paired yes/no answers, in each language of the reports.
PAIRED_COLUMNS = tuple(PAIRED_YES_NO_COLUMNS.values())
#: Answers that lie outside a distribution's base (shares of all answers).
_OUTSIDE = ("nsp", "ne sait pas", "don't know", "sans objet", "non concerné", "not applicable")
_TOL = 1e-6


@dataclass
class TableAttack:
    """What the attack on the tables found."""

    relations: int = 0  # relations with a hidden cell
    attacked: int = 0  # hidden cells in a relation
    narrowest_persons: float = math.inf  # smallest rest that a group of hidden cells holds
    leaks: list[str] = field(default_factory=list)
    unprotected: list[str] = field(default_factory=list)


def _name(file: str, table: object, row: object, column: object) -> str:
    return f"{file} : tableau {table}, ligne « {row} », colonne « {column} »"


def _hidden_rows(frame: pd.DataFrame) -> set[object]:
    flags = frame["flag"] if "flag" in frame else pd.Series("", index=frame.index)
    return set(frame.loc[flags.isin(HIDDEN_FLAGS), "row"])


def _distribution(
    file: str, table: object, frame: pd.DataFrame, min_persons: int, out: TableAttack
) -> None:
    hidden_rows = _hidden_rows(frame)
    rows = frame[frame["column"].isin(SHARE_COLUMNS)]
    outside = rows["row"].astype(str).str.lower().str.startswith(_OUTSIDE)
    rows = rows[~outside.to_numpy()]
    value = rows["value"].astype(float)
    hidden = rows["row"].isin(hidden_rows).to_numpy() & value.isna().to_numpy()
    shown = value.notna().to_numpy()
    if not hidden.any():
        return
    n = rows["n"].astype(float) if "n" in rows else pd.Series(np.nan, index=rows.index)
    for r in rows[hidden & n.notna().to_numpy() & (n > 0).to_numpy()].itertuples():
        out.leaks.append(f"{_name(file, table, r.row, r.column)} (effectif publié)")
    share, count = value[shown].to_numpy(), n[shown].to_numpy()
    usable = (share > 0) & np.isfinite(count)
    base = float(np.median(count[usable] / share[usable])) if usable.any() else math.nan
    rest = max(0.0, 1.0 - float(share.sum()))
    out.relations += 1
    out.attacked += int(hidden.sum())
    names = [
        _name(file, table, r, c)
        for r, c in zip(rows["row"][hidden], rows["column"][hidden], strict=True)
    ]
    if hidden.sum() == 1 or rest <= _TOL:
        out.unprotected.extend(f"{x} (complément à 100 %)" for x in names)
        return
    if np.isfinite(base):
        persons = rest * base
        out.narrowest_persons = min(out.narrowest_persons, persons)
        if persons < min_persons - 0.5:
            out.unprotected.extend(
                f"{x} (les cases masquées réunissent {persons:.0f} personnes)" for x in names
            )


def _totals(file: str, frame: pd.DataFrame, min_persons: int, out: TableAttack) -> None:
    """Each one-row table of ``file`` against the tables with the same columns."""
    shapes = {
        t: (frozenset(g["column"]), g["row"].nunique())
        for t, g in frame.groupby("table", sort=False)
    }
    for total, (columns, count) in shapes.items():
        if count != 1:
            continue
        top = frame[frame["table"] == total].set_index("column")["value"].astype(float)
        for part, (other, rows) in shapes.items():
            if part == total or other != columns or rows < 2:
                continue
            _total_relation(file, frame[frame["table"] == part], top, min_persons, out)


def _total_relation(
    file: str, part: pd.DataFrame, top: pd.Series, min_persons: int, out: TableAttack
) -> None:
    hidden_rows = _hidden_rows(part)
    for column, cells in part.groupby("column", sort=False):
        value = cells["value"].astype(float)
        shown = value.dropna().to_numpy()
        if not np.isfinite(top.get(column, math.nan)) or not np.allclose(shown, np.round(shown)):
            continue  # a column of counts only: shares of the parts do not add up
        hidden = cells["row"].isin(hidden_rows).to_numpy() & value.isna().to_numpy()
        if not hidden.any():
            continue
        rest = float(top[column]) - float(shown.sum())
        out.relations += 1
        out.attacked += int(hidden.sum())
        table = cells["table"].iloc[0]
        names = [_name(file, table, r, column) for r in cells["row"][hidden]]
        if hidden.sum() == 1:
            out.unprotected.extend(f"{x} (total moins les autres groupes)" for x in names)
        elif rest > 0:
            out.narrowest_persons = min(out.narrowest_persons, rest)
            if rest < min_persons - 0.5:  # the hidden groups together: a number on too few
                out.unprotected.extend(
                    f"{x} (les groupes masqués réunissent {rest:.0f} personnes)" for x in names
                )


def attack_tables(tables: pd.DataFrame, *, min_persons: int = 11) -> TableAttack:
    """Attack every table of ``tables`` (one row per published table cell, with its file)."""
    out = TableAttack()
    if tables.empty or not {"file", "table", "row", "column", "value"} <= set(tables.columns):
        return out
    frame = tables.copy()
    if "flag" not in frame:
        frame["flag"] = ""
    for (file, table), cells in frame.groupby(["file", "table"], sort=False):
        if cells["column"].isin(SHARE_COLUMNS).any():
            _distribution(str(file), table, cells, min_persons, out)
        if any(set(names) <= set(cells["column"]) for names in PAIRED_COLUMNS):
            _paired_changes(str(file), table, cells, out)
    for file, cells in frame.groupby("file", sort=False):
        _totals(str(file), cells, min_persons, out)
    return out


def _paired_changes(file: str, table: object, frame: pd.DataFrame, out: TableAttack) -> None:
    """``n × (after − before) = gained − lost`` on every row of a paired yes/no table."""
    names = next(c for c in PAIRED_COLUMNS if set(c) <= set(frame["column"]))
    before, after, change, gained, lost = names
    for row, cells in frame.groupby("row", sort=False):
        value = cells.set_index("column")["value"].astype(float)
        count = cells.set_index("column")["n"].astype(float) if "n" in cells else value * math.nan
        blank = [c for c in (gained, lost) if c in value and math.isnan(value[c])]
        if not blank:
            continue
        out.relations += 1
        out.attacked += len(blank)
        n = count.get(change, math.nan)
        known = [value.get(before, math.nan), value.get(after, math.nan), n]
        if len(blank) == 1 and all(math.isfinite(v) for v in known):
            out.unprotected.append(
                f"{_name(file, table, row, blank[0])} (n × écart des parts, moins l'autre sens)"
            )
