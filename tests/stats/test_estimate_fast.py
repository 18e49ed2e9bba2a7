"""The fine-cell path of the indicators table equals the per-unit path (same design)."""

from __future__ import annotations

import pandas as pd
import pytest

import iaobs.stats.estimate as estimate
from iaobs.stats.weights import compute_weights
from iaobs.study.config import Weighting
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample import random_responses


def _responses(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    # some départements unknown and skewed counts: the paths must agree on edge cells too
    return random_responses(
        n,
        seed,
        missing=0.1,
        unknown_departement=True,
        skewed_counts=True,
        firms_per_cell=(20, 90),
    )


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
