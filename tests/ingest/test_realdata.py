"""The reader on real third-party files (../shared/realdata, see its README.md).

These files are not committed; the tests skip when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iaobs.ingest.read import read_source

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
DARES = REALDATA / "dares_secteurs_employeurs_cp1252.csv"
BMO = REALDATA / "bmo_2025_france_travail.xlsx"
KOBO = REALDATA / "kobo_export_multisheet.xlsx"

pytestmark = pytest.mark.skipif(
    not REALDATA.is_dir(), reason=f"real data folder absent: {REALDATA}"
)


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"real data file absent: {path}")


def test_dares_cp1252_keeps_oe_and_na_is_missing() -> None:
    _need(DARES)
    table = read_source(DARES)
    assert any("1252" in note for note in table.notes)
    text = "\n".join(
        str(v) for row in table.frame[table.columns].itertuples(index=False) for v in row
    )
    assert "œuvre" in text
    assert "\x9c" not in text and "\ufffd" not in text
    assert "NA" not in set(table.frame["code_fap_agregee"].dropna())
    assert table.frame["code_fap_agregee"].isna().sum() > 0
    assert table.frame["code_fap_agregee"].map(lambda v: v is None).sum() > 0
    assert table.columns[:3] == ["Fap", "Secteur", "Label_secteur"]
    assert len(table.frame) == 1212
    assert table.frame["_source_row"].iloc[0] == 2


def test_bmo_data_sheet_chosen_codes_and_secrecy() -> None:
    _need(BMO)
    table = read_source(BMO)
    assert table.sheet == "BMO_2025_open_data"
    assert table.header_row == 1
    assert len(table.frame) == 50_076
    assert "Nom métier BMO" in table.columns
    regions = set(table.frame["REG"].dropna())
    assert "01" in regions and "1" not in regions
    assert all(isinstance(v, str) for v in regions)
    cells = table.frame[table.columns]
    assert not cells.isin(["*"]).any().any()
    assert table.frame["met"].map(lambda v: v is None).sum() > 0


def test_bmo_description_sheet_header_below_blank_rows_and_notes_kept() -> None:
    _need(BMO)
    table = read_source(BMO, sheet="Description_des_variables")
    assert table.header_row == 7
    assert "Variables" in table.columns and "Description" in table.columns
    assert table.frame["Variables"].iloc[0] == "annee"
    # the notes below the table are kept as rows (the cleaner rejects them with a reason)
    last = table.frame.iloc[-1]
    assert "francetravail" in " ".join(str(v) for v in last.tolist())


def test_kobo_main_sheet_chosen() -> None:
    _need(KOBO)
    table = read_source(KOBO)
    assert table.sheet == "Meeting Form"
    assert "_uuid" in table.columns and "_parent_index" not in table.columns
    assert len(table.frame) == 5
    assert any("Kobo" in note for note in table.notes)
