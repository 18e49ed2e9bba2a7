"""The regional overview by département: a map of the region's départements, bars with
intervals, a few sentences and a table.

The shares are rows of the indicators table in the domains ``departement=XX`` (the estimate
stage computes them on the full design); the geometry is the simplified IGN Admin Express
layer shipped with iaobs (:mod:`iaobs.core.geo`). Hidden cells (``s``, ``nd``) are drawn in
grey on the map, left out of the bars, and named in the note.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from iaobs.core import geo
from iaobs.core import text as tx
from iaobs.core.cellmark import mark
from iaobs.reports.context import POINT_COLUMNS, Html, ReportContext, esc, point
from iaobs.reports.figurenotes import alt_text, bar_note
from iaobs.reports.figures import SEQUENTIAL, WIDTH_IN, apply_theme, figure_html, plot_bars

__all__ = ["chart_departements", "departement_commentary", "departement_rows", "has_departements"]


def departement_rows(
    ctx: ReportContext, indicator: str = "ia_usage", level: str = ""
) -> pd.DataFrame:
    """One row per département of the study with a row in the indicators table (columns of
    :data:`iaobs.reports.context.POINT_COLUMNS`, ``code`` the département code)."""
    rows = []
    for code, name in ctx.dictionary.departements.items():
        row = ctx.row(indicator, level, f"departement={code}")
        if row is not None:
            rows.append(point(code, f"{name} ({code})", row))
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def has_departements(ctx: ReportContext) -> bool:
    """Whether the study estimates its indicators by département."""
    return not departement_rows(ctx).empty


def _shown(data: pd.DataFrame) -> pd.DataFrame:
    return data[~data["flag"].isin(["s", "nd"]) & data["estimate"].notna()]


def _map_figure(ctx: ReportContext, data: pd.DataFrame) -> Any:
    """The choropleth of the shares (hidden départements grey), with a percent colour bar."""
    apply_theme()
    try:
        shapes = geo.departement_shapes(list(ctx.dictionary.departements))
    except (KeyError, ValueError):
        shapes = {}
    if not shapes:
        return None
    shown = _shown(data)
    values = dict(zip(shown["code"], shown["estimate"].astype(float), strict=True))
    fig, ax = plt.subplots(figsize=(WIDTH_IN, WIDTH_IN * 0.62), layout="constrained")
    top = max(values.values(), default=0.5)
    top = math.ceil(top * 10) / 10 or 0.1
    norm = geo.draw_departements(ax, shapes, values=values, cmap=SEQUENTIAL, vmax=top)
    if norm is not None:
        bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=SEQUENTIAL), ax=ax, shrink=0.7)
        bar.ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _p: tx.format_percent(v, language=ctx.language))
        )
        bar.set_label(ctx.t("percent_of_firms").capitalize())
    return fig


def chart_departements(ctx: ReportContext, indicator: str = "ia_usage", level: str = "") -> Html:
    """Two figures: the map of the share by département, then the bars with their intervals."""
    data = departement_rows(ctx, indicator, level)
    if data.empty:
        return Html("")
    phrase = ctx.answer_phrase(indicator, level)
    title = ctx.pick(
        f"Part des entreprises qui {phrase}, par département (en %)",
        f"Share of companies that {phrase}, by département (%)",
    )
    champ = ctx.champ("all")
    alt = alt_text(ctx, ctx.pick("Carte des départements", "Map of the départements"), data)
    lecture = None
    shown = _shown(data)
    if not shown.empty:
        first = shown.sort_values("estimate", ascending=False).iloc[0]
        lecture = ctx.lecture(first["estimate"], indicator, level, f"departement={first['code']}")
    parts = []
    fig = _map_figure(ctx, data)
    if fig is not None:
        note = bar_note(
            ctx,
            data,
            ctx.pick(geo.MAP_SOURCE, geo.MAP_SOURCE_EN),
            ctx.pick("Gris : non diffusé", "Grey: not published"),
        )
        parts.append(
            figure_html(
                fig,
                ctx=ctx,
                title=title,
                alt=alt,
                lecture=lecture,
                champ=champ,
                note=note,
            )
        )
    ordered = data.assign(_k=data["estimate"].fillna(-1)).sort_values(
        ["_k", "code"], ascending=[False, True]
    )
    bars = plot_bars(
        ordered.reset_index(drop=True),
        language=ctx.language,
        xlabel=ctx.t("percent_of_firms").capitalize(),
    )
    parts.append(
        figure_html(
            bars,
            ctx=ctx,
            title=ctx.pick(
                f"Part des entreprises qui {phrase}, par département, et son intervalle de "
                "confiance (en %)",
                f"Share of companies that {phrase}, by département, with its confidence "
                "interval (%)",
            ),
            alt=alt_text(
                ctx, ctx.pick("Barres horizontales par département", "Bars by département"), data
            ),
            lecture=lecture,
            champ=champ,
            note=bar_note(
                ctx,
                data,
                ctx.pick(
                    "Traits : intervalle de confiance à 95 %", "Whiskers: 95% confidence interval"
                ),
            ),
        )
    )
    return Html("".join(parts))


def departement_commentary(
    ctx: ReportContext, indicator: str = "ia_usage", level: str = ""
) -> Html:
    """Where the share is highest and lowest, and a warning on the width of the intervals."""
    shown = _shown(departement_rows(ctx, indicator, level))
    if len(shown) < 2:
        return Html("")
    ordered = shown.sort_values(["estimate", "code"], ascending=[False, True])
    high, low = ordered.iloc[0], ordered.iloc[-1]
    overlap = float(low["ci_high"]) >= float(high["ci_low"])
    phrase = ctx.answer_phrase(indicator, level)

    def value(row: Any) -> str:
        return mark(tx.format_percent(row["estimate"], language=ctx.language), row.get("cell"))

    def name(row: Any) -> str:  # « Aisne (02) » inside brackets reads « Aisne, 02 »
        label = str(row["label"])
        return label[:-1].replace(" (", ", ", 1) if label.endswith(")") else label

    text = ctx.pick(
        f"La part des entreprises qui {phrase} va de {value(low)} ({name(low)}) à "
        f"{value(high)} ({name(high)}).",
        f"The share of companies that {phrase} ranges from {value(low)} ({name(low)}) to "
        f"{value(high)} ({name(high)}).",
    )
    if overlap:
        text += ctx.pick(
            " Les intervalles de confiance de ces deux départements se recouvrent : l'écart "
            "peut tenir au hasard de l'échantillon.",
            " The confidence intervals of these two départements overlap: the gap may be due "
            "to sampling.",
        )
    return Html(f'<div class="iaobs-commentary"><p>{esc(text)}</p></div>')
