"""The house theme and the plotting functions of the reports: a tidy frame in, a matplotlib
Figure out (colour-blind-safe Okabe–Ito palette, diverging scale around a light grey middle,
NSP grey and apart, hidden cells never drawn, ticks checked by :mod:`iaobs.reports.ticks`)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib import font_manager
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler
from matplotlib.ticker import FuncFormatter

from iaobs.core import text as tx

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
BLUE = OKABE_ITO["blue"]
LIGHT_BLUE = "#A6CBE3"
INK = "#1A1A1A"
NSP_GREY = "#8C8C8C"
HIDDEN_GREY = "#EDEDED"
#: negative → positive, light grey middle (5 levels; the middle is dropped for 4)
DIVERGING = ("#D55E00", "#F0B27A", "#D9D9D9", "#8EC1E3", "#0072B2")
SEQUENTIAL = LinearSegmentedColormap.from_list(
    "iaobs", ["#F3F8FC", "#56B4E9", "#0072B2", "#00365A"]
)

WIDTH_IN = 16 / 2.54  # 16 cm
DPI = 150
FONT_DIR = Path("/usr/share/fonts/truetype/open-sans")

_theme_applied = False

_DEEP = (
    (0.2980392156862745, 0.4470588235294118, 0.6901960784313725),
    (0.8666666666666667, 0.5176470588235295, 0.3215686274509804),
    (0.3333333333333333, 0.6588235294117647, 0.40784313725490196),
    (0.7686274509803922, 0.3058823529411765, 0.3215686274509804),
    (0.5058823529411764, 0.4470588235294118, 0.7019607843137254),
    (0.5764705882352941, 0.47058823529411764, 0.3764705882352941),
    (0.8549019607843137, 0.5450980392156862, 0.7647058823529411),
    (0.5490196078431373, 0.5490196078431373, 0.5490196078431373),
    (0.8, 0.7254901960784313, 0.4549019607843137),
    (0.39215686274509803, 0.7098039215686275, 0.803921568627451),
)
#: What seaborn 0.13's ``set_theme(style="whitegrid", context="paper")`` sets, the house
#: theme's base, written out: importing seaborn imports ``scipy.stats`` (0.8 s in every report
#: server, for nothing else). Its ``image.cmap`` (seaborn's own ``rocket``) is left out: every
#: image of the reports names its colour map. ``tests/reports/test_figures.py`` checks this
#: against seaborn.
SEABORN_WHITEGRID_PAPER: dict[str, Any] = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.labelsize": 9.600000000000001,
    "axes.linewidth": 1.0,
    "axes.prop_cycle": cycler("color", _DEEP),
    "axes.titlesize": 9.600000000000001,
    "font.sans-serif": [
        "Arial",
        "DejaVu Sans",
        "Liberation Sans",
        "Bitstream Vera Sans",
        "sans-serif",
    ],
    "font.size": 9.600000000000001,
    "grid.color": ".8",
    "legend.fontsize": 8.8,
    "legend.title_fontsize": 9.600000000000001,
    "lines.linewidth": 1.2000000000000002,
    "lines.markersize": 4.800000000000001,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "patch.linewidth": 0.8,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.labelsize": 8.8,
    "xtick.major.size": 4.800000000000001,
    "xtick.major.width": 1.0,
    "xtick.minor.size": 3.2,
    "xtick.minor.width": 0.8,
    "ytick.color": ".15",
    "ytick.labelsize": 8.8,
    "ytick.left": False,
    "ytick.major.size": 4.800000000000001,
    "ytick.major.width": 1.0,
    "ytick.minor.size": 3.2,
    "ytick.minor.width": 0.8,
}
#: seaborn's colour codes (``set_color_codes("deep")``, part of ``set_theme``).
SEABORN_COLOR_CODES = dict(
    zip("bgrmyck", (*[_DEEP[i] for i in (0, 2, 3, 4, 8, 9)], (0.1, 0.1, 0.1)), strict=True)
)


def apply_theme() -> None:
    """Set the house theme (fonts, sizes, grid) on matplotlib; safe to call repeatedly.

    Open Sans is used when installed, with DejaVu Sans as a per-glyph fallback (Open Sans has
    no narrow no-break space, which French numbers need).
    """
    global _theme_applied
    if _theme_applied:
        return
    families = ["DejaVu Sans"]
    if FONT_DIR.is_dir():
        for path in sorted(FONT_DIR.glob("OpenSans-*.ttf")):
            try:
                font_manager.fontManager.addfont(str(path))
            except (OSError, RuntimeError):  # a broken font file: keep the fallback
                continue
        if any(f.name == "Open Sans" for f in font_manager.fontManager.ttflist):
            families = ["Open Sans", "DejaVu Sans"]
    plt.rcParams.update(SEABORN_WHITEGRID_PAPER)
    for code, rgb in SEABORN_COLOR_CODES.items():
        mcolors.colorConverter.colors[code] = rgb
    plt.rcParams.update(
        {
            "font.family": families,
            "font.size": 8.5,
            "axes.titlesize": 9,
            "axes.labelsize": 8.5,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8.5,
            "legend.fontsize": 8,
            "axes.edgecolor": "#BBBBBB",
            "axes.labelcolor": INK,
            "text.color": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "grid.color": "#E5E5E5",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "svg.hashsalt": "iaobs",
            "axes.unicode_minus": False,
        }
    )
    _theme_applied = True


def _percent_axis(ax: Any, language: str, axis: str = "x") -> None:
    formatter = FuncFormatter(lambda v, _pos: tx.format_percent(v, language=language))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _wrap(label: str, width: int = 38, *, whole_words: bool = False) -> str:
    lines = textwrap.wrap(str(label), width, break_long_words=not whole_words)
    return "\n".join(lines) or str(label)


#: Average advance of a character of Open Sans, in em (a little generous: capitals and digits are
#: wider than the lower case).
_EM_PER_CHAR = 0.52


def _column_labels(columns: Sequence[Any], rows: Sequence[str]) -> tuple[float, int]:
    """Font size (pt) and wrapping width (characters) of a heatmap's column labels, so that
    neighbouring labels never overlap: each column gets the width the row labels leave, and
    the type shrinks (down to 6 pt) until the longest word of a label fits its column. A width
    of 0: even then a word would not fit, and the labels are slanted instead."""
    row_chars = max((len(line) for r in rows for line in r.splitlines()), default=0)
    row_pt = row_chars * 8.5 * _EM_PER_CHAR + 12  # the row labels and their padding
    # a tenth of each column is left between neighbouring labels
    column_pt = 0.9 * max(WIDTH_IN * 72 - row_pt, 72.0) / max(len(columns), 1)
    longest = max((len(w) for c in columns for w in str(c).split()), default=1)
    size = 7.5
    while size > 6.0 and longest * size * _EM_PER_CHAR > column_pt:
        size -= 0.5
    if longest * size * _EM_PER_CHAR > column_pt:
        return 7.5, 0
    return size, max(int(column_pt / (size * _EM_PER_CHAR)), longest, 1)


#: the diamonds of a sector's charts: every sector of the study, this one included
_REFERENCE_LABEL = ("Ensemble des secteurs (y compris celui-ci)", "All sectors (this one included)")


def _shown(data: pd.DataFrame) -> pd.DataFrame:
    flags = data["flag"] if "flag" in data else pd.Series("", index=data.index)
    return data[~flags.isin(["s", "nd"]) & data["estimate"].notna()]


# --------------------------------------------------------------------------------------------
# Plotting functions: tidy frame in, Figure out


def plot_bars(
    data: pd.DataFrame,
    *,
    language: str = "fr",
    xlabel: str | None = None,
    reference: Sequence[float | None] | None = None,
    reference_label: str | None = None,
    highlight: str | None = None,
    reference_line: float | None = None,
    reference_line_label: str | None = None,
) -> Figure:
    """Horizontal bars with 95 % interval whiskers, one per row, in the frame's order.

    Parameters
    ----------
    data
        Columns ``label``, ``estimate`` (0–1), ``ci_low``, ``ci_high``, ``flag``. Rows
        flagged ``s`` or ``nd`` (or without estimate) are left out; ``prudence`` rows get
        ``(*)`` after their label.
    reference
        One comparison value per row (e.g. all sectors), drawn as a diamond.
    highlight
        A label whose bar is drawn in the house blue while the others are lighter.
    reference_line
        A value drawn as a vertical dashed line (e.g. the regional average).
    """
    apply_theme()
    keep = _shown(data).index
    shown = data.loc[keep]
    refs = list(reference) if reference is not None else None
    n = max(len(shown), 1)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.55 + 0.36 * n), layout="constrained")
    y = np.arange(len(shown))
    labels = [
        _wrap(f"{lab} (*)" if flag == "prudence" else lab)
        for lab, flag in zip(shown["label"], shown.get("flag", [""] * len(shown)), strict=True)
    ]
    colors = [
        BLUE if highlight is None or lab == highlight else LIGHT_BLUE for lab in shown["label"]
    ]
    est = shown["estimate"].to_numpy(float)
    lo = shown["ci_low"].to_numpy(float)
    hi = shown["ci_high"].to_numpy(float)
    ax.barh(y, est, color=colors, height=0.62, zorder=2)
    err = np.vstack([np.clip(est - lo, 0, None), np.clip(hi - est, 0, None)])
    ax.errorbar(
        est,
        y,
        xerr=np.nan_to_num(err),
        fmt="none",
        ecolor=INK,
        elinewidth=0.9,
        capsize=2.5,
        zorder=3,
    )
    top = float(np.nanmax(np.concatenate([hi, est, [0.05]]))) if len(shown) else 0.05
    if refs is not None:
        ref_values = np.array(
            [
                refs[i] if refs[i] is not None else np.nan
                for i in range(len(data))
                if data.index[i] in keep
            ],
            dtype=float,
        )
        if np.isfinite(ref_values).any():
            ax.scatter(ref_values, y, marker="D", s=22, color=INK, zorder=4, label=reference_label)
            top = max(top, float(np.nanmax(ref_values)))
            fig.legend(loc="outside lower right", frameon=False, handletextpad=0.3)
    if reference_line is not None and np.isfinite(reference_line):
        ax.axvline(reference_line, color=INK, linestyle="--", linewidth=0.9, zorder=1)
        if reference_line_label:
            ax.annotate(
                reference_line_label,
                (reference_line, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, 2),
                textcoords="offset points",
                fontsize=7.5,
                va="bottom",
            )
        top = max(top, reference_line)
    ref_shown = (
        np.array(
            [
                refs[i] if refs[i] is not None else np.nan
                for i in range(len(data))
                if data.index[i] in keep
            ],
            dtype=float,
        )
        if refs is not None
        else np.full(len(shown), np.nan)
    )
    marks = [f" {m}" if m else "" for m in shown.get("mark", pd.Series("", index=shown.index))]
    for yi, (e, h) in enumerate(zip(est, hi, strict=True)):
        x = h if np.isfinite(h) else e
        if np.isfinite(ref_shown[yi]) and x - 0.01 <= ref_shown[yi] <= x + 0.07:
            x = ref_shown[yi] + 0.008  # keep the value clear of the diamond
        ax.annotate(
            tx.format_percent(e, language=language) + marks[yi],
            (x, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, min(1.0, top * 1.18 + 0.02))
    _percent_axis(ax, language)
    ax.grid(axis="y", visible=False)
    if xlabel:
        ax.set_xlabel(xlabel)
    return fig


def plot_groups(
    data: pd.DataFrame,
    groups: Sequence[str],
    *,
    language: str = "fr",
    xlabel: str | None = None,
) -> Figure:
    """Horizontal bars grouped by row label, one bar per group, with 95 % interval whiskers.

    Parameters
    ----------
    data
        Columns ``label``, ``group``, ``estimate`` (0–1), ``ci_low``, ``ci_high``, ``flag``;
        rows in display order. Hidden cells (``s``, ``nd``, no estimate) are left out (their
        slot stays empty).
    groups
        The groups in order (waves, studies); each gets a colour of the house palette and an
        entry in the legend.
    """
    apply_theme()
    labels = list(dict.fromkeys(data["label"]))
    palette = [BLUE, OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["purple"],
               OKABE_ITO["sky"], OKABE_ITO["vermillion"]]  # fmt: skip
    k = max(len(groups), 1)
    height = 0.8 / k
    fig, ax = plt.subplots(
        figsize=(WIDTH_IN, 0.7 + 0.22 * k * max(len(labels), 1) + 0.1 * len(labels)),
        layout="constrained",
    )
    top = 0.05
    for gi, group in enumerate(groups):
        sub = _shown(data[data["group"] == group])
        pos = {lab: i for i, lab in enumerate(labels)}
        y = np.array([pos[lab] for lab in sub["label"]], float) - 0.4 + height * (gi + 0.5)
        est = sub["estimate"].to_numpy(float)
        lo, hi = sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float)
        ax.barh(y, est, height=height * 0.9, color=palette[gi % len(palette)], label=group,
                zorder=2)  # fmt: skip
        err = np.vstack([np.clip(est - lo, 0, None), np.clip(hi - est, 0, None)])
        ax.errorbar(est, y, xerr=np.nan_to_num(err), fmt="none", ecolor=INK, elinewidth=0.8,
                    capsize=2, zorder=3)  # fmt: skip
        for yi, e, h in zip(y, est, hi, strict=True):
            ax.annotate(
                tx.format_percent(e, language=language),
                (h if np.isfinite(h) else e, yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=6.5,
            )
        if len(sub):
            top = max(top, float(np.nanmax(np.concatenate([hi, est]))))
    ax.set_yticks(range(len(labels)), [_wrap(lab) for lab in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, min(1.0, top * 1.2 + 0.03))
    _percent_axis(ax, language)
    ax.grid(axis="y", visible=False)
    if xlabel:
        ax.set_xlabel(xlabel)
    fig.legend(loc="outside lower right", frameon=False, ncols=min(k, 4))
    return fig


def plot_diverging(
    shares: pd.DataFrame,
    levels: Sequence[tuple[str, str]],
    *,
    apart: pd.Series | None = None,
    apart_label: str = "NSP",
    language: str = "fr",
) -> Figure:
    """Diverging stacked bars of an ordered scale, centred on its neutral middle.

    Parameters
    ----------
    shares
        One row per item (index: item label), one column per level code, shares 0–1 of the
        substantive answers (they sum to about 1 per row). Rows with a missing share are
        expected to have been removed (hidden cells are never drawn).
    levels
        ``(code, label)`` from the most negative to the most positive; with an odd count the
        middle level is neutral and is split half each side of zero.
    apart
        Share of answers outside the scale (NSP, non concerné) per item, drawn in grey in a
        panel apart.
    """
    apply_theme()
    codes = [c for c, _ in levels]
    k = len(codes)
    palette = (
        list(DIVERGING) if k == 5 else [DIVERGING[0], DIVERGING[1], DIVERGING[3], DIVERGING[4]][:k]
    )
    mid = k // 2 if k % 2 else None
    n = max(len(shares), 1)
    widths = [5, 1] if apart is not None else [1]
    fig, axes = plt.subplots(
        1,
        len(widths),
        figsize=(WIDTH_IN, 0.9 + 0.42 * n),
        gridspec_kw={"width_ratios": widths},
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    ax = axes[0][0]
    y = np.arange(len(shares))
    values = shares[codes].to_numpy(float)
    neg_end = mid if mid is not None else k // 2
    left = -values[:, :neg_end].sum(axis=1) - (values[:, mid] / 2 if mid is not None else 0)
    start = left.copy()
    for j, code in enumerate(codes):
        width = values[:, j]
        ax.barh(
            y,
            width,
            left=start,
            color=palette[j],
            height=0.64,
            label=dict(levels)[code],
            zorder=2,
            edgecolor="white",
            linewidth=0.5,
        )
        for yi in range(len(shares)):
            if width[yi] >= 0.07:
                dark = palette[j] in (DIVERGING[0], DIVERGING[4])
                ax.text(
                    start[yi] + width[yi] / 2,
                    yi,
                    tx.format_percent(width[yi], language=language, sign=False),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if dark else INK,
                )
        start = start + width
    ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
    lim = max(float(np.max(np.abs(np.concatenate([left, start])))) if len(shares) else 0.5, 0.5)
    ax.set_xlim(-lim * 1.05, lim * 1.05)
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: tx.format_percent(abs(v), language=language))
    )
    ax.set_yticks(y, [_wrap(str(i), 32) for i in shares.index])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    # the legend belongs to the figure (below the panels), so that it is never cut
    longest = max((len(label) for _, label in levels), default=0)
    fig.legend(
        loc="outside lower center",
        ncol=min(k, 5) if longest <= 16 else 3,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.0,
    )
    if apart is not None:
        ax2 = axes[0][1]
        vals = apart.reindex(shares.index).to_numpy(float)
        ax2.barh(y, np.nan_to_num(vals), color=NSP_GREY, height=0.64, zorder=2)
        for yi, v in enumerate(vals):
            if np.isfinite(v):
                ax2.annotate(
                    tx.format_percent(v, language=language),
                    (v, yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
        ax2.set_xlim(
            0, max(0.25, float(np.nanmax(vals)) * 1.6 if np.isfinite(vals).any() else 0.25)
        )
        ax2.set_title(_wrap(apart_label, 14), fontsize=7, loc="left")
        _percent_axis(ax2, language)
        ax2.tick_params(axis="x", labelsize=7)
        ax2.grid(axis="y", visible=False)
    return fig


def plot_heatmap(
    values: pd.DataFrame,
    flags: pd.DataFrame | None = None,
    *,
    language: str = "fr",
    xlabel: str | None = None,
) -> Figure:
    """A table of shares as a heatmap, each cell annotated; hidden cells hatched, not coloured.

    ``values`` holds shares 0–1 (rows × columns, labels as index and columns); ``flags`` the
    same shape with ``s``/``nd``/``prudence``/``''``. A hidden cell shows its flag on a light
    hatched background, never a colour of the scale.
    """
    apply_theme()
    flags = (
        flags if flags is not None else pd.DataFrame("", index=values.index, columns=values.columns)
    )
    data = values.to_numpy(float)
    hidden = flags.isin(["s", "nd"]).to_numpy() | ~np.isfinite(data)
    masked = np.ma.masked_array(data, mask=hidden)
    nrow, ncol = data.shape
    rows = [_wrap(str(r), 40) for r in values.index]
    size, width = _column_labels(values.columns, rows)
    slant = 0.0  # inches the slanted column labels take above the cells
    if not width:
        slant = max(len(str(c)) for c in values.columns) * size * _EM_PER_CHAR * 0.71 / 72
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.8 + 0.4 * nrow + slant), layout="constrained")
    vmax = max(float(np.nanmax(np.where(hidden, np.nan, data))) if (~hidden).any() else 1.0, 0.1)
    ax.imshow(masked, cmap=SEQUENTIAL, vmin=0, vmax=vmax, aspect="auto")
    for i in range(nrow):
        for j in range(ncol):
            flag = str(flags.iat[i, j])
            if hidden[i, j]:
                ax.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor=HIDDEN_GREY,
                        edgecolor="#BBBBBB",
                        hatch="////",
                        linewidth=0.0,
                    )
                )
                ax.text(
                    j,
                    i,
                    flag if flag in ("s", "nd") else "nd",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=INK,
                    bbox={"facecolor": HIDDEN_GREY, "edgecolor": "none", "pad": 1},
                )
                continue
            value = data[i, j]
            text = tx.format_percent(value, language=language) + (
                " (*)" if flag == "prudence" else ""
            )
            r, g, b, _ = SEQUENTIAL(min(value / vmax, 1.0))
            luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if luminance < 0.45 else INK,
            )
    if width:
        labels = [_wrap(str(c), width, whole_words=True) for c in values.columns]
        ax.set_xticks(range(ncol), labels, fontsize=size)
    else:  # too many columns for upright labels: one slanted line each
        ax.set_xticks(range(ncol), [str(c) for c in values.columns], fontsize=size)
    ax.set_yticks(range(nrow), rows)
    ax.xaxis.tick_top()
    if not width:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="left", rotation_mode="anchor")
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(-0.5, ncol, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, nrow, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    if xlabel:
        ax.set_xlabel(xlabel)
    return fig
