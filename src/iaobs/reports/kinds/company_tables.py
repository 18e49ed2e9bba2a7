"""The numbered tables of the company benchmark, shown in the report and written to Excel.

Each table sets the company's own answer beside the published share of its sector and of its
size class (all sectors); a hidden share stays empty and shows ``s`` or ``nd`` with its legend.
Only questions the study asked appear: a table of a question nobody answered is left out (and
the tables after it numbered on), an item nobody answered has no row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.reports.context import Html
from iaobs.reports.kinds import actions
from iaobs.reports.kinds.company import COMPANY_SECTIONS, CompanyContext, domain_label
from iaobs.reports.notes import note_lines
from iaobs.reports.table import ReportTable, TableSection, sections_from_layout, table_from_layout
from iaobs.reports.tablehtml import table_html

__all__ = ["COMPANY_LAYOUT", "build_company_table", "company_tables", "show"]

#: section -> table keys in the order the report shows them
COMPANY_LAYOUT: list[tuple[str, list[str]]] = [
    ("position", ["position"]),
    ("adoption", ["technologies"]),
    ("competences", ["besoins"]),
    ("freins", ["freins"]),
]
#: the question behind each table
TABLE_QUESTIONS = {
    "position": actions.PERCENTILE_QUESTIONS,
    "technologies": ("techno",),
    "besoins": ("besoin_comp",),
    "freins": ("freins",),
}
_REPORT = "rapport d'entreprise"


def _mine_text(ctx: CompanyContext, column: str, *, multi: bool) -> str:
    value = ctx.answer(column)
    if multi:
        if value in ("1", "1.0", "True"):
            return ctx.pick("Oui", "Yes")
        if value in ("0", "0.0", "False"):
            return ctx.pick("Non", "No")
        return tx.MISSING
    if not value:
        return tx.MISSING
    return ctx.dictionary.code_label(column.split("__", 1)[0], value, ctx.language)


def _comparison_table(ctx: CompanyContext, variable: str, title: str) -> tuple:
    var = ctx.dictionary[variable]
    multi = var.type == "multi"
    entries = var.options if multi else var.items
    codes = [c for c in entries if ctx.is_asked(f"{variable}__{c}")]
    yours = ctx.pick("Votre réponse", "Your answer")
    columns: dict[str, list[Any]] = {
        ctx.t("item"): [entries[c].get(ctx.language) for c in codes],
        yours: [_mine_text(ctx, f"{variable}__{c}", multi=multi) for c in codes],
    }
    kinds = {ctx.t("item"): "label", yours: "text"}
    bases: list[str] = []
    for domain, on in ((ctx.sector_domain, ctx.sector), (ctx.size_domain, ctx.size)):
        if not on:
            continue
        name = domain_label(ctx, domain)
        rows = [ctx.row(f"{variable}__{c}", "" if multi else "top2", domain) for c in codes]
        columns[name] = [float(r["estimate"]) if r else math.nan for r in rows]
        columns[f"{name} – {ctx.t('flag')}"] = [str(r["flag"]) if r else "nd" for r in rows]
        kinds[name], kinds[f"{name} – {ctx.t('flag')}"] = "percent", "flag"
        count = max((int(r["n"]) for r in rows if r), default=0)
        group = ctx.pick("secteur", "sector") if domain == ctx.sector_domain else None
        unit = ctx.pick("entreprises ", "companies ") if not bases else ""
        bases.append(
            f"{tx.format_number(count, language=ctx.language)} {unit}"
            f"({group or ctx.pick('taille', 'size')})"
        )
    what = (
        ctx.pick("part pondérée des entreprises qui citent l'élément", "weighted share citing it")
        if multi
        else ctx.pick(
            "part pondérée des entreprises déclarant un besoin fort ou très fort",
            "weighted share of companies reporting a high or very high need",
        )
    )
    note = what + ctx.pick(" ; bases : ", "; bases: ") + ", ".join(bases) + "."
    return title, pd.DataFrame(columns), note_lines(ctx, None, note=note), kinds


def _position_table(ctx: CompanyContext) -> tuple:
    """The company's percentile on the ordered questions, in its sector and its size class."""
    groups = [(d, domain_label(ctx, d)) for d, on in _groups(ctx) if on]
    asked = [v for v in actions.PERCENTILE_QUESTIONS if ctx.is_asked(v)]
    head = ctx.pick("Question", "Question")
    columns: dict[str, list[Any]] = {head: [ctx.label(v) for v in asked]}
    kinds = {head: "label"}
    for domain, label in groups:
        columns[label] = [
            actions.centile_words(ctx, actions.percentile(ctx, v, domain)) for v in asked
        ]
        kinds[label] = "text"
    lecture = ctx.pick(
        "au 70\u1d49 centile, 70 % du groupe est moins avancé que vous (les réponses égales "
        "comptant pour moitié).",
        "at the 70th percentile, 70% of the group's companies are less advanced than yours "
        "(those giving the same answer counted as half).",
    )
    title = ctx.pick(
        "Position de votre entreprise (centile)", "Your company's position (percentile)"
    )
    return title, pd.DataFrame(columns), note_lines(ctx, None, lecture=lecture), kinds


def _groups(ctx: CompanyContext) -> list[tuple[str, str | None]]:
    return [(ctx.sector_domain, ctx.sector), (ctx.size_domain, ctx.size)]


_BUILDERS: dict[str, Callable[[CompanyContext], tuple]] = {
    "position": _position_table,
    "technologies": lambda c: _comparison_table(
        c,
        "techno",
        c.pick("Technologies d'IA utilisées", "AI technologies used"),
    ),
    "besoins": lambda c: _comparison_table(
        c,
        "besoin_comp",
        c.pick(
            "Besoins de compétences : votre niveau et la part des entreprises au besoin fort",
            "Skills needs: your level and the share of companies reporting a high need",
        ),
    ),
    "freins": lambda c: _comparison_table(
        c,
        "freins",
        c.pick("Freins à l'usage de l'IA", "Barriers to AI"),
    ),
}


def _layout(ctx: CompanyContext) -> list[tuple[str, list[str]]]:
    """The layout without the tables of questions the study did not ask."""
    out = []
    for section, keys in COMPANY_LAYOUT:
        kept = [k for k in keys if ctx.is_asked(*TABLE_QUESTIONS[k])]
        if kept and (section != "position" or ctx.sector or ctx.size):
            out.append((section, kept))
    return out


def build_company_table(ctx: CompanyContext, key: str) -> ReportTable | None:
    """One numbered table of the company report; ``None`` when its question was not asked."""
    layout = _layout(ctx)
    if not any(key in keys for _, keys in layout):
        if not any(key in keys for _, keys in COMPANY_LAYOUT):
            raise KeyError(f"tableau inconnu du {_REPORT} : {key!r}")
        return None
    return table_from_layout(layout, _BUILDERS, ctx, key, report=_REPORT)


def show(ctx: CompanyContext, key: str) -> Html:
    """A table of the company report as HTML (nothing when its question was not asked)."""
    table = build_company_table(ctx, key)
    return Html("") if table is None else table_html(table, ctx)


def company_tables(ctx: CompanyContext) -> list[TableSection]:
    """The tables of the company report by section (for ``tables.xlsx``)."""
    return sections_from_layout(_layout(ctx), _BUILDERS, ctx, COMPANY_SECTIONS, report=_REPORT)
