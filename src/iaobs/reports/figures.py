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
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from iaobs.core import text as tx
from iaobs.core.cellmark import mark
from iaobs.errors import ReportError
from iaobs.reports.context import POINT_COLUMNS, Html, ReportContext, esc, point, reference_value
from iaobs.reports.evolution import evolution_rows
from iaobs.reports.figurenotes import (
    alt_text,
    bar_note,
    base_range,
    contrast_mark,
    hidden_answers_note,
    hidden_figure,
    hidden_sentences,
    join_note,
    lone_value,
    marks_note,
    prudence_note,
)
from iaobs.reports.keyfigures import key_indicator_specs, key_label
from iaobs.reports.plots import (  # noqa: F401 - the plotting API, also reached through this module
    _REFERENCE_LABEL,
    BLUE,
    DIVERGING,
    DPI,
    FONT_DIR,
    HIDDEN_GREY,
    INK,
    LIGHT_BLUE,
    NSP_GREY,
    OKABE_ITO,
    SEQUENTIAL,
    WIDTH_IN,
    _percent_axis,
    _shown,
    _wrap,
    apply_theme,
    plot_bars,
    plot_diverging,
    plot_groups,
    plot_heatmap,
)
from iaobs.reports.ticks import settle_ticks, tick_faults

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
    "hidden_answers_note",
    "hidden_figure",
    "lone_value",
    "plot_bars",
    "plot_diverging",
    "plot_groups",
    "plot_heatmap",
]


# --------------------------------------------------------------------------------------------
# Embedding


def _png(fig: Figure, language: str = "fr") -> bytes:
    faults = tick_faults(settle_ticks(fig, language=language))
    if faults:
        raise ReportError("graduations trompeuses : " + " ; ".join(faults))
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=DPI,
        metadata={"Software": None},
        facecolor="white",
        pil_kwargs={"format": _OPAQUE_PNG},
    )
    return buffer.getvalue()


#: Pillow's name for an opaque PNG: the chart without its alpha channel (an RGB image).
_OPAQUE_PNG = "IAOBS-OPAQUE-PNG"


def _save_opaque_png(image: Any, fp: Any, filename: Any) -> None:
    """Pillow save handler: the RGBA image matplotlib drew, flattened on white and written
    as an RGB PNG. A chart on a white background is opaque, so its pixels are unchanged; the
    PNG is a quarter smaller and quicker to write, and the PDF printer can embed it as it
    is instead of splitting colour and alpha into two new images."""
    from PIL import Image, PngImagePlugin

    if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    rgb = image.convert("RGB")
    rgb.encoderinfo = image.encoderinfo
    rgb.encoderconfig = getattr(image, "encoderconfig", ())
    PngImagePlugin._save(rgb, fp, filename)


def _register_opaque_png() -> None:
    from PIL import Image

    Image.register_save(_OPAQUE_PNG, _save_opaque_png)


_register_opaque_png()


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
        png = _png(fig, ctx.language)
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
        f"<figcaption>{esc(caption)}</figcaption>"
        f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}"></figure>'
        f'<div class="iaobs-notes">{notes}</div>'
    )


# --------------------------------------------------------------------------------------------
# Chart blocks of the reports


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
    data = data.assign(mark=[contrast_mark(ctx, variable, code, level) for code in data["code"]])
    unit = ctx.t("percent_of_firms")
    if _shown(data).empty:
        return hidden_figure(ctx, title or f"{ctx.label(variable)} ({unit})", data)
    fig = plot_bars(
        data,
        language=ctx.language,
        xlabel=unit[0].upper() + unit[1:],
        reference=reference,
        reference_label=_REFERENCE_LABEL[ctx.language == "en"],
    )
    if title is None and var.type == "matrix" and var.scale == "besoin":
        title = ctx.pick(
            "Besoin fort ou très fort, par compétence (en %)",
            "High or very high need, by skill (%)",
        )
    title = title or f"{ctx.label(variable)} ({unit})"
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
    note = bar_note(
        ctx,
        data,
        ctx.pick("Traits : intervalle de confiance à 95 %", "Whiskers: 95% confidence interval"),
        marks_note(ctx, data),
        nsp,
    )
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=alt_text(ctx, kind, data, extra),
        lecture=lecture,
        champ=ctx.champ(multi=var.type == "multi", variable=variable),
        note=note,
    )


