"""Population margins: the number of firms per stratum, read and checked all at once.

``data/reference/population.csv`` (``secteur, taille, departement, n_entreprises``) is read by
:func:`read_margins`; every empty or invalid count is named in one message. Against the
respondents, :func:`strata_problems` lists every stratum with respondents but no firm, or
more respondents than firms, so that ``iaobs validate`` and the weighting say them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.errors import ConfigError

__all__ = ["COUNT", "MARGIN_COLUMNS", "normalise_margins", "read_margins", "strata_problems"]

MARGIN_COLUMNS = ("secteur", "taille", "departement", "n_entreprises")
COUNT = "n_entreprises"


# ============================================================================ margins


def read_margins(path: str | Path) -> pd.DataFrame:
    """Read the population margins CSV (``secteur,taille,departement,n_entreprises``).

    ``departement`` is optional; codes are text (``2`` and ``02`` are both ``02``). Rows of the
    same cell are added up.

    Raises
    ------
    ConfigError
        File missing or unreadable, a column missing, a count that is not a non-negative number
        (the message names the line).
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError("fichier des marges de population introuvable", file=path)
    try:
        frame = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise ConfigError(f"marges de population illisibles ({exc})", file=path) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return normalise_margins(frame, file=path)


def normalise_margins(frame: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Check and normalise a margins table (see :func:`read_margins`)."""
    missing = [c for c in ("secteur", "taille", COUNT) if c not in frame.columns]
    if missing:
        raise ConfigError(
            "marges de population : colonne(s) manquante(s) " + ", ".join(missing),
            file=file,
            hint="colonnes attendues : secteur, taille, departement (facultative), n_entreprises",
        )
    out = frame.copy()
    if pd.api.types.is_numeric_dtype(out[COUNT]):
        counts = pd.to_numeric(out[COUNT], errors="coerce")
    else:
        text = (
            out[COUNT]
            .astype("object")
            .map(
                lambda x: (
                    None
                    if x is None or pd.isna(x)
                    else re.sub(r"[\s\u202f\u00a0]", "", str(x)).replace(",", ".")
                )
            )
        )
        counts = pd.to_numeric(text, errors="coerce")
    bad = counts.isna() | (counts < 0)
    if bad.any():
        raise ConfigError(
            _bad_counts_message(frame[COUNT], np.flatnonzero(bad.to_numpy())),
            file=file,
            hint="inscrivez dans n_entreprises le nombre d'entreprises de chaque strate (0 si "
            "aucune), d'après SIRENE ou « iaobs frame » ; chaque ligne citée est à remplir",
        )
    out[COUNT] = counts.astype(float)
    for col in ("secteur", "taille"):
        out[col] = out[col].astype(str).str.strip()
    if "departement" in out.columns:
        dep = out["departement"].astype("object")
        out["departement"] = dep.map(_departement_code)
    keys = [c for c in ("secteur", "taille", "departement") if c in out.columns]
    return out.groupby(keys, dropna=False, sort=False, as_index=False)[COUNT].sum()


def _bad_counts_message(values: pd.Series, positions: np.ndarray, shown: int = 12) -> str:
    """Every bad n_entreprises cell in one message (lines as a spreadsheet shows them)."""
    blank = [int(i) + 2 for i in positions if _blank_cell(values.iloc[int(i)])]
    other = [
        (int(i) + 2, values.iloc[int(i)]) for i in positions if not _blank_cell(values.iloc[int(i)])
    ]
    parts = []
    if blank:
        lines = ", ".join(str(line) for line in blank[:shown]) + (
            ", …" if len(blank) > shown else ""
        )
        word = "cellule vide" if len(blank) == 1 else "cellules vides"
        parts.append(f"{len(blank)} {word} (ligne{'s' if len(blank) > 1 else ''} {lines})")
    if other:
        cells = " ; ".join(f"ligne {line} : « {value} »" for line, value in other[:shown])
        more = " ; …" if len(other) > shown else ""
        word = "valeur" if len(other) == 1 else "valeurs"
        parts.append(
            f"{len(other)} {word} qui ne sont pas des nombres positifs ou nuls ({cells}{more})"
        )
    return "marges de population, colonne n_entreprises : " + " ; ".join(parts)


def _blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip()


def strata_problems(
    margins: pd.DataFrame, keys: pd.DataFrame, strata_vars: Sequence[str]
) -> list[tuple[str, str]]:
    """Every stratum with respondents but no firm, or more respondents than firms, as
    (problem, fix); ``keys`` holds the respondents' strata (text)."""
    pop = margins.copy()
    for v in strata_vars:
        pop[v] = pop[v].astype(str)
    population = pop.groupby(list(strata_vars), sort=True)[COUNT].sum()
    respondents = keys.groupby(list(strata_vars), sort=True).size()
    problems: list[tuple[str, str]] = []
    for cell, n in respondents.items():
        cell_t = cell if isinstance(cell, tuple) else (cell,)
        pop_n = float(population.get(cell, 0.0))
        label = _cell_name(strata_vars, cell_t)
        if pop_n <= 0:
            problems.append(
                (
                    f"strate {label} : {n} répondant{'s' if n > 1 else ''} mais aucune "
                    "entreprise dans les marges de population",
                    "ajoutez le nombre d'entreprises de cette strate au fichier des marges, ou "
                    "corrigez le secteur / la taille de ces répondants (dans la correspondance)",
                )
            )
        elif n > pop_n:
            problems.append(
                (
                    f"strate {label} : {n} répondants pour seulement {pop_n:.0f} "
                    f"entreprise{'s' if pop_n > 1 else ''} dans la population",
                    "vérifiez l'effectif de cette strate dans le fichier des marges, ou les "
                    "doublons de réponses",
                )
            )
    return problems


def _departement_code(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none"):
        return None
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(2) if text.isdigit() else text


def _cell_name(names: Sequence[str], values: Sequence[object]) -> str:
    return ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
