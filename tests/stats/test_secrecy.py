"""Secrecy of linked tables: what is published, and an intruder who finds nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaobs.core.contract import Thresholds
from iaobs.errors import StatisticsError
from iaobs.stats.disclosure import apply_disclosure
from iaobs.stats.secrecy import (
    PUBLISHED_COLUMNS,
    SecrecyAudit,
    audit_linked,
    protect_linked,
    publishable,
    require_protected,
    round_published,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import intruder

PROTECTION = 0.10
TOL = 1e-6


# ----------------------------------------------------------------------------- publishable


def _contract_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["a"] * 3 + ["m"],
            "level": ["x", "y", "nsp", ""],
            "domain": ["all"] * 4,
            "statistic": ["proportion"] * 3 + ["mean"],
            "estimate": [0.123456, 0.876544, 0.02, 12.345],
            "se": [0.01] * 4,
            "ci_low": [0.1, 0.8, 0.01, 11.04],
            "ci_high": [0.2, 0.9, 0.05, 13.66],
            "n": [40, 40, 42, 40],
            "n_eff": [30.0] * 4,
            "weighted_base": [400.0] * 4,
            "flag": ["", "", "s", ""],
        }
    )


def test_publishable_rounds_hides_and_drops_what_helps_an_intruder() -> None:
    out = publishable(_contract_rows())
    assert tuple(out.columns) == PUBLISHED_COLUMNS
    assert not {"se", "n_eff", "weighted_base"} & set(out.columns)
    assert out["estimate"].tolist()[:2] == [0.123, 0.877]
    assert out["estimate"].iloc[3] == 12.3
    assert np.isnan(out["estimate"].iloc[2]) and np.isnan(out["ci_low"].iloc[2])
    # the hidden « ne sait pas » row's base would give its count away (42 − 40)
    assert out["n"].isna().tolist() == [False, False, True, False]


def test_round_published_precision() -> None:
    t = pd.DataFrame({"statistic": ["proportion", "mean"], "estimate": [0.45678, 3.456]})
    assert round_published(t)["estimate"].tolist() == [0.457, 3.5]


def test_publishable_of_an_empty_table() -> None:
    assert list(publishable(_contract_rows().iloc[0:0]).columns) == list(PUBLISHED_COLUMNS)


def test_require_protected_names_the_cell() -> None:
    with pytest.raises(StatisticsError, match=r"ia_usage \(secteur=banque\)"):
        require_protected(SecrecyAudit(unprotected=["ia_usage (secteur=banque)"]))
    require_protected(SecrecyAudit())


# ----------------------------------------------------------------------------- random tables


def _hierarchical(counts: np.ndarray, nsp: np.ndarray) -> pd.DataFrame:
    """secteur × taille × level counts (one weight per firm) → the working table with margins."""
    n_s, n_t, n_l = counts.shape
    rows = []

    def add(domain: str, part: str, c: np.ndarray, missing: int) -> None:
        base = int(c.sum())
        for lv in range(n_l):
            rows.append((domain, part, f"l{lv}", "level", c[lv], base))
        rows.append((domain, part, "nsp", "missing", missing, base + missing))

    add("all", "all", counts.sum(axis=(0, 1)), int(nsp.sum()))
    for s in range(n_s):
        add(f"secteur=s{s}", "secteur", counts[s].sum(axis=0), int(nsp[s].sum()))
    for t in range(n_t):
        add(f"taille=t{t}", "taille", counts[:, t].sum(axis=0), int(nsp[:, t].sum()))
    for s in range(n_s):
        for t in range(n_t):
            add(f"secteur=s{s};taille=t{t}", "secteur×taille", counts[s, t], int(nsp[s, t]))
    frame = pd.DataFrame(
        rows, columns=["domain", "_partition", "level", "_kind", "_count", "weighted_base"]
    )
    frame["indicator"] = "q"
    frame["statistic"] = "proportion"
    frame["n"] = frame["weighted_base"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = frame["_count"] / frame["weighted_base"]
    frame["estimate"] = est.where(frame["weighted_base"] > 0)
    frame["se"] = 0.01
    frame["ci_low"] = frame["estimate"]
    frame["ci_high"] = frame["estimate"]
    frame["n_eff"] = frame["weighted_base"].astype(float)
    frame["_dominance"] = 0.0
    frame["_parts"] = ""
    return frame


def _assert_nothing_recovered(work: pd.DataFrame, out: pd.DataFrame, primary: np.ndarray) -> None:
    hidden = out["flag"].isin(["s", "nd"]).to_numpy()
    values = np.where(hidden, np.nan, work["estimate"].to_numpy(dtype=float))
    base = work["weighted_base"].to_numpy(dtype=float)
    truth = work["estimate"].to_numpy(dtype=float)
    # a cell hidden to protect others may be known to be empty (its published margin is 0 %):
    # that tells nothing about anyone; any other hidden cell must not come out
    recovered = intruder.subtract(work, values)
    assert not [r for r in recovered if base[r] > 0 and (primary[r] or truth[r] > 0)]
    bounds = intruder.intervals(work, values)
    for r, (low, high) in bounds.items():
        assert high - low > TOL or (not primary[r] and truth[r] == 0), f"row {r} is known"
        if primary[r]:
            assert low <= max(0.0, truth[r] - PROTECTION) + TOL, (r, low, truth[r])
            assert high >= min(1.0, truth[r] + PROTECTION) - TOL, (r, high, truth[r])


@settings(max_examples=12)
@given(
    shape=st.tuples(st.integers(2, 4), st.integers(2, 3), st.integers(2, 4)),
    seed=st.integers(0, 10_000),
    small=st.floats(0.0, 0.6),
)
def test_random_linked_tables_resist_subtraction_and_linear_programming(shape, seed, small):
    rng = np.random.default_rng(seed)
    sizes = np.where(rng.random(shape[:2]) < small, rng.integers(0, 6, shape[:2]), 40)
    counts = np.stack(
        [rng.multinomial(n, rng.dirichlet(np.ones(shape[2]))) for n in sizes.ravel()]
    ).reshape(shape)
    nsp = rng.integers(0, 3, shape[:2])
    work = _hierarchical(counts, nsp)
    th = Thresholds(nd_below=0, prudence_below=0)
    out = apply_disclosure(work, th)
    primary = _primary_only(work, th)
    assert out.attrs["secret"]["conforme"]
    _assert_nothing_recovered(work, out, primary)


def _primary_only(work: pd.DataFrame, th: Thresholds) -> np.ndarray:
    from iaobs.stats import disclosure

    t = disclosure._with_defaults(work)
    flag = disclosure._precision(t, th)
    flag[disclosure._primary(t, th, "firms")] = "s"
    return np.isin(flag, ["s", "nd"])


def test_the_banking_example_is_no_longer_recovered() -> None:
    """Three large banks, all respondents, none with an AI charter: not computable any more."""
    counts = np.array([[[30, 50], [0, 3]], [[40, 45], [20, 30]]])  # secteur × taille × (oui, non)
    work = _hierarchical(counts, np.zeros((2, 2), dtype=int))
    out = apply_disclosure(work, Thresholds())
    big_banks = (work["domain"] == "secteur=s0;taille=t1").to_numpy()
    assert (
        out.loc[big_banks & (work["_kind"] == "level").to_numpy(), "flag"].isin(["s", "nd"]).all()
    )
    _assert_nothing_recovered(work, out, _primary_only(work, Thresholds()))


def test_audit_alone_finds_a_cell_given_away_by_its_margin() -> None:
    counts = np.array([[[30, 50], [1, 2]], [[40, 45], [20, 30]]])
    work = _hierarchical(counts, np.zeros((2, 2), dtype=int))
    flag = np.where(
        (work["domain"] == "secteur=s0;taille=t1") & (work["_kind"] == "level"), "s", ""
    )
    audit = audit_linked(work.assign(flag=flag))
    assert audit.unprotected and "secteur=s0;taille=t1" in audit.unprotected[0]
    fixed, report = protect_linked(work, flag)
    assert report.added > 0 and not report.unprotected
    assert not audit_linked(work.assign(flag=fixed), protect=flag == "s").unprotected


# ----------------------------------------------------------------------------- a small study


@pytest.fixture(scope="module")
def small_study() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A study with few respondents per cell: its working table and its flags."""
    from iaobs.stats import estimate
    from iaobs.stats.weights import compute_weights
    from iaobs.study.config import Weighting
    from iaobs.study.dictionary import load_dictionary
    from iaobs.tools.sample import random_responses

    responses, margins = random_responses(240, seed=7)
    weights = compute_weights(responses, margins, Weighting(trim_ratio=None))
    domains = [*estimate.DEFAULT_DOMAINS, "departement"]
    work = estimate._estimate_table(
        responses,
        weights.design,
        load_dictionary(),
        domains,
        "beta",
        0.95,
        estimate.DEFAULT_DERIVED,
    )
    keep = work["indicator"].isin(["ia_stade", "ia_adoption", "ia_generative"])
    work = work[keep].reset_index(drop=True)
    return work, apply_disclosure(work, Thresholds())


def test_small_study_published_indicators_resist_the_intruder(small_study) -> None:
    work, out = small_study
    assert out.attrs["secret"]["conforme"] and out.attrs["secret"]["secret_secondaire_ajoute"] > 0
    published = publishable(out)
    assert published["estimate"].notna().any()
    assert (published["estimate"].isna() == out["flag"].isin(["s", "nd"])).all()
    _assert_nothing_recovered(work, out, _primary_only(work, Thresholds()))


@pytest.mark.slow
def test_small_study_survives_the_rounded_files_too(small_study) -> None:
    """The intruder who reads the rounded files knows less than the audit assumes."""
    work, out = small_study
    published = publishable(out)["estimate"].to_numpy(dtype=float)
    exact = np.where(out["flag"].isin(["s", "nd"]), np.nan, work["estimate"])
    primary = np.flatnonzero(_primary_only(work, Thresholds()))[::5]
    loose = intruder.intervals(work, published, half_unit=0.0005, only=primary)
    tight = intruder.intervals(work, exact, only=primary)
    for r in primary:
        if r in tight:
            assert loose[r][0] <= tight[r][0] + TOL and loose[r][1] >= tight[r][1] - TOL
