"""What goes around a chart: its notes (base, hidden answers and why, prudence, marks of a
significant difference), its alternative text, and what stands in place of a chart that
cannot be drawn (every value hidden, or a comparison with one value left)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.cellmark import mark
from iaobs.reports.context import Html, ReportContext, esc
from iaobs.reports.plots import _shown
from iaobs.stats.contrast import HIGHER, LOWER, contrast_phrase

__all__ = [
    "MARKS",
    "alt_text",
    "bar_note",
    "base_note",
    "base_range",
    "contrast_mark",
    "hidden_answers_note",
    "hidden_figure",
    "hidden_sentences",
    "join_note",
    "lone_value",
    "marks_note",
    "prudence_note",
]


def hidden_sentences(ctx: ReportContext, data: pd.DataFrame, label_col: str = "label") -> list[str]:
    """One sentence per reason of secrecy, naming the answers left out of the chart."""
    hidden: dict[str, list[str]] = {}
    for _, row in data.iterrows():
        flag = row.get("flag", "")
        if flag in ("s", "nd") or row["estimate"] != row["estimate"]:
            hidden.setdefault(flag if flag in ("s", "nd") else "nd", []).append(str(row[label_col]))
    out = []
    for flag, labels in hidden.items():
        reason = tx.flag_reason(flag, language=ctx.language, thresholds=ctx.thresholds)
        if len(labels) == 1:
            first = tx.upper_first(labels[0])  # it opens a sentence of the note
            out.append(
                ctx.pick(f"{first} : non diffusé, {reason}", f"{first}: not published, {reason}")
            )
        else:
            names = ", ".join(labels)
            out.append(
                ctx.pick(f"Non diffusés, {reason} : {names}", f"Not published, {reason}: {names}")
            )
    return out


def join_note(ctx: ReportContext, parts: Sequence[str | None]) -> str | None:
    """The parts of a note that are there, as sentences ending with a full stop."""
    kept = [p.rstrip(".") for p in parts if p]
    return ". ".join(kept) + "." if kept else None


def base_range(ctx: ReportContext, counts: Sequence[int]) -> str | None:
    """« Base : n répondants » with the smallest and largest base when they differ."""
    if not len(counts):
        return None
    low, high = int(min(counts)), int(max(counts))
    count = tx.format_number(low, language=ctx.language)
    if low != high:
        count = f"{count} – {tx.format_number(high, language=ctx.language)}"
    return ctx.t("base_note", n=count)


def base_note(ctx: ReportContext, data: pd.DataFrame) -> str | None:
    """« Base : n répondants » of the bars a chart shows."""
    return base_range(ctx, list(_shown(data)["n"]))


def bar_note(ctx: ReportContext, data: pd.DataFrame, *extras: str | None) -> str | None:
    """The note of a bar chart: base, what its marks mean, hidden bars, prudence."""
    return join_note(
        ctx, [base_note(ctx, data), *extras, *hidden_sentences(ctx, data), prudence_note(data, ctx)]
    )


def alt_text(ctx: ReportContext, kind: str, data: pd.DataFrame, extra: str = "") -> str:
    shown = _shown(data)
    colon = ctx.pick(" : ", ": ")
    values = ctx.pick(" ; ", "; ").join(
        f"{row['label']}{colon}"
        + mark(tx.format_percent(row["estimate"], language=ctx.language), row.get("cell"))
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


def prudence_note(data: pd.DataFrame, ctx: ReportContext) -> str | None:
    """« (*) à interpréter avec prudence » when a bar is to be read with caution."""
    return ctx.t("prudence_note") if (data["flag"] == "prudence").any() else None


#: marks of a value significantly above / below the rest of the region (contrasts table)
MARKS = {HIGHER: "▲", LOWER: "▼"}


def contrast_mark(ctx: ReportContext, variable: str, code: str, level: str | None) -> str:
    """▲ or ▼ beside a sector's value that a test finds above or below the rest of the region."""
    if not ctx.sector:
        return ""
    var = ctx.dictionary[variable]
    if var.type in ("multi", "matrix"):
        key = (f"{variable}__{code}", (level or "top2") if var.type == "matrix" else "")
    else:
        key = (variable, code)
    row = ctx.contrast_row(*key)
    if row is None or not contrast_phrase(row):
        return ""
    return MARKS.get(str(row["direction"]), "")


def marks_note(ctx: ReportContext, data: pd.DataFrame) -> str | None:
    """What ▲ and ▼ mean, when a bar carries one."""
    if "mark" not in data or not data["mark"].astype(bool).any():
        return None
    return ctx.pick(
        "▲ (▼) : part significativement plus élevée (plus faible) que dans le reste de la "
        "région, test au seuil de 5 %",
        "▲ (▼): share significantly higher (lower) than in the rest of the region, 5% test",
    )


def hidden_figure(
    ctx: ReportContext, title: str, data: pd.DataFrame, reason: str | None = None
) -> Html:
    """What stands in place of a chart whose every value is hidden: its title and why, in
    words (an empty frame of axes tells a reader nothing). ``reason`` by default: the firms'
    rules."""
    flags = set(data["flag"]) if "flag" in data else set()
    reason = reason or (
        ctx.pick(
            "secret statistique (trop peu d'entreprises, ou protection d'une autre case)",
            "statistical secrecy (too few companies, or protecting another cell)",
        )
        if "s" in flags or not flags
        else ctx.pick("effectif insuffisant", "too few respondents")
    )
    return Html(
        '<div class="iaobs-notes iaobs-hidden-figure">'
        f"<p><strong>{esc(title)}</strong> — "
        + esc(
            ctx.pick(f"aucune valeur n'est diffusée : {reason}.", f"no value published: {reason}.")
        )
        + "</p></div>"
    )


def hidden_answers_note(ctx: ReportContext, data: pd.DataFrame) -> str | None:
    """The note naming the answers of ``data`` (``label``, ``estimate``, ``flag``) left out of
    a chart, with why; ``None`` when every answer is shown."""
    return join_note(ctx, hidden_sentences(ctx, data))


def lone_value(
    ctx: ReportContext, title: str, lecture: str, data: pd.DataFrame, hidden: str | None = None
) -> Html:
    """What stands in place of a comparison chart of which one value only is published: its
    title, that value in words, and why the others are not shown (one bar compares nothing):
    ``hidden``, or by default the note of :func:`hidden_answers_note`."""
    hidden = hidden or hidden_answers_note(ctx, data)
    only = ctx.pick(
        "une seule valeur est diffusée, la comparaison n'est pas possible.",
        "only one value is published, so no comparison can be drawn.",
    )
    lines = [f"<p><strong>{esc(title)}</strong> — {esc(only)}</p>", f"<p>{esc(lecture)}</p>"]
    if hidden:
        lines.append(
            f"<p><strong>{esc(ctx.t('note'))}{ctx.pick(' :', ':')}</strong> {esc(hidden)}</p>"
        )
    return Html('<div class="iaobs-notes iaobs-hidden-figure">' + "".join(lines) + "</div>")
