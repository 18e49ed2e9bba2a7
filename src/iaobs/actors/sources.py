"""The actors' sources of a study: its SIRENE extracts and its curated list, read and checked.

``[acteurs]`` in ``study.toml`` names them (paths relative to the study folder; ``{wave}``
stands for the wave, so that each wave reads its own extract)::

    [acteurs]
    naf = ["58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z"]
    etablissements = "data/raw/sirene/{wave}/StockEtablissement.csv"
    unites_legales = "data/raw/sirene/{wave}/StockUniteLegale.csv"
    liste = "data/raw/acteurs/acteurs.csv"

SIRENE is read by :mod:`iaobs.frame.sirene` (DuckDB, bounded memory, the published layout).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from iaobs.actors.directory import build_directory
from iaobs.actors.schema import read_actors, validate_actors
from iaobs.errors import InputError
from iaobs.frame.sirene import read_active_establishments

__all__ = ["ActorSources", "read_listed_establishments", "study_directory"]


@dataclass(frozen=True)
class ActorSources:
    """The files of one wave's directory (None: not given or absent)."""

    etablissements: Path | None
    unites_legales: Path | None
    liste: Path | None
    naf: tuple[str, ...]


def read_listed_establishments(
    etablissements: Path,
    sirets: Iterable[str],
    *,
    departements: Sequence[str],
    unites_legales: Path | None = None,
) -> pd.DataFrame:
    """The region's active establishments whose SIRET is in ``sirets``, whatever their activity.

    Read in one pass by the SIRENE reader over every division (01 to 99) then kept by SIRET;
    used only for the curated rows' SIRETs, which are few.
    """
    wanted = {s for s in sirets if s}
    if not wanted:
        return pd.DataFrame()
    found = read_active_establishments(
        etablissements,
        naf=["01.*-99.*"],
        departements=departements,
        unites_legales=unites_legales,
    )
    return found[found["siret"].isin(wanted)].reset_index(drop=True)


def study_directory(sources: ActorSources, departements: Sequence[str]) -> pd.DataFrame:
    """The directory of one wave (:func:`iaobs.actors.directory.build_directory`) from its files.

    Raises
    ------
    InputError
        When the curated list breaks its schema: the first problem in one line, the count of the
        others (``iaobs validate`` lists them all).
    """
    curated: list[dict[str, str]] = []
    if sources.liste is not None:
        problems = validate_actors(sources.liste)
        if problems:
            more = len(problems) - 1
            raise InputError(
                str(problems[0])
                + (
                    f" (et {more} autre{'s' if more > 1 else ''} problème{'s' if more > 1 else ''})"
                    if more
                    else ""
                ),
                hint=f"iaobs validate {sources.liste} les liste tous",
            )
        curated = read_actors(sources.liste)
    establishments = listed = None
    if sources.etablissements is not None:
        establishments = read_active_establishments(
            sources.etablissements,
            naf=sources.naf,
            departements=departements,
            unites_legales=sources.unites_legales,
        )
        sirets = [r["siret"] for r in curated if r.get("siret")]
        missing = set(sirets) - set(establishments["siret"])
        if missing:
            listed = read_listed_establishments(
                sources.etablissements,
                missing,
                departements=departements,
                unites_legales=sources.unites_legales,
            )
    return build_directory(
        establishments, curated, departements=departements, naf=sources.naf, listed=listed
    )
