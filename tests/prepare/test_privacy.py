"""Privacy: SIREN checks, keyed pseudonyms, duplicate resolution, confidential values never out."""

from __future__ import annotations

import pandas as pd
import pytest

from iaobs.prepare.clean import clean_responses
from iaobs.prepare.privacy import (
    confidential_columns,
    mask_personal_data,
    mask_text,
    normalise_siren,
    pseudonymise,
    resolve_duplicates,
    siren_is_valid,
)
from iaobs.study.dictionary import load_dictionary

ENT = load_dictionary("entreprises")
VALID = "552100554"  # a Luhn-valid SIREN
SECRET_NAME = "Société Très Secrète SA"
SECRET_MAIL = "dirigeant@secret.example"


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, dtype=object)
    df["_source_file"] = [r.get("_f", "a.xlsx") for r in rows]
    df["_source_sheet"] = "Réponses"
    df["_source_row"] = [r.get("_r", i + 2) for i, r in enumerate(rows)]
    return df.drop(columns=[c for c in ("_f", "_r") if c in df])


def row(**kw: object) -> dict:
    out = {"id_repondant": "R", "secteur": "banque", "taille": "pme", "ia_stade": "veille"}
    out.update(kw)
    return out


@pytest.mark.parametrize(
    ("cell", "digits"),
    [
        ("552 100 554", VALID),
        ("552.100.554", VALID),
        (552100554, VALID),
        (552100554.0, VALID),
        (" 552100554 ", VALID),
        (None, None),
        ("", None),
    ],
)
def test_normalise_siren(cell: object, digits: str | None) -> None:
    out = normalise_siren(pd.Series([cell], dtype=object)).iloc[0]
    assert (pd.isna(out) and digits is None) or out == digits


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        (VALID, True),
        ("732829320", True),
        ("552100555", False),
        ("12345678", False),
        ("1234567890", False),
    ],
)
def test_siren_luhn(digits: str, valid: bool) -> None:
    assert bool(siren_is_valid(pd.Series([digits], dtype="string")).iloc[0]) is valid


def test_pseudonyms_are_stable_and_keyed() -> None:
    values = pd.Series([VALID, "732829320", None, VALID], dtype=object)
    first = pseudonymise(values, b"cle-1")
    again = pseudonymise(values, b"cle-1")
    other = pseudonymise(values, b"cle-2")
    assert first.tolist()[:2] == again.tolist()[:2]
    assert first.iloc[0] == first.iloc[3]
    assert pd.isna(first.iloc[2])
    assert first.iloc[0] != other.iloc[0]
    assert first.str.fullmatch(r"E[0-9a-f]{10}").fillna(True).all()


def test_clean_ids_same_siren_same_id_across_runs_and_files() -> None:
    a = clean_responses(frame([row(siren=VALID, id_repondant="X1")]), ENT, key=b"k")
    b = clean_responses(
        frame([row(siren="552 100 554", id_repondant="other", _f="b.csv")]), ENT, key=b"k"
    )
    c = clean_responses(frame([row(siren=VALID, id_repondant="X1")]), ENT, key=b"autre")
    assert a.responses["id_repondant"].iloc[0] == b.responses["id_repondant"].iloc[0]
    assert a.responses["id_repondant"].iloc[0] != c.responses["id_repondant"].iloc[0]


def test_duplicates_keep_latest_complete() -> None:
    rows = [
        row(siren=VALID, id_repondant="A", statut_reponse="complet", date_reponse="2019-03-01"),
        row(siren=VALID, id_repondant="B", statut_reponse="Partiel", date_reponse="2019-05-01"),
        row(siren=VALID, id_repondant="C", statut_reponse="complet", date_reponse="2019-04-01"),
        row(siren=VALID, id_repondant="D", statut_reponse="complet", date_reponse="2019-04-01"),
        row(siren="732829320", id_repondant="E"),
    ]
    result = clean_responses(frame(rows), ENT)
    # complete first, then latest date, then last row: D (row 5) is kept
    assert sorted(result.responses["_source_row"].tolist()) == [5, 6]
    rejects = result.rejects
    assert rejects["rules"].tolist() == ["doublon"] * 3
    assert set(rejects["_source_row"]) == {2, 3, 4}
    assert rejects["reasons"].str.contains("a.xlsx, ligne 5").all()
    assert result.quality["read"] == result.quality["kept"] + result.quality["rejected"]


