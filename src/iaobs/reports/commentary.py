"""The running commentary of the sector report, written from the statistics.

Each section of a sector report opens with a few paragraphs that say what its figures show:
the level of the main indicator with its interval and base, the sector's rank among the
study's sectors, the answers that come first, the differences with the rest of the region
that a test finds significant (:func:`contrast_for`), and the changes since the previous wave.
Every sentence reads a row of the indicators table (or of the contrasts and evolution tables);
nothing is computed here but ranks and orderings.

Shares of questions asked of part of the companies are written with their base ("parmi les
entreprises qui utilisent l'IA", :mod:`iaobs.reports.wording`). Hidden cells (``s``, ``nd``)
are never quoted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.cellmark import mark
from iaobs.core.typography import format_points
from iaobs.reports.context import Html, ReportContext, esc
from iaobs.reports.evolution import evolution_rows
from iaobs.reports.keyfigures import key_figures
from iaobs.reports.wording import base_clause
from iaobs.stats.contrast import contrast_phrase

__all__ = [
    "Contrast",
    "contrast_for",
    "essentiel_prose",
    "key_facts_header",
    "key_facts_method",
    "key_numbers",
    "level_sentence",
    "list_words",
    "lower_first",
    "ordinal",
    "rank_among_sectors",
    "ranking_sentence",
    "section_commentary",
    "top_answers",
]


# --------------------------------------------------------------------------------------------
# The small interface to the tests against the rest of the region


@dataclass(frozen=True)
class Contrast:
    """A domain's share against the rest of the region, as the prose needs it.

    ``difference`` is the domain's share minus the rest of the region's (0–1 scale);
    ``phrase`` the test's verdict in words (:func:`iaobs.stats.contrast.contrast_phrase`);
    ``significant`` whether the test rejects equality.
    """

    difference: float
    significant: bool
    phrase: str


def contrast_for(
    ctx: ReportContext, indicator: str, level: str = "", domain: str | None = None
) -> Contrast | None:
    """The test of a domain against the rest of the region (``contrasts.parquet``), or
    ``None`` when there is none (hidden domain, no test): the prose then claims no difference."""
    row = ctx.contrast_row(indicator, level, domain)
    if row is None:
        return None
    phrase = contrast_phrase(row, language=ctx.language)
    if not phrase:
        return None
    return Contrast(
        difference=float(row["difference"]),
        significant=bool(row["significant"]),
        phrase=phrase,
    )


def _contrast_words(ctx: ReportContext, contrast: Contrast | None, row: Any = None) -> str:
    """``, un niveau significativement plus élevé que dans le reste de la région (+9 points)``."""
    if contrast is None:
        return ""
    if not contrast.significant:
        return f", {contrast.phrase}"
    gap = mark(format_points(contrast.difference, language=ctx.language), row, "difference")
    return ctx.pick(f", un niveau {contrast.phrase} ({gap})", f", {contrast.phrase} ({gap})")


# --------------------------------------------------------------------------------------------
# Words


def list_words(words: Sequence[str], language: str = "fr") -> str:
    """``A, B et C`` (``A, B and C``)."""
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    last = " and " if language == "en" else " et "
    return ", ".join(words[:-1]) + last + words[-1]


def ordinal(rank: int, language: str = "fr") -> str:
    """``1er``, ``2e`` (``1st``, ``2nd``)."""
    if language == "en":
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(rank if rank < 20 else rank % 10, "th")
        return f"{rank}{suffix}"
    return "1er" if rank == 1 else f"{rank}e"


def _pct(ctx: ReportContext, value: Any, cell: Any = None, stat: str = "estimate") -> str:
    """A share as printed, marked with its cell (a row or its key) for the release audit."""
    return mark(tx.format_percent(value, language=ctx.language), cell, stat)


def _shown(row: Any) -> bool:
    if row is None:
        return False
    flag = row.get("flag", "") if hasattr(row, "get") else ""
    estimate = row.get("estimate") if hasattr(row, "get") else None
    return flag not in ("s", "nd") and estimate is not None and not _nan(estimate)


def _nan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _base(ctx: ReportContext, row: Any) -> str:
    """``(IC 95 % : 38 % – 54 %, n = 149)``."""
    interval = tx.format_interval(row["ci_low"], row["ci_high"], language=ctx.language)
    if interval != tx.MISSING:
        low, high = (
            _pct(ctx, row["ci_low"], row, "ci_low"),
            _pct(ctx, row["ci_high"], row, "ci_high"),
        )
        interval = f"{low}–{high}" if ctx.language == "en" else f"{low} – {high}"
    count = tx.format_number(row["n"], language=ctx.language)
    star = " (*)" if row.get("flag") == "prudence" else ""
    return ctx.pick(
        f"{star} (IC 95 % : {interval}, n = {count})", f"{star} (95% CI: {interval}, n = {count})"
    )


def top_answers(
    ctx: ReportContext, variable: str, *, k: int = 3, level: str | None = None
) -> pd.DataFrame:
    """The ``k`` published answers (options, items or codes) with the highest shares."""
    data = ctx.items(variable, level=level)
    data = data[~data["flag"].isin(["s", "nd"]) & data["estimate"].notna()]
    return data.sort_values(["estimate", "code"], ascending=[False, True]).head(k)


def lower_first(text: str) -> str:
    """``Relation client`` → ``relation client``; a first word with another capital
    (``RGPD``, ``R&D, innovation``, ``IA générative``) is an acronym and kept."""
    first = text.split(" ", 1)[0]
    if any(c.isupper() for c in first[1:]):
        return text
    return text[:1].lower() + text[1:]


def _short(label: str) -> str:
    """A label for running text: without its closing detail in brackets."""
    return re.sub(r"\s*\([^()]*\)$", "", label) or label


def _answers_words(ctx: ReportContext, data: pd.DataFrame) -> str:
    parts = [
        f"{lower_first(_short(str(r.label)))} ({_pct(ctx, r.estimate, getattr(r, 'cell', None))})"
        for r in data.itertuples()
    ]
    return list_words(parts, ctx.language)


def rank_among_sectors(
    ctx: ReportContext, indicator: str, level: str = ""
) -> tuple[int, int] | None:
    """The sector's rank (1 = highest share) among the sectors with a published share."""
    if not ctx.sector:
        return None
    values = {}
    for sector in ctx.sectors():
        row = ctx.row(indicator, level, f"secteur={sector}")
        if _shown(row):
            values[sector] = float(row["estimate"])
    if ctx.sector not in values or len(values) < 3:
        return None
    ordered = sorted(values, key=lambda s: (-values[s], s))
    return ordered.index(ctx.sector) + 1, len(ordered)


