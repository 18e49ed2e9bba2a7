"""The parameter matrix of a study: which reports exist, their slugs, templates and parameters.

One report per sector that has data (``banque``, ``transport-logistique``…), the regional
overview (``synthese-regionale``), the data-quality report (``qualite-donnees``), the
pilot-training evaluation (``formation-pilote``, when the study has training answers) and one
short benchmark per volunteer company (``entreprise-<pseudonymous id>``, for every company that
answered ``volontaire_accompagnement = oui``). Each
report is a :class:`ReportSpec`; its parameters are checked against the typed ``parameters``
cell of its notebook template before anything is executed (:func:`check_parameters`).

Company reports are not for publication: the index page shows only their number, and the
list of which report belongs to which company is written for the observatory's staff alone in
``reports/<wave>/entreprises/index-personnel.csv`` (pseudonymous id, report folder, source file
and row; no name, no SIREN). The list of volunteers is read from ``responses.parquet`` once per
version of that file and remembered in ``.iaobs-cache/volontaires.json``.

This module imports nothing heavy: the unchanged-rerun path goes through it.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_json, write_text
from iaobs.core.resources import templates_dir
from iaobs.errors import ConfigError
from iaobs.study.store import Processed

__all__ = [
    "ACTORS_SLUG",
    "COMPANY_PREFIX",
    "OVERVIEW_SLUG",
    "QUALITY_SLUG",
    "STAFF_INDEX",
    "TRAINING_SLUG",
    "ReportSpec",
    "build_matrix",
    "check_parameters",
    "company_slug",
    "find_templates_dir",
    "sector_slug",
    "select_reports",
    "validate_slug",
    "volunteer_companies",
    "write_staff_index",
]

#: The ``module:function`` giving a report's tables and key figures when the study names none
#: (:mod:`iaobs.render.content` loads it in the report processes).
DEFAULT_PROVIDER = "iaobs.reports.content:report_content"
OVERVIEW_SLUG = "synthese-regionale"
QUALITY_SLUG = "qualite-donnees"
TRAINING_SLUG = "formation-pilote"
ACTORS_SLUG = "acteurs-ia"
COMPANY_PREFIX = "entreprise-"
#: staff-only listing of the company reports, relative to reports/<wave>/
STAFF_INDEX = Path("entreprises") / "index-personnel.csv"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MAX_SLUG = 64
# Names that would collide with the files of reports/<wave>/ or that Windows refuses.
_RESERVED = frozenset(
    {"index", "assets", "static", "cache", "tmp", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)

TEMPLATE_FILES = {
    "secteur": "secteur.py",
    "chiffres_cles": "chiffres_cles.py",
    "synthese": "synthese.py",
    "qualite": "qualite.py",
    "formation": "formation.py",
    "entreprise": "entreprise.py",
    "acteurs": "acteurs.py",
}


@dataclass(frozen=True)
class ReportSpec:
    """One report to render.

    Attributes
    ----------
    slug
        Folder name under ``reports/<wave>/`` (lowercase ASCII, hyphens).
    kind
        ``secteur``, ``synthese``, ``qualite``, ``formation`` or ``entreprise``: which template
        and which data it depends on.
    template
        The jupytext percent-format notebook template.
    parameters
        Values injected by papermill into the template's ``parameters`` cell.
    title
        Human title of the report (French or English, after the study's language).
    sector
        Sector code for a sector report, else ``None``.
    """

    slug: str
    kind: str
    template: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""
    sector: str | None = None


def validate_slug(slug: str) -> str:
    """Return ``slug`` when it is a safe folder name, else raise :class:`ConfigError`.

    A safe slug is lowercase ASCII letters and digits in groups joined by single hyphens
    (``transport-logistique``), at most 64 characters, and not a reserved name (``index``,
    ``con``, ``nul``…). Anything else (``..``, ``/``, spaces, accents, upper case) is refused.
    """
    if (
        not isinstance(slug, str)
        or len(slug) > _MAX_SLUG
        or not _SLUG.fullmatch(slug)
        or slug in _RESERVED
    ):
        raise ConfigError(
            f"nom de rapport invalide « {slug} »",
            hint=(
                "lettres minuscules sans accent, chiffres et tirets simples, 64 caractères "
                "au plus, ni « index » ni un nom réservé (ex. transport-logistique)"
            ),
        )
    return slug


def sector_slug(code: str) -> str:
    """The report slug of a sector code: ``transport_logistique`` → ``transport-logistique``."""
    return validate_slug(code.replace("_", "-"))


def find_templates_dir(study_root: Path, override: str | Path | None = None) -> Path:
    """Where the notebook templates are.

    In order: ``override``; the ``IAOBS_NOTEBOOKS`` environment variable; the study's own
    ``notebooks/`` folder (a partner may adapt the templates); the templates shipped in the
    package.
    """
    candidates: list[Path] = []
    if override is not None:
        candidates.append(Path(override))
    elif os.environ.get("IAOBS_NOTEBOOKS"):
        candidates.append(Path(os.environ["IAOBS_NOTEBOOKS"]))
    else:
        candidates.append(study_root / "notebooks")
        candidates.append(templates_dir())
    for folder in candidates:
        if (folder / TEMPLATE_FILES["secteur"]).is_file():
            return folder.resolve()
    raise ConfigError(
        "modèles de rapport introuvables (notebooks/secteur.py)",
        hint="cherché dans : " + ", ".join(str(c) for c in candidates),
    )


def build_matrix(
    study: Any,
    sectors_with_data: Iterable[str],
    templates_dir: Path,
) -> list[ReportSpec]:
    """Every report of a study, in publication order.

    Parameters
    ----------
    study
        The :class:`iaobs.study.config.Study`.
    sectors_with_data
        Sector codes that have at least one respondent in the indicators table.
    templates_dir
        Folder holding ``secteur.py``, ``synthese.py`` and ``qualite.py``.

    Raises
    ------
    ConfigError
        When a sector code does not give a safe slug, or two reports share a slug.
    """
    language = study.language
    sectors = study.dictionary.sectors
    with_data = set(sectors_with_data)
    specs: list[ReportSpec] = []
    for code, sector in sectors.items():
        if code not in with_data:
            continue
        specs.append(
            ReportSpec(
                slug=sector_slug(code),
                kind="secteur",
                template=templates_dir / TEMPLATE_FILES["secteur"],
                parameters={
                    "study_dir": str(study.root),
                    "sector": code,
                    "language": language,
                },
                title=sector.label.get(language),
                sector=code,
            )
        )
        key_template = templates_dir / TEMPLATE_FILES["chiffres_cles"]
        if key_template.is_file():  # the four-page summary of the sector
            specs.append(
                ReportSpec(
                    slug=validate_slug(f"{sector_slug(code)}-chiffres-cles"),
                    kind="chiffres_cles",
                    template=key_template,
                    parameters={"study_dir": str(study.root), "sector": code, "language": language},
                    title=(
                        f"{sector.label.get(language)}\u202f: chiffres clés"
                        if language != "en"
                        else f"{sector.label.get(language)}: key figures"
                    ),
                    sector=code,
                )
            )
    for slug, kind, fr, en in (
        (OVERVIEW_SLUG, "synthese", "Synthèse régionale", "Regional overview"),
        (QUALITY_SLUG, "qualite", "Qualité des données", "Data quality"),
    ):
        template = templates_dir / TEMPLATE_FILES[kind]
        if not template.is_file():
            continue
        specs.append(
            ReportSpec(
                slug=validate_slug(slug),
                kind=kind,
                template=template,
                parameters={"study_dir": str(study.root), "language": language},
                title=en if language == "en" else fr,
            )
        )
    processed = getattr(study, "processed_dir", None)
    if processed is not None:
        specs.extend(_training_specs(study, Path(processed), templates_dir))
        specs.extend(_actors_specs(study, Path(processed), templates_dir))
        specs.extend(_company_specs(study, Path(processed), templates_dir))
    seen: set[str] = set()
    for spec in specs:
        if spec.slug in seen:
            raise ConfigError(f"deux rapports portent le même nom « {spec.slug} »")
        seen.add(spec.slug)
    return specs


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _training_specs(study: Any, processed: Path, templates_dir: Path) -> list[ReportSpec]:
    """The pilot-training evaluation, when the study has training answers."""
    template = templates_dir / TEMPLATE_FILES["formation"]
    data = Processed(processed).formation
    if not template.is_file() or not data.is_file():
        return []
    english = study.language == "en"
    return [
        ReportSpec(
            slug=validate_slug(TRAINING_SLUG),
            kind="formation",
            template=template,
            parameters={
                "study_dir": str(study.root),
                "language": study.language,
                # formation.parquet is not part of the cache's data digest: its hash is
                "data_version": _file_digest(data),
            },
            title="Pilot training evaluation" if english else "Évaluation de la formation pilote",
        )
    ]


def _actors_specs(study: Any, processed: Path, templates_dir: Path) -> list[ReportSpec]:
    """The directory and map of the region's AI actors, when the actors stage wrote one."""
    template = templates_dir / TEMPLATE_FILES["acteurs"]
    data = Processed(processed).actors
    if not template.is_file() or not data.is_file():
        return []
    # the directories of the other waves (the change since the previous one) are read too
    others = sorted((Path(processed) / "waves").glob("*/acteurs.parquet"))
    version = hashlib.sha256(
        "".join(_file_digest(p) for p in [data, *others]).encode("ascii")
    ).hexdigest()
    english = study.language == "en"
    return [
        ReportSpec(
            slug=validate_slug(ACTORS_SLUG),
            kind="acteurs",
            template=template,
            parameters={
                "study_dir": str(study.root),
                "language": study.language,
                # acteurs.parquet is not part of the cache's data digest: its hash is
                "data_version": version,
            },
            title="AI actors: directory and map"
            if english
            else "Les acteurs de l'IA : annuaire et carte",
        )
    ]


def company_slug(company: str) -> str:
    """The report slug of a pseudonymous company id: ``E7175edc5b1`` → ``entreprise-e7175edc5b1``.

    Characters other than ASCII letters and digits become hyphens; the result is validated
    (:func:`validate_slug`).
    """
    core = re.sub(r"[^a-z0-9]+", "-", str(company).strip().lower()).strip("-")
    return validate_slug(COMPANY_PREFIX + core)


def volunteer_companies(study: Any) -> list[dict[str, Any]]:
    """The companies that asked for support (``volontaire_accompagnement = oui``).

    One record per company, in the order of ``responses.parquet``: ``id`` (pseudonymous
    ``id_repondant``), ``secteur``, ``taille``, ``source_file`` and ``source_row`` (where the
    observatory's staff find the company in the raw files). Empty when the file or the column
    is absent. The list is remembered per SHA-256 of the file in
    ``<study>/.iaobs-cache/volontaires.json`` so that an unchanged rerun reads no parquet.
    """
    path = Processed(Path(study.processed_dir)).responses
    if not path.is_file():
        return []
    digest = _file_digest(path)
    cache = Path(study.root) / ".iaobs-cache" / "volontaires.json"
    try:
        cached = json.loads(cache.read_text("utf-8"))
        if cached.get("sha256") == digest and isinstance(cached.get("companies"), list):
            return list(cached["companies"])
    except (OSError, ValueError, AttributeError):
        pass
    import pyarrow.parquet as pq  # lazy: pyarrow, read only when the company list changed

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise ConfigError(
            f"réponses des entreprises illisibles ({type(exc).__name__})",
            file=path,
            hint="relancez « iaobs run »",
        ) from exc
    companies: list[dict[str, Any]] = []
    if "id_repondant" in table.column_names and "volontaire_accompagnement" in table.column_names:
        for row in table.to_pylist():
            if str(row.get("volontaire_accompagnement")) != "oui" or not row.get("id_repondant"):
                continue
            companies.append(
                {
                    "id": str(row["id_repondant"]),
                    "secteur": str(row.get("secteur") or ""),
                    "taille": str(row.get("taille") or ""),
                    "source_file": str(row.get("_source_file") or ""),
                    "source_row": row.get("_source_row"),
                    # the company's own answers: its report's data (see _company_specs)
                    "digest": hashlib.sha256(
                        repr(sorted((k, repr(v)) for k, v in row.items())).encode()
                    ).hexdigest(),
                }
            )
    with contextlib.suppress(Exception):  # the cache is an optimisation only
        write_json(cache, {"sha256": digest, "companies": companies})
    return companies


def _company_specs(study: Any, processed: Path, templates_dir: Path) -> list[ReportSpec]:
    template = templates_dir / TEMPLATE_FILES["entreprise"]
    if not template.is_file():
        return []
    companies = volunteer_companies(study)
    if not companies:
        return []
    version = _file_digest(Processed(processed).responses)
    english = study.language == "en"
    specs = []
    for company in companies:
        try:
            slug = company_slug(company["id"])
        except ConfigError:
            continue  # an id that makes no safe folder name: listed as such in the staff index
        specs.append(
            ReportSpec(
                slug=slug,
                kind="entreprise",
                template=template,
                parameters={
                    "study_dir": str(study.root),
                    "company": company["id"],
                    "language": study.language,
                    # its own answers only: another company's changes leave it fresh
                    "data_version": str(company.get("digest") or version),
                },
                sector=str(company.get("secteur") or "") or None,
                title=(
                    f"Your company and its sector – {company['id']}"
                    if english
                    else f"Votre entreprise face à son secteur – {str(company['id']).lower()}"
                ),
            )
        )
    reports_dir = getattr(study, "reports_dir", None)
    if reports_dir is not None:
        write_staff_index(Path(reports_dir), companies, language=study.language)
    return specs


def write_staff_index(
    reports_dir: Path, companies: Sequence[Mapping[str, Any]], *, language: str = "fr"
) -> Path:
    """Write the staff-only list of company reports (``entreprises/index-personnel.csv``).

    First line: a warning that the file is for internal use only; then one row per volunteer
    company: pseudonymous id, report folder, sector, size class, source file and row (to find
    the company in the raw files, which alone hold its identity). Rewritten only when its
    content changes. Never linked from the public index page.
    """
    english = language == "en"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(
        [
            "# INTERNAL USE ONLY - DO NOT CIRCULATE: links each company report to a row of the "
            "raw files"
            if english
            else "# USAGE INTERNE - NE PAS DIFFUSER : relie chaque rapport d'entreprise à une "
            "ligne des fichiers bruts"
        ]
    )
    writer.writerow(
        ["id", "report", "sector", "size", "source_file", "source_row"]
        if english
        else ["identifiant", "rapport", "secteur", "taille", "fichier_source", "ligne_source"]
    )
    for company in companies:
        try:
            folder = company_slug(str(company["id"])) + "/"
        except ConfigError:
            folder = "(identifiant inutilisable comme nom de dossier)"
        writer.writerow(
            [
                company["id"],
                folder,
                company.get("secteur", ""),
                company.get("taille", ""),
                company.get("source_file", ""),
                "" if company.get("source_row") is None else company["source_row"],
            ]
        )
    text = buffer.getvalue()
    destination = Path(reports_dir) / STAFF_INDEX
    try:
        if destination.read_text("utf-8-sig") == text:
            return destination
    except OSError:
        pass
    return write_text(destination, "\ufeff" + text)


def select_reports(specs: Sequence[ReportSpec], only: Iterable[str] | None) -> list[ReportSpec]:
    """Keep the reports named in ``only`` (all when ``None``); an unknown slug is an error."""
    if only is None:
        return list(specs)
    wanted = [str(s).strip() for s in only if str(s).strip()]
    known = {spec.slug for spec in specs}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ConfigError(
            "rapport inconnu : " + ", ".join(f"« {s} »" for s in unknown),
            hint="rapports de l'étude : " + ", ".join(spec.slug for spec in specs),
        )
    return [spec for spec in specs if spec.slug in set(wanted)]


# --------------------------------------------------------------------------------------------
# Parameter types

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}
_SCALARS = (str, int, float, bool, type(None))


