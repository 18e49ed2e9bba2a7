"""``donnees/``: the open-data package of a wave (Frictionless Data Package, Table Schemas).

Resources: the published indicators (cleared of secrecy, rounded, labelled), the comparisons
with the rest of the region and the evolution between waves when the study has them, and the
codebook from the dictionary. CSV files are UTF-8, comma-separated, with a header row and a
decimal point, as open-data portals expect; ``datapackage.json`` describes them with one Table
Schema each (``schemas/``), the Licence Ouverte 2.0 and how to cite the data.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core.atomic import write_text
from iaobs.render.excel import neutralise_formula
from iaobs.render.site.data import PUBLISHED_COLUMNS, SiteData, domain_kind
from iaobs.render.site.layout import WORDS, Page, typography
from iaobs.study.dictionary import Dictionary

__all__ = ["LICENCE", "codebook", "open_data_page", "write_open_data"]

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
#: The actors directory's open data, written by its report beside it (when the study has one).
ACTOR_FILES = (
    ("annuaire.csv", "annuaire.csv"),
    ("datapackage.json", "datapackage.json (annuaire)"),
)
FIELD_DOCS = {
    "indicator": ("string", "Indicateur (variable du dictionnaire ou indicateur dérivé)"),
    "level": (
        "string",
        "Modalité (vide pour une variable 0/1 ou une moyenne ; top2 : deux meilleures modalités)",
    ),
    "domain": ("string", "Domaine : all, secteur=…, taille=…, departement=…, ou leur croisement"),
    "statistic": ("string", "proportion (0–1) ou mean"),
    "estimate": ("number", "Estimation pondérée (proportion entre 0 et 1, ou moyenne)"),
    "ci_low": ("number", "Borne basse de l'intervalle de confiance à 95 %"),
    "ci_high": ("number", "Borne haute de l'intervalle de confiance à 95 %"),
    "n": ("integer", "Répondants de la base (non pondéré)"),
    "flag": ("string", "prudence : à interpréter avec prudence ; vide sinon"),
    "indicator_label": ("string", "Libellé de l'indicateur"),
    "level_label": ("string", "Libellé de la modalité"),
    "domain_kind": ("string", "Type de domaine"),
    "domain_label": ("string", "Libellé du domaine"),
    "theme": ("string", "Thème du questionnaire"),
    "wave": ("string", "Vague d'enquête"),
    "previous_wave": ("string", "Vague précédente comparée"),
    "difference": ("number", "Écart (en proportion, 0,05 = 5 points)"),
    "ci_low_difference": ("number", "Borne basse de l'intervalle de l'écart"),
    "ci_high_difference": ("number", "Borne haute de l'intervalle de l'écart"),
    "p_value": ("number", "Probabilité critique du test"),
    "significant": ("boolean", "Écart significatif au seuil de 5 %"),
}
CODEBOOK_FIELDS = (
    ("variable", "string", "Nom de la variable"),
    (
        "column",
        "string",
        "Colonne des données (variable__option pour une question à choix multiple)",
    ),
    ("type", "string", "Type : cat, ord, multi, bool, int, matrix…"),
    ("label", "string", "Libellé de la question ou de l'option"),
    ("code", "string", "Code d'une modalité (vide pour la ligne de la question)"),
    ("code_label", "string", "Libellé de la modalité"),
    ("missing", "boolean", "Modalité hors base (ne sait pas, non concerné)"),
)


@dataclass(frozen=True)
class Resource:
    """One CSV of the package and its schema."""

    name: str
    title: str
    frame: pd.DataFrame
    fields: Sequence[tuple[str, str, str]]


def _labelled(data: SiteData) -> pd.DataFrame:
    t = data.indicators[list(PUBLISHED_COLUMNS)].copy()
    pairs = t[["indicator", "level"]].drop_duplicates().itertuples(index=False, name=None)
    levels = {(i, lv): data.level_label(i, lv) for i, lv in pairs}
    indicators = t["indicator"].unique()
    t["indicator_label"] = t["indicator"].map({i: data.label(i) for i in indicators})
    t["level_label"] = [levels[k] for k in zip(t["indicator"], t["level"], strict=True)]
    domains = t["domain"].unique()
    t["domain_kind"] = t["domain"].map({d: domain_kind(d) for d in domains})
    t["domain_label"] = t["domain"].map({d: data.domain_label(d) for d in domains})
    t["theme"] = t["indicator"].map({i: data.theme(i) for i in indicators})
    return t


def codebook(dictionary: Dictionary, language: str) -> pd.DataFrame:
    """One row per published variable or column, then one per code, with labels."""
    rows: list[dict[str, Any]] = []
    for var in dictionary:
        if var.privacy != "public" or var.type in ("id", "text", "date"):
            continue
        for column in var.columns():
            rows.append(
                {
                    "variable": var.name,
                    "column": column,
                    "type": var.type,
                    "label": dictionary.column_label(column, language),
                    "code": "",
                    "code_label": "",
                    "missing": False,
                }
            )
            for code, label in var.codes.items():
                rows.append(
                    {
                        "variable": var.name,
                        "column": column,
                        "type": var.type,
                        "label": "",
                        "code": code,
                        "code_label": label.get(language),
                        "missing": False,
                    }
                )
            for code, label in var.missing.items():
                rows.append(
                    {
                        "variable": var.name,
                        "column": column,
                        "type": var.type,
                        "label": "",
                        "code": code,
                        "code_label": label.get(language),
                        "missing": True,
                    }
                )
    return pd.DataFrame(rows, columns=[f[0] for f in CODEBOOK_FIELDS])


def _fields(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [(c, *FIELD_DOCS.get(c, ("string", c))) for c in frame.columns]


def _resources(data: SiteData) -> list[Resource]:
    out = [Resource("indicateurs", "Indicateurs publiés", _labelled(data), [])]
    if not data.contrasts.empty:
        out.append(
            Resource("comparaisons", "Comparaisons avec le reste de la région", data.contrasts, [])
        )
    if not data.evolution.empty:
        out.append(Resource("evolution", "Évolution entre les vagues", data.evolution, []))
    book = codebook(data.dictionary, data.language)
    out.append(Resource("dictionnaire", "Dictionnaire des variables", book, list(CODEBOOK_FIELDS)))
    return [Resource(r.name, r.title, r.frame, r.fields or _fields(r.frame)) for r in out]


def _schema(resource: Resource) -> dict[str, Any]:
    fields = []
    for name, kind, description in resource.fields:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if kind == "boolean":
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        if name == "flag":
            field["constraints"] = {"enum": ["prudence"]}
        if name in ("indicator", "domain", "statistic", "variable", "column"):
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def _csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == bool or column in ("significant", "missing"):
            out[column] = out[column].map(
                lambda v: "" if pd.isna(v) else ("true" if bool(v) else "false")
            )
        elif not pd.api.types.is_numeric_dtype(out[column]):  # labels typed by partners: no formula
            out[column] = out[column].map(
                lambda v: (
                    neutralise_formula(v) if isinstance(v, str) and not _NUMBER.fullmatch(v) else v
                )
            )
    return out.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def write_open_data(
    folder: Path, data: SiteData, *, title: str, region: str, wave: str, created: str
) -> list[Path]:
    """Write the CSV files, their schemas and ``datapackage.json`` into ``folder``."""
    written = []
    resources = []
    for r in _resources(data):
        written.append(write_text(folder / f"{r.name}.csv", _csv(r.frame)))
        written.append(
            write_text(
                folder / "schemas" / f"{r.name}.json",
                json.dumps(_schema(r), ensure_ascii=False, indent=2) + "\n",
            )
        )
        resources.append(
            {
                "name": r.name,
                "title": r.title,
                "path": f"{r.name}.csv",
                "schema": f"schemas/{r.name}.json",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
            }
        )
    package = {
        "name": f"iaobs-{_slug(region)}-{_slug(wave)}",
        "title": f"{title} – {region} – {wave}",
        "description": (
            "Indicateurs de l'enquête de l'observatoire : estimations pondérées, intervalles "
            "de confiance à 95 %, cellules soumises au secret statistique retirées."
        ),
        "licenses": [LICENCE],
        "created": created,
        "keywords": ["intelligence artificielle", "compétences", "enquête", region],
        "sources": [{"title": f"{title}, enquête {wave} ; calculs de l'observatoire"}],
        "resources": resources,
    }
    written.append(
        write_text(
            folder / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2) + "\n"
        )
    )
    return written


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def citation(title: str, region: str, wave: str, year: str) -> str:
    """How to cite the data (French)."""
    return f"{title}, {region}, enquête {wave} ; données ouvertes publiées en {year}, Licence Ouverte 2.0."


def open_data_page(page: Page, files: Sequence[Path], *, cite: str, has_actors: bool) -> str:
    """``donnees/index.html``: the files, the licence and how to cite them."""
    esc, fr = html.escape, page.language == "fr"
    items = "".join(
        f'<li><a href="{esc(p.name, quote=True) if p.parent.name != "schemas" else "schemas/" + esc(p.name, quote=True)}">'
        f"{esc(p.name if p.parent.name != 'schemas' else 'schemas/' + p.name)}</a> "
        f"({esc(_size(p, page.language))})</li>"
        for p in files
    )
    actors = ""
    if has_actors:
        label = "Annuaire des acteurs de l'IA" if fr else "Directory of AI actors"
        links = [f'<li><a href="{page.href("acteurs-ia/report.html")}">{esc(label)}</a></li>']
        folder = files[0].parent.parent / "acteurs-ia" if files else None
        for name, text in ACTOR_FILES:
            if folder is not None and (folder / name).is_file():
                links.append(
                    f'<li><a href="{page.href("acteurs-ia/" + name)}">{esc(text)}</a></li>'
                )
        actors = f"<h2>{esc(label)}</h2><ul>{''.join(links)}</ul>"
    body = f"""<h1>{esc(WORDS[page.language]["data"])}</h1>
<p>{esc("Les indicateurs publiés sur ce site, au format CSV, décrits par un paquet de données Frictionless (datapackage.json) et un schéma par fichier. Les cellules soumises au secret statistique ou reposant sur trop peu de réponses en sont retirées ; les valeurs sont arrondies." if fr else "The indicators of this site as CSV, described by a Frictionless data package (datapackage.json) with one schema per file. Cells under statistical secrecy or resting on too few answers are removed; values are rounded.")}</p>
<h2>{esc("Fichiers" if fr else "Files")}</h2>
<ul>{items}</ul>
{actors}
<h2>Licence</h2>
<p>{esc("Les données sont publiées sous la " if fr else "The data are published under the ")}<a href="{esc(LICENCE["path"], quote=True)}" rel="license">{esc(LICENCE["title"])}</a>.</p>
<h2>{esc("Citer ces données" if fr else "How to cite")}</h2>
<p>{esc(cite)}</p>"""
    return page.render(
        title=WORDS[page.language]["data"], body=typography(body, page.language), current="data"
    )


def _size(path: Path, language: str) -> str:
    size = path.stat().st_size
    kilo = max(1, round(size / 1024))
    return f"{kilo}\u202fko" if language == "fr" else f"{kilo} KB"
