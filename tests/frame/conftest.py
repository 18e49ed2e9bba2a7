"""Fixtures of the frame's tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from sirene_stock import write_stock


@pytest.fixture
def stock(tmp_path: Path):
    """A writer of stock files under the test's folder."""

    def _write(name: str, kind: str, rows: Iterable[Mapping[str, str]]) -> Path:
        return write_stock(tmp_path / name, kind, rows)

    return _write
