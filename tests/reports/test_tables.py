"""Report tables from a fake study: flags without estimates, numbering, kinds, HTML."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fake_study import make_fake_study
from iaobs.errors import ConfigError, InputError
from iaobs.reports import context as report
from iaobs.reports import keyfigures, tables

KINDS = {"label", "text", "percent", "mean", "ci_low", "ci_high", "count", "flag"}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return make_fake_study(tmp_path_factory.mktemp("tables"))


@pytest.fixture()
def ctx(study):
    return report.load_context(study, sector="banque")


def test_hidden_cells_have_no_estimate_in_the_context(ctx):
    hidden = ctx.indicators[ctx.indicators["flag"].isin(["s", "nd"])]
    assert len(hidden) > 0
    assert hidden[["estimate", "se", "ci_low", "ci_high"]].isna().all().all()


def test_hidden_estimates_in_the_file_are_dropped(study, tmp_path):
    frame = pd.read_parquet(study / "data/processed/indicators.parquet")
    frame.loc[frame["flag"] == "s", "estimate"] = 0.9  # a file that leaks a secret value
    path = tmp_path / "indicators.parquet"
    frame.to_parquet(path)
    loaded = report.read_indicators(path)
    assert loaded.loc[loaded["flag"] == "s", "estimate"].isna().all()


def test_report_tables_numbered_in_order_with_known_kinds(ctx):
    sections = tables.report_tables(ctx)
    numbers = [t.number for s in sections for t in s.tables]
    assert numbers == list(range(1, len(numbers) + 1))
    # the tables the sector report shows come first (the others: the Excel workbook only)
    assert sections[0].title == "Comparaison avec l'ensemble des secteurs"
    assert [s.title for s in sections].index("Adoption de l'IA") > 0
    for section in sections:
        for table in section.tables:
            assert set(table.kinds) == set(table.frame.columns)
            assert set(table.kinds.values()) <= KINDS
            assert any(line.startswith("Source :") for line in table.notes)


def test_show_gives_the_same_number_as_report_tables(ctx):
    expected = {t.key: t.number for s in tables.report_tables(ctx) for t in s.tables}
    html = tables.show(ctx, "besoins_taille")
    assert f"Tableau {expected['besoins_taille']} – " in html


def test_secret_cells_are_flags_without_estimate(ctx):
    table = tables.build_table(ctx, "taille")  # banque × GE is secret in the fake study
    frame = table.frame
    flag_col = next(c for c, k in table.kinds.items() if k == "flag")
    est_col = next(c for c, k in table.kinds.items() if k == "percent")
    n_col = next(c for c, k in table.kinds.items() if k == "count")
    ge = frame[frame.iloc[:, 0].str.startswith("Grande")].iloc[0]
    assert ge[flag_col] == "s"
    assert math.isnan(ge[est_col])
    assert ge[n_col] == 2  # the base is kept
    html = tables.table_html(table, ctx)
    assert '<td class="num flag">s</td>' in html
    assert "s : secret statistique" in html


def test_estimates_are_proportions_and_bases_integers(ctx):
    table = tables.build_table(ctx, "technologies")
    for column, kind in table.kinds.items():
        if kind in ("percent", "ci_low", "ci_high"):
            values = table.frame[column].dropna()
            assert ((values >= 0) & (values <= 1)).all()
        if kind == "count":
            assert pd.api.types.is_integer_dtype(table.frame[column])


def test_prudence_cells_carry_an_asterisk_and_the_note(study):
    ctx = report.load_context(study, sector="assurance")
    html = tables.show(ctx, "comparaison")
    assert "(*)" in html and "(*) à interpréter avec prudence" in html


def test_table_html_structure(ctx):
    html = tables.show(ctx, "technologies")
    number = tables.build_table(ctx, "technologies").number
    assert html.startswith('<div class="iaobs-table-block"><table class="iaobs-table"')
    assert f"<caption>Tableau {number} – Technologies d&#x27;IA utilisées" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "Champ :" in html and "Source :" in html


def test_synthesis_and_quality_tables(study):
    ctx = report.load_context(study)
    sections = tables.report_tables(ctx)
    assert sections[0].tables[0].key == "secteurs"
    quality = tables.report_tables(ctx, kind="qualite")
    files = quality[0].tables[0].frame
    assert len(files) == 6
    findings = tables.build_table(ctx, "constats", kind="qualite")
    # counts only: the finding values and messages never reach the table
    text = findings.frame.to_string()
    assert "confidentiel 123" not in text and "effectif négatif" not in text


def test_english_tables(study):
    ctx = report.load_context(study, sector="banque", language="en")
    table = tables.build_table(ctx, "technologies")
    assert table.title.startswith("AI technologies used")
    assert "Banking" in table.frame.columns


def test_unknown_sector_and_missing_indicators(study, tmp_path):
    with pytest.raises(ConfigError):
        report.load_context(study, sector="boulangerie")
    (tmp_path / "study.toml").write_text(
        '[study]\ntitle = "T"\nregion = "R"\nwave = "2019"\n', encoding="utf-8"
    )
    with pytest.raises(InputError):
        report.load_context(tmp_path)
    ctx = report.load_context(tmp_path, require_indicators=False)
    assert ctx.indicators.empty


def test_key_figures(ctx):
    figures = keyfigures.key_figures(ctx)
    assert 4 <= len(figures) <= 6
    first = figures[0]
    assert first.indicator == "ia_usage" and first.value is not None
    # no untested comparison with a whole that contains the sector
    assert "tous secteurs confondus" not in first.sentence and "IC 95" in first.sentence
