"""Fixtures of the actors' tests: SIRENE stock files read by the frame's reader, a study."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pytest
from actors_stock import (
    CURATED,
    ESTABLISHMENTS,
    HDF,
    NAF,
    UNITS,
    write_stock,
)

from iaobs.frame.sirene import ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS, read_active_establishments


@pytest.fixture
def stock_files(tmp_path: Path) -> tuple[Path, Path]:
    """(StockEtablissement, StockUniteLegale) of seven establishments, written as CSV."""
    etab = write_stock(tmp_path / "StockEtablissement.csv", ESTABLISHMENT_COLUMNS, ESTABLISHMENTS)
    units = write_stock(tmp_path / "StockUniteLegale.csv", LEGAL_UNIT_COLUMNS, UNITS)
    return etab, units


@pytest.fixture
def read_sirene(stock_files: tuple[Path, Path]):
    """Read the stock files as the directory does, optionally after editing some rows."""

    def _read(naf: Iterable[str] = NAF, **changes: Mapping[str, str]) -> pd.DataFrame:
        etab, units = stock_files
        if changes:
            rows = [dict(r, **changes.get(r["siret"], {})) for r in ESTABLISHMENTS]
            write_stock(etab, ESTABLISHMENT_COLUMNS, rows)
        return read_active_establishments(etab, naf=naf, departements=HDF, unites_legales=units)

    return _read


@pytest.fixture
def sirene(read_sirene) -> pd.DataFrame:
    """The AI-supply establishments of the region read from the stock files."""
    return read_sirene()


@pytest.fixture
def actors_study(tmp_path: Path) -> Path:
    """A study of two waves (2018, 2019) with SIRENE extracts and a curated list, no survey;
    its directories computed by the actors stage."""
    from iaobs.pipeline.actors import compute_actors
    from iaobs.study.config import load_study

    root = tmp_path / "etude"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "study.toml").write_text(
        '[study]\ntitle = "Observatoire test"\nregion = "Hauts-de-France"\nwave = "2019"\n'
        'waves = ["2018", "2019"]\nlanguage = "fr"\n\n[acteurs]\n'
        'naf = ["58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z"]\n'
        'etablissements = "data/reference/sirene/{wave}/StockEtablissement.csv"\n'
        'unites_legales = "data/reference/sirene/{wave}/StockUniteLegale.csv"\n',
        "utf-8",
    )
    sirene = root / "data" / "reference" / "sirene"
    for wave, rows in (
        ("2018", ESTABLISHMENTS[:1] + ESTABLISHMENTS[2:4]),
        ("2019", ESTABLISHMENTS),
    ):
        write_stock(sirene / wave / "StockEtablissement.csv", ESTABLISHMENT_COLUMNS, rows)
        write_stock(sirene / wave / "StockUniteLegale.csv", LEGAL_UNIT_COLUMNS, UNITS)
    listed = root / "data" / "reference" / "acteurs" / "acteurs.csv"
    listed.parent.mkdir(parents=True)
    listed.write_text(CURATED, "utf-8")
    compute_actors(load_study(root))
    return root
