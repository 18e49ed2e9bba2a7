"""Numbers of the sentences marked with their cells: off by default, spans on the page."""

from __future__ import annotations

import pytest

from iaobs.core import cellmark
from iaobs.core import text as tx
from iaobs.core.typography import typeset_html
from iaobs.pipeline.prose import marked_numbers, prose_segments


def test_marking_is_off_unless_the_report_server_turns_it_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cellmark.ENV, raising=False)
    assert cellmark.mark("42 %", "x|a|all") == "42 %"
    sentence = tx.key_figure_sentence(
        ("utilisent l'IA", "use AI"), estimate=0.42, ci_low=0.35, ci_high=0.49, n=212,
        population="du secteur", cell="x||secteur=s1",
    )  # fmt: skip
    assert sentence.startswith("42\u202f% des entreprises du secteur (IC 95\u202f% : 35")


def test_a_marked_sentence_becomes_spans_and_a_chart_alt_a_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(cellmark.ENV, "1")
    sentence = tx.key_figure_sentence(
        ("utilisent l'IA", "use AI"), estimate=0.42, ci_low=0.35, ci_high=0.49, n=212,
        population="du secteur", cell="x||secteur=s1;taille=pme",
    )  # fmt: skip
    assert cellmark.strip_marks(sentence).startswith("42\u202f% des entreprises du secteur")
    alt = "Barres. A : " + cellmark.mark(
        "30\u202f%", {"indicator": "y", "level": "a", "domain": "all"}
    )
    page = typeset_html(f'<p>{sentence}</p><img alt="{alt}" src="x.png">', "fr")
    page = cellmark.cell_spans(page)
    assert "\ue000" not in page and "\U000f0078" not in page
    assert (
        '<span data-cell="x||secteur=s1;taille=pme" data-stat="estimate">42\u202f%</span>' in page
    )
    assert 'data-stat="ci_low">35\u202f%</span> – <span' in page
    assert marked_numbers(page) == [
        ("x||secteur=s1;taille=pme", "estimate", "42\u202f%"),
        ("x||secteur=s1;taille=pme", "ci_low", "35\u202f%"),
        ("x||secteur=s1;taille=pme", "ci_high", "49\u202f%"),
        ("y|a|all", "estimate", "30\u202f%"),
    ]
    # what stays for the tie by value: the numbers nobody marked
    assert all("42" not in s and "30" not in s for s in prose_segments(page))
