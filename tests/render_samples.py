"""Tiny report templates and a content provider for the runner's tests.

A top-level module of ``tests/`` (like ``fake_study``): the report processes import the
provider by name (``render_samples:fake_content``) with ``tests/`` on their ``PYTHONPATH``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from iaobs.reports.content import ReportContent

SECTEUR = """\
# %% tags=["parameters"]
study_dir: str = ""  # study folder
sector: str = "banque"  # sector code
language: str = "fr"  # fr or en

# %%
import builtins, html, os, sys
from IPython.display import HTML, display
builtins.iaobs_seen = getattr(builtins, "iaobs_seen", 0) + 1
display(HTML(f'<section class="iaobs-cover"><h1>Rapport {html.escape(sector)}</h1></section>'))
display(HTML(f'<h2 id="env">1. Environnement</h2><p class="exe">{html.escape(sys.executable)}</p>'
             f'<p class="mpl">{os.environ.get("MPLBACKEND")}</p><p class="seen">{builtins.iaobs_seen}</p>'))

# %%
if sector == "assurance":
    raise ValueError("donnée manquante")
"""
OTHER = (
    SECTEUR.replace('sector: str = "banque"  # sector code\n', "")
    .replace("{html.escape(sector)}", "Synthèse")
    .replace('if sector == "assurance":', "if False:")
)


@dataclass
class _Table:
    number: int
    title: str
    frame: pd.DataFrame
    notes: list[str]
    kinds: dict[str, str]


@dataclass
class _Section:
    title: str
    tables: list[_Table] = field(default_factory=list)


def fake_content(kind: str, parameters: dict, *, tables: bool = True) -> ReportContent:
    """A content provider that needs no statistics (runs in the worker processes)."""
    frame = pd.DataFrame(
        {
            "Réponse": ["Oui", "=1+1"],
            "Part": [0.4, float("nan")],
            "Part – n": [50, 2],
            "Part – note": ["", "s"],
        }
    )
    kinds = {"Réponse": "label", "Part": "percent", "Part – n": "count", "Part – note": "flag"}
    section = _Section("Adoption", [_Table(1, "Usage", frame, ["Champ : test"], kinds)])
    figure = {
        "value": 0.4,
        "flag": "",
        "sentence": f"40 % des entreprises ({parameters.get('sector', 'toutes')}).",
    }
    return ReportContent(sections=[section], key_figures=[figure])


#: The provider as the runner names it (``module:function``).
CONTENT = "render_samples:fake_content"


# Excel and CSV: two sections of report tables with every kind of cell


@dataclass
class Table:
    number: int
    title: str
    frame: pd.DataFrame
    notes: list[str]
    kinds: dict[str, str]


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)


def sample_sections() -> list[Section]:
    frame = pd.DataFrame(
        {
            "Réponse": ['=HYPERLINK("http://x")', "+cmd", "Oui", "@SUM(A1)", "-2+3"],
            "Banque (%)": [0.42, float("nan"), 0.3, float("nan"), 0.25],
            "Banque (%) – IC bas": [0.35, float("nan"), 0.2, float("nan"), 0.2],
            "Banque (%) – IC haut": [0.49, float("nan"), 0.4, float("nan"), 0.3],
            "Banque (%) – n": [200, 2, 40, 8, 25],
            "Banque (%) – note": ["", "s", "prudence", "nd", ""],
        }
    )
    kinds = {
        "Réponse": "label",
        "Banque (%)": "percent",
        "Banque (%) – IC bas": "ci_low",
        "Banque (%) – IC haut": "ci_high",
        "Banque (%) – n": "count",
        "Banque (%) – note": "flag",
    }
    notes = [
        "Lecture : en 2019, 42 % …",
        "Champ : entreprises de la banque",
        "Source : observatoire",
    ]
    return [
        Section(
            "Adoption de l'IA : usages [2019] / détail*",
            [Table(1, "Usage de l'IA", frame, notes, kinds)],
        ),
        Section(
            "Adoption de l'IA : usages [2019] / détail*",
            [Table(2, "Bis", frame.head(2), [], kinds)],
        ),
    ]
