"""The frame's margins against a plain re-implementation of the rules, on random stocks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sirene_stock import establishment, unit, write_stock

from iaobs.frame.margins import build_frame
from iaobs.study.config import FrameSettings

SECTORS = {"logiciel": ("62.01Z",), "transport": ("49.*",)}
DEPS = ("59", "62")
SIZE = FrameSettings().size_of_band()

firm = st.fixed_dictionaries(
    {
        "naf": st.sampled_from(["62.01Z", "62.02A", "49.41A", "47.11F"]),
        "tranche": st.sampled_from(["NN", "", "01", "11", "32", "52", "53"]),
        "etat": st.sampled_from(["A", "A", "A", "C"]),
        "commune": st.sampled_from(["59350", "62041", "75056", "2A004"]),
        "head_active": st.booleans(),
    }
)


def _expected(firms: list[dict]) -> pd.DataFrame:
    rows = []
    for f in firms:
        sector = {"62.01Z": "logiciel", "49.41A": "transport"}.get(f["naf"])
        dep = f["commune"][:2]
        if f["etat"] == "A" and sector and f["head_active"] and dep in DEPS:
            rows.append((sector, SIZE[f["tranche"] or "NN"], dep))
    frame = pd.DataFrame(rows, columns=["secteur", "taille", "departement"])
    return frame.value_counts().rename("n_entreprises").sort_index().reset_index()


@settings(max_examples=15)
@given(st.lists(firm, min_size=1, max_size=30))
def test_margins_follow_the_rules(firms: list[dict]) -> None:
    units, establishments = [], []
    for i, f in enumerate(firms):
        siren = f"{100000000 + i}"
        units.append(unit(siren, f["naf"], tranche=f["tranche"], etat=f["etat"]))
        establishments.append(
            establishment(siren, f["commune"], f["naf"], etat="A" if f["head_active"] else "F")
        )
    with tempfile.TemporaryDirectory() as tmp:
        ul = write_stock(Path(tmp) / "ul.csv", "unites_legales", units)
        et = write_stock(Path(tmp) / "et.csv", "etablissements", establishments)
        expected = _expected(firms)
        if expected.empty:
            return  # no firm at all: an error, tested elsewhere
        result = build_frame(ul, et, sectors=SECTORS, departements=DEPS, settings=FrameSettings())
    got = result.margins.set_index(["secteur", "taille", "departement"])["n_entreprises"]
    want = expected.set_index(["secteur", "taille", "departement"])["n_entreprises"]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    assert result.units_read == result.firms + int(result.exclusions["n_unites"].sum())
