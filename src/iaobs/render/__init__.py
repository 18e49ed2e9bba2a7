"""Report rendering: papermill runner (parallel, cached), HTML, PDF, Excel and index page.

``render_study(study)`` renders every report of a study whose inputs changed into
``reports/<wave>/<slug>/`` (``report.html``, ``report.pdf``, ``tables.xlsx``,
``indicators.csv``, ``report.ipynb``) and writes the landing page ``reports/<wave>/index.html``.
"""

from iaobs.render.runner import FORMATS, RenderSummary, ReportResult, render_study

__all__ = ["FORMATS", "RenderSummary", "ReportResult", "render_study"]
