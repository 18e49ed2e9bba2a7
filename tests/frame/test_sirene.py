"""The SIRENE reader: the published layout in its three formats, and its errors."""

from __future__ import annotations

import pytest
from sirene_stock import establishment, unit

from iaobs.errors import ConfigError, InputError
from iaobs.frame.sirene import (
    ESTABLISHMENT_RESULT_COLUMNS,
    inspect_sirene,
    naf_prefixes,
    read_active_establishments,
)

UNITS = [
    unit("100000001", "62.01Z", name="ALPHA IA"),
    unit("100000002", "62.01Z", diffusion="P", name="SECRET SARL"),
    unit("100000003", "69.20Z", name="CABINET"),
    unit("100000004", "62.02A", etat="C"),
]
ESTABLISHMENTS = [
    establishment("100000001", "59350", "62.01Z", enseigne="ALPHA"),
    establishment("100000001", "2A004", "62.01Z", siege=False, nic="00029"),
    establishment("100000002", "62041", "62.01Z"),
    establishment("100000003", "59350", "69.20Z"),
    establishment("100000004", "80021", "62.02A", etat="F"),
    establishment("100000001", "97105", "62.01Z", siege=False, nic="00037"),
]


@pytest.mark.parametrize("suffix", ["csv", "zip", "parquet"])
def test_active_establishments_in_every_format(stock, suffix) -> None:
    etab = stock(f"StockEtablissement.{suffix}", "etablissements", ESTABLISHMENTS)
    ul = stock(f"StockUniteLegale.{suffix}", "unites_legales", UNITS)
    found = read_active_establishments(
        etab, naf=["62.*"], departements=["59", "62", "2A", "80", "971"], unites_legales=ul
    )
    assert list(found.columns) == list(ESTABLISHMENT_RESULT_COLUMNS)
    assert list(found["siret"]) == [
        "10000000100011",
        "10000000100029",
        "10000000100037",
        "10000000200011",
    ]
    assert list(found["departement"]) == ["59", "2A", "971", "62"]
    first = found.iloc[0]
    assert first["denomination"] == "ALPHA IA" and first["enseigne"] == "ALPHA"
    assert first["x_lambert93"] == pytest.approx(704000.5) and bool(first["siege"])
    secret = found.iloc[3]
    assert secret["diffusion"] == "P"
    assert secret["denomination"] is None and secret["x_lambert93"] != secret["x_lambert93"]


def test_without_legal_units_and_exact_code(stock) -> None:
    etab = stock("e.csv", "etablissements", ESTABLISHMENTS)
    found = read_active_establishments(etab, naf=["69.20Z"], departements=["59"])
    assert list(found["siren"]) == ["100000003"]


def test_naf_patterns() -> None:
    assert naf_prefixes(["62.01Z", "49.*", "10.*-12.*", "62"]) == (
        "62.01Z",
        "49.",
        "10.",
        "11.",
        "12.",
        "62",
    )
    with pytest.raises(ConfigError, match="code NAF inconnu « 6201 »"):
        naf_prefixes(["6201"])


def test_wrong_layouts_are_one_line(stock, tmp_path) -> None:
    ul = stock("ul.csv", "unites_legales", UNITS)
    with pytest.raises(InputError, match="c'est un fichier StockUniteLegale"):
        inspect_sirene(ul, "etablissements")
    semi = tmp_path / "semi.csv"
    semi.write_text("siren;siret;nic\n1;2;3\n", "utf-8")
    with pytest.raises(InputError, match="séparateur « ; »"):
        inspect_sirene(semi, "etablissements")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(ul.read_text("utf-8").replace("etatAdministratifUniteLegale", "etat"))
    with pytest.raises(InputError, match="« etatAdministratifUniteLegale » absente"):
        inspect_sirene(renamed, "unites_legales")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("siren,dénomination\n".encode("cp1252"))
    with pytest.raises(InputError, match="UTF-8"):
        inspect_sirene(latin, "unites_legales")
    with pytest.raises(InputError, match="introuvable"):
        inspect_sirene(tmp_path / "absent.csv", "unites_legales")
    with pytest.raises(InputError, match="non reconnu"):
        inspect_sirene(
            stock("x.csv", "unites_legales", []).rename(tmp_path / "x.xlsx"), "unites_legales"
        )
    for error in (InputError,):
        assert "\n" not in str(error("x"))


@pytest.mark.parametrize("suffix", ["csv", "zip"])
def test_a_malformed_row_is_one_line(tmp_path, suffix) -> None:
    import zipfile

    from sirene_stock import write_stock

    good = write_stock(tmp_path / "e.csv", "etablissements", ESTABLISHMENTS).read_text("utf-8")
    lines = good.splitlines()
    lines[3] += ',"de trop'
    text = "\n".join(lines) + "\n"
    path = tmp_path / f"bad.{suffix}"
    if suffix == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("bad.csv", text)
    else:
        path.write_text(text, "utf-8")
    with pytest.raises(InputError, match="bad") as caught:
        read_active_establishments(path, naf=["62.*"], departements=["59"])
    assert "\n" not in str(caught.value) and "CSV" in str(caught.value)


def test_parquet_with_typed_columns(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # numbers and booleans where the CSV has text: identifiers keep their leading zeros
    table = pa.table(
        {
            "siren": pa.array([5520135], pa.int64()),
            "nic": pa.array([11], pa.int64()),
            "siret": pa.array([552013500011], pa.int64()),
            "statutDiffusionEtablissement": ["O"],
            "etablissementSiege": pa.array([True]),
            "codeCommuneEtablissement": ["59350"],
            "etatAdministratifEtablissement": ["A"],
            "activitePrincipaleEtablissement": ["62.01Z"],
            "coordonneeLambertAbscisseEtablissement": pa.array([704000.0]),
            "coordonneeLambertOrdonneeEtablissement": pa.array([7059000.0]),
        }
    )
    path = tmp_path / "StockEtablissement.parquet"
    pq.write_table(table, path)
    found = read_active_establishments(path, naf=["62.01Z"], departements=["59"])
    row = found.iloc[0]
    assert (row["siren"], row["siret"]) == ("005520135", "00552013500011")
    assert bool(row["siege"]) and row["x_lambert93"] == 704000.0
