"""Header → dictionary column mapping, one module per survey-tool export.

:func:`map_columns` renames the columns of a :class:`~iaobs.ingest.read.RawTable` that it recognises
to dictionary column names and keeps the others under their own names. How headers are
recognised depends on the *profile*: the kind of export the file is.

======================  ===================================================================
profile                 module
======================  ===================================================================
``template``            :mod:`iaobs.ingest.profiles.template` — the Excel input template and any
                        spreadsheet whose headers are variable names or labels
``tableur``             :mod:`iaobs.ingest.profiles.template` — a plain CSV or spreadsheet of
                        any tool: its first non-blank row is the header, whatever it says
``limesurvey``          :mod:`iaobs.ingest.profiles.limesurvey` — LimeSurvey exports
``google-forms``        :mod:`iaobs.ingest.profiles.google_forms` — Google Forms (Sheets / CSV)
``kobo``                :mod:`iaobs.ingest.profiles.kobo` — KoboToolbox exports
``surveymonkey``        :mod:`iaobs.ingest.profiles.surveymonkey` — SurveyMonkey (two header rows)
``sphinx``              :mod:`iaobs.ingest.profiles.sphinx` — Sphinx exports
``mapping``             :mod:`iaobs.ingest.profiles.mapping` — a partner's mapping file (YAML) on
                        top of one of the above
======================  ===================================================================

Survey-tool exports are read with :func:`read_for_profile` (generic header detection, both
header rows for SurveyMonkey). A profile may mark rows to reject (responses never submitted)
in the :data:`PROFILE_REJECT_COLUMN` column; :func:`apply_profile_rejects` moves them to the
rejects of a :class:`~iaobs.prepare.clean.CleanResult` with their reason.

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
from typing import Any

import pandas as pd

from iaobs.errors import ConfigError
from iaobs.ingest.read import RawTable
from iaobs.study.dictionary import Dictionary

__all__ = [
    "PROFILE_MODULES",
    "PROFILE_REJECT_COLUMN",
    "MappedTable",
    "ProfileFunction",
    "apply_profile_rejects",
    "available_profiles",
    "map_columns",
    "read_for_profile",
    "register_profile",
]

#: Column of a mapped frame holding, per row, the rule code of a row the profile rejects
#: (e.g. ``reponse_incomplete``), empty otherwise.
PROFILE_REJECT_COLUMN = "_profile_reject"


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
    ignored
        Columns deliberately not analysed: the survey tool's technical columns (kept in
        ``frame`` for traceability) and columns a mapping file ignores (removed).
    dropped
        Personal columns of the export (e-mail, names, IP address) removed from ``frame``.
    """

    frame: pd.DataFrame
    unmapped: list[str]
    renamed: dict[str, str]
    raw: RawTable
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


ProfileFunction = Callable[[RawTable, Dictionary, "Path | None"], MappedTable]

#: Profile name → module that registers it (imported on first use).
PROFILE_MODULES: dict[str, str] = {
    "template": "iaobs.ingest.profiles.template",
    "tableur": "iaobs.ingest.profiles.template",
    "limesurvey": "iaobs.ingest.profiles.limesurvey",
    "google-forms": "iaobs.ingest.profiles.google_forms",
    "kobo": "iaobs.ingest.profiles.kobo",
    "surveymonkey": "iaobs.ingest.profiles.surveymonkey",
    "sphinx": "iaobs.ingest.profiles.sphinx",
    "mapping": "iaobs.ingest.profiles.mapping",
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
        The table as read by :func:`iaobs.ingest.read.read_source`.
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


def read_for_profile(
    path: str | Path,
    profile: str,
    dictionary: Dictionary,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    max_file_mb: float = 200.0,
    mapping: Path | None = None,
) -> RawTable:
    """Read a source the way its profile needs.

    ``template`` reads with the dictionary (the header row must name at least two variables);
    every survey-tool profile, and ``mapping``, reads with generic header detection (the
    partner's headers are their own); ``surveymonkey`` merges its two header rows
    (question, then option) into one, ``Question [Option]``.

    Parameters
    ----------
    path, sheet, header_row, max_file_mb
        As for :func:`iaobs.ingest.read.read_source`.
    profile
        The source's profile (``template``, ``limesurvey``, …, or ``mapping``); the internal
        name ``template-generic`` reads without the dictionary (used to detect a profile).
    dictionary
        The questionnaire.
    mapping
        The mapping file, for the ``mapping`` profile (its ``profile`` says how to read).

    Returns
    -------
    RawTable
    """
    from iaobs.ingest.read import read_source

    if profile == "mapping" and mapping is not None:
        from iaobs.ingest.profiles.mapping import load_mapping

        profile = load_mapping(mapping, dictionary).profile
        if profile in ("template", "tableur"):
            profile = "template-generic"
    if profile == "template":
        return read_source(
            path, sheet=sheet, header_row=header_row, dictionary=dictionary, max_file_mb=max_file_mb
        )
    if profile == "surveymonkey":
        from iaobs.ingest.profiles.surveymonkey import read_surveymonkey

        return read_surveymonkey(path, sheet=sheet, header_row=header_row, max_file_mb=max_file_mb)
    return read_source(path, sheet=sheet, header_row=header_row, max_file_mb=max_file_mb)


def apply_profile_rejects(result: Any, mapped: pd.DataFrame, *, language: str = "fr") -> Any:
    """Move the rows a profile marked in :data:`PROFILE_REJECT_COLUMN` to the rejects.

    Parameters
    ----------
    result
        The :class:`~iaobs.prepare.clean.CleanResult` of cleaning ``mapped``.
    mapped
        The frame given to the cleaner (same provenance columns).
    language
        ``fr`` or ``en``: language of the reasons and findings.

    Returns
    -------
    CleanResult
        Rows read = kept + rejected still holds: marked rows leave ``responses`` for
        ``rejects`` (rule ``reponse_incomplete``, one blocking finding each); a marked row
        the cleaner already rejected gets the reason added.
    """
    from iaobs.ingest.profiles.mapping import move_profile_rejects

    return move_profile_rejects(result, mapped, language=language)
