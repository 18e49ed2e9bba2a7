"""The in-process papermill engine and the forked report processes: same outputs as a kernel,
papermill's error semantics, and nothing of one report visible to the next."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from iaobs.render import cache, render_study
from iaobs.render.engine import ENGINE_NAME
from iaobs.study.config import load_study

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from fake_study import make_fake_study  # noqa: E402

NOTEBOOK = """\
# %% tags=["parameters"]
x: int = 1

# %%
import sys
from IPython.display import HTML, Markdown, display
print("début", x)
print("attention", file=sys.stderr)
display(HTML("<p>é &amp; <b>gras</b></p>"))
display(Markdown("**md**"))
print("fin")
x + 41

# %%
# comment only

# %%
{"a": [1, 2]}

# %%
raise ValueError(f"valeur {x} refusée")

# %%
print("jamais")
"""


def _write(tmp_path: Path, text: str = NOTEBOOK) -> Path:
    notebook = jupytext.reads(text, fmt="py:percent")
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "in.ipynb"
    nbformat.write(notebook, str(path))
    return path


def _execute(source: str, out: str, engine: str | None, kw: dict) -> tuple:
    try:
        papermill.execute_notebook(
            source,
            out,
            parameters={"x": 2},
            engine_name=engine,
            kernel_name="python3",
            progress_bar=False,
            **kw,
        )
    except PapermillExecutionError as exc:
        return (exc.cell_index, exc.exec_count, exc.ename, exc.evalue)
    return ()


def _run(source: Path, out: Path, engine: str | None, **kw: object) -> tuple:
    """Execute in a forked process, as the report runner does (one process per notebook)."""
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        error = pool.submit(_execute, str(source), str(out), engine, kw).result(timeout=120)
    assert error, "the notebook should have failed"
    return error


def _outputs(path: Path) -> list[tuple[int | None, list[dict]]]:
    notebook = nbformat.read(str(path), as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            output = {k: v for k, v in output.items() if k != "traceback"}
            outputs.append(output)
        cells.append((cell.execution_count, outputs))
    return cells


def test_engine_records_outputs_and_error_like_papermill(tmp_path: Path) -> None:
    source = _write(tmp_path)
    out = tmp_path / "out.ipynb"
    cell_index, exec_count, ename, evalue = _run(source, out, ENGINE_NAME)
    assert ename == "ValueError" and evalue == "valeur 2 refusée"
    cells = _outputs(out)
    # parameters, injected parameters, outputs, comment, execute_result, error, not run
    assert [count for count, _ in cells] == [1, 2, 3, 4, 5, 6, None]
    kinds = [(o["output_type"], o.get("name")) for o in cells[2][1]]
    assert kinds == [
        ("stream", "stdout"),
        ("stream", "stderr"),
        ("display_data", None),
        ("display_data", None),
        ("stream", "stdout"),
        ("execute_result", None),
    ]
    assert cells[2][1][0]["text"] == "début 2\n"
    assert cells[2][1][2]["data"]["text/html"] == "<p>é &amp; <b>gras</b></p>"
    assert cells[2][1][-1]["data"]["text/plain"] == "43"
    assert cells[4][1][0]["data"]["text/plain"] == "{'a': [1, 2]}"
    assert cells[5][1][0]["output_type"] == "error"
    written = nbformat.read(str(out), as_version=4)
    assert "An Exception was encountered" in written.cells[0].source  # papermill's banner
    assert cell_index == 5 and exec_count == 6


def test_engine_cell_timeout(tmp_path: Path) -> None:
    source = _write(
        tmp_path, '# %% tags=["parameters"]\nx: int = 1\n\n# %%\nwhile True:\n    pass\n'
    )
    _, _, ename, evalue = _run(source, tmp_path / "o.ipynb", ENGINE_NAME, execution_timeout=0.3)
    assert ename == "_CellTimeout" and "0.3" in evalue


@pytest.mark.slow
def test_engine_same_outputs_as_a_kernel(tmp_path: Path) -> None:
    source = _write(tmp_path)
    mine = _run(source, tmp_path / "engine.ipynb", ENGINE_NAME)
    theirs = _run(source, tmp_path / "kernel.ipynb", None)
    assert _outputs(tmp_path / "engine.ipynb") == _outputs(tmp_path / "kernel.ipynb")
    assert mine == theirs


# --------------------------------------------------------------------------------------------
# Isolation between the reports of one run

LEAKY = """\
# %% tags=["parameters"]
study_dir: str = ""  # study folder
sector: str = "banque"  # sector code
language: str = "fr"  # fr or en

