"""Every number of a release, read back as an outsider reads it.

The release audit (:mod:`iaobs.pipeline.release`) attacks what was published, not what the
code meant to publish: this module reads every file of ``reports/<wave>/`` — each report's
``indicators.csv`` (indicators rows or table cells), the sheets of ``tables.xlsx``, the site's
open data (``donnees/*.csv``) and the JSON embedded in its pages — and returns each published
number with the cell it describes:

* indicators rows (``indicator``, ``level``, ``domain`` and an ``estimate``): one published cell;
* comparisons with the rest of the region (``rest`` or ``difference`` beside an estimate): the
  rest of the region beside the domain, a cell of its own;
* evolution rows (``previous_wave`` and ``difference``): the previous wave's value of the cell;
* table cells (``table``, ``row``, ``column``, ``value``): a report's table, with its flag.

Files are read with the plain tools a reader would use (CSV with ``;`` and a decimal comma or
``,`` and a decimal point, the workbook's cells, the page's ``application/json`` scripts).
"""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.pipeline.prose import marked_numbers, prose_segments
from iaobs.pipeline.release_state import published_files

__all__ = [
    "Release",
    "previous_values",
    "read_csv_numbers",
    "read_json_rows",
    "read_marked_rows",
    "read_release",
    "read_workbook",
]

#: The columns that identify an indicators cell.
CELL_KEYS = ("indicator", "level", "domain")
_NUMERIC = (
    "estimate",
    "ci_low",
    "ci_high",
    "rest",
    "difference",
    "ci_low_difference",
    "ci_high_difference",
    "value",
    "n",
)
_TEXT = (*CELL_KEYS, "statistic", "flag", "wave", "previous_wave", "table", "row", "column")
_SCRIPT = re.compile(
    r'<script type="application/json"[^>]*>(.*?)</script>', re.DOTALL | re.IGNORECASE
)
#: Files of a release that carry no number of the survey (pages of text, code, styles).


@dataclass
class Release:
    """What a release publishes, one row per published number group."""

    cells: list[pd.DataFrame] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    files: int = 0
    numbers: int = 0
    unread: list[str] = field(default_factory=list)
    prose: dict[str, list[str]] = field(default_factory=dict)  # page -> its sentences with a %
    marked: int = 0  # numbers of the sentences marked with their cell
    labels: dict[str, list[str]] = field(default_factory=dict)  # folder -> codebook labels

    def add(self, frame: pd.DataFrame, source: str) -> None:
        """Add a frame read from ``source`` (indicators rows or table cells)."""
        if frame is None or frame.empty:
            return
        frame = _normalise(frame)
        numeric = [c for c in _NUMERIC if c in frame]
        self.numbers += int(frame[numeric].notna().to_numpy().sum()) if numeric else 0
        frame.insert(0, "file", source)
        if set(CELL_KEYS) <= set(frame.columns):
            self.cells.append(frame)
        elif {"table", "value"} <= set(frame.columns):
            self.tables.append(frame)

    def cell_frame(self) -> pd.DataFrame:
        """Every indicators row read, with its file (empty columns where a file had none)."""
        if not self.cells:
            return pd.DataFrame(columns=["file", *CELL_KEYS, "estimate"])
        frame = pd.concat(self.cells, ignore_index=True, sort=False)
        for column in _TEXT:  # a file without the column: empty, not NaN (« nan »)
            if column in frame:
                frame[column] = frame[column].fillna("")
        return frame

    def table_frame(self) -> pd.DataFrame:
        """Every table cell read, with its file."""
        if not self.tables:
            return pd.DataFrame(columns=["file", "table", "row", "column", "value", "flag"])
        return pd.concat(self.tables, ignore_index=True, sort=False)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [str(c).strip() for c in out.columns]
    out = out.loc[:, ~pd.Index(out.columns).duplicated()]
    for col in _TEXT:
        if col in out:
            out[col] = out[col].astype("object").where(out[col].notna(), "").astype(str).str.strip()
    for col in _NUMERIC:
        if col in out:
            out[col] = _to_number(out[col])
    if "level" not in out and "indicator" in out:
        out["level"] = ""
    return out