def chart_by_size(
    ctx: ReportContext, indicator: str = "ia_usage", level: str = "", *, alone: bool = True
) -> Html:
    """Bars of one indicator by size class within the report's domain (all sizes kept in order).

    With one published value a comparison by size shows nothing: the value is said in a
    sentence (:func:`lone_value`), or nothing is shown when ``alone`` is false (the four-page
    key figures, where every block is a chart or a key number)."""
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
    if _shown(data).empty:
        return hidden_figure(ctx, ctx.label(indicator), data)
    title = ctx.pick(
        f"Entreprises {ctx.answer_phrase(indicator, level).replace('utilisent', 'utilisant')}, selon la taille (en %)",
        f"Companies that {ctx.answer_phrase(indicator, level)}, by size (%)",
    )
    shown = _shown(data)
    first = shown.iloc[0]
    domain = f"{ctx.domain};taille={first['code']}" if ctx.sector else f"taille={first['code']}"
    lecture = ctx.lecture(first["estimate"], indicator, level, domain)
    if len(shown) < 2:  # a comparison by size with one bar compares nothing: say it in words
        return lone_value(ctx, title, lecture, data) if alone else Html("")
    fig = plot_bars(
        data,
        language=ctx.language,
        xlabel=ctx.t("percent_of_firms").capitalize(),
        reference=refs if ctx.sector else None,
        reference_label=_REFERENCE_LABEL[ctx.language == "en"],
    )
    note = bar_note(ctx, data)
    kind = ctx.pick(
        "Barres horizontales par taille d'entreprise", "Horizontal bars by company size"
    )
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=alt_text(ctx, kind, data),
        lecture=lecture,
        champ=ctx.champ(),
        note=note,
    )


def chart_scale(
    ctx: ReportContext,
    indicators: Sequence[str],
    *,
    title: str,
    labels: dict[str, str] | None = None,
) -> Html:
    """Diverging stacked bars for items sharing an ordered scale (impact, agreement).

    Items with a hidden level are left out and named in the note; NSP / non concerné are
    drawn in grey apart. Items of questions the survey did not ask are left out. ``labels``
    names some items otherwise than the questionnaire.
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
    item_of: dict[str, str] = {}  # a bar's label -> its indicator (to mark its numbers)
    for ind in indicators:
        label = (labels or {}).get(ind) or ctx.label(ind)
        rows = {code: ctx.row(ind, code) for code, _ in levels}
        if any(r is None for r in rows.values()):
            continue
        flags = {r["flag"] for r in rows.values() if r is not None}
        if flags & {"s", "nd"} or any(r["estimate"] != r["estimate"] for r in rows.values() if r):
            flag = "s" if "s" in flags else "nd"
            hidden_rows.append({"label": label, "estimate": float("nan"), "flag": flag})
            continue
        prudence = prudence or "prudence" in flags
        item_of[label + (" (*)" if "prudence" in flags else "")] = ind
        shares[label + (" (*)" if "prudence" in flags else "")] = {
            c: float(r["estimate"]) for c, r in rows.items() if r
        }
        miss = [ctx.row(ind, code) for code in var.missing]
        values = [m["estimate"] for m in miss if m is not None and m["estimate"] == m["estimate"]]
        if values:
            apart[label + (" (*)" if "prudence" in flags else "")] = float(sum(values))
        n_values.append(int(next(iter(rows.values()))["n"]))  # type: ignore[index]
    frame = pd.DataFrame.from_dict(shares, orient="index", columns=[c for c, _ in levels])
    if frame.empty:
        return hidden_figure(
            ctx, title, pd.DataFrame(hidden_rows, columns=["label", "estimate", "flag"])
        )
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
    note = join_note(
        ctx,
        [
            base_range(ctx, n_values),
            ctx.pick(
                f"Parts calculées sur les réponses exprimées ; « {missing_labels} » en part de "
                "l'ensemble des réponses, à part",
                f"Shares of substantive answers; “{missing_labels}” as a share of all answers, apart",
            ),
            *hidden_sentences(ctx, hidden),
            ctx.t("prudence_note") if prudence else None,
        ],
    )
    described = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{dict(levels)[c]} "
            + mark(
                tx.format_percent(v, language=ctx.language),
                f"{item_of[str(label)]}|{c}|{ctx.domain}",
            )
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
    note = join_note(
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
    short = key_label(ctx, indicator, level) if level else None
    if short:  # « ont répondu « … » à la question « … » » is too long for a title
        title = title or ctx.pick(
            f"{short}, par secteur (en % des entreprises)", f"{short}, by sector (% of companies)"
        )
    title = title or ctx.pick(
        f"Part des entreprises qui {phrase}, par secteur (en %)",
        f"Share of companies that {phrase}, by sector (%)",
    )
    shown = _shown(data)
    lecture = None
    if not shown.empty:
        first = shown.iloc[0]
        lecture = ctx.lecture(first["estimate"], indicator, level, f"secteur={first['code']}")
    note = bar_note(
        ctx, data, ctx.pick("Ligne pointillée : ensemble des secteurs", "Dashed line: all sectors")
    )
    kind = ctx.pick("Barres horizontales, secteurs classés", "Horizontal bars, sectors ranked")
    spread = ""
    if not ctx.sector and len(shown) >= 2:  # the overview says what the ranking shows
        cell = f"{indicator}|{level}|all"
        spread = _ranking_sentence(ctx, shown, short or phrase, bool(short), overall, cell)
    figure = figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=alt_text(ctx, kind, data, f"{overall_text}." if overall_text else ""),
        lecture=lecture,
        champ=ctx.champ("all"),
        note=note,
    )
    return Html(spread + figure)


def _ranking_sentence(
    ctx: ReportContext, shown: pd.DataFrame, what: str, is_label: bool, overall: Any, cell: str
) -> Html:
    """« La part des entreprises qui … va de 3 % (Transport et logistique) à 31 % (Banque)
    selon le secteur ; elle est de 8 % pour l'ensemble des secteurs. » (values marked)."""
    high, low = shown.iloc[0], shown.iloc[-1]
    shown_text = [tx.format_percent(v, language=ctx.language) for v in shown["estimate"]]

    def value(row: Any) -> str:
        return mark(tx.format_percent(row["estimate"], language=ctx.language), row.get("cell"))

    def names(row: Any) -> str:  # every sector at that (rounded) value: ties are named together
        same = tx.format_percent(row["estimate"], language=ctx.language)
        tied = [str(lab) for lab, t in zip(shown["label"], shown_text, strict=True) if t == same]
        return ", ".join(sorted(tied))

    subject = (
        ctx.pick(f"« {what} »", f"“{what}”")
        if is_label
        else ctx.pick(f"La part des entreprises qui {what}", f"The share of companies that {what}")
    )
    verb = ctx.pick(" : de ", ": from ") if is_label else ctx.pick(" va de ", " ranges from ")
    text = (
        f"{subject}{verb}{value(low)} ({names(low)}) {ctx.pick('à', 'to')} {value(high)} "
        f"({names(high)}) {ctx.pick('selon le secteur', 'depending on the sector')}"
    )
    if overall is not None and overall["estimate"] == overall["estimate"]:
        total = mark(tx.format_percent(overall["estimate"], language=ctx.language), cell)
        text += (
            ctx.pick(f" ; {total} pour l'ensemble des secteurs.", f"; {total} for all sectors.")
            if is_label
            else ctx.pick(
                f" ; elle est de {total} pour l'ensemble des secteurs.",
                f"; it is {total} for all sectors.",
            )
        )
    else:
        text += "."
    return Html(f"<p>{esc(text)}</p>")


