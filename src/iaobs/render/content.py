"""What the Excel export and the index page take from a report's context.

The runner calls :func:`report_content` (or a replacement named by ``module:function``) in its
worker processes after the notebook has run: the tables of :func:`iaobs.reports.tables.report_tables`
(the same tables as the report) and the key figures of :func:`iaobs.reports.context.key_figures`.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReportContent", "key_figure_record", "load_provider", "report_content"]

DEFAULT_PROVIDER = "iaobs.render.content:report_content"


@dataclass
class ReportContent:
    """Tables (``TableSection`` list) and key figures (``KeyFigure`` list) of one report."""

    sections: list[Any] = field(default_factory=list)
    key_figures: list[Any] = field(default_factory=list)


def report_content(
    kind: str, parameters: Mapping[str, Any], *, tables: bool = True
) -> ReportContent:
    """Load the report's context and build its tables and key figures.

    Parameters
    ----------
    kind
        ``secteur``, ``synthese``, ``qualite``, ``formation`` or ``entreprise``.
    parameters
        The report's notebook parameters (``study_dir``, ``sector``, ``language``…).
    tables
        Whether to build the tables (only needed for ``tables.xlsx``).
    """
    if kind == "formation":
        from iaobs.reports.kinds import training

        tctx = training.load_training(
            parameters["study_dir"], language=str(parameters.get("language", ""))
        )
        return ReportContent(
            sections=list(training.training_tables(tctx)) if tables else [],
            key_figures=list(training.key_figures(tctx)),
        )
    if kind == "entreprise":
        from iaobs.reports.kinds import company as benchmark

        cctx = benchmark.load_company(
            parameters["study_dir"],
            str(parameters["company"]),
            language=str(parameters.get("language", "")),
        )
        # no key figure: nothing about a company may reach the public index page
        return ReportContent(sections=list(benchmark.company_tables(cctx)) if tables else [])
    from iaobs.reports.context import key_figures, load_context

    ctx = load_context(
        parameters["study_dir"],
        sector=parameters.get("sector") or None,
        language=str(parameters.get("language", "")),
    )
    sections: list[Any] = []
    if tables:
        from iaobs.reports.tables import report_tables

        sections = list(report_tables(ctx, kind=kind))
    figures = [] if kind == "qualite" else list(key_figures(ctx))
    return ReportContent(sections=sections, key_figures=figures)


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
