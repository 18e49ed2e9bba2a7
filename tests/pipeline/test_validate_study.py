"""``iaobs validate`` inside a study: declared sources and profiles, every problem at once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from iaobs.cli import main

SECTOR_HEADER = "Dans quel secteur votre entreprise exerce-t-elle son activité principale ?"
SIZE_HEADER = "Combien de salariés votre entreprise emploie-t-elle ?"


def _study(tmp_path: Path, *, fill: int | None = 50) -> Path:
    study = tmp_path / "etude"
    assert main(["init", str(study), "--region", "Bretagne", "--wave", "2025"]) == 0
    margins = study / "data" / "reference" / "population.csv"
    with margins.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["n_entreprises"] = "" if fill is None else str(fill)
    with margins.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    raw = study / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    with (raw / "export.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Identifiant", SECTOR_HEADER, SIZE_HEADER, "Stade d'adoption de l'IA"])
        for i in range(12):
            sector = "Banque" if i < 8 else ("Agriculture" if i < 10 else "Industrie")
            out.writerow([f"R{i}", sector, "12", "Expérimentation"])
    (raw / "correspondance.yaml").write_text(
        "profile: tableur\ncolumns:\n"
        f'  "{SECTOR_HEADER}": secteur\n  "{SIZE_HEADER}": effectif\n'
        "values:\n  secteur:\n    Banque: banque\n    Agriculture: hors_champ\n"
        "    Industrie: industrie\n",
        "utf-8",
    )
    toml = study / "study.toml"
    toml.write_text(
        toml.read_text("utf-8") + '\n[[sources]]\npath = "data/raw/export.csv"\n'
        'profile = "data/raw/correspondance.yaml"\n',
        "utf-8",
    )
    return study


def test_validate_in_the_study_uses_its_sources_and_profiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path)
    monkeypatch.chdir(study)
    code = main(["validate"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert "export.csv : 12 lignes lues, 10 retenues, 0 rejetée, 2 hors champ" in out.out
    assert "fichiers sources" not in out.out
    # the README's command: the YAML among the files is a mapping file, never data
    code = main(["validate", *sorted(str(p) for p in (study / "data" / "raw").iterdir())])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert "correspondance.yaml :" not in out.out
    assert "aucune ligne d'en-tête" not in out.out + out.err


def test_every_empty_margin_cell_in_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path, fill=None)
    monkeypatch.chdir(study)
    code = main(["validate"])
    out = capsys.readouterr().out
    assert code == 1
    with (study / "data" / "reference" / "population.csv").open(encoding="utf-8") as handle:
        cells = sum(1 for _ in handle) - 1
    assert f"{cells} cellules vides" in out
    assert "Marges de population : 1 problème" in out
    # the data were checked in the same pass
    assert "export.csv : 12 lignes lues" in out


def test_every_stratum_with_more_respondents_than_firms_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path, fill=0)
    monkeypatch.chdir(study)
    code = main(["validate"])
    out = capsys.readouterr().out
    assert code == 1
    assert "strate secteur=banque, taille=pme : 8 répondants" in out
    assert "strate secteur=industrie, taille=pme : 2 répondants" in out
    assert "Marges de population : 2 problèmes" in out  # 0 firms is a valid count


def test_a_broken_mapping_is_reported_with_the_other_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path, fill=None)
    mapping = study / "data" / "raw" / "correspondance.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace(": effectif", ": efectif"), "utf-8")
    monkeypatch.chdir(study)
    code = main(["validate"])
    out = capsys.readouterr()
    assert code == 1
    assert "Fichiers de correspondance : 1 problème" in out.out
    assert "effectif" in out.out  # the closest name is proposed
    assert "Marges de population : 1 problème" in out.out
    assert "Traceback" not in out.err
