"""The change since the previous wave of the key indicators, for a study with two waves or more.

The rows come from ``evolution.parquet`` (:mod:`iaobs.stats.evolution`, prepared by the waves
stage): this module picks the key indicators of a domain, words a change and its test, and
writes the summary a report shows before its evolution chart and table.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.reports.catalogue import KEY_INDICATORS
from iaobs.reports.context import ReportContext
from iaobs.reports.markup import Html, esc, paragraph

__all__ = [
    "change_text",
    "evolution_rows",
    "evolution_summary",
    "has_evolution",
    "significance_text",
]


def has_evolution(ctx: ReportContext) -> bool:
    """Whether the report shows the change since the previous wave (two waves or more)."""
    return not evolution_rows(ctx).empty


def evolution_rows(ctx: ReportContext, domain: str | None = None) -> pd.DataFrame:
    """The key indicators of a domain at every wave, with the change since the previous wave.

    Columns ``label``, ``indicator``, ``level``, ``wave``, ``estimate``, ``ci_low``,
    ``ci_high``, ``n``, ``flag``, ``difference`` (this wave minus the previous one, 0–1 for
    shares), ``ci_low_difference``, ``ci_high_difference``, ``p_value``, ``significant``
    (``pd.NA`` when a cell is hidden). Rows in key-indicator order, then wave order.
    """
    columns = [
        "label", "indicator", "level", "wave", "estimate", "ci_low", "ci_high", "n", "flag",
        "difference", "ci_low_difference", "ci_high_difference", "p_value", "significant",
    ]  # fmt: skip
    frame = ctx.evolution
    if frame.empty:
        return pd.DataFrame(columns=columns)
    domain = domain or ctx.domain
    frame = frame[frame["domain"] == domain]
    order = {w: i for i, w in enumerate(ctx.study.all_waves)}
    parts = []
    for indicator, level, fr, en in KEY_INDICATORS:
        rows = frame[(frame["indicator"] == indicator) & (frame["level"] == level)]
        if rows.empty:
            continue
        rows = rows.assign(label=ctx.pick(fr, en), _o=rows["wave"].map(order)).sort_values("_o")
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).loc[:, columns]


def change_text(ctx: ReportContext, row: Any) -> str:
    """A change in points with its interval: ``+5 points [+1 ; +9]`` (``+5 points [+1; +9]``)."""

    def points(value: float) -> str:
        text = tx.format_decimal(value * 100, decimals=0, language=ctx.language)
        return text if text.startswith("-") or text == "0" else f"+{text}"

    if row["difference"] != row["difference"]:
        return tx.MISSING
    sep = ctx.pick(" ; ", "; ")
    return (
        f"{points(row['difference'])} {ctx.pick('points', 'points')} "
        f"[{points(row['ci_low_difference'])}{sep}{points(row['ci_high_difference'])}]"
    )


def significance_text(ctx: ReportContext, value: Any) -> str:
    """``oui`` / ``non`` (``yes`` / ``no``), or ``–`` when there is no test."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return tx.MISSING
    return ctx.pick("oui", "yes") if bool(value) else ctx.pick("non", "no")


def evolution_summary(ctx: ReportContext) -> Html:
    """Sentences on the key indicators that changed significantly, and how to read the test."""
    rows = evolution_rows(ctx)
    if rows.empty:
        return Html("")
    waves = list(dict.fromkeys(rows["wave"]))
    tested = rows[rows["significant"].notna()]
    changed = tested[tested["significant"].astype(bool)]
    items = []
    previous = {(r["label"], r["wave"]): r["estimate"] for r in rows.to_dict("records")}
    order = list(ctx.study.all_waves)
    for _, row in changed.iterrows():
        value = tx.format_percent(row["estimate"], language=ctx.language)
        wave = row["wave"]
        before_wave = order[order.index(wave) - 1] if wave in order[1:] else ""
        before_value = previous.get((row["label"], before_wave))
        before = tx.format_percent(before_value, language=ctx.language)
        items.append(
            ctx.pick(
                f"{row['label']} : {value} en {wave}, contre {before} en {before_wave}, soit "
                f"{change_text(ctx, row)} (évolution significative).",
                f"{row['label']}: {value} in {wave}, compared with {before} in {before_wave}, "
                f"that is {change_text(ctx, row)} (a significant change).",
            )
        )
    opening = ctx.pick(
        f"Vagues d'enquête comparées : {', '.join(waves)}. Sur {len(tested)} évolutions "
        f"d'indicateurs clés testées, {len(changed)} sont significatives au seuil de 5 %.",
        f"Survey waves compared: {', '.join(waves)}. Of {len(tested)} changes of key "
        f"indicators tested, {len(changed)} are significant at the 5% level.",
    )
    caveat = ctx.pick(
        "L'écart entre deux vagues est testé comme entre deux échantillons indépendants "
        "(écart-type de la différence : racine de la somme des variances). Quand les mêmes "
        "entreprises répondent aux deux vagues, le test est approximatif et, le plus souvent, "
        "prudent (il conclut moins souvent à une évolution). Une case non diffusée à l'une "
        "des vagues n'est pas comparée.",
        "The change between two waves is tested as between two independent samples (standard "
        "error of the difference: square root of the sum of the variances). When the same "
        "companies answer both waves the test is approximate and usually conservative. A cell "
        "not published at either wave is not compared.",
    )
    body = paragraph(opening)
    if items:
        body += "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"
    return Html(body + f'<p class="iaobs-notes">{esc(caveat)}</p>')
