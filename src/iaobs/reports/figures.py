"""Charts of the reports: the house theme, plotting functions and their HTML embedding.

Plotting functions (``plot_*``) take a tidy slice of the indicators table and return a
matplotlib :class:`~matplotlib.figure.Figure`; :func:`figure_html` numbers a figure, embeds it
as a PNG (150 dpi, 16 cm wide) in ``<figure class="iaobs-figure">`` with its alternative text,
caption and Lecture / Champ / Source / Note lines, and closes it. The ``chart_*`` functions
do both for one block of a report, from a :class:`~iaobs.reports.context.ReportContext`.

Hidden cells (``s``, ``nd``) are never drawn (not even as zero): they are left out and the
note says which and why. The palette is colour-blind safe (Okabe–Ito); ordered scales use a
diverging orange–blue palette around a light grey middle; NSP is grey and drawn apart.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from iaobs.core import text as tx
from iaobs.reports.context import POINT_COLUMNS, Html, ReportContext, esc, point, reference_value

__all__ = [
    "BLUE",
    "DIVERGING",
    "NSP_GREY",
    "OKABE_ITO",
    "apply_theme",
    "chart_by_size",
    "chart_comparison",
    "chart_evolution",
    "chart_items",
    "chart_ranking",
    "chart_scale",
    "chart_sector_heatmap",
    "chart_skills_heatmap",
    "figure_html",
    "plot_bars",
    "plot_diverging",
    "plot_groups",
    "plot_heatmap",
]

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
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
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


def _wrap(label: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


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
    for yi, (e, h) in enumerate(zip(est, hi, strict=True)):
        x = h if np.isfinite(h) else e
        if np.isfinite(ref_shown[yi]) and x - 0.01 <= ref_shown[yi] <= x + 0.07:
            x = ref_shown[yi] + 0.008  # keep the value clear of the diamond
        ax.annotate(
            tx.format_percent(e, language=language),
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
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 if n > 2 else -0.3),
        ncol=min(k, 5),
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
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.8 + 0.4 * nrow), layout="constrained")
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
    wrap_width = max(9, int(90 / max(ncol, 1)))
    ax.set_xticks(range(ncol), [_wrap(str(c), wrap_width) for c in values.columns], fontsize=7.5)
    ax.set_yticks(range(nrow), [_wrap(str(r), 40) for r in values.index])
    ax.xaxis.tick_top()
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


# --------------------------------------------------------------------------------------------
# Embedding


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()


def figure_html(
    fig: Figure,
    *,
    ctx: ReportContext,
    title: str,
    alt: str,
    lecture: str | None,
    champ: str,
    source: str | None = None,
    note: str | None = None,
) -> Html:
    """Number a figure, embed it as a PNG data URI, add its notes, and close it.

    Returns ``<figure class="iaobs-figure" id="figure-N">`` (image with ``alt``, caption
    "Figure N – title") followed by ``<div class="iaobs-notes">`` with the Lecture, Champ,
    Source and Note lines in that order. Every text is escaped; the figure is closed even
    when embedding fails.
    """
    try:
        png = _png(fig)
    finally:
        plt.close(fig)
    number = ctx.next_figure()
    data = base64.b64encode(png).decode("ascii")
    caption = f"{ctx.t('figure')} {number} – {title}"
    sep = " :" if ctx.language == "fr" else ":"
    lines = []
    if lecture:
        lines.append((ctx.t("lecture"), lecture))
    lines.append((ctx.t("champ"), champ))
    lines.append((ctx.t("source"), source or ctx.source_line))
    if note:
        lines.append((ctx.t("note"), note))
    notes = "".join(f"<p><strong>{esc(k)}{sep}</strong> {esc(v)}</p>" for k, v in lines)
    return Html(
        f'<figure class="iaobs-figure" id="figure-{number}">'
        f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
        f'<div class="iaobs-notes">{notes}</div>'
    )


# --------------------------------------------------------------------------------------------
# Chart blocks of the reports


def _hidden_note(ctx: ReportContext, data: pd.DataFrame, label_col: str = "label") -> list[str]:
    out = []
    for _, row in data.iterrows():
        flag = row.get("flag", "")
        if flag in ("s", "nd") or row["estimate"] != row["estimate"]:
            reason = tx.flag_reason(
                flag if flag in ("s", "nd") else "nd",
                language=ctx.language,
                thresholds=ctx.thresholds,
            )
            out.append(
                ctx.pick(
                    f"{row[label_col]} : non diffusé, {reason}",
                    f"{row[label_col]}: not published, {reason}",
                )
            )
    return out


def _note(ctx: ReportContext, parts: list[str | None]) -> str | None:
    kept = [p.rstrip(".") for p in parts if p]
    return ". ".join(kept) + "." if kept else None


def _base_range(ctx: ReportContext, counts: Sequence[int]) -> str | None:
    """« Base : n répondants » with the smallest and largest base when they differ."""
    if not len(counts):
        return None
    low, high = int(min(counts)), int(max(counts))
    count = tx.format_number(low, language=ctx.language)
    if low != high:
        count = f"{count} – {tx.format_number(high, language=ctx.language)}"
    return ctx.t("base_note", n=count)


def _base_note(ctx: ReportContext, data: pd.DataFrame) -> str | None:
    return _base_range(ctx, list(_shown(data)["n"]))


def _bar_note(ctx: ReportContext, data: pd.DataFrame, *extras: str | None) -> str | None:
    """The note of a bar chart: base, what its marks mean, hidden bars, prudence."""
    return _note(
        ctx, [_base_note(ctx, data), *extras, *_hidden_note(ctx, data), _prudence(data, ctx)]
    )


def _alt(ctx: ReportContext, kind: str, data: pd.DataFrame, extra: str = "") -> str:
    shown = _shown(data)
    values = ctx.pick(" ; ", "; ").join(
        f"{row['label']} : {tx.format_percent(row['estimate'], language=ctx.language)}"
        if ctx.language == "fr"
        else f"{row['label']}: {tx.format_percent(row['estimate'], language=ctx.language)}"
        for _, row in shown.iterrows()
    )
    hidden = [
        str(lab)
        for lab, flag in zip(data["label"], data["flag"], strict=True)
        if flag in ("s", "nd")
    ]
    text = f"{kind}. {values}."
    if extra:
        text += f" {extra}"
    if hidden:
        text += " " + ctx.pick("Non diffusé : ", "Not published: ") + ", ".join(hidden) + "."
    return text


def _prudence(data: pd.DataFrame, ctx: ReportContext) -> str | None:
    return ctx.t("prudence_note") if (data["flag"] == "prudence").any() else None


def chart_items(
    ctx: ReportContext,
    variable: str,
    *,
    level: str | None = None,
    sort: bool | None = None,
    title: str | None = None,
) -> Html:
    """Bars with intervals for the answers of one question in the report's domain.

    In a sector report the all-sectors value of each answer is drawn as a diamond. Multi
    options and matrix items are sorted by value, ordered scales keep their order. Nothing
    for a question the survey did not ask.
    """
    if not ctx.is_asked(variable):
        return Html("")
    var = ctx.dictionary[variable]
    data = ctx.items(variable, level=level)
    if sort is None:
        sort = var.type in ("multi", "matrix") or (var.type == "cat" and len(var.codes) > 4)
    if sort:
        data = data.assign(_k=data["estimate"].fillna(-1)).sort_values(
            ["_k", "code"], ascending=[False, True]
        )
    data = data.reset_index(drop=True)
    reference = None
    if ctx.sector:
        ref = ctx.items(variable, domain="all", level=level).set_index("code")["estimate"]
        reference = [None if pd.isna(ref.get(c)) else float(ref.get(c)) for c in data["code"]]
    unit = ctx.t("percent_of_firms")
    fig = plot_bars(
        data,
        language=ctx.language,
        xlabel=unit[0].upper() + unit[1:],
        reference=reference,
        reference_label=ctx.t("all_sectors"),
    )
    if title is None and var.type == "matrix" and var.scale == "besoin":
        title = ctx.pick(
            "Besoin fort ou très fort, par compétence (en %)",
            "High or very high need, by skill (%)",
        )
    title = title or f"{var.label.get(ctx.language)} ({unit})"
    shown = _shown(data)
    lecture = None
    if not shown.empty:
        first = shown.iloc[0]
        if var.type == "multi":
            indicator, lev = f"{variable}__{first['code']}", ""
        elif var.type == "matrix":
            indicator, lev = f"{variable}__{first['code']}", level or "top2"
        else:
            indicator, lev = variable, first["code"]
        lecture = ctx.lecture(first["estimate"], indicator, lev)
    nsp = None
    if var.missing and var.type not in ("multi", "matrix"):
        missing = ctx.missing_shares(variable)
        shares = [
            f"{r.label} {tx.format_percent(r.estimate, language=ctx.language)}"
            for r in missing.itertuples()
            if r.flag not in ("s", "nd")
        ]
        if shares:
            nsp = ctx.pick(
                "Hors base (part de l'ensemble des réponses) : " + ", ".join(shares),
                "Outside the base (share of all answers): " + ", ".join(shares),
            )
    kind = ctx.pick("Barres horizontales en % des entreprises", "Horizontal bars, % of companies")
    extra = ctx.pick("Losanges : tous secteurs.", "Diamonds: all sectors.") if ctx.sector else ""
    note = _bar_note(
        ctx,
        data,
        ctx.pick(
            "Traits : intervalle de confiance à 95 %", "Whiskers: 95% confidence interval"
        ).replace(" %", "\u202f%"),
        nsp,
    )
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=_alt(ctx, kind, data, extra),
        lecture=lecture,
        champ=ctx.champ(multi=var.type == "multi"),
        note=note,
    )


def chart_by_size(ctx: ReportContext, indicator: str = "ia_usage", level: str = "") -> Html:
    """Bars of one indicator by size class within the report's domain (all sizes kept in order)."""
    if not ctx.is_asked(indicator):
        return Html("")
    rows = []
    refs = []
    for size in ctx.sizes():
        domain = f"{ctx.domain};taille={size}" if ctx.sector else f"taille={size}"
        row = ctx.row(indicator, level, domain)
        label = ctx.size_label(size, short=True)
        if row is None:
            continue
        rows.append(point(size, label, row))
        ref = ctx.row(indicator, level, f"taille={size}") if ctx.sector else None
        refs.append(reference_value(ref))
    data = pd.DataFrame(rows, columns=POINT_COLUMNS)
    fig = plot_bars(
        data,
        language=ctx.language,
        xlabel=ctx.t("percent_of_firms").capitalize(),
        reference=refs if ctx.sector else None,
        reference_label=ctx.t("all_sectors"),
    )
    title = ctx.pick(
        f"Entreprises {ctx.answer_phrase(indicator, level).replace('utilisent', 'utilisant')}, selon la taille (en %)",
        f"Companies that {ctx.answer_phrase(indicator, level)}, by size (%)",
    )
    shown = _shown(data)
    lecture = None
    if not shown.empty:
        first = shown.iloc[0]
        domain = f"{ctx.domain};taille={first['code']}" if ctx.sector else f"taille={first['code']}"
        lecture = ctx.lecture(first["estimate"], indicator, level, domain)
    note = _bar_note(ctx, data)
    kind = ctx.pick(
        "Barres horizontales par taille d'entreprise", "Horizontal bars by company size"
    )
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=_alt(ctx, kind, data),
        lecture=lecture,
        champ=ctx.champ(),
        note=note,
    )


