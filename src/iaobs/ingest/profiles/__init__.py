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
in the :data:`PROFILE_REJECT_COLUMN` column;
:func:`iaobs.prepare.profile_rejects.apply_profile_rejects` moves them to the rejects of a
:class:`~iaobs.prepare.rejects.CleanResult` with their reason.

A profile is a function ``(raw, dictionary, mapping) -> MappedTable``. This module is the
registry: it imports every profile module (which import only :mod:`~iaobs.ingest.profiles.base`,
the engine and the mapping files, never this module), so that adding a survey tool is adding
one module and one line in :data:`PROFILE_MODULES`; :func:`register_profile` adds one from
outside.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from iaobs.errors import ConfigError
from iaobs.ingest.headers import recognise_header
from iaobs.ingest.profiles import (
    google_forms,
    kobo,
    limesurvey,
    sphinx,
    surveymonkey,
    template,
)
from iaobs.ingest.profiles.base import PROFILE_REJECT_COLUMN, MappedTable, ProfileFunction
from iaobs.ingest.profiles.engine import assemble, header_columns
from iaobs.ingest.profiles.mapping import load_mapping
from iaobs.ingest.read import read_source
from iaobs.ingest.table import RawTable
from iaobs.study.dictionary import Dictionary

__all__ = [
    "PROFILE_MODULES",
    "PROFILE_REJECT_COLUMN",
    "MappedTable",
    "ProfileFunction",
    "available_profiles",
    "detect_profile",
    "map_columns",
    "map_with_file",
    "read_for_profile",
    "register_profile",
]

#: Profile name → the module that implements it.
PROFILE_MODULES: dict[str, ModuleType] = {
    "template": template,
    "tableur": template,
    "limesurvey": limesurvey,
    "google-forms": google_forms,
    "kobo": kobo,
    "surveymonkey": surveymonkey,
    "sphinx": sphinx,
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
    return sorted(_REGISTRY)


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
    if profile == "mapping" and mapping is not None:
        profile = load_mapping(mapping, dictionary).profile
        if profile in ("template", "tableur"):
            profile = "template-generic"
    if profile == "template":
        return read_source(
            path, sheet=sheet, header_row=header_row, dictionary=dictionary, max_file_mb=max_file_mb
        )
    if profile == "surveymonkey":
        return surveymonkey.read_surveymonkey(
            path, sheet=sheet, header_row=header_row, max_file_mb=max_file_mb
        )
    return read_source(path, sheet=sheet, header_row=header_row, max_file_mb=max_file_mb)


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
    for module in (kobo, surveymonkey, limesurvey, google_forms, sphinx):
        if module.looks_like(raw):
            return module.PROFILE
    if dictionary is not None:
        known = sum(1 for c in raw.columns if recognise_header(c, dictionary) is not None)
        if known < 2:
            return "tableur"
    return "template"


_REGISTRY.update(
    {
        "template": template.map_template,
        "tableur": template.map_spreadsheet,
        limesurvey.PROFILE: limesurvey.map_limesurvey,
        google_forms.PROFILE: google_forms.map_google_forms,
        kobo.PROFILE: kobo.map_kobo,
        surveymonkey.PROFILE: surveymonkey.map_surveymonkey,
        sphinx.PROFILE: sphinx.map_sphinx,
        "mapping": map_with_file,
    }
)
