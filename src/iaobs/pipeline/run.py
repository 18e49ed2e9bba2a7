"""The main job of a study, stage by stage, each skipped when its inputs did not change.

``frame`` (SIRENE stock files → the population margins, when ``[frame]`` names them),
``clean`` (sources → ``data/processed/``), ``estimate`` (responses and margins → weights and
the indicators table), the evolution between waves, then the reports (whose own cache decides
report by report). A stage runs again when the content of one of its inputs changed — a raw
file, its mapping file, ``study.toml``, the margins, the pseudonym key, or the iaobs code —
and whenever one of its outputs is missing or was modified since.

An unchanged rerun imports neither pandas nor the statistics: the stages' modules are imported
only when a stage has to run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iaobs.pipeline.frame import frame_stage
from iaobs.pipeline.release_state import record_release, release_unchanged
from iaobs.pipeline.stages import (
    StageKey,
    is_fresh,
    record,
    recorded_digest,
    refresh_outputs,
    stage_key,
)
from iaobs.study.config import Study, load_study
from iaobs.study.store import Processed

__all__ = [
    "RunSummary",
    "StageResult",
    "actors_stage",
    "audit_release",
    "clean_stage",
    "estimate_stage",
    "evolution_stage",
    "run_study",
    "stages_before_reports",
]

Echo = Callable[[str], None]


@dataclass
class StageResult:
    """What a stage did: whether it ran, its outputs and (for ``clean``) the quality summary."""

    stage: str
    ran: bool
    outputs: dict[str, Path] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)


def _clean_inputs(study: Study) -> list[Path]:
    files = [study.root / "study.toml"]
    for source in study.sources:
        files.append(Path(source.path))
        if source.mapping:
            files.append(Path(source.mapping))
    return files


def _key_digest(study: Study) -> str:
    """A digest of the pseudonym key: the identifiers change with it, the key is not stored."""
    return hashlib.sha256(study.pseudonym_key()).hexdigest()


def _read_quality(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def clean_stage(study: Study, *, force: bool = False) -> StageResult:
    """Clean the study's sources unless nothing they depend on changed since the last run."""
    store = study.store
    key = stage_key(store, "clean", _clean_inputs(study), {"key": _key_digest(study)})
    quality_path = store.processed.quality
    quality = _read_quality(quality_path)
    outputs = _recorded_outputs(study, quality)
    if not force and outputs and is_fresh(store, key, outputs.values()):
        return StageResult("clean", ran=False, outputs=outputs, quality=quality)
    from iaobs.pipeline.clean import clean_study  # lazy: pandas, only when the stage runs

    result = clean_study(study)
    outputs = _recorded_outputs(study, result.quality)
    _record_if_complete(store, key, result.quality, outputs)
    return StageResult("clean", ran=True, outputs=outputs, quality=result.quality)


def _recorded_outputs(study: Study, quality: dict[str, Any]) -> dict[str, Path]:
    """The files the clean stage wrote, as its quality summary lists them."""
    return {name: study.root / path for name, path in (quality.get("outputs") or {}).items()}


def _record_if_complete(
    store: Any, key: StageKey, quality: dict[str, Any], outputs: dict[str, Path]
) -> None:
    """Remember the run unless a source could not be read (it must be tried again next time)."""
    failed = any(f.get("status") != "ok" for f in quality.get("files", []))
    if not failed:
        record(store, key, outputs.values())


def estimate_stage(study: Study, *, force: bool = False) -> StageResult:
    """Weights and indicators, unless the cleaned data, margins and settings are unchanged.

    The cleaned data stand for themselves through the clean stage's key (the estimate stage
    adds the design variables to ``responses.parquet``, so that file's bytes change with it).
    """
    store = study.store
    processed = store.processed
    inputs = [study.root / "study.toml"]
    if study.margins is not None:
        inputs.append(Path(study.margins))
    key = stage_key(store, "estimate", inputs, {"clean": recorded_digest(store, "clean")})
    outputs = {
        "indicators": processed.indicators,
        "weighting": processed.weighting,
        "contrasts": processed.contrasts,
        "reproduce": processed.reproduce_script,
    }
    if not force and is_fresh(store, key, [*outputs.values(), processed.responses]):
        return StageResult("estimate", ran=False, outputs=outputs)
    from iaobs.pipeline.estimate import compute_study_indicators  # lazy: pandas and the statistics

    compute_study_indicators(study)
    refresh_outputs(store, "clean", [processed.responses])
    record(store, key, [*outputs.values(), processed.responses])
    return StageResult("estimate", ran=True, outputs=outputs)


def evolution_stage(study: Study, *, echo: Echo | None = None) -> Path | None:
    """The evolution table of a study with two waves or more (earlier waves prepared first)."""
    if len(study.all_waves) < 2:
        return None
    from iaobs.pipeline.waves import compute_evolution  # lazy: pandas, multi-wave studies only

    return compute_evolution(study, echo=echo)


