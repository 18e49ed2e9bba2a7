"""iaobs frame, plan, draw and suivi on a small study whose SIRENE extracts the test writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from iaobs.cli import main
from iaobs.errors import ConfigError
from iaobs.pipeline.frame import frame_stage
from iaobs.study.config import load_study
from iaobs.tools.sirene_sample import write_sirene_extracts

MARGINS = pd.DataFrame(
    [
        ("banque", "tpe", "59", 120),
        ("banque", "tpe", "62", 60),
        ("banque", "pme", "59", 40),
        ("banque", "ge", "59", 2),
        ("logiciel", "tpe", "80", 150),
        ("logiciel", "pme", "02", 30),
    ],
    columns=["secteur", "taille", "departement", "n_entreprises"],
)
TOML = """
[study]
title = "Étude test"
region = "Hauts-de-France"
wave = "2025"

[population]
margins = "data/reference/population.csv"

[frame]
unites_legales = "sirene/StockUniteLegale_utf8.zip"
etablissements = "sirene/StockEtablissement_utf8.zip"

[plan]
precision = 0.1
overall_precision = 0.08
"""


@pytest.fixture
def study_root(tmp_path: Path) -> Path:
    write_sirene_extracts(MARGINS, tmp_path / "sirene", seed=5)
    (tmp_path / "study.toml").write_text(TOML, "utf-8")
    return tmp_path


def test_frame_plan_draw_suivi(study_root: Path, capsys) -> None:
    assert main(["frame", str(study_root)]) == 0
    out = capsys.readouterr().out
    assert "exclues" in out and "jamais nommées" in out
    margins = pd.read_csv(study_root / "data/reference/population.csv", dtype={"departement": str})
    pd.testing.assert_frame_equal(margins, MARGINS)
    frame = pd.read_csv(study_root / "data/private/base-de-sondage.csv", dtype=str)
    hidden = frame[frame["diffusion"] == "P"]
    assert len(hidden) and hidden["denomination"].isna().all() and hidden["adresse"].isna().all()

    assert main(["plan", str(study_root), "--format", "html", "--response-rate", "0.4"]) == 0
    plan = pd.read_csv(study_root / "data/reference/plan.csv")
    page = (study_root / "data/reference/plan-de-sondage.html").read_text("utf-8")
    assert 'lang="fr"' in page and "Plan de sondage" in page and "\u202f%" in page

    assert main(["draw", str(study_root), "--seed", "11"]) == 0
    sample = pd.read_csv(study_root / "data/private/echantillon.csv", dtype={"siren": str})
    got = sample[sample["statut"] == "principal"].groupby(["secteur", "taille"]).size()
    assert dict(got) == {(r.secteur, r.taille): r.n_tirage for r in plan.itertuples()}
    first = sample.copy()
    assert main(["draw", str(study_root), "--seed", "11"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(study_root / "data/private/echantillon.csv", dtype={"siren": str}), first
    )

    # two firms of the sample answered; one outcome recorded
    raw = study_root / "data" / "raw"
    raw.mkdir(parents=True)
    chosen = sample[sample["statut"] == "principal"].head(2)
    pd.DataFrame(
        {
            "id_repondant": ["r1", "r2"],
            "siren": list(chosen["siren"]),
            "secteur": list(chosen["secteur"]),
            "taille": list(chosen["taille"]),
            "statut_reponse": ["complet", "partiel"],
        }
    ).to_csv(raw / "reponses.csv", index=False)
    pd.DataFrame({"siren": [sample["siren"].iloc[5]], "disposition": ["refus"]}).to_csv(
        study_root / "data/private/suivi-contacts.csv", index=False
    )
    assert main(["suivi", str(study_root), "--format", "html"]) == 0
    follow = pd.read_csv(study_root / "data/private/suivi-terrain.csv")
    assert follow["complets"].sum() == 1 and follow["partiels"].sum() == 1
    assert follow["refus"].sum() == 1
    assert "Suivi du terrain" in (study_root / "data/private/suivi-terrain.html").read_text("utf-8")
    assert not (study_root / "reports").exists()
    for path in (study_root / "data" / "reference").iterdir():  # no name outside data/private
        assert "FICTIVE" not in path.read_text("utf-8")


def test_frame_stage_is_incremental(study_root: Path) -> None:
    study = load_study(study_root)
    assert frame_stage(study).ran
    assert not frame_stage(study).ran
    (study_root / "data/reference/population.csv").write_text("x\n")
    assert frame_stage(study).ran


def test_errors_are_one_line(study_root: Path, capsys) -> None:
    assert main(["draw", str(study_root), "--seed", "1"]) == 1
    assert "base de sondage introuvable" in capsys.readouterr().err
    (study_root / "study.toml").write_text(TOML.replace("[frame]", "[frame]\nmemory = 1"), "utf-8")
    assert main(["frame", str(study_root)]) == 1
    err = capsys.readouterr().err
    assert "clé inconnue « memory »" in err and "memory_limit" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[frame]\nunites_legales = "absent.zip"', "fichier introuvable « absent.zip »"),
        ('[frame]\nsize_bounds = { tpe = "03", pme = "02" }', "tranche « 02 » de pme"),
        ('[plan]\nallocation = "optimale"', "attendu neyman ou proportional"),
        ("[plan]\nresponse_rate = 1.5", "response_rate = 1.5"),
        ("[plan]\nproportions = { tpe = 2 }", "proportions"),
    ],
)
def test_config_errors(tmp_path: Path, section: str, message: str) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "t"\nregion = "r"\nwave = "1"\n' + section + "\n", "utf-8"
    )
    with pytest.raises(ConfigError, match=message):
        load_study(tmp_path)


def test_no_frame_section(tmp_path: Path, capsys) -> None:
    (tmp_path / "study.toml").write_text('[study]\ntitle = "t"\nregion = "r"\nwave = "1"\n')
    assert main(["frame", str(tmp_path)]) == 1
    assert "aucun fichier Sirene" in capsys.readouterr().err


def test_margins_edited_by_hand_are_rebuilt_and_kept(study_root: Path) -> None:
    study = load_study(study_root)
    frame_stage(study)
    margins = study_root / "data/reference/population.csv"
    built = margins.read_text("utf-8")
    margins.write_text(built.replace(",120\n", ",121\n"), "utf-8")
    assert frame_stage(study).ran
    assert margins.read_text("utf-8") == built
    kept = study_root / "data/reference/population.precedent.csv"
    assert ",121\n" in kept.read_text("utf-8")


@pytest.mark.parametrize("command", ["frame", "plan", "draw", "suivi"])
def test_help_with_an_example(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "exemple" in capsys.readouterr().out


def test_respondents_in_a_stratum_without_firm_are_named(study_root: Path, capsys) -> None:
    for argv in (["frame"], ["plan", "--format", "html"], ["draw", "--seed", "1"]):
        assert main([argv[0], str(study_root), *argv[1:]]) == 0
    processed = study_root / "data" / "processed"
    processed.mkdir(parents=True)
    pd.DataFrame(
        {"secteur": ["banque", "banque", "logiciel"], "taille": ["eti", "eti", "tpe"]}
    ).to_parquet(processed / "responses.parquet")
    capsys.readouterr()
    assert main(["suivi", str(study_root), "--format", "html"]) == 0
    err = capsys.readouterr().err
    assert "strate banque × eti : 2 répondant(s) mais aucune entreprise" in err
    assert err.count("\n") == 1
    page = (study_root / "data/private/suivi-terrain.html").read_text("utf-8")
    assert "banque × eti" in page
