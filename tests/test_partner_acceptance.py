"""A partner's first study, as a new user would make it, through the command line only.

In an empty folder outside the repository: ``iaobs init``, population counts filled in, a
LimeSurvey export of a survey that is not ours (other question order and wording, answer
labels of its own, extra questions; 200 responses), ``iaobs map suggest``, the entries marked
« À COMPLÉTER » completed as the partner would, the export declared in ``study.toml`` with
``profile = "mapping.yaml"``, then ``iaobs run``: every sector report in every format, with no
code edited.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import exports

pytestmark = pytest.mark.slow

SIZES = ["10 à 249 salariés", "Moins de 10 salariés", "250 à 4999 salariés",
         "5000 salariés et plus"]  # fmt: skip
SIZE_WEIGHTS = [40, 40, 15, 5]
SECTORS = ["Banque / Finance", "Industrie manufacturière", "Transport, logistique",
           "Édition de logiciels, numérique", "Assurances"]  # fmt: skip
STAGES = ["Déploiement partiel", "Aucun usage, aucun projet", "Expérimentation",
          "Déploiement généralisé", "Je ne sais pas"]  # fmt: skip
POPULATION = {"tpe": 300, "pme": 60, "eti": 10, "ge": 2}  # firms per sector × size × département


def _iaobs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("IAOBS_NOTEBOOKS", None)
    return subprocess.run(
        [str(Path(sys.executable).with_name("iaobs")), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


def _foreign_export(folder: Path, responses: int = 200, seed: int = 11) -> Path:
    """The foreign LimeSurvey survey of ``tests/exports.py`` with ``responses`` answers."""
    (folder / "modele").mkdir()
    small = exports.limesurvey_foreign_export(folder / "modele")
    with small.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    rng = random.Random(seed)
    rows = [header]
    for i in range(responses):
        stage = rng.choices(STAGES, weights=[20, 40, 25, 10, 5])[0]
        uses = stage in ("Déploiement partiel", "Déploiement généralisé", "Expérimentation")
        ticks = ["Y" if uses and rng.random() < 0.5 else "" for _ in range(3)]
        day = 1 + i % 28
        rows.append(
            [
                str(1000 + i), f"2025-03-{day:02d} 10:00:00", "4", "fr", str(i),
                f"2025-03-{day:02d} 09:50:00", f"2025-03-{day:02d} 10:00:00", "10.0.0.1", "",
                rng.choices(SIZES, weights=SIZE_WEIGHTS)[0], SECTORS[i % len(SECTORS)],
                rng.choice(["Oui", "Non"]), stage, *ticks, str(rng.randint(1, 9)),
                rng.choice(["", "RAS", "Projet en cours"]),
            ]
        )  # fmt: skip
    destination = folder / "limesurvey_partenaire.csv"
    with destination.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
    (folder / "modele" / small.name).unlink()
    (folder / "modele").rmdir()
    return destination


def _fill_margins(study: Path) -> None:
    path = study / "data" / "reference" / "population.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) >= {"secteur", "taille", "departement", "n_entreprises"}
    for row in rows:
        row["n_entreprises"] = str(POPULATION[row["taille"]])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _complete(mapping: Path) -> int:
    """Fill the « À COMPLÉTER » entries as the partner would; returns how many."""
    data = yaml.safe_load(mapping.read_text("utf-8"))
    completed = 0
    for column, target in data["columns"].items():
        if target is None:
            data["columns"][column] = exports.FOREIGN_COLUMNS[column]
            completed += 1
    for variable, table in data.get("values", {}).items():
        for answer, code in table.items():
            if code is None:
                table[answer] = exports.FOREIGN_VALUES[variable][answer]
                completed += 1
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return completed


def test_a_partner_reaches_sector_reports_with_no_code_edit(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    assert repo not in tmp_path.parents
    study = tmp_path / "occitanie"

    done = _iaobs("init", str(study), "--region", "Occitanie", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _fill_margins(study)
    raw = study / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    export = _foreign_export(raw)

    done = _iaobs(
        "map", "suggest", "data/raw/limesurvey_partenaire.csv", "--output", "mapping.yaml",
        cwd=study,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "À COMPLÉTER" in done.stdout
    mapping = study / "mapping.yaml"
    assert _complete(mapping) > 0
    assert "À COMPLÉTER" not in yaml.safe_dump(yaml.safe_load(mapping.read_text("utf-8")))

    done = _iaobs("validate", str(export), "--study", ".", "--profile", "mapping.yaml", cwd=study)
    assert done.returncode == 0, done.stdout + done.stderr

    toml = study / "study.toml"
    toml.write_text(
        toml.read_text("utf-8") + '\n[[sources]]\npath = "data/raw/limesurvey_partenaire.csv"\n'
        'profile = "mapping.yaml"\n',
        "utf-8",
    )
    done = _iaobs("run", ".", "--quiet", cwd=study)
    assert done.returncode == 0, done.stdout + done.stderr

    reports = study / "reports" / "2025"
    for slug in ("banque", "industrie", "transport-logistique", "logiciel", "assurance"):
        for name in ("report.html", "report.pdf", "tables.xlsx", "indicators.csv"):
            assert (reports / slug / name).is_file(), f"{slug}/{name}"
        page = (reports / slug / "report.html").read_text("utf-8")
        assert "Occitanie" in page
    assert (reports / "synthese-regionale" / "report.pdf").is_file()
    assert (reports / "index.html").is_file()
    # the sector nobody answered for gets no report, and nothing failed
    assert not (reports / "expertise-comptable").exists()
