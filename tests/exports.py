"""Realistic made-up exports of the survey tools partners use, written to a folder.

Each builder writes one file as the tool exports it (headers, system columns, value
conventions) and returns its path; ``EXPECTED`` gives the codes the cleaner must produce.
Five companies answer; the LimeSurvey export adds one response never submitted.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

#: What the five complete responses must give once mapped and cleaned (by respondent order).
EXPECTED = {
    "secteur": ["banque", "industrie", "transport_logistique", "logiciel", "assurance"],
    "taille": ["pme", "tpe", "eti", "pme", "ge"],
    "ia_stade": [
        "deploiement_partiel",
        "aucun",
        "experimentation",
        "deploiement_generalise",
        "nsp",
    ],
    "techno__analyse_texte": [1, 0, 1, 1, None],
    "techno__generation_images": [0, 0, 1, 1, None],
    "techno__generation_langage": [1, 0, 0, 1, None],
}

SECTORS_FR = [
    "Banque",
    "Industrie",
    "Transport et logistique",
    "Logiciel et numérique",
    "Assurance et prévoyance",
]
HEADCOUNTS = ["120", "8", "1 300", "45", "6000"]
STAGES_FR = [
    "Déploiement partiel",
    "Aucun usage ni projet",
    "Expérimentation (test, POC)",
    "Déploiement généralisé",
    "NSP (ne sait pas)",
]
TEXT = "Analyse de texte (fouille de textes)"
IMAGES = "Génération d'images, de vidéos ou de sons"
LANGUAGE = "Génération de langage (texte, code)"
TICKS = [(TEXT, LANGUAGE), (), (TEXT, IMAGES), (TEXT, IMAGES, LANGUAGE), None]
COMMENTS = [
    "Projet pilote\nsur la relation client",
    "",
    "Entrepôt « automatisé », bientôt",
    "",
    "Trop tôt pour dire",
]


def _csv(path: Path, rows: list[list[str]], *, sep: str = ",", bom: bool = True) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")
    return path


def _xlsx(
    path: Path, rows: list[list[object]], sheets: dict[str, list[list[object]]] | None = None
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = path.stem[:31]
    for row in rows:
        sheet.append(row)
    for name, extra in (sheets or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(row)
    book.save(path)
    return path


# --------------------------------------------------------------------------------------------
# LimeSurvey


LS_SYSTEM = [
    "Response ID",
    "Date submitted",
    "Last page",
    "Start language",
    "Seed",
    "Date started",
    "Date last action",
    "IP address",
    "Referrer URL",
]
LS_SYSTEM_FR = [
    "ID de la réponse",
    "Date de soumission",
    "Dernière page",
    "Langue de départ",
    "Tête de série",
    "Date de début",
    "Date de la dernière action",
    "Adresse IP",
    "URL de provenance",
]


def limesurvey_export(folder: Path, *, headings: str = "text", french: bool = False) -> Path:
    """A LimeSurvey CSV export of our questionnaire (full answers, Y/blank subquestions).

    ``headings``: ``text`` (question text, our labels), ``code`` (codes Q01…) or ``both``
    (``Q01. Text``). The sixth response was never submitted (no submission date).
    """
    questions = [
        ("Q01", "Secteur de l'observatoire"),
        ("Q02", "Effectif salarié"),
        ("Q03", "Stade d'adoption de l'IA"),
        ("Q04[SQ001]", f"Technologies d'IA utilisées [{TEXT}]"),
        ("Q04[SQ002]", f"Technologies d'IA utilisées [{IMAGES}]"),
        ("Q04[SQ003]", f"Technologies d'IA utilisées [{LANGUAGE}]"),
        ("Q05", "Commentaire libre"),
    ]

    def head(code: str, text: str) -> str:
        return {"text": text, "code": code, "both": f"{code}. {text}"}[headings]

    header = [*(LS_SYSTEM_FR if french else LS_SYSTEM), *(head(c, t) for c, t in questions)]
    rows = [header]
    for i in range(6):
        submitted = i < 5
        k = i if submitted else 0
        ticks = TICKS[k]
        flags = [
            ("Y" if ticks is not None and label in ticks else "")
            for label in (TEXT, IMAGES, LANGUAGE)
        ]
        rows.append(
            [
                str(100 + i),
                f"2024-03-{10 + i:02d} 10:1{i}:00" if submitted else "",
                "3" if submitted else "1",
                "fr",
                str(123456 + i),
                f"2024-03-{10 + i:02d} 10:0{i}:00",
                f"2024-03-{10 + i:02d} 10:1{i}:00",
                f"192.168.0.{i + 1}",
                "https://partenaire.example/enquete",
                SECTORS_FR[k],
                HEADCOUNTS[k] if submitted else "",
                STAGES_FR[k] if submitted else "",
                *(flags if submitted else ["", "", ""]),
                COMMENTS[k] if submitted else "",
            ]
        )
    return _csv(folder / f"limesurvey_{headings}.csv", rows, sep=",")


def limesurvey_code_mapping() -> str:
    """The mapping file a partner writes for :func:`limesurvey_export` with code headings."""
    return """profile: limesurvey
