"""Charts: HTML with alt text and numbering, suppressed cells never drawn, no figure leak."""

from __future__ import annotations

import itertools
import math
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from fake_study import make_fake_study
from iaobs.reports import context as report
from iaobs.reports import figures


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return make_fake_study(tmp_path_factory.mktemp("figures"))


@pytest.fixture()
def ctx(study):
    return report.load_context(study, sector="banque")


def _bars(fig):
    return [p for p in fig.axes[0].patches if p.get_width() > 0]


DATA = pd.DataFrame(
    {
        "label": ["Grande entreprise", "PME", "TPE"],
        "estimate": [math.nan, 0.42, 0.3],
        "ci_low": [math.nan, 0.35, 0.2],
        "ci_high": [math.nan, 0.49, 0.4],
        "n": [2, 120, 25],
        "flag": ["s", "", "prudence"],
    }
)


def test_plot_bars_leaves_hidden_cells_out():
    fig = figures.plot_bars(DATA)
    try:
        assert len(_bars(fig)) == 2
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert labels == ["PME", "TPE (*)"]
    finally:
        plt.close(fig)


def test_plot_bars_never_draws_a_hidden_value_even_if_present():
    leaked = DATA.assign(estimate=[0.9, 0.42, 0.3])
    fig = figures.plot_bars(leaked)
    try:
        widths = sorted(round(p.get_width(), 2) for p in _bars(fig))
        assert widths == [0.3, 0.42]
    finally:
        plt.close(fig)


def test_figure_html_numbers_embeds_and_closes(ctx):
    before = set(plt.get_fignums())
    fig = figures.plot_bars(DATA)
    html = figures.figure_html(
        fig,
        ctx=ctx,
        title="Titre <b>",
        alt="PME : 42 %",
        lecture="Lecture <script>",
        champ="Champ",
        note="n = 120",
    )
    assert set(plt.get_fignums()) == before
    assert html.startswith('<figure class="iaobs-figure" id="figure-1">')
    assert 'alt="PME : 42 %"' in html
    assert "<figcaption>Figure 1 – Titre &lt;b&gt;</figcaption>" in html
    assert "data:image/png;base64," in html
    notes = html.split('<div class="iaobs-notes">', 1)[1]
    order = [notes.index(k) for k in ("Lecture", "Champ", "Source", "Note")]
    assert order == sorted(order)
    assert "<script>" not in html
    second = figures.figure_html(
        figures.plot_bars(DATA), ctx=ctx, title="t", alt="a", lecture=None, champ="c"
    )
    assert 'id="figure-2"' in second


def test_chart_by_size_says_why_a_cell_is_missing(ctx):
    html = figures.chart_by_size(ctx)
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert "PME" in alt and "%" in alt
    assert "Non diffusé : GE" in alt
    assert "GE : non diffusé, secret statistique" in html
    assert not plt.get_fignums()


def test_chart_items_alt_states_values(ctx):
    html = figures.chart_items(ctx, "techno")
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert "Analyse de texte" in alt and "\u202f%" in alt
    assert "Lecture :" in html and "Champ :" in html and "Source :" in html


def test_heatmap_hides_secret_cells(ctx):
    values = pd.DataFrame({"A": [0.5, 0.9], "B": [0.2, 0.1]}, index=["x", "y"])
    flags = pd.DataFrame({"A": ["", "s"], "B": ["", "nd"]}, index=["x", "y"])
    fig = figures.plot_heatmap(values, flags)
    try:
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert "s" in texts and "nd" in texts
        assert not any("90" in t or "10" in t for t in texts)
    finally:
        plt.close(fig)


def test_french_axis_formatting():
    fig = figures.plot_bars(DATA)
    try:
        fig.canvas.draw()
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert "20\u202f%" in ticks
    finally:
        plt.close(fig)


def test_diverging_and_rankings(ctx):
    html = figures.chart_scale(ctx, list(report.OPINIONS), title="Opinions")
    assert "Barres empilées divergentes" in html
    ranking = figures.chart_ranking(ctx, "ia_usage")
    assert "Tous secteurs" in ranking
    assert not plt.get_fignums()


def test_ranking_alt_text_follows_the_language(study):
    fr = figures.chart_ranking(report.load_context(study, sector="banque"), "ia_usage")
    en = figures.chart_ranking(
        report.load_context(study, sector="banque", language="en"), "ia_usage"
    )
    assert re.search(r"Tous secteurs : \d", fr)
    assert re.search(r"All sectors: \d", en) and not re.search(r"All sectors : ", en)


@pytest.mark.parametrize("columns", [7, 10])
def test_heatmap_column_labels_never_overlap(columns: int) -> None:
    names = [
        "Expertise comptable", "Banque", "Assurance et prévoyance", "Transport et logistique",
        "Logiciel et numérique", "Industrie", "Tous secteurs", "Commerce de gros",
        "Hébergement et restauration", "Construction",
    ][:columns]  # fmt: skip
    rows = ["Utilise au moins une technologie d'IA", "Données accessibles et de qualité (d'accord)"]
    values = pd.DataFrame(0.3, index=rows, columns=names)
    fig = figures.plot_heatmap(values)
    try:
        renderer = fig.canvas.get_renderer()
        fig.draw(renderer)
        ax = fig.axes[0]
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        assert len(labels) == columns
        if labels[0].get_rotation():  # slanted: parallel single lines
            assert all("\n" not in t.get_text() for t in labels)
            return
        boxes = [t.get_window_extent(renderer) for t in labels]
        for left, right in itertools.pairwise(boxes):
            assert left.x1 <= right.x0, "column labels overlap"
    finally:
        plt.close(fig)


