"""Report rendering: papermill runner (parallel, cached), HTML, PDF, Excel and index page.

``render_study(study)`` renders every report of a study whose inputs changed into
``reports/<wave>/<slug>/`` (deliverables only: ``report.html``, ``report.pdf``, ``tables.xlsx``,
``indicators.csv``, ``codebook.csv``; the executed notebook and log go to the build folder
``.iaobs-cache/build/<wave>/<slug>/``) and writes the landing page ``reports/<wave>/index.html``.
:mod:`iaobs.render.layout` checks the printed pages.
"""

from iaobs.render.runner import FORMATS, RenderSummary, ReportResult, render_study

__all__ = ["FORMATS", "RenderSummary", "ReportResult", "render_study"]