columns:
  Q01: secteur
  Q02: effectif
  Q03: ia_stade
  Q04: techno          # the multiple-choice question as a whole
  Q05: commentaire
values:
  techno: {SQ001: analyse_texte, SQ002: generation_images, SQ003: generation_langage}
"""


def limesurvey_foreign_export(folder: Path) -> Path:
    """A LimeSurvey export of a survey that is NOT ours ("both" headings).

    Different order, slightly different wording, answer labels of its own (size bands,
    sector labels), codes answered with full text, and extra questions.
    """
    header = [
        *LS_SYSTEM,
        "Q01. Quelle est la taille de votre entreprise (nombre de salariés) ?",
        "Q02. Votre secteur d'activité principal",
        "Q03. Avez-vous un site internet ?",
        "Q04. Stade d'adoption de l'intelligence artificielle dans l'entreprise",
        "Q05[SQ001]. Technologies d'IA utilisées [Analyse de textes]",
        "Q05[SQ002]. Technologies d'IA utilisées [Génération d'images ou de vidéos]",
        "Q05[SQ003]. Technologies d'IA utilisées [Génération de texte ou de code]",
        "Q06. Nombre de sites en région",
        "Q07. Commentaire libre",
    ]
    sizes = [
        "10 à 249 salariés",
        "Moins de 10 salariés",
        "250 à 4999 salariés",
        "10 à 249 salariés",
        "5000 salariés et plus",
    ]
    sectors = [
        "Banque / Finance",
        "Industrie manufacturière",
        "Transport, logistique",
        "Édition de logiciels, numérique",
        "Assurances",
    ]
    stages = [
        "Déploiement partiel",
        "Aucun usage, aucun projet",
        "Expérimentation",
        "Déploiement généralisé",
        "Je ne sais pas",
    ]
    rows = [header]
    for i in range(5):
        ticks = TICKS[i]
        flags = [
            ("Y" if ticks is not None and label in ticks else "")
            for label in (TEXT, IMAGES, LANGUAGE)
        ]
        rows.append(
            [
                str(200 + i),
                f"2024-05-{10 + i:02d} 09:00:00",
                "4",
                "fr",
                str(99 + i),
                f"2024-05-{10 + i:02d} 08:50:00",
                f"2024-05-{10 + i:02d} 09:00:00",
                "10.0.0.1",
                "",
                sizes[i],
                sectors[i],
                "Oui" if i % 2 else "Non",
                stages[i],
                *flags,
                str(i + 1),
                COMMENTS[i],
            ]
        )
    return _csv(folder / "limesurvey_partenaire.csv", rows, sep=";")


#: How the foreign survey's entries must be completed (what a partner would write).
FOREIGN_COLUMNS = {
    "Q01. Quelle est la taille de votre entreprise (nombre de salariés) ?": "taille",
    "Q02. Votre secteur d'activité principal": "secteur",
    "Q03. Avez-vous un site internet ?": "ignore",
    "Q04. Stade d'adoption de l'intelligence artificielle dans l'entreprise": "ia_stade",
    "Q05[SQ001]. Technologies d'IA utilisées [Analyse de textes]": "techno__analyse_texte",
    "Q05[SQ002]. Technologies d'IA utilisées [Génération d'images ou de vidéos]": "techno__generation_images",
    "Q05[SQ003]. Technologies d'IA utilisées [Génération de texte ou de code]": "techno__generation_langage",
    "Q06. Nombre de sites en région": "ignore",
    "Q07. Commentaire libre": "commentaire",
}
FOREIGN_VALUES = {
    "taille": {
        "10 à 249 salariés": "pme",
        "Moins de 10 salariés": "tpe",
        "250 à 4999 salariés": "eti",
        "5000 salariés et plus": "ge",
    },
    "secteur": {
        "Banque / Finance": "banque",
        "Industrie manufacturière": "industrie",
        "Transport, logistique": "transport_logistique",
        "Édition de logiciels, numérique": "logiciel",
        "Assurances": "assurance",
    },
    "ia_stade": {
        "Aucun usage, aucun projet": "aucun",
        "Expérimentation": "experimentation",
        "Je ne sais pas": "nsp",
    },
}


# --------------------------------------------------------------------------------------------
# Google Forms


def google_forms_export(folder: Path, *, english: bool = False) -> Path:
    """A Google Forms CSV (Sheets download): timestamp first, checkboxes joined by ``, ``."""
    header = [
        "Timestamp" if english else "Horodateur",
        "Adresse e-mail",
        "Secteur de l'observatoire",
        "Effectif salarié",
        "Stade d'adoption de l'IA",
        "Technologies d'IA utilisées",
        "Commentaire libre",
    ]
    rows = [header]
    for i in range(5):
        ticks = TICKS[i]
        when = f"3/{14 + i}/2024 9:3{i}:00" if english else f"{14 + i}/03/2024 09:3{i}:00"
        if i == 0:  # an ambiguous date: 4 March 2024 (French) / April 3 (English)
            when = "4/3/2024 9:30:00" if english else "04/03/2024 09:30:00"
        rows.append(
            [
                when,
                f"contact{i}@entreprise.example",
                SECTORS_FR[i],
                HEADCOUNTS[i],
                STAGES_FR[i],
                "Aucune" if ticks == () else (", ".join(ticks) if ticks else ""),
                COMMENTS[i],
            ]
        )
    return _csv(folder / "google_forms.csv", rows, sep=",", bom=False)


# --------------------------------------------------------------------------------------------
# KoboToolbox


KOBO_CHOICES = {TEXT: "analyse_texte", IMAGES: "images", LANGUAGE: "generation_langage"}


def kobo_export(folder: Path) -> Path:
    """A Kobo "XML values and headers" XLSX: group paths, space-separated multi, 0/1 columns,
    metadata, and a repeat-group sheet."""
    header = [
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "identification/secteur",
        "identification/effectif",
        "adoption/ia_stade",
        "adoption/techno",
        "adoption/techno/analyse_texte",
        "adoption/techno/images",
        "adoption/techno/generation_langage",
        "commentaire",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
    ]
    sectors = ["banque", "industrie", "transport_logistique", "logiciel", "assurance"]
    stages = ["deploiement_partiel", "aucun", "experimentation", "deploiement_generalise", "nsp"]
    rows: list[list[object]] = [header]
    for i in range(5):
        ticks = TICKS[i]
        names = [KOBO_CHOICES[t] for t in (TEXT, IMAGES, LANGUAGE) if ticks and t in ticks]
        flags = [
            (1 if ticks and t in ticks else 0) if ticks is not None else None
            for t in (TEXT, IMAGES, LANGUAGE)
        ]
        rows.append(
            [
                f"2024-03-14T10:0{i}:00.000+01:00",
                f"2024-03-14T10:1{i}:00.000+01:00",
                "2024-03-14",
                f"collect:abc{i}",
                "agent_enqueteur",
                sectors[i],
                int(HEADCOUNTS[i].replace(" ", "")),
                stages[i],
                " ".join(names) if ticks is not None else None,
                *flags,
                COMMENTS[i] or None,
                1000 + i,
                f"uuid-{i:04d}",
                f"2024-03-14T09:1{i}:00",
                None,
                None,
                "submitted_via_web",
                None,
                "vABC",
                None,
                i + 1,
            ]
        )
    repeat = [
        ["contact/nom", "_index", "_parent_table_name", "_parent_index"],
        ["Dupont", 1, "kobo", 1],
    ]
    return _xlsx(folder / "kobo.xlsx", rows, sheets={"contacts": repeat})


KOBO_MAPPING = """profile: kobo
values:
  techno: {images: generation_images}