def test_same_source_id_twice_in_a_file_is_a_duplicate() -> None:
    result = clean_responses(frame([row(id_repondant="A"), row(id_repondant="A")]), ENT)
    assert len(result.responses) == 1
    assert "id_duplique" in set(result.findings["rule"])


def test_resolve_duplicates_without_status_or_date() -> None:
    df = pd.DataFrame(
        {"id_repondant": ["a", "a", "b"], "_source_file": ["f"] * 3, "_source_row": [2, 3, 4]}
    )
    kept, dropped = resolve_duplicates(df)
    assert kept["_source_row"].tolist() == [3, 4]
    assert dropped["_kept_row"].tolist() == [3]


def test_confidential_values_never_leave_the_cleaner() -> None:
    rows = [
        row(siren=VALID, raison_sociale=SECRET_NAME, email_contact=SECRET_MAIL, id_repondant="A"),
        row(
            siren="123456789",
            raison_sociale=SECRET_NAME,
            email_contact=SECRET_MAIL,
            id_repondant="B",
            secteur="Boulangerie",
        ),
        row(siren=VALID, raison_sociale=SECRET_NAME, email_contact=SECRET_MAIL, id_repondant="C"),
    ]
    result = clean_responses(frame(rows), ENT)
    blob = "".join(
        t.astype(str).to_csv() for t in (result.responses, result.rejects, result.findings)
    )
    for secret in (VALID, "123456789", SECRET_NAME, SECRET_MAIL):
        assert secret not in blob
    assert set(confidential_columns(ENT)) == {"siren", "raison_sociale", "email_contact"}
    invalid = result.findings[result.findings["rule"] == "siren_invalide"]
    assert invalid["value"].tolist() == ["***"]
    assert len(result.rejects) == 2  # the unknown sector and the duplicate


def test_free_text_is_kept() -> None:
    result = clean_responses(frame([row(commentaire="Très utile")]), ENT)
    assert result.responses["commentaire"].tolist() == ["Très utile"]


@pytest.mark.parametrize(
    ("text", "masked", "kinds"),
    [
        (
            "Appeler M. Martin au 06 12 34 56 78.",
            "Appeler M. [nom] au [téléphone].",
            {"nom": 1, "telephone": 1},
        ),
        ("écrire à jean.dupont@exemple.fr", "écrire à [courriel]", {"courriel": 1}),
        (
            "tél. +33 3 20 12 34 56 ou 03.20.12.34.56",
            "tél. [téléphone] ou [téléphone]",
            {"telephone": 2},
        ),
        ("SIRET 552 100 554 00016", "SIRET [siret]", {"siret": 1}),
        ("notre SIREN 552100554", "notre SIREN [siren]", {"siren": 1}),
        ("IBAN FR76 3000 6000 0112 3456 7890 189", "IBAN [iban]", {"iban": 1}),
        ("Mme Lefebvre et Dr Jean Petit", "Mme [nom] et Dr [nom]", {"nom": 2}),
        ("12 salariés, budget 30 000 € en 2019", "12 salariés, budget 30 000 € en 2019", {}),
    ],
)
def test_mask_text(text: str, masked: str, kinds: dict[str, int]) -> None:
    assert mask_text(text) == (masked, kinds)


def test_personal_data_in_free_text_is_masked_everywhere_and_counted() -> None:
    typed = "Appeler M. Martin au 06 12 34 56 78 ou martin@exemple.fr"
    rows = [
        row(siren=VALID, id_repondant="A", commentaire=typed),
        row(siren="732829320", id_repondant="B", secteur="Boulangerie", commentaire=typed),
    ]
    result = clean_responses(frame(rows), ENT)
    mask_personal_data(result, ENT)
    blob = "".join(
        t.astype(str).to_csv() for t in (result.responses, result.rejects, result.findings)
    )
    for secret in ("Martin", "06 12 34 56 78", "martin@exemple.fr"):
        assert secret not in blob
    assert "[téléphone]" in result.rejects["commentaire"].iloc[0]
    assert result.quality["personal_data_masked"] == {"courriel": 1, "nom": 1, "telephone": 1}
