"""``iaobs map suggest``: a draft mapping file a partner only completes where it says so.

:func:`suggest_mapping` matches an export's headers to the dictionary (its names, its French
and English labels, and the words of :data:`HEADER_WORDS` in French, English and German;
accent- and case-insensitive, fuzzy), proposes a value table for the coded columns it mapped
(never for a column it did not map), and writes ``null  # À COMPLÉTER`` where the partner
has to decide. Every key is written as a double-quoted YAML scalar (:func:`yaml_key`), so the
draft always loads, whatever the length or the characters of the headers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from iaobs.core.atomic import write_text
from iaobs.core.typography import plural
from iaobs.ingest.headers import header_key
from iaobs.ingest.profiles import PROFILE_MODULES, detect_profile, map_columns, read_for_profile
from iaobs.ingest.profiles.engine import (
    PartnerColumn,
    header_columns,
    is_blank,
    known_labels,
    split_multi_cell,
)
from iaobs.ingest.profiles.mapping import TO_COMPLETE
from iaobs.ingest.table import RawTable
from iaobs.prepare.values import NONE_WORDS, NSP_WORDS, recode_value
from iaobs.study.dictionary import Dictionary, Variable, normalise_text

__all__ = ["suggest_mapping", "write_mapping_suggestion", "yaml_key"]

#: Fuzzy score (0-100) from which a header is proposed as the match of a variable (the mean
#: of rapidfuzz's token_set_ratio and ratio on folded labels).
SUGGEST_THRESHOLD = 70
#: Fuzzy score from which an answer label is proposed as the match of a code.
VALUE_THRESHOLD = 85


def _choices_index(dictionary: Dictionary) -> list[tuple[str, str]]:
    """(folded label, dictionary target) for every variable answered by a respondent."""
    out: list[tuple[str, str]] = []
    for var in dictionary:
        if var.derived and var.type != "bool":
            continue  # a derived 0/1 (ia_usage) may also be asked as a yes/no question
        for label in dict.fromkeys((var.label.fr, var.label.en, var.name)):
            out.append((header_key(label), var.name))
    return out


def _fuzzy(texts: Iterable[str], choices: Sequence[tuple[str, str]]) -> tuple[str | None, float]:
    """Best dictionary target for any of ``texts`` and its score (0-100)."""
    from rapidfuzz import fuzz, process

    best: tuple[str | None, float] = (None, 0.0)
    keys = [c[0] for c in choices]
    for text in texts:
        key = header_key(text)
        if not key or not keys:
            continue
        # the mean of two scorers: token_set alone gives 100 to any label contained in the
        # question, ratio alone punishes a longer wording of the same question
        match = process.extractOne(
            key, keys, scorer=lambda a, b, **_: (fuzz.token_set_ratio(a, b) + fuzz.ratio(a, b)) / 2
        )
        if match is not None and match[1] > best[1]:
            best = (choices[match[2]][1], float(match[1]))
    return best


def _fuzzy_option(var: Variable, text: str) -> tuple[str | None, float]:
    choices = [
        (header_key(t), code)
        for code, label in {**var.options, **var.items}.items()
        for t in (label.fr, label.en, code)
    ]
    target, score = _fuzzy([text], choices)
    return target, score


def _band_size(text: str, dictionary: Dictionary) -> str | None:
    """The size class of a headcount band written as text (``10 à 249 salariés``)."""
    key = normalise_text(text)
    key = re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", key)
    numbers = [int(n) for n in re.findall(r"\d+", key)]
    if not numbers or len(numbers) > 2:
        return None
    if len(numbers) == 2:
        low, high = numbers
    elif re.search(r"moins|less|under|<", key):
        low, high = 0, numbers[0] - 1
    elif re.search(r"plus|more|over|\+|>", key):
        low, high = numbers[0] + (1 if re.search(r"plus de|more than|over|>", key) else 0), None
    else:
        return None
    classes = _band_classes(low, high, dictionary)
    return classes[0] if len(classes) == 1 else None


def _band_classes(low: int, high: int | None, dictionary: Dictionary) -> list[str]:
    """The size classes a headcount band overlaps (two or more: it straddles a limit)."""
    out = []
    for size in dictionary.size_classes.values():
        if size.code not in dictionary["taille"].codes:
            continue
        above_min = high is None or high >= size.min
        below_max = size.max is None or low <= size.max
        if above_min and below_max:
            out.append(size.code)
    return out


def _straddled(text: str, dictionary: Dictionary) -> list[str]:
    """The classes a band written as text straddles (``201 à 500`` → pme, eti), else []."""
    numbers = [int(n) for n in re.findall(r"\d+", re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", text))]
    if len(numbers) != 2:
        return []
    classes = _band_classes(numbers[0], numbers[1], dictionary)
    return classes if len(classes) > 1 else []


def _value_suggestions(
    var: Variable, answers: Iterable[str], dictionary: Dictionary
) -> tuple[dict[str, str | None], dict[str, tuple[str, float]]]:
    """Partner answer → code for the answers the cleaner would not understand on its own."""
    from rapidfuzz import fuzz, process

    codes = var.options if var.type == "multi" else var.all_codes
    known = known_labels(var, {}) if var.type == "multi" else {}
    labels = [(normalise_text(t), code) for code, lab in codes.items() for t in (lab.fr, lab.en)]
    out: dict[str, str | None] = {}
    guesses: dict[str, tuple[str, float]] = {}
    for answer in answers:
        if answer in out:
            continue
        if var.type == "multi":
            key = normalise_text(answer)
            if key in known or key in NONE_WORDS or key in NSP_WORDS:
                continue
        elif recode_value(answer, var)[0] is not None:
            continue
        if var.name == "taille":
            size = _band_size(answer, dictionary)
            if size is not None:
                out[answer] = size
                continue
            straddled = _straddled(answer, dictionary)
            if straddled:  # the partner decides (the class holding most of its firms)
                out[answer] = None
                guesses[answer] = (
                    " ou ".join(straddled) + " : la tranche chevauche deux classes",
                    -1,
                )
                continue
        best = process.extractOne(
            normalise_text(answer), [k for k, _ in labels], scorer=fuzz.WRatio
        )
        if (
            best is not None
            and best[1] >= VALUE_THRESHOLD
            and _share_a_word(normalise_text(answer), labels[best[2]][0])
        ):
            out[answer] = labels[best[2]][1]
        else:
            out[answer] = None
            if best is not None:
                guesses[answer] = (labels[best[2]][1], float(best[1]))
    return out, guesses


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", header_key(text)) if len(w) >= 4}


def _share_a_word(answer: str, label: str) -> bool:
    """Whether an answer and a label share a word (its first five letters): a fuzzy score
    alone matches « Agriculture, sylviculture et pêche » to « Logiciel et numérique »."""
    return bool(_stems(answer) & _stems(label))


def _distinct_answers(series: pd.Series, limit: int = 60) -> list[str]:
    values = [str(v).strip() for v in series.dropna().unique() if not is_blank(v)]
    return values[:limit]


def yaml_key(text: str) -> str:
    """``text`` as a double-quoted YAML scalar on one line, usable as a mapping key.

    A plain ``yaml.dump`` writes a key longer than 128 characters as a complex key
    (``? key`` then ``: value``), which a hand-written ``key: value`` line cannot follow;
    a double-quoted scalar has no length limit and escapes every character YAML would
    misread (line breaks, ``#``, ``:``, quotes, control characters).
    """
    dumped = yaml.safe_dump(
        str(text), default_style='"', allow_unicode=True, width=float("inf"), explicit_end=False
    )
    return dumped.rstrip("\n").removesuffix("\n...").rstrip("\n")


#: Words of a header (folded by :func:`header_key`, French, English and German) that name a
#: variable whatever the wording of the question around them; a header holding the words
#: of one variable only is proposed as that variable.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "secteur": (
        "secteur", "secteur d activite", "sector", "industry sector", "business sector",
        "industry", "branche", "wirtschaftszweig", "wirtschaftsbereich", "tatigkeitsbereich",
    ),
    "taille": (
        "taille", "tranche d effectif", "nombre de salaries", "size", "company size",
        "number of employees", "employees", "headcount", "mitarbeiter", "mitarbeitende",
        "beschaftigte", "anzahl der beschaftigten", "unternehmensgro",
    ),
    "departement": ("departement", "department", "county"),
    "naf_code": ("code naf", "code ape", "nace", "naf code", "wz code"),
    "ia_stade": (
        "stade d adoption", "adoption stage", "stage of adoption", "stand der einfuhrung",
        "einfuhrungsstand",
    ),
    "ia_generative": (
        "ia generative", "generative ai", "genai", "generative ki", "chatgpt",
    ),
    "commentaire": ("commentaire", "comment", "comments", "remarks", "kommentar", "anmerkungen"),
    "freins": ("freins", "barriers", "obstacles", "hindernisse", "hurden"),
    "techno": ("technologies d ia", "ai technologies", "ki technologien"),
}  # fmt: skip
#: Score given to a header proposed from :data:`HEADER_WORDS`.
WORD_SCORE = 90.0


def _word_target(texts: Iterable[str], dictionary: Dictionary) -> str | None:
    """The one variable whose :data:`HEADER_WORDS` appear in a header, else ``None``."""
    hits: set[str] = set()
    for text in texts:
        key = f" {header_key(text)} "
        for name, words in HEADER_WORDS.items():
            if name in dictionary and any(f" {w} " in key or f" {w}" in key for w in words):
                hits.add(name)
    return next(iter(hits)) if len(hits) == 1 else None


def _numeric_share(series: pd.Series) -> float:
    values = [str(v).strip() for v in series.dropna().head(200) if not is_blank(v)]
    if not values:
        return 0.0
    return sum(bool(re.fullmatch(r"[\d\s.,\u202f\u00a0]+", v)) for v in values) / len(values)


def _suggest_column(
    column: PartnerColumn,
    dictionary: Dictionary,
    choices: Sequence[tuple[str, str]],
    values: pd.Series | None = None,
) -> tuple[str | None, float, str | None]:
    """(target, score, best guess) for a column the profile did not recognise."""
    texts = [k for k in column.keys if k]
    if column.parts:
        best: tuple[str | None, float, str | None] = (None, 0.0, None)
        multi = [(k, t) for k, t in choices if dictionary[t].type in ("multi", "matrix")]
        for question, option in column.parts:
            var_name, q_score = _fuzzy([question], multi)
            if var_name is None:
                continue
            code, o_score = _fuzzy_option(dictionary[var_name], option)
            if code is None:
                continue
            score = min(q_score, o_score)
            if score > best[1]:
                best = (f"{var_name}__{code}", score, f"{var_name}__{code}")
        if best[0] is not None and best[1] >= SUGGEST_THRESHOLD:
            return best
    target, score = _fuzzy(texts, choices)
    if score < SUGGEST_THRESHOLD:
        word = _word_target(texts, dictionary)
        if word is not None:
            if word == "taille" and values is not None and _numeric_share(values) > 0.8:
                word = "effectif" if "effectif" in dictionary else word
            return word, WORD_SCORE, word
    return target, score, target


def _hint(guess: tuple[str, float] | None) -> str:
    if guess is None or guess[0] is None:
        return "aucune proposition"
    if guess[1] < 0:
        return guess[0]
    return f"meilleure proposition : {guess[0]}, score {guess[1]:.0f}"


def _header_lines(raw: RawTable, profile: str) -> list[str]:
    where = " ".join(str(raw.file.name).split()) + (
        f" (feuille « {' '.join(raw.sheet.split())} »)" if raw.sheet else ""
    )
    return [
        "# Fichier de correspondance proposé par « iaobs map suggest » pour",
        f"#   {where}",
        "# Complétez chaque ligne marquée « À COMPLÉTER » : remplacez null par une colonne du",
        "# dictionnaire (ex. secteur, techno__analyse_texte) ou par ignore ; pour une réponse,",
        "# par un code (ex. banque), ou par hors_champ pour un secteur hors du champ de",
        "# l'étude. Vérifiez les propositions, puis contrôlez le tout avec « iaobs validate ».",
        "# Les colonnes techniques de l'outil sont traitées par le profil et n'ont pas à",
        "# figurer ici. Ne modifiez jamais l'export lui-même.",
        f"profile: {profile}",
        "columns:",
    ]


def _column_lines(
    raw: RawTable, described: list[PartnerColumn], mapped: Any, dictionary: Dictionary
) -> tuple[list[str], dict[str, str], int]:
    """The ``columns:`` entries, the columns mapped (→ target) and how many are to complete."""
    choices = _choices_index(dictionary)
    lines: list[str] = []
    targets: dict[str, str] = {}
    todo = 0
    used: set[str] = set(mapped.renamed.values())
    for column in described:
        name = column.name
        if name in mapped.renamed:
            targets[name] = mapped.renamed[name]
            lines.append(f"  {yaml_key(name)}: {targets[name]}")
            continue
        if name in mapped.ignored or name not in mapped.unmapped:
            continue
        values = raw.frame.get(name)
        best, score, guess = _suggest_column(column, dictionary, choices, values)
        if best is not None and score >= SUGGEST_THRESHOLD and best not in used:
            used.add(best)
            targets[name] = best
            lines.append(f"  {yaml_key(name)}: {best}  # proposé (score {score:.0f}) : à vérifier")
            continue
        todo += 1
        hint = _hint((guess, score) if guess is not None else None)
        lines.append(
            f"  {yaml_key(name)}: null  # {TO_COMPLETE} : aucune variable reconnue ({hint})"
        )
    return lines, targets, todo


def _answers_to_map(
    raw: RawTable, targets: dict[str, str], dictionary: Dictionary, separators: str
) -> dict[str, list[str]]:
    """Variable → the distinct answers of the columns mapped to it (mapped columns only)."""
    per_variable: dict[str, list[str]] = defaultdict(list)
    for name, target in targets.items():
        base = target.split("__", 1)[0]
        if base not in dictionary or name not in raw.frame:
            continue
        var = dictionary[base]
        if "__" in target and var.type == "multi":
            continue  # ticked boxes: Y / Oui / the option's label
        if not (var.is_coded or var.type == "multi") or var.type == "matrix":
            continue
        answers = _distinct_answers(raw.frame[name])
        if var.type == "multi":
            known = known_labels(var, {})
            tokens: list[str] = []
            for answer in answers:
                codes = split_multi_cell(answer, known, separators)
                tokens.extend(c for c in codes if c not in var.options)
            answers = list(dict.fromkeys(tokens))
        per_variable[var.name].extend(a for a in answers if a not in per_variable[var.name])
    return per_variable


def _value_lines(
    per_variable: dict[str, list[str]], dictionary: Dictionary
) -> tuple[list[str], int]:
    lines: list[str] = []
    todo = 0
    for name, answers in per_variable.items():
        suggestions, guesses = _value_suggestions(dictionary[name], answers, dictionary)
        if not suggestions:
            continue
        lines.append(f"  {name}:")
        for answer, code in suggestions.items():
            if code is not None:
                lines.append(f"    {yaml_key(answer)}: {code}  # proposé : à vérifier")
                continue
            todo += 1
            extra = " ; ou hors_champ" if name == "secteur" else ""
            lines.append(
                f"    {yaml_key(answer)}: null  # {TO_COMPLETE} : réponse non reconnue "
                f"({_hint(guesses.get(answer))}{extra})"
            )
    return lines, todo


def suggest_mapping(
    raw: RawTable,
    dictionary: Dictionary,
    *,
    profile: str | None = None,
) -> str:
    """Draft a mapping file (YAML text, French comments) for an export.

    Headers are matched to the dictionary exactly as the tool's profile would, then fuzzily
    (rapidfuzz, on labels folded without accents, case or punctuation; a proposal needs a
    score of :data:`SUGGEST_THRESHOLD`), then by the words of :data:`HEADER_WORDS`; a
    ``Question [Option]`` column is matched to a multi question, then to one of its options.
    For the coded variables of the columns it mapped (and those only), the distinct answers
    the cleaner would not understand get a value mapping (size bands are read as headcounts,
    other answers matched fuzzily from :data:`VALUE_THRESHOLD`). What is not matched is
    written ``null`` with a ``# À COMPLÉTER`` comment giving the best proposal and its score.

    Parameters
    ----------
    raw
        The export as read by :func:`iaobs.ingest.profiles.read_for_profile`.
    dictionary
        The questionnaire.
    profile
        The survey tool; detected from the columns when ``None``.

    Returns
    -------
    str
        The draft, ready to be written next to the export and completed; it always loads.
    """
    profile = profile or detect_profile(raw, dictionary)
    mapped = map_columns(raw, dictionary, profile=profile)
    module = PROFILE_MODULES[profile]
    describe = getattr(module, "describe_columns", None)
    described: list[PartnerColumn] = (
        describe(raw) if describe is not None else header_columns(raw.columns)
    )
    separators = getattr(module, "SEPARATORS", ";,|")
    lines = _header_lines(raw, profile)
    column_lines, targets, todo = _column_lines(raw, described, mapped, dictionary)
    lines.extend(column_lines)
    per_variable = _answers_to_map(raw, targets, dictionary, separators)
    value_lines, value_todo = _value_lines(per_variable, dictionary)
    lines.extend(["values:", *value_lines] if value_lines else ["values: {}"])
    if profile == "limesurvey":
        lines.append("reponses_incompletes: rejeter  # ou : garder")
    lines.insert(8, f"# {plural(todo + value_todo, 'entrée')} à compléter.")
    return "\n".join(lines) + "\n"


def write_mapping_suggestion(
    source: str | Path,
    output: str | Path,
    dictionary: Dictionary,
    *,
    profile: str | None = None,
    sheet: str | None = None,
    max_file_mb: float = 200.0,
) -> tuple[Path, str, int]:
    """Read an export, draft its mapping file and write it atomically.

    Returns
    -------
    tuple
        The path written, the profile used, and the number of entries to complete.
    """
    if profile is None:
        probe = read_for_profile(
            source, "template-generic", dictionary, sheet=sheet, max_file_mb=max_file_mb
        )
        profile = detect_profile(probe, dictionary)
    raw = read_for_profile(source, profile, dictionary, sheet=sheet, max_file_mb=max_file_mb)
    text = suggest_mapping(raw, dictionary, profile=profile)
    todo = sum(1 for line in text.splitlines() if TO_COMPLETE in line and not line.startswith("#"))
    path = write_text(Path(output), text)
    return path, profile, todo
