"""English end to end: a study with ``language = "en"`` leaves no French in its outputs.

Fast tests check the blocks of a report built in English; the slow test runs the
repository's sample study in English (copy in a temporary folder) and reads every output:
HTML, index page, Excel sheets and cells, CSV separators, PDF text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fake_study import make_fake_study
from iaobs.cli import main
from iaobs.core import text as tx
from iaobs.reports import blocks, figures, tables
from iaobs.reports import context as report

#: French words that must not appear in English outputs (proper nouns aside)
FRENCH = re.compile(
    r"\b(des|les|entreprises|Lecture|Champ|secteur|enquête|Tableau|répondants?|données|"
    r"selon|avec|pour|sont|aucun|Réponse|écart|calculs)\b"
)


def _strip_proper_nouns(text: str, study_title: str) -> str:
    for noun in (study_title, report.esc(study_title), study_title.upper()):
        text = text.replace(noun, "")
    # names of the files received and their sheets are the partners' own words
    return re.sub(r"Réponses|Passations|[\w-]+\.(xlsx|csv)", "", text)


#: Columns of a flat data sheet that hold the questionnaire's codes (the contract, not words)
CODE_COLUMNS = {"indicator", "level", "domain", "statistic", "flag", "variable", "code"}


def _words_of_sheet(ws: Any) -> str:
    """Every text cell of a sheet, code columns of a flat data sheet aside."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0] if rows else ()
    codes = {i for i, name in enumerate(header) if name in CODE_COLUMNS}
    if len(codes) < 2:  # a table sheet, not a flat data sheet
        codes = set()
    return " ".join(
        str(v) for row in rows for i, v in enumerate(row) if isinstance(v, str) and i not in codes
    )


def _english_context(tmp_path: Path, sector: str | None = "banque") -> report.ReportContext:
    root = make_fake_study(tmp_path, language="en")
    return report.load_context(root, sector=sector)


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (0.42, "42\u202f%", "42%"),
        (1250, "1\u202f250", "1,250"),
        (3.5, "3,5", "3.5"),
    ],
)
def test_number_formats(value: float, fr: str, en: str) -> None:
    if value < 1:
        assert tx.format_percent(value) == fr and tx.format_percent(value, language="en") == en
    elif float(value).is_integer():
        assert tx.format_number(value) == fr and tx.format_number(value, language="en") == en
    else:
        assert tx.format_decimal(value) == fr
        assert tx.format_decimal(value, language="en") == en


def test_dates_do_not_depend_on_the_locale() -> None:
    day = dt.date(2026, 11, 25)
    assert report.english_date(day) == "25 November 2026"
    assert report.french_date(day) == "25 novembre 2026"


def test_weighting_notes_are_translated() -> None:
    note = (
        "marge departement : 11 répondant(s) sans valeur forment une cellule à part, qui garde "
        "son poids de sondage ; les autres cellules suivent la population"
    )
    assert report.translate_note(note).startswith("margin département: 11 respondent(s)")
    assert report.translate_note("aucun répondant") == "no respondent"
    assert report.translate_note("texte inconnu") == "texte inconnu"


def test_sector_report_blocks_are_english(tmp_path: Path) -> None:
    ctx = _english_context(tmp_path)
    parts = [
        blocks.cover(ctx, "secteur"),
        blocks.essentiel(ctx),
        blocks.definitions(ctx),
        figures.chart_items(ctx, "ia_stade"),
        figures.chart_by_size(ctx, "ia_usage"),
        blocks.methodology(ctx),
    ]
    parts += [tables.table_html(t, ctx) for s in tables.report_tables(ctx) for t in s.tables]
    text = _strip_proper_nouns(" ".join(str(b) for b in parts), ctx.study.title)
    text = re.sub(r'src="data:image/png;base64,[^"]+"', "", text)
    found = sorted(set(FRENCH.findall(text)))
    assert not found, found
    assert "Key findings" in text and "How to read" in text and "Scope" in text
    assert "(secteur × taille)" not in text and "(sector × size)" in text
    assert "TPE : " not in text and "Micro: 0 to 9 employees; SME: 10 to 249" in text


def test_quality_report_rules_are_named_in_english(tmp_path: Path) -> None:
    ctx = _english_context(tmp_path, sector=None)
    shown = str(tables.show(ctx, "constats", kind="qualite"))
    assert "duplicate" in shown or "required answer missing" in shown
    assert tables.rule_label(ctx, "doublon (bloquant)") == "duplicate (bloquant)"


@pytest.mark.slow
def test_sample_study_in_english_end_to_end(tmp_path: Path, repo_root: Path) -> None:
    root = tmp_path / "study"
    root.mkdir()
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copytree(repo_root / "data" / "reference", root / "data" / "reference")
    toml = (repo_root / "study.toml").read_text("utf-8")
    (root / "study.toml").write_text(toml.replace('language = "fr"', 'language = "en"'), "utf-8")
    code = main(["run", str(root), "--only", "banque", "synthese-regionale", "qualite-donnees",
                 "--quiet"])  # fmt: skip
    assert code == 0
    reports = root / "reports" / "2019"
    title = "Observatoire régional de l'intelligence artificielle et des compétences"

    index = (reports / "index.html").read_text("utf-8")
    assert '<html lang="en">' in index and "Survey reports" in index
    for slug in ("banque", "synthese-regionale", "qualite-donnees"):
        page = (reports / slug / "report.html").read_text("utf-8")
        assert '<html lang="en">' in page
        body = re.sub(r"<style>.*?</style>|data:image/png;base64,[^\"]+", "", page, flags=re.S)
        body = re.sub(r"<[^>]+>", " ", body)
        found = sorted(set(FRENCH.findall(_strip_proper_nouns(body, title))))
        assert not found, (slug, found)
        # no French spacing before a colon or semicolon, no French words of the map's source
        seen = html.unescape(" ".join(_strip_proper_nouns(body, title).split()))
        assert not re.findall(r"\w[ \u202f\u00a0][:;]", seen), (slug, "French spacing")
        assert "Fond de carte" not in seen and "simplifié" not in seen, slug
        book = openpyxl.load_workbook(reports / slug / "tables.xlsx", read_only=True)
        assert book.sheetnames[0] == "About"
        cells = " ".join(_words_of_sheet(ws) for ws in book.worksheets)
        found = sorted(set(FRENCH.findall(_strip_proper_nouns(cells, title))))
        assert not found, (slug, "xlsx", found)
        head = (reports / slug / "indicators.csv").read_text("utf-8-sig").splitlines()[0]
        # a report's own figures: indicator rows, or the cells of its tables
        assert {"indicator", "level", "domain"} <= set(head.split(",")) or "row" in head
        assert not FRENCH.findall(head)
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", str(reports / slug / "report.pdf"), "-"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            found = sorted(set(FRENCH.findall(_strip_proper_nouns(text, title))))
            assert not found, (slug, "pdf", found)
    page = (reports / "banque" / "report.html").read_text("utf-8")
    assert "Key findings" in page and "95% CI" in page and "Methodology annex" in page
    assert re.search(r"\d{1,2} (January|February|March|April|May|June|July|August|September|"
                     r"October|November|December) \d{4}", page)  # fmt: skip
    assert re.search(r"\d,\d{3}", page)  # thousands separated by a comma (1,497)
