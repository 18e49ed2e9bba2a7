"""End to end: a small sample study cleaned, estimated, then one company report and the
pilot-training report rendered through the runner (HTML, PDF, Excel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaobs.core.typography import typography_faults
from iaobs.render.layout import MARGINS_MM, MM, check_layout, page_titles, read_layout

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from iaobs.pipeline.clean import clean_study
    from iaobs.pipeline.estimate import compute_study_indicators
    from iaobs.study.config import load_study
    from iaobs.tools.sample import write_sample_study

    root = tmp_path_factory.mktemp("etude")
    write_sample_study(root, n_companies=300)
    loaded = load_study(root)
    clean_study(loaded)
    compute_study_indicators(loaded)
    return loaded


def test_company_and_training_reports(study) -> None:  # type: ignore[no-untyped-def]
    from iaobs.render.matrix import STAFF_INDEX, company_slug, volunteer_companies
    from iaobs.render.runner import render_study

    companies = volunteer_companies(study)
    assert companies
    mine, other = companies[0], companies[1]
    slug = company_slug(mine["id"])
    summary = render_study(study, only=[slug, "formation-pilote"], progress=False, jobs=2)
    assert not summary.failed, [r.describe_failure() for r in summary.failed]
    folder = Path(study.reports_dir) / slug
    for name in ("report.html", "report.pdf", "tables.xlsx"):
        assert (folder / name).is_file()
    page = (folder / "report.html").read_text("utf-8")
    assert mine["id"].lower() in page and other["id"].lower() not in page
    assert "Pistes d'action" in page and "centile" in page
    assert "Votre entreprise face à son secteur" in page
    _check_printed_layout(folder)
    training = Path(study.reports_dir) / "formation-pilote"
    assert (training / "report.pdf").is_file() and (training / "tables.xlsx").is_file()
    text = (training / "report.html").read_text("utf-8")
    assert "Wilcoxon" in text and "McNemar" in text and "Holm" in text
    assert "groupe de comparaison" in text and "zero_method" not in text
    for html_page in (page, text):  # the typography lint, as on the other reports
        assert typography_faults(html_page) == []
    index = (Path(study.reports_dir) / "index.html").read_text("utf-8")
    assert slug not in index and "formation-pilote/report.html" in index
    assert "index-personnel" not in index
    staff = (Path(study.reports_dir) / STAFF_INDEX).read_text("utf-8-sig")
    assert f"{mine['id']};{slug}/" in staff and "NE PAS DIFFUSER" in staff


def _check_printed_layout(folder: Path) -> None:
    """Two or three pages, no heading or caption alone at a page's foot, no page but the
    last more than a third empty."""
    pages = read_layout(folder / "report.pdf")
    assert 2 <= len(pages) <= 3, f"{len(pages)} pages"
    titles = page_titles((folder / "report.html").read_text("utf-8"))
    problems = check_layout(pages, titles, cover=False)  # no cover: page 1 is checked too
    assert problems == [], [p.describe() for p in problems]
    top, _, bottom, _ = (m * MM for m in MARGINS_MM)
    for page in pages[:-1]:
        body = [
            ln.y1 for ln in page.lines if top - 3 <= ln.y0 and ln.y1 <= page.height - bottom + 3
        ]
        filled = (max(body) - top) / (page.height - bottom - top)
        assert filled > 2 / 3, f"page {page.number} filled to {filled:.0%}"


def test_a_changed_catalogue_renders_the_company_reports_again(study) -> None:  # type: ignore[no-untyped-def]
    """The pistes d'action read the training catalogue and the rules: a change to either
    renders the company reports again, and no sector report."""
    from iaobs.render.matrix import company_slug, volunteer_companies
    from iaobs.render.runner import render_study

    slug = company_slug(volunteer_companies(study)[2]["id"])
    only = [slug, "banque-chiffres-cles"]

    def statuses() -> dict[str, str]:
        summary = render_study(study, only=only, formats=("html",), progress=False, jobs=2)
        assert not summary.failed, [r.describe_failure() for r in summary.failed]
        return {r.slug: r.status for r in summary.reports}

    statuses()
    assert set(statuses().values()) == {"skipped"}
    catalogue = study.store.training_catalogue
    catalogue.write_text(catalogue.read_text("utf-8").replace("jours", "journées"), "utf-8")
    assert statuses() == {slug: "rendered", "banque-chiffres-cles": "skipped"}
    rules = study.store.shipped_action_rules().read_text("utf-8")
    study.store.action_rules.write_text(rules.replace("priorite: 1", "priorite: 9"), "utf-8")
    assert statuses() == {slug: "rendered", "banque-chiffres-cles": "skipped"}
