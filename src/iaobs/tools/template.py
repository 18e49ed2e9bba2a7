"""The Excel input template that partners fill in (``iaobs template``).

The workbook has four sheets:

* **Réponses** (*Responses*): one row per company. Row 1 holds the numbered questions
  (``Q7 · Stade d'adoption de l'IA``) for people; row 2 holds the column names
  (``ia_stade``, ``techno__analyse_texte``…) that the reader recognises. The numbered labels
  deliberately do not match any dictionary header, so that the reader's header detection picks
  the names row. Every answer column carries a data validation: drop-down list of labels for
  coded questions (lists kept on a hidden *Listes* sheet), Oui/Non for the options of a
  multiple-choice question, whole numbers within bounds, dates; and an input message that
  repeats the question when a cell is selected.
* **Dictionnaire** (*Data dictionary*): every variable with its labels, type, codes, missing
  codes, note and privacy level.
* **Consignes** (*Instructions*): how to fill in and send the file.
* **Listes** (hidden): the drop-down lists.

The derived variable ``ia_usage`` is computed at cleaning and has no column.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from iaobs.core.atomic import atomic_path
from iaobs.study.dictionary import Dictionary, Variable

__all__ = ["DATA_ROWS", "template_columns", "write_template"]

#: Rows prepared with validations below the header (one per company).
DATA_ROWS = 2000
LABEL_ROW = 0  # 0-based: numbered questions
HEADER_ROW = 1  # 0-based: column names (row 2 in Excel)
CREATED = datetime(2019, 1, 1)  # fixed: the same dictionary gives the same file

TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "responses": "Réponses",
        "dictionary": "Dictionnaire",
        "instructions_sheet": "Consignes",
        "lists": "Listes",
        "yes_no": ("Oui", "Non"),
        "date_format": "dd/mm/yyyy",
        "dict_header": (
            "N°",
            "Variable",
            "Colonnes",
            "Libellé (français)",
            "Libellé (anglais)",
            "Type",
            "Codes et libellés",
            "Codes de non-réponse",
            "Note",
            "Confidentialité",
        ),
        "types": {
            "id": "identifiant",
            "text": "texte",
            "date": "date",
            "int": "nombre entier",
            "float": "nombre",
            "cat": "choix unique",
            "ord": "choix unique (échelle ordonnée)",
            "multi": "choix multiple (une colonne par réponse, Oui/Non)",
            "matrix": "tableau (une colonne par ligne du tableau)",
            "bool": "oui/non",
        },
        "privacy": {
            "public": "publique",
            "confidential": "confidentielle : supprimée au nettoyage, jamais publiée",
            "free_text": "texte libre : conservé, jamais imprimé dans un rapport",
        },
        "derived": "calculée au nettoyage : pas de colonne à remplir",
        "pick": "Choisir dans la liste.",
        "pick_flag": "Oui si la réponse s'applique, Non sinon ; laisser vide si la question n'a pas été posée.",
        "int": "Nombre entier",
        "float": "Nombre (virgule décimale acceptée)",
        "date": "Date (jj/mm/aaaa)",
        "text": "Texte libre",
        "id": "Identifiant (texte)",
        "confidential": " Donnée confidentielle : sert au repérage des doublons, supprimée au nettoyage.",
        "between": "entre {low} et {high}",
        "at_least": "au moins {low}",
        "error_title": "Valeur non prévue",
        "error_list": "Choisissez une valeur dans la liste déroulante.",
        "error_number": "Saisissez un nombre {bounds}.",
        "error_date": "Saisissez une date (jj/mm/aaaa).",
        "instructions_title": "Modèle de saisie — {name}",
        "instruction_lines": (
            "Une ligne par entreprise répondante (par participant et par vague pour la formation), "
            "à partir de la ligne 3 de la feuille « Réponses ».",
            "Ne modifiez pas la ligne 2 : elle contient les noms de colonnes que le programme "
            "reconnaît. La ligne 1 rappelle les questions ; vous pouvez la masquer.",
            "Pour les questions à choix, choisissez la réponse dans la liste déroulante "
            "(la cellule rappelle la question quand on la sélectionne).",
            "Questions à choix multiple : une colonne par réponse possible ; mettez Oui si la "
            "réponse s'applique, Non sinon, et laissez toutes les colonnes vides si la question "
            "n'a pas été posée.",
            "NSP = ne sait pas : choisissez « NSP (ne sait pas) » plutôt que de laisser la case "
            "vide ; les NSP sont comptés à part et exclus de la base des pourcentages.",
            "Nombres : sans unité ni séparateur de milliers (1250, pas « 1 250 salariés »). "
            "Dates : jj/mm/aaaa.",
            "Les colonnes confidentielles (SIREN, raison sociale, courriel, nom) servent seulement "
            "à repérer les doublons : elles sont supprimées au nettoyage et n'apparaissent dans "
            "aucun résultat.",
            "La feuille « Dictionnaire » donne, pour chaque variable, ses libellés, ses codes et "
            "les règles de saisie.",
            "Envoi : enregistrez le fichier au format .xlsx, sans le protéger par un mot de "
            "passe, et transmettez-le à l'observatoire par un moyen sécurisé (dépôt chiffré), "
            "jamais en pièce jointe d'un courriel non chiffré.",
            "Avant l'envoi, vous pouvez vérifier le fichier : « iaobs validate fichier.xlsx ».",
        ),
    },
    "en": {
        "responses": "Responses",
        "dictionary": "Data dictionary",
        "instructions_sheet": "Instructions",
        "lists": "Lists",
        "yes_no": ("Yes", "No"),
        "date_format": "yyyy-mm-dd",
        "dict_header": (
            "No.",
            "Variable",
            "Columns",
            "Label (French)",
            "Label (English)",
            "Type",
            "Codes and labels",
            "Missing codes",
            "Note",
            "Privacy",
        ),
        "types": {
            "id": "identifier",
            "text": "text",
            "date": "date",
            "int": "whole number",
            "float": "number",
            "cat": "single choice",
            "ord": "single choice (ordered scale)",
            "multi": "multiple choice (one Yes/No column per option)",
            "matrix": "grid (one column per row of the grid)",
            "bool": "yes/no",
        },
        "privacy": {
            "public": "public",
            "confidential": "confidential: dropped at cleaning, never published",
            "free_text": "free text: kept, never printed in a report",
        },
        "derived": "computed at cleaning: no column to fill in",
        "pick": "Pick a value from the list.",
        "pick_flag": "Yes if the option applies, No otherwise; leave blank if the question was not asked.",
        "int": "Whole number",
        "float": "Number",
        "date": "Date (yyyy-mm-dd)",
        "text": "Free text",
        "id": "Identifier (text)",
        "confidential": " Confidential: used to find duplicates, dropped at cleaning.",
        "between": "between {low} and {high}",
        "at_least": "of at least {low}",
        "error_title": "Unexpected value",
        "error_list": "Pick a value from the drop-down list.",
        "error_number": "Enter a number {bounds}.",
        "error_date": "Enter a date (yyyy-mm-dd).",
        "instructions_title": "Input template — {name}",
        "instruction_lines": (
            "One row per responding company (per participant and wave for the training "
            'questionnaire), from row 3 of the "Responses" sheet.',
            "Do not change row 2: it holds the column names the program recognises. Row 1 "
            "repeats the questions; you may hide it.",
            "For choice questions, pick the answer from the drop-down list (selecting a cell "
            "shows the question).",
            "Multiple-choice questions: one column per option; enter Yes if the option applies, "
            "No otherwise, and leave every column blank if the question was not asked.",
            "Don't know: pick \"Don't know\" rather than leaving the cell blank; these answers "
            "are counted apart and left out of the base of percentages.",
            'Numbers: no unit and no thousands separator (1250, not "1,250 staff").',
            "Confidential columns (SIREN, company name, e-mail, name) are only used to find "
            "duplicates: they are dropped at cleaning and never appear in any output.",
            'The "Data dictionary" sheet gives every variable\'s labels, codes and rules.',
            "Sending: save as .xlsx without a password and send it to the observatory through a "
            "secure channel (encrypted upload), never as an attachment to an unencrypted e-mail.",
            'Before sending, you can check the file with "iaobs validate file.xlsx".',
        ),
    },
}


def template_columns(dictionary: Dictionary) -> list[tuple[str, Variable, str | None]]:
    """The template's answer columns: (column name, variable, option or item code or None).

    Every column of the cleaned data set except derived variables (``ia_usage``).
    """
    out: list[tuple[str, Variable, str | None]] = []
    for var in dictionary:
        if var.derived:
            continue
        subs = list(var.options) if var.type == "multi" else list(var.items)
        if subs:
            out.extend((f"{var.name}__{sub}", var, sub) for sub in subs)
        else:
            out.append((var.name, var, None))
    return out


def _list_labels(var: Variable, language: str) -> list[str]:
    return [label.get(language) for label in var.all_codes.values()]


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_template(path: Path, dictionary: Dictionary, language: str = "fr") -> Path:
    """Write the Excel input template for ``dictionary``.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced atomically if it exists).
    dictionary
        The questionnaire (with a study's own sectors and labels when it has them).
    language
        ``"fr"`` or ``"en"``: language of the questions, lists, dictionary sheet and
        instructions. Column names do not change.

    Returns
    -------
    Path
        The file written.
    """
    lang = "en" if language == "en" else "fr"
    text = TEXT[lang]
    path = Path(path)
    with atomic_path(path) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp))
        workbook.set_properties(
            {
                "title": text["instructions_title"].format(name=dictionary.name),
                "author": "iaobs",
                "created": CREATED,
            }
        )
        formats = _formats(workbook, text)
        responses = workbook.add_worksheet(text["responses"])
        dictionary_sheet = workbook.add_worksheet(text["dictionary"])
        instructions = workbook.add_worksheet(text["instructions_sheet"])
        lists = workbook.add_worksheet(text["lists"])
        lists.hide()
        refs = _write_lists(lists, dictionary, text, lang, formats)
        numbers = _question_numbers(dictionary)
        _write_responses(responses, dictionary, text, lang, formats, refs, numbers)
        _write_dictionary_sheet(dictionary_sheet, dictionary, text, lang, formats, numbers)
        _write_instructions(instructions, dictionary, text, formats)
        workbook.close()
    return path


def _formats(workbook: Any, text: dict[str, Any]) -> dict[str, Any]:
    """The cell formats of the template."""
    return {
        "label": workbook.add_format(
            {
                "text_wrap": True,
                "valign": "top",
                "font_color": "#44546A",
                "bg_color": "#EEF2F7",
                "font_size": 9,
                "border": 1,
                "border_color": "#C9D3E0",
            }
        ),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "border": 1}
        ),
        "header_private": workbook.add_format(
            {"bold": True, "bg_color": "#7B2C2C", "font_color": "#FFFFFF", "border": 1}
        ),
        "date": workbook.add_format({"num_format": text["date_format"]}),
        "text": workbook.add_format({"num_format": "@"}),
        "bold": workbook.add_format({"bold": True}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
    }


def _write_lists(
    lists: Any, dictionary: Dictionary, text: dict[str, Any], lang: str, formats: dict[str, Any]
) -> dict[str, str]:
    """The hidden sheet of drop-down lists, one column per coded variable (shared by a
    matrix's items) and a yes/no column; returns each list's cell range (``oui_non``: yes/no)."""
    list_ref: dict[str, str] = {}
    list_col = 0
    for var in dictionary:
        if not var.is_coded or var.derived:
            continue
        labels = _list_labels(var, lang)
        lists.write_string(0, list_col, var.name, formats["bold"])
        for i, label in enumerate(labels, start=1):
            lists.write_string(i, list_col, label)
        col = xl_col_to_name(list_col)
        list_ref[var.name] = f"='{text['lists']}'!${col}$2:${col}${len(labels) + 1}"
        list_col += 1
    lists.write_string(0, list_col, "oui_non", formats["bold"])
    for i, label in enumerate(text["yes_no"], start=1):
        lists.write_string(i, list_col, label)
    col = xl_col_to_name(list_col)
    flag_ref = f"='{text['lists']}'!${col}$2:${col}$3"

    list_ref["oui_non"] = flag_ref
    return list_ref


def _question_numbers(dictionary: Dictionary) -> dict[str, int]:
    """Q1, Q2…: the number of each question asked (derived variables are not asked)."""
    numbers: dict[str, int] = {}
    for var in dictionary:
        if not var.derived:
            numbers[var.name] = len(numbers) + 1
    return numbers


def _validation(
    var: Any, column: str, label: str, text: dict[str, Any], list_ref: dict[str, str]
) -> dict[str, Any]:
    """The data validation (drop-down list, bounds, date) and input message of one column."""
    private = var.privacy == "confidential"
    message = _truncate(label, 200)
    if private:
        message = _truncate(label, 150) + text["confidential"]
    flag_ref = list_ref["oui_non"]
    options: dict[str, Any] = {
        "input_title": _truncate(column, 32),
        "ignore_blank": True,
    }
    if var.type == "multi":
        options.update(
            validate="list",
            source=flag_ref,
            input_message=_truncate(f"{message}\n{text['pick_flag']}", 255),
            error_title=text["error_title"],
            error_message=text["error_list"],
        )
    elif var.is_coded:
        options.update(
            validate="list",
            source=list_ref[var.name],
            input_message=_truncate(f"{message}\n{text['pick']}", 255),
            error_title=text["error_title"],
            error_message=text["error_list"],
        )
    elif var.type in {"int", "float"}:
        low = var.min if var.min is not None else 0
        if var.max is not None:
            bounds = text["between"].format(low=_num(low), high=_num(var.max))
            options.update(criteria="between", minimum=low, maximum=var.max)
        else:
            bounds = text["at_least"].format(low=_num(low))
            options.update(criteria=">=", value=low)
        options.update(
            validate="integer" if var.type == "int" else "decimal",
            input_message=_truncate(f"{message}\n{text[var.type]} {bounds}.", 255),
            error_title=text["error_title"],
            error_message=text["error_number"].format(bounds=bounds),
        )
    elif var.type == "date":
        options.update(
            validate="date",
            criteria="between",
            minimum=datetime(2000, 1, 1),
            maximum=datetime(2100, 12, 31),
            input_message=_truncate(f"{message}\n{text['date']}", 255),
            error_title=text["error_title"],
            error_message=text["error_date"],
        )
    else:
        options.update(
            validate="any",
            input_message=_truncate(f"{message}\n{text.get(var.type, text['text'])}", 255),
        )
    return options


def _write_responses(
    responses: Any,
    dictionary: Dictionary,
    text: dict[str, Any],
    lang: str,
    formats: dict[str, Any],
    refs: dict[str, str],
    numbers: dict[str, int],
) -> None:
    """The answer sheet: question labels, column names, formats and validations."""
    columns = template_columns(dictionary)
    first, last = HEADER_ROW + 1, HEADER_ROW + DATA_ROWS
    responses.set_row(LABEL_ROW, 75)
    for j, (column, var, sub) in enumerate(columns):
        label = var.label.get(lang)
        if sub is not None:
            label = f"{var.label.get(lang)} : {({**var.options, **var.items})[sub].get(lang)}"
        responses.write_string(LABEL_ROW, j, f"Q{numbers[var.name]} · {label}", formats["label"])
        private = var.privacy == "confidential"
        responses.write_string(
            HEADER_ROW, j, column, formats["header_private" if private else "header"]
        )
        width = max(14, min(40, len(column) + 2))
        cell_format = None
        if var.type == "date":
            cell_format = formats["date"]
        elif var.type in {"id", "text"} or var.name == "naf_code":
            cell_format = formats["text"]
        responses.set_column(j, j, width, cell_format)
        responses.data_validation(first, j, last, j, _validation(var, column, label, text, refs))
    responses.freeze_panes(HEADER_ROW + 1, 1)
    responses.autofilter(HEADER_ROW, 0, HEADER_ROW, len(columns) - 1)
    responses.activate()


def _write_dictionary_sheet(
    dictionary_sheet: Any,
    dictionary: Dictionary,
    text: dict[str, Any],
    lang: str,
    formats: dict[str, Any],
    numbers: dict[str, int],
) -> None:
    """The data-dictionary sheet: one row per variable with its codes and rules."""
    for j, title in enumerate(text["dict_header"]):
        dictionary_sheet.write_string(0, j, title, formats["header"])
    for i, var in enumerate(dictionary, start=1):
        codes = " ; ".join(f"{code} = {label.get(lang)}" for code, label in var.codes.items())
        subs = {**var.options, **var.items}
        if subs:
            codes = " ; ".join(f"{code} = {label.get(lang)}" for code, label in subs.items()) + (
                f" | {codes}" if codes else ""
            )
        missing = " ; ".join(f"{code} = {label.get(lang)}" for code, label in var.missing.items())
        note = var.note or ""
        if var.derived:
            note = f"{text['derived']} ({var.derived})"
        if var.min is not None or var.max is not None:
            bounds = f"min {_num(var.min)}" if var.min is not None else ""
            if var.max is not None:
                bounds += f"{', ' if bounds else ''}max {_num(var.max)}"
            note = f"{note} [{bounds}]".strip()
        row = [
            "" if var.derived else f"Q{numbers[var.name]}",
            var.name,
            "" if var.derived else ", ".join(var.columns()),
            var.label.fr,
            var.label.en,
            text["types"].get(var.type, var.type),
            codes,
            missing,
            note,
            text["privacy"].get(var.privacy, var.privacy),
        ]
        for j, value in enumerate(row):
            dictionary_sheet.write_string(i, j, str(value), formats["wrap"])
    for j, width in enumerate((6, 26, 30, 40, 40, 22, 60, 24, 40, 30)):
        dictionary_sheet.set_column(j, j, width)
    dictionary_sheet.freeze_panes(1, 2)
    dictionary_sheet.autofilter(0, 0, len(dictionary.variables), len(text["dict_header"]) - 1)


def _write_instructions(
    instructions: Any, dictionary: Dictionary, text: dict[str, Any], formats: dict[str, Any]
) -> None:
    """The instructions sheet."""
    instructions.set_column(0, 0, 110, formats["wrap"])
    instructions.write_string(
        0, 0, text["instructions_title"].format(name=dictionary.name), formats["title"]
    )
    for i, line in enumerate(text["instruction_lines"], start=2):
        instructions.write_string(i, 0, f"{i - 1}. {line}", formats["wrap"])


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
