"""Numbers of the running text marked with the cell they come from.

The release audit reads every number a report prints. A number written in a sentence (the
key figures, the commentary, the Lecture lines, a chart's alternative text) is tied to its
indicators cell exactly when the sentence's writer marks it: :func:`mark` wraps the printed
number with the cell's key (``indicator|level|domain``) and what the number is (``estimate``,
``ci_low``, ``ci_high``, ``difference`` with the rest of the region) in private-use
characters that no typography rule touches; :func:`cell_spans` turns the marks of the final
page into ``<span data-cell="…" data-stat="…">42 %</span>`` (and, inside an attribute such as
a chart's ``alt``, into a ``data-cells`` list on the element), which the audit reads
(:mod:`iaobs.pipeline.published`).

Marking is on only while a report's notebook runs for the release (the report server sets
:data:`ENV`); everywhere else — tests, notebooks opened by hand, the Excel workbook, the
site's pages — :func:`mark` returns the text as it is.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ENV", "cell_key", "cell_spans", "mark", "marking", "strip_marks"]

#: Environment variable that turns marking on (``"1"``).
ENV = "IAOBS_MARK_CELLS"
_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_SHIFT = 0xF0000  # keys are written in the supplementary private-use plane
_MARK = re.compile(f"{_OPEN}([\U000f0000-\U000fffff]*){_MID}([^{_OPEN}{_CLOSE}]*){_CLOSE}")
_TAG = re.compile(r"<[^<>]*>")
_ANY = re.compile(f"[{_OPEN}{_MID}{_CLOSE}\U000f0000-\U000fffff]")


def marking() -> bool:
    """Whether the numbers written now are marked (the report server's notebooks)."""
    return os.environ.get(ENV) == "1"


def cell_key(row: Mapping[str, Any] | None) -> str | None:
    """``indicator|level|domain`` of an indicators row (``None`` without one)."""
    if row is None:
        return None
    try:
        return f"{row['indicator']}|{row['level'] or ''}|{row['domain']}"
    except (KeyError, TypeError):
        return None


def mark(text: str, cell: str | Mapping[str, Any] | None, stat: str = "estimate") -> str:
    """``text`` (a printed number) marked with its cell when marking is on."""
    key = cell if isinstance(cell, str) or cell is None else cell_key(cell)
    if not key or not text or not marking() or text == "–":
        return text
    encoded = "".join(chr(_SHIFT + ord(c)) for c in f"{key}#{stat}" if ord(c) < 0x10000)
    return f"{_OPEN}{encoded}{_MID}{text}{_CLOSE}"


def _decode(encoded: str) -> tuple[str, str]:
    key, _, stat = "".join(chr(ord(c) - _SHIFT) for c in encoded).rpartition("#")
    return key, stat


def strip_marks(text: str) -> str:
    """``text`` without its marks (the numbers as printed)."""
    if _OPEN not in text:
        return text
    return _ANY.sub("", _MARK.sub(lambda m: m.group(2), text))


def cell_spans(page: str) -> str:
    """The marks of a page as spans (text) or a ``data-cells`` list (inside a tag)."""
    if _OPEN not in page:
        return page

    def tag(m: re.Match[str]) -> str:
        text = m.group(0)
        if _OPEN not in text:
            return text
        cells = [[*_decode(k), html.unescape(v)] for k, v in _MARK.findall(text)]
        text = strip_marks(text)
        payload = html.escape(json.dumps(cells, ensure_ascii=False), quote=True)
        end = -2 if text.endswith("/>") else -1
        return f'{text[:end]} data-cells="{payload}"{text[end:]}'

    def span(m: re.Match[str]) -> str:
        key, stat = _decode(m.group(1))
        return (
            f'<span data-cell="{html.escape(key, quote=True)}" data-stat="{stat}">'
            f"{m.group(2)}</span>"
        )

    page = _TAG.sub(tag, page)
    return _ANY.sub("", _MARK.sub(span, page))
