"""``scipy.stats``, imported on first use.

Importing ``scipy.stats`` takes about 0.8 s. The estimation stages use it; the reports only read
what they computed, so the modules they import (``contrast``, ``estimate``, ``tests``) reach
it through :data:`stats`, which imports it the first time one of its attributes is read: a
report server and its report processes never pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["stats"]


class _LazyStats:
    """Stands for the ``scipy.stats`` module; imports it on first attribute access."""

    def __getattr__(self, name: str) -> Any:
        from scipy import stats as module  # lazy: 0.8 s of import, only where a test is run

        return getattr(module, name)


stats: Any = _LazyStats()
