"""Every number a sector report's sentences mark is its cell's published value, as printed."""

from __future__ import annotations

import pytest

from fake_study import make_fake_study
from iaobs.core import cellmark
from iaobs.core import text as tx
from iaobs.core.typography import format_points, typeset_html
from iaobs.pipeline.prose import marked_numbers
from iaobs.reports import commentary, figures
from iaobs.reports import context as report


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_fake_study(tmp_path_factory.mktemp("cellmarks"))


def test_the_marked_numbers_are_the_published_values_of_their_cells(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(cellmark.ENV, "1")
    ctx = report.load_context(study, sector="banque")
    blocks = [commentary.essentiel_prose(ctx), commentary.key_numbers(ctx)]
    blocks += [commentary.section_commentary(ctx, s) for s in commentary._SECTIONS]
    blocks += [
        figures.chart_items(ctx, "techno"),
        figures.chart_by_size(ctx),
        figures.chart_ranking(ctx, "ia_usage"),
        figures.chart_scale(ctx, ["opinion_opportunite", "opinion_menace_emploi"], title="x"),
    ]
    page = cellmark.cell_spans(typeset_html("".join(str(b) for b in blocks), "fr"))
    marked = marked_numbers(page)
    assert len(marked) > 20
    stats = {stat for _, stat, _ in marked}
    assert {"estimate", "ci_low", "ci_high"} <= stats
    for key, stat, printed in marked:
        indicator, level, domain = key.split("|")
        row = ctx.row(indicator, level, domain)
        assert row is not None, key
        assert row["flag"] not in ("s", "nd"), key
        if stat == "difference":
            contrast = commentary.contrast_for(ctx, indicator, level, domain)
            assert contrast is not None
            expected = format_points(contrast.difference, language="fr")
        else:
            expected = tx.format_percent(row[stat], language="fr")
        assert printed == typeset_html(expected, "fr"), (key, stat, printed)
    assert "\ue000" not in page and "data-cells=" in page


def test_the_overview_ranking_sentences_mark_their_numbers(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(cellmark.ENV, "1")
    ctx = report.load_context(study)
    blocks = [
        figures.chart_ranking(ctx, "ia_usage"),
        figures.chart_ranking(ctx, "ia_generative", "outil_entreprise"),
    ]
    sentences = "".join(str(b).split("<figure", 1)[0] for b in blocks)
    page = cellmark.cell_spans(typeset_html(sentences, "fr"))
    marked = marked_numbers(page)
    assert len(marked) == 6  # lowest, highest, all sectors: twice
    for key, stat, printed in marked:
        indicator, level, domain = key.split("|")
        row = ctx.row(indicator, level, domain)
        assert row is not None and row["flag"] not in ("s", "nd"), key
        assert printed == typeset_html(tx.format_percent(row[stat], language="fr"), "fr")


def test_the_departement_sentence_marks_its_numbers(study, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """« de 6 % (Aisne, 02) à 10 % (Somme, 80) », each number marked with its cell."""
    import pandas as pd

    from iaobs.reports import territory

    monkeypatch.setenv(cellmark.ENV, "1")
    ctx = report.load_context(study)
    rows = [
        {"code": "02", "label": "Aisne (02)", "estimate": 0.06, "ci_low": 0.02, "ci_high": 0.11,
         "n": 104, "flag": "", "cell": "ia_usage||departement=02"},
        {"code": "80", "label": "Somme (80)", "estimate": 0.10, "ci_low": 0.05, "ci_high": 0.16,
         "n": 141, "flag": "", "cell": "ia_usage||departement=80"},
    ]  # fmt: skip
    monkeypatch.setattr(territory, "departement_rows", lambda *a, **k: pd.DataFrame(rows))
    page = cellmark.cell_spans(typeset_html(str(territory.departement_commentary(ctx)), "fr"))
    assert [(key, printed) for key, _, printed in marked_numbers(page)] == [
        ("ia_usage||departement=02", typeset_html("6 %", "fr")),
        ("ia_usage||departement=80", typeset_html("10 %", "fr")),
    ]
    assert "(Aisne, 02)" in page and "(Somme, 80)" in page and "))" not in page
