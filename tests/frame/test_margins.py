"""The frame's rules, one row each: every unit read ends in the frame or in one exclusion."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sirene_stock import establishment, unit, write_stock

from iaobs.errors import ConfigError, InputError
from iaobs.frame.margins import build_frame
from iaobs.study.config import FrameSettings

SECTORS = {
    "logiciel": ("62.01Z", "62.02A"),
    "transport": ("49.*", "50.*"),
    "industrie": ("10.*-33.*",),
}
DEPS = ("59", "62", "2A", "971")
REPO = Path(__file__).resolve().parents[2]

# (unit, head-office commune, head office active, expected stratum or exclusion reason)
CASES = [
    (unit("100000001", "62.01Z", tranche="NN"), "59350", True, ("logiciel", "tpe", "59")),
    (unit("100000002", "62.01Z", tranche=""), "59350", True, ("logiciel", "tpe", "59")),
    (unit("100000003", "62.02A", tranche="03"), "62041", True, ("logiciel", "tpe", "62")),
    (unit("100000004", "62.01Z", tranche="11"), "62041", True, ("logiciel", "pme", "62")),
    (unit("100000005", "49.41A", tranche="31"), "2A004", True, ("transport", "pme", "2A")),
    (unit("100000006", "50.20Z", tranche="32"), "97105", True, ("transport", "eti", "971")),
    (unit("100000007", "25.62B", tranche="51"), "59350", True, ("industrie", "eti", "59")),
    (unit("100000008", "33.12Z", tranche="52"), "59350", True, ("industrie", "ge", "59")),
    (
        unit("100000009", "10.11Z", tranche="53", diffusion="P"),
        "59350",
        True,
        ("industrie", "ge", "59"),
    ),
    (unit("100000010", "62.01Z", etat="C"), "59350", False, "cessee"),
    (
        unit("100000011", "72.2Z", nomenclatureActivitePrincipaleUniteLegale="NAFRev1"),
        "59350",
        True,
        "nomenclature",
    ),
    (unit("100000012", "47.11F"), "59350", True, "hors_champ_naf"),
    (unit("100000013", "34.00Z"), "59350", True, "hors_champ_naf"),
    (unit("100000014", "62.01Z", tranche="99"), "59350", True, "tranche_inconnue"),
    (unit("100000015", "62.01Z"), "59350", False, "sans_siege_actif"),
    (unit("100000016", "62.01Z"), "75056", True, "hors_region"),
    (unit("100000017", "62.01Z"), "2B033", True, "hors_region"),
]


def _files(tmp_path: Path, suffix: str = "csv") -> tuple[Path, Path]:
    units = [case[0] for case in CASES]
    establishments = []
    for u, commune, active, _ in CASES:
        establishments.append(
            establishment(
                u["siren"],
                commune,
                u["activitePrincipaleUniteLegale"],
                etat="A" if active else "F",
                diffusion=u["statutDiffusionUniteLegale"],
            )
        )
        # a secondary establishment in the region never makes a firm regional
        establishments.append(
            establishment(
                u["siren"], "59350", u["activitePrincipaleUniteLegale"], siege=False, nic="00029"
            )
        )
    ul = write_stock(tmp_path / f"StockUniteLegale.{suffix}", "unites_legales", units)
    et = write_stock(tmp_path / f"StockEtablissement.{suffix}", "etablissements", establishments)
    return ul, et


@pytest.mark.parametrize("suffix", ["csv", "zip", "parquet"])
def test_every_unit_in_the_frame_or_excluded_once(tmp_path, suffix) -> None:
    ul, et = _files(tmp_path, suffix)
    result = build_frame(ul, et, sectors=SECTORS, departements=DEPS, settings=FrameSettings())
    placed = {
        row.siren: (row.secteur, row.taille, row.departement) for row in result.frame.itertuples()
    }
    excluded = dict(zip(result.exclusions["motif"], result.exclusions["n_unites"], strict=True))
    for u, _, _, expected in CASES:
        if isinstance(expected, tuple):
            assert placed[u["siren"]] == expected, u["siren"]
        else:
            assert u["siren"] not in placed
    reasons = pd.Series([e for *_, e in CASES if isinstance(e, str)]).value_counts()
    for reason, count in reasons.items():
        assert excluded[reason] == count, reason
    assert result.units_read == len(CASES) == result.firms + sum(excluded.values())
    assert result.margins["n_entreprises"].sum() == result.firms
    secret = result.frame.set_index("siren").loc["100000009"]
    assert (
        secret["diffusion"] == "P" and secret["denomination"] is None and secret["adresse"] is None
    )
    assert result.partial_diffusion == 1


def test_size_bounds_are_configurable(tmp_path) -> None:
    ul, et = _files(tmp_path)
    settings = FrameSettings(
        size_bounds=(("tpe", "11"), ("pme", "31"), ("eti", "51"), ("ge", "53"))
    )
    result = build_frame(ul, et, sectors=SECTORS, departements=DEPS, settings=settings)
    assert result.frame.set_index("siren").loc["100000004", "taille"] == "tpe"


def test_unused_and_unknown_naf_codes(tmp_path) -> None:
    ul, et = _files(tmp_path)
    sectors = {**SECTORS, "banque": ("64.19Z",)}
    result = build_frame(ul, et, sectors=sectors, departements=DEPS, settings=FrameSettings())
    assert result.naf_without_unit == ("64.19Z",)
    with pytest.raises(ConfigError, match="code NAF inconnu « 6419 »"):
        build_frame(
            ul, et, sectors={"banque": ("6419",)}, departements=DEPS, settings=FrameSettings()
        )


def test_a_region_with_no_firm_is_one_line(tmp_path) -> None:
    ul, et = _files(tmp_path)
    with pytest.raises(InputError, match=r"aucune entreprise active .* départements 80") as caught:
        build_frame(ul, et, sectors=SECTORS, departements=("80",), settings=FrameSettings())
    assert "\n" not in str(caught.value)


def test_files_swapped_are_named(tmp_path) -> None:
    ul, et = _files(tmp_path)
    with pytest.raises(InputError, match="c'est un fichier StockEtablissement"):
        build_frame(et, ul, sectors=SECTORS, departements=DEPS, settings=FrameSettings())


def test_the_sample_study_margins_come_from_its_extracts() -> None:
    from iaobs.study.config import load_study

    study = load_study(REPO)
    assert study.frame.configured
    result = build_frame(
        study.frame.unites_legales,
        study.frame.etablissements,
        sectors={c: s.naf for c, s in study.dictionary.sectors.items()},
        departements=list(study.dictionary.departements),
        settings=study.frame,
    )
    shipped = pd.read_csv(
        REPO / "data" / "reference" / "population.csv", dtype={"departement": str}
    )
    pd.testing.assert_frame_equal(result.margins, shipped)
    assert set(result.exclusions.query("n_unites > 0")["motif"]) == {
        "cessee",
        "nomenclature",
        "hors_champ_naf",
        "sans_siege_actif",
        "hors_region",
    }
