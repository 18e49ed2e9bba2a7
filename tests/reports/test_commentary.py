"""The running commentary of the sector report: every sentence from a row of the tables, with
its interval and base, the base of filtered questions, ranks, and tests only where they exist."""

from __future__ import annotations

import pandas as pd
import pytest

from fake_study import make_fake_study
from iaobs.core.contract import CONTRAST_COLUMNS
from iaobs.core.typography import typography_faults
from iaobs.reports import commentary, keyfigures
from iaobs.reports import context as report


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_fake_study(tmp_path_factory.mktemp("commentary"))


@pytest.fixture()
def ctx(study):  # type: ignore[no-untyped-def]
    return report.load_context(study, sector="banque")


@pytest.mark.parametrize("section", ["adoption", "emploi", "competences", "formation", "freins"])
def test_every_section_has_a_commentary(ctx, section: str) -> None:  # type: ignore[no-untyped-def]
    html = str(commentary.section_commentary(ctx, section))
    assert html.startswith('<div class="iaobs-commentary">') and html.count("<p>") >= 2
    assert "(s)" not in html and "tous secteurs confondus" not in html
    assert typography_faults(report.Html(html)._repr_html_()) == []


def test_level_sentence_has_interval_base_and_rank(ctx) -> None:  # type: ignore[no-untyped-def]
    sentence = commentary.level_sentence(ctx, "ia_usage")
    assert sentence.startswith("En 2019, ") and "IC 95 %" in sentence and "n = " in sentence
    assert "secteurs de l'observatoire" in sentence  # the sector's rank among the six
    # no test in the study: no claim of difference
    assert "significativement" not in sentence


def test_filtered_question_states_its_base(ctx) -> None:  # type: ignore[no-untyped-def]
    sentence = commentary.ranking_sentence(ctx, "usages", lead=("Les fonctions", "Functions"))
    assert sentence.startswith("Parmi les entreprises qui utilisent l'IA, les fonctions")
    row = ctx.items("usages").dropna(subset=["estimate"]).iloc[0]
    lecture = ctx.lecture(row["estimate"], f"usages__{row['code']}")
    assert "du secteur Banque qui utilisent l'IA citent" in lecture
    assert "qui utilisent l'IA" in ctx.champ(variable="usages")


def test_a_significant_contrast_is_written_with_its_gap_in_points(ctx) -> None:  # type: ignore[no-untyped-def]
    row = ctx.row("ia_usage")
    contrast = {c: None for c in CONTRAST_COLUMNS}
    contrast.update(
        indicator="ia_usage", level="", domain="secteur=banque", statistic="proportion",
        estimate=row["estimate"], rest=row["estimate"] - 0.09, difference=0.09,
        p_value=0.001, significant=True, direction="plus élevé", flag="",
    )  # fmt: skip
    ctx.contrasts = pd.DataFrame([contrast])
    sentence = commentary.level_sentence(ctx, "ia_usage")
    assert (
        "significativement plus élevé que dans le reste de la région (+9\u202fpoints)" in sentence
    )
    figures = keyfigures.key_figures(ctx)
    assert "significativement plus élevé" in figures[0].sentence


@pytest.mark.parametrize(
    ("words", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a et b"), (["a", "b", "c"], "a, b et c")],
)
def test_list_words(words: list[str], expected: str) -> None:
    assert commentary.list_words(words) == expected


def test_ordinal_and_labels() -> None:
    assert commentary.ordinal(1) == "1er" and commentary.ordinal(2) == "2e"
    assert commentary.lower_first("Relation client") == "relation client"
    assert commentary.lower_first("RGPD") == "RGPD"
    assert commentary.lower_first("R&D, innovation") == "R&D, innovation"
    assert commentary.lower_first("IA générative") == "IA générative"
    assert commentary.lower_first("E-learning") == "e-learning"