def chart_scale(ctx: ReportContext, indicators: Sequence[str], *, title: str) -> Html:
    """Diverging stacked bars for items sharing an ordered scale (impact, agreement).

    Items with a hidden level are left out and named in the note; NSP / non concerné are
    drawn in grey apart. Items of questions the survey did not ask are left out.
    """
    indicators = [i for i in indicators if ctx.is_asked(i)]
    if not indicators:
        return Html("")
    name0 = indicators[0].split("__", 1)[0]
    var = ctx.dictionary[name0]
    levels = [(c, lab.get(ctx.language)) for c, lab in var.codes.items()]
    if var.scale == "accord":  # the scale is written agree → disagree; draw it negative first
        levels = levels[::-1]
    shares: dict[str, dict[str, float]] = {}
    apart: dict[str, float] = {}
    hidden_rows = []
    n_values = []
    prudence = False
    for ind in indicators:
        label = ctx.label(ind)
        rows = {code: ctx.row(ind, code) for code, _ in levels}
        if any(r is None for r in rows.values()):
            continue
        flags = {r["flag"] for r in rows.values() if r is not None}
        if flags & {"s", "nd"} or any(r["estimate"] != r["estimate"] for r in rows.values() if r):
            flag = "s" if "s" in flags else "nd"
            hidden_rows.append({"label": label, "estimate": float("nan"), "flag": flag})
            continue
        prudence = prudence or "prudence" in flags
        shares[label + (" (*)" if "prudence" in flags else "")] = {
            c: float(r["estimate"]) for c, r in rows.items() if r
        }
        miss = [ctx.row(ind, code) for code in var.missing]
        values = [m["estimate"] for m in miss if m is not None and m["estimate"] == m["estimate"]]
        if values:
            apart[label + (" (*)" if "prudence" in flags else "")] = float(sum(values))
        n_values.append(int(next(iter(rows.values()))["n"]))  # type: ignore[index]
    frame = pd.DataFrame.from_dict(shares, orient="index", columns=[c for c, _ in levels])
    if ctx.language == "en":  # short: the side panel's title is about 14 characters wide
        missing_labels = "Don't know, N/A" if len(var.missing) > 1 else "Don't know"
    else:
        missing_labels = ctx.t("nsp_apart") if len(var.missing) > 1 else "NSP"
    fig = plot_diverging(
        frame,
        levels,
        apart=pd.Series(apart) if var.missing else None,
        apart_label=missing_labels,
        language=ctx.language,
    )
    pos = [c for c, _ in levels][len(levels) // 2 + 1 :]
    lecture = None
    if len(frame):
        first_label = frame.index[0]
        share = float(frame.iloc[0][pos].sum())
        pos_words = " ou ".join(dict(levels)[c].lower() for c in pos[::-1])
        pos_words_en = " or ".join(dict(levels)[c].lower() for c in pos[::-1])
        item = first_label.removesuffix(" (*)")
        quoted = item if item.startswith(("«", "“", '"')) else ctx.pick(f"« {item} »", f"“{item}”")
        lecture = ctx.pick(
            f"En {ctx.study.wave}, {tx.format_percent(share, language='fr')} des entreprises "
            f"{ctx.population()} répondent « {pos_words} » pour {quoted}.",
            f"In {ctx.study.wave}, {tx.format_percent(share, language='en')} of companies "
            f"{ctx.population()} answer “{pos_words_en}” for {quoted}.",
        )
    hidden = pd.DataFrame(hidden_rows, columns=["label", "estimate", "flag"])
    note = _note(
        ctx,
        [
            _base_range(ctx, n_values),
            ctx.pick(
                f"Parts calculées sur les réponses exprimées ; « {missing_labels} » en part de "
                "l'ensemble des réponses, à part",
                f"Shares of substantive answers; “{missing_labels}” as a share of all answers, apart",
            ),
            *_hidden_note(ctx, hidden),
            ctx.t("prudence_note") if prudence else None,
        ],
    )
    described = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{dict(levels)[c]} {tx.format_percent(v, language=ctx.language)}"
            for c, v in row.items()
        )
        for label, row in frame.iterrows()
    )
    alt = ctx.pick("Barres empilées divergentes", "Diverging stacked bars") + f". {described}."
    if len(hidden):
        alt += (
            " " + ctx.pick("Non diffusé : ", "Not published: ") + ", ".join(hidden["label"]) + "."
        )
    return figure_html(
        fig, ctx=ctx, title=title, alt=alt, lecture=lecture, champ=ctx.champ(), note=note
    )