def test_house_theme_base_is_seaborn_whitegrid_paper():
    """The theme's base, written out so that seaborn (and scipy.stats) need not be imported,
    is what ``seaborn.set_theme(style="whitegrid", context="paper")`` sets."""
    import matplotlib as mpl
    import seaborn as sns

    from iaobs.reports import plots

    saved = dict(mpl.rcParams)
    codes = dict(mpl.colors.colorConverter.colors)
    try:
        mpl.rcParams.update(mpl.rcParamsDefault)
        before = {k: repr(v) for k, v in mpl.rcParams.items()}
        sns.set_theme(style="whitegrid", context="paper")
        theirs = {k: repr(v) for k, v in mpl.rcParams.items() if repr(v) != before[k]}
        theirs_codes = {c: mpl.colors.colorConverter.colors[c] for c in "bgrmyck"}
        mpl.rcParams.update(mpl.rcParamsDefault)
        mpl.rcParams.update(plots.SEABORN_WHITEGRID_PAPER)
        ours = {k: repr(v) for k, v in mpl.rcParams.items() if repr(v) != before[k]}
    finally:
        mpl.rcParams.update(saved)
        mpl.colors.colorConverter.colors.update(codes)
    assert theirs.pop("image.cmap") == "'rocket'"  # left out: every image names its map
    assert ours == theirs
    assert theirs_codes == plots.SEABORN_COLOR_CODES


def test_chart_by_size_with_one_published_value_says_it_in_words(ctx, monkeypatch):
    """One bar compares nothing: the value is given in a sentence, the others are named."""
    monkeypatch.setattr(ctx, "sizes", lambda: ["pme", "ge"])  # GE is hidden in the fake study
    html = figures.chart_by_size(ctx)
    assert "<img" not in html and "<figure" not in html
    assert "une seule valeur est diffusée" in html
    assert "des entreprises de type PME du secteur Banque" in html
    assert "GE : non diffusé" in html
    assert not plt.get_fignums()


def test_an_answer_names_its_question(ctx):
    """« ont répondu « Oui » » alone does not say to what: the question is named."""
    code = next(iter(ctx.dictionary["ia_stade"].codes))
    phrase = ctx.answer_phrase("ia_stade", code)
    assert phrase.endswith("à la question « Stade d'adoption de l'IA »")
    assert phrase.startswith(f"ont répondu « {ctx.code_label('ia_stade', code)} »")


def test_definitions_and_calibration_read_as_french_sentences(ctx):
    """Size classes by their bounds (« de 10 à 249 salariés », not « PME : PME (10-249
    salariés) »); the calibration's bound as a plain number, the count of weights agreeing."""
    import html as _html

    from iaobs.reports import blocks

    text = _html.unescape(str(blocks.definitions(ctx)))
    assert "TPE : de 0 à 9 salariés ; PME : de 10 à 249 salariés" in text
    assert "5\u202f000 salariés et plus" in text or "5 000 salariés et plus" in text
    for trimmed, words in ((0, "aucun poids n'atteint une borne"), (1, "1 poids atteint une"),
                           (3, "3 poids atteignent une borne")):  # fmt: skip
        facts = {"trim_ratio": 5.0, "trimmed": trimmed, "deff": None, "n_eff": None}
        said = _html.unescape(" ".join(blocks._bounds_and_design_effect(ctx, facts)))
        assert "entre 1/5 et 5 fois" in said and words in said


def test_the_overview_says_what_each_ranking_shows(study):
    """A sentence before each ranking: its lowest and highest sectors (ties named together)
    and the value of all sectors, each number marked with its cell; a key indicator's short
    label as the title instead of « ont répondu « … » à la question « … » »."""
    import html as _html

    overall = report.load_context(study)
    text = _html.unescape(str(figures.chart_ranking(overall, "ia_usage")))
    sentence = text.split("<figure", 1)[0]
    assert "va de" in sentence and "selon le secteur" in sentence
    assert "pour l'ensemble des secteurs" in sentence
    generative = _html.unescape(
        str(figures.chart_ranking(overall, "ia_generative", "outil_entreprise"))
    )
    assert (
        "Figure 2 – Outil d'IA générative déployé, par secteur (en % des entreprises)" in generative
    )
    sector = _html.unescape(
        str(figures.chart_ranking(report.load_context(study, sector="banque"), "ia_usage"))
    )
    assert "selon le secteur" not in sector.split("<figure", 1)[0]


def test_the_key_figures_leave_out_a_comparison_by_size_with_one_value(ctx, monkeypatch):
    monkeypatch.setattr(ctx, "sizes", lambda: ["pme", "ge"])  # one published value
    assert figures.chart_by_size(ctx, alone=False) == ""
    assert "une seule valeur" in figures.chart_by_size(ctx)