def _to_number(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        return pd.to_numeric(series, errors="coerce").astype(float)
    text = series.astype("object").where(series.notna(), "").astype(str).str.strip()
    text = text.str.replace("\u202f", "", regex=False).str.replace("\xa0", "", regex=False)
    text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def read_csv_numbers(data: bytes) -> pd.DataFrame:
    """A published CSV as text columns (French ``;`` or English ``,``, with or without BOM);
    the numeric columns are converted by :class:`Release`."""
    text = data.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    return pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, on_bad_lines="skip"
    )


def read_workbook(path: Path) -> Iterator[tuple[str, pd.DataFrame, int]]:
    """Each sheet of a workbook as (sheet name, frame from its header row, numbers in it).

    The header row is the first row that names ``indicator`` and ``domain`` (a flat data
    sheet) or ``table`` and ``value``; a sheet without one (a formatted table) yields an empty
    frame and the count of its numeric cells."""
    from python_calamine import CalamineWorkbook  # lazy: only for workbooks

    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        count = sum(1 for row in rows for v in row if isinstance(v, int | float) and v == v)
        header = _header_row(rows)
        if header is None:
            yield name, pd.DataFrame(), count
            continue
        columns = [str(c) for c in rows[header]]
        body = [list(r) + [""] * (len(columns) - len(r)) for r in rows[header + 1 :]]
        yield name, pd.DataFrame([r[: len(columns)] for r in body], columns=columns), 0


def _header_row(rows: list[list[Any]]) -> int | None:
    for k, row in enumerate(rows[:50]):
        names = {str(v).strip() for v in row}
        if {"indicator", "domain"} <= names or {"table", "value"} <= names:
            return k
    return None


def read_json_rows(text: str) -> pd.DataFrame:
    """The indicators rows embedded as JSON in a page (the explorer's ``rows``: for each
    ``indicator|level``, lists ``[domain, estimate, ci_low, ci_high, n, flag, …]``)."""
    frames = []
    for block in _SCRIPT.findall(text):
        try:
            payload = json.loads(html_lib.unescape(block) if "&quot;" in block else block)
        except ValueError:
            continue
        frames.extend(_json_frames(payload))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _json_frames(payload: Any) -> Iterable[pd.DataFrame]:
    if not isinstance(payload, dict):
        return
    rows = payload.get("rows")
    if isinstance(rows, dict):
        records = []
        for key, items in rows.items():
            indicator, _, level = str(key).partition("|")
            for item in items or []:
                if not isinstance(item, list) or len(item) < 2:
                    continue
                records.append(
                    {
                        "indicator": indicator,
                        "level": level,
                        "domain": item[0],
                        "estimate": item[1],
                        "ci_low": item[2] if len(item) > 2 else None,
                        "ci_high": item[3] if len(item) > 3 else None,
                        "n": item[4] if len(item) > 4 else None,
                        "flag": item[5] if len(item) > 5 else "",
                    }
                )
        if records:
            yield pd.DataFrame(records)
    for entry in payload.get("indicators") or []:  # evolution by wave of an indicator
        if isinstance(entry, dict) and isinstance(entry.get("waves"), list | dict):
            frame = _wave_frame(entry)
            if frame is not None:
                yield frame


def _wave_frame(entry: dict[str, Any]) -> pd.DataFrame | None:
    indicator, _, level = str(entry.get("key", "")).partition("|")
    waves = entry["waves"]
    records = []
    items = waves.items() if isinstance(waves, dict) else enumerate(waves)
    for wave, values in items:
        if isinstance(values, list):
            for item in values:
                if isinstance(item, list) and len(item) >= 2:
                    records.append(
                        {
                            "indicator": indicator,
                            "level": level,
                            "wave": str(item[0]) if not isinstance(wave, str) else wave,
                            "domain": "all",
                            "estimate": item[1],
                        }
                    )
    return pd.DataFrame(records) if records else None


_PRINTED = re.compile(r"([+\-\u2212]?)\s*(\d+(?:[.,]\d+)?)")


