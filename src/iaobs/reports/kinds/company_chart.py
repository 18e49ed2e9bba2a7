"""The charts of the company benchmark: one ordinal question, the company's answer outlined.

Each chart is a small inline SVG drawing (no matplotlib: hundreds of these reports are
rendered): a stacked 100 % bar per group the company is compared with (its sector, its size
class), then a legend. Hidden levels are never drawn one by one: the published levels keep
their place and the hidden ones share one grey block at the end of the bar, marked ``s``
(secret statistique) or ``nd`` (non diffusé, effectif insuffisant) as in every other report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from iaobs.core import text as tx
from iaobs.reports.context import HIDDEN_FLAGS, Html, esc
from iaobs.reports.kinds.company import (
    CompanyContext,
    domain_label,
    pct,
    position_sentence,
    shares,
)
from iaobs.reports.notes import note_lines
from iaobs.reports.tablehtml import notes_html

__all__ = ["chart_position"]

PALETTE = ("#DCE9F5", "#A6CBE3", "#5DA5DA", "#0072B2", "#004C7A")
SECRET_GREY, MARK = "#BDBDBD", "#D55E00"  # hidden levels (grouped at the end), own answer
WIDTH, LEFT, BAR_H, GAP = 640, 130, 18, 8
SPAN = WIDTH - LEFT - 10


@dataclass
class _Drawing:
    """The SVG elements of a chart as they are drawn, with what its text alternative says."""

    parts: list[str] = field(default_factory=list)
    alt: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden_flags: set[str] = field(default_factory=set)
    y: float = 6.0

    def text(self, x: float, text: str, *, size: float = 10, extra: str = "") -> None:
        baseline = self.y + BAR_H * 0.7
        self.parts.append(
            f'<text x="{x:.1f}" y="{baseline:.1f}" font-size="{size:g}"{extra}>{esc(text)}</text>'
        )

    def rect(self, x: float, width: float, color: str, *, stroke: str = "") -> None:
        self.parts.append(
            f'<rect x="{x:.1f}" y="{self.y:g}" width="{max(width, 0.0):.1f}" '
            f'height="{BAR_H}" fill="{color}"{stroke}/>'
        )


def _hidden_mark(flags: set[str]) -> str:
    """``s``, ``nd`` or ``s/nd``: what marks a grey block of hidden levels."""
    return "/".join(f for f in ("s", "nd") if f in flags) or "s"


def _published(data: pd.DataFrame, codes: Sequence[str]) -> list[str]:
    return [
        c
        for c in codes
        if c in data.index
        and data["flag"].get(c, "nd") not in HIDDEN_FLAGS
        and not pd.isna(data["estimate"].get(c))
    ]


def _bar(ctx: CompanyContext, variable: str, domain: str, drawing: _Drawing) -> None:
    """One group's bar: its label, its published levels, a grey block for the hidden ones."""
    codes = list(ctx.dictionary[variable].codes)
    data = shares(ctx, variable, domain).set_index("code")
    label = domain_label(ctx, domain)
    drawing.text(LEFT - 8, label, size=10.5, extra=' text-anchor="end"')
    published = _published(data, codes)
    if not published:
        drawing.text(
            LEFT,
            ctx.pick("non diffusé (trop peu de réponses)", "not published (too few answers)"),
            extra=' fill="#5A5A5A"',
        )
        drawing.y += BAR_H + GAP
        return
    hidden = [c for c in codes if c not in published]
    # shares sum to 1 over the levels; without hidden levels, spread the rounding
    total = float(sum(float(data["estimate"][c]) for c in codes)) if not hidden else 1.0
    x, mine, described = float(LEFT), ctx.answer(variable), []
    for i, code in enumerate(codes):
        if code in hidden:
            flag = str(data["flag"].get(code, "nd")) if code in data.index else "nd"
            hidden_words = ctx.pick("non diffusé", "not published")
            described.append(f"{ctx.code_label(variable, code)} {hidden_words} ({flag})")
            drawing.hidden_flags.add(flag if flag in ("s", "nd") else "s")
            continue
        share = float(data["estimate"][code]) / (total or 1.0)
        w = share * SPAN
        stroke = f' stroke="{MARK}" stroke-width="3"' if code == mine else ""
        drawing.rect(x, w, PALETTE[min(i, len(PALETTE) - 1)], stroke=stroke)
        if w > 26:
            ink = "#FFFFFF" if i >= 3 else "#1A1A1A"
            drawing.text(x + w / 2, pct(ctx, share), extra=f' text-anchor="middle" fill="{ink}"')
        described.append(f"{ctx.code_label(variable, code)} {pct(ctx, share)}")
        x += w
    if hidden:
        w = max(0.0, float(LEFT + SPAN) - x)
        drawing.rect(x, w, SECRET_GREY)
        if w > 14:
            flags = {str(data["flag"].get(c, "nd")) if c in data.index else "nd" for c in hidden}
            drawing.text(
                x + w / 2,
                _hidden_mark(flags),
                extra=' text-anchor="middle" font-style="italic" fill="#1A1A1A"',
            )
    drawing.alt.append(f"{label}{ctx.pick(' : ', ': ')}" + ", ".join(described))
    drawing.y += BAR_H + GAP


