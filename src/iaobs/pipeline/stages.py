"""Incremental stages: a stage runs again only when the content of its inputs changed.

Each stage names its input files and a few values (the code version, a setting that lives
outside the files); their SHA-256 digests are combined into one key. After a successful run the
key and the stage's outputs are recorded in ``.iaobs-cache/stages/<stage>-<wave>.json``; the
next run with the same key and every output still present skips the stage.

Reading the files to hash them is cheap next to cleaning or estimating; a file's digest is
remembered against its size and modification time so that an unchanged rerun reads nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_json
from iaobs.core.digest import file_digest, library_digest
from iaobs.study.store import Store

__all__ = [
    "StageKey",
    "is_fresh",
    "record",
    "recorded_digest",
    "refresh_outputs",
    "stage_key",
]

STATE_FORMAT = 1


@dataclass(frozen=True)
class StageKey:
    """The inputs of one run of a stage and the digest that stands for them."""

    stage: str
    digest: str
    files: Mapping[str, str] = field(default_factory=dict)


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("format") == STATE_FORMAT else {}


def stage_key(
    store: Store, stage: str, inputs: Iterable[Path], values: Mapping[str, Any] | None = None
) -> StageKey:
    """The key of a stage: digests of its input files, of ``values`` and of the iaobs code.

    Parameters
    ----------
    store
        The study's store (where the previous state is kept).
    stage
        The stage's name (``clean``, ``estimate``).
    inputs
        Files the stage reads; a missing file counts as its own state (``absent``), and so
        does a path that is not a regular file (``not-a-file``).
    values
        Other inputs that are not files (a setting read from the environment…), JSON-able.
    """
    previous = _read_state(store.stage_state(stage)).get("stats", {})
    files: dict[str, str] = {}
    for path in sorted({Path(p) for p in inputs}, key=str):
        stat = _stat(path)
        cached = previous.get(str(path))
        if stat is None:
            files[str(path)] = "absent"
        elif not path.is_file():
            # A folder or a device: its own state; the stage's reader names the problem.
            files[str(path)] = "not-a-file"
        elif cached and cached[0] == stat:
            files[str(path)] = cached[1]
        else:
            files[str(path)] = file_digest(path)
    h = hashlib.sha256()
    h.update(library_digest().encode())
    h.update(json.dumps(files, sort_keys=True).encode())
    h.update(json.dumps(values or {}, sort_keys=True, default=str).encode())
    return StageKey(stage=stage, digest=h.hexdigest(), files=files)


def is_fresh(store: Store, key: StageKey, outputs: Iterable[Path]) -> bool:
    """Whether the stage last succeeded with this key and its outputs are all still there."""
    state = _read_state(store.stage_state(key.stage))
    if state.get("digest") != key.digest:
        return False
    recorded = state.get("outputs", {})
    for path in outputs:
        stat = _stat(Path(path))
        if stat is None or recorded.get(str(path)) != stat:
            return False
    return True


def record(store: Store, key: StageKey, outputs: Iterable[Path]) -> None:
    """Remember a successful run of a stage: its key, its inputs' digests and its outputs."""
    stats = {
        path: [_stat(Path(path)), digest]
        for path, digest in key.files.items()
        if digest != "absent"
    }
    write_json(
        store.stage_state(key.stage),
        {
            "format": STATE_FORMAT,
            "stage": key.stage,
            "digest": key.digest,
            "stats": stats,
            "outputs": {str(p): _stat(Path(p)) for p in outputs},
        },
    )


def recorded_digest(store: Store, stage: str) -> str | None:
    """The key of a stage's last successful run (``None`` when it never succeeded)."""
    digest = _read_state(store.stage_state(stage)).get("digest")
    return digest if isinstance(digest, str) else None


def refresh_outputs(store: Store, stage: str, outputs: Iterable[Path]) -> None:
    """Record the current state of outputs a later stage rewrote (the estimate stage adds the
    design variables to the responses the clean stage wrote): they stay the clean stage's."""
    path = store.stage_state(stage)
    state = _read_state(path)
    if not state:
        return
    recorded = dict(state.get("outputs", {}))
    for output in outputs:
        if str(output) in recorded:
            recorded[str(output)] = _stat(Path(output))
    state["outputs"] = recorded
    write_json(path, state)