def _rank_words(ctx: ReportContext, indicator: str, level: str = "") -> str:
    rank = rank_among_sectors(ctx, indicator, level)
    if rank is None:
        return ""
    position, count = rank
    if position == 1:
        return ctx.pick(
            f"Le secteur arrive en tête des {count} secteurs de l'observatoire",
            f"The sector ranks first of the observatory's {count} sectors",
        )
    if position == count:
        return ctx.pick(
            f"Le secteur se place au dernier rang des {count} secteurs de l'observatoire",
            f"The sector ranks last of the observatory's {count} sectors",
        )
    return ctx.pick(
        f"Le secteur se place au {ordinal(position)} rang des {count} secteurs de l'observatoire",
        f"The sector ranks {ordinal(position, 'en')} of the observatory's {count} sectors",
    )


# --------------------------------------------------------------------------------------------
# Sentences


def level_sentence(ctx: ReportContext, indicator: str, level: str = "") -> str:
    """The share of one indicator in the report's domain, with its interval, base, the test
    against the rest of the region and the sector's rank; ``""`` when hidden or absent."""
    row = ctx.row(indicator, level)
    if not _shown(row):
        return ""
    who = ctx.population() + base_clause(indicator, ctx.language)
    phrase = ctx.answer_phrase(indicator, level)
    text = ctx.pick(
        f"En {ctx.study.wave}, {_pct(ctx, row['estimate'], row)} des entreprises {who}"
        f"{_base(ctx, row)} {phrase}",
        f"In {ctx.study.wave}, {_pct(ctx, row['estimate'], row)} of companies {who}"
        f"{_base(ctx, row)} {phrase}",
    )
    text += _contrast_words(ctx, contrast_for(ctx, indicator, level), row) + "."
    rank = _rank_words(ctx, indicator, level)
    return f"{text} {rank}." if rank else text


