"""A new partner with two real-looking exports, through the command line only.

A LimeSurvey export with full-question-text headers longer than 200 characters, answers in
French, English and German, responses never submitted, anonymised dates (1980-01-01), size
bands that straddle the class limits, sectors the study does not cover; and a plain CSV export
of another tool, compressed (``.csv.gz``), with English headers and headcounts. The partner
runs ``iaobs init``, ``iaobs map suggest`` on each export, completes only the entries marked
« À COMPLÉTER », declares the exports, runs ``iaobs validate`` then ``iaobs run`` (HTML only):
every sector report is rendered, the counts on screen equal ``quality.json``, and the
sector × size counts of the responses equal a pandas crosstab of the input.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.slow

# --------------------------------------------------------------------------------------------
# The LimeSurvey export (full question text headings)

LS_SYSTEM = ["Response ID", "Date submitted", "Last page", "Start language", "Seed"]
Q_SECTOR = (
    "Dans quel secteur d'activité votre entreprise exerce-t-elle principalement ? Merci de "
    "retenir l'activité principale de l'établissement qui répond à ce questionnaire, même si "
    "le groupe auquel il appartient intervient dans plusieurs secteurs (une seule réponse)."
)
Q_SIZE = (
    "Quelle est la tranche d'effectif de votre entreprise, tous établissements confondus en "
    "France, en comptant les salariés à temps partiel et les apprentis mais sans les "
    "intérimaires ni les stagiaires, au dernier jour de l'année écoulée ?"
)
Q_STAGE = (
    "À quel stade d'adoption de l'intelligence artificielle votre entreprise se trouve-t-elle "
    "aujourd'hui ? Choisissez la proposition qui décrit le mieux la situation de l'ensemble "
    "de l'entreprise, et non celle d'un service ou d'un projet en particulier."
)
Q_JOBS = (
    "Au cours des douze derniers mois, votre entreprise a-t-elle créé des postes ou des "
    "métiers nouveaux directement liés à l'intelligence artificielle (data scientist, "
    "ingénieur en apprentissage automatique, chef de projet IA, etc.) ?"
)
Q_WEB = (
    "Votre entreprise dispose-t-elle d'un site internet permettant la prise de commande ou de "
    "rendez-vous en ligne par ses clients, qu'il soit développé en interne ou fourni par un "
    "prestataire extérieur (place de marché, plateforme de réservation) ?"
)
Q_COMMENT = "Commentaire libre"
#: answer as exported (French, English and German) → the code the partner means
LS_SECTORS = {
    "Banque, finance": "banque",
    "Banking, finance": "banque",
    "Bankwesen, Finanzen": "banque",
    "Assurance, mutuelle": "assurance",
    "Industrie manufacturière": "industrie",
    "Manufacturing industry": "industrie",
    "Transport et entreposage": "transport_logistique",
    "Édition de logiciels, services numériques": "logiciel",
    "Cabinet d'expertise comptable": "expertise_comptable",
    "Agriculture, sylviculture et pêche": "hors_champ",
    "Landwirtschaft": "hors_champ",
    "Autre": "hors_champ",
}
LS_SIZES = {
    "1 à 9 salariés": "tpe",
    "10 à 49 salariés": "pme",
    "50 à 200 salariés": "pme",
    "201 à 500 salariés": "eti",  # straddles 249/250: the partner decides (most firms > 250)
    "501 à 4 999 salariés": "eti",
    "5 000 salariés et plus": "ge",
}
LS_STAGES = [
    "Aucun usage ni projet",
    "Expérimentation (test, POC)",
    "Déploiement partiel",
    "Déploiement généralisé",
    "Je ne sais pas",
]
YES_NO = {
    "fr": ["Oui", "Non", "Je ne sais pas"],
    "en": ["Yes", "No", "I don't know."],
    "de": ["Ja", "Nein", "Weiß nicht"],
}
COMMENTS = {
    "fr": ["Projet pilote\nsur la relation client", "", "RAS"],
    "en": ["Too early to say", "", "Chatbot in test"],
    "de": ["Noch zu früh", "", "Pilotprojekt läuft"],
}


def _limesurvey(folder: Path, responses: int = 140, seed: int = 18) -> Path:
    rng = random.Random(seed)
    header = [*LS_SYSTEM, Q_SECTOR, Q_SIZE, Q_STAGE, Q_JOBS, Q_WEB, Q_COMMENT]
    assert all(len(h) > 200 for h in (Q_SECTOR, Q_SIZE, Q_STAGE, Q_JOBS, Q_WEB))
    rows = [header]
    sectors = list(LS_SECTORS)
    sizes = list(LS_SIZES)
    for i in range(responses):
        language = rng.choice(["fr", "fr", "en", "de"])
        submitted = rng.random() > 0.12
        sector = rng.choice(sectors)
        size = rng.choices(sizes, weights=[30, 30, 20, 10, 8, 2])[0]
        rows.append(
            [
                str(1000 + i),
                "1980-01-01 00:00:00" if submitted else "",  # an anonymised survey
                "3" if submitted else "1",
                language,
                str(rng.randint(1, 10**6)),
                sector,
                size if submitted or rng.random() < 0.5 else "",
                rng.choice(LS_STAGES) if submitted else "",
                rng.choice(YES_NO[language]) if submitted else "",
                rng.choice(["Oui", "Non"]) if submitted else "",
                rng.choice(COMMENTS[language]) if submitted else "",
            ]
        )
    path = folder / "limesurvey_enquete.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    return path


# --------------------------------------------------------------------------------------------
# The plain CSV export of another tool, compressed

CSV_SECTOR = "In which industry does your company mainly operate?"
CSV_SIZE = "How many employees does your company have (headcount)?"
CSV_JOBS = "Has your company created new jobs related to AI in the last twelve months?"
CSV_SECTORS = {
    "Banking": "banque",
    "Insurance": "assurance",
    "Manufacturing": "industrie",
    "Logistics & transport": "transport_logistique",
    "Software / IT services": "logiciel",
    "Public administration": "hors_champ",
}
SIZE_CLASSES = [(0, 9, "tpe"), (10, 249, "pme"), (250, 4999, "eti"), (5000, None, "ge")]


def _size_of(headcount: int) -> str:
    return next(
        c for lo, hi, c in SIZE_CLASSES if headcount >= lo and (hi is None or headcount <= hi)
    )


def _plain_csv(folder: Path, responses: int = 260, seed: int = 19) -> Path:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Company ID", CSV_SECTOR, CSV_SIZE, CSV_JOBS, "Comments"])
    for i in range(responses):
        headcount = rng.choice([rng.randint(1, 9), rng.randint(10, 249), rng.randint(250, 900)])
        writer.writerow(
            [
                f"C{i:04d}",
                rng.choice(list(CSV_SECTORS)),
                str(headcount),
                rng.choice(["Yes", "No", "Don't know"]),
                rng.choice(["", "n/a", "Interesting survey, thanks"]),
            ]
        )
    path = folder / "autre_outil.csv.gz"
    path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8")))
    return path


# --------------------------------------------------------------------------------------------
# What the partner does


def _iaobs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("IAOBS_NOTEBOOKS", None)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("iaobs")), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=1500,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _fill_margins(study: Path) -> None:
    path = study / "data" / "reference" / "population.csv"
    frame = pd.read_csv(path, dtype=str)
    frame["n_entreprises"] = frame["taille"].map({"tpe": 400, "pme": 90, "eti": 12, "ge": 3})
    frame.to_csv(path, index=False)


def _complete(mapping: Path, columns: dict[str, str], values: dict[str, dict[str, str]]) -> int:
    """Fill only the entries left « À COMPLÉTER » (null), as the partner would."""
    text = mapping.read_text("utf-8")
    data = yaml.safe_load(text)
    done = 0
    for column, target in data["columns"].items():
        if target is None:
            data["columns"][column] = columns[column]
            done += 1
    for variable, table in (data.get("values") or {}).items():
        for answer, code in table.items():
            if code is None:
                table[answer] = values[variable][answer]
                done += 1
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return done


def _check_proposals(mapping: Path, columns: dict[str, str], values: dict) -> None:
    """What map suggest proposed on its own is what the partner means (never hand-repaired)."""
    data = yaml.safe_load(mapping.read_text("utf-8"))
    for column, target in data["columns"].items():
        if target is not None and column in columns:
            assert target == columns[column], (column, target)
    for variable, table in (data.get("values") or {}).items():
        for answer, code in table.items():
            if code is not None and answer in values.get(variable, {}):
                assert code == values[variable][answer], (variable, answer, code)


def _expected(ls: Path, plain: Path) -> pd.DataFrame:
    """secteur × taille of the accepted responses, computed from the raw files by pandas."""
    frame = pd.read_csv(ls, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame[frame["Date submitted"] != ""]
    ls_cells = pd.DataFrame(
        {"secteur": frame[Q_SECTOR].map(LS_SECTORS), "taille": frame[Q_SIZE].map(LS_SIZES)}
    )
    other = pd.read_csv(plain, dtype=str, keep_default_na=False)
    csv_cells = pd.DataFrame(
        {
            "secteur": other[CSV_SECTOR].map(CSV_SECTORS),
            "taille": other[CSV_SIZE].astype(int).map(_size_of),
        }
    )
    cells = pd.concat([ls_cells, csv_cells], ignore_index=True)
    cells = cells[cells["secteur"] != "hors_champ"]
    return pd.crosstab(cells["secteur"], cells["taille"])


def test_a_partner_reaches_reports_with_real_looking_exports(tmp_path: Path) -> None:
    study = tmp_path / "occitanie"
    assert (
        _iaobs(
            "init", str(study), "--region", "Occitanie", "--wave", "2025", cwd=tmp_path
        ).returncode
        == 0
    )
    _fill_margins(study)
    raw = study / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    ls, plain = _limesurvey(raw), _plain_csv(raw)

    partner_columns = {
        Q_SECTOR: "secteur",
        Q_SIZE: "taille",
        Q_STAGE: "ia_stade",
        Q_JOBS: "nouveaux_metiers",
        Q_WEB: "ignore",
        Q_COMMENT: "commentaire",
        "Company ID": "id_repondant",
        CSV_SECTOR: "secteur",
        CSV_SIZE: "effectif",
        CSV_JOBS: "nouveaux_metiers",
        "Comments": "commentaire",
    }
    partner_values = {
        "secteur": {**LS_SECTORS, **CSV_SECTORS},
        "taille": LS_SIZES,
        "ia_stade": {"Je ne sais pas": "nsp"},
        "nouveaux_metiers": {"Don't know": "nsp", "I don't know.": "nsp"},
    }
    for export, name in ((ls, "correspondance_ls.yaml"), (plain, "correspondance_csv.yaml")):
        done = _iaobs("map", "suggest", str(export.relative_to(study)), "--output", name, cwd=study)
        assert done.returncode == 0, done.stdout + done.stderr
        mapping = study / name
        yaml.safe_load(mapping.read_text("utf-8"))  # the draft loads as written
        _check_proposals(mapping, partner_columns, partner_values)
        _complete(mapping, partner_columns, partner_values)
        assert "À COMPLÉTER" not in yaml.safe_dump(yaml.safe_load(mapping.read_text("utf-8")))
    assert "profile: tableur" in (study / "correspondance_csv.yaml").read_text("utf-8")

    toml = study / "study.toml"
    toml.write_text(
        toml.read_text("utf-8") + '\n[[sources]]\npath = "data/raw/limesurvey_enquete.csv"\n'
        'profile = "correspondance_ls.yaml"\n'
        '\n[[sources]]\npath = "data/raw/autre_outil.csv.gz"\nprofile = "correspondance_csv.yaml"\n',
        "utf-8",
    )
    done = _iaobs("validate", cwd=study)  # inside the study: its sources and profiles
    assert done.returncode == 0, done.stdout + done.stderr
    assert "date_improbable" not in done.stdout  # the anonymised placeholder is no warning
    assert "fichiers sources" not in done.stdout

    done = _iaobs("run", ".", "--quiet", "--format", "html", "--jobs", "1", cwd=study)
    assert done.returncode == 0, done.stdout + done.stderr

    quality = json.loads((study / "data" / "processed" / "quality.json").read_text("utf-8"))
    totals = quality["totals"]
    assert totals["read"] == totals["kept"] + totals["rejected"] + totals["out_of_scope"]
    assert totals["out_of_scope"] > 0 and totals["rejected"] > 0
    assert sum(totals["rejected_by_main_rule"].values()) == totals["rejected"]
    for entry in quality["files"]:  # the counts on screen are quality.json's
        line = f"{entry['file']} : {entry['read']} lignes lues, {entry['kept']} retenues"
        assert line in done.stdout.replace("\u202f", ""), (line, done.stdout)

    responses = pd.read_parquet(study / "data" / "processed" / "responses.parquet")
    got = pd.crosstab(responses["secteur"].astype(str), responses["taille"].astype(str))
    expected = _expected(ls, plain)
    pd.testing.assert_frame_equal(
        got.sort_index().sort_index(axis=1),
        expected.sort_index().sort_index(axis=1),
        check_names=False,
        check_dtype=False,
    )

    reports = study / "reports" / "2025"
    for sector in expected.index:
        slug = sector.replace("_", "-")
        page = (reports / slug / "report.html").read_text("utf-8")
        assert "Occitanie" in page
        assert "n = 0" not in page  # no sentence about a question the survey did not ask
        # no domain code in what a reader sees (the cell marks of the release audit are
        # attributes, not text)
        assert "secteur=" not in re.sub(r"<[^>]*>", " ", page)
        assert "1 fichiers" not in page and "1 itérations" not in page
    assert (reports / "index.html").is_file()
