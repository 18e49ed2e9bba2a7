"""Mapping files, the engine shared by the survey-tool profiles, and ``iaobs map suggest``.

A partner's survey is not ours: its questions have their own codes (``Q01``), their own wording
and their own answer labels. A *mapping file* (YAML) says how its columns and answers translate
into the dictionary, on top of the survey tool's profile::

    profile: limesurvey          # the tool's profile applies first
    columns:
      Q01: secteur               # partner column -> dictionary column
      "Q05[SQ001]": techno__analyse_texte
      Q06: techno                # a multi question as a whole: its options through values
      Taille: taille
      Q99: ignore                # explicitly ignored (reported as ignored, not unmapped)
    values:
      secteur: {"Banque / Finance": banque, "Transport": transport_logistique}
      taille: {"Moins de 10": tpe, "10 à 249": pme}
      techno: {SQ001: analyse_texte, SQ002: reconnaissance_vocale}
    reponses_incompletes: rejeter  # or garder (LimeSurvey: responses never submitted)

A column's key is its header as exported, or (LimeSurvey, Sphinx) its question code alone.
Answers are compared without accents, case or extra spaces. Targets are checked against the
dictionary when the file is loaded: a typo is a :class:`~iaobs.errors.ConfigError` naming the
file and the entry, with the closest dictionary name.

The profiles (:mod:`~iaobs.ingest.profiles.limesurvey`, :mod:`~iaobs.ingest.profiles.google_forms`,
:mod:`~iaobs.ingest.profiles.kobo`, :mod:`~iaobs.ingest.profiles.surveymonkey`,
:mod:`~iaobs.ingest.profiles.sphinx`) describe each column of an export as a :class:`PartnerColumn`
and call :func:`assemble`, which resolves every column (mapping file first, then the
dictionary's names and labels), recodes tool-specific answers into codes or labels the cleaner
accepts, and reports what it did: renamed, unmapped (kept under their own name), ignored
(tool metadata, columns the mapping file ignores) and dropped (personal data such as e-mail
addresses or IP addresses, which never go further).

:func:`suggest_mapping` drafts a mapping file for an export by matching its headers and answer
labels to the dictionary's labels (accent- and case-insensitive, fuzzy), marking with
``À COMPLÉTER`` what it could not match.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from iaobs.study.dictionary import Dictionary, Variable, normalise_text
from iaobs.errors import ConfigError
from iaobs.ingest.profiles import (
    PROFILE_REJECT_COLUMN,
    MappedTable,
    map_columns,
    register_profile,
)
from iaobs.ingest.profiles.template import header_key, recognise_header
from iaobs.ingest.read import PROVENANCE_COLUMNS, RawTable

__all__ = [
    "IGNORE",
    "INCOMPLETE_RULE",
    "MappingFile",
    "PartnerColumn",
    "assemble",
    "detect_profile",
    "load_mapping",
    "map_with_file",
    "split_multi_cell",
    "suggest_mapping",
    "write_mapping_suggestion",
]

#: Target of a column that a mapping file explicitly leaves out.
IGNORE = "ignore"
#: Rule code of a response the survey tool marks as not submitted.
INCOMPLETE_RULE = "reponse_incomplete"
#: Marker written in a draft mapping where the partner has something to fill.
TO_COMPLETE = "À COMPLÉTER"
#: Fuzzy score (0-100) from which a header is proposed as the match of a variable (the mean
#: of rapidfuzz's token_set_ratio and ratio on folded labels).
SUGGEST_THRESHOLD = 70
#: Fuzzy score from which the answers of a column left to complete get value proposals for
#: its best guess (they do no harm if the partner chooses another variable).
GUESS_VALUES_FROM = 50
#: Fuzzy score from which an answer label is proposed as the match of a code.
VALUE_THRESHOLD = 85

_INCOMPLETE_CHOICES = {
    "rejeter": "rejeter",
    "reject": "rejeter",
    "garder": "garder",
    "keep": "garder",
}


# --------------------------------------------------------------------------------------------
# Mapping files


@dataclass
class MappingFile:
    """A partner's mapping file, checked against the dictionary.

    Attributes
    ----------
    path
        The YAML file (``None`` for a mapping built in code).
    profile
        The survey tool's profile applied first (``template`` when the file does not say).
    columns
        Partner column (header or question code) → dictionary column, multi variable name,
        :data:`IGNORE`, or ``None`` (not mapped yet: reported as unmapped).
    values
        Dictionary variable (or column) → {partner answer: code}; keys are compared with
        :func:`~iaobs.study.dictionary.normalise_text`. A ``None`` code leaves the answer as it is.
    incomplete
        ``rejeter`` (default) or ``garder``: what happens to responses the tool marks as not
        submitted.
    """

    path: Path | None = None
    profile: str = "template"
    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    incomplete: str = "rejeter"

    def column_target(self, keys: Iterable[str]) -> tuple[bool, str | None]:
        """``(found, target)`` for the first of ``keys`` the file names (exact, then folded)."""
        for key in keys:
            if key in self.columns:
                return True, self.columns[key]
        folded = {header_key(k): v for k, v in self.columns.items()}
        for key in keys:
            if header_key(key) in folded:
                return True, folded[header_key(key)]
        return False, None

    def value_table(self, *names: str) -> dict[str, str]:
        """normalised partner answer → code, for the first of ``names`` the file lists."""
        table: dict[str, str] = {}
        for name in names:
            for answer, code in self.values.get(name, {}).items():
                if code is not None:
                    table.setdefault(normalise_text(answer), code)
        return table


def _dictionary_targets(dictionary: Dictionary) -> set[str]:
    targets = set(dictionary.columns())
    targets.update(var.name for var in dictionary if var.type == "multi")
    return targets


def _closest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" ; vouliez-vous dire « {close[0]} » ?" if close else ""


def _codes_for(dictionary: Dictionary, name: str) -> dict[str, Any] | None:
    """Codes a ``values`` entry may map to: options of a multi, the scale of a matrix…"""
    if name in dictionary:
        var = dictionary[name]
    else:
        try:
            var, _sub = dictionary.variable_of_column(name)
        except KeyError:
            return None
        if var.type == "multi":
            return {"0": None, "1": None}
    if var.type == "multi":
        return dict(var.options)
    if var.is_coded:
        return dict(var.all_codes)
    return None


def load_mapping(path: str | Path, dictionary: Dictionary) -> MappingFile:
    """Read and check a mapping file.

    Parameters
    ----------
    path
        The YAML file.
    dictionary
        The questionnaire whose names and codes the file's targets must be.

    Returns
    -------
    MappingFile

    Raises
    ------
    ConfigError
        The file is missing or is not valid YAML, a key is unknown, a target is not a
        dictionary column, or a value is not a code of its variable.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError(
            "fichier de correspondance introuvable",
            file=path,
            hint="vérifiez le chemin donné dans « profile » de la source (study.toml)",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"fichier de correspondance illisible ({exc})",
            file=path,
            hint="enregistrez-le en UTF-8",
        ) from exc
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ligne {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"fichier de correspondance mal formé{where} ({getattr(exc, 'problem', exc)})",
            file=path,
            hint="vérifiez l'indentation et mettez entre guillemets les noms contenant « : », "
            "« [ » ou « # »",
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(
            "fichier de correspondance mal formé : sections profile, columns, values attendues",
            file=path,
        )
    return parse_mapping(data, dictionary, path=path)


def parse_mapping(
    data: Mapping[str, Any], dictionary: Dictionary, *, path: Path | None = None
) -> MappingFile:
    """Check a mapping given as a dictionary (the parsed YAML); see :func:`load_mapping`."""
    from iaobs.ingest.profiles import PROFILE_MODULES

    known = {"profile", "columns", "values", "reponses_incompletes", "incomplete"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(
            "clé inconnue dans le fichier de correspondance : "
            + ", ".join(sorted(map(str, unknown)))
            + _closest(str(sorted(map(str, unknown))[0]), known),
            file=path,
            hint="clés possibles : profile, columns, values, reponses_incompletes",
        )
    profile = str(data.get("profile") or "template")
    tools = [p for p in PROFILE_MODULES if p != "mapping"]
    if profile not in tools:
        raise ConfigError(
            f"profil inconnu « {profile} » dans le fichier de correspondance"
            + _closest(profile, tools),
            file=path,
            hint="profils : " + ", ".join(tools),
        )
    targets = _dictionary_targets(dictionary)
    columns: dict[str, str | None] = {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        raise ConfigError("« columns » doit associer des colonnes à des variables", file=path)
    for column, target in raw_columns.items():
        name = str(column).strip()
        if target is None or (isinstance(target, str) and not target.strip()):
            columns[name] = None
            continue
        target = str(target).strip()
        if target.lower() in {IGNORE, "ignorer"}:
            columns[name] = IGNORE
            continue
        if target not in targets:
            raise ConfigError(
                f"columns : « {name} » → « {target} » : ce n'est pas une colonne du dictionnaire"
                + _closest(target, targets),
                file=path,
                hint="indiquez un nom de variable (ex. secteur), une option (techno__analyse_texte) "
                "ou « ignore »",
            )
        columns[name] = target
    values: dict[str, dict[str, str | None]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        raise ConfigError(
            "« values » doit associer des variables à des listes de réponses", file=path
        )
    for name, table in raw_values.items():
        name = str(name).strip()
        codes = _codes_for(dictionary, name)
        if codes is None:
            raise ConfigError(
                f"values : « {name} » n'est pas une variable à codes du dictionnaire"
                + _closest(name, [v.name for v in dictionary if v.is_coded or v.type == "multi"]),
                file=path,
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"values : « {name} » doit associer des réponses à des codes", file=path
            )
        entries: dict[str, str | None] = {}
        for answer, code in table.items():
            if code is None or (isinstance(code, str) and not code.strip()):
                entries[str(answer)] = None
                continue
            code = str(code).strip()
            if code not in codes:
                raise ConfigError(
                    f"values : {name} : « {answer} » → « {code} » : code inconnu"
                    + _closest(code, codes),
                    file=path,
                    hint="codes de « " + name + " » : " + ", ".join(codes),
                )
            entries[str(answer)] = code
        values[name] = entries
    raw_incomplete = str(data.get("reponses_incompletes", data.get("incomplete", "rejeter")))
    incomplete = _INCOMPLETE_CHOICES.get(normalise_text(raw_incomplete))
    if incomplete is None:
        raise ConfigError(
            f"reponses_incompletes : « {raw_incomplete} » inconnu",
            file=path,
            hint="indiquez rejeter (par défaut) ou garder",
        )
    return MappingFile(path, profile, columns, values, incomplete)


@register_profile("mapping")
def map_with_file(
    raw: RawTable, dictionary: Dictionary, mapping: Path | None = None
) -> MappedTable:
    """Map an export with a partner's mapping file (the ``mapping`` profile).

    The file's ``profile`` (the survey tool) does the mapping, with the file's columns and
    values taking precedence over what the tool's profile recognises on its own.
    """
    if mapping is None:
        raise ConfigError(
            "le profil « mapping » demande un fichier de correspondance",
            hint='dans study.toml, donnez son chemin : profile = "correspondance.yaml"',
        )
    spec = load_mapping(mapping, dictionary)
    if spec.profile == "template":
        return assemble(
            raw, dictionary, raw.frame, header_columns(raw.columns), tool="tableur", spec=spec
        )
    return map_columns(raw, dictionary, profile=spec.profile, mapping=mapping)


def mapping_for(mapping: Path | MappingFile | None, dictionary: Dictionary) -> MappingFile | None:
    """The mapping file a profile was given, loaded (``None`` when there is none)."""
    if mapping is None or isinstance(mapping, MappingFile):
        return mapping
    return load_mapping(mapping, dictionary)


# --------------------------------------------------------------------------------------------
# The engine shared by the tool profiles


@dataclass
class PartnerColumn:
    """One question column of an export, as a profile understands it.

    Attributes
    ----------
    name
        The column in the raw frame.
    keys
        What a mapping file or the dictionary may call it, best first: the header as written,
        the question code, the question text.
    parts
        ``(question, option)`` pairs for a column holding one option of a multi question (or
        one item of a grid): ``("Q05", "SQ001")``, ``("Technologies utilisées", "Analyse de
        texte")``.
    """

    name: str
    keys: tuple[str, ...]
    parts: tuple[tuple[str, str], ...] = ()


@dataclass
class SystemColumns:
    """The tool's own columns: what they map to, which are kept, which are dropped.

    Attributes
    ----------
    targets
        Column → dictionary column it fills when the survey itself has no such question
        (``Response ID`` → ``id_repondant``, ``Date submitted`` → ``date_reponse``).
    kept
        Columns kept in the frame as provenance, not analysed (listed in ``ignored``).
    dropped
        Personal data (e-mail, names, IP address, device id): removed from the frame.
    """

    targets: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _option_code(var: Variable, text: str, table: Mapping[str, str]) -> str | None:
    """The option (or item) code of ``var`` that ``text`` names: code, FR/EN label, values."""
    key = normalise_text(text)
    if key in table and table[key] in {**var.options, **var.items}:
        return table[key]
    subs = {**var.options, **var.items}
    for code, label in subs.items():
        if key in {normalise_text(code), normalise_text(label.fr), normalise_text(label.en)}:
            return code
    folded = header_key(text)
    for code, label in subs.items():
        if folded in {header_key(code), header_key(label.fr), header_key(label.en)}:
            return code
    return None


def _question_variable(
    question: str, dictionary: Dictionary, spec: MappingFile | None
) -> str | None:
    if spec is not None:
        found, target = spec.column_target([question])
        if found:
            return target if target and target in dictionary else None
    if question in dictionary:
        return question
    target = recognise_header(question, dictionary)
    if target is not None and target in dictionary:
        return target
    return None


def resolve_column(
    column: PartnerColumn, dictionary: Dictionary, spec: MappingFile | None
) -> tuple[str | None, str]:
    """``(target, how)``: the dictionary column a partner column maps to, and why.

    ``how`` is ``mapping`` (named by the mapping file), ``ignore``, ``auto`` (recognised) or
    ``none``.
    """
    if spec is not None:
        found, target = spec.column_target([column.name, *column.keys])
        if found:
            if target == IGNORE:
                return None, "ignore"
            return target, "mapping" if target else "none"
    for key in (column.name, *column.keys):
        target = recognise_header(key, dictionary)
        if target is not None:
            return target, "auto"
    for question, option in column.parts:
        name = _question_variable(question, dictionary, spec)
        if name is None:
            continue
        var = dictionary[name]
        if var.type not in ("multi", "matrix"):
            continue
        table = spec.value_table(var.name) if spec is not None else {}
        code = _option_code(var, option, table)
        if code is not None:
            return f"{var.name}__{code}", "mapping" if spec and spec.column_target([question])[
                0
            ] else "auto"
    return None, "none"


def _known_labels(var: Variable, extra: Mapping[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in {**var.options}.items():
        for text in (code, label.fr, label.en):
            table.setdefault(normalise_text(text), code)
    for answer, code in extra.items():
        table[answer] = code
    return table


def split_multi_cell(text: str, known: Mapping[str, str], separators: str = ";,|") -> list[str]:
    """Split one cell listing several answers into codes, matching known labels greedily.

    Parameters
    ----------
    text
        The cell (``"Analyse de texte, Génération d'images, de vidéos ou de sons"``).
    known
        Normalised label → code (labels may contain a separator: the longest labels are
        matched first, at separator boundaries).
    separators
        The characters that join answers in this export (a space for KoboToolbox).

    Returns
    -------
    list of str
        Codes for the known answers, in order of appearance; unknown pieces as written
        (normalised) so that the cleaner reports them.
    """
    key = normalise_text(str(text).replace("\r", "\n").replace("\n", separators[0]))
    if not key:
        return []
    if key in known:
        return [known[key]]
    sep_class = "[" + re.escape(separators) + "]"
    alternatives = sorted((k for k in known if k), key=len, reverse=True)
    found: list[tuple[int, str]] = []

    def gap(text: str, offset: int) -> None:
        for piece in re.finditer(r"[^" + re.escape(separators) + r"]+", text):
            word = piece.group(0).strip(" .")
            if word:
                found.append((offset + piece.start(), known.get(word, word)))

    position = 0
    if alternatives:
        pattern = re.compile(
            rf"(?:^|(?<={sep_class}))\s*("
            + "|".join(re.escape(a) for a in alternatives)
            + rf")\s*(?={sep_class}|$)"
        )
        for match in pattern.finditer(key):
            gap(key[position : match.start()], position)
            found.append((match.start(1), known[match.group(1)]))
            position = match.end()
    gap(key[position:], position)
    found.sort(key=lambda item: item[0])
    return list(dict.fromkeys(code for _, code in found))


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _map_values(series: pd.Series, fn: Any) -> pd.Series:
    """Apply ``fn`` to each distinct non-blank value of ``series``."""
    cache: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        if _is_blank(value):
            return None
        try:
            if value not in cache:
                cache[value] = fn(value)
            return cache[value]
        except TypeError:  # unhashable
            return fn(value)

    return pd.Series([one(v) for v in series], index=series.index, dtype=object)


def _recode_column(
    frame: pd.DataFrame,
    name: str,
    target: str,
    dictionary: Dictionary,
    spec: MappingFile | None,
    column: PartnerColumn,
    separators: str,
    tool_tokens: Mapping[str, str] | None = None,
) -> int:
    """Recode one column in place for its target; returns how many cells were recoded."""
    try:
        var, sub = (
            (dictionary[target], None)
            if target in dictionary
            else dictionary.variable_of_column(target)
        )
    except KeyError:
        return 0
    series = frame[name]
    table = spec.value_table(target, var.name) if spec is not None else {}
    changed = 0

    if var.type == "multi" and sub is None:  # one cell listing the options
        known = _known_labels(var, table)
        if tool_tokens:
            for token, code in tool_tokens.items():
                known.setdefault(normalise_text(token), code)

        def split(value: Any) -> Any:
            if isinstance(value, bool | int | float):
                return value
            codes = split_multi_cell(str(value), known, separators)
            return ";".join(codes) if codes else None

        new = _map_values(series, split)
    elif var.type == "multi" and sub is not None:  # one column per option: ticked cells
        own = {normalise_text(o) for _, o in column.parts}
        label = var.options[sub]
        own |= {normalise_text(label.fr), normalise_text(label.en), normalise_text(sub)}
        own = {o for o in own if o}

        def tick(value: Any) -> Any:
            if isinstance(value, str):
                key = normalise_text(value)
                if key in own:
                    return "1"
                if key in table:
                    return "1" if table[key] in (sub, "1") else "0"
            return value

        new = _map_values(series, tick)
    elif table:

        def recode(value: Any) -> Any:
            key = normalise_text(value)
            if isinstance(value, float) and value.is_integer():
                key = str(int(value))
            return table.get(key, value)

        new = _map_values(series, recode)
    else:
        return 0
    before = series.astype(object).where(series.notna(), None)
    changed = int(sum(1 for a, b in zip(before, new, strict=True) if a != b and not _is_blank(a)))
    frame[name] = new
    return changed


def assemble(
    raw: RawTable,
    dictionary: Dictionary,
    frame: pd.DataFrame,
    columns: Sequence[PartnerColumn],
    *,
    tool: str,
    spec: MappingFile | None = None,
    system: SystemColumns | None = None,
    notes: list[str] | None = None,
    separators: str = ";,|",
    incomplete: np.ndarray | None = None,
    tool_tokens: Mapping[str, Mapping[str, str]] | None = None,
) -> MappedTable:
    """Resolve, recode and rename the columns of an export; the last step of every profile.

    Parameters
    ----------
    raw
        The table as read (kept in the result).
    dictionary
        The questionnaire.
    frame
        The export's frame after the tool's own fixes (dates, merged headers…).
    columns
        The question columns of ``frame`` (tool metadata excluded), in order.
    tool
        The tool's name as users know it (``LimeSurvey``), for the notes.
    spec
        The partner's mapping file, if any: its columns and values win.
    system
        The tool's own columns (see :class:`SystemColumns`).
    notes
        What the profile decided so far (French); completed here.
    separators
        Characters joining several answers in one cell.
    incomplete
        Boolean per row: responses the tool marks as not submitted. They get
        ``statut_reponse = partiel`` and, unless the mapping file says ``garder``, the
        ``_profile_reject`` marker :data:`INCOMPLETE_RULE`.
    tool_tokens
        Dictionary variable → {answer as the tool writes it: code}, e.g. Kobo choice names.

    Returns
    -------
    MappedTable
    """
    notes = list(notes or [])
    system = system or SystemColumns()
    frame = frame.copy()
    renamed: dict[str, str] = {}
    rename: dict[str, str] = {}
    unmapped: list[str] = []
    ignored: list[str] = []
    taken: dict[str, str] = {}
    recoded = 0
    to_complete: list[str] = []
    for column in columns:
        target, how = resolve_column(column, dictionary, spec)
        if how == "ignore":
            ignored.append(column.name)
            continue
        if target is None:
            unmapped.append(column.name)
            if (
                how == "none"
                and spec is not None
                and spec.column_target([column.name, *column.keys])[0]
            ):
                to_complete.append(column.name)
            continue
        if target in taken:
            new = f"{target}.doublon"
            k = 2
            while new in frame.columns or new in rename.values():
                new = f"{target}.doublon{k}"
                k += 1
            rename[column.name] = new
            unmapped.append(new)
            notes.append(
                f"colonnes « {taken[target]} » et « {column.name} » pour la même variable "
                f"« {target} » : la première est gardée, la seconde renommée « {new} »"
            )
            continue
        taken[target] = column.name
        renamed[column.name] = target
        tokens = (tool_tokens or {}).get(target.split("__", 1)[0])
        recoded += _recode_column(
            frame, column.name, target, dictionary, spec, column, separators, tokens
        )
        if column.name != target:
            rename[column.name] = target
    for name, target in system.targets.items():
        if name not in frame.columns:
            continue
        if target in taken or target not in dictionary:
            ignored.append(name)
            continue
        taken[target] = name
        renamed[name] = target
        rename[name] = target
    for name in system.kept:
        if name in frame.columns and name not in renamed:
            ignored.append(name)
    dropped = [name for name in system.dropped if name in frame.columns]
    if spec is not None:  # a system column the mapping file names explicitly
        for name in list(ignored):
            found, target = spec.column_target([name])
            if found and target and target != IGNORE and target not in taken and name in frame:
                ignored.remove(name)
                taken[target] = name
                renamed[name] = target
                rename[name] = target
    ignored_by_file = [c for c in columns if c.name in ignored]
    frame = frame.drop(columns=[*dropped, *(c.name for c in ignored_by_file)])
    frame = frame.rename(columns=rename)
    if incomplete is not None and incomplete.any():
        mask = np.asarray(incomplete, dtype=bool)
        status = "statut_reponse"
        if status in dictionary:
            if status not in frame.columns:
                frame[status] = np.where(mask, "partiel", "complet").astype(object)
            else:
                frame.loc[mask, status] = "partiel"
        keep = spec is not None and spec.incomplete == "garder"
        if not keep:
            frame[PROFILE_REJECT_COLUMN] = pd.Series(
                [INCOMPLETE_RULE if m else None for m in mask], index=frame.index, dtype=object
            )
        notes.append(
            f"{int(mask.sum())} réponse(s) non envoyée(s) ({tool} : pas de date de soumission) : "
            + (
                "gardées avec le statut « partiel »"
                if keep
                else "marquées « partiel » et rejetées (règle reponse_incomplete)"
            )
        )
    elif (
        incomplete is not None and "statut_reponse" in dictionary and "statut_reponse" not in frame
    ):
        frame["statut_reponse"] = "complet"
    if recoded:
        notes.append(f"{recoded} réponse(s) traduite(s) en codes ou libellés du dictionnaire")
    if dropped:
        notes.append(
            f"colonnes personnelles de {tool} supprimées (jamais conservées) : "
            + ", ".join(dropped)
        )
    kept_meta = [c for c in ignored if c not in {x.name for x in ignored_by_file}]
    if kept_meta:
        notes.append(
            f"colonnes techniques de {tool} gardées pour la traçabilité, non analysées : "
            + ", ".join(kept_meta)
        )
    if ignored_by_file:
        notes.append(
            "colonnes ignorées par le fichier de correspondance : "
            + ", ".join(c.name for c in ignored_by_file)
        )
    if to_complete:
        notes.append(
            "colonnes laissées à compléter dans le fichier de correspondance : "
            + ", ".join(to_complete)
        )
    if unmapped:
        notes.append("colonnes non reconnues, gardées telles quelles : " + ", ".join(unmapped))
    return MappedTable(
        frame=frame,
        unmapped=unmapped,
        renamed=renamed,
        raw=raw,
        notes=notes,
        ignored=ignored,
        dropped=dropped,
    )


def header_columns(names: Iterable[str]) -> list[PartnerColumn]:
    """Plain partner columns whose only key is the header (``Question [Option]`` split)."""
    out = []
    for name in names:
        if name in PROVENANCE_COLUMNS:
            continue
        out.append(PartnerColumn(name, (name,), bracket_parts(name)))
    return out


_BRACKET = re.compile(r"^(?P<q>.+?)\s*\[(?P<o>[^\[\]]+)\]\s*$")


def bracket_parts(text: str) -> tuple[tuple[str, str], ...]:
    """``("Question", "Option")`` for a header ``Question [Option]`` (or ``Q : Option``)."""
    match = _BRACKET.match(text)
    if match:
        return ((match.group("q").strip(), match.group("o").strip()),)
    return ()


def fold_set(words: Iterable[str]) -> set[str]:
    """Header keys of ``words`` (for matching system column names)."""
    return {header_key(w) for w in words}


# --------------------------------------------------------------------------------------------
# Profile detection


def detect_profile(raw: RawTable) -> str:
    """Guess the survey tool that made an export from its columns.

    KoboToolbox: ``_uuid`` or ``_submission_time``; SurveyMonkey: ``Respondent ID`` or a
    second header row of ``Response`` / ``Open-Ended Response``; LimeSurvey: its system
    columns (``Response ID`` with ``Date submitted`` or ``Last page``, in English or French,
    or their codes ``submitdate``, ``lastpage``); Google Forms: a first column ``Horodateur``
    or ``Timestamp``; Sphinx: headers numbered ``1. Question``; otherwise ``template``.
    """
    from iaobs.ingest.profiles import google_forms, kobo, limesurvey, sphinx, surveymonkey

    for module in (kobo, surveymonkey, limesurvey, google_forms, sphinx):
        if module.looks_like(raw):
            return module.PROFILE
    return "template"


# --------------------------------------------------------------------------------------------
# iaobs map suggest


def _choices_index(dictionary: Dictionary) -> list[tuple[str, str]]:
    """(folded label, dictionary target) for every variable answered by a respondent."""
    out: list[tuple[str, str]] = []
    for var in dictionary:
        if var.derived:
            continue
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
    for size in dictionary.size_classes.values():
        if (
            low >= size.min
            and (size.max is None or (high is not None and high <= size.max))
            and size.code in dictionary["taille"].codes
        ):
            return size.code
    return None


def _value_suggestions(
    var: Variable, answers: Iterable[str], dictionary: Dictionary
) -> tuple[dict[str, str | None], dict[str, tuple[str, float]]]:
    """Partner answer → code for the answers the cleaner would not understand on its own."""
    from rapidfuzz import fuzz, process

    from iaobs.prepare.clean import NONE_WORDS, NSP_WORDS, recode_value

    codes = var.options if var.type == "multi" else var.all_codes
    known = _known_labels(var, {}) if var.type == "multi" else {}
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
        best = process.extractOne(
            normalise_text(answer), [k for k, _ in labels], scorer=fuzz.WRatio
        )
        if best is not None and best[1] >= VALUE_THRESHOLD:
            out[answer] = labels[best[2]][1]
        else:
            out[answer] = None
            if best is not None:
                guesses[answer] = (labels[best[2]][1], float(best[1]))
    return out, guesses


def _distinct_answers(series: pd.Series, limit: int = 60) -> list[str]:
    values = [str(v).strip() for v in series.dropna().unique() if not _is_blank(v)]
    return values[:limit]


def _yaml_key(text: str) -> str:
    dumped = yaml.safe_dump({text: None}, allow_unicode=True, width=10_000).strip()
    return dumped[: -len(": null")] if dumped.endswith(": null") else dumped.split(":", 1)[0]


def _suggest_column(
    column: PartnerColumn, dictionary: Dictionary, choices: Sequence[tuple[str, str]]
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
        if best[0] is not None:
            return best
    target, score = _fuzzy(texts, choices)
    return target, score, target


def suggest_mapping(
    raw: RawTable,
    dictionary: Dictionary,
    *,
    profile: str | None = None,
) -> str:
    """Draft a mapping file (YAML text, French comments) for an export.

    Headers are matched to the dictionary exactly as the tool's profile would, then fuzzily
    (rapidfuzz, on labels folded without accents, case or punctuation; a proposal needs a
    score of :data:`SUGGEST_THRESHOLD`); a ``Question [Option]`` column is matched to a
    multi question, then to one of its options. For coded variables, the distinct answers the
    cleaner would not understand get a value mapping (size bands are read as headcounts,
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
        The draft, ready to be written next to the export and completed.
    """
    import importlib

    from iaobs.ingest.profiles import PROFILE_MODULES

    profile = profile or detect_profile(raw)
    mapped = map_columns(raw, dictionary, profile=profile)
    module = importlib.import_module(PROFILE_MODULES[profile])
    describe = getattr(module, "describe_columns", None)
    described: list[PartnerColumn] = (
        describe(raw) if describe is not None else header_columns(raw.columns)
    )
    separators = getattr(module, "SEPARATORS", ";,|")
    choices = _choices_index(dictionary)
    lines = [
        "# Fichier de correspondance proposé par « iaobs map suggest » pour",
        f"#   {raw.file.name}" + (f" (feuille « {raw.sheet} »)" if raw.sheet else ""),
        "# Complétez chaque ligne marquée « À COMPLÉTER » : remplacez null par une colonne du",
        "# dictionnaire (ex. secteur, techno__analyse_texte) ou par ignore ; vérifiez les",
        "# propositions ; puis contrôlez le tout avec « iaobs validate ». Les colonnes",
        "# techniques de l'outil sont traitées par le profil et n'ont pas à figurer ici.",
        f"profile: {profile}",
        "columns:",
    ]
    targets: dict[str, str] = {}
    guessed: dict[str, str] = {}  # column -> variable guessed, for its answers' values
    todo = 0
    used: set[str] = set(mapped.renamed.values())
    for column in described:
        name = column.name
        if name in mapped.renamed:
            target = mapped.renamed[name]
            targets[name] = target
            lines.append(f"  {_yaml_key(name)}: {target}")
            continue
        if name in mapped.ignored or name not in mapped.unmapped:
            continue
        best, score, guess = _suggest_column(column, dictionary, choices)
        if best is not None and score >= SUGGEST_THRESHOLD and best not in used:
            used.add(best)
            targets[name] = best
            lines.append(f"  {_yaml_key(name)}: {best}  # proposé (score {score:.0f}) : à vérifier")
            continue
        todo += 1
        if guess is not None and score >= GUESS_VALUES_FROM:
            guessed[name] = guess
        hint = (
            f"meilleure proposition : {guess}, score {score:.0f}" if guess else "aucune proposition"
        )
        lines.append(
            f"  {_yaml_key(name)}: null  # {TO_COMPLETE} : aucune variable reconnue ({hint})"
        )
    per_variable: dict[str, list[str]] = defaultdict(list)
    for name, target in [*targets.items(), *guessed.items()]:
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
            known = _known_labels(var, {})
            tokens: list[str] = []
            for answer in answers:
                codes = split_multi_cell(answer, known, separators)
                tokens.extend(c for c in codes if c not in var.options)
            answers = list(dict.fromkeys(tokens))
        per_variable[var.name].extend(a for a in answers if a not in per_variable[var.name])
    value_lines: list[str] = []
    for name, answers in per_variable.items():
        suggestions, guesses = _value_suggestions(dictionary[name], answers, dictionary)
        if not suggestions:
            continue
        value_lines.append(f"  {name}:")
        for answer, code in suggestions.items():
            if code is not None:
                value_lines.append(f"    {_yaml_key(answer)}: {code}  # proposé : à vérifier")
                continue
            todo += 1
            guess_value = guesses.get(answer)
            hint = (
                f"meilleure proposition : {guess_value[0]}, score {guess_value[1]:.0f}"
                if guess_value
                else "aucune proposition"
            )
            value_lines.append(
                f"    {_yaml_key(answer)}: null  # {TO_COMPLETE} : réponse non reconnue ({hint})"
            )
    lines.extend(["values:", *value_lines] if value_lines else ["values: {}"])
    if profile == "limesurvey":
        lines.append("reponses_incompletes: rejeter  # ou : garder")
    lines.insert(6, f"# {todo} entrée(s) à compléter.")
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
    from iaobs.core.atomic import write_text
    from iaobs.ingest.profiles import read_for_profile

    if profile is None:
        probe = read_for_profile(
            source, "template-generic", dictionary, sheet=sheet, max_file_mb=max_file_mb
        )
        profile = detect_profile(probe)
    raw = read_for_profile(source, profile, dictionary, sheet=sheet, max_file_mb=max_file_mb)
    text = suggest_mapping(raw, dictionary, profile=profile)
    todo = sum(1 for line in text.splitlines() if TO_COMPLETE in line and not line.startswith("#"))
    path = write_text(Path(output), text)
    return path, profile, todo


# --------------------------------------------------------------------------------------------
# Rows a profile rejects

_INCOMPLETE_MESSAGE = {
    "fr": "réponse non envoyée (questionnaire abandonné avant la fin : pas de date de soumission)",
    "en": "response never submitted (questionnaire abandoned: no submission date)",
}


def move_profile_rejects(result: Any, mapped: pd.DataFrame, *, language: str = "fr") -> Any:
    """See :func:`iaobs.ingest.profiles.apply_profile_rejects`."""
    from iaobs.prepare.clean import CleanResult
    from iaobs.prepare.validate import BLOCKING, FINDING_COLUMNS, findings_summary

    if PROFILE_REJECT_COLUMN not in mapped.columns:
        return result
    marks = mapped[PROFILE_REJECT_COLUMN].astype(object)
    marked = mapped.loc[marks.map(lambda v: not _is_blank(v)).to_numpy()]
    if marked.empty:
        return result

    def keys(frame: pd.DataFrame) -> list[tuple[str, str, int]]:
        sheets = (
            frame["_source_sheet"] if "_source_sheet" in frame else pd.Series([None] * len(frame))
        )
        return [
            (str(f), "" if _is_blank(s) else str(s), int(r))
            for f, s, r in zip(frame["_source_file"], sheets, frame["_source_row"], strict=True)
        ]

    rule_of = dict(zip(keys(marked), marked[PROFILE_REJECT_COLUMN].astype(str), strict=True))
    message = _INCOMPLETE_MESSAGE.get(language, _INCOMPLETE_MESSAGE["fr"])
    responses = result.responses
    rejects = result.rejects.copy()
    moving = np.zeros(len(responses), dtype=bool)
    if not responses.empty and "_source_row" in responses:
        moving = np.array([k in rule_of for k in keys(responses)], dtype=bool)
    already = np.zeros(len(rejects), dtype=bool)
    if not rejects.empty and "_source_row" in rejects:
        already = np.array([k in rule_of for k in keys(rejects)], dtype=bool)
        for i in np.flatnonzero(already):
            rule = rule_of[keys(rejects.iloc[[i]])[0]]
            rules = str(rejects.iloc[i]["rules"] or "")
            if rule not in rules.split(","):
                rejects.iat[i, rejects.columns.get_loc("rules")] = ",".join(
                    filter(None, [rules, rule])
                )
                reasons = str(rejects.iloc[i]["reasons"] or "")
                rejects.iat[i, rejects.columns.get_loc("reasons")] = " | ".join(
                    filter(None, [reasons, message])
                )
    new_rejects = []
    findings = []
    if moving.any():
        source = responses.loc[moving]
        by_key = {k: i for i, k in enumerate(keys(mapped))}
        allowed = (
            [c for c in rejects.columns if c not in PROVENANCE_COLUMNS] if not rejects.empty else []
        )
        for key in keys(source):
            row = mapped.iloc[by_key[key]]
            record: dict[str, Any] = {
                "_source_file": key[0],
                "_source_sheet": row.get("_source_sheet"),
                "_source_row": key[2],
                "reasons": message,
                "rules": rule_of[key],
            }
            for column in allowed:
                if column not in record and column in mapped.columns:
                    value = row[column]
                    record[column] = "" if _is_blank(value) else str(value)
            new_rejects.append(record)
            findings.append(
                {
                    "file": key[0],
                    "sheet": row.get("_source_sheet"),
                    "row": key[2],
                    "column": "statut_reponse",
                    "value": "partiel",
                    "rule": rule_of[key],
                    "severity": BLOCKING,
                    "message": message,
                }
            )
    if not already.any() and not moving.any():
        return result
    if new_rejects:
        added = pd.DataFrame(new_rejects)
        rejects = added if rejects.empty else pd.concat([rejects, added], ignore_index=True)
    found = result.findings
    if findings:
        extra = pd.DataFrame(findings, columns=FINDING_COLUMNS)
        found = extra if found.empty else pd.concat([found, extra], ignore_index=True)
    kept = responses.loc[~moving].reset_index(drop=True)
    quality = dict(result.quality)
    quality["kept"] = len(kept)
    quality["rejected"] = len(rejects)
    quality["findings"] = findings_summary(found)
    by_rule: dict[str, int] = defaultdict(int)
    for rules in rejects.get("rules", pd.Series(dtype=object)):
        for rule in str(rules).split(","):
            if rule:
                by_rule[rule] += 1
    quality["rejected_by_rule"] = dict(sorted(by_rule.items()))
    return CleanResult(responses=kept, rejects=rejects, findings=found, quality=quality)