def chart_skills_heatmap(ctx: ReportContext) -> Html:
    """Heatmap of "besoin fort ou très fort" (top 2) by skill × size class."""
    if not ctx.is_asked("besoin_comp"):
        return Html("")
    var = ctx.dictionary["besoin_comp"]
    sizes = ctx.sizes()
    values = pd.DataFrame(
        index=[lab.get(ctx.language) for lab in var.items.values()],
        columns=[ctx.size_label(s, short=True) for s in sizes],
        dtype=float,
    )
    flags = pd.DataFrame("", index=values.index, columns=values.columns)
    hidden_cols: dict[str, str] = {}
    n_by_size = {}
    for item, lab in var.items.items():
        for size in sizes:
            domain = f"{ctx.domain};taille={size}" if ctx.sector else f"taille={size}"
            row = ctx.row(f"besoin_comp__{item}", "top2", domain)
            col = ctx.size_label(size, short=True)
            if row is None:
                flags.loc[lab.get(ctx.language), col] = "nd"
                continue
            values.loc[lab.get(ctx.language), col] = row["estimate"]
            flags.loc[lab.get(ctx.language), col] = row["flag"]
            n_by_size[col] = int(row["n"])
            if row["flag"] in ("s", "nd"):
                hidden_cols[col] = row["flag"]
    fig = plot_heatmap(values, flags, language=ctx.language)
    title = ctx.pick(
        "Besoin fort ou très fort de compétences, selon la taille de l'entreprise (en %)",
        "High or very high skills need, by company size (%)",
    )
    visible = values.where(~flags.isin(["s", "nd"]))
    lecture = None
    stacked = visible.stack().dropna()
    if len(stacked):
        (skill, size), value = stacked.idxmax(), float(stacked.max())
        lecture = ctx.pick(
            f"En {ctx.study.wave}, {tx.format_percent(value, language='fr')} des {size} {ctx.population()} "
            f"déclarent un besoin fort ou très fort en « {skill} ».",
            f"In {ctx.study.wave}, {tx.format_percent(value, language='en')} of {size} companies {ctx.population()} "
            f"report a high or very high need for “{skill}”.",
        )
    hidden_note = [
        ctx.pick(f"{col} : non diffusé, ", f"{col}: not published, ")
        + tx.flag_reason(flag, language=ctx.language, thresholds=ctx.thresholds)
        for col, flag in hidden_cols.items()
    ]
    bases = ", ".join(
        f"{k} {tx.format_number(v, language=ctx.language)}" for k, v in n_by_size.items()
    )
    note = _note(
        ctx,
        [
            ctx.pick(f"Répondants par taille : {bases}", f"Respondents by size: {bases}"),
            *hidden_note,
            ctx.t("prudence_note") if (flags == "prudence").any().any() else None,
        ],
    )
    cells = "; ".join(
        f"{skill}: "
        + ", ".join(
            f"{size} {tx.format_percent(v, language=ctx.language)}"
            for size, v in row.dropna().items()
        )
        for skill, row in visible.iterrows()
    )
    alt = ctx.pick("Carte de chaleur compétences × taille", "Heatmap skills × size") + f". {cells}."
    if hidden_cols:
        alt += " " + ctx.pick("Non diffusé : ", "Not published: ") + ", ".join(hidden_cols) + "."
    return figure_html(
        fig, ctx=ctx, title=title, alt=alt, lecture=lecture, champ=ctx.champ(), note=note
    )


