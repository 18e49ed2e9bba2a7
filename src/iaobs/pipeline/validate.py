"""``iaobs validate``: every problem of a study in one pass, grouped, each with its fix.

Inside a study (``--study``, or a folder holding ``study.toml``), the files checked are the
study's declared sources with their declared profiles and mapping files; files named on the
command line are checked as the source they are declared as, and a mapping file (YAML) named
there is checked as a mapping file, never read as data. The problems come in four groups, in
the order a partner fixes them:

1. **configuration**: ``study.toml`` itself (when it does not load, nothing else can be
   checked);
2. **marges**: the population margins, every empty or invalid cell at once, then every stratum
   with respondents but no firm, or more respondents than firms;
3. **correspondances**: each mapping file;
4. **données**: each source file, read, mapped and cleaned as ``iaobs clean`` would (rows
   rejected by main reason, findings by rule with examples).

Nothing is written. The fixes never say to edit a raw file: a misread answer is fixed in the
mapping file, a wrong answer is a rejected row with its reason.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.errors import ConfigError, IaobsError
from iaobs.ingest.profiles.mapping import load_mapping
from iaobs.pipeline.clean import print_validation, validate_files, validation_conclusion
from iaobs.prepare.validate import empty_findings
from iaobs.stats.weights import read_margins, strata_problems
from iaobs.study.config import Study, load_study
from iaobs.study.dictionary import load_dictionary

__all__ = ["Checks", "check_study", "print_checks", "study_folder"]

MAPPING_SUFFIXES = (".yaml", ".yml")
GROUPS = {
    "configuration": "Configuration (study.toml)",
    "marges": "Marges de population",
    "correspondances": "Fichiers de correspondance",
    "donnees": "Données",
}


@dataclass
class Checks:
    """What ``iaobs validate`` found: problems per group (text, fix), then the data's
    findings and summary as :func:`~iaobs.pipeline.clean.validate_files` gives them."""

    problems: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: {g: [] for g in GROUPS}
    )
    findings: pd.DataFrame = field(default_factory=empty_findings)
    summary: dict[str, Any] = field(default_factory=lambda: {"files": []})
    notes: list[str] = field(default_factory=list)

    def add(self, group: str, error: IaobsError | str, fix: str = "") -> None:
        """Record a problem of ``group`` (an error's message and hint, or a text)."""
        if isinstance(error, IaobsError):
            self.problems[group].append((error.message, fix or error.hint or ""))
        else:
            self.problems[group].append((error, fix))

    @property
    def blocking(self) -> bool:
        """Whether anything blocks a clean run."""
        return any(self.problems.values()) or bool(self.summary.get("blocking"))


def study_folder(given: str | None, cwd: Path | None = None) -> Path | None:
    """The study to validate in: the one given, else the current folder when it holds a
    ``study.toml``."""
    if given:
        return Path(given)
    here = cwd or Path.cwd()
    return here if (here / "study.toml").is_file() else None


def check_study(
    folder: Path | None,
    files: list[Path],
    *,
    profile: str = "template",
    sector: str | None = None,
) -> Checks:
    """Check a study (or loose files) in one pass; see the module docstring."""
    checks = Checks()
    study: Study | None = None
    if folder is not None:
        try:
            study = load_study(folder)
        except ConfigError as exc:
            checks.add("configuration", exc)
            return checks
    data_files, mappings = _split_files(files, study, checks)
    if study is not None and not files:
        data_files = [Path(s.path) for s in study.sources]
        if not data_files:
            checks.add(
                "configuration",
                "aucune source déclarée dans study.toml",
                "ajoutez une section [[sources]] (path, profile) par export reçu",
            )
    broken = _check_mappings(study, data_files, mappings, checks)
    data_files = [p for p in data_files if p.resolve() not in broken]
    if data_files:
        checks.findings, checks.summary = validate_files(
            data_files, study=study, profile=profile, sector=sector
        )
    if study is not None:
        _check_margins(study, checks)
    return checks


def _split_files(
    files: list[Path], study: Study | None, checks: Checks
) -> tuple[list[Path], list[Path]]:
    """Data files and mapping files among those named on the command line."""
    declared_mappings = {
        s.mapping.resolve() for s in (study.sources if study else ()) if s.mapping is not None
    }
    data: list[Path] = []
    mappings: list[Path] = []
    for path in files:
        if path.suffix.lower() in MAPPING_SUFFIXES or path.resolve() in declared_mappings:
            mappings.append(path)
        else:
            data.append(path)
    return data, mappings


def _check_mappings(
    study: Study | None, data_files: list[Path], mappings: list[Path], checks: Checks
) -> set[Path]:
    """Load every mapping file concerned; the data files whose mapping fails (not checked
    further: their columns cannot be known)."""
    dictionary = study.dictionary if study is not None else None
    if dictionary is None:
        dictionary = load_dictionary()
    wanted: dict[Path, list[Path]] = {m.resolve(): [] for m in mappings}
    for source in study.sources if study is not None else ():
        if source.mapping is not None:
            users = wanted.setdefault(source.mapping.resolve(), [])
            users.append(Path(source.path).resolve())
    data = {p.resolve() for p in data_files}
    broken: set[Path] = set()
    for mapping, users in wanted.items():
        if users and not data & set(users) and mapping not in {m.resolve() for m in mappings}:
            continue  # a mapping of a source not checked this time
        try:
            load_mapping(mapping, dictionary)
        except ConfigError as exc:
            checks.add("correspondances", exc)
            broken.update(users)
            for user in users:
                checks.notes.append(f"{user.name} : non vérifié (sa correspondance est à corriger)")
    return broken


def _check_margins(study: Study, checks: Checks) -> None:
    margins_path = study.margins
    if margins_path is None:
        return
    try:
        margins = read_margins(margins_path)
    except ConfigError as exc:
        checks.add("marges", exc)
        return
    strata = checks.summary.get("kept_strata")
    names = list(study.weighting.strata)
    if strata is None or strata.empty or not set(names) <= set(strata.columns):
        return
    if not set(names) <= set(margins.columns):
        return
    keys = strata[names].dropna().astype(str)
    for problem, fix in strata_problems(margins, keys, names):
        checks.add("marges", problem, fix)


def print_checks(checks: Checks, language: str = "fr") -> bool:
    """Print the problems grouped, each with its fix, then the data; True when something
    blocks."""
    for group, title in GROUPS.items():
        if group == "donnees":
            continue
        found = checks.problems[group]
        if not found:
            print(f"{title} : aucun problème", flush=True)
            continue
        print(f"{title} : {len(found)} problème{'s' if len(found) > 1 else ''}", flush=True)
        for problem, fix in found:
            print(f"  ✗ {problem}", flush=True)
            if fix:
                print(f"    → {fix}", flush=True)
    print(f"{GROUPS['donnees']} :", flush=True)
    for note in checks.notes:
        print(f"  {note}", flush=True)
    data_blocks = False
    if checks.summary.get("files"):
        data_blocks = print_validation(
            checks.findings, checks.summary, language=language, conclude=False
        )
    elif not checks.notes:
        print("  aucun fichier à vérifier", flush=True)
    other = any(checks.problems.values())
    if other:
        print(
            "Corrigez d'abord les problèmes de configuration, de marges et de correspondance "
            "ci-dessus (chacun avec sa correction), puis relancez « iaobs validate ».",
            flush=True,
        )
    if data_blocks or not other:
        print(validation_conclusion(data_blocks, language), flush=True)
    for entry in checks.summary.get("files", []):
        if entry.get("status") != "ok":  # once, where errors go
            print(f"iaobs : erreur : {entry['message']}", file=sys.stderr, flush=True)
    return data_blocks or other
