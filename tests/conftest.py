"""Shared test settings: headless plotting, reproducible dates, hypothesis profiles, paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "data" / "reference"
SHARED_REALDATA = REPO.parent / "shared" / "realdata"

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=50
)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=50,
    derandomize=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the default study)."""
    return REPO


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """R `survey` reference values, copied from the shared reference folder."""
    return REFERENCE
