"""Layout rules on printed reports: the checker itself, the printer's fixes, the sample study."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from iaobs.render.layout import Line, Page, Word, check_layout, check_report, read_layout

A4 = (595.28, 841.89)
HAS_POPPLER = shutil.which("pdftotext") is not None
needs_poppler = pytest.mark.skipif(
    not HAS_POPPLER and not os.environ.get("CI"), reason="poppler-utils (pdftotext) absent"
)


def _line(y: float, *texts: str, x: float = 51.0, width: float = 40.0) -> Line:
    words, left = [], x
    for text in texts:
        words.append(Word(left, y, left + width, y + 10, text))
        left += width + 4
    return Line(words[0].x0, y, words[-1].x1, y + 10, tuple(words))


def _page(number: int, *lines: Line, size: tuple[float, float] = A4) -> Page:
    return Page(number, size[0], size[1], list(lines))


def test_heading_alone_on_a_page_and_at_the_bottom_of_one() -> None:
    headings = ["2. Corrections automatiques"]
    pages = [
        _page(1, _line(300, "Couverture")),
        _page(2, _line(100, "Texte", "courant"), _line(700, "2. Corrections", "automatiques")),
        _page(3, _line(100, "Tableau", "2", "–", "Corrections")),
        _page(4, _line(100, "Règle", "Nombre"), _line(120, "fin")),
    ]
    rules = {(p.page, p.rule) for p in check_layout(pages, headings)}
    assert rules == {(2, "titre-en-bas"), (3, "titre-seul")}


def test_running_header_and_footer_are_not_the_body() -> None:
    pages = [
        _page(1, _line(300, "Couverture")),
        _page(2, _line(45, "Observatoire"), _line(100, "Texte"), _line(800, "page", "2")),
    ]
    assert check_layout(pages, ["Texte courant"]) == []


def test_cut_column_and_overlapping_words() -> None:
    page = _page(
        2,
        _line(100, "Secteur", "Part", "Aisance", x=400, width=60),  # ends beyond 544 pt
        _line(200, "Dispose"),
        Line(51, 200, 120, 210, (Word(70, 200, 120, 210, "charte"),)),
    )
    found = {p.rule: p for p in check_layout([_page(1), page], cover=True)}
    assert set(found) == {"coupe", "chevauchement"}
    assert "Aisance" in found["coupe"].text and "Dispose / charte" in found["chevauchement"].text
    assert "page 2" in found["coupe"].describe()


def _table(ident: str, columns: int, rows: int, header: str) -> str:
    head = "".join(f"<th>{header} {j}</th>" for j in range(columns))
    body = "".join(
        "<tr>" + "".join(f"<td>{1000 + i * j}</td>" for j in range(columns)) + "</tr>"
        for i in range(rows)
    )
    return (
        f'<div class="iaobs-table-block"><table class="iaobs-table" id="{ident}">'
        f"<caption>Tableau {ident[-1]} – Essai</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


@needs_poppler
def test_printer_fits_wide_tables_and_cuts_long_ones(tmp_path: Path) -> None:
    from iaobs.render.html import page_rule, print_styles
    from iaobs.render.pdf import pdf_bytes

    filler = "<p>" + "Texte courant de la section. " * 120 + "</p>"
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        '<main class="iaobs-page"><section class="iaobs-cover"><h1>Essai</h1></section>'
        f"<h2>1. Large</h2>{_table('tableau-1', 12, 5, 'Indicateur_particulièrement_long')}"
        f"<h2>2. Très large</h2>{_table('tableau-2', 16, 4, 'Intitulé_de_colonne_interminable')}"
        f"{filler}<h2>3. Long</h2>{_table('tableau-3', 3, 70, 'Règle')}"
        "</main></body></html>"
    )
    data = pdf_bytes(page, shared_css=print_styles(), page_css=page_rule("Essai", "Région"))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    pages = read_layout(pdf)
    problems = check_layout(pages, ["1. Large", "2. Très large", "3. Long"])
    assert problems == [], [p.describe() for p in problems]
    assert any(p.width > p.height for p in pages)  # the far too wide table: landscape


def _wide_both_ways(page: str, base_url: str | None = None) -> tuple[dict, dict]:
    """The wide tables of a page as estimated before layout (what the printer uses) and as
    found on the laid-out page (what it used to lay the page out a second time for)."""
    import weasyprint

    from iaobs.render.pdf import _single_layout, long_tables, mark_tables, overflowing_tables

    page = mark_tables(page, long_tables(page))
    estimated, _ = _single_layout(weasyprint.HTML(string=page, base_url=base_url), {})
    laid_out = weasyprint.HTML(string=page, base_url=base_url).render(pdf_tags=True)
    return estimated, overflowing_tables(laid_out)


def test_wide_tables_are_estimated_as_the_layout_finds_them() -> None:
    from iaobs.render.html import print_styles
    from iaobs.render.pdf import FIT_CLASS, LANDSCAPE_CLASS

    indented = '<aside style="margin-left: 12cm; padding: 1cm">{}</aside>'
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f'<style>{print_styles()}</style></head><body><main class="iaobs-page">'
        f"<h2>1. Large</h2>{_table('tableau-1', 7, 5, 'Indicateur_long')}"
        f"<h2>2. Très large</h2>{_table('tableau-2', 16, 4, 'Intitulé_de_colonne_interminable')}"
        f"<h2>3. Étroit</h2>{_table('tableau-3', 4, 3, 'Colonne')}"
        f"{indented.format(_table('tableau-4', 4, 3, 'Colonne'))}"
        "</main></body></html>"
    )
    estimated, laid_out = _wide_both_ways(page)
    assert estimated == laid_out
    assert estimated["tableau-1"] == FIT_CLASS
    assert estimated["tableau-2"] == f"{FIT_CLASS} {LANDSCAPE_CLASS}"
    assert "tableau-3" not in estimated and "tableau-4" in estimated  # pushed out by its box


def test_a_wide_table_the_estimate_misses_is_found_on_the_laid_out_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from iaobs.render import pdf
    from iaobs.render.html import page_rule, print_styles

    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        '<main class="iaobs-page"><section class="iaobs-cover"><h1>Essai</h1></section>'
        f"<h2>1. Large</h2>{_table('tableau-1', 7, 5, 'Indicateur_long')}"
        f"<h2>2. Très large</h2>{_table('tableau-2', 16, 4, 'Intitulé_de_colonne_interminable')}"
        "</main></body></html>"
    )
    styles = {"shared_css": print_styles(), "page_css": page_rule("Essai", "Région")}
    estimated = pdf.pdf_bytes(page, **styles)
    monkeypatch.setattr(pdf, "estimated_wide_tables", lambda *args: {})
    assert pdf.pdf_bytes(page, **styles) == estimated  # laid out twice, the same PDF


@pytest.mark.slow
@needs_poppler
def test_sample_study_main_reports_obey_the_layout_rules(tmp_path: Path, repo_root: Path) -> None:
    """The nine main reports of the sample study: no cut table, no lone heading; their
    folders hold deliverables only, each report its own data and codebook."""
    from iaobs.cli import main

    root = tmp_path / "study"
    root.mkdir()
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copytree(repo_root / "data" / "reference", root / "data" / "reference")
    shutil.copy2(repo_root / "study.toml", root / "study.toml")
    main_reports = [
        "expertise-comptable", "banque", "assurance", "transport-logistique", "logiciel",
        "industrie", "synthese-regionale", "qualite-donnees", "formation-pilote",
    ]  # fmt: skip
    code = main(["run", str(root), "--only", *main_reports, "--format", "html,pdf", "--quiet"])
    assert code == 0
    reports = root / "reports" / "2019"
    problems = {slug: [p.describe() for p in check_report(reports / slug)] for slug in main_reports}
    assert not any(problems.values()), problems
    from iaobs.render.html import print_page

    wide = {}  # the printer lays each page out once: its estimate must find what layout finds
    for slug in main_reports:
        page = print_page((reports / slug / "report.html").read_text("utf-8"))
        estimated, laid_out = _wide_both_ways(page, str(reports / slug))
        assert estimated == laid_out, slug
        wide.update({f"{slug}/{k}": v for k, v in laid_out.items()})
    assert "synthese-regionale/tableau-1" in wide  # the overview's landscape table
    assert not list(reports.rglob("*.ipynb"))
    allowed = {".html", ".pdf", ".xlsx", ".csv"}
    # the report folders (the site beside them has its pages and its open data package)
    assert {
        p.suffix
        for slug in main_reports
        for p in (reports / slug).rglob("*")
        if p.is_file() and p.name != ".cache.json"
    } <= allowed
    data = {slug: (reports / slug / "indicators.csv").read_bytes() for slug in main_reports}
    assert len(set(data.values())) == len(main_reports)  # each report its own figures
    codebook = (reports / "banque" / "codebook.csv").read_text("utf-8-sig")
    assert "Licence Ouverte" in codebook and "ia_usage" in codebook