def chart_comparison(ctx: ReportContext) -> Html:
    """Key indicators of the sector (bars, intervals) against all sectors (diamonds)."""
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
        reference_label=_REFERENCE_LABEL[ctx.language == "en"],
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
    note = bar_note(
        ctx, data, ctx.pick("Losanges : ensemble des secteurs", "Diamonds: all sectors")
    )
    kind = ctx.pick("Barres horizontales, indicateurs clés", "Horizontal bars, key indicators")
    return figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=alt_text(ctx, kind, data),
        lecture=lecture,
        champ=ctx.champ(),
        note=note,
    )


def chart_sector_heatmap(ctx: ReportContext) -> Html:
    """Sector × key indicator heatmap of the regional overview."""
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
                    + tx.flag_reason(
                        row["flag"],
                        language=ctx.language,
                        thresholds=ctx.thresholds,
                        n=row.get("n"),
                    )
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
    note = join_note(
        ctx, [*hidden, ctx.t("prudence_note") if (flags == "prudence").any().any() else None]
    )
    return figure_html(
        fig, ctx=ctx, title=title, alt=alt, lecture=lecture, champ=ctx.champ("all"), note=note
    )


def chart_evolution(ctx: ReportContext) -> Html:
    """Key indicators of the report's domain at each wave, with their 95 % intervals.

    Empty when the study has a single wave or no evolution table.
    """
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
    note = join_note(
        ctx,
        [
            ctx.pick(
                "Traits : intervalles de confiance à 95 %", "Whiskers: 95% confidence intervals"
            ),
            *hidden_sentences(ctx, data.assign(label=data["label"] + " (" + data["wave"] + ")")),
            prudence_note(data, ctx),
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
