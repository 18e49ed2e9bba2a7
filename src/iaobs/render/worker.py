"""The report server: ``python -m iaobs.render.worker STUDY_DIR --jobs N``.

The runner starts one server per rendering run. The server imports everything a report needs
(pandas, pyarrow, matplotlib with the house theme, IPython, papermill, nbconvert and
its template, WeasyPrint with its fonts, iaobs) once, then reads tasks (one JSON
object per line) on its standard input and, for each, **forks a child process that renders
that one report and exits**: the notebook executed by papermill with the in-process engine of
:mod:`iaobs.render.engine`, then the HTML page, the PDF, the Excel tables and the CSV. Up to
``N`` children run at once. Each child answers with one JSON line through its own pipe; the
server relays it on its standard output, and anything the libraries print goes to its
standard error.

Isolation is the fork's: a report starts from the server's pristine state (nothing a report
did is ever in the server), has its own memory, and its globals, patched modules, rcParams,
environment variables and open files die with it. A child that crashes (segmentation fault,
``os._exit``, out of memory) is reported as that report's failure; the others go on.

With ``--engine kernel`` each child executes its notebook in a fresh Jupyter kernel instead
(papermill's default engine): slower, same outputs; kept for comparison and as a fall-back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from iaobs.core import cellmark
from iaobs.core.atomic import write_bytes
from iaobs.errors import IaobsError
from iaobs.render.excel import write_data_csv, write_tables_xlsx
from iaobs.render.html import (
    add_script,
    export_html,
    font_css,
    print_page,
    print_styles,
    split_styles,
)
from iaobs.render.matrix import check_parameters
from iaobs.render.pdf import pdf_bytes, warm_up

__all__ = ["BUILD_FILES", "ENGINES", "OPEN_DATA", "OUTPUT_FILES", "main", "render_task"]

#: The deliverables of a report, in its published folder ``reports/<wave>/<slug>/``.
OUTPUT_FILES = {
    "html": "report.html",
    "pdf": "report.pdf",
    "xlsx": "tables.xlsx",
    "csv": "indicators.csv",
    "codebook": "codebook.csv",
    "annuaire": "annuaire.csv",
    "datapackage": "datapackage.json",
}
#: What rendering leaves that is not a deliverable, in the report's build folder
#: (``.iaobs-cache/build/<wave>/<slug>/``, :meth:`iaobs.study.store.Store.build_dir`).
BUILD_FILES = {"ipynb": "report.ipynb", "log": "render.log"}
#: Files that earlier versions published and that are no deliverable.
LEGACY_FILES = ("report.ipynb",)
#: Formats written by every rendering, whatever the formats asked.
ALWAYS = ("csv", "codebook")
#: Report kinds whose open data replace ``indicators.csv`` and its codebook (written beside
#: the report).
OPEN_DATA = {"acteurs": ("annuaire", "datapackage")}
#: Report kinds whose page carries the package's own script (:func:`iaobs.render.html.add_script`).
SCRIPTED_KINDS = {"acteurs": "annuaire.js"}
KERNEL_NAME = "python3"
#: ``iaobs``: cells run in the forked report process (fast); ``kernel``: a fresh Jupyter kernel.
ENGINES = ("iaobs", "kernel")
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "matplotlib.pyplot",
    "IPython",
    "IPython.display",
    "nbformat",
    "jupytext",
    "papermill",
    "nbconvert",
    "weasyprint",
    "iaobs.reports.context",
    "iaobs.reports.tables",
    "iaobs.reports.figures",
    "iaobs.core.text",
    "iaobs.render.engine",
    "iaobs.render.content",
    "iaobs.render.excel",
    "iaobs.render.html",
    "iaobs.render.pdf",
)


#: Imported by the server before its first report process only when a task asks for them
#: (format → modules): a run of HTML and PDF only does not load the Excel writer.
PRELOAD_FOR_FORMAT = {"xlsx": ("xlsxwriter",)}


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def preload(cache_dir: Path | None = None) -> None:
    """Import and warm up what every report uses, so that forked children start ready."""
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        from iaobs.reports.figures import apply_theme  # lazy: matplotlib

        apply_theme()
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(2, 1))  # loads the fonts and the text renderer
        ax.set_title("Éé 1 250 %")
        fig.savefig(os.devnull, format="png")
        plt.close(fig)
    with contextlib.suppress(Exception):
        import nbformat

        font_css(cache_dir)
        sample = nbformat.v4.new_notebook()
        output = nbformat.v4.new_output("display_data", data={"text/html": "<p>é</p>"})
        sample.cells.append(nbformat.v4.new_code_cell("", outputs=[output]))
        export_html(sample, title="iaobs", cache_dir=cache_dir)  # compiles the page template
    with contextlib.suppress(Exception):
        from iaobs.render.engine import ReportShell  # lazy: IPython

        ReportShell.start(None)  # the shell every report process starts from (no cell run)
    with contextlib.suppress(Exception):
        warm_up()


def warm_study(study_dir: str, language: str, companies: bool = True) -> None:
    """Load, once in the server, what many reports of a study read: the published indicators,
    contrasts and respondents with their rows by key (every report's context), and for the
    company benchmarks (``companies``) the volunteers' answers; the forked children inherit
    them."""
    with contextlib.suppress(Exception):
        from iaobs.reports.context import load_context  # lazy: pandas

        ctx = load_context(study_dir, language=language)
        ctx.row("")  # builds the rows by key, shared by every context of the study
        ctx.contrast_row("")
    if companies:
        with contextlib.suppress(Exception):
            from iaobs.reports.kinds import company as benchmark  # lazy: pandas

            benchmark.preload(study_dir, language)


class _Templates:
    """Templates converted to notebooks and their declared parameters, once per run."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="iaobs-templates-"))
        self._known: dict[tuple[str, int, int], tuple[Path, dict[str, Any]]] = {}

    def get(self, template: str) -> tuple[Path, dict[str, Any]]:
        """The ``.ipynb`` of a jupytext template and ``papermill.inspect_notebook`` of it."""
        import jupytext
        import nbformat
        import papermill

        stat = os.stat(template)
        key = (template, stat.st_size, stat.st_mtime_ns)
        if key not in self._known:
            notebook = jupytext.read(template)
            notebook.metadata["kernelspec"] = {
                "name": KERNEL_NAME,
                "display_name": "Python 3",
                "language": "python",
            }
            path = self.folder / f"{uuid.uuid4().hex[:12]}.ipynb"
            nbformat.write(notebook, str(path))
            declared = dict(papermill.inspect_notebook(str(path)))
            self._known[key] = (path, declared)
        return self._known[key]

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _prepare(templates: _Templates, task: Mapping[str, Any]) -> None:
    """What the server loads before forking a task's report process, once for all the tasks
    that need it: the modules of the formats asked (:data:`PRELOAD_FOR_FORMAT`) and the
    template converted to a notebook (the report processes inherit both)."""
    import importlib

    for fmt in task.get("formats") or ():
        for name in PRELOAD_FOR_FORMAT.get(fmt, ()):
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    with contextlib.suppress(Exception):
        templates.get(task["template"])


class _Failure(Exception):
    def __init__(self, stage: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.stage = stage
        self.details = details


def _execute_notebook(task: Mapping[str, Any], source: Path, executed_path: Path) -> Any:
    """Run papermill on ``source``, the numbers of its sentences marked with their cells
    (:mod:`iaobs.core.cellmark`); returns the executed notebook."""
    before = os.environ.get(cellmark.ENV)
    os.environ[cellmark.ENV] = "1"
    try:
        return _papermill(task, source, executed_path)
    finally:  # the workbook and the CSV written next get the plain text
        if before is None:
            os.environ.pop(cellmark.ENV, None)
        else:
            os.environ[cellmark.ENV] = before


def _papermill(task: Mapping[str, Any], source: Path, executed_path: Path) -> Any:
    import papermill

    engine = task.get("engine") or "iaobs"
    common: dict[str, Any] = {
        "parameters": dict(task["parameters"]),
        "kernel_name": KERNEL_NAME,
        "progress_bar": False,
        "request_save_on_cell_execute": False,
        "cwd": task["cwd"],
        "execution_timeout": task.get("timeout"),
    }
    if engine == "iaobs":
        from iaobs.render.engine import ENGINE_NAME  # lazy: IPython and papermill

        return papermill.execute_notebook(
            str(source), str(executed_path), engine_name=ENGINE_NAME, **common
        )
    from jupyter_client.manager import KernelManager

    # Unix-socket transport: kernels started at the same time by several children can never
    # collide on a TCP port (a kernel that loses that race dies silently).
    connection = Path(tempfile.gettempdir()) / f"iaobs-kernel-{uuid.uuid4().hex[:12]}.json"
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", connection_file=str(connection))
    spec = km.kernel_spec
    if spec is not None and spec.argv and Path(spec.argv[0]).name.startswith("python"):
        spec.argv[0] = sys.executable  # the venv's interpreter, whatever the kernelspec says
    km.start_kernel(cwd=task["cwd"], env=_kernel_env())
    try:
        return papermill.execute_notebook(
            str(source), str(executed_path), km=km, start_timeout=60, **common
        )
    finally:
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
        connection.unlink(missing_ok=True)


def _build_dir(task: Mapping[str, Any]) -> Path:
    """The report's build folder (executed notebook, log): never under ``reports/``."""
    if task.get("build_dir"):
        return Path(task["build_dir"])
    return Path(task["cache_dir"]) / "build" / str(task["slug"])


def _render_report(templates: _Templates, task: Mapping[str, Any]) -> dict[str, Any]:
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    slug = task["slug"]
    final_dir = Path(task["final_dir"])
    build_dir = _build_dir(task)
    staging_root = Path(task["staging_root"])
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{slug}-", dir=staging_root))
    formats = set(task["formats"])
    try:
        try:
            source, declared = templates.get(task["template"])
        except Exception as exc:
            raise _Failure("modèle", f"modèle illisible {task['template']} ({exc})") from exc
        try:
            check_parameters(slug, task["parameters"], declared, Path(task["template"]))
        except IaobsError as exc:
            raise _Failure("paramètres", str(exc)) from exc

        executed_path = staging / BUILD_FILES["ipynb"]
        if task.get("figure_cache") and (task.get("engine") or "iaobs") == "iaobs":
            from iaobs.render import figcache  # lazy: matplotlib, only when figures are cached

            figcache.install(task["figure_cache"], salt=str(task.get("library", "")))
        try:
            executed = _execute_notebook(task, source, executed_path)
        except PapermillExecutionError as exc:
            raise _Failure(
                "notebook",
                f"{exc.ename} : {exc.evalue}",
                cell=exc.cell_index,
                execution_count=exc.exec_count,
                ename=exc.ename,
                evalue=str(exc.evalue),
                source=exc.source,
            ) from exc
        except Exception as exc:
            raise _Failure("notebook", f"{type(exc).__name__} : {exc}") from exc
        notebook_seconds = time.perf_counter() - started

        written = _convert(task, executed, staging, formats)
        timings = {"notebook": round(notebook_seconds, 3), **written.pop("_timings", {})}
        if task.get("figure_cache"):
            from iaobs.render import figcache  # lazy: matplotlib, only when figures are cached

            timings.update({f"figures_{k}": v for k, v in figcache.stats().items()})
        figures = written.pop("_key_figures", [])
        outputs = _publish(written, final_dir)
        notebook = _keep_build(staging, build_dir)
        record = {
            "slug": slug,
            "status": "rendered",
            "outputs": {k: str(v) for k, v in outputs.items()},
            "notebook": str(notebook) if notebook else None,
            "seconds": time.perf_counter() - started,
            "key_figures": figures,
            "timings": timings,
        }
    except _Failure as failure:
        _remove_outputs(final_dir, formats)
        notebook = _keep_build(staging, build_dir)
        record = {
            "slug": slug,
            "status": "failed",
            "stage": failure.stage,
            "error": str(failure),
            "notebook": str(notebook) if notebook else None,
            "seconds": time.perf_counter() - started,
            **failure.details,
        }
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_log(build_dir, task, record)
    return record


def _write_log(build_dir: Path, task: Mapping[str, Any], record: Mapping[str, Any]) -> None:
    """The report's render log in its build folder (status, timings, error)."""
    lines = [
        f"rapport : {task.get('slug')}",
        f"date : {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"modèle : {task.get('template')}",
        f"formats : {', '.join(task.get('formats') or [])}",
        f"statut : {record.get('status')}",
        f"durée : {float(record.get('seconds') or 0):.2f} s",
    ]
    for stage, value in (record.get("timings") or {}).items():
        lines.append(
            f"  {stage} : {value}" if isinstance(value, int) else f"  {stage} : {value:.2f} s"
        )
    for name in ("stage", "error", "cell", "ename", "evalue"):
        if record.get(name) not in (None, ""):
            lines.append(f"{name} : {record[name]}")
    with contextlib.suppress(Exception):
        write_bytes(build_dir / BUILD_FILES["log"], ("\n".join(lines) + "\n").encode("utf-8"))


def _convert(
    task: Mapping[str, Any], executed: Any, staging: Path, formats: set[str]
) -> dict[str, Any]:
    """HTML, PDF, Excel and CSV of an executed notebook, written in ``staging``."""
    from iaobs.render.content import key_figure_record, load_provider  # lazy: pandas

    written: dict[str, Any] = {}
    timings: dict[str, float] = {}
    written["_timings"] = timings
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    date = dt.datetime.fromisoformat(task["date"])
    cache_dir = Path(task["cache_dir"])
    try:
        page = export_html(
            executed,
            title=task["page_title"],
            language=task["language"],
            header=task["header"],
            footer=task["footer"],
            author=task["author"],
            description=task["page_title"],
            date=task["date"],
            cache_dir=cache_dir,
        )
    except Exception as exc:
        raise _Failure("html", f"{type(exc).__name__} : {exc}") from exc
    page = cellmark.cell_spans(page)  # each marked number: a span naming its cell
    if task["kind"] in SCRIPTED_KINDS:
        page = add_script(page, SCRIPTED_KINDS[task["kind"]])
    if "html" in formats:
        written["html"] = staging / OUTPUT_FILES["html"]
        written["html"].write_text(page, "utf-8")
    lap("html")
    if "pdf" in formats:
        try:
            parts = split_styles(
                page,
                header=task["header"],
                footer=task["footer"],
                language=task["language"],
                cache_dir=cache_dir,
            )
            if parts is not None:  # shared styles: parsed and their fonts loaded once
                data = pdf_bytes(
                    parts[0],
                    base_url=task["final_dir"],
                    shared_css=print_styles(),
                    page_css=parts[1],
                )
            else:
                data = pdf_bytes(print_page(page, cache_dir), base_url=task["final_dir"])
        except Exception as exc:
            raise _Failure("pdf", f"{type(exc).__name__} : {exc}") from exc
        written["pdf"] = staging / OUTPUT_FILES["pdf"]
        written["pdf"].write_bytes(data)
    lap("pdf")
    indicator_kind = task["kind"] in INDICATOR_KINDS
    try:
        provider = load_provider(task["content"])
        wanted = "xlsx" in formats or not indicator_kind
        content = provider(task["kind"], task["parameters"], tables=wanted)
        written["_key_figures"] = [key_figure_record(f) for f in content.key_figures]
    except IaobsError as exc:
        raise _Failure("tableaux", str(exc)) from exc
    except Exception as exc:
        raise _Failure("tableaux", f"{type(exc).__name__} : {exc}") from exc
    try:
        data, book = _report_data(task, content.sections)
    except Exception as exc:
        raise _Failure("csv", f"{type(exc).__name__} : {exc}") from exc
    if "xlsx" in formats:
        try:
            written["xlsx"] = write_tables_xlsx(
                content.sections,
                staging / OUTPUT_FILES["xlsx"],
                title=task["page_title"],
                study_title=task["author"],
                region=task["region"],
                wave=task["wave"],
                date=date,
                language=task["language"],
                data=data,
            )
        except Exception as exc:
            raise _Failure("xlsx", f"{type(exc).__name__} : {exc}") from exc
    lap("tables")
    if task["kind"] == "acteurs":  # its open data: the directory, not indicators
        try:
            from iaobs.reports.kinds.actors import open_data_for_report  # lazy: its report only

            written.update(open_data_for_report(dict(task["parameters"]), staging))
        except Exception as exc:
            raise _Failure("csv", f"{type(exc).__name__} : {exc}") from exc
        lap("csv")
        return written
    try:
        written["csv"] = write_data_csv(
            data, staging / OUTPUT_FILES["csv"], language=task["language"]
        )
        written["codebook"] = write_data_csv(
            book, staging / OUTPUT_FILES["codebook"], language=task["language"]
        )
    except Exception as exc:
        raise _Failure("csv", f"{type(exc).__name__} : {exc}") from exc
    lap("csv")
    return written


#: Kinds of report whose figures are rows of the indicators table.
INDICATOR_KINDS = ("secteur", "synthese", "comparaison")


def _dictionary(task: Mapping[str, Any]) -> Any:
    """The study's questionnaire dictionary (labels of the codebook), or ``None``."""
    from iaobs.study.config import load_study  # lazy: the worker starts before any study

    study_dir = (task.get("parameters") or {}).get("study_dir") or task.get("cwd")
    try:
        return load_study(study_dir).dictionary
    except Exception:
        return None


def _report_data(task: Mapping[str, Any], sections: Any) -> tuple[Any, Any]:
    """The report's own figures (labelled, publishable) and their codebook."""
    from iaobs.render.data import codebook, indicator_data, table_data  # lazy: pandas

    # the dictionary labels indicators rows; the other reports' figures are table cells
    dictionary = _dictionary(task) if task["kind"] in INDICATOR_KINDS else None
    language = task["language"]
    if task["kind"] in INDICATOR_KINDS and dictionary is not None:
        rows = _indicator_rows(Path(task["indicators"]), task["kind"], task.get("sector"))
        data = indicator_data(rows, dictionary, language)
    else:
        data = table_data(sections)
    source = f"{task.get('author', '')}, {task.get('region', '')}, {task.get('wave', '')}"
    return data, codebook(data, dictionary, language=language, source=source.strip(", "))


def _indicator_rows(path: Path, kind: str, sector: str | None) -> Any:
    """The indicators rows a report uses: its sector's domains and ``all``; every row for the
    overview; the ``all`` domain for the quality report."""
    frame = _read_indicators(path)
    domains = frame["domain"].astype("string").fillna("")
    if kind in ("synthese", "comparaison"):
        return frame
    if kind in ("secteur", "chiffres_cles") and sector:
        parts = domains.str.split(";")
        mine = parts.map(lambda items: f"secteur={sector}" in [p.strip() for p in items])
        return frame[(domains == "all") | mine.astype(bool)]
    return frame[domains == "all"]


_INDICATORS: dict[str, tuple[tuple[int, int], Any]] = {}


def _read_indicators(path: Path) -> Any:
    """``indicators.parquet``, read once per server while the file is unchanged (the forked
    report processes inherit it)."""
    import pandas as pd

    stat = os.stat(path)
    stamp = (stat.st_size, stat.st_mtime_ns)
    cached = _INDICATORS.get(str(path))
    if cached is None or cached[0] != stamp:
        _INDICATORS.clear()
        _INDICATORS[str(path)] = (stamp, pd.read_parquet(path))
    return _INDICATORS[str(path)][1]


def _publish(written: Mapping[str, Path], final_dir: Path) -> dict[str, Path]:
    """Copy the staged deliverables into the report folder, each file atomically.

    The outputs of formats not produced this time stay (``--format html`` leaves the PDF and
    the Excel file; the cache manifest records which data each format was made from); only
    files that are no deliverable (an executed notebook left by an earlier version) go."""
    outputs: dict[str, Path] = {}
    for fmt, staged in written.items():
        destination = final_dir / OUTPUT_FILES[fmt]
        write_bytes(destination, Path(staged).read_bytes())
        outputs[fmt] = destination
    for name in LEGACY_FILES:
        (final_dir / name).unlink(missing_ok=True)
    return outputs


def _remove_outputs(final_dir: Path, formats: set[str]) -> None:
    """After a failure: remove the outputs the failed run should have replaced (they would
    not match the current data) and what is no deliverable; the other formats stay."""
    for fmt, name in OUTPUT_FILES.items():
        if fmt in formats or fmt in ALWAYS:
            (final_dir / name).unlink(missing_ok=True)
    for name in LEGACY_FILES:
        (final_dir / name).unlink(missing_ok=True)


def _keep_build(staging: Path, build_dir: Path) -> Path | None:
    """Move the executed notebook to the report's build folder; its path, if any."""
    executed = staging / BUILD_FILES["ipynb"]
    if not executed.is_file():
        (build_dir / BUILD_FILES["ipynb"]).unlink(missing_ok=True)
        return None
    return write_bytes(build_dir / BUILD_FILES["ipynb"], executed.read_bytes())


def render_task(templates: _Templates, task: Mapping[str, Any]) -> dict[str, Any]:
    """Render one report in this process; never raises (a failure is a ``failed`` record)."""
    try:
        return _render_report(templates, task)
    except BaseException as exc:
        return {
            "slug": task.get("slug"),
            "status": "failed",
            "stage": "interne",
            "error": f"{type(exc).__name__} : {exc}",
            "traceback": traceback.format_exc(),
        }


def _crashed(task: Mapping[str, Any], status: int) -> dict[str, Any]:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        why = f"signal {name}"
    else:
        why = f"code {os.waitstatus_to_exitcode(status)}"
    return {
        "slug": task.get("slug"),
        "status": "failed",
        "stage": "interne",
        "error": f"le processus du rapport s'est arrêté sans réponse ({why})",
    }


class _Child:
    """A forked process rendering one report, and the pipe it answers through."""

    def __init__(self, pid: int, reader: int, task: Mapping[str, Any]) -> None:
        self.pid = pid
        self.reader = reader
        self.task = task
        self.data = bytearray()


#: A folder where each report process writes the ``cProfile`` statistics of its report
#: (``<slug>.prof``): profiles taken where reports really run, in a forked process.
PROFILE_ENV = "IAOBS_PROFILE_DIR"


def _profiled(templates: _Templates, task: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`render_task`, profiled when :data:`PROFILE_ENV` names a folder."""
    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        return render_task(templates, task)
    import cProfile

    profile = cProfile.Profile()
    result = profile.runcall(render_task, templates, task)
    with contextlib.suppress(OSError):
        profile.dump_stats(os.path.join(folder, f"{task.get('slug')}.prof"))
    return result


#: Garbage collector thresholds of a report process. A report allocates millions of small
#: objects (matplotlib artists, WeasyPrint boxes) and frees nearly all of them by reference
#: counting; with Python's default (700, 10, 10) a sector report ran about 300 collections
#: (0.2–0.4 s of CPU), with these about ten. Cycles are still collected, and the process exits
#: after its report.
CHILD_GC_THRESHOLDS = (20_000, 20, 20)


def _fork(templates: _Templates, task: Mapping[str, Any], closing: list[int]) -> _Child:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, answer, exit without running the server's cleanup
        code = 0
        try:
            os.close(reader)
            for fd in closing:
                with contextlib.suppress(OSError):
                    os.close(fd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            gc.set_threshold(*CHILD_GC_THRESHOLDS)
            result = _profiled(templates, task)
            payload = json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
            view = memoryview(payload)
            while view:
                view = view[os.write(writer, view) :]
        except BaseException:
            code = 70
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    os.close(writer)
    return _Child(pid, reader, task)


def _protocol_stream() -> IO[str]:
    """Keep the real standard output for answers; send every other print to stderr."""
    sys.stdout.flush()
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


def serve(jobs: int, answers: IO[str], cache_dir: Path | None = None) -> None:
    """Read tasks on stdin, render each in a forked child (``jobs`` at once), answer on
    ``answers`` (one JSON line per task, in completion order) until stdin closes."""
    # The imports and warm-ups make millions of objects that live as long as the server: no
    # collection while they load (0.2–0.3 s less before the first report starts), one after.
    gc.disable()
    try:
        preload(cache_dir)
    finally:
        gc.enable()
    # Everything the server holds now (modules, fonts, templates) is moved out of the
    # collector's reach: a child's garbage collections then scan only what its report made,
    # instead of walking — and copying, page by page — the whole inherited heap (about 0.2 s
    # of CPU per report before this).
    gc.collect()
    gc.freeze()
    parent = os.getppid()

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    templates = _Templates()
    selector = selectors.DefaultSelector()
    stdin_fd = sys.stdin.fileno()
    os.set_blocking(stdin_fd, True)
    selector.register(stdin_fd, selectors.EVENT_READ, None)
    pending: list[dict[str, Any]] = []
    children: dict[int, _Child] = {}
    buffer = b""
    reading = True
    warmed: set[tuple[str, str, bool]] = set()
    try:
        while reading or pending or children:
            while pending and len(children) < max(1, jobs):
                task = pending.pop(0)
                parameters = task.get("parameters") or {}
                study_key = (
                    str(parameters.get("study_dir", "")),
                    str(parameters.get("language", "")),
                    task.get("kind") == "entreprise",
                )
                if study_key[0] and study_key not in warmed:
                    warm_study(*study_key)
                    warmed.add(study_key)
                with contextlib.suppress(Exception):
                    _read_indicators(Path(task["indicators"]))
                _prepare(templates, task)
                closing = [stdin_fd, answers.fileno()] + [c.reader for c in children.values()]
                gc.freeze()  # what the server loaded since (study, indicators) too
                child = _fork(templates, task, closing)
                children[child.reader] = child
                selector.register(child.reader, selectors.EVENT_READ, child)
            if not (reading or children):
                break
            events = selector.select(timeout=1.0)
            if os.getppid() != parent:  # the runner is gone: nobody will read the answers
                break
            for key, _ in events:
                if key.data is None:  # a task, or the end of the tasks
                    chunk = os.read(stdin_fd, 1 << 16)
                    if not chunk:
                        reading = False
                        selector.unregister(stdin_fd)
                        continue
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    pending.extend(json.loads(line) for line in lines if line.strip())
                    continue
                child = key.data
                chunk = os.read(child.reader, 1 << 16)
                if chunk:
                    child.data.extend(chunk)
                    continue
                selector.unregister(child.reader)
                os.close(child.reader)
                del children[child.reader]
                _, status = os.waitpid(child.pid, 0)
                try:
                    record = json.loads(child.data.decode("utf-8"))
                except ValueError:
                    record = _crashed(child.task, status)
                answers.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                answers.flush()
    finally:
        for child in children.values():
            with contextlib.suppress(OSError):
                os.kill(child.pid, signal.SIGTERM)
                os.waitpid(child.pid, 0)
        selector.close()
        templates.close()


def main(argv: list[str] | None = None) -> int:
    """``STUDY_DIR [--jobs N] [--cache DIR]``: serve tasks from stdin until it closes."""
    import argparse
    import logging
    import warnings

    parser = argparse.ArgumentParser(prog="python -m iaobs.render.worker")
    parser.add_argument("study", nargs="?")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    answers = _protocol_stream()
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.ERROR)
    serve(args.jobs, answers, Path(args.cache) if args.cache else None)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
