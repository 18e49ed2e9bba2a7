"""The curated actors file: its published Table Schema, its blank template and its validation.

The observatory keeps a CSV of the region's AI actors that SIRENE's activity codes do not find
(research labs, schools, training bodies, support structures, large users…). Its columns follow
a Table Schema (frictionless) that iaobs publishes with every study, so that regions can feed
and merge their lists as the national open-data standards of schema.data.gouv.fr do:

======================  ==========================================================
``siret``               14 digits, optional; the key of the merge with SIRENE
``nom``                 the actor's name (required)
``type``                closed list :data:`ACTOR_TYPES` (required)
``sous_type``           free precision (« laboratoire CNRS », « pôle de compétitivité »)
``commune``             official commune code (``59350``) or name (``Lille``)
``departement``         official code (``59``, ``2A``, ``971``; required)
``site_web``            address of the actor's site (``https://…``)
``source``              where the row comes from (« annuaire du pôle », « site du labo »)
``date_maj``            date of the last check, ``AAAA-MM-JJ``
======================  ==========================================================

:func:`validate_actors` checks a file against it with frictionless and returns every problem
at once, each naming the file, the row and the field in one French sentence.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_text

__all__ = [
    "ACTOR_COLUMNS",
    "ACTOR_TYPES",
    "ACTOR_TYPES_EN",
    "ActorProblem",
    "actors_schema",
    "is_actors_file",
    "read_actors",
    "validate_actors",
    "write_actors_template",
]

#: The closed list of actor types: code → French label.
ACTOR_TYPES: Mapping[str, str] = {
    "laboratoire": "Laboratoire de recherche",
    "enseignement": "Établissement d'enseignement supérieur",
    "formation": "Organisme de formation",
    "startup": "Start-up",
    "entreprise": "Entreprise du numérique et de l'IA",
    "accompagnement": "Structure d'accompagnement",
    "utilisateur": "Grand utilisateur",
    "public": "Acteur public",
    "autre": "Autre",
}

#: The same types in English (reports in English).
ACTOR_TYPES_EN: Mapping[str, str] = {
    "laboratoire": "Research lab",
    "enseignement": "Higher-education institution",
    "formation": "Training body",
    "startup": "Start-up",
    "entreprise": "Digital and AI company",
    "accompagnement": "Support structure",
    "utilisateur": "Large user",
    "public": "Public body",
    "autre": "Other",
}

ACTOR_COLUMNS = (
    "siret",
    "nom",
    "type",
    "sous_type",
    "commune",
    "departement",
    "site_web",
    "source",
    "date_maj",
)

_DEPARTEMENT = r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$"


def actors_schema() -> dict[str, Any]:
    """The Table Schema (frictionless) of the curated actors file, as published."""
    field = _field
    return {
        "name": "acteurs-ia",
        "title": "Acteurs régionaux de l'intelligence artificielle",
        "description": (
            "Liste des acteurs régionaux de l'IA tenue par l'observatoire : une ligne par "
            "acteur, identifié par son SIRET quand il en a un."
        ),
        "fields": [
            field(
                "siret",
                "SIRET",
                "14 chiffres, sans espace ; vide pour un acteur sans SIRET",
                pattern=r"^\d{14}$",
                unique=True,
                example="13002654400014",
            ),
            field(
                "nom",
                "Nom",
                "Nom usuel de l'acteur",
                required=True,
                example="Laboratoire d'informatique de la région",
            ),
            field(
                "type",
                "Type",
                "Un des codes : " + ", ".join(ACTOR_TYPES),
                required=True,
                enum=list(ACTOR_TYPES),
                example="laboratoire",
            ),
            field(
                "sous_type",
                "Sous-type",
                "Précision libre (« laboratoire CNRS »…)",
                example="unité mixte de recherche",
            ),
            field(
                "commune", "Commune", "Code officiel (59350) ou nom de la commune", example="59350"
            ),
            field(
                "departement",
                "Département",
                "Code officiel du département",
                required=True,
                pattern=_DEPARTEMENT,
                example="59",
            ),
            field(
                "site_web",
                "Site web",
                "Adresse du site (https://…)",
                format="uri",
                example="https://www.exemple.fr",
            ),
            field(
                "source",
                "Source",
                "D'où vient la ligne (annuaire, site, contact)",
                example="site du laboratoire",
            ),
            field(
                "date_maj",
                "Date de mise à jour",
                "Date de la dernière vérification",
                type="date",
                example="2019-03-01",
            ),
        ],
        "primaryKey": [],
        "missingValues": [""],
    }


def _field(
    name: str,
    title: str,
    description: str,
    *,
    type: str = "string",
    required: bool = False,
    pattern: str | None = None,
    enum: list[str] | None = None,
    unique: bool = False,
    format: str | None = None,
    example: str = "",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "title": title,
        "description": description,
        "type": type,
        "example": example,
    }
    if format:
        out["format"] = format
    constraints: dict[str, Any] = {}
    if required:
        constraints["required"] = True
    if pattern:
        constraints["pattern"] = pattern
    if enum:
        constraints["enum"] = enum
    if unique:
        constraints["unique"] = True
    if constraints:
        out["constraints"] = constraints
    return out


@dataclass(frozen=True)
class ActorProblem:
    """One problem of the curated actors file: where it is and how to fix it (French)."""

    file: str
    row: int | None  # the line of the CSV file (the header is line 1)
    field: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.field:
            where.append(f"colonne « {self.field} »")
        return ", ".join(where) + " : " + self.message


def _message(error: Any, schema: Mapping[str, Any]) -> str:
    """A French sentence for a frictionless error."""
    code = error.type
    fields = {f["name"]: f for f in schema["fields"]}
    name = getattr(error, "field_name", None)
    spec = fields.get(name or "", {})
    cell = getattr(error, "cell", None)
    if code == "constraint-error":
        constraints = spec.get("constraints", {})
        if cell in (None, "") and constraints.get("required"):
            return "valeur obligatoire manquante ; remplissez la case"
        if "enum" in constraints and cell not in constraints["enum"]:
            return f"« {cell} » n'est pas un type connu ; choisissez parmi : " + ", ".join(
                constraints["enum"]
            )
        if name == "siret":
            return f"« {cell} » n'est pas un SIRET (14 chiffres sans espace) ; corrigez ou videz"
        if name == "departement":
            return f"« {cell} » n'est pas un code de département (59, 2A, 971…)"
        return f"« {cell} » ne respecte pas la règle de la colonne ({spec.get('description')})"
    if code == "type-error":
        if spec.get("type") == "date":
            return f"« {cell} » n'est pas une date ; écrivez AAAA-MM-JJ (2019-03-01)"
        if spec.get("format") == "uri":
            return f"« {cell} » n'est pas une adresse web ; écrivez-la en entier (https://…)"
        return f"« {cell} » n'a pas le type attendu ({spec.get('type')})"
    if code == "unique-error":
        return f"le SIRET « {cell} » figure déjà plus haut ; gardez une seule ligne par acteur"
    if code in {"missing-label", "missing-cell"} and name:
        return f"la colonne « {name} » manque ; reprenez l'en-tête du modèle (iaobs init)"
    if code in {"extra-label", "extra-cell"}:
        return "colonne en trop ; supprimez-la ou reprenez l'en-tête du modèle"
    if code in {"incorrect-label", "blank-label", "duplicate-label"}:
        return (
            f"en-tête « {getattr(error, 'label', '')} » inattendu ; les colonnes sont : "
            + ", ".join(ACTOR_COLUMNS)
        )
    if code == "blank-row":
        return "ligne vide ; supprimez-la"
    return str(getattr(error, "note", "") or error.message)


def validate_actors(path: str | Path) -> list[ActorProblem]:
    """Every problem of a curated actors CSV against :func:`actors_schema` (empty: valid).

    Rows are numbered as a spreadsheet shows them (the header is line 1). A file that cannot
    be read gives one problem without a row.
    """
    from frictionless import Resource, Schema  # lazy: frictionless only to check the file

    path = Path(path)
    if not path.is_file():
        return [
            ActorProblem(
                str(path),
                None,
                None,
                None,
                "fichier introuvable ; créez-le avec « iaobs init » ou corrigez "
                "[acteurs] curated dans study.toml",
            )
        ]
    schema = actors_schema()
    try:
        resource = Resource(
            path=path.name,
            basepath=str(path.parent),
            schema=Schema.from_descriptor(schema),
            format="csv",
            encoding="utf-8",
        )
        report = resource.validate()
    except Exception as exc:  # frictionless raises on unreadable files
        return [ActorProblem(str(path), None, None, None, f"fichier illisible ({exc})")]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            problems.append(
                ActorProblem(
                    file=path.name,
                    row=getattr(error, "row_number", None),
                    field=getattr(error, "field_name", None) or None,
                    value=None if getattr(error, "cell", None) is None else str(error.cell),
                    message=_message(error, schema),
                )
            )
    return problems


def is_actors_file(path: str | Path) -> bool:
    """Whether a file is a curated actors list: a CSV whose header holds ``siret``, ``nom``,
    ``type`` and ``departement`` (what ``iaobs validate`` checks against the schema)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt") or not path.is_file():
        return False
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return False
    names = {c.strip().strip('"').lower() for c in first.replace(";", ",").split(",")}
    return {"siret", "nom", "type", "departement"} <= names


