"""End-to-end tests of the report runner: real kernels, real papermill, tiny templates."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from iaobs.render import cache, render_study
from iaobs.study.config import load_study

HERE = Path(__file__).resolve().parents[1]
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from fake_study import make_fake_study  # noqa: E402
from render_samples import CONTENT, OTHER, SECTEUR  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    root = make_fake_study(tmp_path)
    templates = tmp_path / "nb"
    templates.mkdir()
    (templates / "secteur.py").write_text(SECTEUR)
    (templates / "synthese.py").write_text(OTHER)
    (templates / "qualite.py").write_text(OTHER)
    monkeypatch.setenv("IAOBS_NOTEBOOKS", str(templates))
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1561939200")
    # other files of the library may change while the tests run: pin the library hash
    monkeypatch.setattr(cache, "library_digest", lambda: "library")
    return load_study(root)


def test_failure_isolated_outputs_written_exit_3(study, capsys) -> None:  # type: ignore[no-untyped-def]
    summary = render_study(
        study,
        only=["banque", "assurance", "synthese-regionale"],
        jobs=2,
        progress=False,
        content=CONTENT,
    )
    assert summary.exit_code == 3
    status = {r.slug: r.status for r in summary.reports}
    assert status == {"banque": "rendered", "assurance": "failed", "synthese-regionale": "rendered"}
    reports = study.reports_dir
    deliverables = ["codebook.csv", "indicators.csv", "report.html", "report.pdf", "tables.xlsx"]
    assert sorted(p.name for p in (reports / "banque").iterdir()) == deliverables
    build = study.store.build_dir("banque")
    assert (build / "report.ipynb").is_file() and "rendered" in (build / "render.log").read_text()
    assert not list(reports.rglob("*.ipynb")) and not list(reports.rglob("*.log"))
    failed = summary.failed[0]
    assert failed.stage == "notebook" and failed.ename == "ValueError" and failed.cell is not None
    assert "cellule n°" in failed.describe_failure()
    kept = study.store.build_dir("assurance") / "report.ipynb"
    assert failed.notebook == kept and "donnée manquante" in kept.read_text("utf-8")
    assert not (reports / "assurance").exists() or not list((reports / "assurance").iterdir())
    assert not (reports / ".staging").exists()
    page = (reports / "banque" / "report.html").read_text("utf-8")
    assert f'<p class="exe">{sys.executable}</p>' in page  # the venv's interpreter
    assert '<p class="mpl">Agg</p>' in page and '<p class="seen">1</p>' in page  # fresh kernel
    index = (reports / "index.html").read_text("utf-8")
    assert ('href="banque/report.pdf"' in index and "40\u202f% " in index) or "40\u202f%" in index
    assert "assurance/report.html" not in index
    out = capsys.readouterr()
    assert str(reports / "index.html") in out.out and "assurance" in out.err


def test_cache_reruns_only_what_changed(study) -> None:  # type: ignore[no-untyped-def]
    only = ["banque", "logiciel", "synthese-regionale"]
    first = render_study(
        study, only=only, formats=("html",), jobs=2, progress=False, content=CONTENT
    )
    assert [r.status for r in first.reports] == ["rendered"] * 3
    assert not (study.reports_dir / "banque" / "report.pdf").exists()
    again = render_study(study, only=only, formats=("html",), progress=False, content=CONTENT)
    assert [r.status for r in again.reports] == ["skipped"] * 3 and again.exit_code == 0

    path = study.processed_dir / "indicators.parquet"
    frame = pd.read_parquet(path)
    mask = frame["domain"] == "secteur=banque"
    frame.loc[mask, "n_eff"] = frame.loc[mask, "n_eff"] + 1.0
    frame.to_parquet(path)
    changed = render_study(
        study, only=only, formats=("html",), jobs=2, progress=False, content=CONTENT
    )
    assert {r.slug: r.status for r in changed.reports} == {
        "banque": "rendered",
        "logiciel": "skipped",
        "synthese-regionale": "rendered",
    }

    more = render_study(
        study, only=["logiciel"], formats=("html", "xlsx"), progress=False, content=CONTENT
    )
    assert more.reports[0].status == "rendered"  # a format not yet written
    forced = render_study(
        study, only=only, formats=("html",), jobs=2, force=True, progress=False, content=CONTENT
    )
    assert [r.status for r in forced.reports] == ["rendered"] * 3
    assert (study.reports_dir / "logiciel" / "tables.xlsx").exists()  # other formats stay


def test_some_formats_never_delete_the_others(study) -> None:  # type: ignore[no-untyped-def]
    """``iaobs report --only banque --format html --force`` leaves the PDF and the Excel."""
    folder = study.reports_dir / "banque"
    render_study(study, only=["banque"], progress=False, content=CONTENT)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert {"report.pdf", "tables.xlsx", "report.html"} <= set(before)
    again = render_study(
        study, only=["banque"], formats=("html",), force=True, progress=False, content=CONTENT
    )
    assert again.reports[0].status == "rendered"
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert set(after) == set(before)
    assert after["report.pdf"] == before["report.pdf"]
    assert after["tables.xlsx"] == before["tables.xlsx"]
    manifest = json.loads((study.reports_dir / cache.MANIFEST_NAME).read_text("utf-8"))
    formats = manifest["reports"]["banque"]["formats"]
    assert set(formats) == {"html", "pdf", "xlsx", "csv", "codebook"}
    # the PDF and Excel files are still those of the current data: a cache hit
    hit = render_study(
        study, only=["banque"], formats=("pdf", "xlsx"), progress=False, content=CONTENT
    )
    assert hit.reports[0].status == "skipped"
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in folder.iterdir())  # readable by all


def test_wrong_parameter_type_fails_that_report(study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    templates = Path(study.root).parent / "nb"
    (templates / "synthese.py").write_text(
        OTHER.replace('language: str = "fr"', "language: int = 0")
    )
    summary = render_study(
        study, only=["synthese-regionale"], formats=("html",), progress=False, content=CONTENT
    )
    result = summary.reports[0]
    assert result.status == "failed" and result.stage == "paramètres"
    assert "language" in result.error and "int" in result.error
    assert summary.exit_code == 3


def test_unknown_slug_and_format(study) -> None:  # type: ignore[no-untyped-def]
    from iaobs.errors import ConfigError

    with pytest.raises(ConfigError, match="banque"):
        render_study(study, only=["nope"], progress=False)
    with pytest.raises(ConfigError, match="docx"):
        render_study(study, formats=("docx",), progress=False)


def test_papermill_keeps_hostile_strings_as_strings(tmp_path: Path) -> None:
    import jupytext
    import nbformat
    import papermill

    notebook = jupytext.reads(
        '# %% tags=["parameters"]\nlabel: str = ""\n\n# %%\nprint(repr(label))\n', fmt="py:percent"
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    source = tmp_path / "in.ipynb"
    nbformat.write(notebook, str(source))
    hostile = 'Banque "); import os; os.remove("x") #\\" \' \n é'
    out = papermill.execute_notebook(
        str(source),
        str(tmp_path / "out.ipynb"),
        parameters={"label": hostile},
        progress_bar=False,
        kernel_name="python3",
    )
    printed = "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []))
    assert printed.strip() == repr(hostile)


def test_real_report_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real report of the fake study in every format, with the library's content."""
    import openpyxl
    import pypdf

    root = make_fake_study(tmp_path)
    templates = REPO / "src" / "iaobs" / "notebooks"
    if not (templates / "secteur.py").is_file():
        templates = HERE / "data" / "render_templates"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1561939200")
    study = load_study(root)
    summary = render_study(study, only=["banque"], progress=False, templates_dir=templates, jobs=1)
    assert summary.exit_code == 0, [r.describe_failure() for r in summary.failed]
    folder = study.reports_dir / "banque"
    reader = pypdf.PdfReader(folder / "report.pdf")
    assert len(reader.pages) >= 3
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
                fonts.add(str(font.get("/BaseFont")))
    assert fonts
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(folder / "report.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Banque" in text and "page 2 / " in text
    page = (folder / "report.html").read_text("utf-8")
    assert "<script" not in page.lower() and page.count("<h1") == 1 and '<html lang="fr">' in page
    book = openpyxl.load_workbook(folder / "tables.xlsx")
    assert len(book.sheetnames) >= 2
    csv = (folder / "indicators.csv").read_bytes()
    assert (
        csv.startswith(b"\xef\xbb\xbf")
        and b"secteur=banque" in csv
        and b"secteur=logiciel" not in csv
    )
    manifest = json.loads((study.reports_dir / ".cache.json").read_text("utf-8"))
    assert manifest["reports"]["banque"]["key_figures"]
