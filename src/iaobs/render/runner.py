"""Execute the parameter matrix of a study and write every report's outputs.

For each report whose inputs changed (see :mod:`iaobs.render.cache`), in order:

1. the jupytext template is converted to a notebook once per run, its ``parameters`` cell read
   with ``papermill.inspect_notebook`` and every value's type checked
   (:func:`~iaobs.render.matrix.check_parameters`);
2. ``papermill.execute_notebook`` runs it; by default with the ``iaobs`` engine
   (:mod:`iaobs.render.engine`), in a process forked for that report alone from a report
   server that has already imported pandas, matplotlib, WeasyPrint, nbconvert and iaobs
   (:mod:`iaobs.render.worker`); ``engine="kernel"`` (or ``IAOBS_RENDER_ENGINE=kernel``) runs
   it in a fresh Jupyter kernel instead. Either way nothing a report does reaches another;
3. the same process converts the executed notebook to HTML, prints the PDF, writes
   ``tables.xlsx`` and ``indicators.csv``, answers, and exits.

Everything is produced in a staging folder (``reports/<wave>/.staging/``) and published only
when every output succeeded, each file replaced atomically. The published folder holds
deliverables only (HTML, PDF, xlsx, csv); the executed notebook ``report.ipynb`` and the
``render.log`` go to the report's build folder, ``.iaobs-cache/build/<wave>/<slug>/``
(:meth:`iaobs.study.store.Store.build_dir`), where a failed report's notebook shows the error on
top. Rendering some formats never removes the others; the cache manifest records, per format,
the key of the data it was made from. A report that fails loses the outputs of the formats it
should have replaced (they would not match the current data) and the index page says it
failed. Reports run in parallel (``jobs``, default: the number of cores).

The unchanged-rerun path (every report fresh) imports nothing heavy and starts no process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from iaobs.core.typography import plural
from iaobs.errors import ConfigError
from iaobs.render import cache as cache_mod
from iaobs.render.index import IndexCard, index_html, write_index
from iaobs.render.matrix import (
    DEFAULT_PROVIDER,
    ReportSpec,
    build_matrix,
    find_templates_dir,
    select_reports,
)
from iaobs.render.worker import ALWAYS, ENGINES, OPEN_DATA, OUTPUT_FILES
from iaobs.study.store import Processed

__all__ = ["FORMATS", "RenderSummary", "ReportResult", "render_study", "report_date"]

FORMATS = ("html", "pdf", "xlsx")
STAGING = ".staging"
#: Environment variable choosing the notebook engine (``iaobs`` or ``kernel``).
ENGINE_ENV = "IAOBS_RENDER_ENGINE"


@dataclass
class ReportResult:
    """What happened to one report.

    ``status`` is ``rendered``, ``skipped`` (inputs unchanged) or ``failed``; for a failure,
    ``stage`` says where (``parameters``, ``notebook``, ``html``, ``pdf``, ``xlsx``…),
    ``cell`` the failing cell (0-based index in the executed notebook) and ``notebook`` the
    executed notebook kept for diagnosis.
    """

    slug: str
    title: str
    kind: str
    status: str
    outputs: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    stage: str | None = None
    error: str | None = None
    cell: int | None = None
    execution_count: int | None = None
    ename: str | None = None
    evalue: str | None = None
    notebook: Path | None = None
    key_figures: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def describe_failure(self, language: str = "fr") -> str:
        """One line naming the report, the stage, the cell and the error."""
        where = ""
        if self.cell is not None:
            count = f", exécution [{self.execution_count}]" if self.execution_count else ""
            where = f", cellule n° {self.cell}{count}"
        error = f"{self.ename} : {self.evalue}" if self.ename else (self.error or "")
        kept = f" (notebook exécuté : {self.notebook})" if self.notebook else ""
        return f"{self.slug} — échec à l'étape « {self.stage} »{where} : {error}{kept}"


@dataclass
class RenderSummary:
    """The outcome of :func:`render_study`."""

    reports: list[ReportResult]
    reports_dir: Path
    index: Path | None = None
    seconds: float = 0.0

    @property
    def rendered(self) -> list[ReportResult]:
        return [r for r in self.reports if r.status == "rendered"]

    @property
    def skipped(self) -> list[ReportResult]:
        return [r for r in self.reports if r.status == "skipped"]

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.reports if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every report is written; 3 when some failed (the others are written)."""
        return 3 if self.failed else 0


