"""The numbers of a release's running text, read as a reader reads them.

A report's HTML says in sentences what its tables show: L'essentiel, the commentary of each
section, the Lecture line and the alternative text of each chart, the notes. Every
percentage written there is read back (:func:`prose_numbers`) — outside the tables, scripts
and styles, which the other readers of :mod:`iaobs.pipeline.published` cover — with the
sentence it stands in, once the labels of the report's codebook are taken out (« Moins de
10 % » is an answer, not a figure).

The release audit then ties each one to the report's own cells (:func:`tie_prose`): a
percentage printed as a whole number is the published value of a cell (estimate or interval
bound) within half a point. A percentage that no published cell of the report gives but that
a hidden cell of the report rounds to is a hidden cell written in the text: a leak, named with
its file and its candidate cells. The tie is by value, not by position: a hidden value that
coincides with a published one of the same report goes unseen (the generators do not mark
each number with its cell yet).
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["CELLS", "SPAN", "marked_numbers", "prose_numbers", "prose_segments", "tie_prose"]

_DROP = re.compile(
    r"<(script|style|table|svg|head)\b.*?</\1>|<!--.*?-->", re.DOTALL | re.IGNORECASE
)
_ATTRIBUTE = re.compile(r'\b(?:alt|aria-label|title)="([^"]*)"', re.IGNORECASE)
_BLOCK = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|div|figcaption|figure|section|br|dd|dt)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_PERCENT = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d)?)[\s\u202f\xa0]?%")
#: words before a percentage that make it a constant of the method, not a figure
_CONSTANT = re.compile(
    r"(?:\bIC|\bCI|seuil de|level of|confiance (?:à|de)|confidence(?: of| level)?|plus de|"
    r"more than|moins de|"
    r"less than|au moins|at least|supérieur à|above|below|inférieur à|the)[\s\u202f\xa0]*$",
    re.IGNORECASE,
)


#: a number the generator marked with its cell (:mod:`iaobs.core.cellmark`)
SPAN = re.compile(r'<span data-cell="([^"]*)" data-stat="([^"]*)">([^<]*)</span>')
#: the numbers of an element's attributes (a chart's ``alt``), marked with their cells
CELLS = re.compile(r'\sdata-cells="([^"]*)"')
_ELEMENT = re.compile(r"<[a-zA-Z][^<>]*>")


def marked_numbers(page: str) -> list[tuple[str, str, str]]:
    """(cell key, what the number is, the number as printed) of every marked number."""
    out = [tuple(html_lib.unescape(x) for x in m) for m in SPAN.findall(page)]
    for payload in CELLS.findall(page):
        try:
            cells = json.loads(html_lib.unescape(payload))
        except ValueError:
            continue
        out += [(str(c[0]), str(c[1]), str(c[2])) for c in cells if len(c) == 3]
    return out  # type: ignore[return-value]


def _unmarked_attributes(element: str) -> list[str]:
    """The attribute texts of an element, without the numbers its ``data-cells`` marks."""
    texts = [html_lib.unescape(a) for a in _ATTRIBUTE.findall(element)]
    found = CELLS.search(element)
    if not found or not texts:
        return texts
    try:
        printed = [str(c[2]) for c in json.loads(html_lib.unescape(found.group(1)))]
    except (ValueError, IndexError, TypeError):
        return texts
    out = []
    for text in texts:
        for number in printed:
            text = text.replace(number, "·", 1)
        out.append(text)
    return out


def prose_segments(page: str) -> list[str]:
    """The sentences of a page outside its tables, text blocks and alternative texts, with
    the numbers the generator marked taken out (:func:`marked_numbers` reads those)."""
    body = SPAN.sub("·", _DROP.sub(" ", page))
    segments = [t for e in _ELEMENT.findall(body) for t in _unmarked_attributes(e)]
    text = _BLOCK.sub(
        "\n", _TAG.sub(lambda m: m.group(0) if _BLOCK.match(m.group(0)) else "", body)
    )
    segments += [html_lib.unescape(s).strip() for s in text.split("\n")]
    return [s for s in segments if "%" in s]


def prose_numbers(segments: Iterable[str], labels: Iterable[str] = ()) -> pd.DataFrame:
    """Every percentage of ``segments`` (``value`` 0–1, ``decimals`` as printed, ``text``:
    its sentence), the ``labels`` (answers of the codebook) and constants of the method
    (« IC 95 % », « au seuil de 5 % », « plus de 85 % ») apart."""
    known = sorted({str(x) for x in labels if "%" in str(x)}, key=len, reverse=True)
    rows = []
    for segment in segments:
        text = segment.replace("\u202f", " ").replace("\xa0", " ")
        for label in known:
            text = re.sub(re.escape(label.replace("\u202f", " ")), "·", text, flags=re.IGNORECASE)
        for match in _PERCENT.finditer(text):
            if _CONSTANT.search(text[: match.start()]):
                continue
            number = match.group(1)
            around = text[max(0, match.start() - 80) : match.end() + 40].strip()
            rows.append(
                {
                    "value": float(number.replace(",", ".")) / 100,
                    "decimals": len(number.split(",")[1]) if "," in number else 0,
                    "text": f"{match.group(0)} » dans « …{around}…",
                }
            )
    return pd.DataFrame(rows, columns=["value", "decimals", "text"])


def tie_prose(
    numbers: pd.DataFrame, published: np.ndarray, hidden: pd.DataFrame
) -> tuple[int, list[tuple[str, list[str]]], list[str]]:
    """Tie each number to the published values of its report (0–1 shares) within half the
    last printed digit. Returns the count tied, the numbers that only hidden cells give (their
    sentence and the candidate cells' names, from ``hidden``'s ``name`` and ``estimate``)
    and the sentences of the numbers tied to nothing."""
    shown = np.sort(np.asarray(published, dtype=float)[np.isfinite(published)])
    secret = hidden["estimate"].to_numpy(dtype=float) if len(hidden) else np.zeros(0)
    tied, leaks, loose = 0, [], []
    for value, decimals, text in numbers.itertuples(index=False, name=None):
        half = 0.5 * 10.0 ** -(decimals + 2) + 1e-9
        at = np.searchsorted(shown, value - half)
        if at < len(shown) and shown[at] <= value + half:
            tied += 1
            continue
        close = np.abs(secret - value) <= half
        if close.any():
            leaks.append((text, hidden.loc[close, "name"].head(3).tolist()))
        else:
            loose.append(text)
    return tied, leaks, loose
