"""Which questions of the pilot-training questionnaire were asked, and which parts of the
training report speak of them.

A partner's pilot may ask only some questions of ``formation.yaml``. A question is *asked*
when at least one participant answered it at some wave (a ``VAR__ITEM`` column counts for its
matrix question); a part of the report (a table, a chart, a section) appears only when its
questions were asked (:data:`TRAINING_QUESTIONS`), and the methodology annex lists the
questions not asked, as :mod:`iaobs.reports.questions` does for the sector reports. The
functions take the training context (anything with ``formation``, ``training`` and ``pick``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "SECTION_QUESTIONS",
    "TESTED",
    "TRAINING_QUESTIONS",
    "answered",
    "asked",
    "is_asked",
    "not_asked_sentence",
    "question_of",
    "shows",
]

#: the answers compared between waves (paired tables)
TESTED = (
    "auto_eval",
    "score_quiz",
    "freq_usage_ia",
    "opinion_confiance",
    "opinion_inquietude",
    "opinion_utilite",
)
_BY_GROUP = ("score_quiz", "auto_eval")  # the results compared by profile

#: The questions behind each part of the training report (a table or a chart, by key): a part
#: is shown when one of its questions was asked. A part given as groups of questions needs one
#: question of each group (a profile: its characteristic and a result compared).
TRAINING_QUESTIONS: dict[str, tuple[str, ...] | tuple[tuple[str, ...], ...]] = {
    "attrition_famille": ("famille_metier",),
    "attrition_secteur": ("secteur",),
    "apparie_t1": TESTED,
    "apparie_t2": TESTED,
    "chart_confidence": ("auto_eval",),
    "chart_quiz": ("score_quiz",),
    "oui_non": ("freq_usage_ia", "certification"),
    "chart_satisfaction": ("satisfaction",),
    "satisfaction": ("satisfaction",),
    "intention": ("intention_application",),
    "recommandation": ("recommandation",),
    "temps_gagne": ("temps_gagne_hebdo",),
    "profil_secteur": (("secteur",), _BY_GROUP),
    "profil_famille_metier": (("famille_metier",), _BY_GROUP),
    "profil_statut": (("statut",), _BY_GROUP),
}
#: The questions behind each section and subsection (keys of ``TRAINING_SECTIONS``).
SECTION_QUESTIONS: dict[str, tuple[str, ...] | tuple[tuple[str, ...], ...]] = {
    "progres": (*TESTED, "certification"),
    "aisance": TESTED,
    "usages": ("freq_usage_ia", "certification"),
    "satisfaction": ("satisfaction", "intention_application", "recommandation"),
    "trois_mois": ("temps_gagne_hebdo",),
    "profils": (("secteur", "famille_metier", "statut"), _BY_GROUP),
}
#: the derived columns of the results, and the question each comes from
_DERIVED = {
    "auto_eval_moyenne": "auto_eval",
    "usage_hebdo": "freq_usage_ia",
    "certification_oui": "certification",
}
_REPORTED = frozenset(
    name
    for names in TRAINING_QUESTIONS.values()
    for group in names
    for name in ((group,) if isinstance(group, str) else group)
)


def question_of(column: str) -> str:
    """The question a column of the results comes from (``auto_eval__x`` → ``auto_eval``)."""
    return _DERIVED.get(column, column.split("__", 1)[0])


def answered(formation: pd.DataFrame) -> frozenset[str] | None:
    """The questions answered by at least one participant at some wave (columns and their
    variables); ``None`` when there is no answer at all (then everything is shown)."""
    if formation.empty:
        return None
    names = {
        str(column)
        for column in formation.columns
        if formation[column].astype("string").str.strip().replace("", pd.NA).notna().any()
    }
    return frozenset(names | {n.split("__", 1)[0] for n in names})


def asked(ctx: Any) -> frozenset[str] | None:
    """The questions the pilot asked (see :func:`answered`), computed once per context."""
    cached = ctx.__dict__.get("_training_asked", False)
    if cached is not False:
        return cached
    result = answered(ctx.formation)
    ctx.__dict__["_training_asked"] = result
    return result


def is_asked(ctx: Any, *names: str) -> bool:
    """Whether any of ``names`` (variables, ``VAR__ITEM`` or derived columns) was asked."""
    known = asked(ctx)
    return known is None or any(question_of(n) in known for n in names)


def shows(ctx: Any, key: str, *, section: bool = False) -> bool:
    """Whether the part ``key`` of the training report (a table, a chart, or with ``section``
    a section) has a question that was asked."""
    names = (SECTION_QUESTIONS if section else TRAINING_QUESTIONS).get(key)
    if names is None:
        return True
    if all(isinstance(group, tuple) for group in names):
        return all(is_asked(ctx, *group) for group in names)  # type: ignore[arg-type]
    return is_asked(ctx, *names)  # type: ignore[arg-type]


def not_asked_sentence(ctx: Any) -> str:
    """The annex's sentence listing the questions of the questionnaire the pilot did not ask
    (empty when all were)."""
    known = asked(ctx)
    if known is None:
        return ""
    names = [
        v.label.get(ctx.language)
        for v in ctx.training
        if v.name in _REPORTED and v.name not in known
    ]
    if not names:
        return ""
    return (
        ctx.pick(
            "Questions du questionnaire d'évaluation que cette formation n'a pas posées "
            "(le rapport n'en dit donc rien) : ",
            "Questions of the assessment questionnaire this training did not ask (the report "
            "therefore says nothing about them): ",
        )
        + ctx.pick(" ; ", "; ").join(names)
        + "."
    )
