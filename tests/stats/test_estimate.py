"""Estimates: domain variances on the full design, intervals, and the indicators table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iaobs.stats.design import SurveyDesign
from iaobs.stats.estimate import (
    CONTRACT_COLUMNS,
    estimate_indicators,
    estimate_ratios,
    proportion_interval,
)
from iaobs.stats.weights import compute_weights
from iaobs.study.config import Thresholds, Weighting
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import random_responses

OPEN = Thresholds(
    secret_min_firms=0,
    secret_dominance=1.0,
    nd_below=0,
    prudence_below=0,
    prudence_cv=np.inf,
    prudence_ci_width=1.0,
)


# ----------------------------------------------------------------------------- helpers


def _naive_variance(design: SurveyDesign, z: np.ndarray) -> float:
    """Textbook linearised variance with a dense calibration projection (slow, obvious)."""
    z = z.astype(float).copy()
    if design.calibration is not None:
        w = design.weights
        d = design.calibration.design_weights
        cols = [np.eye(int(m.max()) + 1)[m] for m in design.calibration.margins]
        x = np.hstack(cols)
        u = z / w
        beta = np.linalg.pinv(x.T @ (d[:, None] * x)) @ (x.T @ (d * u))
        z = w * (u - x @ beta)
    total = 0.0
    for h in range(design.n_strata):
        units = design.strata == h
        psus = np.unique(design.psu[units])
        sums = np.array([z[design.psu == p].sum() for p in psus])
        nh = len(psus)
        f = 1.0 if np.isinf(design.popsize[h]) else 1 - nh / design.popsize[h]
        if nh > 1:
            total += f * nh / (nh - 1) * ((sums - sums.mean()) ** 2).sum()
    return total


@pytest.mark.parametrize("clustered", [False, True])
def test_fast_domain_variance_equals_naive_on_raked_design(clustered: bool) -> None:
    rng = np.random.default_rng(3)
    n = 300
    strata = rng.integers(0, 4, n)
    psu = strata * 100 + rng.integers(0, 12, n) if clustered else None
    w = rng.uniform(5, 30, n)
    fpc = np.array([4000, 3000, 5000, 2000])[strata]
    if clustered:
        fpc = np.full(n, 200.0)[strata]
    design = SurveyDesign.from_arrays(w, strata=strata, psu=psu, fpc=fpc)
    m1 = rng.integers(0, 3, n)
    m2 = rng.integers(0, 5, n)
    t1 = {k: float(v) * 1.1 for k, v in enumerate(np.bincount(m1, weights=w))}
    t2 = {k: float(v) * 1.1 for k, v in enumerate(np.bincount(m2, weights=w))}
    raked = design.rake([m1, m2], [t1, t2])
    y = rng.integers(0, 3, n)
    values = np.column_stack([(y == k).astype(float) for k in range(3)])
    domain = rng.integers(-1, 4, n)  # -1: in no domain
    index = raked.domain_index(domain, 4)
    r = estimate_ratios(raked, values, index=index)
    for g in range(4):
        inside = domain == g
        for k in range(3):
            wg = raked.weights * inside
            p = (wg * values[:, k]).sum() / wg.sum()
            assert r.estimate[g, k] == pytest.approx(p, rel=1e-12)
            z = wg * (values[:, k] - p) / wg.sum()
            assert r.se[g, k] ** 2 == pytest.approx(_naive_variance(raked, z), rel=1e-9)


def test_proportion_interval_at_zero_and_one_is_one_sided() -> None:
    p = np.array([0.0, 1.0, 0.3])
    se = np.array([0.0, 0.0, 0.05])
    n = np.array([40, 40, 40])
    df = np.array([35, 35, 35])
    for method in ("beta", "logit", "wilson"):
        low, high = proportion_interval(p, se, n, df, method=method, n_kish=n)
        assert low[0] == 0.0 and 0 < high[0] < 0.15
        assert high[1] == 1.0 and 0.85 < low[1] < 1
        assert 0 < low[2] < 0.3 < high[2] < 1
    # Clopper–Pearson upper bound for 0/40 at 97.5 %
    low, high = proportion_interval(p[:1], se[:1], n[:1], np.array([39]), n_kish=n[:1])
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 40))


# ----------------------------------------------------------------------------- indicators table


def _synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A responses frame in the storage of iaobs.study.dictionary, and population margins."""
    return random_responses(n, seed)


@pytest.fixture(scope="module")
def study_table() -> tuple[pd.DataFrame, pd.DataFrame, object]:
    responses, margins = _synthetic(1500)
    weights = compute_weights(responses, margins, Weighting(trim_ratio=None))
    table = estimate_indicators(responses, weights, load_dictionary(), thresholds=OPEN)
    return responses, table, weights


def test_contract_schema(study_table) -> None:
    _, table, _ = study_table
    assert list(table.columns) == CONTRACT_COLUMNS
    assert set(table["statistic"]) == {"proportion", "mean"}
    assert set(table["flag"]) <= {"", "prudence", "nd", "s"}
    assert table["n"].dtype == np.int64
    domains = set(table["domain"])
    assert {"all", "secteur=banque", "taille=pme", "secteur=banque;taille=pme"} <= domains
    assert not table.duplicated(["indicator", "level", "domain"]).any()


