"""Every wave of a study: the earlier waves cleaned and estimated, then the evolution table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core.atomic import atomic_path
from iaobs.errors import ConfigError, InputError
from iaobs.pipeline.clean import clean_study
from iaobs.pipeline.estimate import compute_study_indicators
from iaobs.stats.evolution import evolution_table
from iaobs.study.config import Study

__all__ = ["compute_evolution", "prepare_waves"]


def _stale(study: Study) -> bool:
    """Whether a wave's indicators are missing or older than its inputs."""
    indicators = study.store.processed.indicators
    if not indicators.is_file():
        return True
    built = indicators.stat().st_mtime
    inputs = [s.path for s in study.sources] + [s.mapping for s in study.sources if s.mapping]
    inputs += [study.root / "study.toml"] + ([study.margins] if study.margins else [])
    return any(Path(p).stat().st_mtime > built for p in inputs if p and Path(p).exists())


def prepare_waves(study: Study, *, echo: Any = None) -> dict[str, Path]:
    """Clean and estimate every wave of ``study`` whose indicators are missing or stale.

    The study's own wave is expected to be processed already (``iaobs run`` does it first);
    another wave is processed from its ``[[sources]]`` (those with ``wave = "…"``) into
    ``data/processed/waves/<wave>/``. Returns wave → path of its ``indicators.parquet``.

    Raises
    ------
    ConfigError
        When a wave has neither indicators nor source files.
    """
    paths: dict[str, Path] = {}
    for wave in study.all_waves:
        at = study.for_wave(wave)
        path = at.store.processed.indicators
        if wave != study.wave and at.sources and _stale(at):
            clean_study(at)
            compute_study_indicators(at)
            if echo is not None:
                echo(f"Vague {wave} : données traitées dans {at.processed_dir}")
        if not path.is_file():
            raise ConfigError(
                f"vague « {wave} » : ni indicateurs ni fichier source",
                file=study.root / "study.toml",
                hint=f'ajoutez ses fichiers avec [[sources]] … wave = "{wave}", ou retirez-la '
                "de [study] waves",
            )
        paths[wave] = path
    return paths


def compute_evolution(study: Study, *, echo: Any = None) -> Path | None:
    """Write ``data/processed/evolution.parquet`` for a study with two waves or more.

    Every wave is prepared first (:func:`prepare_waves`); the table is
    :func:`evolution_table` over the study's waves, on the domains ``all``, each sector and
    each size class. A single-wave study gets no file (an older one is removed) and ``None``.
    """
    destination = study.store.processed.evolution
    if len(study.all_waves) < 2:
        destination.unlink(missing_ok=True)
        return None
    paths = prepare_waves(study, echo=echo)
    frames = {}
    for wave, path in paths.items():
        try:
            frames[wave] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InputError(
                f"vague {wave} : tableau des indicateurs illisible ({type(exc).__name__})",
                file=path,
                hint="supprimez-le et relancez « iaobs run »",
            ) from exc
    domains = {d for f in frames.values() for d in f["domain"].astype(str).unique()}
    kept = [
        d
        for d in domains
        if d == "all" or (";" not in d and d.split("=")[0] in ("secteur", "taille"))
    ]
    table = evolution_table(frames, confidence=study.weighting.confidence, domains=kept)
    with atomic_path(destination) as tmp:
        table.to_parquet(tmp, index=False)
    return destination
