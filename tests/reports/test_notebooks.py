"""The report templates run end to end on a fake study (papermill, the venv's kernel)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from fake_study import make_fake_study

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "src" / "iaobs" / "notebooks"
SCRIPT = "<script>alert(1)</script>"
INJECTION = '"); import os; os.system("x") #'


@pytest.fixture(scope="session")
def kernel_name() -> str:
    """The ``python3`` kernelspec of this environment (installed into it when missing)."""
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
            check=True,
            capture_output=True,
        )
    return "python3"


def _execute(name: str, parameters: dict, tmp_path: Path, kernel_name: str):
    import papermill

    source = tmp_path / f"{name}.ipynb"
    nbformat.write(jupytext.read(NOTEBOOKS / f"{name}.py"), source)
    output = tmp_path / f"{name}.out.ipynb"
    papermill.execute_notebook(
        str(source),
        str(output),
        parameters=parameters,
        kernel_name=kernel_name,
        progress_bar=False,
        cwd=str(tmp_path),
    )
    return nbformat.read(output, as_version=4)


def _html(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            assert output.get("name") != "stderr" or not output.get("text", "").strip(), output
            parts.append(output.get("data", {}).get("text/html", ""))
    return "".join(parts)


def test_sector_report(tmp_path, kernel_name, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study = make_fake_study(tmp_path)
    nb = _execute("secteur", {"study_dir": str(study), "sector": "banque"}, tmp_path, kernel_name)
    html = _html(nb)
    assert html.count("<h1>") == 1
    assert '<section class="iaobs-cover">' in html and "14 novembre 2023" in html
    assert '<section class="iaobs-essentiel">' in html
    assert html.count('<div class="iaobs-commentary">') == 5  # every section has its commentary
    for number, title in enumerate(
        [
            "Adoption de l&#x27;IA",
            "Impact sur l&#x27;emploi",
            "Compétences",
            "Formation",
            "Freins et perceptions",
            "Comparaison avec l&#x27;ensemble des secteurs",
        ],
        start=1,
    ):
        assert f">{number}. {title}</h2>" in html
    assert '<section class="iaobs-annexe">' in html and '<aside class="iaobs-encadre">' in html
    # figures and tables numbered 1..N in document order, tables as report_tables numbers them
    figures = [int(n) for n in re.findall(r'id="figure-(\d+)"', html)]
    assert figures == list(range(1, len(figures) + 1)) and len(figures) >= 15
    # the report shows few tables (the rest are in Excel), numbered as the workbook numbers them
    numbers = [int(n) for n in re.findall(r"<caption>Tableau\s(\d+) ", html)]
    assert numbers == list(range(1, len(numbers) + 1)) and 1 <= len(numbers) <= 4
    from iaobs.reports import context as report
    from iaobs.reports import tables

    ctx = report.load_context(study, sector="banque")
    workbook = [t for s in tables.report_tables(ctx) for t in s.tables]
    assert [t.number for t in workbook][: len(numbers)] == numbers and len(workbook) > 15
    assert all(
        re.search(r'<img src="data:image/png;base64,[^"]+" alt="[^"]{20,}"', html) for _ in [0]
    )


def test_synthesis_and_quality_reports(tmp_path, kernel_name):
    study = make_fake_study(tmp_path, language="en")
    html = _html(_execute("synthese", {"study_dir": str(study)}, tmp_path, kernel_name))
    assert html.count("<h1>") == 1 and "Key findings" in html
    assert ">1. All sectors at a glance</h2>" in html and ">2. Sectors ranked</h2>" in html
    quality = _html(
        _execute("qualite", {"study_dir": str(study), "language": "fr"}, tmp_path, kernel_name)
    )
    assert quality.count("<h1>") == 1 and ">1. Fichiers reçus</h2>" in quality
    assert "confidentiel 123" not in quality and "effectif négatif" not in quality


def test_malicious_labels_are_escaped_and_run_nothing(tmp_path, kernel_name):
    marker = tmp_path / "pwned"
    touch = f'"); open({str(marker)!r}, "w"); ("'
    study = make_fake_study(
        tmp_path,
        sector_labels={"banque": SCRIPT, "logiciel": INJECTION, "industrie": touch},
        region=INJECTION,
    )
    nb = _execute("secteur", {"study_dir": str(study), "sector": "banque"}, tmp_path, kernel_name)
    html = _html(nb)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert INJECTION not in html  # quotes are escaped too
    # escaped, then typeset (a narrow no-break space before each semicolon)
    assert "&quot;)\u202f; import os\u202f; os.system(&quot;x&quot;) #" in html
    assert not marker.exists()
    # a malicious sector *parameter* is refused, not executed
    import papermill

    with pytest.raises(papermill.PapermillExecutionError, match="secteur inconnu"):
        _execute("secteur", {"study_dir": str(study), "sector": touch}, tmp_path, kernel_name)
    assert not marker.exists()
