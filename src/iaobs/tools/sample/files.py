"""Respondents written the way branches send their files: styles, defects, workbooks and CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from iaobs.core.atomic import atomic_path, write_bytes
from iaobs.study.dictionary import Dictionary, Variable
from iaobs.tools.sample.model import (
    CREATED,
)
from iaobs.tools.sample.population import (
    _slug,
    _strip_accents,
)

FIRST_NAMES = (
    "Camille",
    "Julien",
    "Sophie",
    "Thomas",
    "Nadia",
    "Mehdi",
    "Claire",
    "Antoine",
    "Élodie",
    "Karim",
    "Pauline",
    "Nicolas",
    "Léa",
    "Hugo",
    "Amandine",
    "Sébastien",
    "Inès",
    "Mathieu",
    "Aurélie",
    "François",
    "Manon",
    "Rachid",
    "Céline",
    "Benoît",
    "Chloé",
    "Yann",
    "Sarah",
    "Guillaume",
    "Fatima",
    "Jérôme",
    "Laetitia",
    "Olivier",
    "Émilie",
    "Maxime",
    "Samia",
    "Cédric",
)
LAST_NAMES = (
    "Martin",
    "Lefebvre",
    "Dubois",
    "Leroy",
    "Delattre",
    "Vandenbussche",
    "Lemaire",
    "Descamps",
    "Dupont",
    "Duhamel",
    "Caron",
    "Lecomte",
    "Bernard",
    "Deschamps",
    "Vasseur",
    "Delcourt",
    "Bouchez",
    "Wattel",
    "Hennebelle",
    "Bonnet",
    "Fontaine",
    "Marchand",
    "Lambert",
    "Carpentier",
    "Benali",
    "Haddad",
    "Petit",
    "Moreau",
    "Lefranc",
    "Vermeulen",
    "Dhalluin",
    "Vandamme",
    "Poulain",
    "Mercier",
    "Roussel",
    "Boulanger",
    "Lenoir",
    "Dumont",
    "Lebrun",
    "Cappelle",
)
PLACES = (
    "Lille",
    "Roubaix",
    "Tourcoing",
    "Arras",
    "Amiens",
    "Beauvais",
    "Compiègne",
    "Laon",
    "Saint-Quentin",
    "Valenciennes",
    "Dunkerque",
    "Calais",
    "Boulogne",
    "Lens",
    "Douai",
    "Cambrai",
    "Maubeuge",
    "Abbeville",
    "Creil",
    "Soissons",
    "Béthune",
    "Saint-Omer",
    "Armentières",
    "Noyon",
)
NAME_PATTERNS = {
    "expertise_comptable": (
        "Cabinet {l}",
        "{l} & {l2} Expertise",
        "Fiduciaire de {p}",
        "{l} Audit Conseil",
    ),
    "banque": (
        "Banque {l} & Cie",
        "Comptoir financier de {p}",
        "{l} Finance",
        "Banque régionale de {p}",
    ),
    "assurance": ("Mutuelle de {p}", "{l} Assurances", "Cabinet {l} Courtage", "Prévoyance {p}"),
    "transport_logistique": ("Transports {l}", "{l} Logistique", "Messageries de {p}", "TLR {p}"),
    "logiciel": ("{l} Informatique", "{p} Digital", "Datavia {p}", "{l} Solutions Numériques"),
    "industrie": ("{l} Industries", "Ateliers {l}", "Fonderie de {p}", "Plasturgie {l}"),
}
LEGAL_FORMS = ("SAS", "SARL", "SA", "EURL", "")
COMMENTS = (
    "Nous attendons d'y voir plus clair sur le cadre juridique.",
    "Projet de chatbot pour le service client en cours.",
    "Difficile de trouver des formations adaptées aux petites structures.",
    "L'IA générative est utilisée par certains salariés sans cadre défini.",
    "Intéressés par un accompagnement collectif de la branche.",
    "Pas de projet pour l'instant, faute de temps.",
    "Besoin d'un diagnostic de nos données avant tout projet.",
)


@dataclass
class FileStyle:
    """How one branch writes its file (header, multi-select layout, value forms, mess)."""

    sector: str
    kind: str = "xlsx"  # xlsx or csv
    prefix: str = "R"
    header: str = "names"  # names, labels or mixed
    multi: str = "columns"  # columns (one 0/1 column per option) or cell (labels joined by "; ")
    flag_values: tuple[Any, Any] = (1, 0)  # checked, unchecked
    value_forms: tuple[float, float, float] = (0.75, 0.15, 0.10)  # label, code, variant
    date_forms: tuple[float, float, float, float] = (
        0.25,
        0.25,
        0.25,
        0.25,
    )  # datetime, serial, iso, fr
    dep_forms: tuple[float, float, float, float] = (0.6, 0.2, 0.1, 0.1)  # int, "02", name, "2"
    notes_above: tuple[str, ...] = ()
    notes_sheet: str = "Consignes"
    notes_first: bool = False
    footer: bool = False
    optional: tuple[str, ...] = ()  # secteur / taille / commentaire columns present
    band_rate: float = 0.04


#: How each branch writes its file: the settings every file states, one row per branch.
# fmt: off
_STYLE_TABLE: tuple[tuple[Any, ...], ...] = (
    # sector, prefix, header, multi, flags (checked, unchecked),
    #     value forms (label, code, variant), date forms (datetime, serial, iso, fr), optional
    ("banque", "BQ", "names", "columns", (1, 0),
        (0.30, 0.60, 0.10), (0.8, 0.1, 0.1, 0.0), ("secteur", "commentaire")),
    ("assurance", "AS", "labels", "columns", ("x", ""),
        (0.80, 0.05, 0.15), (0.0, 0.0, 0.1, 0.9), ("taille",)),
    ("transport_logistique", "TL", "names", "cell", ("Oui", "Non"),
        (0.85, 0.0, 0.15), (0.0, 0.4, 0.6, 0.0), ("commentaire",)),
    ("logiciel", "LOG", "labels", "cell", ("1", "0"),
        (0.70, 0.20, 0.10), (0.6, 0.0, 0.4, 0.0), ("commentaire",)),
    ("industrie", "IND", "mixed", "columns", ("Oui", "Non"),
        (0.70, 0.15, 0.15), (0.4, 0.3, 0.0, 0.3), ("secteur", "taille")),
    ("expertise_comptable", "EC", "labels", "cell", ("1", "0"),
        (0.80, 0.05, 0.15), (0.0, 0.0, 0.0, 1.0), ("secteur", "commentaire")),
)
# fmt: on

#: What sets a branch's file apart beyond the table: notes, sheets, footer, format.
_STYLE_EXTRAS: dict[str, dict[str, Any]] = {
    "banque": {
        "notes_above": (
            "Enquête IA et compétences — branche bancaire",
            "Extraction du 12/07/2019",
        ),
    },
    "assurance": {"dep_forms": (0.4, 0.1, 0.4, 0.1), "notes_sheet": "Notes"},
    "transport_logistique": {
        "notes_above": (
            "Observatoire régional de l'IA — réponses de la branche transport et logistique",
            "Fichier transmis par la délégation régionale",
            "Ne pas modifier les en-têtes",
        ),
        "footer": True,
    },
    "logiciel": {"notes_sheet": "Lisez-moi", "notes_first": True},
    "industrie": {
        "notes_above": ("Enquête régionale IA et compétences 2019 — industrie",),
        "notes_sheet": "Notes",
        "band_rate": 0.12,
    },
    "expertise_comptable": {"kind": "csv", "dep_forms": (0.5, 0.3, 0.0, 0.2)},
}


def _file_styles() -> list[FileStyle]:
    """One :class:`FileStyle` per branch, in the order the files are written."""
    return [
        FileStyle(
            sector,
            prefix=prefix,
            header=header,
            multi=multi,
            flag_values=flags,
            value_forms=value_forms,
            date_forms=date_forms,
            optional=optional,
            **_STYLE_EXTRAS.get(sector, {}),
        )
        for sector, prefix, header, multi, flags, value_forms, date_forms, optional in _STYLE_TABLE
    ]


def _variant(rng: np.random.Generator, label: str) -> str:
    """A hand-typed form of a label: case, accents, spaces or apostrophe changed."""
    k = int(rng.integers(5))
    if k == 0:
        return label.upper()
    if k == 1:
        return _strip_accents(label).lower()
    if k == 2:
        return "  " + label.replace(" ", "  ", 1) + " "
    if k == 3 and "'" in label:
        return label.replace("'", "\u2019")
    return label.lower()


NSP_FORMS = ("NSP", "nsp", "NSP (ne sait pas)", "Nsp")


@dataclass
class _Renderer:
    """Turns one respondent's codes into the cells of one branch's file."""

    rng: np.random.Generator
    dictionary: Dictionary
    style: FileStyle

    def form(self) -> int:
        return int(
            self.rng.choice(3, p=np.asarray(self.style.value_forms) / sum(self.style.value_forms))
        )

    def code(self, var: Variable, code: str) -> str:
        if code == "nsp" and self.rng.random() < 0.7:
            return str(NSP_FORMS[int(self.rng.integers(len(NSP_FORMS)))])
        label = var.all_codes[code].fr
        form = self.form()
        if form == 1:
            return code
        if form == 2:
            return _variant(self.rng, label)
        return label

    def date(self, day: date) -> Any:
        form = int(self.rng.choice(4, p=np.asarray(self.style.date_forms)))
        if self.style.kind == "csv":
            form = 3 if form < 2 else form
        if form == 0:
            return datetime(day.year, day.month, day.day)
        if form == 1:
            return (day - date(1899, 12, 30)).days
        if form == 2:
            return day.isoformat()
        return day.strftime("%d/%m/%Y")

    def departement(self, code: str) -> Any:
        form = int(self.rng.choice(4, p=np.asarray(self.style.dep_forms)))
        if form == 0:
            return int(code) if self.style.kind == "xlsx" else code
        if form == 1:
            return code
        if form == 2:
            return self.dictionary.departements[code]
        return str(int(code))

    def headcount(self, value: int) -> Any:
        if self.rng.random() < self.style.band_rate:
            for low, high in ((10, 49), (50, 249), (250, 499)):
                if low <= value <= high:
                    return f"{low} à {high}"
        if value >= 1000 and self.rng.random() < 0.6:
            spaces = (" ", "\u00a0") if self.style.kind == "csv" else (" ", "\u00a0", "\u202f")
            sep = spaces[int(self.rng.integers(len(spaces)))]
            return f"{value // 1000}{sep}{value % 1000:03d}"
        if self.style.kind == "csv" or self.rng.random() < 0.1:
            return str(value)
        return int(value)

    def naf(self, code: str) -> str:
        u = self.rng.random()
        if u < 0.3:
            return code.replace(".", "")
        if u < 0.4:
            return code.lower()
        return code

    def siren(self, number: str) -> Any:
        u = self.rng.random()
        if u < 0.2:
            return f"{number[:3]} {number[3:6]} {number[6:]}"
        if u < 0.5 and self.style.kind == "xlsx":
            return int(number)
        return number

    def flags(self, var: Variable, row: dict[str, Any]) -> list[Any]:
        values = [row.get(f"{var.name}__{o}") for o in var.options]
        if all(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
            return [None] * len(values)
        yes, no = self.style.flag_values
        if no == "" and not any(v == 1 for v in values):
            no = "0"  # "x" style: an answered question with nothing ticked is written 0
        return [yes if v == 1 else (no if no != "" else None) for v in values]

    def joined(self, var: Variable, row: dict[str, Any]) -> str | None:
        values = [row.get(f"{var.name}__{o}") for o in var.options]
        if all(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
            return None
        chosen = [o for o, v in zip(var.options, values, strict=True) if v == 1]
        parts = []
        for option in chosen:
            label = var.options[option].fr
            parts.append(_variant(self.rng, label) if self.form() == 2 else label)
        return "; ".join(parts)


def _columns(dictionary: Dictionary, style: FileStyle) -> list[tuple[str, str, str | None]]:
    """(header, variable, option/item or None; "*" for a multi answered in one cell)."""
    out: list[tuple[str, str, str | None]] = []
    for i, var in enumerate(dictionary):
        if var.derived or (
            var.name in ("secteur", "taille", "commentaire") and var.name not in style.optional
        ):
            continue
        use_names = style.header == "names" or (style.header == "mixed" and i % 2 == 0)
        if var.type == "multi" and (style.multi == "columns" or var.name == "techno"):
            for option, label in var.options.items():
                header = f"{var.name}__{option}" if use_names else f"{var.label.fr} : {label.fr}"
                out.append((header, var.name, option))
        elif var.type == "multi":
            out.append((var.name if use_names else var.label.fr, var.name, "*"))
        elif var.type == "matrix":
            for item, label in var.items.items():
                header = f"{var.name}__{item}" if use_names else f"{var.label.fr} : {label.fr}"
                out.append((header, var.name, item))
        else:
            out.append((var.name if use_names else var.label.fr, var.name, None))
    return out


PARTIAL_FROM = "part_formes_ia"  # a partial questionnaire stops before this question


def _render_row(
    r: _Renderer, columns: list[tuple[str, str, str | None]], row: dict[str, Any]
) -> list[Any]:
    dictionary = r.dictionary
    cells: list[Any] = []
    stopped = False
    done_multi: set[str] = set()
    multi_cells: dict[str, list[Any]] = {}
    for _header, name, sub in columns:
        var = dictionary[name]
        if name == PARTIAL_FROM and row["statut_reponse"] == "partiel":
            stopped = True
        if stopped or row.get("_blank_" + name):
            cells.append(None)
            continue
        if var.type == "multi" and sub == "*":
            cells.append(r.joined(var, row))
            continue
        if var.type == "multi":
            if name not in done_multi:
                multi_cells[name] = r.flags(var, row)
                done_multi.add(name)
            cells.append(multi_cells[name][list(var.options).index(sub)])  # type: ignore[arg-type]
            continue
        column = f"{name}__{sub}" if sub else name
        value = row.get(column)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            cells.append(None)
        elif name in row.get("_raw", {}):
            cells.append(row["_raw"][name])
        elif name == "date_reponse":
            cells.append(r.date(value))
        elif name == "siren":
            cells.append(r.siren(value))
        elif name == "naf_code":
            cells.append(r.naf(value))
        elif name == "departement":
            cells.append(r.departement(value))
        elif name == "effectif":
            cells.append(r.headcount(int(value)))
        elif name == "recrutements_ia_12m":
            v = int(value)
            if r.style.kind == "csv":
                cells.append(f"{v},0" if r.rng.random() < 0.3 else str(v))
            else:
                cells.append(v)
        elif var.is_coded:
            cells.append(r.code(var, str(value)))
        else:
            cells.append(value)
    return cells


# --------------------------------------------------------------------------------------------
# Writers


def _new_workbook(path: Path) -> xlsxwriter.Workbook:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {
            "title": "Enquête IA et compétences — données d'exemple",
            "author": "Observatoire régional de l'IA et des compétences",
            "company": "Observatoire régional",
            "created": CREATED,
        }
    )
    return workbook


def _write_sheet(
    workbook: xlsxwriter.Workbook, name: str, rows: list[list[Any]], bold_row: int | None = None
) -> None:
    sheet = workbook.add_worksheet(name)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    bold = workbook.add_format({"bold": True})
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(i, j, value, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(i, j, value)
            elif isinstance(value, int | float | np.integer | np.floating):
                sheet.write_number(i, j, float(value) if isinstance(value, float) else int(value))
            else:
                text = str(value)
                if text:
                    sheet.write_string(i, j, text, bold if i == bold_row else None)


def _write_xlsx(
    path: Path,
    data_sheet: str,
    rows: list[list[Any]],
    header_index: int,
    notes_sheet: str,
    notes: list[str],
    notes_first: bool,
) -> Path:
    with atomic_path(path) as tmp:
        workbook = _new_workbook(tmp)
        sheets = [(data_sheet, rows, header_index), (notes_sheet, [[n] for n in notes], None)]
        if notes_first:
            sheets.reverse()
        for name, content, bold_row in sheets:
            _write_sheet(workbook, name, content, bold_row)
        workbook.close()
    return path


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _write_csv(path: Path, rows: list[list[Any]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return write_bytes(path, buffer.getvalue().encode("cp1252"))


NOTES_SHEET_TEXT = (
    "Consignes de saisie",
    "Une ligne par entreprise répondante.",
    "Cases à cocher : une colonne par réponse possible (ou réponses séparées par « ; »).",
    "NSP = ne sait pas.",
    "Les colonnes SIREN, raison sociale et courriel sont confidentielles : elles servent au "
    "repérage des doublons et sont supprimées au nettoyage.",
    "Données fictives produites par « iaobs sample » : toute ressemblance avec une entreprise "
    "existante serait fortuite.",
)


@dataclass
class _Planted:
    """Confidential values and defects written into the raw files (for tests)."""

    confidential: dict[str, list[str]] = field(
        default_factory=lambda: {
            "siren": [],
            "raison_sociale": [],
            "email_contact": [],
            "nom_prenom": [],
        }
    )
    defects: list[dict[str, Any]] = field(default_factory=list)


def _company_identity(rng: np.random.Generator, sector: str, used: set[str]) -> tuple[str, str]:
    """A fake company name and a contact e-mail at a reserved example domain."""
    for _ in range(50):
        pattern = NAME_PATTERNS[sector][int(rng.integers(4))]
        name = pattern.format(
            l=LAST_NAMES[int(rng.integers(len(LAST_NAMES)))],
            l2=LAST_NAMES[int(rng.integers(len(LAST_NAMES)))],
            p=PLACES[int(rng.integers(len(PLACES)))],
        )
        form = LEGAL_FORMS[int(rng.integers(len(LEGAL_FORMS)))]
        name = re.sub(r"\bde ([AEIOUÉ])", r"d'\1", f"{name} {form}".strip())
        if name not in used:
            break
        name = f"{name} {int(rng.integers(2, 99))}"
        if name not in used:
            break
    used.add(name)
    first = _slug(FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))])
    last = _slug(LAST_NAMES[int(rng.integers(len(LAST_NAMES)))])
    domain = (_slug(name) or "entreprise")[:40]
    return name, f"{first}.{last}@{domain}.example.com"


def _sector_records(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    chosen: np.ndarray,
    sector: str,
    style: FileStyle,
    dictionary: Dictionary,
    sirens: list[str],
    used_names: set[str],
) -> list[dict[str, Any]]:
    """One record per respondent of a sector (codes), in the order they answered."""
    rows = frame.iloc[chosen].to_dict("records")
    start = date(2019, 3, 4)
    days = np.sort(rng.integers(0, 110, size=len(rows)))
    records = []
    for k, (row, day) in enumerate(zip(rows, days, strict=True)):
        row = dict(row)
        row["id_repondant"] = f"{style.prefix}-{k + 1:04d}"
        row["date_reponse"] = start + timedelta(days=int(day))
        row["statut_reponse"] = "partiel" if rng.random() < 0.06 else "complet"
        row["siren"] = sirens.pop()
        name, email = _company_identity(rng, sector, used_names)
        if sector == "expertise_comptable" and k == 0:
            name = "Cœur de Métiers Expertise"
        row["raison_sociale"] = name
        row["email_contact"] = email if rng.random() > 0.05 else None
        row["commentaire"] = (
            COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.08 else None
        )
        for var in dictionary:  # item non-response, about 1.5 % of the cells
            if (
                not var.required
                and var.type not in {"id"}
                and var.name
                not in {
                    "date_reponse",
                    "statut_reponse",
                    "siren",
                    "raison_sociale",
                    "naf_code",
                    "effectif",
                }
                and rng.random() < 0.015
            ):
                row["_blank_" + var.name] = True
        records.append(row)
    return records


def _perturb(
    rng: np.random.Generator, row: dict[str, Any], dictionary: Dictionary
) -> dict[str, Any]:
    """An earlier submission of the same firm: earlier date, a few different answers."""
    early = dict(row)
    early["date_reponse"] = row["date_reponse"] - timedelta(days=int(rng.integers(3, 21)))
    early["statut_reponse"] = "partiel" if rng.random() < 0.5 else "complet"
    names = ["ia_stade", "ia_generative", "budget_ia", "opinion_opportunite", "charte_ia"]
    for name in rng.choice(names, size=2, replace=False):
        codes = list(dictionary[str(name)].codes)
        early[str(name)] = codes[int(rng.integers(len(codes)))]
    return early


def _plant_defects(
    rng: np.random.Generator, records: list[dict[str, Any]], style: FileStyle
) -> None:
    """Impossible or contradictory values, marked in ``_defect`` and ``_raw`` of a record."""

    def pick() -> dict[str, Any] | None:
        free = [r for r in records if "_defect" not in r and not r.get("_duplicate")]
        return free[int(rng.integers(len(free)))] if free else None

    plans: dict[str, list[tuple[str, str, Any]]] = {
        "banque": [
            ("naf_secteur_incoherent", "naf_code", "62.01Z"),
            ("naf_secteur_incoherent", "naf_code", "6201Z"),
        ],
        "assurance": [("effectif_impossible", "effectif", -5)],
        "transport_logistique": [
            ("date_future", "date_reponse", "2031-04-12"),
            ("naf_secteur_incoherent", "naf_code", "6920Z"),
        ],
        "logiciel": [("recrutements_aberrants", "recrutements_ia_12m", 99999)],
        "industrie": [
            ("secteur_inconnu", "secteur", "Agroalimentaire"),
            ("secteur_inconnu", "secteur", "BTP"),
        ],
        "expertise_comptable": [("effectif_impossible", "effectif", "-5")],
    }
    for kind, column, value in plans.get(style.sector, []):
        record = pick()
        if record is None:
            return
        record["_defect"] = (kind, column, value)
        record.setdefault("_raw", {})[column] = value


def _layout_sector(
    rng: np.random.Generator,
    records: list[dict[str, Any]],
    style: FileStyle,
    dictionary: Dictionary,
    planted: _Planted,
    rel_path: str,
    sheet: str | None,
) -> tuple[list[list[Any]], int]:
    """The rows of the data sheet (notes, header, data with blanks and duplicates, footer)."""
    renderer = _Renderer(rng, dictionary, style)
    columns = _columns(dictionary, style)
    headers = [h for h, _, _ in columns]
    out: list[list[Any]] = []
    for note in style.notes_above:
        out.append([note])
    if style.notes_above:
        out.append([])
    header_index = len(out)
    out.append(list(headers))

    # duplicated submissions (~2 %): an earlier, partly different answer of the same firm
    n = len(records)
    n_dup = max(1, round(0.02 * n)) if n >= 10 else 0
    order: list[dict[str, Any]] = list(records)
    for i in rng.choice(n, size=n_dup, replace=False) if n_dup else []:
        later = records[int(i)]
        early = _perturb(rng, later, dictionary)
        early["_duplicate"] = True
        at = next(j for j, r in enumerate(order) if r is later)
        pos = int(rng.integers(0, at + 1))
        order.insert(pos, early)
        later["_has_earlier"] = early
    for k, row in enumerate(order):  # renumber in file order
        row["id_repondant"] = f"{style.prefix}-{k + 1:04d}"
    _plant_defects(rng, records, style)

    blank_after = (
        set(rng.choice(len(order), size=max(1, len(order) // 100), replace=False).tolist())
        if order
        else set()
    )
    row_of: dict[int, int] = {}
    for k, row in enumerate(order):
        cells = _render_row(renderer, columns, row)
        out.append(cells)
        excel_row = len(out)  # 1-based spreadsheet row / CSV line
        row_of[id(row)] = excel_row
        planted.confidential["siren"].append(row["siren"])
        planted.confidential["raison_sociale"].append(row["raison_sociale"])
        if row.get("email_contact"):
            planted.confidential["email_contact"].append(row["email_contact"])
        if "_defect" in row:
            kind, column, value = row["_defect"]
            header = (
                headers[[c[1] for c in columns].index(column)]
                if column in [c[1] for c in columns]
                else column
            )
            planted.defects.append(
                {
                    "file": rel_path,
                    "sheet": sheet,
                    "row": excel_row,
                    "column": header,
                    "value": value,
                    "kind": kind,
                }
            )
        if k in blank_after:
            out.append([])
            planted.defects.append(
                {
                    "file": rel_path,
                    "sheet": sheet,
                    "row": len(out),
                    "column": None,
                    "value": None,
                    "kind": "ligne_vide",
                }
            )
    for row in records:
        if "_has_earlier" in row:
            planted.defects.append(
                {
                    "file": rel_path,
                    "sheet": sheet,
                    "kind": "doublon_siren",
                    "row": row_of[id(row["_has_earlier"])],
                    "kept_row": row_of[id(row)],
                    "column": None,
                    "value": None,
                }
            )
    if style.footer:
        out.append([])
        out.append(["Total", f"{len(order)} réponses"])
        out.append(["Source : fédération régionale du transport et de la logistique, enquête 2019"])
        planted.defects.append(
            {
                "file": rel_path,
                "sheet": sheet,
                "row": len(out) - 1,
                "column": None,
                "value": "Total",
                "kind": "ligne_total",
            }
        )
    return out, header_index


# --------------------------------------------------------------------------------------------
# Pilot training
