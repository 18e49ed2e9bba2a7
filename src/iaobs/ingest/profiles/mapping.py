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

:func:`iaobs.ingest.profiles.suggest.suggest_mapping` drafts a mapping file for an export.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from iaobs.core.contract import OUT_OF_SCOPE
from iaobs.errors import ConfigError
from iaobs.ingest.profiles import (
    PROFILE_REJECT_COLUMN,
    MappedTable,
    map_columns,
    register_profile,
)
from iaobs.ingest.profiles.template import header_key, recognise_header
from iaobs.ingest.read import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary, Variable, normalise_text

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
]

#: Target of a column that a mapping file explicitly leaves out.
IGNORE = "ignore"
#: Rule code of a response the survey tool marks as not submitted.
INCOMPLETE_RULE = "reponse_incomplete"
#: Marker written in a draft mapping where the partner has something to fill.
TO_COMPLETE = "À COMPLÉTER"

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
    if var.name == "secteur":  # a sector outside the study: counted apart, never rejected
        return {**var.all_codes, OUT_OF_SCOPE: None}
    if var.is_coded:
        return dict(var.all_codes)
    if var.type == "bool":  # a yes/no question without a scale (ia_usage): 1 / 0
        return {"1": None, "0": None, "oui": None, "non": None}
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
    if spec.profile in ("template", "tableur"):
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


def detect_profile(raw: RawTable, dictionary: Dictionary | None = None) -> str:
    """Guess the survey tool that made an export from its columns.

    KoboToolbox: ``_uuid`` or ``_submission_time``; SurveyMonkey: ``Respondent ID`` or a
    second header row of ``Response`` / ``Open-Ended Response``; LimeSurvey: its system
    columns (``Response ID`` with ``Date submitted`` or ``Last page``, in English or French,
    or their codes ``submitdate``, ``lastpage``); Google Forms: a first column ``Horodateur``
    or ``Timestamp``; Sphinx: headers numbered ``1. Question``; otherwise ``template`` when
    at least two headers are dictionary names or labels, else ``tableur`` (a plain table of
    any tool, read with its own first row as the header).
    """
    from iaobs.ingest.profiles import google_forms, kobo, limesurvey, sphinx, surveymonkey

    for module in (kobo, surveymonkey, limesurvey, google_forms, sphinx):
        if module.looks_like(raw):
            return module.PROFILE
    if dictionary is not None:
        known = sum(1 for c in raw.columns if recognise_header(c, dictionary) is not None)
        if known < 2:
            return "tableur"
    return "template"


# --------------------------------------------------------------------------------------------
# Rows a profile rejects

_INCOMPLETE_MESSAGE = {
    "fr": "réponse non envoyée (questionnaire abandonné avant la fin : pas de date de soumission)",
    "en": "response never submitted (questionnaire abandoned: no submission date)",
}


def _incomplete_finding(
    key: tuple[str, str, int], row: pd.Series, rule: str, message: str
) -> dict[str, Any]:
    from iaobs.prepare.validate import BLOCKING

    return {
        "file": key[0],
        "sheet": row.get("_source_sheet"),
        "row": key[2],
        "column": "statut_reponse",
        "value": "partiel",
        "rule": rule,
        "severity": BLOCKING,
        "message": message,
    }


def move_profile_rejects(result: Any, mapped: pd.DataFrame, *, language: str = "fr") -> Any:
    """See :func:`iaobs.ingest.profiles.apply_profile_rejects`."""
    from iaobs.prepare.clean import CleanResult, rejected_counts
    from iaobs.prepare.validate import FINDING_COLUMNS, findings_summary

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
    new_rejects: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    moving = np.zeros(len(responses), dtype=bool)
    if not responses.empty and "_source_row" in responses:
        moving = np.array([k in rule_of for k in keys(responses)], dtype=bool)
    already = np.zeros(len(rejects), dtype=bool)
    if not rejects.empty and "_source_row" in rejects:
        already = np.array([k in rule_of for k in keys(rejects)], dtype=bool)
        for i in np.flatnonzero(already):
            # a response never submitted is that, whatever else is missing from it: one
            # reason, one finding (its other findings are consequences, like a note row's)
            key = keys(rejects.iloc[[i]])[0]
            rule = rule_of[key]
            rejects.iat[i, rejects.columns.get_loc("rules")] = rule
            rejects.iat[i, rejects.columns.get_loc("reasons")] = message
            findings.append(_incomplete_finding(key, rejects.iloc[i], rule, message))
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
            findings.append(_incomplete_finding(key, row, rule_of[key], message))
    if not already.any() and not moving.any():
        return result
    if new_rejects:
        added = pd.DataFrame(new_rejects)
        rejects = added if rejects.empty else pd.concat([rejects, added], ignore_index=True)
    found = result.findings
    if already.any() and not found.empty:
        superseded = {(k[0], k[2]) for k in rule_of}
        rows = pd.to_numeric(found["row"], errors="coerce")
        drop = [
            (str(f), int(r)) in superseded if pd.notna(r) else False
            for f, r in zip(found["file"], rows, strict=True)
        ]
        found = found.loc[~np.asarray(drop, dtype=bool)].reset_index(drop=True)
    if findings:
        extra = pd.DataFrame(findings, columns=FINDING_COLUMNS)
        found = extra if found.empty else pd.concat([found, extra], ignore_index=True)
    kept = responses.loc[~moving].reset_index(drop=True)
    quality = dict(result.quality)
    quality["kept"] = len(kept)
    quality["rejected"] = len(rejects)
    quality["findings"] = findings_summary(found)
    quality["rejected_by_rule"], quality["rejected_by_main_rule"] = rejected_counts(rejects)
    return CleanResult(responses=kept, rejects=rejects, findings=found, quality=quality)
