"""The drawn sample: a stratified simple random sample without replacement, with reserves.

In each stratum (secteur × taille) of the plan, the frame's firms (sorted by siren, so that the
draw does not depend on the order of the file) are put in a random order by a generator seeded
with the seed given and the stratum's name; the first ``n_tirage`` are the sample
(``principal``), the next ``n_reserve`` its reserve (``reserve``, to be released in the order of
``rang`` when a unit is out of scope or unreachable). The same frame, plan and seed give the same
sample, on any machine. ``poids_tirage`` is the design weight ``N_h / n_h``.

The sample is the contact list: it is confidential (``data/private/``), and units in partial
diffusion appear there with their siren only.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from iaobs.errors import ConfigError
from iaobs.frame.margins import FRAME_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SAMPLE_COLUMNS", "draw_sample"]

SAMPLE_COLUMNS = (*FRAME_COLUMNS[:9], "statut", "rang", "poids_tirage", "diffusion")


def _stratum_seed(seed: int, secteur: str, taille: str) -> list[int]:
    digest = hashlib.sha256(f"{secteur}|{taille}".encode()).digest()
    return [int(seed), int.from_bytes(digest[:8], "big")]


def draw_sample(frame: pd.DataFrame, plan: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Draw the sample of ``plan`` (``secteur, taille, n_entreprises, n_tirage, n_reserve``)
    from the confidential ``frame``.

    Raises
    ------
    ConfigError
        When the frame's strata no longer have the plan's sizes (the frame changed since the
        plan was made: make the plan again).
    """
    import numpy as np  # lazy: numpy and pandas only when a sample is drawn
    import pandas as pd  # lazy: as above

    counts = frame.groupby(["secteur", "taille"]).size()
    parts = []
    for row in plan.itertuples(index=False):
        found = int(counts.get((row.secteur, row.taille), 0))
        if found != int(row.n_entreprises):
            raise ConfigError(
                f"strate {row.secteur} × {row.taille} : {found} entreprises dans la base de "
                f"sondage, {int(row.n_entreprises)} dans le plan",
                hint="la base a changé depuis le plan : relancez « iaobs plan » avant « iaobs draw »",
            )
        units = frame[(frame["secteur"] == row.secteur) & (frame["taille"] == row.taille)]
        units = units.sort_values("siren").reset_index(drop=True)
        rng = np.random.default_rng(_stratum_seed(seed, row.secteur, row.taille))
        order = rng.permutation(len(units))
        n, reserve = int(row.n_tirage), int(row.n_reserve)
        chosen = units.iloc[order[: n + reserve]].copy()
        chosen["statut"] = ["principal"] * min(n, len(chosen)) + ["reserve"] * max(
            len(chosen) - n, 0
        )
        chosen["rang"] = list(range(1, len(chosen) + 1))
        chosen["poids_tirage"] = round(found / n, 6) if n else float("nan")
        parts.append(chosen)
    if not parts:
        return pd.DataFrame(columns=list(SAMPLE_COLUMNS))
    sample = pd.concat(parts, ignore_index=True)
    return sample[list(SAMPLE_COLUMNS)]