def report_date() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible outputs); UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(dt.UTC)


# --------------------------------------------------------------------------------------------
# Parent side


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(str(f).strip().lower() for f in formats if str(f).strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ConfigError(
            "format de rapport inconnu : " + ", ".join(unknown)
            if unknown
            else "aucun format demandé",
            hint="formats possibles : " + ", ".join(FORMATS),
        )
    return wanted


def _expected_outputs(final_dir: Path, formats: Iterable[str], kind: str = "") -> list[Path]:
    always: tuple[str, ...] = ALWAYS
    if kind in OPEN_DATA:  # its open data instead of indicators.csv and its codebook
        always = OPEN_DATA[kind]
    return [final_dir / OUTPUT_FILES[f] for f in (*formats, *always)]


def render_study(
    study: Any,
    only: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    templates_dir: str | Path | None = None,
    content: str | None = None,
    timeout: int | None = None,
    engine: str | None = None,
) -> RenderSummary:
    """Render every report of a study whose inputs changed; write the index page.

    Parameters
    ----------
    study
        The :class:`iaobs.study.config.Study`.
    only
        Slugs of the reports to render (all when ``None``); an unknown slug is a
        :class:`ConfigError` that lists the study's slugs.
    formats
        Among ``html``, ``pdf``, ``xlsx``. ``indicators.csv`` and ``codebook.csv`` are always
        written (and the executed notebook, in the build folder); the other formats' files
        are left as they are.
    jobs
        Reports rendered in parallel (default: the number of cores).
    force
        Render every selected report even when its inputs did not change.
    progress
        Show a progress bar (only on a terminal).
    templates_dir
        Folder of the notebook templates (default: see :func:`find_templates_dir`).
    content
        ``module:function`` providing the tables and key figures (default: the library's).
    timeout
        Seconds allowed to one notebook cell (default: no limit).
    engine
        How notebooks are executed: ``iaobs`` (default; cells run in the forked report
        process, see :mod:`iaobs.render.engine`) or ``kernel`` (a fresh Jupyter kernel per
        report). Default: the ``IAOBS_RENDER_ENGINE`` environment variable, else ``iaobs``.

    Returns
    -------
    RenderSummary
        Every report's result; ``exit_code`` is 3 when some failed, 0 otherwise.
    """
    started = time.perf_counter()
    formats = _check_formats(formats)
    engine = _engine(engine)
    reports_dir = Path(study.reports_dir)
    processed = Path(study.processed_dir)
    if not (processed / cache_mod.INDICATORS).is_file():
        raise ConfigError(
            f"table des indicateurs introuvable : {processed / cache_mod.INDICATORS}",
            hint="lancez d'abord « iaobs run » (ou « iaobs clean » puis « iaobs estimate »)",
        )
    manifest = cache_mod.Manifest.load(reports_dir)
    fingerprint = cache_mod.fingerprint_data(
        processed, Path(study.root) / "study.toml", manifest, study.store.company_report_inputs
    )
    templates = find_templates_dir(Path(study.root), templates_dir)
    specs = build_matrix(study, fingerprint.sectors_with_data, templates)
    selected = select_reports(specs, only)
    library = cache_mod.library_digest()
    all_sectors = list(study.dictionary.sectors)
    date = report_date()
    cache_dir = Path(study.root) / ".iaobs-cache"

    results: dict[str, ReportResult] = {}
    tasks: list[dict[str, Any]] = []
    keys: dict[str, str] = {}
    for spec in selected:
        key = cache_mod.report_key(
            template=spec.template,
            parameters=spec.parameters,
            data=fingerprint.data_digest(spec.kind, spec.sector, all_sectors),
            study_toml=fingerprint.study_toml,
            library=library,
        )
        keys[spec.slug] = key
        final_dir = reports_dir / spec.slug
        if not force and manifest.is_fresh(
            spec.slug, key, formats, _expected_outputs(final_dir, formats, spec.kind)
        ):
            entry = manifest.reports[spec.slug]
            results[spec.slug] = ReportResult(
                spec.slug,
                spec.title,
                spec.kind,
                "skipped",
                outputs={
                    f: final_dir / n for f, n in OUTPUT_FILES.items() if (final_dir / n).is_file()
                },
                key_figures=list(entry.get("key_figures", [])),
            )
            continue
        tasks.append(_task(study, spec, formats, date, cache_dir, content, timeout, engine))

    if tasks:
        _execute(longest_first(tasks, manifest), specs, results, jobs, progress, study)
        with contextlib.suppress(OSError):
            (reports_dir / STAGING).rmdir()  # only when empty (another run may be using it)

    for spec in selected:
        result = results[spec.slug]
        _record(manifest, spec, result, keys[spec.slug], formats, date, reports_dir / spec.slug)
    current = {spec.slug for spec in specs}
    for slug in list(manifest.reports):
        if slug not in current:
            manifest.reports.pop(slug)
    manifest.save()

    index = _write_index(study, specs, manifest, reports_dir, date, cache_dir)
    summary = RenderSummary(
        [results[s.slug] for s in selected], reports_dir, index, time.perf_counter() - started
    )
    _print_summary(summary)
    return summary


def _record(
    manifest: cache_mod.Manifest,
    spec: ReportSpec,
    result: ReportResult,
    key: str,
    formats: Sequence[str],
    date: dt.datetime,
    final_dir: Path,
) -> None:
    """Record in the manifest which data each format of a report was made from.

    A rendering of some formats keeps the other formats' records (and files); a failure
    forgets the formats it should have replaced."""
    if result.status == "skipped":
        return
    entry = manifest.reports.get(spec.slug) or {}
    made = dict(entry.get("formats") or {}) if isinstance(entry.get("formats"), dict) else {}
    if result.status == "rendered":
        made.update({f: key for f in (*formats, *ALWAYS)})
        made = {f: k for f, k in made.items() if (final_dir / OUTPUT_FILES[f]).is_file()}
        manifest.reports[spec.slug] = {
            "key": key,
            "formats": made,
            "title": spec.title,
            "kind": spec.kind,
            "rendered": date.isoformat(),
            "seconds": round(result.seconds, 2),
            "key_figures": result.key_figures,
        }
        manifest.data.setdefault("failed", {}).pop(spec.slug, None)
        return
    for fmt in (*formats, *ALWAYS):
        made.pop(fmt, None)
    if made:
        manifest.reports[spec.slug] = {**entry, "formats": made}
    else:
        manifest.reports.pop(spec.slug, None)
    manifest.data.setdefault("failed", {})[spec.slug] = result.describe_failure()


#: Relative cost of a report kind never rendered before (a sector report is about a dozen
#: company benchmarks): the order of :func:`longest_first` when no earlier time is known.
KIND_COST = {"formation": 32.0, "synthese": 30.0, "secteur": 25.0, "qualite": 8.0}


def longest_first(
    tasks: list[dict[str, Any]], manifest: cache_mod.Manifest
) -> list[dict[str, Any]]:
    """The tasks in decreasing order of expected time: the time each report took when last
    rendered (recorded in the manifest), else its kind's cost (:data:`KIND_COST`).

    With ``jobs`` report processes, starting the longest reports first keeps every core busy
    to the end: a long report started last would run alone while the other cores wait (the
    overview last, after eight reports, made the run about a quarter longer on 2 cores).
    Publication order is kept among equals (the sort is stable)."""

    def cost(task: Mapping[str, Any]) -> float:
        entry = manifest.reports.get(str(task["slug"])) or {}
        seconds = entry.get("seconds") if isinstance(entry, Mapping) else None
        if isinstance(seconds, int | float) and seconds > 0:
            return float(seconds)
        return KIND_COST.get(str(task["kind"]), 1.0)

    return sorted(tasks, key=cost, reverse=True)


def _task(
    study: Any,
    spec: ReportSpec,
    formats: Sequence[str],
    date: dt.datetime,
    cache_dir: Path,
    content: str | None,
    timeout: int | None,
    engine: str,
) -> dict[str, Any]:
    reports_dir = Path(study.reports_dir)
    survey = "survey" if study.language == "en" else "enquête"
    return {
        "slug": spec.slug,
        "kind": spec.kind,
        "sector": spec.sector,
        "title": spec.title,
        "template": str(spec.template),
        "parameters": dict(spec.parameters),
        "formats": list(formats),
        "final_dir": str(reports_dir / spec.slug),
        "build_dir": str(study.store.build_dir(spec.slug)),
        "figure_cache": str(study.store.figure_cache_dir),
        "library": cache_mod.library_digest(),
        "staging_root": str(reports_dir / STAGING),
        "cwd": str(study.root),
        "indicators": str(Path(study.processed_dir) / cache_mod.INDICATORS),
        "language": study.language,
        "page_title": f"{spec.title} – {study.title} – {study.region} {study.wave}",
        "author": study.title,
        "header": f"{study.title} · {spec.title}",
        "footer": f"{study.region} · {survey} {study.wave}",
        "region": study.region,
        "wave": study.wave,
        "date": date.isoformat(),
        "cache_dir": str(cache_dir),
        "content": content or DEFAULT_PROVIDER,
        "timeout": timeout,
        "engine": engine,
    }


def _engine(engine: str | None) -> str:
    chosen = (engine or os.environ.get(ENGINE_ENV) or ENGINES[0]).strip().lower()
    if chosen not in ENGINES:
        raise ConfigError(
            f"moteur d'exécution des notebooks inconnu « {chosen} »",
            hint="moteurs possibles : " + ", ".join(ENGINES) + f" (variable {ENGINE_ENV})",
        )
    return chosen


class _Server:
    """The ``python -m iaobs.render.worker`` process that forks one child per report."""

    def __init__(self, study: Any, jobs: int, log: IO[bytes] | int) -> None:
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", "Agg")
        env.setdefault("PYTHONHASHSEED", "0")
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        cache_dir = Path(study.root) / ".iaobs-cache"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "iaobs.render.worker",
                str(study.root),
                "--jobs",
                str(jobs),
                "--cache",
                str(cache_dir),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
            encoding="utf-8",
        )

    def send_all(self, tasks: Sequence[Mapping[str, Any]]) -> None:
        assert self.process.stdin is not None
        try:
            for task in tasks:
                self.process.stdin.write(json.dumps(task, ensure_ascii=False) + "\n")
            self.process.stdin.close()
        except OSError:
            pass  # the server died: its tasks are reported as failures

    def answers(self) -> Iterator[dict[str, Any]]:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip():
                yield json.loads(line)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin and not self.process.stdin.closed:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _execute(
    tasks: list[dict[str, Any]],
    specs: Sequence[ReportSpec],
    results: dict[str, ReportResult],
    jobs: int | None,
    progress: bool,
    study: Any,
) -> None:
    """Render ``tasks`` in forked report processes, ``jobs`` at once; fill ``results``."""
    from tqdm import tqdm  # lazy: tqdm, only when reports are rendered

    by_slug = {spec.slug: spec for spec in specs}
    count = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    english = study.language == "en"
    bar = tqdm(
        total=len(tasks),
        desc="Reports" if english else "Rapports",
        unit="report" if english else "rapport",
        disable=not progress or not sys.stderr.isatty(),
        leave=False,
    )
    log: IO[bytes] | int = subprocess.DEVNULL
    if os.environ.get("IAOBS_DEBUG"):
        log = sys.stderr.buffer if hasattr(sys.stderr, "buffer") else subprocess.DEVNULL
    waiting = {task["slug"]: task for task in tasks}
    server = _Server(study, count, log)
    try:
        server.send_all(tasks)
        for record in server.answers():
            task = waiting.pop(str(record.get("slug")), None)
            if task is None:
                continue
            spec = by_slug[task["slug"]]
            results[spec.slug] = _result(spec, record)
            bar.set_postfix_str(spec.slug)
            bar.update()
    finally:
        server.close()
        bar.close()
    code = server.process.returncode
    for slug, task in waiting.items():  # the server itself died
        results[slug] = _result(
            by_slug[slug], _crash(task, f"processus de rendu interrompu (code {code})")
        )


