"""Axis ticks that cannot mislead: checked, and settled, on every chart before it is drawn.

A tick label misleads when two ticks read the same (``1 2 2 3 3``: half steps rounded to
units) or when a label says another value than its tick's position (``3 %`` at 2,5 %).
:func:`tick_faults` lists such faults on a matplotlib figure; :func:`settle_ticks` repairs
what it can (more decimals, or whole steps on a scale of whole numbers) and
:func:`iaobs.reports.figures.figure_html` refuses a chart that still has a fault.

Only numeric labels are compared with their position; category labels (sectors, items) only
need to be distinct.
"""

from __future__ import annotations

import re
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

from iaobs.core import text as tx

__all__ = ["TypesetFormatter", "settle_ticks", "tick_faults", "typeset_tick"]

_NUMBER = re.compile(r"^[+\-\u2212]?\d[\d\u202f\u00a0 ,.]*\s*[%\u202f]*$")


def _parse(label: str) -> tuple[float, bool] | None:
    """The number a tick label states, and whether it is a percentage; None for words."""
    text = label.strip().replace("\u2212", "-")
    if not text or not _NUMBER.match(text):
        return None
    percent = "%" in text
    digits = text.replace("%", "").replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if digits.count(",") == 1 and "." not in digits:
        digits = digits.replace(",", ".")
    else:  # English thousands
        digits = digits.replace(",", "")
    try:
        return float(digits), percent
    except ValueError:
        return None


def _visible_ticks(axis: Any) -> tuple[list[float], list[str]]:
    low, high = sorted(axis.get_view_interval())
    span = (high - low) or 1.0
    locs = [
        float(v) for v in axis.get_majorticklocs() if low - 1e-9 * span <= v <= high + 1e-9 * span
    ]
    formatter = axis.get_major_formatter()
    labels = [str(x) for x in formatter.format_ticks(locs)] if locs else []
    return locs, labels


def _axis_faults(name: str, axis: Any) -> list[str]:
    locs, labels = _visible_ticks(axis)
    faults = []
    positions: dict[str, set[float]] = {}
    for loc, lab in zip(locs, labels, strict=True):
        if lab.strip():
            positions.setdefault(lab, set()).add(round(abs(loc), 9))
    # a diverging axis writes magnitudes: "40 %" on both sides of zero is one value
    repeated = sorted(lab for lab, where in positions.items() if len(where) > 1)
    if repeated:
        faults.append(f"axe {name} : graduations répétées {repeated}")
    for loc, lab in zip(locs, labels, strict=True):
        parsed = _parse(lab)
        if parsed is None:
            continue
        value, percent = parsed
        expected = abs(loc) * 100 if percent else loc
        # a negative axis drawn with absolute values (diverging bars) reads as its magnitude
        if abs(abs(value) - abs(expected)) > 1e-6 * max(1.0, abs(expected)):
            faults.append(f"axe {name} : « {lab} » à la position {loc:g}")
    return faults


def tick_faults(fig: Figure) -> list[str]:
    """The misleading tick labels of a figure, in words (``[]`` when every axis is sound)."""
    faults: list[str] = []
    for ax in fig.get_axes():
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible():
                continue
            faults.extend(_axis_faults(name, axis))
    return faults


def _decimals_formatter(old: Any, decimals: int, language: str) -> FuncFormatter:
    def fmt(value: float, pos: int | None = None) -> str:
        label = str(old(value, pos)) if callable(old) else str(old.format_data(value))
        parsed = _parse(label)
        if parsed is None:
            return label
        if parsed[1]:
            return tx.format_percent(abs(value), decimals=decimals, language=language)
        return tx.format_decimal(value, decimals=decimals, language=language)

    return FuncFormatter(fmt)


_PLAIN = re.compile(r"^-?\d+(?:\.(\d+))?$")
MINUS = "\u2212"


def typeset_tick(label: str, language: str) -> str:
    """A plain number written by matplotlib (``1250``, ``-0.5``) in the report's typography:
    grouped thousands, decimal comma in French, a true minus sign. Other labels unchanged."""
    text = label.replace(MINUS, "-")
    match = _PLAIN.match(text)
    if match is None:
        return label
    decimals = len(match.group(1) or "")
    typeset = tx.format_decimal(float(text), decimals=decimals, language=language)
    return MINUS + typeset[1:] if typeset.startswith("-") else typeset


class TypesetFormatter(ScalarFormatter):
    """matplotlib's default tick formatter (same ticks, same decimals, same offset) whose plain
    numbers are written by :func:`typeset_tick`."""

    def __init__(self, language: str = "fr", **options: Any) -> None:
        super().__init__(**options)
        self.language = language

    def __call__(self, x: float, pos: int | None = None) -> str:
        return typeset_tick(super().__call__(x, pos), self.language)


def _typeset_axes(fig: Figure, language: str) -> None:
    """Numeric axes left to matplotlib's default formatter get the report's typography."""
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            old = axis.get_major_formatter()
            if type(old) is ScalarFormatter and axis.get_scale() == "linear":
                axis.set_major_formatter(
                    TypesetFormatter(
                        language,
                        useOffset=old.get_useOffset(),
                        useMathText=old.get_useMathText(),
                        useLocale=old.get_useLocale(),
                    )
                )


def settle_ticks(fig: Figure, *, language: str = "fr") -> Figure:
    """Write numeric ticks in the report's typography (:func:`typeset_tick`), then repair
    misleading ones: whole steps where the labels are whole numbers, else one or two more
    decimals. Returns the figure (faults that remain are left for :func:`tick_faults` to
    report)."""
    _typeset_axes(fig, language)
    for ax in fig.get_axes():
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not _axis_faults(name, axis):
                continue
            _locs, labels = _visible_ticks(axis)
            parsed = [_parse(lab) for lab in labels]
            numeric = [p for p in parsed if p is not None]
            if not numeric:
                continue
            percent = numeric[0][1]
            # whole numbers (1 to 5 on an agreement scale, whole percents): whole steps
            locator = MaxNLocator(nbins=6, integer=not percent, steps=[1, 2, 2.5, 5, 10])
            axis.set_major_locator(locator)
            if not _axis_faults(name, axis):
                continue
            old = axis.get_major_formatter()
            for decimals in (1, 2):
                axis.set_major_formatter(_decimals_formatter(old, decimals, language))
                if not _axis_faults(name, axis):
                    break
    return fig