def chart_ranking(
    ctx: ReportContext, indicator: str, level: str = "", *, title: str | None = None
) -> Html:
    """Sectors ranked on one indicator, with intervals and the all-sectors value as a line.

    In a sector report the report's sector is highlighted.
    """
    if not ctx.is_asked(indicator):
        return Html("")
    rows = []
    for sector in ctx.sectors():
        row = ctx.row(indicator, level, f"secteur={sector}")
        if row is None:
            continue
        rows.append(point(sector, ctx.sector_label(sector), row))
    data = pd.DataFrame(rows, columns=POINT_COLUMNS)
    data = (
        data.assign(_k=data["estimate"].fillna(-1))
        .sort_values(["_k", "code"], ascending=[False, True])
        .reset_index(drop=True)
    )
    overall = ctx.row(indicator, level, "all")
    overall_value = (
        float(overall["estimate"])
        if overall is not None and overall["estimate"] == overall["estimate"]
        else None
    )
    overall_text = (
        f"{ctx.t('all_sectors')}{ctx.pick(' :', ':')} "
        f"{tx.format_percent(overall_value, language=ctx.language)}"
        if overall_value is not None
        else None
    )
    fig = plot_bars(
        data,
        language=ctx.language,
        xlabel=ctx.t("percent_of_firms").capitalize(),
        highlight=ctx.sector_label() if ctx.sector else None,
        reference_line=overall_value,
        reference_line_label=overall_text,
    )
    phrase = ctx.answer_phrase(indicator, level)
    title = title or ctx.pick(
        f"Part des entreprises qui {phrase}, par secteur (en %)",
        f"Share of companies that {phrase}, by sector (%)",
    )
    shown = _shown(data)
    lecture = None
    if not shown.empty:
        first = shown.iloc[0]
        lecture = ctx.lecture(first["estimate"], indicator, level, f"secteur={first['code']}")
    note = _bar_note(
        ctx, data, ctx.pick("Ligne pointillée : ensemble des secteurs", "Dashed line: all sectors")
    )
    kind = ctx.pick("Barres horizontales, secteurs classés", "Horizontal bars, sectors ranked")
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=_alt(ctx, kind, data, f"{overall_text}." if overall_text else ""),
        lecture=lecture,
        champ=ctx.champ("all"),
        note=note,
    )