def ranking_sentence(
    ctx: ReportContext,
    variable: str,
    *,
    lead: tuple[str, str],
    level: str | None = None,
    k: int = 3,
) -> str:
    """``{lead} : a (42 %), b (30 %) et c (12 %).`` with the base of a filtered question."""
    data = top_answers(ctx, variable, k=k, level=level)
    if data.empty:
        return ""
    base = base_clause(variable, ctx.language)
    lead_text = ctx.pick(*lead)
    if base:
        lead_text = ctx.pick(
            f"Parmi les entreprises{base}, {lower_first(lead_text)}",
            f"Among companies{base}, {lower_first(lead_text)}",
        )
    return f"{lead_text}{ctx.pick(' : ', ': ')}{_answers_words(ctx, data)}."


def _group_share(ctx: ReportContext, variable: str, codes: Sequence[str]) -> float | None:
    data = ctx.items(variable).set_index("code")
    values = [data.loc[c, "estimate"] for c in codes if c in data.index]
    if not values or any(_nan(v) for v in values):
        return None
    return float(sum(values))


def size_sentence(ctx: ReportContext, indicator: str = "ia_usage") -> str:
    """How a share varies with company size, from the smallest to the largest published."""
    shown = []
    for size in ctx.sizes():
        domain = f"{ctx.domain};taille={size}" if ctx.sector else f"taille={size}"
        row = ctx.row(indicator, "", domain)
        if _shown(row):
            shown.append((ctx.size_label(size, short=True), float(row["estimate"]), row))
    if len(shown) < 2:
        return ""
    (first, low, low_row), (last, high, high_row) = shown[0], shown[-1]
    verb = ctx.pick("augmente" if high > low else "diminue", "rises" if high > low else "falls")
    return ctx.pick(
        f"La part des entreprises qui utilisent l'IA {verb} avec la taille : "
        f"{_pct(ctx, low, low_row)} parmi les {first}, {_pct(ctx, high, high_row)} parmi les {last}"
        " (écarts à lire avec leurs intervalles, figure suivante).",
        f"The share of companies using AI {verb} with size: {_pct(ctx, low, low_row)} among "
        f"{first}, {_pct(ctx, high, high_row)} among {last} (gaps to read with their intervals, "
        "next figure).",
    )


def evolution_sentence(ctx: ReportContext) -> str:
    """The key indicators that changed significantly since the previous wave, or ``""``."""
    rows = evolution_rows(ctx)
    if rows.empty:
        return ""
    tested = rows[rows["significant"].notna()]
    changed = tested[tested["significant"].astype(bool)]
    if changed.empty:
        return ctx.pick(
            "Aucun indicateur clé n'évolue significativement depuis la vague précédente.",
            "No key indicator changed significantly since the previous wave.",
        )
    parts = [
        f"{lower_first(str(r['label']))} ({format_points(r['difference'], language=ctx.language)})"
        for _, r in changed.iterrows()
    ]
    return ctx.pick(
        f"Depuis la vague précédente, évoluent significativement : {list_words(parts)}.",
        f"Significant changes since the previous wave: {list_words(parts, 'en')}.",
    )


def _paragraphs(sentences: Sequence[str]) -> Html:
    kept = [s for s in sentences if s]
    if not kept:
        return Html("")
    body = "".join(f"<p>{esc(s)}</p>" for s in kept)
    return Html(f'<div class="iaobs-commentary">{body}</div>')


# --------------------------------------------------------------------------------------------
# Section commentaries


def _adoption(ctx: ReportContext) -> list[str]:
    stage = top_answers(ctx, "ia_stade", k=1)
    stage_text = ""
    if not stage.empty:
        first = stage.iloc[0]
        stage_text = ctx.pick(
            f"Le stade d'adoption le plus fréquent est « {first['label']} » "
            f"({_pct(ctx, first['estimate'], first.get('cell'))} des entreprises).",
            f"The most frequent adoption stage is “{first['label']}” "
            f"({_pct(ctx, first['estimate'], first.get('cell'))} of companies).",
        )
    return [
        level_sentence(ctx, "ia_usage"),
        stage_text,
        ranking_sentence(
            ctx,
            "techno",
            lead=("Les technologies les plus citées sont", "The technologies cited most are"),
        ),
        ranking_sentence(
            ctx,
            "usages",
            lead=("Les fonctions les plus concernées sont", "The functions most concerned are"),
        ),
        size_sentence(ctx),
    ]