"""


# --------------------------------------------------------------------------------------------
# SurveyMonkey


def surveymonkey_export(folder: Path, *, xlsx: bool = True) -> Path:
    """A SurveyMonkey "all responses" export: two header rows, US dates, personal columns."""
    first = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
        "Secteur de l'observatoire",
        "Effectif salarié",
        "Stade d'adoption de l'IA",
        "Technologies d'IA utilisées",
        "",
        "",
        "",
        "Commentaire libre",
    ]
    second = [
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Response",
        "Open-Ended Response",
        "Response",
        TEXT,
        IMAGES,
        LANGUAGE,
        "Other (please specify)",
        "Open-Ended Response",
    ]
    rows: list[list[object]] = [first, second]
    for i in range(5):
        ticks = TICKS[i]
        cells = [(t if ticks and t in ticks else "") for t in (TEXT, IMAGES, LANGUAGE)]
        rows.append(
            [
                str(11400000000 + i),
                "4321",
                f"03/{14 + i}/2024 09:0{i}:00 AM",
                f"04/0{i + 1}/2024 0{i + 1}:30:00 PM",
                f"82.64.0.{i}",
                f"dg{i}@entreprise.example",
                "Camille",
                f"Martin{i}",
                "ref-secret",
                SECTORS_FR[i],
                HEADCOUNTS[i],
                STAGES_FR[i],
                *cells,
                "chatbot maison" if i == 3 else "",
                COMMENTS[i],
            ]
        )
    if xlsx:
        return _xlsx(folder / "surveymonkey.xlsx", rows)
    return _csv(folder / "surveymonkey.csv", [[str(c) for c in r] for r in rows])


#: End Date of each response, in ISO (the export writes 04/0N/2024 0N:30 PM: April N).
SURVEYMONKEY_DATES = [f"2024-04-0{i + 1}" for i in range(5)]


# --------------------------------------------------------------------------------------------
# Sphinx


def sphinx_export(folder: Path) -> Path:
    """A Sphinx XLSX export: numbered question headers, multi answers joined by ``/``."""
    header = [
        "1. Secteur de l'observatoire",
        "2. Effectif salarié",
        "3. Stade d'adoption de l'IA",
        "4. Technologies d'IA utilisées",
        "5. Commentaire libre",
    ]
    rows: list[list[object]] = [header]
    for i in range(5):
        ticks = TICKS[i]
        rows.append(
            [
                SECTORS_FR[i],
                int(HEADCOUNTS[i].replace(" ", "")),
                STAGES_FR[i],
                "Aucune" if ticks == () else (" / ".join(ticks) if ticks else None),
                COMMENTS[i] or None,
            ]
        )
    return _xlsx(folder / "sphinx.xlsx", rows)


def sphinx_coded_export(folder: Path) -> Path:
    """A Sphinx CSV export with answer codes (ranks), multi joined by ``;``."""
    header = ["Q1 - Secteur", "Q2 - Taille", "Q3 - Technologies"]
    rows = [header, ["2", "2", "1;3"], ["6", "1", ""], ["4", "3", "1;2"]]
    return _csv(folder / "sphinx_codes.csv", rows, sep=";")


SPHINX_CODED_MAPPING = """profile: sphinx
columns:
  Q1: secteur
  Q2: taille
  Q3: techno
values:
  secteur: {"1": expertise_comptable, "2": banque, "3": assurance, "4": transport_logistique,
            "5": logiciel, "6": industrie}
  taille: {"1": tpe, "2": pme, "3": eti, "4": ge}
  techno: {"1": analyse_texte, "2": reconnaissance_vocale, "3": generation_langage}
"""
