"""Mapping files: how a partner's survey translates into the dictionary.

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

The ``mapping`` profile (:func:`iaobs.ingest.profiles.map_with_file`) hands the file to its
tool's profile, whose engine (:mod:`iaobs.ingest.profiles.engine`) applies the file's columns
and values first; :func:`iaobs.tools.suggest.suggest_mapping` drafts a mapping file for an
export.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from iaobs.core.contract import OUT_OF_SCOPE
from iaobs.errors import ConfigError
from iaobs.ingest.headers import header_key
from iaobs.ingest.profiles.base import TOOL_PROFILES
from iaobs.study.dictionary import Dictionary, normalise_text

__all__ = [
    "IGNORE",
    "INCOMPLETE_RULE",
    "TO_COMPLETE",
    "MappingFile",
    "load_mapping",
    "mapping_for",
    "parse_mapping",
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
    tools = list(TOOL_PROFILES)
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


def mapping_for(mapping: Path | MappingFile | None, dictionary: Dictionary) -> MappingFile | None:
    """The mapping file a profile was given, loaded (``None`` when there is none)."""
    if mapping is None or isinstance(mapping, MappingFile):
        return mapping
    return load_mapping(mapping, dictionary)
