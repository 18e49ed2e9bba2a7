"""A report's tables and key figures, as the Excel export and the index page take them.

Each report kind gives its content from the same context as its notebook: the tables of
:func:`iaobs.reports.tables.report_tables` (the same tables as the report) and the key figures
of :func:`iaobs.reports.keyfigures.key_figures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iaobs.reports.context import load_context
from iaobs.reports.keyfigures import key_figures
from iaobs.reports.kinds import actors, company_tables, training, training_summary, training_tables
from iaobs.reports.kinds import company as benchmark
from iaobs.reports.tables import report_tables

__all__ = ["ReportContent", "report_content"]


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
        ``secteur``, ``synthese``, ``qualite``, ``formation``, ``entreprise`` or ``acteurs``.
    parameters
        The report's notebook parameters (``study_dir``, ``sector``, ``language``…).
    tables
        Whether to build the tables (only needed for ``tables.xlsx``).
    """
    if kind == "formation":
        tctx = training.load_training(
            parameters["study_dir"], language=str(parameters.get("language", ""))
        )
        return ReportContent(
            sections=list(training_tables.training_tables(tctx)) if tables else [],
            key_figures=list(training_summary.key_figures(tctx)),
        )
    if kind == "acteurs":
        actx = actors.load_actors(
            parameters["study_dir"], language=str(parameters.get("language", ""))
        )
        return ReportContent(
            sections=list(actors.actors_tables(actx)) if tables else [],
            key_figures=list(actors.key_figures(actx)),
        )
    if kind == "entreprise":
        cctx = benchmark.load_company(
            parameters["study_dir"],
            str(parameters["company"]),
            language=str(parameters.get("language", "")),
        )
        # no key figure: nothing about a company may reach the public index page
        return ReportContent(sections=list(company_tables.company_tables(cctx)) if tables else [])
    ctx = load_context(
        parameters["study_dir"],
        sector=parameters.get("sector") or None,
        language=str(parameters.get("language", "")),
    )
    sections: list[Any] = []
    if tables:
        sections = list(report_tables(ctx, kind=kind))
    figures = [] if kind == "qualite" else list(key_figures(ctx))
    return ReportContent(sections=sections, key_figures=figures)