def _type_name(annotation: str | None) -> str | None:
    if not annotation or annotation == "None":
        return None
    text = annotation.replace(" ", "")
    text = re.sub(r"\|None$|^None\||^Optional\[(.*)\]$", r"\1", text)
    base = text.split("[", 1)[0].lower()
    return base if base in _TYPES else None


def check_parameters(
    slug: str,
    values: Mapping[str, Any],
    declared: Mapping[str, Mapping[str, Any]],
    template: Path,
) -> None:
    """Check report parameters against the notebook's declared ``parameters`` cell.

    Parameters
    ----------
    slug
        The report, named in the error message.
    values
        Parameters about to be injected.
    declared
        ``papermill.inspect_notebook`` output: name → {inferred_type_name, default, …}.
    template
        The template file, named in the error message.

    Raises
    ------
    ConfigError
        When a parameter is not declared by the notebook, or its value's type differs from the
        declared one (``bool`` is never accepted for ``int``), or a value is not a plain
        literal (str, int, float, bool, None, or a list/dict of these).
    """
    if not declared:
        raise ConfigError(
            f"rapport « {slug} » : le modèle n'a pas de cellule « parameters »",
            file=template,
            hint='ajoutez une cellule de code marquée « parameters » (tags=["parameters"])',
        )
    for name, value in values.items():
        if name not in declared:
            raise ConfigError(
                f"rapport « {slug} » : paramètre « {name} » absent de la cellule parameters",
                file=template,
                hint="paramètres du modèle : " + ", ".join(declared),
            )
        if not _is_literal(value):
            raise ConfigError(
                f"rapport « {slug} » : valeur du paramètre « {name} » non admise "
                f"({type(value).__name__})",
                file=template,
                hint="texte, nombre, booléen, ou liste/dictionnaire de ces valeurs",
            )
        expected = _type_name(declared[name].get("inferred_type_name"))
        if expected is None:
            continue
        ok = isinstance(value, _TYPES[expected])
        if expected in ("int", "float") and isinstance(value, bool):
            ok = False
        if not ok:
            raise ConfigError(
                f"rapport « {slug} » : le paramètre « {name} » doit être de type {expected}, "
                f"reçu {type(value).__name__} ({value!r})",
                file=template,
            )


def _is_literal(value: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(value, _SCALARS):
        return not (isinstance(value, float) and value != value)  # NaN has no literal
    if isinstance(value, list | tuple):
        return all(_is_literal(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_literal(v, depth + 1) for k, v in value.items())
    return False