def chart_comparison(ctx: ReportContext) -> Html:
    """Key indicators of the sector (bars, intervals) against all sectors (diamonds)."""
    from iaobs.reports.tables import key_indicator_specs

    specs = key_indicator_specs(ctx)
    rows, refs = [], []
    for label, indicator, level in specs:
        row = ctx.row(indicator, level)
        if row is None:
            continue
        rows.append(point(indicator, label, row))
        ref = ctx.row(indicator, level, "all")
        refs.append(reference_value(ref))
    data = pd.DataFrame(rows, columns=POINT_COLUMNS)
    fig = plot_bars(
        data,
        language=ctx.language,
        xlabel=ctx.t("percent_of_firms").capitalize(),
        reference=refs,
        reference_label=ctx.t("all_sectors"),
    )
    title = ctx.pick(
        f"Indicateurs clés : {ctx.sector_label()} et ensemble des secteurs (en %)",
        f"Key indicators: {ctx.sector_label()} and all sectors (%)",
    )
    shown = _shown(data)
    lecture = None
    if not shown.empty:
        first = shown.iloc[0]
        spec = next(s for s in specs if s[1] == first["code"])
        lecture = ctx.lecture(first["estimate"], spec[1], spec[2])
    note = _bar_note(
        ctx, data, ctx.pick("Losanges : ensemble des secteurs", "Diamonds: all sectors")
    )
    kind = ctx.pick("Barres horizontales, indicateurs clés", "Horizontal bars, key indicators")
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=_alt(ctx, kind, data),
        lecture=lecture,
        champ=ctx.champ(),
        note=note,
    )


