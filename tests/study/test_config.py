"""study.toml → Study: valid files load, typos and unknown names are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaobs.errors import ConfigError
from iaobs.study.config import load_study

BASE = """
[study]
title = "Observatoire"
region = "Occitanie"
wave = "2024"
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_minimal_study(tmp_path: Path) -> None:
    study = load_study(write(tmp_path, BASE))
    assert study.region == "Occitanie" and study.wave == "2024" and study.language == "fr"
    assert study.reports_dir == tmp_path.resolve() / "reports" / "2024"
    assert "banque" in study.dictionary.sectors
    assert study.thresholds.secret_min_firms == 3


def test_sources_sectors_thresholds(tmp_path: Path) -> None:
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "a.xlsx").write_bytes(b"x")
    text = (
        BASE
        + """
[sectors.sante]
label = ["Santé", "Health"]
naf = ["86.*"]

[thresholds]
nd_below = 15

[weighting]
rake = [["secteur"], ["departement"]]

[[sources]]
path = "data/raw/a.xlsx"
sector = "sante"
"""
    )
    study = load_study(write(tmp_path, text))
    assert list(study.dictionary.sectors) == ["sante"]
    assert study.thresholds.nd_below == 15
    assert study.weighting.rake == (("secteur",), ("departement",))
    assert study.sources[0].sector == "sante"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("\n[thresholds]\nnd_belwo = 3\n", "nd_below"),
        ("\n[studdy]\nx = 1\n", "study"),
        ('\n[[sources]]\npath = "absent.xlsx"\n', "introuvable"),
        ('\n[[sources]]\npath = "study.toml"\nsector = "banq"\n', "banque"),
        ('\n[[sources]]\npath = "study.toml"\nprofile = "limesurvy"\n', "profil inconnu"),
        ('\n[thresholds]\nnd_below = "dix"\n', "nombre attendu"),
        ('\n[sectors."Bad Name"]\nlabel = "x"\n', "code de secteur invalide"),
    ],
)
def test_configuration_errors_are_clear(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_study(write(tmp_path, BASE + extra))
    assert "study.toml" in str(info.value)


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        load_study(tmp_path)
    with pytest.raises(ConfigError, match="TOML invalide"):
        load_study(write(tmp_path, "[study\n"))
    with pytest.raises(ConfigError, match="language"):
        load_study(write(tmp_path, BASE + 'language = "de"\n'))


def test_pseudonym_key_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = load_study(write(tmp_path, BASE))
    assert not study.key_is_secret
    monkeypatch.setenv("IAOBS_PSEUDONYM_KEY", "secret")
    assert study.pseudonym_key() == b"secret" and study.key_is_secret


@pytest.mark.parametrize("value", ["2", "-0.5", "50"])
def test_a_share_threshold_outside_0_1_is_refused(tmp_path: Path, value: str) -> None:
    """A share threshold out of range (50 for 50 %) would silently void a secrecy rule."""
    text = BASE + f"\n[thresholds]\nsecret_answer_coverage = {value}\n"
    with pytest.raises(ConfigError, match=r"secret_answer_coverage .*entre 0 et 1"):
        load_study(write(tmp_path, text))
    assert load_study(write(tmp_path, BASE + "\n[thresholds]\nprotection_share = 0.05\n"))