def _jobs(ctx: ReportContext) -> list[str]:
    down = _group_share(ctx, "impact_effectifs", ["forte_baisse", "legere_baisse"])
    up = _group_share(ctx, "impact_effectifs", ["legere_hausse", "forte_hausse"])
    headcount = ""
    if down is not None and up is not None:
        headcount = ctx.pick(
            f"D'ici trois ans, {_pct(ctx, down)} des entreprises {ctx.population()} attendent "
            f"de l'IA une baisse de leurs effectifs et {_pct(ctx, up)} une hausse ; les autres "
            "n'attendent pas de changement.",
            f"Within three years, {_pct(ctx, down)} of companies {ctx.population()} expect AI "
            f"to reduce their headcount and {_pct(ctx, up)} to increase it; the others expect "
            "no change.",
        )
    return [
        headcount,
        ranking_sentence(
            ctx,
            "taches_automatisables",
            k=2,
            lead=(
                "Sur la part des tâches automatisables, les réponses les plus fréquentes sont",
                "On the share of tasks that could be automated, the most frequent answers are",
            ),
        ),
        level_sentence(ctx, "nouveaux_metiers", "oui"),
        ranking_sentence(
            ctx,
            "difficulte_recrutement",
            k=2,
            lead=("Les difficultés de recrutement déclarées sont", "Hiring difficulties are"),
        ),
    ]


def _skills(ctx: ReportContext) -> list[str]:
    return [
        ranking_sentence(
            ctx,
            "besoin_comp",
            level="top2",
            lead=(
                "Les besoins forts ou très forts les plus répandus portent sur",
                "The most widespread high or very high needs concern",
            ),
        ),
        ranking_sentence(
            ctx,
            "competence_prioritaire",
            k=2,
            lead=(
                "Interrogées sur la compétence à développer en priorité, les entreprises citent",
                "Asked which skill to develop first, companies cite",
            ),
        ),
    ]


def _training(ctx: ReportContext) -> list[str]:
    none = ctx.row("part_formes_ia", "aucun")
    none_text = ""
    if _shown(none):
        none_text = ctx.pick(
            f"{_pct(ctx, none['estimate'])} des entreprises {ctx.population()}"
            f"{_base(ctx, none)} n'ont formé aucun salarié à l'IA au cours des douze "
            "derniers mois.",
            f"{_pct(ctx, none['estimate'])} of companies {ctx.population()}{_base(ctx, none)} "
            "trained no employee in AI in the last twelve months.",
        )
    return [
        none_text,
        ranking_sentence(
            ctx,
            "publics_prioritaires",
            lead=("Les publics à former en priorité sont", "The priority groups are"),
        ),
        ranking_sentence(
            ctx,
            "formats_formation",
            k=2,
            lead=("Les formats souhaités sont d'abord", "The preferred formats are"),
        ),
        ranking_sentence(
            ctx,
            "financement",
            k=2,
            lead=("Les financements envisagés sont surtout", "The intended funding is mainly"),
        ),
    ]


def _barriers(ctx: ReportContext) -> list[str]:
    return [
        ranking_sentence(
            ctx, "freins", lead=("Les freins les plus cités sont", "The barriers cited most are")
        ),
        level_sentence(ctx, "opinion_opportunite", "top2"),
        level_sentence(ctx, "opinion_menace_emploi", "top2"),
    ]


_SECTIONS = {
    "adoption": _adoption,
    "emploi": _jobs,
    "competences": _skills,
    "formation": _training,
    "freins": _barriers,
}


def section_commentary(ctx: ReportContext, section: str) -> Html:
    """The paragraphs opening a section of the sector report (``adoption``, ``emploi``,
    ``competences``, ``formation``, ``freins``)."""
    return _paragraphs(_SECTIONS[section](ctx))