def _actor_files(study: Study) -> tuple[list[Path], list[Path]]:
    """The actors' input files of every wave, and the directories they give (no pandas)."""
    inputs: list[Path] = []
    outputs: list[Path] = []
    root = Processed(study.store.processed_root)
    for wave in study.all_waves:
        found = [study.actors_file(k, wave) for k in ("etablissements", "unites_legales", "liste")]
        inputs += [p for p in found if p is not None]
        if found[0] is not None or found[2] is not None:
            outputs.append((root if wave == study.wave else root.wave(wave)).actors)
    return inputs, outputs


def actors_stage(study: Study, *, force: bool = False) -> StageResult:
    """The directory of the region's AI actors of each wave, unless its sources are unchanged.

    A study with neither SIRENE extract nor curated list has no directory (and no report).
    """
    store = study.store
    inputs, outputs = _actor_files(study)
    key = stage_key(store, "acteurs", [study.root / "study.toml", *inputs])
    named = {f"acteurs-{i}": p for i, p in enumerate(outputs)}
    if not force and is_fresh(store, key, outputs):
        return StageResult("acteurs", ran=False, outputs=named)
    from iaobs.pipeline.actors import compute_actors  # lazy: pandas, DuckDB and pyproj

    written = compute_actors(study)
    record(store, key, written.values())
    return StageResult("acteurs", ran=True, outputs={f"acteurs-{w}": p for w, p in written.items()})


def stages_before_reports(
    study: Study, *, force: bool = False, echo: Echo | None = None
) -> Sequence[StageResult]:
    """Run (or skip) the frame (margins from SIRENE, when ``[frame]`` names the files), clean
    and estimate, the evolution table, then the actors' directory; returns what clean,
    estimate and the actors stage did."""
    frame_stage(study, force=force)  # the margins the estimate stage is keyed on
    cleaned = clean_stage(study, force=force)
    estimated = estimate_stage(study, force=force or cleaned.ran)
    evolution_stage(study, echo=echo)
    actors = actors_stage(study, force=force)
    return (cleaned, estimated, actors)


@dataclass
class RunSummary:
    """What :func:`run_study` did: each stage before the reports, then the reports."""

    stages: Sequence[StageResult]
    reports: Any = None  # iaobs.render.runner.RunSummary

    @property
    def exit_code(self) -> int:
        """0 when everything succeeded, 1 when a source could not be read, 3 when reports failed."""
        cleaned = self.stages[0] if self.stages else None
        if cleaned is not None and any(
            f.get("status") != "ok" for f in cleaned.quality.get("files", [])
        ):
            return 1
        return int(getattr(self.reports, "exit_code", 0) or 0)


def run_study(
    study: Study | str | Path = ".",
    *,
    only: Sequence[str] | None = None,
    formats: Sequence[str] = ("html", "pdf", "xlsx"),
    jobs: int | None = None,
    force: bool = False,
    progress: bool = False,
) -> RunSummary:
    """The main job: clean, estimate, evolution, then every report, each only when needed.

    Parameters
    ----------
    study
        A loaded study or the folder that holds its ``study.toml``.
    only
        Report slugs to render (default: every report).
    formats
        Among ``html``, ``pdf``, ``xlsx``.
    jobs
        Reports rendered in parallel (default: the number of cores).
    force
        Run every stage and render every report even when nothing changed.
    progress
        Show a progress bar while rendering.
    """
    from iaobs.render import render_study  # lazy: the report runner (WeasyPrint, papermill)

    if not isinstance(study, Study):
        study = load_study(study)
    stages = stages_before_reports(study, force=force)
    reports = render_study(
        study, only=only, formats=tuple(formats), jobs=jobs, force=force, progress=progress
    )
    if not only and not int(getattr(reports, "exit_code", 0) or 0):
        audit_release(study, formats=formats, jobs=jobs)
    return RunSummary(stages=stages, reports=reports)


def audit_release(
    study: Study, *, formats: Sequence[str] = ("html", "pdf", "xlsx"), jobs: int | None = None
) -> None:
    """The release audit on every file written (exit 1 when a hidden cell can be recovered);
    the quality report rendered again when the audit's summary, which it states, changed."""
    if release_unchanged(study):
        return
    from iaobs.pipeline.release import release_stage  # lazy: pandas, SciPy
    from iaobs.render import render_study  # lazy: the report runner
    from iaobs.render.matrix import QUALITY_SLUG  # lazy: with the runner

    _, changed = release_stage(study)
    if changed and (study.store.reports_dir / QUALITY_SLUG).is_dir():
        # the quality report's key follows the audit's summary, which it states
        render_study(study, only=[QUALITY_SLUG], formats=tuple(formats), jobs=jobs, progress=False)
    record_release(study)
