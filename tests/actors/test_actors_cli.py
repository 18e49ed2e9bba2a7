"""``iaobs init`` writes the blank actors list; ``iaobs validate`` checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaobs.cli import main
from iaobs.study.config import load_study


def test_init_writes_the_actors_list_and_config(tmp_path: Path) -> None:
    root = tmp_path / "occitanie"
    assert main(["init", str(root), "--region", "Occitanie"]) == 0
    folder = root / "data" / "reference" / "acteurs"
    assert (folder / "acteurs.csv").read_text("utf-8").startswith("siret,nom,type,")
    assert (folder / "acteurs.schema.json").is_file() and (folder / "LISEZMOI.md").is_file()
    study = load_study(root)
    assert study.actors.naf == ("58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z")
    assert study.actors.path(root, "liste", study.wave) == (folder / "acteurs.csv").resolve()


def test_validate_an_actors_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # loose files, outside any study
    good = tmp_path / "acteurs.csv"
    good.write_text(
        "siret,nom,type,sous_type,commune,departement,site_web,source,date_maj\n"
        ",Labo,laboratoire,,Toulouse,31,,site,2019-01-01\n",
        "utf-8",
    )
    assert main(["validate", str(good)]) == 0
    assert "Liste des acteurs de l'IA : aucun problème" in capsys.readouterr().out
    bad = tmp_path / "liste.csv"
    bad.write_text(good.read_text("utf-8") + ",Autre,labo,,,31,,,\n", "utf-8")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "liste.csv, ligne 3, colonne « type » : « labo » n'est pas un type connu" in out
    assert "→ choisissez parmi : laboratoire" in out


def test_validate_a_study_checks_its_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "occitanie"
    assert main(["init", str(root), "--region", "Occitanie"]) == 0
    listed = root / "data" / "reference" / "acteurs" / "acteurs.csv"
    listed.write_text(listed.read_text("utf-8") + ",Labo,laboratoire,,,99,,,\n", "utf-8")
    capsys.readouterr()
    assert main(["validate", "--study", str(root)]) == 1
    assert "acteurs.csv, ligne 2, colonne « departement »" in capsys.readouterr().out


def test_config_rejects_a_bad_naf_code(tmp_path: Path) -> None:
    from iaobs.errors import ConfigError

    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "t"\nregion = "Occitanie"\nwave = "2019"\n\n[acteurs]\nnaf = ["62.01"]\n',
        "utf-8",
    )
    with pytest.raises(ConfigError, match=r"62\.01"):
        load_study(tmp_path)
