"""A survey that asked only some questions: its reports speak only of those."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from fake_study import make_fake_study
from iaobs.reports import blocks, figures, keyfigures, tables
from iaobs.reports import context as report

NOT_ASKED = (
    "impact_famille",
    "freins",
    "besoin_comp",
    "competence_prioritaire",
    "opinion_menace_emploi",
)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = make_fake_study(tmp_path_factory.mktemp("asked"))
    path = folder / "data" / "processed" / "indicators.parquet"
    frame = pd.read_parquet(path)
    base = frame["indicator"].str.split("__").str[0]
    # what the estimate stage writes for a question with no answer anywhere
    gone = base.isin(NOT_ASKED)
    frame.loc[gone, "n"] = 0
    frame.loc[gone, "flag"] = "nd"
    frame.loc[gone, ["estimate", "se", "ci_low", "ci_high"]] = float("nan")
    frame.to_parquet(path)
    return folder


@pytest.fixture()
def ctx(study):
    return report.load_context(study, sector="banque")


def test_parts_of_questions_not_asked_are_left_out(ctx) -> None:
    assert not ctx.is_asked("freins") and ctx.is_asked("ia_stade")
    assert str(ctx.heading(3, "liste_freins")) == ""
    assert str(ctx.heading(3, "familles")) == ""
    assert str(figures.chart_items(ctx, "freins")) == ""
    assert str(figures.chart_skills_heatmap(ctx)) == ""
    assert str(tables.show(ctx, "besoins")) == ""
    # the competences section has no question left: no heading, no number
    assert str(ctx.heading(2, "competences")) == ""
    # the opinions still asked are shown, the other one is not
    scale = str(figures.chart_scale(ctx, report.OPINIONS, title="Opinions"))
    assert scale and ctx.label("opinion_menace_emploi") not in scale


def test_numbering_skips_nothing_and_tables_follow_the_questions(ctx) -> None:
    heading = str(ctx.heading(2, "adoption"))
    assert heading.startswith('<h2 id="adoption">1.')
    sections = tables.report_tables(ctx)
    keys = [t.key for s in sections for t in s.tables]
    assert "besoins" not in keys and "freins" not in keys and "familles" not in keys
    numbers = [t.number for s in sections for t in s.tables]
    assert numbers == list(range(1, len(numbers) + 1))
    assert "Compétences" not in [s.title for s in sections]


def test_key_figures_and_annex_say_nothing_of_an_unasked_question(ctx) -> None:
    sentences = " ".join(f.sentence for f in keyfigures.key_figures(ctx))
    assert "n = 0" not in sentences
    assert "frein" not in sentences
    annex = str(blocks.methodology(ctx))
    assert "pas posées" in annex
    for name in NOT_ASKED:
        assert html.escape(ctx.label(name)) in annex
    assert "secteur=" not in annex
    assert "1 fichiers" not in annex and "1 itérations" not in annex
