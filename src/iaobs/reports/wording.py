"""Words of the reports that the questionnaire does not hold: bases of filtered questions and
labels written for readers.

Some questions were asked only of part of the companies (the functions using AI only of
companies that use AI). A share of such a question is a share *among* those companies, and
every sentence, Lecture and Champ line about it says so (:func:`base_clause`).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BASES",
    "READER_LABELS",
    "RULE_LABELS_EN",
    "RULE_LABELS_FR",
    "base_clause",
    "champ_clause",
    "reader_label",
    "rule_label",
]

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


#: English names of the cleaning and checking rules (the codes are the study's vocabulary)
RULE_LABELS_EN: dict[str, str] = {
    "case_cochee_vers_1": "ticked box to 1",
    "case_vers_0": "empty box to 0",
    "code_inconnu": "unknown code",
    "date_improbable": "unlikely date",
    "date_invalide": "invalid date",
    "date_serie_excel": "Excel serial date",
    "date_texte": "date written as text",
    "departement_zero": "département leading zero",
    "doublon": "duplicate",
    "espace_milliers": "thousands separator",
    "fichier_illisible": "unreadable file",
    "hors_plage": "out of range",
    "hors_vague": "not asked at this wave",
    "id_duplique": "duplicate identifier",
    "libelle_vers_code": "label to code",
    "ligne_sans_reponse": "row without answers",
    "multi_contradictoire": "contradictory choices",
    "multi_une_cellule": "choices in one cell",
    "naf_invalide": "invalid NAF code",
    "naf_normalise": "NAF code normalised",
    "naf_secteur_incoherent": "NAF code and sector disagree",
    "nsp_normalise": "don't know normalised",
    "obligatoire_manquant": "required answer missing",
    "reponse_incomplete": "incomplete response",
    "secteur_depuis_source": "sector from the source",
    "taille_depuis_effectif": "size from headcount",
    "taille_depuis_tranche": "size from headcount band",
    "tranche_effectif": "headcount band",
    "valeur_incoherente": "inconsistent value",
    "virgule_decimale": "decimal comma",
}


#: French names of the rules, as a reader of the quality report sees them
RULE_LABELS_FR: dict[str, str] = {
    "case_cochee_vers_1": "case cochée lue comme 1",
    "case_vers_0": "case vide lue comme 0",
    "code_inconnu": "code inconnu",
    "date_improbable": "date improbable",
    "date_invalide": "date invalide",
    "date_serie_excel": "date au format numérique d'Excel",
    "date_texte": "date écrite en texte",
    "departement_zero": "zéro initial du département",
    "doublon": "doublon",
    "espace_milliers": "séparateur de milliers",
    "fichier_illisible": "fichier illisible",
    "hors_plage": "valeur hors plage",
    "hors_vague": "question absente de cette vague",
    "id_duplique": "identifiant en double",
    "libelle_vers_code": "libellé remplacé par son code",
    "ligne_sans_reponse": "ligne sans réponse",
    "multi_contradictoire": "choix contradictoires",
    "multi_une_cellule": "plusieurs choix dans une cellule",
    "naf_invalide": "code NAF invalide",
    "naf_normalise": "code NAF remis en forme",
    "naf_secteur_incoherent": "code NAF et secteur discordants",
    "nsp_normalise": "« ne sait pas » uniformisé",
    "obligatoire_manquant": "réponse obligatoire manquante",
    "reponse_incomplete": "réponse incomplète",
    "secteur_depuis_source": "secteur repris du fichier",
    "taille_depuis_effectif": "taille déduite de l'effectif",
    "taille_depuis_tranche": "taille déduite de la tranche d'effectif",
    "tranche_effectif": "tranche d'effectif",
    "valeur_incoherente": "valeur incohérente",
    "virgule_decimale": "virgule décimale",
}


def rule_label(ctx: Any, rule: str) -> str:
    """A rule as the report's reader sees it: its name in the report's language, never its
    code (``libelle_vers_code`` → « libellé remplacé par son code »)."""
    code, sep, rest = rule.partition(" (")
    names = RULE_LABELS_EN if ctx.language == "en" else RULE_LABELS_FR
    name = names.get(code, code.replace("_", " "))
    if sep:
        rest = " ".join(
            names.get(word.strip("(),"), word.replace("_", " ")) for word in rest.split(" ")
        )
        return f"{name} ({rest}"
    return name
