"""The draw: sizes equal the plan, reproducible by seed, independent of the file's order."""

from __future__ import annotations

import pandas as pd
import pytest

from iaobs.errors import ConfigError
from iaobs.frame.draw import SAMPLE_COLUMNS, draw_sample
from iaobs.frame.margins import FRAME_COLUMNS
from iaobs.frame.plan import allocate
from iaobs.study.config import PlanSettings


def _frame() -> pd.DataFrame:
    rows = []
    for i in range(600):
        sector = "a" if i % 3 else "b"
        size = "tpe" if i % 10 else "pme"
        rows.append(
            (
                f"{100000000 + i}",
                f"{100000000 + i}00011",
                f"NOM {i}",
                "",
                "59000",
                "LILLE",
                "59",
                sector,
                size,
                "62.01Z",
                "01",
                "O",
            )
        )
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def _plan(frame: pd.DataFrame) -> pd.DataFrame:
    margins = (
        frame.groupby(["secteur", "taille", "departement"])
        .size()
        .rename("n_entreprises")
        .reset_index()
    )
    return allocate(margins, PlanSettings(precision=0.1, overall_precision=0.08)).strata


def test_stratum_sizes_equal_the_plan_and_the_seed_decides() -> None:
    frame = _frame()
    plan = _plan(frame)
    sample = draw_sample(frame, plan, seed=7)
    assert list(sample.columns) == list(SAMPLE_COLUMNS)
    got = sample.groupby(["secteur", "taille", "statut"]).size()
    for row in plan.itertuples(index=False):
        assert got.get((row.secteur, row.taille, "principal"), 0) == row.n_tirage
        assert got.get((row.secteur, row.taille, "reserve"), 0) == row.n_reserve
    assert not sample["siren"].duplicated().any()
    shuffled = frame.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(draw_sample(shuffled, plan, seed=7), sample)
    assert not draw_sample(frame, plan, seed=8)["siren"].equals(sample["siren"])
    weights = (
        sample[sample["statut"] == "principal"].groupby(["secteur", "taille"])["poids_tirage"].sum()
    )
    sizes = plan.set_index(["secteur", "taille"])["n_entreprises"]
    assert (weights.round(3) == sizes.loc[weights.index].astype(float)).all()


def test_a_frame_changed_since_the_plan_is_refused() -> None:
    frame = _frame()
    plan = _plan(frame)
    with pytest.raises(ConfigError, match="relancez « iaobs plan »"):
        draw_sample(frame.iloc[5:], plan, seed=1)