def chart_sector_heatmap(ctx: ReportContext) -> Html:
    """Sector × key indicator heatmap of the regional overview."""
    from iaobs.reports.tables import key_indicator_specs

    specs = key_indicator_specs(ctx)
    sectors = ctx.sectors()
    index = [ctx.sector_label(s) for s in sectors] + [ctx.t("all_sectors")]
    columns = [label for label, _, _ in specs]
    values = pd.DataFrame(index=index, columns=columns, dtype=float)
    flags = pd.DataFrame("", index=index, columns=columns)
    hidden = []
    for label_row, domain in zip(index, [f"secteur={s}" for s in sectors] + ["all"], strict=True):
        for label, indicator, level in specs:
            row = ctx.row(indicator, level, domain)
            if row is None:
                flags.loc[label_row, label] = "nd"
                continue
            values.loc[label_row, label] = row["estimate"]
            flags.loc[label_row, label] = row["flag"]
            if row["flag"] in ("s", "nd"):
                hidden.append(
                    ctx.pick(
                        f"{label_row} – {label} : non diffusé, ",
                        f"{label_row} – {label}: not published, ",
                    )
                    + tx.flag_reason(row["flag"], language=ctx.language, thresholds=ctx.thresholds)
                )
    fig = plot_heatmap(values.T, flags.T, language=ctx.language)
    title = ctx.pick(
        "Indicateurs clés par secteur (en % des entreprises)",
        "Key indicators by sector (% of companies)",
    )
    lecture = None
    if specs and sectors and values.iloc[0, 0] == values.iloc[0, 0]:
        lecture = ctx.lecture(values.iloc[0, 0], specs[0][1], specs[0][2], f"secteur={sectors[0]}")
    visible = values.where(~flags.isin(["s", "nd"]))
    cells = "; ".join(
        f"{sector}: "
        + ", ".join(
            f"{col} {tx.format_percent(v, language=ctx.language)}"
            for col, v in row.dropna().items()
        )
        for sector, row in visible.iterrows()
    )
    alt = (
        ctx.pick("Carte de chaleur secteurs × indicateurs", "Heatmap sectors × indicators")
        + f". {cells}."
    )
    note = _note(
        ctx, [*hidden, ctx.t("prudence_note") if (flags == "prudence").any().any() else None]
    )
    return figure_html(
        fig, ctx=ctx, title=title, alt=alt, lecture=lecture, champ=ctx.champ("all"), note=note
    )


