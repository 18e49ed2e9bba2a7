"""Every row of tests/data/reference/reference_values.csv (R survey 4.1.1) to 1e-6 relative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iaobs.stats.design import SurveyDesign
from iaobs.stats.estimate import (
    clopper_pearson_interval,
    estimate_ratios,
    estimate_totals,
    mean_interval,
    proportion_interval,
    wilson_interval,
)

REF = Path(__file__).parents[1] / "data" / "reference"
RTOL = 1e-6

API_STYPE = {"E": 4421, "H": 755, "M": 1018}
API_SCHWIDE = {"No": 1072, "Yes": 5122}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv")


def _design(dataset: str, design: str) -> tuple[pd.DataFrame, SurveyDesign]:
    data = _data(dataset)
    if dataset == "api_strat":
        return data, SurveyDesign.from_arrays(data["pw"], strata=data["stype"], fpc=data["fpc"])
    if dataset == "api_clus1":
        d = SurveyDesign.from_arrays(data["pw"], psu=data["dnum"], fpc=data["fpc"])
        if "postStratify stype" in design:
            d = d.poststratify(data["stype"], API_STYPE)
        elif "rake stype + sch.wide" in design:
            d = d.rake([data["stype"], data["sch.wide"]], [API_STYPE, API_SCHWIDE])
        return data, d
    # fixture_obs_ia
    stratum = data["secteur"] + "×" + data["taille"]
    if design.startswith("strata=secteur x taille"):
        n_h = stratum.map(stratum.value_counts())
        return data, SurveyDesign.from_arrays(data["N_h"] / n_h, strata=stratum, fpc=data["N_h"])
    assert design.startswith("equal weights 1455/30")
    d = SurveyDesign.from_arrays(np.full(len(data), 1455 / 30))
    pop = data.drop_duplicates(["secteur", "taille"])
    sect = pop.groupby("secteur")["N_h"].sum().to_dict()
    size = pop.groupby("taille")["N_h"].sum().to_dict()
    return data, d.rake([data["secteur"], data["taille"]], [sect, size])


def _variable(data: pd.DataFrame, variable: str) -> tuple[np.ndarray, str]:
    """The values of a reference variable (``sch.wide==Yes``, ``impact_effectifsbaisse``…)."""
    if "==" in variable:
        col, level = variable.split("==")
        return (data[col] == level).to_numpy(float), variable
    if variable.startswith("impact_effectifs"):
        level = variable.removeprefix("impact_effectifs")
        return (data["impact_effectifs"] == level).to_numpy(float), variable
    return data[variable].to_numpy(float), variable


def _domain(data: pd.DataFrame, domain: str) -> np.ndarray | None:
    if domain == "all":
        return None
    col, value = domain.split("=")
    return (data[col] == value).to_numpy()


def _rows() -> list[pd.Series]:
    ref = pd.read_csv(REF / "reference_values.csv")
    return [row for _, row in ref.iterrows()]


def _close(actual: float, expected: float) -> bool:
    return bool(np.isclose(actual, expected, rtol=RTOL, atol=0.0))


@pytest.mark.parametrize(
    "row",
    _rows(),
    ids=lambda r: f"{r.dataset}-{r.statistic}-{r.variable}-{r.domain}-{r.design[:20]}",
)
def test_reference_row(row: pd.Series) -> None:
    data, design = _design(row.dataset, row.design)
    y, _ = _variable(data, row.variable)
    in_domain = _domain(data, row.domain)
    groups = None if in_domain is None else np.where(in_domain, 0, -1)
    index = design.domain_index(groups, 1)
    if row.statistic == "total":
        est, se = estimate_totals(design, y, index)
        estimate, stderr = float(est[0, 0]), float(se[0, 0])
        low = high = np.nan
    else:
        r = estimate_ratios(design, y, index=index)
        estimate, stderr = float(r.estimate[0, 0]), float(r.se[0, 0])
        low = high = np.nan
        if row.statistic == "mean_t":
            lo, hi = mean_interval(r.estimate, r.se, r.df)
            low, high = float(lo[0, 0]), float(hi[0, 0])
        elif row.statistic in ("prop_beta", "prop_logit"):
            method = "beta" if row.statistic == "prop_beta" else "logit"
            lo, hi = proportion_interval(r.estimate, r.se, r.n, r.df, method=method, n_kish=r.n_eff)
            low, high = float(lo[0, 0]), float(hi[0, 0])
    assert _close(estimate, row.estimate), (estimate, row.estimate)
    if not pd.isna(row.se):
        assert _close(stderr, row.se), (stderr, row.se)
    if not pd.isna(row.ci_low):
        assert _close(low, row.ci_low), (low, row.ci_low)
        assert _close(high, row.ci_high), (high, row.ci_high)


def test_every_reference_row_is_covered() -> None:
    ref = pd.read_csv(REF / "reference_values.csv")
    assert len(ref) == 32
    assert set(ref["statistic"]) == {"mean", "mean_t", "total", "prop_beta", "prop_logit"}


def test_design_degrees_of_freedom() -> None:
    _, strat = _design("api_strat", "strata=stype")
    assert strat.df == 197
    _, fixture = _design("fixture_obs_ia", "strata=secteur x taille")
    assert fixture.df == 24


def test_binom_checks_unweighted() -> None:
    low, high = clopper_pearson_interval(7, 23)
    assert np.isclose(low, 0.1321029, atol=5e-8) and np.isclose(high, 0.5291917, atol=5e-8)
    low, high = wilson_interval(7 / 23, 23)
    assert np.isclose(low, 0.1560402, atol=5e-8) and np.isclose(high, 0.5086576, atol=5e-8)
