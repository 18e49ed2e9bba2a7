"""A report worker process: ``python -m iaobs.render.worker STUDY_DIR``.

The runner starts one worker per job. A worker reads tasks (one JSON object per line) on its
standard input and answers each with one JSON line on its standard output; anything else the
libraries print goes to its standard error. It keeps the *next* kernel started, with the
report's heavy imports already under way, while it converts the current report (see
:mod:`iaobs.render.runner`). A kernel serves one report only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from iaobs.atomic import write_bytes
from iaobs.errors import IaobsError
from iaobs.render.matrix import check_parameters

__all__ = ["OUTPUT_FILES", "main", "render_task"]

OUTPUT_FILES = {
    "html": "report.html",
    "pdf": "report.pdf",
    "xlsx": "tables.xlsx",
    "csv": "indicators.csv",
    "ipynb": "report.ipynb",
}
KERNEL_NAME = "python3"
WARMUP = """
for _name in ("numpy", "pandas", "pyarrow.parquet", "matplotlib", "matplotlib.pyplot",
              "iaobs.report", "iaobs.tables", "iaobs.figures", "iaobs.text"):
    try:
        __import__(_name)
    except Exception:
        pass
del _name
"""


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.setdefault("PYTHONHASHSEED", "0")
    return env


class _WarmKernel:
    """A kernel started from this interpreter, with the report imports already under way."""

    def __init__(self, cwd: str) -> None:
        from jupyter_client.manager import KernelManager

        # Unix-socket transport: kernels started at the same time by several workers can never
        # collide on a TCP port (a kernel that loses that race dies silently).
        connection = Path(tempfile.gettempdir()) / f"iaobs-kernel-{uuid.uuid4().hex[:12]}.json"
        self.km = KernelManager(
            kernel_name=KERNEL_NAME, transport="ipc", connection_file=str(connection)
        )
        spec = self.km.kernel_spec
        if spec is not None and spec.argv and Path(spec.argv[0]).name.startswith("python"):
            spec.argv[0] = sys.executable  # the venv's interpreter, whatever the kernelspec says
        self.km.start_kernel(cwd=cwd, env=_kernel_env())
        client = self.km.client()
        client.start_channels()
        client.execute(WARMUP, silent=True, store_history=False)
        self._client = client

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:
            return False

    def take(self) -> Any:
        """Hand the kernel manager over (for one notebook)."""
        self._client.stop_channels()
        return self.km

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self._client.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_kernel(now=True)


class _Worker:
    """Renders reports; holds the warm kernel for the next one."""

    def __init__(self) -> None:
        self.spare: _WarmKernel | None = None

    def prestart(self, cwd: str) -> None:
        if self.spare is None:
            try:
                self.spare = _WarmKernel(cwd)
            except Exception:
                self.spare = None

    def take_kernel(self, cwd: str) -> _WarmKernel:
        warm, self.spare = self.spare, None
        if warm is not None and not warm.alive():
            warm.shutdown()
            warm = None
        return warm if warm is not None else _WarmKernel(cwd)

    def close(self) -> None:
        if self.spare is not None:
            self.spare.shutdown()
            self.spare = None


class _Failure(Exception):
    def __init__(self, stage: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.stage = stage
        self.details = details


def _render_report(worker: _Worker, task: Mapping[str, Any]) -> dict[str, Any]:
    import jupytext
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    slug = task["slug"]
    final_dir = Path(task["final_dir"])
    staging_root = Path(task["staging_root"])
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{slug}-", dir=staging_root))
    formats = set(task["formats"])
    try:
        try:
            template = jupytext.read(task["template"])
        except Exception as exc:
            raise _Failure("modèle", f"modèle illisible {task['template']} ({exc})") from exc
        template.metadata["kernelspec"] = {
            "name": KERNEL_NAME,
            "display_name": "Python 3",
            "language": "python",
        }
        source = staging / "template.ipynb"
        nbformat.write(template, str(source))
        try:
            declared = papermill.inspect_notebook(str(source))
            check_parameters(slug, task["parameters"], declared, Path(task["template"]))
        except IaobsError as exc:
            raise _Failure("paramètres", str(exc)) from exc

        executed_path = staging / OUTPUT_FILES["ipynb"]
        warm = worker.take_kernel(task["cwd"])
        try:
            papermill.execute_notebook(
                str(source),
                str(executed_path),
                parameters=dict(task["parameters"]),
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=task["cwd"],
                km=warm.take(),
                start_timeout=60,
                execution_timeout=task.get("timeout"),
            )
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
        finally:
            warm.shutdown()
            if task.get("prestart_next"):
                worker.prestart(task["cwd"])
        executed = nbformat.read(str(executed_path), as_version=4)
        notebook_seconds = time.perf_counter() - started

        written = _convert(task, executed, staging, formats)
        timings = {"notebook": round(notebook_seconds, 3), **written.pop("_timings", {})}
        written["ipynb"] = executed_path
        figures = written.pop("_key_figures", [])
        outputs = _publish(written, final_dir, formats)
        return {
            "slug": slug,
            "status": "rendered",
            "outputs": {k: str(v) for k, v in outputs.items()},
            "seconds": time.perf_counter() - started,
            "key_figures": figures,
            "timings": timings,
        }
    except _Failure as failure:
        notebook = _keep_failed_notebook(staging, final_dir)
        return {
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


def _convert(
    task: Mapping[str, Any], executed: Any, staging: Path, formats: set[str]
) -> dict[str, Any]:
    """HTML, PDF, Excel and CSV of an executed notebook, written in ``staging``."""
    from iaobs.render.content import key_figure_record, load_provider
    from iaobs.render.excel import write_indicators_csv, write_tables_xlsx
    from iaobs.render.html import export_html

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
    if "html" in formats:
        written["html"] = staging / OUTPUT_FILES["html"]
        written["html"].write_text(page, "utf-8")
    lap("html")
    if "pdf" in formats:
        from iaobs.render.pdf import pdf_bytes

        try:
            data = pdf_bytes(page, base_url=task["final_dir"])
        except Exception as exc:
            raise _Failure("pdf", f"{type(exc).__name__} : {exc}") from exc
        written["pdf"] = staging / OUTPUT_FILES["pdf"]
        written["pdf"].write_bytes(data)
    lap("pdf")
    try:
        provider = load_provider(task["content"])
        content = provider(task["kind"], task["parameters"], tables="xlsx" in formats)
        written["_key_figures"] = [key_figure_record(f) for f in content.key_figures]
    except IaobsError as exc:
        raise _Failure("tableaux", str(exc)) from exc
    except Exception as exc:
        raise _Failure("tableaux", f"{type(exc).__name__} : {exc}") from exc
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
            )
        except Exception as exc:
            raise _Failure("xlsx", f"{type(exc).__name__} : {exc}") from exc
    lap("tables")
    try:
        rows = _indicator_rows(Path(task["indicators"]), task["kind"], task.get("sector"))
        written["csv"] = write_indicators_csv(
            rows, staging / OUTPUT_FILES["csv"], language=task["language"]
        )
    except Exception as exc:
        raise _Failure("csv", f"{type(exc).__name__} : {exc}") from exc
    lap("csv")
    return written


def _indicator_rows(path: Path, kind: str, sector: str | None) -> Any:
    """The indicators rows a report uses: its sector's domains and ``all``; every row for the
    overview; the ``all`` domain for the quality report."""
    import pandas as pd

    frame = pd.read_parquet(path)
    domains = frame["domain"].astype("string").fillna("")
    if kind == "synthese":
        return frame
    if kind == "secteur" and sector:
        parts = domains.str.split(";")
        mine = parts.map(lambda items: f"secteur={sector}" in [p.strip() for p in items])
        return frame[(domains == "all") | mine.astype(bool)]
    return frame[domains == "all"]


def _publish(written: Mapping[str, Path], final_dir: Path, formats: set[str]) -> dict[str, Path]:
    """Copy the staged outputs into the report folder, each file atomically; remove outputs of
    formats not produced this time (they would describe other data)."""
    outputs: dict[str, Path] = {}
    for fmt, staged in written.items():
        destination = final_dir / OUTPUT_FILES[fmt]
        write_bytes(destination, Path(staged).read_bytes())
        outputs[fmt] = destination
    for fmt, name in OUTPUT_FILES.items():
        if fmt not in outputs:
            (final_dir / name).unlink(missing_ok=True)
    return outputs


def _keep_failed_notebook(staging: Path, final_dir: Path) -> Path | None:
    """Publish the executed notebook of a failed report and remove its stale outputs."""
    for name in OUTPUT_FILES.values():
        (final_dir / name).unlink(missing_ok=True)
    executed = staging / OUTPUT_FILES["ipynb"]
    if not executed.is_file():
        return None
    return write_bytes(final_dir / OUTPUT_FILES["ipynb"], executed.read_bytes())


def render_task(worker: _Worker, task: Mapping[str, Any]) -> dict[str, Any]:
    """Render one report; never raises (a failure is a record with ``status: failed``)."""
    try:
        return _render_report(worker, task)
    except BaseException as exc:
        return {
            "slug": task.get("slug"),
            "status": "failed",
            "stage": "interne",
            "error": f"{type(exc).__name__} : {exc}",
            "traceback": traceback.format_exc(),
        }


def _protocol_stream() -> IO[str]:
    """Keep the real standard output for answers; send every other print to stderr."""
    sys.stdout.flush()
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


def main(argv: list[str] | None = None) -> int:
    """Serve tasks from stdin until it closes; prestart a kernel in ``argv[0]`` (study dir)."""
    import logging
    import warnings

    args = sys.argv[1:] if argv is None else argv
    answers = _protocol_stream()
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.ERROR)
    worker = _Worker()
    if args:
        worker.prestart(args[0])
    try:
        import nbconvert  # noqa: F401 - imported while the kernel starts
        import papermill  # noqa: F401

        for line in sys.stdin:
            if not line.strip():
                continue
            task = json.loads(line)
            result = render_task(worker, task)
            answers.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
            answers.flush()
    finally:
        worker.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