def chart_evolution(ctx: ReportContext) -> Html:
    """Key indicators of the report's domain at each wave, with their 95 % intervals.

    Empty when the study has a single wave or no evolution table.
    """
    from iaobs.reports.context import evolution_rows

    data = evolution_rows(ctx)
    if data.empty:
        return Html("")
    waves = list(dict.fromkeys(data["wave"]))
    frame = data.rename(columns={"wave": "group"})
    fig = plot_groups(
        frame, waves, language=ctx.language, xlabel=ctx.t("percent_of_firms").capitalize()
    )
    title = ctx.pick(
        f"Indicateurs clés par vague d'enquête : entreprises {ctx.population()} (en %)",
        f"Key indicators by survey wave: companies {ctx.population()} (%)",
    )
    last = data[data["wave"] == waves[-1]]
    shown = _shown(last)
    lecture = None
    if not shown.empty:
        first = shown.iloc[0]
        lecture = ctx.pick(
            f"En {waves[-1]}, {tx.format_percent(first['estimate'], language='fr')} des "
            f"entreprises {ctx.population()} {ctx.answer_phrase(first['indicator'], first['level'])}.",
            f"In {waves[-1]}, {tx.format_percent(first['estimate'], language='en')} of companies "
            f"{ctx.population()} {ctx.answer_phrase(first['indicator'], first['level'])}.",
        )
    note = _note(
        ctx,
        [
            ctx.pick(
                "Traits : intervalles de confiance à 95 %", "Whiskers: 95% confidence intervals"
            ),
            *_hidden_note(ctx, data.assign(label=data["label"] + " (" + data["wave"] + ")")),
            _prudence(data, ctx),
        ],
    )
    values = ctx.pick(" ; ", "; ").join(
        f"{row['label']} ({row['wave']}){ctx.pick(' : ', ': ')}"
        f"{tx.format_percent(row['estimate'], language=ctx.language)}"
        for _, row in _shown(data).iterrows()
    )
    alt = ctx.pick("Barres groupées par vague. ", "Bars grouped by wave. ") + values + "."
    source = ctx.pick(
        f"{ctx.study.title}, enquêtes {', '.join(waves)} ; calculs de l'observatoire.",
        f"{ctx.study.title}, {', '.join(waves)} surveys; observatory calculations.",
    )
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=alt,
        lecture=lecture,
        champ=ctx.champ(),
        source=source,
        note=note,
    )
