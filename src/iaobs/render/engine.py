"""A papermill engine that executes a notebook's cells in the current Python process.

``papermill.execute_notebook(..., engine_name="iaobs")`` goes through papermill's own
machinery — reading the notebook, injecting the parameters cell, the per-cell metadata of
:class:`papermill.engines.NotebookExecutionManager`, writing the executed notebook, and on
failure the error banner on top plus :class:`papermill.exceptions.PapermillExecutionError`
(cell index, execution count, ``ename``, ``evalue``, traceback). Only the *engine* differs:
instead of starting a Jupyter kernel and talking to it over ZeroMQ, the cells run in an
IPython :class:`~IPython.core.interactiveshell.InteractiveShell` of this process, and every
output a kernel would send (``stream``, ``display_data``, ``execute_result``, ``error``) is
recorded into the cell's outputs in the same order and shape.

This engine gives no isolation by itself: the notebook's globals, the modules it patches,
matplotlib's ``rcParams`` and the environment all live in this process. The report runner
therefore calls it only inside a process forked for one report and discarded after it
(:mod:`iaobs.render.worker`); the fork is what isolates reports, as a fresh kernel did.

:data:`ENGINE_NAME` is registered with papermill when this module is imported.
"""

from __future__ import annotations

import base64
import contextlib
import io
import signal
import sys
from collections.abc import Iterator
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine, papermill_engines
from traitlets.config import Config

__all__ = ["ENGINE_NAME", "InProcessEngine", "ReportShell"]

ENGINE_NAME = "iaobs"


class _Recorder:
    """The outputs of the cell being executed, in the order a kernel would send them."""

    def __init__(self) -> None:
        self.outputs: list[Any] | None = None
        self.stdout_file: Any = None
        self.stderr_file: Any = None

    def stream(self, name: str, text: str) -> None:
        if self.outputs is None or not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == name:
            last["text"] += text  # consecutive writes merge, as nbclient merges them
        else:
            self.outputs.append(nbformat.v4.new_output("stream", name=name, text=text))
        target = self.stdout_file if name == "stdout" else self.stderr_file
        if target is not None:
            target.write(text)
            target.flush()

    def add(self, output: Any) -> None:
        if self.outputs is not None:
            self.outputs.append(output)

    def clear(self) -> None:
        if self.outputs is not None:
            self.outputs.clear()


def _json_data(data: dict[str, Any]) -> dict[str, Any]:
    """MIME bundle as a kernel sends it: binary values base64-encoded, the rest untouched."""
    clean: dict[str, Any] = {}
    for mime, value in data.items():
        if isinstance(value, bytes | bytearray):
            value = base64.b64encode(bytes(value)).decode("ascii")
        clean[mime] = value
    return clean


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of a cell: text goes to the cell's outputs."""

    def __init__(self, recorder: _Recorder, name: str) -> None:
        self._recorder = recorder
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._recorder.stream(self.name, text)
        return len(text)

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


class _DisplayPublisher(DisplayPublisher):
    recorder: Any = None

    def publish(
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        source: Any = None,
        *,
        transient: Any = None,
        update: bool = False,
        **kwargs: Any,
    ) -> None:
        self.recorder.add(
            nbformat.v4.new_output(
                "display_data", data=_json_data(data), metadata=dict(metadata or {})
            )
        )

    def clear_output(self, wait: bool = False) -> None:
        self.recorder.clear()


class _DisplayHook(DisplayHook):
    """``execute_result`` of a cell's last expression, with its execution count."""

    recorder: Any = None

    def start_displayhook(self) -> None:
        self._data: dict[str, Any] = {}
        self._metadata: dict[str, Any] = {}

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(
        self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None
    ) -> None:
        self._data = format_dict
        self._metadata = md_dict or {}

    def finish_displayhook(self) -> None:
        if self._data:
            self.recorder.add(
                nbformat.v4.new_output(
                    "execute_result",
                    data=_json_data(self._data),
                    metadata=dict(self._metadata),
                    execution_count=self.prompt_count,
                )
            )
        self._data = {}


class ReportShell(InteractiveShell):
    """An IPython shell that records outputs like a kernel (no history file, no terminal)."""

    recorder: Any = None

    def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self.recorder.add(
            nbformat.v4.new_output(
                "error",
                ename=str(etype.__name__),
                evalue=str(evalue),
                traceback=list(stb),
            )
        )

    @classmethod
    def start(cls, recorder: _Recorder | None) -> ReportShell:
        """The process's shell, created on first use, now recording into ``recorder``.

        A second notebook run in the same process shares the first one's namespace: the
        report runner never does that (one forked process per report).
        """
        if cls.initialized():
            shell = cls.instance()
            if not isinstance(shell, ReportShell):
                raise RuntimeError("another IPython shell already runs in this process")
        else:
            config = Config()
            config.HistoryManager.enabled = False
            config.HistoryManager.hist_file = ":memory:"
            config.InteractiveShell.colors = "nocolor"
            shell = cls.instance(
                config=config,
                display_pub_class=_DisplayPublisher,
                displayhook_class=_DisplayHook,
            )
        shell.recorder = recorder
        shell.display_pub.recorder = recorder
        shell.displayhook.recorder = recorder
        return shell


@contextlib.contextmanager
def _redirected(recorder: _Recorder) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(recorder, "stdout"), _Stream(recorder, "stderr")
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _CellTimeout(Exception):
    """A cell ran longer than the execution timeout."""


@contextlib.contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_CellTimeout` in the cell after ``seconds`` (main thread only)."""
    if not seconds or seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise _CellTimeout(f"cellule interrompue après {seconds:g} s")

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread: no timeout
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class InProcessEngine(Engine):
    """papermill engine running the cells in this process's IPython shell (see module doc)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = 60,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        recorder = _Recorder()
        recorder.stdout_file, recorder.stderr_file = stdout_file, stderr_file
        shell = ReportShell.start(recorder)
        shell.user_ns["__name__"] = "__main__"
        nb = nb_man.nb
        with _redirected(recorder):
            for index, cell in enumerate(nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    if cell.cell_type != "code":
                        continue
                    if not cell.source.strip():
                        cell.execution_count = None
                        continue
                    cell.outputs = []
                    recorder.outputs = cell.outputs
                    cell.execution_count = shell.execution_count
                    with _alarm(execution_timeout):
                        result = shell.run_cell(cell.source, store_history=True)
                    sys.stdout.flush()
                    if not result.success:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    recorder.outputs = None
                    nb_man.cell_complete(cell, cell_index=index)
        nb.metadata["language_info"] = {
            "name": "python",
            "version": ".".join(str(v) for v in sys.version_info[:3]),
            "mimetype": "text/x-python",
            "file_extension": ".py",
            "pygments_lexer": "ipython3",
            "codemirror_mode": {"name": "ipython", "version": 3},
            "nbconvert_exporter": "python",
        }
        return nb


papermill_engines.register(ENGINE_NAME, InProcessEngine)
