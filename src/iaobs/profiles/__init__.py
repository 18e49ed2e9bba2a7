"""Header → dictionary column mapping, one module per survey-tool export.

:func:`map_columns` renames the columns of a :class:`~iaobs.read.RawTable` that it recognises
to dictionary column names and keeps the others under their own names. How headers are
recognised depends on the *profile*: the kind of export the file is.

======================  ===================================================================
profile                 module
======================  ===================================================================
``template``            :mod:`iaobs.profiles.template` — the Excel input template and any
                        spreadsheet whose headers are variable names or labels
======================  ===================================================================

A profile is a function ``(raw, dictionary, mapping) -> MappedTable`` registered under its name
with :func:`register_profile`; profiles listed in :data:`PROFILE_MODULES` are imported on first
use, so that adding a survey tool (LimeSurvey, Google Forms, KoboToolbox, SurveyMonkey,
Sphinx, a partner's mapping file) is adding one module and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from iaobs.dictionary import Dictionary
from iaobs.errors import ConfigError
from iaobs.read import RawTable

__all__ = [
    "PROFILE_MODULES",
    "MappedTable",
    "ProfileFunction",
    "available_profiles",
    "map_columns",
    "register_profile",
]


@dataclass
class MappedTable:
    """A raw table whose recognised columns carry dictionary column names.

    Attributes
    ----------
    frame
        The raw frame with recognised columns renamed to dictionary column names
        (``ia_stade``, ``techno__analyse_texte``, ``techno`` for a multi answered in one cell),
        unrecognised columns kept under their own names, provenance columns kept.
    unmapped
        Columns of ``frame`` that are not dictionary columns (their names as in ``frame``,
        including ``<column>.doublon`` for a second column mapping to an already mapped one).
    renamed
        Original header → dictionary column, for every recognised column.
    raw
        The table as read.
    notes
        What the mapping decided (duplicates, ambiguous headers), in French.
    """

    frame: pd.DataFrame
    unmapped: list[str]
    renamed: dict[str, str]
    raw: RawTable
    notes: list[str] = field(default_factory=list)


ProfileFunction = Callable[[RawTable, Dictionary, "Path | None"], MappedTable]

#: Profile name → module that registers it (imported on first use).
PROFILE_MODULES: dict[str, str] = {
    "template": "iaobs.profiles.template",
}

_REGISTRY: dict[str, ProfileFunction] = {}


def register_profile(name: str) -> Callable[[ProfileFunction], ProfileFunction]:
    """Decorator registering a profile function under ``name``."""

    def decorate(function: ProfileFunction) -> ProfileFunction:
        _REGISTRY[name] = function
        return function

    return decorate


def available_profiles() -> list[str]:
    """Names of the profiles that can be used, sorted."""
    return sorted(set(PROFILE_MODULES) | set(_REGISTRY))


def map_columns(
    raw: RawTable,
    dictionary: Dictionary,
    profile: str = "template",
    mapping: Path | None = None,
) -> MappedTable:
    """Rename the recognised columns of ``raw`` to dictionary column names.

    Parameters
    ----------
    raw
        The table as read by :func:`iaobs.read.read_source`.
    dictionary
        The questionnaire whose column names are the targets.
    profile
        The kind of export (``template`` by default; see the module docstring).
    mapping
        A partner's mapping file, for profiles that use one.

    Returns
    -------
    MappedTable

    Raises
    ------
    ConfigError
        The profile is unknown.
    """
    function = _REGISTRY.get(profile)
    if function is None and profile in PROFILE_MODULES:
        importlib.import_module(PROFILE_MODULES[profile])
        function = _REGISTRY.get(profile)
    if function is None:
        raise ConfigError(
            f"profil d'import inconnu : « {profile} » (profils disponibles : "
            + ", ".join(available_profiles())
            + ")",
            hint="corrigez « profile » dans la section [[sources]] de study.toml",
        )
    return function(raw, dictionary, mapping)