def test_rows_by_variable_type(study_table) -> None:
    _, table, _ = study_table
    allrows = table[table.domain == "all"]
    stade = allrows[allrows.indicator == "ia_stade"]
    assert list(stade.level) == [
        "aucun",
        "veille",
        "experimentation",
        "deploiement_partiel",
        "deploiement_generalise",
        "nsp",
    ]
    assert stade[stade.level != "nsp"].estimate.sum() == pytest.approx(1.0)
    opinion = allrows[allrows.indicator == "opinion_opportunite"]
    assert "top2" in set(opinion.level)
    top2 = opinion.set_index("level").estimate
    assert top2["top2"] == pytest.approx(top2["tout_a_fait"] + top2["plutot"])
    techno = allrows[allrows.indicator == "techno__analyse_texte"]
    assert list(techno.level) == [""] and techno.statistic.iloc[0] == "proportion"
    assert "besoin_comp__donnees" in set(allrows.indicator)
    mean = allrows[allrows.indicator == "recrutements_ia_12m"]
    assert mean.statistic.iloc[0] == "mean" and mean.level.iloc[0] == ""
    assert "ia_adoption" in set(allrows.indicator)
    adoption = allrows.set_index(["indicator", "level"]).estimate
    assert adoption[("ia_adoption", "")] == pytest.approx(
        adoption[("ia_stade", "deploiement_partiel")]
        + adoption[("ia_stade", "deploiement_generalise")]
    )
    for skipped in ("id_repondant", "siren", "commentaire", "date_reponse", "naf_code"):
        assert skipped not in set(table.indicator)


def test_nsp_outside_the_base(study_table) -> None:
    responses, table, weights = study_table
    w = weights.weights.to_numpy()
    col = responses["ia_stade"].astype("object")
    substantive = col.notna() & (col != "nsp")
    row = table[
        (table.indicator == "ia_stade") & (table.level == "veille") & (table.domain == "all")
    ].iloc[0]
    assert row.n == substantive.sum()
    assert row.estimate == pytest.approx(
        (w * (col == "veille")).sum() / w[substantive.to_numpy()].sum()
    )
    nsp = table[
        (table.indicator == "ia_stade") & (table.level == "nsp") & (table.domain == "all")
    ].iloc[0]
    assert nsp.n == col.notna().sum()


def test_domain_estimate_is_the_weighted_share_in_the_domain(study_table) -> None:
    responses, table, weights = study_table
    w = weights.weights.to_numpy()
    sel = (responses.secteur == "banque").to_numpy()
    y = responses["techno__analyse_texte"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    ok = sel & ~np.isnan(y)
    row = table[
        (table.indicator == "techno__analyse_texte") & (table.domain == "secteur=banque")
    ].iloc[0]
    assert row.estimate == pytest.approx((w[ok] * y[ok]).sum() / w[ok].sum())
    assert row.n == ok.sum() and row.weighted_base == pytest.approx(w[ok].sum())
    assert row.ci_low < row.estimate < row.ci_high and row.se > 0


def test_default_thresholds_flag_and_blank(study_table) -> None:
    responses, _, weights = study_table
    table = estimate_indicators(responses, weights, load_dictionary(), thresholds=Thresholds())
    hidden = table[table.flag.isin(["s", "nd"])]
    assert len(hidden) > 0 and hidden.estimate.isna().all() and hidden.ci_low.isna().all()
    assert (hidden.n >= 0).all()
    shown = table[~table.flag.isin(["s", "nd"])]
    assert shown.estimate.notna().all()
    assert ((shown.ci_low >= 0) & (shown.ci_high <= 1))[shown.statistic == "proportion"].all()


# ----------------------------------------------------------------------------- the sample study


@pytest.mark.slow
def test_sample_study_truth_inside_published_intervals(tmp_path) -> None:
    """On the synthetic study, ≥ 90 % of published main indicators cover the true value."""
    import json
    import shutil
    from pathlib import Path

    from iaobs.pipeline.clean import clean_study
    from iaobs.pipeline.estimate import compute_study_indicators
    from iaobs.study.config import load_study

    root = Path(__file__).resolve().parents[2]
    if not (root / "data" / "raw" / "sample_truth.json").exists():
        pytest.skip("sample study not written (iaobs sample)")
    shutil.copy(root / "study.toml", tmp_path / "study.toml")
    shutil.copytree(root / "data" / "raw", tmp_path / "data" / "raw")
    shutil.copytree(root / "data" / "reference", tmp_path / "data" / "reference")
    study = load_study(tmp_path)
    clean_study(study)
    path = compute_study_indicators(study)
    table = pd.read_parquet(path)
    assert list(table.columns) == CONTRACT_COLUMNS
    weighting = json.loads((study.processed_dir / "weighting.json").read_text("utf-8"))
    assert {"strates", "regroupements", "calage", "ecretement", "n_eff", "domaines"} <= set(
        weighting
    )
    truth = json.loads((study.raw_dir / "sample_truth.json").read_text("utf-8"))
    rows = [
        (ind, lev, dom, val)
        for ind, levels in truth.items()
        if isinstance(levels, dict) and not ind.startswith(("_", "planted"))
        for lev, doms in levels.items()
        if isinstance(doms, dict)
        for dom, val in doms.items()
    ]
    merged = table.merge(
        pd.DataFrame(rows, columns=["indicator", "level", "domain", "truth"]),
        on=["indicator", "level", "domain"],
    )
    published = merged[merged.estimate.notna()]
    assert len(published) > 1000
    tol = 5e-7  # true values are rounded to 6 decimals
    inside = (published.ci_low - tol <= published.truth) & (
        published.truth <= published.ci_high + tol
    )
    assert inside.mean() >= 0.90, inside.mean()
