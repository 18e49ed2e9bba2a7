"""Where the runner finds a report's tables and key figures, and how it records them.

The runner calls the provider named by ``module:function`` (by default
:func:`iaobs.reports.content.report_content`) in its worker processes after the notebook has
run: the tables of the report (for ``tables.xlsx``) and its key figures (for the index page).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from iaobs.render.matrix import DEFAULT_PROVIDER
from iaobs.reports.content import ReportContent

__all__ = ["DEFAULT_PROVIDER", "ReportContent", "key_figure_record", "load_provider"]


def load_provider(spec: str) -> Callable[..., ReportContent]:
    """Resolve ``module:function`` to the content provider."""
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    provider = getattr(module, attribute or "report_content")
    if not callable(provider):
        raise TypeError(f"{spec} is not callable")
    return provider


def key_figure_record(figure: Any) -> dict[str, Any]:
    """A JSON-ready record of a key figure (for the cache manifest and the index page)."""
    if dataclasses.is_dataclass(figure) and not isinstance(figure, type):
        record = dataclasses.asdict(figure)
    elif isinstance(figure, Mapping):
        record = dict(figure)
    else:
        record = {"sentence": str(figure)}
    clean: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, float) and value != value:
            value = None
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        clean[str(key)] = value
    return clean
