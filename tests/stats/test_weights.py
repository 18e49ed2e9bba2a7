"""Weights: base weights, collapse of empty strata, raking, trimming, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iaobs.errors import ConfigError, StatisticsError
from iaobs.stats.weights import compute_weights, kish_effective_size, rake_weights, read_margins
from iaobs.study.config import Weighting

DEPS = ["02", "59", "60", "62", "80"]


def _margins(**override: float) -> pd.DataFrame:
    rows = []
    sizes = {"tpe": 400, "pme": 200, "eti": 40, "ge": 5}
    for sector in ("banque", "industrie"):
        for size, count in sizes.items():
            for k, dep in enumerate(DEPS):
                n = override.get(f"{sector}:{size}", count) * (0.1 + 0.05 * k)
                rows.append(
                    {"secteur": sector, "taille": size, "departement": dep, "n_entreprises": n}
                )
    return pd.DataFrame(rows)


def _responses(counts: dict[tuple[str, str], int], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for (sector, size), n in counts.items():
        for _ in range(n):
            rows.append(
                {"secteur": sector, "taille": size, "departement": DEPS[rng.integers(0, 5)]}
            )
    return pd.DataFrame(rows)


FULL = {
    ("banque", "tpe"): 20,
    ("banque", "pme"): 15,
    ("banque", "eti"): 6,
    ("banque", "ge"): 2,
    ("industrie", "tpe"): 25,
    ("industrie", "pme"): 12,
    ("industrie", "eti"): 5,
    ("industrie", "ge"): 3,
}


def test_base_weights_without_raking() -> None:
    resp = _responses(FULL)
    res = compute_weights(resp, _margins(), Weighting(rake=(), trim_ratio=None))
    sel = (resp.secteur == "banque") & (resp.taille == "pme")
    assert np.allclose(res.weights[sel], 200 / 15)
    assert np.allclose(res.fpc[sel], 200)
    assert res.weights.sum() == pytest.approx(2 * 645)
    assert res.df == len(resp) - 8
    assert res.collapses == []


def test_raking_converges_to_every_margin() -> None:
    resp = _responses(FULL)
    margins = _margins()
    res = compute_weights(resp, margins, Weighting(tolerance=1e-10, trim_ratio=None))
    got = res.weights.groupby(resp.departement).sum()
    want = margins.groupby("departement").n_entreprises.sum()
    assert np.allclose(got[want.index], want, rtol=1e-8)
    got2 = res.weights.groupby([resp.secteur, resp.taille]).sum()
    want2 = margins.groupby(["secteur", "taille"]).n_entreprises.sum()
    assert np.allclose(got2[want2.index], want2, rtol=1e-8)
    assert res.raking["iterations"] >= 1 and res.raking["ecart_relatif_max"] < 1e-10
    assert res.design.calibration is not None
    assert res.n_eff <= len(resp) and res.deff >= 1


def test_empty_stratum_collapsed_with_nearest_size_class() -> None:
    counts = dict(FULL)
    counts[("banque", "ge")] = 0
    resp = _responses(counts)
    res = compute_weights(resp, _margins(), Weighting(trim_ratio=None))
    strata = [c for c in res.collapses if c["type"] == "strate"]
    assert strata == [
        {
            "type": "strate",
            "secteur": "banque",
            "taille": ["ge"],
            "fusionnee_avec": ["eti"],
            "raison": "aucun répondant",
            "population": pytest.approx(5.0),
            "repondants": 0,
        }
    ]
    eti = (resp.secteur == "banque") & (resp.taille == "eti")
    assert set(res.strata[eti]) == {"banque × eti+ge"}
    # the merged stratum represents the firms of both classes
    assert res.weights[eti].sum() == pytest.approx(45.0, rel=1e-6)
    row = res.strata_table.set_index("strate").loc["banque × eti+ge"]
    assert row.N_h == pytest.approx(45) and row.n_h == 6


def test_collapse_tie_goes_to_smaller_class_and_single_respondent_collapses() -> None:
    counts = dict(FULL)
    counts[("industrie", "pme")] = 0  # neighbours tpe and eti at distance 1: goes to tpe
    counts[("banque", "ge")] = 1  # a single respondent: merged with eti
    res = compute_weights(_responses(counts), _margins(), Weighting(rake=(), trim_ratio=None))
    by = {(c["secteur"], c["taille"][0]): c for c in res.collapses}
    assert by[("industrie", "pme")]["fusionnee_avec"] == ["tpe"]
    assert by[("banque", "ge")]["raison"] == "un seul répondant"
    assert by[("banque", "ge")]["fusionnee_avec"] == ["eti"]


def test_raking_cell_without_respondent_is_merged_and_reported() -> None:
    resp = _responses(FULL)
    resp.loc[resp.departement == "80", "departement"] = "62"
    res = compute_weights(resp, _margins(), Weighting(trim_ratio=None))
    merged = [c for c in res.collapses if c["type"] == "calage"]
    assert merged and merged[0]["departement"] == ["80"] and merged[0]["fusionnee_avec"] == ["62"]
    total_62_80 = _margins().query("departement in ['62', '80']").n_entreprises.sum()
    assert res.weights[resp.departement == "62"].sum() == pytest.approx(total_62_80, rel=1e-6)


def test_sector_without_respondent_leaves_the_field() -> None:
    counts = {k: v for k, v in FULL.items() if k[0] == "banque"}
    res = compute_weights(_responses(counts), _margins(), Weighting(trim_ratio=None))
    assert res.excluded and res.excluded[0]["secteur"] == "industrie"
    assert res.weights.sum() == pytest.approx(645, rel=1e-6)


def test_stratum_with_respondents_but_no_population_is_a_clear_error() -> None:
    margins = _margins()
    margins = margins[~((margins.secteur == "banque") & (margins.taille == "ge"))]
    with pytest.raises(StatisticsError, match="secteur=banque, taille=ge") as err:
        compute_weights(_responses(FULL), margins, Weighting())
    assert "marges" in str(err.value)


def test_disagreeing_margin_totals_are_a_clear_error() -> None:
    margins = _margins()
    margins.loc[margins.index[:3], "departement"] = None
    with pytest.raises(StatisticsError, match="ne totalisent pas"):
        compute_weights(_responses(FULL), margins, Weighting())


def test_raking_that_does_not_converge_names_the_cell() -> None:
    with pytest.raises(StatisticsError, match=r"n'a pas convergé.*cellule") as err:
        compute_weights(_responses(FULL), _margins(), Weighting(max_iterations=1, tolerance=1e-14))
    assert "max_iterations" in str(err.value)


def test_respondent_without_stratum_is_a_clear_error() -> None:
    resp = _responses(FULL)
    resp.loc[3, "taille"] = None
    with pytest.raises(StatisticsError, match="sans secteur ou taille"):
        compute_weights(resp, _margins(), Weighting())


def test_bounded_raking_keeps_ratios_within_bounds() -> None:
    w = np.array([1.0] * 9 + [30.0])
    cells = [np.zeros(10, dtype=np.int64)]
    raked, rep = rake_weights(w, cells, [np.array([39.0])])
    assert raked.sum() == pytest.approx(39.0) and rep["iterations"] >= 1
    resp = _responses(FULL)
    free = compute_weights(resp, _margins(), Weighting(trim_ratio=None))
    g = (free.weights / free.design_weights).to_numpy()
    ratio = 0.97 * float(max(g.max(), 1 / g.min()))
    assert ratio > 1
    res = compute_weights(resp, _margins(), Weighting(trim_ratio=ratio))
    g = (res.weights / res.design_weights).to_numpy()
    assert g.max() <= ratio * (1 + 1e-9) and g.min() >= (1 - 1e-9) / ratio
    assert res.trimming["poids_ecretes"] > 0
    assert res.weights.sum() == pytest.approx(_margins().n_entreprises.sum(), rel=1e-9)
    frame = res.design_frame()
    assert set(frame.columns) >= {"poids", "poids_sondage", "strate", "effectif_strate"}
    assert "cal_departement" in frame.columns


def test_bounds_the_margins_cannot_meet_are_dropped_and_said() -> None:
    resp = _responses(FULL)
    res = compute_weights(resp, _margins(), Weighting(trim_ratio=1.0001, rake=(("departement",),)))
    assert "incompatibles" in res.trimming["abandon"]
    assert any("sans ces bornes" in note for note in res.notes)
    _, upper = res.bounds
    assert np.isinf(upper[res.design_weights.to_numpy() > 1]).all()
    assert res.weights.sum() == pytest.approx(_margins().n_entreprises.sum(), rel=1e-9)


def test_kish_effective_size() -> None:
    assert kish_effective_size(np.ones(10)) == pytest.approx(10)
    assert kish_effective_size([1, 3]) == pytest.approx(16 / 10)


def test_read_margins(tmp_path) -> None:
    path = tmp_path / "population.csv"
    path.write_text(
        "secteur;taille;departement;n_entreprises\nbanque;pme;2;1 250\nbanque;pme;02;10\n", "utf-8"
    )
    m = read_margins(path)
    assert m.to_dict("records") == [
        {"secteur": "banque", "taille": "pme", "departement": "02", "n_entreprises": 1260.0}
    ]
    path.write_text("secteur,taille,n_entreprises\nbanque,pme,beaucoup\n", "utf-8")
    with pytest.raises(ConfigError, match="ligne 2"):
        read_margins(path)