def essentiel_prose(ctx: ReportContext) -> Html:
    """L'essentiel in prose: the first sentence of each section, the changes since the
    previous wave, and where the detailed tables are."""
    sentences = [
        level_sentence(ctx, "ia_usage"),
        ranking_sentence(
            ctx,
            "usages",
            lead=("Les fonctions les plus concernées sont", "The functions most concerned are"),
        ),
        _jobs(ctx)[0],
        _skills(ctx)[0],
        _training(ctx)[0],
        _barriers(ctx)[0],
        evolution_sentence(ctx),
    ]
    title = ctx.t("essentiel")
    kept = "".join(f"<p>{esc(s)}</p>" for s in sentences if s)
    where = ctx.pick(
        "Chaque figure est reprise, avec ses intervalles et ses effectifs, dans le classeur "
        "Excel publié avec ce rapport.",
        "Every figure is given, with its intervals and bases, in the Excel workbook "
        "published with this report.",
    )
    return Html(
        f'<section class="iaobs-essentiel"><h2 id="essentiel">{esc(title)}</h2>{kept}'
        f'<p class="iaobs-notes">{esc(where)}</p></section>'
    )


# --------------------------------------------------------------------------------------------
# The four-page "chiffres clés"


def key_numbers(ctx: ReportContext) -> Html:
    """The key figures as large numbers, each with its sentence (interval and base)."""
    cards = []
    for figure in key_figures(ctx):
        cell = f"{figure.indicator}|{figure.level}|{figure.domain}"
        value = mark(tx.format_percent(figure.value, language=ctx.language), cell)
        if figure.value is None:
            value = "nd" if figure.flag != "s" else "s"
        star = " (*)" if figure.flag == "prudence" else ""
        cards.append(
            f'<div class="iaobs-keynumber"><p class="iaobs-keynumber-value">{esc(value)}'
            f"{esc(star)}</p><p>{esc(figure.sentence)}</p></div>"
        )
    note = ""
    if any(f.flag == "prudence" for f in key_figures(ctx)):
        note = f'<p class="iaobs-notes">{esc(ctx.t("prudence_note"))}</p>'
    title = ctx.t("essentiel")
    return Html(
        f'<section class="iaobs-keynumbers"><h2 id="essentiel">{esc(title)}</h2>'
        f'<div class="iaobs-keynumbers-grid">{"".join(cards)}</div>{note}</section>'
    )


def key_facts_header(ctx: ReportContext) -> Html:
    """The header of the four-page summary: title (the page's only ``h1``) and its facts
    on one line, without a cover page."""
    title = ctx.pick(
        f"Intelligence artificielle et compétences : {ctx.sector_label()}, chiffres clés",
        f"Artificial intelligence and skills: {ctx.sector_label()}, key figures",
    )
    respondents = tx.format_number(ctx.respondents(), language=ctx.language)
    facts = ctx.pick(
        f"{ctx.study.title} · {ctx.study.region} · enquête {ctx.study.wave} · "
        f"{respondents} entreprises répondantes · {ctx.date_text}",
        f"{ctx.study.title} · {ctx.study.region} · {ctx.study.wave} survey · "
        f"{respondents} responding companies · {ctx.date_text}",
    )
    return Html(
        f'<header class="iaobs-keyfacts-header"><h1>{esc(title)}</h1>'
        f'<p class="iaobs-keyfacts-facts">{esc(facts)}</p></header>'
    )


def key_facts_method(ctx: ReportContext) -> Html:
    """Three sentences of method for the four-page summary, and where the full report is."""
    text = ctx.pick(
        f"Enquête {ctx.study.wave} de l'observatoire auprès des entreprises du secteur "
        f"{ctx.sector_label()} implantées en région {ctx.study.region}. Les parts sont "
        "pondérées pour représenter les entreprises du secteur selon leur taille ; chaque "
        "part est donnée avec son intervalle de confiance à 95 % et le nombre d'entreprises "
        "qui ont répondu (n). Les cellules reposant sur trop peu de réponses ne sont pas "
        "diffusées. Le rapport sectoriel complet détaille chaque question et sa méthode.",
        f"The observatory's {ctx.study.wave} survey of companies of the "
        f"{ctx.sector_label()} sector located in the {ctx.study.region} region. Shares are "
        "weighted to represent the sector's companies by size; each share is given with its "
        "95% confidence interval and the number of companies that answered (n). Cells resting "
        "on too few answers are not published. The full sector report details every question "
        "and its method.",
    )
    title = ctx.pick("Méthode", "Method")
    return Html(
        f'<section class="iaobs-keyfacts-method"><h2 id="methode">{esc(title)}</h2>'
        f"<p>{esc(text)}</p>"
        f'<p class="iaobs-notes">{esc(ctx.t("source"))}{ctx.pick(" : ", ": ")}'
        f"{esc(ctx.source_line)}</p></section>"
    )