def _crash(task: Mapping[str, Any] | None, message: str) -> dict[str, Any]:
    return {
        "slug": (task or {}).get("slug"),
        "status": "failed",
        "stage": "interne",
        "error": message,
    }


def _result(spec: ReportSpec, record: Mapping[str, Any]) -> ReportResult:
    return ReportResult(
        slug=spec.slug,
        title=spec.title,
        kind=spec.kind,
        status=record["status"],
        outputs={k: Path(v) for k, v in (record.get("outputs") or {}).items()},
        seconds=float(record.get("seconds", 0.0)),
        stage=record.get("stage"),
        error=record.get("error"),
        cell=record.get("cell"),
        execution_count=record.get("execution_count"),
        ename=record.get("ename"),
        evalue=record.get("evalue"),
        notebook=Path(record["notebook"]) if record.get("notebook") else None,
        key_figures=list(record.get("key_figures") or []),
        timings=dict(record.get("timings") or {}),
    )


def _write_index(
    study: Any,
    specs: Sequence[ReportSpec],
    manifest: cache_mod.Manifest,
    reports_dir: Path,
    date: dt.datetime,
    cache_dir: Path,
) -> Path:
    failed = manifest.data.get("failed", {})
    cards = []
    for spec in specs:
        entry = manifest.reports.get(spec.slug)
        if entry is None and spec.slug not in failed:
            continue
        cards.append(
            IndexCard(
                slug=spec.slug,
                title=spec.title,
                kind=spec.kind,
                key_figures=(entry or {}).get("key_figures", []),
                failed=failed.get(spec.slug),
            )
        )
    processed = Processed(Path(study.processed_dir))
    inputs = [processed.indicators, processed.contrasts, processed.evolution]
    state = cache_mod._digest(
        [[c.slug, c.title, c.kind, c.key_figures, c.failed] for c in cards]
        + [study.title, study.region, study.wave, study.language, cache_mod.library_digest()]
        + [sorted(p.name for p in reports_dir.glob("*/*") if p.is_file() and _report_file(p))]
        + [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in inputs if p.is_file()]
    )
    destination = reports_dir / "index.html"
    if manifest.data.get("index") == state and destination.is_file():
        return destination
    stamp = dt.datetime.fromisoformat(
        max(
            [e.get("rendered", date.isoformat()) for e in manifest.reports.values()]
            or [date.isoformat()]
        )
    )
    try:
        destination = _build_site(study, specs, cards, stamp, cache_dir)
    except Exception as exc:  # the reports are written: the index must still list them
        print(
            f"  ÉCHEC site — {type(exc).__name__} : {exc} ; page d'accueil réduite à la liste "
            "des rapports",
            file=sys.stderr,
            flush=True,
        )
        page = index_html(
            cards, reports_dir, title=study.title, region=study.region, wave=study.wave,
            language=study.language, date=stamp, cache_dir=cache_dir,
        )  # fmt: skip
        return write_index(destination, page)
    manifest.data["index"] = state
    manifest.save()
    return destination


def _build_site(
    study: Any,
    specs: Sequence[ReportSpec],
    cards: Sequence[Any],
    stamp: dt.datetime,
    cache_dir: Path,
) -> Path:
    from iaobs.render.site import build_site  # lazy: pandas, read only when the site changes

    sector_of = {spec.slug: spec.sector for spec in specs if spec.sector}
    return build_site(study, cards, sector_of, date=stamp, cache_dir=cache_dir)


def _report_file(path: Path) -> bool:
    """A file of a report folder (not one the site writes: sector pages, open data)."""
    return path.parent.name not in ("donnees", "secteurs")


def _print_summary(summary: RenderSummary) -> None:
    rendered, skipped, failed = summary.rendered, summary.skipped, summary.failed
    print(
        f"Rapports : {plural(len(rendered), 'produit')}, {plural(len(skipped), 'inchangé')}, "
        f"{len(failed)} en échec ({summary.seconds:.1f} s).",
        flush=True,
    )
    for result in failed:
        print(f"  ÉCHEC {result.describe_failure()}", file=sys.stderr, flush=True)
    if summary.index is not None:
        print(f"Page d'accueil des rapports : {summary.index}", flush=True)
