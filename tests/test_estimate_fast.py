"""The fine-cell path of the indicators table equals the per-unit path (same design)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import iaobs.estimate as estimate
from iaobs.config import Weighting
from iaobs.dictionary import load_dictionary
from iaobs.weights import compute_weights


def _responses(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    d = load_dictionary()
    sectors, sizes, deps = list(d.sectors), list(d.size_classes), list(d.departements)
    data: dict[str, object] = {
        "id_repondant": [f"r{i}" for i in range(n)],
        "secteur": pd.Categorical.from_codes(rng.integers(0, len(sectors), n), sectors),
        "taille": pd.Categorical.from_codes(rng.choice(4, n, p=[0.4, 0.4, 0.15, 0.05]), sizes),
        "departement": pd.Categorical.from_codes(rng.integers(-1, len(deps), n), deps),
    }
    for var in d:
        if var.name in data or var.type in ("id", "text", "date"):
            continue
        if var.type == "multi":
            answered = rng.random(n) < 0.9
            for col in var.columns():
                v = np.where(answered, (rng.random(n) < 0.3).astype(float), np.nan)
                data[col] = pd.array(v, dtype="Float64").astype("Int8")
        elif var.is_coded:
            cats = list(var.codes) + list(var.missing)
            for col in var.columns():
                codes = rng.integers(0, len(cats), n)
                codes[rng.random(n) < 0.1] = -1
                data[col] = pd.Categorical.from_codes(codes, cats)
        elif var.is_flag:
            data[var.name] = pd.array(rng.integers(0, 2, n), dtype="Int8")
        elif var.type in ("int", "float"):
            v = rng.lognormal(3, 1.5, n).round()
            v[rng.random(n) < 0.2] = np.nan
            data[var.name] = pd.array(v, dtype="Float64").astype("Int64")
    margins = pd.DataFrame(
        [
            {
                "secteur": s,
                "taille": t,
                "departement": dep,
                "n_entreprises": float(rng.integers(20, 90)),
            }
            for s in sectors
            for t in sizes
            for dep in deps
        ]
    )
    return pd.DataFrame(data), margins


@pytest.mark.parametrize("seed", [1, 2])
def test_fine_cell_path_equals_unit_path(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    responses, margins = _responses(600, seed)
    d = load_dictionary()
    weighting = compute_weights(responses, margins, Weighting(), dictionary=d)
    responses = responses.iloc[weighting.rows].reset_index(drop=True)
    domains = ("all", "secteur", "taille", ("secteur", "taille"), "departement")
    assert weighting.design.psu_is_unit
    fast = estimate.estimate_indicators(responses, weighting.design, d, domains=domains)
    monkeypatch.setattr(estimate, "_fast_results", lambda *args: None)
    slow = estimate.estimate_indicators(responses, weighting.design, d, domains=domains)
    assert len(fast) > 1000
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-9, atol=1e-8)
