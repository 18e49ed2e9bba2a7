"""End to end: a small sample study cleaned, estimated, then one company report and the
pilot-training report rendered through the runner (HTML, PDF, Excel)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from iaobs.core.typography import typography_faults

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
    pages = subprocess.run(
        ["pdfinfo", str(folder / "report.pdf")], capture_output=True, text=True, check=False
    ).stdout
    count = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages")))
    assert 2 <= count <= 5  # five pages at most: the secrecy notes of hidden cells take room
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
