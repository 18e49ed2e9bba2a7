"""The questionnaires as data: loading, storage rules, sectors, sizes, overrides."""

from __future__ import annotations

import pytest

from iaobs.errors import ConfigError
from iaobs.study.dictionary import Label, Sector, load_dictionary, normalise_text


@pytest.fixture(scope="module")
def d():
    return load_dictionary("entreprises")


def test_every_variable_of_the_specification_is_loaded(d) -> None:
    import yaml

    from iaobs.study.dictionary import _read_yaml

    spec = _read_yaml("entreprises")
    assert [v["name"] for v in spec["variables"]] == list(d.variables)
    assert yaml.safe_load("x: '10_25'")["x"] == "10_25"  # quoted codes stay text


@pytest.mark.parametrize(
    ("name", "type_", "coded", "flag", "columns"),
    [
        ("ia_stade", "ord", True, False, ["ia_stade"]),
        ("techno", "multi", False, True, None),
        ("ia_usage", "bool", False, True, ["ia_usage"]),
        ("volontaire_accompagnement", "bool", True, False, ["volontaire_accompagnement"]),
        ("besoin_comp", "matrix", True, False, None),
        ("effectif", "int", False, False, ["effectif"]),
    ],
)
def test_storage_rules(d, name, type_, coded, flag, columns) -> None:
    var = d[name]
    assert var.type == type_
    assert var.is_coded is coded
    assert var.is_flag is flag
    if columns is not None:
        assert var.columns() == columns
    else:
        assert all(col.startswith(f"{name}__") for col in var.columns())


def test_scales_give_codes_missing_and_top2(d) -> None:
    var = d["opinion_opportunite"]
    assert list(var.codes) == ["tout_a_fait", "plutot", "neutre", "plutot_pas", "pas_du_tout"]
    assert list(var.missing) == ["nsp"]
    assert var.top2 == ("tout_a_fait", "plutot")
    assert list(d["impact_famille"].missing) == ["nsp", "non_concerne"]


def test_codes_that_look_like_numbers_stay_text(d) -> None:
    assert "10_25" in d["taches_automatisables"].codes
    assert "12_mois" in d["projet_horizon"].codes


def test_codes_from_another_variable(d) -> None:
    assert list(d["competence_prioritaire"].codes) == list(d["besoin_comp"].items)


@pytest.mark.parametrize(
    ("naf", "sector"),
    [
        ("69.20Z", "expertise_comptable"),
        ("64.19Z", "banque"),
        ("65.12Z", "assurance"),
        ("49.41A", "transport_logistique"),
        ("53.10Z", "transport_logistique"),
        ("62.01Z", "logiciel"),
        ("10.71C", "industrie"),
        ("33.12Z", "industrie"),
        ("47.11F", "autre"),
        ("64.20Z", "autre"),
    ],
)
def test_sector_for_naf(d, naf, sector) -> None:
    assert d.sector_for_naf(naf) == sector


@pytest.mark.parametrize(
    ("headcount", "size"),
    [
        (0, "tpe"),
        (9, "tpe"),
        (10, "pme"),
        (249, "pme"),
        (250, "eti"),
        (4999, "eti"),
        (5000, "ge"),
        (-1, None),
    ],
)
def test_size_for_headcount(d, headcount, size) -> None:
    assert d.size_for_headcount(headcount) == size


def test_labels_in_both_languages(d) -> None:
    assert d.column_label("techno__analyse_texte") == "Analyse de texte (fouille de textes)"
    assert d.column_label("techno__analyse_texte", "en") == "Text mining"
    assert d.code_label("ia_stade", "veille", "en") == "Watching, thinking"
    assert d.code_label("besoin_comp__donnees", "fort") == "Besoin fort"


def test_confidential_columns_can_be_left_out(d) -> None:
    columns = d.columns(include_confidential=False)
    assert "siren" not in columns and "email_contact" not in columns
    assert "commentaire" in columns  # free text stays in processed data


def test_training_questionnaire_shares_scales_and_sectors() -> None:
    f = load_dictionary("formation")
    assert next(iter(f["opinion_confiance"].codes)) == "tout_a_fait"
    assert "banque" in f["secteur"].codes
    assert f["satisfaction"].waves == ("T1",)
    assert f["nom_prenom"].privacy == "confidential"


def test_study_overrides_sectors_departements_and_labels(d) -> None:
    sectors = {"sante": Sector("sante", Label("Santé", "Health"), ("86.*",))}
    custom = d.with_overrides(
        sectors=sectors,
        departements={"31": "Haute-Garonne"},
        labels={"ia_stade": Label("Stade", "Stage")},
    )
    assert list(custom["secteur"].codes) == ["sante"]
    assert custom.sector_for_naf("86.10Z") == "sante"
    assert list(custom["departement"].codes) == ["31"]
    assert custom["ia_stade"].label.fr == "Stade"
    assert next(iter(d["secteur"].codes)) == "expertise_comptable"  # the original is untouched
    with pytest.raises(ConfigError, match="inconnues"):
        d.with_overrides(labels={"nope": Label("x", "x")})


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("  Plutôt  d’accord ", "plutot d'accord"),
        ("ÉTI", "eti"),
        ("Cœur", "coeur"),
        ("1\u202f250", "1 250"),
    ],
)
def test_normalise_text(raw, folded) -> None:
    assert normalise_text(raw) == folded


def test_unknown_questionnaire() -> None:
    with pytest.raises(ConfigError):
        load_dictionary("nope")