# %%
import builtins, html, json, os
import matplotlib
from IPython.display import HTML, display
seen = {
    "global": globals().get("iaobs_leak"),
    "builtin": getattr(builtins, "iaobs_leak", None),
    "module": getattr(json, "iaobs_leak", None),
    "rc": matplotlib.rcParams["lines.linewidth"],
    "env": os.environ.get("IAOBS_LEAK"),
    "dumps": json.dumps is not json.JSONEncoder,
}
iaobs_leak = sector
builtins.iaobs_leak = sector
json.iaobs_leak = sector
matplotlib.rcParams["lines.linewidth"] = 9.0
os.environ["IAOBS_LEAK"] = sector
display(HTML('<section class="iaobs-cover"><h1>R</h1></section>'
             f'<p class="seen">{html.escape(repr(sorted(seen.items())))}</p>'))

# %%
if sector == "assurance":
    os._exit(3)
if sector == "industrie":
    import signal
    os.kill(os.getpid(), signal.SIGSEGV)
"""


@pytest.fixture
def leaky_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    root = make_fake_study(tmp_path)
    templates = tmp_path / "nb"
    templates.mkdir()
    (templates / "secteur.py").write_text(LEAKY)
    monkeypatch.setenv("IAOBS_NOTEBOOKS", str(templates))
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    monkeypatch.setattr(cache, "library_digest", lambda: "library")
    return load_study(root)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["iaobs", "kernel"])
def test_reports_see_nothing_of_each_other(leaky_study, engine: str) -> None:  # type: ignore[no-untyped-def]
    slugs = ["banque", "assurance", "logiciel", "industrie", "transport-logistique"]
    if engine == "kernel":  # state only: a kernel killed inside a report process is not tested
        slugs = ["banque", "logiciel", "transport-logistique"]
    summary = render_study(
        leaky_study,
        only=slugs,
        formats=("html",),
        jobs=1,  # one after the other in the same report server
        progress=False,
        content="render_samples:fake_content",
        engine=engine,
    )
    status = {r.slug: r.status for r in summary.reports}
    expected = {
        "banque": "rendered",
        "assurance": "failed",
        "logiciel": "rendered",
        "industrie": "failed",
        "transport-logistique": "rendered",
    }
    assert status == {slug: expected[slug] for slug in slugs}
    pristine = None
    for slug in ("banque", "logiciel", "transport-logistique"):
        page = (leaky_study.reports_dir / slug / "report.html").read_text("utf-8")
        seen = page.split('<p class="seen">', 1)[1].split("</p>", 1)[0]
        assert "banque" not in seen and "logiciel" not in seen and "9.0" not in seen, (slug, seen)
        pristine = pristine or seen
        assert seen == pristine
    crashed = {r.slug: r for r in summary.failed}
    if engine == "iaobs":  # the report process itself died: named, the others went on
        assert crashed["industrie"].stage == "interne" and "SIGSEGV" in crashed["industrie"].error
        assert "code 3" in crashed["assurance"].error


def test_unknown_engine_is_a_config_error(leaky_study) -> None:  # type: ignore[no-untyped-def]
    from iaobs.errors import ConfigError

    with pytest.raises(ConfigError, match="moteur"):
        render_study(leaky_study, engine="docker", progress=False)


def test_report_server_leaves_no_temporary_folder(tmp_path: Path) -> None:
    """The server's fonts are copied to a temporary folder; it is removed when the server
    stops (it was left behind, about 1 MB a run, WeasyPrint cleaning up after ``shutil`` was
    gone)."""
    import os
    import subprocess

    study = make_fake_study(tmp_path / "study")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "iaobs.render.worker", str(study), "--jobs", "1"],
        input="",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not list(scratch.iterdir())
    assert "Exception ignored" not in done.stderr
