"""Words of the reports that the questionnaire does not hold: bases of filtered questions and
labels written for readers.

Some questions were asked only of part of the companies (the functions using AI only of
companies that use AI). A share of such a question is a share *among* those companies, and
every sentence, Lecture and Champ line about it says so (:func:`base_clause`).
"""

from __future__ import annotations

__all__ = ["BASES", "READER_LABELS", "base_clause", "champ_clause", "reader_label"]

_AI_USERS = ("qui utilisent l'IA", "that use AI")

#: variable -> who was asked (a relative clause following "des entreprises …"), (fr, en)
BASES: dict[str, tuple[str, str]] = {
    "usages": _AI_USERS,
    "mode_acquisition": _AI_USERS,
    "budget_ia": _AI_USERS,
    "difficulte_recrutement": (
        "qui recrutent ou cherchent à recruter des profils d'IA ou de données",
        "that hire or seek to hire AI or data profiles",
    ),
}

#: labels of the questionnaire that do not read well alone in a report, (fr, en)
READER_LABELS: dict[str, tuple[str, str]] = {
    "difficulte_recrutement": (
        "Difficultés à recruter des profils d'IA ou de données",
        "Difficulty hiring AI or data profiles",
    ),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def base_clause(variable: str, language: str = "fr") -> str:
    """`` qui utilisent l'IA`` for a filtered question (leading space), ``""`` otherwise."""
    name = variable.split("__", 1)[0]
    return " " + _pick(BASES[name], language) if name in BASES else ""


def champ_clause(variable: str, language: str = "fr") -> str:
    """The Champ line's restriction: ``, qui utilisent l'IA`` (``""`` for a question asked of
    every company)."""
    clause = base_clause(variable, language)
    return "," + clause if clause else ""


def reader_label(variable: str, label: str, language: str = "fr") -> str:
    """The label a reader sees for a variable: :data:`READER_LABELS` or the dictionary's."""
    name = variable.split("__", 1)[0]
    if variable == name and name in READER_LABELS:
        return _pick(READER_LABELS[name], language)
    return label
