"""A domain against the rest of the region: difference, its design variance, the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iaobs.core.contract import CONTRAST_COLUMNS
from iaobs.errors import InputError
from iaobs.stats.contrast import contrast_phrase, estimate_contrasts, load_contrasts
from iaobs.stats.estimate import estimate_indicators, estimate_ratios
from iaobs.stats.weights import compute_weights
from iaobs.study.config import Weighting
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import random_responses


@pytest.fixture(scope="module")
def raked() -> tuple[pd.DataFrame, object]:
    responses, margins = random_responses(500, 3, missing=0.1, firms_per_cell=(20, 90))
    weighting = compute_weights(responses, margins, Weighting(), dictionary=load_dictionary())
    return responses.iloc[weighting.rows].reset_index(drop=True), weighting


def test_uncalibrated_difference_of_disjoint_strata_adds_variances() -> None:
    responses, margins = random_responses(400, 4, missing=0.1, firms_per_cell=(20, 90))
    d = load_dictionary()
    weighting = compute_weights(responses, margins, Weighting(rake=()), dictionary=d)
    design = weighting.design
    table = estimate_contrasts(responses, design, d, partitions=("secteur",))
    row = table[(table.indicator == "ia_usage") & (table.domain == "secteur=banque")].iloc[0]
    inside = (responses["secteur"].astype(str) == "banque").to_numpy()
    y = responses["ia_usage"].to_numpy(dtype=float, na_value=np.nan)
    index = design.domain_index(np.where(inside, 0, 1), 2)
    r = estimate_ratios(design, y, ~np.isnan(y), index)
    # the sector is a union of strata: no covariance with the rest
    assert row["estimate"] == pytest.approx(r.estimate[0, 0], rel=1e-12)
    assert row["rest"] == pytest.approx(r.estimate[1, 0], rel=1e-12)
    assert row["se"] == pytest.approx(float(np.sqrt(r.se[0, 0] ** 2 + r.se[1, 0] ** 2)), rel=1e-9)


def test_contrasts_table_columns_flags_and_test(raked) -> None:
    responses, weighting = raked
    d = load_dictionary()
    indicators = estimate_indicators(responses, weighting, d)
    table = estimate_contrasts(responses, weighting, d, indicators)
    assert list(table.columns) == list(CONTRAST_COLUMNS)
    shown = table[table["flag"].isin(["", "prudence"])]
    assert shown["p_value"].dropna().between(0, 1).all() and shown["p_value"].notna().mean() > 0.9
    assert (shown["significant"] == (shown["p_value"] < 0.05)).all()
    sig = shown[shown["significant"]]
    assert ((sig["difference"] > 0) == (sig["direction"] == "plus élevé")).all()
    tested = shown[shown["p_value"].notna()]
    outside = (tested["ci_low"] > 0) | (tested["ci_high"] < 0)
    assert (outside == tested["significant"]).all()  # same t quantile
    hidden = table[table["flag"].isin(["s", "nd"])]
    assert hidden["difference"].isna().all() and not hidden["significant"].any()
    mine = table.merge(indicators, on=["indicator", "level", "domain"], suffixes=("", "_i"))
    shown = mine[mine["flag"].isin(["", "prudence"])]
    np.testing.assert_allclose(shown["estimate"], shown["estimate_i"], rtol=1e-10)


def test_no_contrast_where_the_region_is_hidden(raked) -> None:
    """The domain plus the rest of the region gives the region: a hidden region cell hides
    every comparison of that indicator and level."""
    responses, weighting = raked
    d = load_dictionary()
    indicators = estimate_indicators(responses, weighting, d)
    region = (indicators["domain"] == "all") & (indicators["indicator"] == "ia_usage")
    indicators.loc[region, "flag"] = "s"
    table = estimate_contrasts(responses, weighting, d, indicators)
    mine = table[table["indicator"] == "ia_usage"]
    assert len(mine) and mine["flag"].isin(["s", "nd"]).all()
    assert mine["rest"].isna().all() and mine["difference"].isna().all()


def test_load_contrasts_and_phrases(tmp_path, raked) -> None:
    responses, weighting = raked
    d = load_dictionary()
    table = estimate_contrasts(responses, weighting, d)
    path = tmp_path / "contrasts.parquet"
    table.to_parquet(path, index=False)
    loaded = load_contrasts(path)
    assert list(loaded.columns) == list(CONTRAST_COLUMNS)
    row = dict(loaded.iloc[0])
    row.update(direction="plus élevé", flag="", difference=0.1)
    assert contrast_phrase(row) == "significativement plus élevé que dans le reste de la région"
    row.update(direction="")
    assert "sans écart significatif" in contrast_phrase(row)
    row.update(flag="s")
    assert contrast_phrase(row) == ""
    with pytest.raises(InputError, match="introuvable"):
        load_contrasts(tmp_path / "absent.parquet")
    table.drop(columns=["p_value"]).to_parquet(path, index=False)
    with pytest.raises(InputError, match="p_value"):
        load_contrasts(path)