def _printed_value(text: str) -> float:
    """A printed share or difference (« 42 % », « −3 points ») on the 0–1 scale."""
    found = _PRINTED.search(text.replace("\u202f", "").replace("\xa0", ""))
    if not found:
        return float("nan")
    value = float(found.group(2).replace(",", ".")) / 100
    return -value if found.group(1) in ("-", "\u2212") else value


def read_marked_rows(page: str) -> pd.DataFrame:
    """The numbers a page's sentences print, one row per cell: its ``estimate``, interval
    bounds and ``difference`` with the rest of the region, as printed (rounded); ``texte``
    says the row comes from the running text."""
    records: dict[str, dict[str, Any]] = {}
    for key, stat, text in marked_numbers(page):
        indicator, level, domain = ([*key.split("|", 2), "", ""])[:3]
        row = records.setdefault(
            key, {"indicator": indicator, "level": level, "domain": domain, "texte": "oui"}
        )
        if stat in ("estimate", "ci_low", "ci_high", "difference"):
            row.setdefault(stat, _printed_value(text))
    return pd.DataFrame(list(records.values()))


def read_release(folder: Path) -> Release:
    """Every number published under ``folder`` (``reports/<wave>/``), with its cell."""
    release = Release()
    for path, rel in published_files(folder):
        suffix = path.suffix.lower()
        try:
            if suffix == ".csv" and path.name == "codebook.csv":
                release.files += 1
                book = read_csv_numbers(path.read_bytes())
                release.labels[rel.rsplit("/", 1)[0]] = book.iloc[:, -1].astype(str).tolist()
            elif suffix == ".csv":
                release.files += 1
                release.add(read_csv_numbers(path.read_bytes()), rel)
            elif suffix == ".xlsx":
                release.files += 1
                for sheet, frame, count in read_workbook(path):
                    release.numbers += count
                    release.add(frame, f"{rel} [{sheet}]")
            elif suffix in (".html", ".htm"):
                release.files += 1
                page = path.read_text(encoding="utf-8", errors="replace")
                release.add(read_json_rows(page), rel)
                release.marked += len(marked_numbers(page))
                release.add(read_marked_rows(page), rel)
                release.prose[rel] = prose_segments(page)
            elif suffix == ".json":
                release.files += 1
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            release.unread.append(f"{rel} ({type(exc).__name__})")
    return release


def published_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows of a read frame that publish a number for their cell."""
    if "estimate" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["estimate"].notna().to_numpy()


def previous_values(cells: pd.DataFrame, wave: str) -> pd.DataFrame:
    """The values of earlier waves that a release gives, one row per file and cell.

    An evolution row of an earlier wave gives its value outright; a row of the current wave
    with ``previous_wave`` and ``difference`` gives the earlier value as the current one minus
    the change (the current value read in the same row, or in any other file). Columns
    ``file``, the cell's keys, ``wave`` (the earlier wave) and ``estimate``.
    """
    columns = ["file", *CELL_KEYS, "wave", "estimate"]
    if not wave or "estimate" not in cells or cells.empty:
        return pd.DataFrame(columns=columns)
    if "wave" not in cells:
        cells = cells.assign(wave="")
    current = cells["wave"].isin(["", wave]).to_numpy()
    earlier = cells[~current & cells["estimate"].notna().to_numpy()]
    parts = [earlier.loc[:, columns]]
    if {"previous_wave", "difference"} <= set(cells.columns):
        keys = list(CELL_KEYS)
        now = cells[current & cells["estimate"].notna().to_numpy()]
        known = now.drop_duplicates(keys).set_index(keys)["estimate"]
        changes = cells[
            current
            & (cells["previous_wave"] != "").to_numpy()
            & cells["difference"].notna().to_numpy()
        ]
        if len(changes):
            index = pd.MultiIndex.from_frame(changes[keys])
            value = changes["estimate"].to_numpy(dtype=float)
            value = np.where(np.isnan(value), known.reindex(index).to_numpy(dtype=float), value)
            given = changes.assign(
                wave=changes["previous_wave"], estimate=value - changes["difference"].to_numpy()
            )
            parts.append(given[np.isfinite(given["estimate"].to_numpy())].loc[:, columns])
    return pd.concat(parts, ignore_index=True)