def _legend(ctx: CompanyContext, variable: str, drawing: _Drawing) -> float:
    """The legend under the bars (one line when it fits); returns the drawing's height."""
    codes = list(ctx.dictionary[variable].codes)
    mine = ctx.answer(variable)
    keys = [
        (ctx.code_label(variable, code), PALETTE[min(i, len(PALETTE) - 1)], code == mine)
        for i, code in enumerate(codes)
    ]
    for flag in ("s", "nd"):
        if flag in drawing.hidden_flags:
            keys.append((ctx.t(f"legend_{flag}"), SECRET_GREY, False))
    lx, ly = float(LEFT), drawing.y - GAP + 6
    for i, (text, color, marked) in enumerate(keys):
        stroke = f' stroke="{MARK}" stroke-width="2"' if marked else ""
        drawing.parts.append(
            f'<rect x="{lx:.1f}" y="{ly:g}" width="10" height="10" fill="{color}"{stroke}/>'
            f'<text x="{lx + 14:.1f}" y="{ly + 9:g}" font-size="9.5">{esc(text)}</text>'
        )
        lx += 14 + 5.3 * len(text) + 10
        if i < len(keys) - 1 and lx + 14 + 5.3 * len(keys[i + 1][0]) > WIDTH:
            lx, ly = float(LEFT), ly + 14
    return ly + 14


def svg_stacked(
    ctx: CompanyContext, variable: str, domains: Sequence[str]
) -> tuple[str, list[str]]:
    """Stacked 100 % bars of an ordinal question, one per domain, the company's level
    outlined; a domain with no published level is said in words. Returns the SVG and the
    notes saying what was hidden."""
    drawing = _Drawing()
    for domain in domains:
        _bar(ctx, variable, domain, drawing)
    height = _legend(ctx, variable, drawing)
    alt = ctx.pick(" ; ", "; ").join(drawing.alt) or ctx.pick(
        "Distribution non diffusée", "Distribution not shown"
    )
    mine = ctx.answer(variable)
    if mine in ctx.dictionary[variable].codes:
        alt += ctx.pick(
            f". Cadre orange : votre réponse, « {ctx.code_label(variable, mine)} ».",
            f". Orange outline: your answer, “{ctx.code_label(variable, mine)}”.",
        )
    if drawing.hidden_flags:
        drawing.notes.insert(
            0,
            ctx.pick(
                "Parts non diffusées regroupées en gris en fin de barre.",
                "Shares not published grouped in grey at the end of the bar.",
            ),
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" aria-label="{esc(alt)}" '
        'font-family="Open Sans, DejaVu Sans, sans-serif">'
        f"<title>{esc(alt)}</title>" + "".join(drawing.parts) + "</svg>"
    )
    return svg, drawing.notes


def chart_position(ctx: CompanyContext, variable: str, *, title: str) -> Html:
    """A numbered figure, its title above: the distribution of an ordinal question in the
    company's sector and size class, its own answer outlined, with its Lecture and Note below
    (the report states its Champ and Source once). Nothing when the question was not asked."""
    if variable not in ctx.dictionary or not ctx.is_asked(variable):
        return Html("")
    domains = [d for d, on in ((ctx.sector_domain, ctx.sector), (ctx.size_domain, ctx.size)) if on]
    svg, hidden_notes = svg_stacked(ctx, variable, domains)
    number = ctx.next_figure()
    lecture = position_sentence(ctx, variable, domains[0]) if domains else None
    note = ctx.pick(
        "parts pondérées des réponses (NSP exclus) ; cadre orange : votre réponse.",
        "weighted shares of answers (don't know excluded); orange outline: your answer.",
    )
    bases = base_counts(ctx, variable, domains)
    if bases:
        note += ctx.pick(" Bases : ", " Bases: ") + bases + "."
    note = " ".join([note, *dict.fromkeys(n for n in hidden_notes if n != lecture)])
    caption = f"{ctx.t('figure')} {number} – {title}"
    return Html(
        f'<figure class="iaobs-figure" id="figure-{number}">'
        f"<figcaption>{esc(caption)}</figcaption>{svg}</figure>"
        + notes_html(note_lines(ctx, None, lecture=lecture, note=note), ctx)
    )


def base_counts(ctx: CompanyContext, variable: str, domains: Sequence[str]) -> str:
    """« 149 entreprises (secteur), 877 (taille) »: the bases of a question in its groups."""
    parts = []
    for domain in domains:
        data = shares(ctx, variable, domain)
        if len(data):
            count = tx.format_number(data["n"].max(), language=ctx.language)
            parts.append((count, domain))
    words = []
    for i, (count, domain) in enumerate(parts):
        group = ctx.pick("secteur", "sector") if domain.startswith("secteur=") else None
        group = group or ctx.pick("taille", "size")
        unit = ctx.pick("entreprises ", "companies ") if i == 0 else ""
        words.append(f"{count} {unit}({group})")
    return ", ".join(words)
