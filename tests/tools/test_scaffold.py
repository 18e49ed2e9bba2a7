"""``iaobs init``: a new regional study that loads, with its margins to fill."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaobs.errors import ConfigError
from iaobs.study.config import load_study
from iaobs.tools.scaffold import departements_of_region, init_study, list_departements


def test_every_departement_once() -> None:
    codes = [d.code for d in list_departements()]
    assert len(codes) == len(set(codes)) == 101
    assert {"2A", "2B", "971", "976"} <= set(codes)


@pytest.mark.parametrize(
    ("region", "first", "count"),
    [
        ("Occitanie", "09", 13),
        ("ile-de-france", "75", 8),
        ("Hauts-de-France", "02", 5),
        ("Corse", "2A", 2),
    ],
)
def test_departements_of_region(region: str, first: str, count: int) -> None:
    deps = departements_of_region(region)
    assert deps[0].code == first and len(deps) == count


def test_init_writes_a_study_that_loads(tmp_path: Path) -> None:
    written = init_study(tmp_path / "occ", region="Occitanie", language="en")
    names = {p.name for p in written}
    assert {"study.toml", "README.md", "population.csv", "LISEZMOI.md"} <= names
    study = load_study(tmp_path / "occ")
    assert study.region == "Occitanie" and study.language == "en"
    assert list(study.dictionary.departements)[:2] == ["09", "11"]
    assert study.dictionary.departements["31"] == "Haute-Garonne"
    margins = (tmp_path / "occ" / "data" / "reference" / "population.csv").read_text().splitlines()
    assert margins[0] == "secteur,taille,departement,n_entreprises"
    assert len(margins) == 1 + 6 * 4 * 13
    assert (tmp_path / "occ" / "data" / "raw").is_dir()


def test_init_with_explicit_departements_and_errors(tmp_path: Path) -> None:
    init_study(tmp_path / "a", region="Ma région", departements="9, 31,2a")
    study = load_study(tmp_path / "a")
    assert list(study.dictionary.departements) == ["09", "31", "2A"]
    with pytest.raises(ConfigError, match="existe déjà"):
        init_study(tmp_path / "a", region="Ma région", departements="31")
    with pytest.raises(ConfigError, match="inconnu"):
        init_study(tmp_path / "b", region="X", departements="999")
    with pytest.raises(ConfigError, match="départements"):
        init_study(tmp_path / "c", region="Atlantide")


def test_discovered_sources(tmp_path: Path) -> None:
    init_study(tmp_path / "s", region="Bretagne")
    raw = tmp_path / "s" / "data" / "raw"
    (raw / "banque.xlsx").write_bytes(b"x")
    (raw / "formation_pilote.csv").write_text("x")
    (raw / "~$lock.xlsx").write_bytes(b"x")
    study = load_study(tmp_path / "s")
    assert [(s.path.name, s.questionnaire) for s in study.sources] == [
        ("banque.xlsx", "entreprises"),
        ("formation_pilote.csv", "formation"),
    ]
