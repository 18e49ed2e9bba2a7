"""Which questions the survey asked, and which parts of a report speak of them.

A partner's survey may ask only some questions of the reference questionnaire. A question is
*asked* when its indicators have at least one respondent somewhere in the indicators table;
a part of a report (a table, a subsection, a section) appears only when one of its questions
was asked (:data:`QUESTIONS`, :data:`SECTION_QUESTIONS`), and the methodology annex lists the
questions not asked. The functions take a report context (anything with ``indicators``,
``dictionary`` and ``label``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "QUESTIONS",
    "SECTION_QUESTIONS",
    "asked",
    "is_asked",
    "not_asked",
    "not_asked_sentence",
    "shows",
]

OPINIONS = ("opinion_opportunite", "opinion_menace_emploi", "maturite_donnees")

#: The questions behind each part of a report (a table or a subsection, by key): a part whose
#: questions were all not asked by the survey is left out — heading, chart, table, sentence.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "stade": ("ia_stade",),
    "technologies": ("techno",),
    "fonctions": ("usages",),
    "generative": ("ia_generative",),
    "taille": ("ia_usage",),
    "effectifs": ("impact_effectifs",),
    "familles": ("impact_famille",),
    "taches": ("taches_automatisables",),
    "nouveaux_metiers": ("nouveaux_metiers", "difficulte_recrutement"),
    "recrutement": ("difficulte_recrutement",),
    "besoins": ("besoin_comp",),
    "besoins_taille": ("besoin_comp",),
    "prioritaire": ("competence_prioritaire",),
    "formes": ("part_formes_ia",),
    "publics": ("publics_prioritaires",),
    "formats": ("formats_formation", "duree_formation"),
    "duree": ("duree_formation",),
    "financement": ("financement",),
    "freins": ("freins",),
    "liste_freins": ("freins",),
    "opinions": OPINIONS,
    "classement_usage": ("ia_usage",),
    "classement_generative": ("ia_generative",),
    "classement_opportunite": ("opinion_opportunite",),
    "classement_formes": ("part_formes_ia",),
}
#: The questions behind each section (``<h2>``) of a report.
SECTION_QUESTIONS: dict[str, tuple[str, ...]] = {
    "adoption": ("ia_stade", "techno", "usages", "ia_generative", "ia_usage"),
    "emploi": (
        "impact_effectifs",
        "impact_famille",
        "taches_automatisables",
        "nouveaux_metiers",
        "difficulte_recrutement",
    ),
    "competences": ("besoin_comp", "competence_prioritaire"),
    "formation": ("part_formes_ia", "publics_prioritaires", "formats_formation", "financement"),
    "freins": ("freins", *OPINIONS),
}
_REPORTED = frozenset(name for names in QUESTIONS.values() for name in names)


def asked(ctx: Any) -> frozenset[str] | None:
    """The questions the survey asked: variables (and their columns) with at least one
    respondent somewhere in the indicators table; ``None`` when the table is empty (then
    everything is shown). Computed once per context."""
    cached = ctx.__dict__.get("_asked", False)
    if cached is not False:
        return cached
    ind = ctx.indicators
    result: frozenset[str] | None = None
    if not ind.empty and "n" in ind and "indicator" in ind:
        answered = ind.loc[pd.to_numeric(ind["n"], errors="coerce").fillna(0) > 0, "indicator"]
        names = {str(i) for i in answered.unique()}
        result = frozenset(names | {n.split("__", 1)[0] for n in names})
    ctx.__dict__["_asked"] = result
    return result


def is_asked(ctx: Any, *names: str) -> bool:
    """Whether any of ``names`` (variables or ``VAR__ITEM`` columns) was asked."""
    known = asked(ctx)
    return known is None or any(n in known for n in names)


def shows(ctx: Any, key: str, *, section: bool = False) -> bool:
    """Whether the part ``key`` of a report (a table, a subsection, or with ``section`` a
    section) has a question that was asked."""
    names = (SECTION_QUESTIONS if section else QUESTIONS).get(key)
    return names is None or is_asked(ctx, *names)


def not_asked(ctx: Any) -> list[str]:
    """Labels of the questions of the reference questionnaire the survey did not ask."""
    known = asked(ctx)
    if known is None:
        return []
    return [
        ctx.label(v.name) for v in ctx.dictionary if v.name in _REPORTED and v.name not in known
    ]


def not_asked_sentence(ctx: Any) -> str:
    """The annex's sentence listing the questions not asked (empty when all were)."""
    names = not_asked(ctx)
    if not names:
        return ""
    return (
        ctx.pick(
            "Questions du questionnaire de référence que cette enquête n'a pas posées "
            "(le rapport n'en dit donc rien) : ",
            "Questions of the reference questionnaire this survey did not ask (the report "
            "therefore says nothing about them): ",
        )
        + ctx.pick(" ; ", "; ").join(names)
        + "."
    )
