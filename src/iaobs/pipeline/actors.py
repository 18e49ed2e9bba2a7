"""The actors stage: each wave's directory of the region's AI actors, from its SIRENE extract
and the curated list (``[acteurs]`` in ``study.toml``), written to ``acteurs.parquet`` of the
wave's processed folder (:mod:`iaobs.actors`).

The directory never reads the survey's answers (see :mod:`iaobs.actors.directory`).
"""

from __future__ import annotations

from pathlib import Path

from iaobs.actors.sources import ActorSources, study_directory
from iaobs.core import geo
from iaobs.core.atomic import atomic_path
from iaobs.study.config import Study
from iaobs.study.store import Processed

__all__ = ["actor_inputs", "actor_sources", "compute_actors", "region_departements"]


def region_departements(study: Study) -> list[str]:
    """The study's départements: ``[departements]`` of study.toml, else its region's."""
    if study.departements:
        return sorted(study.departements)
    return list(geo.region_codes(study.region))


def actor_sources(study: Study, wave: str) -> ActorSources:
    """The directory's files of one wave (None for those absent)."""
    return ActorSources(
        etablissements=study.actors_file("etablissements", wave),
        unites_legales=study.actors_file("unites_legales", wave),
        liste=study.actors_file("liste", wave),
        naf=study.actors.naf,
    )


def actor_inputs(study: Study) -> list[Path]:
    """Every file the directories of the study's waves are made from."""
    files = []
    for wave in study.all_waves:
        src = actor_sources(study, wave)
        files += [p for p in (src.etablissements, src.unites_legales, src.liste) if p]
    return sorted(set(files))


def compute_actors(study: Study) -> dict[str, Path]:
    """Write the directory of every wave that has a source; returns ``{wave: path}``.

    A wave without SIRENE extract nor curated list has no directory (an older one is removed).
    """
    departements = region_departements(study)
    written: dict[str, Path] = {}
    for wave in study.all_waves:
        folder = Processed(study.store.processed_root)
        target = (folder if wave == study.wave else folder.wave(wave)).actors
        sources = actor_sources(study, wave)
        if sources.etablissements is None and sources.liste is None:
            target.unlink(missing_ok=True)
            continue
        directory = study_directory(sources, departements)
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            directory.to_parquet(tmp, index=False)
        written[wave] = target
    return written
