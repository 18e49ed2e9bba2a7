"""Each report's data: labelled figures, codebook and licence, the Excel workbook's sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from iaobs.render.data import codebook, indicator_data, table_data
from iaobs.render.excel import safe_sheet_names, write_data_csv, write_tables_xlsx
from iaobs.study.dictionary import load_dictionary
from render_samples import sample_sections


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["ia_usage", "ia_stade", "ia_stade"],
            "level": ["", "deploiement_partiel", "top2"],
            "domain": ["all", "secteur=banque;taille=pme", "secteur=banque"],
            "statistic": ["proportion"] * 3,
            "estimate": [0.31, 0.12, 0.2],
            "se": [0.01, 0.02, 0.03],
            "ci_low": [0.29, 0.08, 0.15],
            "ci_high": [0.33, 0.16, 0.25],
            "n": [1497, 2, 149],
            "n_eff": [700.0, 2.0, 90.0],
            "weighted_base": [39800.0, 12.0, 800.0],
            "flag": ["", "s", "prudence"],
        }
    )


def test_indicator_data_is_labelled_and_publishable() -> None:
    data = indicator_data(_rows(), load_dictionary(), "fr")
    assert list(data.columns[:6]) == [
        "indicator", "indicator_label", "level", "level_label", "domain", "domain_label",
    ]  # fmt: skip
    assert data.loc[0, "domain_label"] == "Ensemble de la région"
    assert data.loc[1, "domain_label"] == "Banque · PME (10-249 salariés)" or "Banque" in str(
        data.loc[1, "domain_label"]
    )
    assert data.loc[1, "level_label"] and data.loc[1, "level_label"] != "deploiement_partiel"
    assert pd.isna(data.loc[1, "estimate"]) and data.loc[1, "n"] == 2  # secret: no estimate
    assert data.loc[0, "indicator_label"] != "ia_usage"
    assert not {"se", "n_eff", "weighted_base"} & set(data.columns)  # stats.secrecy.publishable


def test_codebook_states_columns_codes_signs_and_licence(tmp_path: Path) -> None:
    data = indicator_data(_rows(), load_dictionary(), "fr")
    book = codebook(data, load_dictionary(), language="fr", source="Observatoire, 2019")
    text = write_data_csv(book, tmp_path / "codebook.csv").read_text("utf-8-sig")
    assert "Licence Ouverte / Open Licence version 2.0" in text and "etalab-2.0" in text
    assert "ia_stade=deploiement_partiel" in text and "secteur=banque;taille=pme" in text
    assert "secret statistique" in text and "Observatoire, 2019" in text
    english = codebook(data, load_dictionary(), language="en")
    assert "free reuse" in " ".join(english.iloc[:, 2])


def test_table_data_one_row_per_figure() -> None:
    data = table_data(sample_sections())
    assert {"table", "table_title", "row", "column", "value", "n", "flag"} <= set(data.columns)
    first = data[(data["table"] == 1)].reset_index(drop=True)
    assert first.loc[0, "value"] == pytest.approx(0.42) and first.loc[0, "n"] == 200
    secret = first[first["flag"] == "s"]
    assert len(secret) == 1 and secret["value"].isna().all()


def test_sheet_names_cut_between_words() -> None:
    names = safe_sheet_names(["T12 Besoin fort ou très fort de compétences, selon la taille"])
    assert names == ["T12 Besoin fort ou très fort de"]
    assert len(names[0]) <= 31


def test_workbook_contents_data_sheet_and_one_sheet_per_table(tmp_path: Path) -> None:
    import openpyxl

    data = table_data(sample_sections())
    path = write_tables_xlsx(
        sample_sections(),
        tmp_path / "tables.xlsx",
        title="Banque",
        study_title="Observatoire",
        wave="2019",
        date=dt.datetime(2019, 6, 1, tzinfo=dt.UTC),
        data=data,
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["Présentation", "Données"]
    assert len(book.sheetnames) == 4  # two tables, one sheet each
    about = [str(c.value) for row in book["Présentation"].iter_rows() for c in row if c.value]
    assert any(v.startswith("Tableau 1 – Usage de l'IA") for v in about)  # full title
    assert any("Licence Ouverte" in v for v in about)
    sheet = book["Données"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert [c.value for c in sheet[1]][:4] == ["table", "table_title", "row", "column"]
    table = book[book.sheetnames[2]]
    assert table.freeze_panes is not None and table.auto_filter.ref


def test_a_second_count_after_an_estimates_base_is_a_cell_of_its_own() -> None:
    """« Non → oui » and « Oui → non » after the base of a change: the change keeps its base,
    the two counts are published as cells (they were taken for the base, the last one won)."""
    from iaobs.core.contract import estimate_owner

    columns = ["item", "diff", "low", "high", "n", "flag", "gained", "lost"]
    kinds = {"item": "label", "diff": "points", "low": "ci_low", "high": "ci_high",
             "n": "count", "flag": "flag", "gained": "count", "lost": "count"}  # fmt: skip
    owner = estimate_owner(columns, kinds)
    assert {c: owner.get(c) for c in columns} == {
        "item": None, "diff": "diff", "low": "diff", "high": "diff", "n": "diff",
        "flag": "diff", "gained": None, "lost": None,
    }  # fmt: skip
