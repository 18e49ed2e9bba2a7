"""The clean/validate pipeline on tiny studies built in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from iaobs.errors import InputError
from iaobs.pipeline.clean import (
    clean_study,
    print_quality,
    print_validation,
    validate_files,
)
from iaobs.study.config import load_study

VALID = "552100554"
HEADER = [
    "id_repondant",
    "siren",
    "raison_sociale",
    "secteur",
    "naf_code",
    "effectif",
    "taille",
    "departement",
    "date_reponse",
    "statut_reponse",
    "ia_stade",
    "techno",
]
ROWS = [
    [
        "R1",
        VALID,
        "Secrète SA",
        "Banque",
        "6419Z",
        "1 250",
        None,
        2,
        "2019-05-03",
        "complet",
        "Veille, réflexion",
        "Reconnaissance vocale; Analyse de texte (fouille de textes)",
    ],
    [
        "R2",
        "732829320",
        "Autre SARL",
        "banque",
        "64.19z",
        "10 à 49",
        None,
        "59",
        "04/05/2019",
        "complet",
        "NSP",
        "Aucune",
    ],
    [
        "R3",
        VALID,
        "Secrète SA",
        "banque",
        None,
        1300,
        None,
        "Nord",
        43600,
        "partiel",
        "aucun",
        None,
    ],
    ["R4", "123", "X", "Boulangerie", None, 5, None, "59", "2019-05-03", "complet", "veille", None],
    ["Source : enquête 2019", None, None, None, None, None, None, None, None, None, None, None],
]


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Réponses"
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


def make_study(tmp_path: Path, *, broken: bool = False) -> Path:
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    write_xlsx(raw / "banque.xlsx", HEADER, ROWS)
    csv = "id_repondant;siren;secteur;effectif;ia_stade\nC1;552 100 554;Banque;1 300;veille\nC2;;Banque;12;aucun\n"
    (raw / "autre.csv").write_bytes(csv.encode("cp1252"))
    form = raw / "formation.xlsx"
    write_xlsx(
        form,
        ["id_participant", "vague", "nom_prenom", "satisfaction", "score_quiz"],
        [
            ["P1", "T0", "Jeanne Martin", "Très satisfait", 8],
            ["P1", "T1", "Jeanne Martin", "Plutôt satisfait", 14],
        ],
    )
    sources = [
        '[[sources]]\npath = "data/raw/banque.xlsx"\nsector = "banque"\n',
        '[[sources]]\npath = "data/raw/autre.csv"\n',
        '[[sources]]\npath = "data/raw/formation.xlsx"\nquestionnaire = "formation"\n',
    ]
    if broken:
        (raw / "casse.xlsx").write_bytes(b"ceci n'est pas un classeur")
        sources.append('[[sources]]\npath = "data/raw/casse.xlsx"\n')
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "Test"\nregion = "Test"\nwave = "2019"\n\n' + "\n".join(sources),
        encoding="utf-8",
    )
    return tmp_path


def test_clean_study_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = load_study(make_study(tmp_path, broken=True))
    result = clean_study(study)
    out = tmp_path / "data" / "processed"
    for name in (
        "responses.parquet",
        "formation.parquet",
        "rejects.csv",
        "findings.csv",
        "quality.json",
    ):
        assert (out / name).exists(), name
    quality = json.loads((out / "quality.json").read_text("utf-8"))
    files = {f["file"]: f for f in quality["files"]}
    assert files["data/raw/casse.xlsx"]["status"] == "failed"
    assert files["data/raw/casse.xlsx"]["message"]
    for entry in quality["files"]:
        assert entry["read"] == entry["kept"] + entry["rejected"]
    banque = files["data/raw/banque.xlsx"]
    assert banque["read"] == 5 and len(banque["sha256"]) == 64
    assert banque["sheet"] == "Réponses"
    assert quality["software_version"]
    assert quality["pseudonym_key_secret"] is False
    assert quality["totals"]["read"] == quality["totals"]["kept"] + quality["totals"]["rejected"]

    responses = pd.read_parquet(out / "responses.parquet")
    # R1, R3 (banque.xlsx) and C1 (autre.csv) share a SIREN: R1 is kept, the only complete one
    assert len(responses) == 3
    kept = set(zip(responses["_source_file"], responses["_source_row"].astype(int), strict=True))
    assert kept == {
        ("data/raw/banque.xlsx", 2),
        ("data/raw/banque.xlsx", 3),
        ("data/raw/autre.csv", 3),
    }
    rejects = pd.read_csv(out / "rejects.csv")
    assert sorted(rejects["rules"]) == ["code_inconnu", "doublon", "doublon", "ligne_sans_reponse"]
    assert (
        rejects.loc[rejects["rules"] == "doublon", "reasons"]
        .str.contains("banque.xlsx, ligne 2")
        .all()
    )
    formation = pd.read_parquet(out / "formation.parquet")
    assert len(formation) == 2 and "nom_prenom" not in formation
    assert formation["satisfaction"].isna().tolist() == [True, False]

    blob = "".join(p.read_text("utf-8", errors="ignore") for p in out.glob("*.csv"))
    blob += (out / "quality.json").read_text("utf-8")
    blob += responses.astype(str).to_csv() + formation.astype(str).to_csv()
    for secret in (VALID, "732829320", "Secrète SA", "Autre SARL", "Jeanne Martin"):
        assert secret not in blob
    assert result.quality == quality

    print_quality(result.quality, study)
    printed = capsys.readouterr().out
    assert "banque.xlsx" in printed and "ÉCHEC" in printed and "responses.parquet" in printed


def test_every_source_failing_raises(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.xlsx").write_bytes(b"pas un classeur")
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\nregion = "R"\nwave = "1"\n[[sources]]\npath = "data/x.xlsx"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError):
        clean_study(load_study(tmp_path))


def test_validate_files_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_study(tmp_path, broken=True)
    raw = root / "data" / "raw"
    findings, summary = validate_files([raw / "banque.xlsx", raw / "casse.xlsx"], sector="banque")
    assert not (root / "data" / "processed").exists()
    assert list(findings.columns) == [
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "rule",
        "severity",
        "message",
    ]
    assert summary["blocking"] >= 2
    statuses = [f["status"] for f in summary["files"]]
    assert statuses == ["ok", "failed"]
    assert (findings["value"] == VALID).sum() == 0
    blocking = print_validation(findings, summary)
    out = capsys.readouterr().out
    assert blocking is True
    assert "code_inconnu" in out and "ligne 5" in out


def test_validate_clean_file_is_not_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ok.xlsx"
    write_xlsx(
        path, ["id_repondant", "secteur", "taille", "ia_stade"], [["A", "Banque", "PME", "veille"]]
    )
    findings, summary = validate_files([path])
    assert findings.empty
    assert print_validation(findings, summary, language="en") is False
    assert "No blocking problem" in capsys.readouterr().out


@pytest.mark.slow
def test_sample_study_cleans_sensibly(tmp_path: Path) -> None:
    from iaobs.tools import sample

    sample.write_sample_study(tmp_path, n_companies=300)
    study = load_study(tmp_path)
    result = clean_study(study)
    quality = result.quality
    assert quality["totals"]["failed"] == 0
    for entry in quality["files"]:
        assert entry["read"] == entry["kept"] + entry["rejected"]
        assert entry["kept"] >= 0.9 * entry["read"]
    truth = json.loads((tmp_path / "data" / "raw" / "sample_truth.json").read_text("utf-8"))
    findings = pd.read_csv(tmp_path / "data" / "processed" / "findings.csv")
    rejects = pd.read_csv(tmp_path / "data" / "processed" / "rejects.csv")
    flagged = set(zip(findings["file"], findings["row"], strict=True)) | set(
        zip(rejects["_source_file"], rejects["_source_row"], strict=True)
    )
    for defect in truth.get("planted_defects", []):
        if defect["kind"] == "ligne_vide":
            continue
        assert (defect["file"], defect["row"]) in flagged, defect
    secrets = truth.get("planted_confidential", {})
    blob = "".join(
        p.read_text("utf-8", errors="ignore")
        for p in (tmp_path / "data" / "processed").glob("*.*sv")
    )
    blob += result.responses.astype(str).to_csv()
    for values in secrets.values():
        assert not any(str(v) in blob for v in values)


REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_repository_sample_study(tmp_path: Path) -> None:
    """The committed sample study: most rows kept, every planted defect found or rejected."""
    import shutil

    if not (REPO / "study.toml").exists() or not (REPO / "data" / "raw").exists():
        pytest.skip("pas d'étude exemple dans le dépôt")
    shutil.copy(REPO / "study.toml", tmp_path / "study.toml")
    shutil.copytree(REPO / "data" / "raw", tmp_path / "data" / "raw")
    if (REPO / "data" / "reference").exists():
        shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    result = clean_study(load_study(tmp_path))
    totals = result.quality["totals"]
    assert totals["failed"] == 0
    assert totals["kept"] >= 0.95 * totals["read"]
    rejects = result.rejects
    assert rejects["reasons"].str.len().gt(0).all()
    truth_file = tmp_path / "data" / "raw" / "sample_truth.json"
    if truth_file.exists():
        truth = json.loads(truth_file.read_text("utf-8"))
        for defect in truth.get("planted_defects", []):
            if defect["kind"] != "doublon_siren":
                continue
            mine = rejects[
                (rejects["_source_file"] == defect["file"])
                & (rejects["_source_row"] == defect["row"])
            ]
            assert mine["reasons"].str.contains(f"ligne {defect['kept_row']}").all(), defect
            assert len(mine) == 1
