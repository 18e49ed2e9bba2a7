"""The key figures of L'essentiel (and of the observatory's index page) and the key indicators
a report compares across sectors, read from the indicators table of a :class:`ReportContext`.
"""

from __future__ import annotations

from dataclasses import dataclass

from iaobs.core import text as tx
from iaobs.core.cellmark import cell_key
from iaobs.core.text import number_or_none
from iaobs.reports.catalogue import KEY_INDICATORS
from iaobs.reports.context import KeyFigure, ReportContext
from iaobs.stats.contrast import contrast_phrase

__all__ = ["KeyFigure", "key_figures", "key_indicator_specs", "key_label"]


@dataclass(frozen=True)
class _KeySpec:
    variable: str
    level: str
    predicate: tuple[str, str]
    best_of: bool = False  # pick the option / item with the highest share


_KEY_SPECS = (
    _KeySpec(
        "ia_usage",
        "",
        ("utilisent au moins une technologie d'IA", "use at least one AI technology"),
    ),
    _KeySpec(
        "opinion_opportunite",
        "top2",
        (
            "considèrent l'IA comme une opportunité (tout à fait ou plutôt d'accord)",
            "see AI as an opportunity (strongly or somewhat agree)",
        ),
    ),
    _KeySpec(
        "besoin_comp",
        "top2",
        (
            "déclarent un besoin fort ou très fort en « {label} », la compétence la plus citée",
            "report a high or very high need for “{label}”, the skill most often cited",
        ),
        best_of=True,
    ),
    _KeySpec(
        "nouveaux_metiers",
        "oui",
        ("ont créé des postes ou des métiers liés à l'IA", "have created AI-related jobs"),
    ),
    _KeySpec(
        "part_formes_ia",
        "aucun",
        (
            "n'ont formé aucun salarié à l'IA au cours des douze derniers mois",
            "trained none of their staff in AI in the last twelve months",
        ),
    ),
    _KeySpec(
        "freins",
        "",
        (
            "citent « {label} » comme frein à l'usage de l'IA, le frein le plus cité",
            "cite “{label}” as a barrier to using AI, the barrier most often cited",
        ),
        best_of=True,
    ),
)


def key_figures(ctx: ReportContext) -> list[KeyFigure]:
    """Four to six key figures of the report's domain, each a full sentence.

    For a sector report each figure is compared with all sectors; for the regional overview it
    is the regional figure. A hidden cell gives a sentence saying it is not published and why.
    Figures whose indicator is absent from the indicators table are left out.
    """
    out: list[KeyFigure] = []
    for spec in _KEY_SPECS:
        if spec.variable not in ctx.dictionary or not ctx.is_asked(spec.variable):
            continue  # a question the survey did not ask says nothing, not « n = 0 »
        var = ctx.dictionary[spec.variable]
        indicator, label = spec.variable, ""
        if spec.best_of:
            items = ctx.items(spec.variable, level=spec.level or None)
            shown = items[items["estimate"].notna()]
            if shown.empty:
                continue
            best = shown.sort_values(["estimate", "code"], ascending=[False, True]).iloc[0]
            indicator, label = f"{spec.variable}__{best['code']}", str(best["label"])
        elif var.type == "matrix":
            continue
        row = ctx.row(indicator, spec.level)
        if row is None:
            continue
        predicate = tuple(p.replace("{label}", label) for p in spec.predicate)
        comparison = None
        if ctx.sector:  # kept for the index page; the sentence quotes no untested gap
            all_row = ctx.row(indicator, spec.level, "all")
            comparison = number_or_none(all_row["estimate"]) if all_row is not None else None
        sentence = tx.key_figure_sentence(
            predicate,  # type: ignore[arg-type]
            estimate=row["estimate"],
            ci_low=row["ci_low"],
            ci_high=row["ci_high"],
            n=row["n"],
            flag=row["flag"],
            population=ctx.population(),
            language=ctx.language,
            thresholds=ctx.thresholds,
            cell=cell_key(row),
        )
        tested = ctx.contrast_row(indicator, spec.level) if ctx.sector else None
        phrase = contrast_phrase(tested, language=ctx.language) if tested is not None else ""
        if phrase and sentence.endswith("."):
            sentence = f"{sentence[:-1]}, {phrase}."
        out.append(
            KeyFigure(
                indicator=indicator,
                level=spec.level,
                domain=ctx.domain,
                value=number_or_none(row["estimate"]),
                ci_low=number_or_none(row["ci_low"]),
                ci_high=number_or_none(row["ci_high"]),
                n=int(row["n"]),
                flag=str(row["flag"]),
                sentence=sentence,
                comparison=comparison,
            )
        )
    return out


def key_label(ctx: ReportContext, indicator: str, level: str) -> str | None:
    """The short label of a key indicator (« Outil d'IA générative déployé »), ``None`` for
    another indicator."""
    for name, lev, fr, en in KEY_INDICATORS:
        if name == indicator and lev == level:
            return ctx.pick(fr, en)
    return None


def key_indicator_specs(ctx: ReportContext) -> list[tuple[str, str, str]]:
    """(label, indicator, level) of the key indicators present in the indicators table."""
    out = []
    for indicator, level, fr, en in KEY_INDICATORS:
        if ctx.row(indicator, level, "all") is not None and ctx.is_asked(indicator):
            out.append((ctx.pick(fr, en), indicator, level))
    return out
