"""Cleaning: recoding tables, numbers, dates, NAF, derivations, multi-select, rows never lost."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaobs.errors import IaobsError
from iaobs.prepare.clean import clean_responses
from iaobs.prepare.values import parse_date, parse_naf, parse_number, recode_value
from iaobs.study.dictionary import load_dictionary

ENT = load_dictionary("entreprises")
FORM = load_dictionary("formation")


def frame(**columns: list) -> pd.DataFrame:
    """A mapped frame with object cells and provenance, rows numbered from 2."""
    n = len(next(iter(columns.values())))
    data = {k: pd.Series(v, dtype=object) for k, v in columns.items()}
    data["_source_file"] = pd.Series(["f.xlsx"] * n, dtype=object)
    data["_source_sheet"] = pd.Series(["Réponses"] * n, dtype=object)
    data["_source_row"] = pd.Series(range(2, n + 2), dtype=object)
    return pd.DataFrame(data)


def base(n: int = 1, **extra: list) -> pd.DataFrame:
    """A minimal valid company frame of ``n`` rows plus ``extra`` columns."""
    cols = {
        "id_repondant": [f"R{i}" for i in range(n)],
        "secteur": ["banque"] * n,
        "taille": ["pme"] * n,
        "ia_stade": ["veille"] * n,
    }
    cols.update(extra)
    return frame(**cols)


# --------------------------------------------------------------------------------------------
# Recoding table: (variable, cell as written) → code


RECODE = [
    ("ia_stade", "veille", "veille"),
    ("ia_stade", "Veille, réflexion", "veille"),
    ("ia_stade", "  VEILLE,  REFLEXION ", "veille"),
    ("ia_stade", "Expérimentation (test, POC)", "experimentation"),
    ("ia_stade", "Partly deployed", "deploiement_partiel"),
    ("ia_stade", "NSP", "nsp"),
    ("ia_stade", "ne sait pas", "nsp"),
    ("ia_stade", "Je ne sais pas", "nsp"),
    ("ia_stade", "NSP (ne sait pas)", "nsp"),
    ("ia_stade", "Don't know", "nsp"),
    ("ia_stade", "Don’t know", "nsp"),
    ("maturite_donnees", "Plutôt d’accord", "plutot"),
    ("maturite_donnees", "plutot d'accord", "plutot"),
    ("maturite_donnees", "Tout à fait d'accord", "tout_a_fait"),
    ("nouveaux_metiers", "Oui", "oui"),
    ("nouveaux_metiers", "oui", "oui"),
    ("nouveaux_metiers", "OUI", "oui"),
    ("nouveaux_metiers", "O", "oui"),
    ("nouveaux_metiers", "Yes", "oui"),
    ("nouveaux_metiers", "Y", "oui"),
    ("nouveaux_metiers", "1", "oui"),
    ("nouveaux_metiers", 1, "oui"),
    ("nouveaux_metiers", "x", "oui"),
    ("nouveaux_metiers", "Non", "non"),
    ("nouveaux_metiers", "N", "non"),
    ("nouveaux_metiers", 0, "non"),
    ("volontaire_accompagnement", "no", "non"),
    ("departement", 2, "02"),
    ("departement", 2.0, "02"),
    ("departement", "2", "02"),
    ("departement", "2.0", "02"),
    ("departement", "02", "02"),
    ("departement", "Aisne", "02"),
    ("departement", "pas-de-calais", "62"),
    ("departement", 59, "59"),
    ("taille", "PME (10-249 salariés)", "pme"),
    ("taille", "tpe", "tpe"),
    ("taille", "Grande entreprise (5 000 salariés et plus)", "ge"),
    ("secteur", "Banque", "banque"),
    ("secteur", "Assurance et prévoyance", "assurance"),
    ("secteur", "transport_logistique", "transport_logistique"),
    ("secteur", "Software and digital", "logiciel"),
    ("fonction_repondant", "Dirigeant", "dirigeant"),
    ("fonction_repondant", "dirigeant(e)", "dirigeant"),
    ("taches_automatisables", "10 à 25 %", "10_25"),
    ("impact_effectifs", "Non concerné", "non_concerne"),
    ("groupe", "Filiale d'un groupe français", "groupe_francais"),
]


@pytest.mark.parametrize(("variable", "cell", "expected"), RECODE)
def test_recode_table(variable: str, cell: object, expected: str) -> None:
    code, _correction, error = recode_value(cell, ENT[variable])
    assert error is None
    assert code == expected


AISANCE = [
    ("1", "1"),
    (1, "1"),
    (1.0, "1"),
    ("1 - Pas du tout à l'aise", "1"),
    ("1 - pas du tout a l aise", "1"),
    ("Pas du tout à l'aise", "1"),
    ("5 - Très à l'aise", "5"),
    ("5 - Very confident", "5"),
    ("3", "3"),
]


@pytest.mark.parametrize(("cell", "expected"), AISANCE)
def test_recode_label_prefix(cell: object, expected: str) -> None:
    assert recode_value(cell, FORM["auto_eval"])[0] == expected


@pytest.mark.parametrize(
    ("variable", "cell"),
    [
        ("ia_stade", "peut-être"),
        ("departement", "Paris"),
        ("departement", 75),
        ("secteur", "Boulangerie"),
        ("groupe", "oui"),
    ],
)
def test_recode_unknown(variable: str, cell: object) -> None:
    assert recode_value(cell, ENT[variable]) == (None, None, "code_inconnu")


def test_nsp_only_where_the_variable_has_it() -> None:
    # competence_prioritaire has no NSP code: "NSP" is unknown there
    assert recode_value("NSP", ENT["competence_prioritaire"])[2] == "code_inconnu"


# --------------------------------------------------------------------------------------------
# Numbers, dates, NAF


NUMBERS = [
    ("1250", True, 1250, None),
    ("1 250", True, 1250, "espace_milliers"),
    ("1\u00a0250", True, 1250, "espace_milliers"),
    ("1\u202f250", True, 1250, "espace_milliers"),
    ("12 345 678", True, 12345678, "espace_milliers"),
    ("1.250", True, 1250, "separateur_milliers"),
    ("1,250", True, 1250, "separateur_milliers"),
    ("1.250", False, 1.25, None),
    ("3,5", False, 3.5, "virgule_decimale"),
    ("1 250,5", False, 1250.5, "espace_milliers"),
    ("12.0", True, 12, None),
    (12.0, True, 12, None),
    (7, True, 7, None),
    ("250 salariés", True, 250, None),
    ("-5", True, -5, None),
    ("NSP", True, None, "nsp_vers_vide"),
]


@pytest.mark.parametrize(("cell", "integer", "expected", "correction"), NUMBERS)
def test_number_table(
    cell: object, integer: bool, expected: object, correction: str | None
) -> None:
    value, corr, error = parse_number(cell, integer=integer)
    assert error is None
    assert value == expected
    assert corr == correction


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        ("3,5", "nombre_non_entier"),
        (2.5, "nombre_non_entier"),
        ("beaucoup", "type_nombre"),
        (True, "type_nombre"),
        ("10 à 49", "type_nombre"),
    ],
)
def test_number_errors(cell: object, error: str) -> None:
    assert parse_number(cell, integer=True)[2] == error


@pytest.mark.parametrize(
    ("cell", "band"),
    [
        ("10 à 49", (10, 49)),
        ("10-49", (10, 49)),
        ("250 à 499 salariés", (250, 499)),
        ("5000 et plus", (5000, None)),
        ("5 000 et plus", (5000, None)),
        ("moins de 10", (0, 9)),
        ("De 50 à 99 salariés", (50, 99)),
    ],
)
def test_headcount_bands(cell: str, band: tuple) -> None:
    value, _c, error = parse_number(cell, integer=True, bands=True)
    assert error is None
    assert value == ("band", *band)


TODAY = dt.date(2024, 6, 1)
DATES = [
    ("2019-05-03", "2019-05-03", None),
    ("2019-05-03 10:22:00", "2019-05-03 10:22:00", None),
    ("03/05/2019", "2019-05-03", "date_texte"),
    ("3/5/2019", "2019-05-03", "date_texte"),
    ("03/05/19", "2019-05-03", "date_annee_2_chiffres"),
    ("03.05.2019", "2019-05-03", "date_texte"),
    ("12 mars 2019", "2019-03-12", "date_texte"),
    (43588, "2019-05-03", "date_serie_excel"),
    (43588.0, "2019-05-03", "date_serie_excel"),
    ("43588", "2019-05-03", "date_serie_excel"),
    (dt.datetime(2019, 5, 3), "2019-05-03", None),
    (dt.date(2019, 5, 3), "2019-05-03", None),
    (pd.Timestamp("2019-05-03"), "2019-05-03", None),
]


@pytest.mark.parametrize(("cell", "expected", "correction"), DATES)
def test_date_table(cell: object, expected: str, correction: str | None) -> None:
    value, corr, error = parse_date(cell, today=TODAY)
    assert error is None
    assert value == pd.Timestamp(expected)
    assert corr == correction


@pytest.mark.parametrize("cell", ["31/02/2019", "hier", 12, "2019-13-01", True])
def test_date_errors(cell: object) -> None:
    assert parse_date(cell, today=TODAY)[2] == "date_invalide"


NAF = [
    ("6920Z", "69.20Z"),
    ("69.20z", "69.20Z"),
    (" 69 20 Z", "69.20Z"),
    ("69.20Z", "69.20Z"),
    ("62-01z", "62.01Z"),
]


@pytest.mark.parametrize(("cell", "expected"), NAF)
def test_naf_table(cell: str, expected: str) -> None:
    assert parse_naf(cell)[0] == expected
    assert parse_naf(cell)[1] == (None if cell == expected else "naf_normalise")


@pytest.mark.parametrize("cell", ["6920", "ABCDE", "69.2Z", 6920])
def test_naf_invalid(cell: object) -> None:
    assert parse_naf(cell)[2] == "naf_invalide"


# --------------------------------------------------------------------------------------------
# Whole frames


def test_storage_types() -> None:
    result = clean_responses(
        base(
            2,
            effectif=["1 250", 3],
            date_reponse=["2019-05-03", 43588],
            techno__analyse_texte=["x", None],
            departement=[2, "Nord"],
        ),
        ENT,
    )
    r = result.responses
    assert list(r.columns[-3:]) == ["_source_file", "_source_sheet", "_source_row"]
    assert str(r["effectif"].dtype) == "Int64"
    assert str(r["date_reponse"].dtype).startswith("datetime64")
    assert isinstance(r["ia_stade"].dtype, pd.CategoricalDtype)
    assert list(r["ia_stade"].cat.categories) == [*ENT["ia_stade"].codes, "nsp"]
    assert str(r["techno__analyse_texte"].dtype) == "Int8"
    assert str(r["ia_usage"].dtype) == "Int8"
    assert str(r["naf_code"].dtype) == "string"
    assert "siren" not in r and "raison_sociale" not in r and "email_contact" not in r
    assert r["departement"].tolist() == ["02", "59"]
    assert r["effectif"].tolist() == [1250, 3]


def test_every_value_format_in_one_date_column() -> None:
    result = clean_responses(base(3, date_reponse=["2019-05-03", "04/05/2019", 43590]), ENT)
    assert result.responses["date_reponse"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-05-03",
        "2019-05-04",
        "2019-05-05",
    ]
    assert result.quality["corrections"]["date_serie_excel"] == 1


def test_implausible_dates_are_findings_and_blanked() -> None:
    result = clean_responses(base(2, date_reponse=["2031-01-01", "1995-01-01"]), ENT)
    assert result.responses["date_reponse"].isna().all()
    assert (result.findings["rule"] == "date_improbable").sum() == 2


def test_multi_in_columns_blank_rule() -> None:
    df = base(
        3,
        freins__couts=["Oui", None, None],
        freins__ethique=[None, "non", None],
        freins__manque_temps=["x", None, None],
    )
    r = clean_responses(df, ENT).responses
    # row 0 answered (two options ticked): blanks are 0
    assert r.loc[0, "freins__couts"] == 1 and r.loc[0, "freins__manque_temps"] == 1
    assert r.loc[0, "freins__ethique"] == 0 and r.loc[0, "freins__flou_juridique"] == 0
    # row 1 answered with only a "non": the others are 0
    assert r.loc[1, "freins__couts"] == 0
    # row 2 did not answer: every option missing
    assert r.loc[2, [c for c in r if c.startswith("freins__")]].isna().all()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "Analyse de texte (fouille de textes); Reconnaissance vocale",
            {"analyse_texte", "reconnaissance_vocale"},
        ),
        (
            "Génération de langage (texte, code), Reconnaissance d'images",
            {"generation_langage", "reconnaissance_images"},
        ),
        ("analyse_texte|robots_autonomes", {"analyse_texte", "robots_autonomes"}),
        ("Reconnaissance vocale\nText mining", {"analyse_texte", "reconnaissance_vocale"}),
        ("  reconnaissance VOCALE ;  ", {"reconnaissance_vocale"}),
        ("Aucune", set()),
    ],
)
def test_multi_in_one_cell(cell: str, expected: set[str]) -> None:
    result = clean_responses(base(1, techno=[cell]), ENT)
    r = result.responses
    got = {c.split("__")[1] for c in ENT["techno"].columns() if r.loc[0, c] == 1}
    assert got == expected
    assert r.loc[0, ENT["techno"].columns()].notna().all()
    assert r.loc[0, "ia_usage"] == (1 if expected else 0)
    assert result.findings.empty


def test_multi_label_with_comma_is_kept_whole() -> None:
    df = frame(id_participant=["P1"], vague=["T0"], famille_metier=["Technique, informatique"])
    r = clean_responses(df, FORM).responses
    assert r.loc[0, "famille_metier"] == "technique_it"


def test_multi_unknown_piece_is_a_finding_and_known_ones_are_kept() -> None:
    result = clean_responses(base(1, techno=["Reconnaissance vocale; télépathie"]), ENT)
    assert result.responses.loc[0, "techno__reconnaissance_vocale"] == 1
    finding = result.findings[result.findings["rule"] == "code_inconnu"]
    assert finding["value"].tolist() == ["telepathie"]


def test_ia_usage_missing_when_technologies_unanswered() -> None:
    r = clean_responses(base(2, techno=["Reconnaissance vocale", None]), ENT).responses
    assert r["ia_usage"].tolist()[0] == 1
    assert pd.isna(r["ia_usage"].tolist()[1])


def test_band_gives_size_and_keeps_headcount_missing() -> None:
    result = clean_responses(
        base(3, taille=[None] * 3, effectif=["10 à 49", "200 à 299", "5000 et plus"]), ENT
    )
    r, rej = result.responses, result.rejects
    assert r["taille"].astype(object).tolist() == ["pme", "ge"]
    assert r["effectif"].isna().all()
    assert rej["rules"].tolist() == ["obligatoire_manquant"]  # 200-299 spans pme and eti
    assert result.quality["corrections"]["taille_depuis_tranche"] == 2


def test_size_from_headcount_and_headcount_wins() -> None:
    result = clean_responses(base(2, taille=[None, "tpe"], effectif=[300, "1 250"]), ENT)
    assert result.responses["taille"].astype(object).tolist() == ["eti", "eti"]
    assert "taille_effectif_incoherente" in set(result.findings["rule"])
    assert result.quality["corrections"]["taille_depuis_effectif"] == 1


def test_negative_headcount_is_warning_and_blank() -> None:
    result = clean_responses(base(1, effectif=[-5]), ENT)
    assert result.responses["effectif"].isna().all()
    row = result.findings.iloc[0]
    assert (row["rule"], row["severity"], row["column"]) == (
        "hors_plage",
        "avertissement",
        "effectif",
    )


def test_sector_derivations_and_conflicts() -> None:
    df = base(
        4, secteur=[None, None, "Banque", None], naf_code=["6920Z", "62.01Z", "6920Z", "47.11Z"]
    )
    result = clean_responses(df, ENT, stated_sector="logiciel")
    sectors = result.responses["secteur"].astype(object).tolist()
    # stated sector first, then the answered one; a NAF outside the stated sector is a warning
    assert sectors == ["logiciel", "logiciel", "banque", "logiciel"]
    conflicts = result.findings[result.findings["rule"] == "naf_secteur_incoherent"]
    assert conflicts["row"].tolist() == [2, 4, 5]
    assert result.responses["naf_code"].tolist()[:2] == ["69.20Z", "62.01Z"]
    no_stated = clean_responses(df, ENT)
    assert no_stated.responses["secteur"].astype(object).tolist() == [
        "expertise_comptable",
        "logiciel",
        "banque",
    ]
    assert no_stated.rejects["rules"].tolist() == ["obligatoire_manquant"]  # 47.11Z: no sector


def test_unknown_sector_blocks_the_row() -> None:
    result = clean_responses(base(2, secteur=["Banque", "Boulangerie"]), ENT)
    assert len(result.responses) == 1
    assert result.rejects["rules"].tolist() == ["code_inconnu"]
    assert "Boulangerie" in result.rejects["reasons"].iloc[0]
    assert result.rejects["secteur"].tolist() == ["Boulangerie"]


def test_unknown_code_warning_keeps_row() -> None:
    result = clean_responses(base(1, ia_stade=["peut-être"]), ENT)
    assert len(result.responses) == 1
    assert pd.isna(result.responses.loc[0, "ia_stade"])
    assert result.findings["severity"].tolist() == ["avertissement"]


def test_note_and_total_rows_are_rejected_with_reason() -> None:
    df = base(4)
    df.loc[2, ["id_repondant", "secteur", "taille", "ia_stade"]] = [
        "Source : enquête 2019",
        None,
        None,
        None,
    ]
    df.loc[3, ["id_repondant", "secteur", "taille"]] = ["Total", None, None]
    df.loc[3, "ia_stade"] = None
    df["effectif"] = pd.Series([30, 40, None, 12500], dtype=object)
    result = clean_responses(df, ENT)
    assert result.rejects["rules"].tolist() == ["ligne_sans_reponse", "ligne_sans_reponse"]
    assert result.rejects["_source_row"].tolist() == [4, 5]
    assert set(result.findings["rule"]) == {"ligne_sans_reponse"}


def test_missing_id_is_built_from_file_and_row() -> None:
    df = base(2)
    df["id_repondant"] = pd.Series([None, None], dtype=object)
    result = clean_responses(df, ENT)
    assert len(result.responses) == 2
    assert result.quality["corrections"]["id_construit"] == 2
    assert result.responses["id_repondant"].str.match(r"^E[0-9a-f]{10}$").all()


def test_findings_all_collected_at_once() -> None:
    df = base(
        2,
        ia_stade=["zz", "yy"],
        effectif=["beaucoup", -1],
        departement=["Paris", 75],
        date_reponse=["hier", "2040-01-01"],
    )
    result = clean_responses(df, ENT)
    assert len(result.findings) == 8
    assert len(result.responses) == 2


def test_formation_waves_and_pairs() -> None:
    df = frame(
        id_participant=["P1", "P1", "P1", "P2"],
        vague=["T0", "T1 - fin de formation", "T0", "T0"],
        nom_prenom=["Jeanne Martin", "Jeanne Martin", "Jeanne Martin", "Paul Durand"],
        satisfaction=["Très satisfait", "Plutôt satisfait", None, None],
        date_passation=["2019-09-01", "2019-10-15", "2019-09-02", "2019-09-01"],
        auto_eval__comprendre_ia=["1 - Pas du tout à l'aise", "4", "2", "3"],
    )
    result = clean_responses(df, FORM)
    r = result.responses
    assert "nom_prenom" not in r and "nom_prenom" not in result.rejects
    assert result.findings.query("rule == 'hors_vague'")["row"].tolist() == [2]
    assert len(result.findings.query("rule == 'participant_vague_duplique'")) == 2
    # P1 at T0 twice: the later passation is kept
    assert len(r) == 3
    assert result.rejects["_source_row"].tolist() == [2]
    assert r["id_participant"].tolist().count("P1") == 2
    assert not result.findings["value"].str.contains("Jeanne").any()


def test_english_messages() -> None:
    result = clean_responses(base(1, ia_stade=["zz"]), ENT, language="en")
    assert result.findings["message"].iloc[0].startswith("unknown value")


def test_no_provenance_columns_default_rows() -> None:
    df = pd.DataFrame(
        {"id_repondant": ["A"], "secteur": ["banque"], "taille": ["pme"], "ia_stade": ["veille"]},
        dtype=object,
    )
    result = clean_responses(df, ENT, file="x.csv")
    assert result.responses["_source_row"].tolist() == [2]
    assert result.responses["_source_file"].tolist() == ["x.csv"]


# --------------------------------------------------------------------------------------------
# Property: no row is lost, whatever the mess


COLUMNS = [
    "id_repondant",
    "siren",
    "secteur",
    "taille",
    "effectif",
    "departement",
    "naf_code",
    "date_reponse",
    "ia_stade",
    "techno",
    "freins__couts",
    "freins__ethique",
    "statut_reponse",
    "recrutements_ia_12m",
    "commentaire",
    "inconnue",
]
CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "Banque",
            "banque",
            "PME",
            "NSP",
            "x",
            "Oui",
            "non",
            "10 à 49",
            "1 250",
            "6920Z",
            "02",
            "Aisne",
            "03/05/2019",
            "2031-01-01",
            "Total",
            "Source : test",
            "Reconnaissance vocale; zz",
            "552100554",
            "complet",
            "veille",
            "-5",
            "3,5",
            "nan",
            "R1",
        ]
    ),
    st.integers(-10, 100000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 1, 1)),
    st.text(max_size=12),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.fixed_dictionaries(
            {c: st.lists(CELLS, min_size=n, max_size=n) for c in COLUMNS}
        )
    ),
    st.sampled_from([None, "banque"]),
)
def test_property_rows_in_equal_kept_plus_rejected(columns: dict, stated: str | None) -> None:
    df = frame(**columns)
    try:
        result = clean_responses(df, ENT, stated_sector=stated)
    except IaobsError:
        return
    assert result.quality["read"] == len(df)
    assert len(result.responses) + len(result.rejects) == len(df)
    kept_rows = set(result.responses["_source_row"]) | set(result.rejects["_source_row"])
    assert kept_rows == set(range(2, len(df) + 2))
    assert "siren" not in result.rejects and "siren" not in result.responses
    assert (
        not result.findings.loc[result.findings["column"] == "siren", "value"]
        .isin(["552100554"])
        .any()
    )
    assert np.isin(result.findings["severity"], ["bloquant", "avertissement"]).all()