def read_actors(path: str | Path) -> list[dict[str, str]]:
    """The rows of a curated actors CSV as dictionaries of strings (blank cells → ``""``),
    each with its line number under ``_ligne``. Check it first with :func:`validate_actors`."""
    text = Path(path).read_text("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        number = reader.line_num
        clean = {c: (row.get(c) or "").strip() for c in ACTOR_COLUMNS}
        if any(clean.values()):
            clean["_ligne"] = str(number)
            rows.append(clean)
    return rows


_README = """\
# Liste des acteurs régionaux de l'IA

`acteurs.csv` est la liste des acteurs de l'IA de la région que l'observatoire tient à jour :
laboratoires, écoles, organismes de formation, start-up, structures d'accompagnement, grands
utilisateurs… Les établissements des codes d'activité de l'offre d'IA (`[acteurs] naf` dans
`study.toml`) viennent déjà de SIRENE : ne les recopiez que pour corriger leur type ou leur nom.

Une ligne par acteur, encodage UTF-8, séparateur virgule. Colonnes (schéma `acteurs.schema.json`) :

{columns}

Types possibles : {types}.

Règles :
- un acteur qui a un SIRET le donne (14 chiffres) : c'est la clé de la fusion avec SIRENE, et la
  ligne de cette liste l'emporte sur SIRENE ;
- n'inscrivez que des informations publiques ; n'inscrivez jamais une entreprise parce qu'elle a
  répondu à l'enquête ;
- un établissement non diffusible dans SIRENE (statut P) est compté mais jamais nommé.

Vérifiez le fichier avec `iaobs validate data/raw/acteurs/acteurs.csv`.
"""


def write_actors_template(folder: str | Path, *, example: bool = False) -> list[Path]:
    """Write the blank curated file (header only), its schema and instructions in ``folder``.

    Returns the files written: ``acteurs.csv``, ``acteurs.schema.json``, ``LISEZMOI.md``.
    An existing ``acteurs.csv`` is never overwritten.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    schema = actors_schema()
    written = []
    target = folder / "acteurs.csv"
    if not target.exists():
        rows = [ACTOR_COLUMNS]
        if example:
            rows.append(tuple(f.get("example", "") for f in schema["fields"]))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        written.append(write_text(target, buffer.getvalue()))
    written.append(
        write_text(
            folder / "acteurs.schema.json", json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        )
    )
    columns = "\n".join(f"- `{f['name']}` : {f['description']}" for f in schema["fields"])
    types = ", ".join(f"`{code}` ({label})" for code, label in ACTOR_TYPES.items())
    written.append(write_text(folder / "LISEZMOI.md", _README.format(columns=columns, types=types)))
    return written
