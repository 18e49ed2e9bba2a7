"""A report table as HTML: ``<table class="iaobs-table">`` with its caption, notes and legend.

The rendering of a :class:`~iaobs.reports.table.ReportTable` (the model knows nothing of it):
estimates formatted in the report's language, intervals and bases grouped under their
estimate, hidden cells shown ``s`` or ``nd`` and prudence cells marked ``(*)``, with the legend
under the table. Every text is escaped.
"""

from __future__ import annotations

from typing import Any

from iaobs.core import text as tx
from iaobs.core.contract import estimate_owner
from iaobs.core.typography import format_points
from iaobs.reports.context import ReportContext
from iaobs.reports.markup import Html, esc
from iaobs.reports.table import ReportTable

__all__ = ["notes_html", "table_html"]


def _groups(table: ReportTable) -> list[dict[str, str]]:
    """The table's columns as groups: an estimate with its companions (interval, base, flag),
    or a plain column."""
    owner = estimate_owner(list(table.frame.columns), table.kinds)
    groups: list[dict[str, str]] = []
    estimates: dict[str, dict[str, str]] = {}
    for column in table.frame.columns:
        kind = table.kinds.get(column, "text")
        own = owner.get(column)
        if own == column:
            estimates[column] = {"name": column, "est": column, "kind": kind}
            groups.append(estimates[column])
        elif own is not None:
            estimates[own][kind] = column
        else:
            groups.append({"name": column, "plain": column, "kind": kind})
    return groups


def _subcolumns(ctx: ReportContext, group: dict[str, str]) -> list[str]:
    if "est" not in group:
        return []
    first = {"percent": "%", "points": ctx.pick("Points", "Points")}
    subs = [first.get(group["kind"], ctx.pick("Moyenne", "Mean"))]
    if "ci_low" in group and "ci_high" in group:
        subs.append(ctx.t("ci95"))
    if "count" in group:
        subs.append(ctx.t("n"))
    return subs


def _estimate_text(ctx: ReportContext, value: Any, kind: str, flag: str) -> str:
    if flag in ("s", "nd"):
        return flag
    if kind == "percent":
        text = tx.format_percent(value, language=ctx.language)
    elif kind == "points":
        text = format_points(value, language=ctx.language, unit=False)
    else:
        text = tx.format_decimal(value, decimals=1, language=ctx.language)
    if flag == "prudence" and text != tx.MISSING:
        text += " (*)"
    return text


def table_html(table: ReportTable, ctx: ReportContext) -> Html:
    """A table as ``<table class="iaobs-table">`` with its caption and notes.

    Hidden cells show ``s`` or ``nd`` (with the legend under the table), prudence cells an
    asterisk and the note "(*) à interpréter avec prudence". Every text is escaped.
    """
    lang = ctx.language
    groups = _groups(table)
    subs = [_subcolumns(ctx, g) for g in groups]
    two_rows = any(len(s) > 1 for s in subs)
    head1: list[str] = []
    head2: list[str] = []
    for group, sub in zip(groups, subs, strict=True):
        name = esc(group["name"])
        if two_rows and len(sub) > 1:
            head1.append(f'<th scope="colgroup" colspan="{len(sub)}">{name}</th>')
            head2.extend(f'<th scope="col">{esc(s)}</th>' for s in sub)
        elif two_rows:
            head1.append(f'<th scope="col" rowspan="2">{name}</th>')
        else:
            head1.append(f'<th scope="col">{name}</th>')
    thead = f"<tr>{''.join(head1)}</tr>" + (f"<tr>{''.join(head2)}</tr>" if two_rows else "")
    flags_seen: set[str] = set()
    body = []
    frame = table.frame
    for i in range(len(frame)):
        cells = []
        for gi, group in enumerate(groups):
            if "plain" in group:
                value = frame[group["plain"]].iloc[i]
                kind = group["kind"]
                if kind == "count":
                    text = tx.format_number(value, language=lang)
                    cls = ' class="num"'
                else:
                    text = "" if value is None or value != value else str(value)
                    cls = ""
                if kind == "label" and gi == 0:
                    cells.append(f'<th scope="row">{esc(text)}</th>')
                else:
                    cells.append(f"<td{cls}>{esc(text)}</td>")
                continue
            flag = str(frame[group["flag"]].iloc[i]) if "flag" in group else ""
            flags_seen.add(flag)
            hidden = flag in ("s", "nd")
            est = _estimate_text(ctx, frame[group["est"]].iloc[i], group["kind"], flag)
            cls = ' class="num flag"' if hidden else ' class="num"'
            cells.append(f"<td{cls}>{esc(est)}</td>")
            if "ci_low" in group and "ci_high" in group:
                lo, hi = frame[group["ci_low"]].iloc[i], frame[group["ci_high"]].iloc[i]
                if hidden:
                    ci = ""
                elif group["kind"] == "percent":
                    ci = tx.format_interval(lo, hi, language=lang, sign=False)
                elif group["kind"] == "points":
                    word = ctx.pick(" à ", " to ")
                    low = format_points(lo, language=lang, unit=False)
                    ci = f"{low}{word}{format_points(hi, language=lang, unit=False)}"
                else:
                    ci = (
                        f"{tx.format_decimal(lo, language=lang)} – "
                        f"{tx.format_decimal(hi, language=lang)}"
                    )
                cells.append(f'<td class="num ci">{esc(ci)}</td>')
            if "count" in group:
                cells.append(
                    f'<td class="num">{esc(tx.format_number(frame[group["count"]].iloc[i], language=lang))}</td>'
                )
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = f"{ctx.t('table')} {table.number} – {table.title}"
    notes = list(table.notes)
    legend = []
    if "s" in flags_seen:
        legend.append(ctx.t("legend_s"))
    if "nd" in flags_seen:
        legend.append(ctx.t("legend_nd"))
    if legend:
        notes.append(" ; ".join(legend) + "." if lang == "fr" else "; ".join(legend) + ".")
    if "prudence" in flags_seen:
        notes.append(ctx.t("prudence_note"))
    anchor = f"tableau-{table.number}"
    return Html(
        f'<div class="iaobs-table-block"><table class="iaobs-table" id="{anchor}">'
        f"<caption>{esc(caption)}</caption>"
        f"<thead>{thead}</thead><tbody>{''.join(body)}</tbody></table>"
        + notes_html(notes, ctx)
        + "</div>"
    )


def notes_html(lines: list[str], ctx: ReportContext) -> str:
    """Notes under a figure or table, the leading "Lecture :", "Champ :"… in bold."""
    labels = [ctx.t(k) for k in ("lecture", "champ", "source", "note")]
    out = []
    for line in lines:
        head, sep, rest = line.partition(" : " if ctx.language == "fr" else ": ")
        if sep and head in labels:
            out.append(f"<p><strong>{esc(head)}{esc(sep.rstrip())}</strong> {esc(rest)}</p>")
        else:
            out.append(f"<p>{esc(line)}</p>")
    return f'<div class="iaobs-notes">{"".join(out)}</div>'
