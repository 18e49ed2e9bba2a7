"""Validation rules: the findings table, severities, languages, rows and waves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iaobs.prepare.clean import clean_responses
from iaobs.prepare.validate import (
    FINDING_COLUMNS,
    RULES,
    FindingCollector,
    check_required,
    empty_findings,
    findings_summary,
)
from iaobs.study.dictionary import load_dictionary

ENT = load_dictionary("entreprises")
FORM = load_dictionary("formation")


def mapped(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    df["_source_file"] = "modele.xlsx"
    df["_source_sheet"] = "Réponses"
    df["_source_row"] = list(range(5, 5 + n))  # header on row 4
    return df


def test_findings_columns_exactly() -> None:
    assert list(empty_findings().columns) == FINDING_COLUMNS
    result = clean_responses(mapped(id_repondant=["a"], secteur=["x"], taille=["pme"]), ENT)
    assert list(result.findings.columns) == FINDING_COLUMNS


def test_row_is_the_excel_row_and_file_sheet_are_named() -> None:
    result = clean_responses(
        mapped(
            id_repondant=["a", "b"],
            secteur=["banque", "banque"],
            taille=["pme", "zz"],
            ia_stade=["veille", "veille"],
        ),
        ENT,
    )
    found = result.findings.iloc[0]
    assert (found["file"], found["sheet"], found["row"], found["column"], found["value"]) == (
        "modele.xlsx",
        "Réponses",
        6,
        "taille",
        "zz",
    )
    assert found["severity"] == "bloquant"  # taille is required
    assert result.rejects["_source_row"].tolist() == [6]


def test_every_rule_has_both_languages() -> None:
    for rule, (fr, en) in RULES.items():
        assert fr and en and fr != en, rule


def test_required_rule_reports_each_missing_variable() -> None:
    coded = pd.DataFrame(
        {"id_repondant": ["a", None], "secteur": [None, "banque"], "taille": ["pme", "pme"]}
    )
    collector = FindingCollector(ENT)
    reject = check_required(coded, ENT, collector, skip=np.zeros(2, dtype=bool))
    out = collector.frame(
        pd.DataFrame(
            {"_source_file": ["f", "f"], "_source_sheet": [None, None], "_source_row": [2, 3]}
        )
    )
    assert reject.tolist() == [True, True]
    assert sorted(out["column"]) == ["id_repondant", "secteur"]
    assert set(out["rule"]) == {"obligatoire_manquant"}


def test_confidential_value_masked() -> None:
    collector = FindingCollector(ENT)
    collector.add([0], "email_contact", ["a@b.fr"], "code_inconnu", choices="")
    out = collector.frame(
        pd.DataFrame({"_source_file": ["f"], "_source_sheet": [None], "_source_row": [2]})
    )
    assert out["value"].tolist() == ["***"]
    assert "a@b.fr" not in out["message"].iloc[0]


def test_waves_only_variables_in_training_questionnaire() -> None:
    result = clean_responses(
        mapped(
            id_participant=["P1", "P1"],
            vague=["T0", "T1"],
            satisfaction=["Très satisfait", "Très satisfait"],
            recommandation=[9, 10],
            temps_gagne_hebdo=[None, "Aucun"],
        ),
        FORM,
    )
    waves = result.findings[result.findings["rule"] == "hors_vague"]
    assert sorted(waves["column"]) == ["recommandation", "satisfaction", "temps_gagne_hebdo"]
    assert (waves["severity"] == "avertissement").all()
    r = result.responses.set_index("vague")
    assert pd.isna(r.loc["T0", "satisfaction"]) and r.loc["T1", "satisfaction"] == "tres_satisfait"
    assert pd.isna(r.loc["T1", "temps_gagne_hebdo"])


def test_participant_wave_unique() -> None:
    result = clean_responses(mapped(id_participant=["P1", "P1"], vague=["T0", "T0"]), FORM)
    assert (result.findings["rule"] == "participant_vague_duplique").sum() == 2
    assert len(result.responses) == 1 and result.rejects["rules"].tolist() == ["doublon"]


def test_english_and_french_messages_differ() -> None:
    df = mapped(id_repondant=["a"], secteur=["banque"], taille=["pme"], effectif=[-3])
    fr = clean_responses(df, ENT).findings["message"].iloc[0]
    en = clean_responses(df, ENT, language="en").findings["message"].iloc[0]
    assert "plage admise" in fr and "allowed range" in en


def test_summary_by_rule_and_severity() -> None:
    result = clean_responses(
        mapped(
            id_repondant=["a", "b"],
            secteur=["banque", "zz"],
            taille=["pme", "pme"],
            ia_stade=["zz", "zz"],
        ),
        ENT,
    )
    assert findings_summary(result.findings) == {
        "code_inconnu": {"avertissement": 2, "bloquant": 1}
    }
