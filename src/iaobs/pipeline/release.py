"""The release audit: an intruder's attack on everything a wave publishes.

After the reports and the site are written, every file of ``reports/<wave>/`` is read back as
an outsider would (:mod:`iaobs.pipeline.published`) and every number mapped to the cell it
describes. Then, on the union of what all the files publish:

* a hidden cell (``s``, ``nd``) for which a file gives a number is recovered outright;
* otherwise the linked tables of each indicator (levels adding up to their base, domains to
  their parent, the top-two box and derived indicators to their levels, and a domain plus the
  rest of the region giving the region, from the comparisons) are attacked by linear
  programming (:func:`iaobs.stats.secrecy.audit_linked`, SciPy's HiGHS): each hidden cell's
  feasibility interval must stay at least as wide as its protection level.

The true values of hidden cells come from the private table the estimate stage writes
(``secret-cellules.parquet``); what counts as published is only what the files show. Company
reports (``entreprise-*``) are read too: a company knows its own answers, and what its report
says of its sector and size class is part of what it can combine with the public release.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.core.atomic import write_json
from iaobs.core.contract import HIDDEN_FLAGS, Thresholds
from iaobs.errors import StatisticsError
from iaobs.pipeline.prose import prose_numbers, tie_prose
from iaobs.pipeline.published import CELL_KEYS, Release, previous_values, read_release
from iaobs.pipeline.release_state import release_unchanged
from iaobs.pipeline.stages import refresh_outputs
from iaobs.pipeline.table_attack import attack_tables
from iaobs.render.cache import RELEASE_AUDIT
from iaobs.stats.secrecy import audit_linked
from iaobs.study.config import Study

__all__ = [
    "ReleaseAudit",
    "attack_release",
    "audit_release_folder",
    "release_stage",
    "require_release_protected",
]


@dataclass
class ReleaseAudit:
    """What the attack on a release found (``weighting.json`` and ``quality.json``,
    rubrique ``audit_diffusion``)."""

    files: int = 0
    numbers: int = 0
    cells_published: int = 0
    rests: int = 0
    attacked: int = 0
    programmes: int = 0
    seconds: float = 0.0
    narrowest: float = float("inf")
    protection_share: float = 0.10
    table_relations: int = 0  # relations of the tables of counts and shares with a hidden cell
    table_attacked: int = 0
    narrowest_persons: float = float("inf")
    previous_waves: list[str] = field(default_factory=list)  # earlier waves attacked too
    previous_values: int = 0  # values of earlier waves the release gives (evolution rows)
    prose_pages: int = 0  # pages whose running text was read
    prose_marked: int = 0  # numbers of the text marked with their cell by the generator
    prose_numbers: int = 0  # percentages of the running text
    prose_tied: int = 0  # of which a published value of the page's report gives
    prose_loose: list[str] = field(default_factory=list)  # « page : sentence » tied to nothing
    leaks: list[str] = field(default_factory=list)  # « file : cell »
    unprotected: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unprotected

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary (French keys)."""
        return {
            "moteur": "programmation linéaire (SciPy, HiGHS) sur tous les fichiers publiés",
            "fichiers_lus": self.files,
            "nombres_lus": self.numbers,
            "cellules_publiees": self.cells_published,
            "comparaisons_reste_region": self.rests,
            "cellules_attaquees": self.attacked,
            "programmes_resolus": self.programmes,
            "intervalle_le_plus_etroit_points": (
                round(self.narrowest, 1) if np.isfinite(self.narrowest) else None
            ),
            "niveau_protection_part": self.protection_share,
            "texte_pages_lues": self.prose_pages,
            "texte_nombres_marques": self.prose_marked,
            "texte_pourcentages_lus": self.prose_numbers,
            "texte_pourcentages_rattaches": self.prose_tied,
            "texte_pourcentages_non_rattaches": len(self.prose_loose),
            "texte_exemples_non_rattaches": self.prose_loose[:10],
            "vagues_precedentes_attaquees": list(self.previous_waves),
            "valeurs_vagues_precedentes": self.previous_values,
            "tableaux_relations_attaquees": self.table_relations,
            "tableaux_cellules_attaquees": self.table_attacked,
            "tableaux_reste_le_plus_petit_personnes": (
                round(self.narrowest_persons) if np.isfinite(self.narrowest_persons) else None
            ),
            "secondes": round(self.seconds, 3),
            "cellules_publiees_masquees": list(self.leaks),
            "cellules_non_protegees": list(self.unprotected),
            "fichiers_illisibles": list(self.unread),
            "conforme": self.ok,
        }


def _key(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["indicator"].astype(str)
        + "\x1f"
        + frame["level"].astype(str)
        + "\x1f"
        + (frame["domain"].astype(str))
    )


def _cell_name(indicator: str, level: str, domain: str) -> str:
    return f"{indicator}{f' = {level}' if level else ''} ({domain})"


def _current(read: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Rows of the current wave (an evolution row of another wave is a previous value)."""
    if "wave" not in read or not wave:
        return read
    waves = read["wave"].astype(str)
    return read[(waves == "") | (waves == wave)]


def _rest_rows(read: pd.DataFrame, truth: pd.DataFrame, published: set[str]) -> pd.DataFrame:
    """The rest of the region beside each domain a comparison publishes, as cells."""
    if "rest" not in read and "difference" not in read:
        return truth.iloc[0:0]
    rest = read["rest"] if "rest" in read else pd.Series(np.nan, index=read.index)
    if "difference" in read:  # with the rest of the region, not with an earlier wave
        between = (
            read["previous_wave"].eq("")
            if "previous_wave" in read
            else pd.Series(True, index=read.index)
        )
        rest = rest.where(rest.notna() | ~between, read["estimate"] - read["difference"])
    shown = read[rest.notna().to_numpy() & (read["domain"] != "all").to_numpy()]
    shown = shown.drop_duplicates(list(CELL_KEYS))
    if shown.empty:
        return truth.iloc[0:0]
    t = truth.set_index(list(CELL_KEYS))
    rows = []
    for indicator, level, domain in shown[list(CELL_KEYS)].itertuples(index=False, name=None):
        top, part = (indicator, level, "all"), (indicator, level, domain)
        if top not in t.index or part not in t.index:
            continue
        a, d = t.loc[top], t.loc[part]
        base = float(a["weighted_base"]) - float(d["weighted_base"])
        if not base > 0:
            continue
        total = float(a["estimate"]) * float(a["weighted_base"]) - float(d["estimate"]) * float(
            d["weighted_base"]
        )
        row = a.to_dict() | {"estimate": total / base, "weighted_base": base}
        row |= {"flag": "", "primary": False, "_kind": "rest", "_parts": f"rest:{domain}"}
        rows.append({"indicator": indicator, "level": level, "domain": f"≠{domain}", **row})
        published.add(f"{indicator}\x1f{level}\x1f≠{domain}")
    return pd.DataFrame(rows, columns=truth.columns) if rows else truth.iloc[0:0]


def attack_release(
    release: Release,
    truth: pd.DataFrame,
    thresholds: Thresholds | None = None,
    *,
    wave: str = "",
    previous: Mapping[str, tuple[pd.DataFrame, Release | None]] | None = None,
) -> ReleaseAudit:
    """Attack ``release`` with ``truth`` (the estimate stage's private table of cells).

    ``previous`` maps each earlier wave to its private table and its own release (``None``
    when it is not on disk): the values of that wave that this release gives (its rows of the
    evolution, a current value minus its change since the previous wave) are attacked with
    them, as the earlier release's own numbers.

    Returns the summary; its ``leaks`` name each hidden cell a file gives a number for, its
    ``unprotected`` each hidden cell the published numbers bound too tightly.
    """
    th = thresholds or Thresholds()
    start = time.perf_counter()
    audit = ReleaseAudit(files=release.files, numbers=release.numbers, unread=release.unread)
    audit.prose_marked = release.marked
    audit.protection_share = th.protection_share
    truth = truth.reset_index(drop=True)
    read = _current(release.cell_frame(), wave)
    shows = pd.Series(False, index=read.index)
    for column in ("estimate", "ci_low", "ci_high"):  # a bound alone tells the value too
        if column in read:
            shows |= read[column].notna()
    shown = read[shows.to_numpy()]
    hidden_truth = truth["flag"].isin(HIDDEN_FLAGS).to_numpy()
    keys = _key(truth)
    secret = set(keys[hidden_truth])
    shown_keys = _key(shown) if len(shown) else pd.Series(dtype=str)
    prose = shown["texte"].eq("oui") if "texte" in shown else pd.Series(False, index=shown.index)
    for file, key, text in zip(shown["file"], shown_keys, prose, strict=True):
        if key in secret:
            where = " (nombre écrit dans le texte)" if text else ""
            audit.leaks.append(f"{file} : {_cell_name(*key.split(chr(31)))}{where}")
    tables = release.table_frame()
    audit.leaks.extend(_table_leaks(tables))
    counted = attack_tables(tables, min_persons=th.secret_min_persons)
    audit.leaks.extend(counted.leaks)
    audit.table_relations, audit.table_attacked = counted.relations, counted.attacked
    audit.narrowest_persons = counted.narrowest_persons
    published = set(shown_keys) - secret
    rests = _rest_rows(read, truth, published)
    audit.rests = len(rests)
    table = pd.concat([truth, rests], ignore_index=True) if len(rests) else truth
    is_published = _key(table).isin(published).to_numpy()
    audit.cells_published = int(is_published[: len(truth)].sum())
    flag = np.where(
        is_published, "", np.where(table["flag"].isin(HIDDEN_FLAGS), table["flag"], "s")
    )
    primary = table["primary"].fillna(False).astype(bool).to_numpy() & ~is_published
    attacked = audit_linked(table.assign(flag=flag), th, protect=primary)
    audit.attacked, audit.programmes = attacked.hidden, attacked.programmes
    audit.narrowest = attacked.narrowest
    audit.unprotected = [_with_files(name, read) for name in attacked.unprotected]
    audit.unprotected.extend(counted.unprotected)
    _attack_prose(audit, release, read, truth[hidden_truth])
    earlier = previous_values(release.cell_frame(), wave)
    audit.previous_values = len(earlier)
    for name, (before, own) in (previous or {}).items():
        _attack_previous(audit, earlier[earlier["wave"] == name], name, before, own, th)
    audit.seconds = time.perf_counter() - start
    return audit


def _folder(file: str) -> str:
    return file.rsplit("/", 1)[0] if "/" in file else ""


def _attack_prose(
    audit: ReleaseAudit, release: Release, read: pd.DataFrame, hidden: pd.DataFrame
) -> None:
    """Each percentage of a page's running text against its report's published values: one
    that only a hidden cell of the report gives is a leak (:mod:`iaobs.pipeline.prose`)."""
    tables = release.table_frame()
    values: dict[str, list[np.ndarray]] = {}
    keys: dict[str, set[str]] = {}
    columns = ("estimate", "ci_low", "ci_high", "rest", "value")
    for frame in (read, tables):
        if frame.empty:
            continue
        folders = frame["file"].astype(str).map(_folder)
        for folder, part in frame.groupby(folders.to_numpy(), sort=False):
            found = [part[c].to_numpy(dtype=float) for c in columns if c in part]
            values.setdefault(folder, []).extend(found)
            if set(CELL_KEYS) <= set(part.columns):
                keys.setdefault(folder, set()).update(_key(part))
    everything = np.concatenate([v for vs in values.values() for v in vs] or [np.zeros(0)])
    hidden = hidden.assign(
        _k=_key(hidden),
        name=[_cell_name(*k) for k in hidden[list(CELL_KEYS)].itertuples(index=False)],
    )
    labels_all = [x for xs in release.labels.values() for x in xs]
    for page, segments in release.prose.items():
        folder = _folder(page)
        # a report with indicators rows: its own values and hidden cells; a page of tables
        # only (key figures, company, training) or of the site: the whole release's
        own = folder in keys and bool(values.get(folder))
        published = np.concatenate(values[folder]) if own else everything
        candidates = hidden[hidden["_k"].isin(keys[folder])] if own else hidden
        numbers = prose_numbers(segments, release.labels.get(folder, labels_all))
        tied, leaks, loose = tie_prose(numbers, published, candidates)
        audit.prose_pages += 1
        audit.prose_numbers += len(numbers)
        audit.prose_tied += tied
        audit.prose_loose.extend(f"{page} : « {text} »" for text in loose)
        for text, names in leaks:
            audit.leaks.append(
                f"{page} : un pourcentage du texte que seule une cellule masquée donne "
                f"({', '.join(names)}) — « {text} »"
            )


def _attack_previous(
    audit: ReleaseAudit,
    given: pd.DataFrame,
    wave: str,
    truth: pd.DataFrame,
    own: Release | None,
    th: Thresholds,
) -> None:
    """The values of an earlier wave this release gives, against that wave's secrecy: a
    number for one of its hidden cells is a leak; with its own release's numbers, the linked
    tables of that wave are attacked again."""
    truth = truth.reset_index(drop=True)
    secret = set(_key(truth)[truth["flag"].isin(HIDDEN_FLAGS).to_numpy()])
    audit.previous_waves.append(wave)
    keys = _key(given) if len(given) else pd.Series(dtype=str)
    for file, key in zip(given["file"], keys, strict=True):
        if key in secret:
            audit.leaks.append(
                f"{file} : {_cell_name(*key.split(chr(31)))}, vague {wave} "
                "(valeur de la vague précédente donnée par l'évolution)"
            )
    if "weighted_base" not in truth or "primary" not in truth:
        return  # only the flags of that wave: no linked tables to attack
    published = set(keys) - secret
    if own is not None:
        cells = _current(own.cell_frame(), wave)
        if "estimate" in cells and len(cells):
            published |= set(_key(cells[cells["estimate"].notna()])) - secret
    is_published = _key(truth).isin(published).to_numpy()
    flag = np.where(
        is_published, "", np.where(truth["flag"].isin(HIDDEN_FLAGS), truth["flag"], "s")
    )
    primary = truth["primary"].fillna(False).astype(bool).to_numpy() & ~is_published
    attacked = audit_linked(truth.assign(flag=flag), th, protect=primary)
    audit.attacked += attacked.hidden
    audit.programmes += attacked.programmes
    audit.narrowest = min(audit.narrowest, attacked.narrowest)
    audit.unprotected.extend(f"{name}, vague {wave}" for name in attacked.unprotected)


def _table_leaks(tables: pd.DataFrame) -> list[str]:
    """Table cells flagged ``s`` or ``nd`` that still show a number."""
    if tables.empty or "flag" not in tables:
        return []
    value = tables["value"] if "value" in tables else pd.Series(np.nan, index=tables.index)
    bad = tables[tables["flag"].isin(HIDDEN_FLAGS) & value.notna()]
    return [
        f"{f} : tableau {t}, ligne « {r} », colonne « {c} »"
        for f, t, r, c in bad[["file", "table", "row", "column"]].itertuples(index=False)
    ]


def _with_files(name: str, read: pd.DataFrame) -> str:
    """The cell's name and the files that publish its indicator's linked cells."""
    indicator = name.split(" ", 1)[0]
    files = read.loc[read["indicator"] == indicator, "file"].drop_duplicates().head(3).tolist()
    return f"{name} — d'après {', '.join(files)}" if files else name


def audit_release_folder(
    folder: Path,
    truth_path: Path,
    thresholds: Thresholds | None = None,
    *,
    wave: str = "",
    previous: Mapping[str, tuple[Path, Path, Path]] | None = None,
) -> ReleaseAudit:
    """Read every file under ``folder`` and attack it with the private table ``truth_path``.

    ``previous`` maps each earlier wave to its private table, its indicators table and its
    release folder (any of them may be missing)."""
    start = time.perf_counter()
    release = read_release(folder)
    truth = pd.read_parquet(truth_path)
    earlier = {name: _previous_truth(paths, folder) for name, paths in (previous or {}).items()}
    inputs = {k: v for k, v in earlier.items() if v is not None}
    audit = attack_release(release, truth, thresholds, wave=wave, previous=inputs)
    audit.seconds = time.perf_counter() - start
    return audit


def _previous_truth(
    paths: tuple[Path, Path, Path], folder: Path
) -> tuple[pd.DataFrame, Release | None] | None:
    """An earlier wave's private table (its flags joined with those of its indicators table,
    which also hides the domains too far from their population) and its own release."""
    secret, indicators, release = paths
    frames = [pd.read_parquet(p) for p in (secret, indicators) if p.is_file()]
    if not frames:
        return None
    truth = frames[0]
    if len(frames) == 2:  # a cell hidden in either is hidden
        flags = frames[1].drop_duplicates(list(CELL_KEYS)).set_index(list(CELL_KEYS))["flag"]
        index = pd.MultiIndex.from_frame(truth[list(CELL_KEYS)].astype(str))
        other = flags.reindex(index).to_numpy()
        hidden = pd.Series(other).isin(HIDDEN_FLAGS).to_numpy()
        truth = truth.assign(
            flag=np.where(hidden & ~truth["flag"].isin(HIDDEN_FLAGS), "s", truth["flag"])
        )
    own = read_release(release) if release.is_dir() and release != folder else None
    return truth, own


def require_release_protected(audit: ReleaseAudit) -> None:
    """Stop (exit 1) when a file publishes a hidden cell or the release narrows one too much."""
    if audit.leaks:
        more = len(audit.leaks) - 1
        also = f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else ""
        raise StatisticsError(
            f"secret statistique : {audit.leaks[0]} est une cellule masquée publiée{also}",
            hint="retirez ce chiffre du fichier publié, puis relancez",
        )
    if audit.unprotected:
        more = len(audit.unprotected) - 1
        also = f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else ""
        first = audit.unprotected[0]
        how = (
            "peut être recalculée ou encadrée de trop près"
            if " : tableau " in first
            else f"peut être encadrée à moins de ±{audit.protection_share * 100:g} points près"
        )
        raise StatisticsError(
            f"secret statistique : la cellule {first}{also} {how} à partir des fichiers publiés",
            hint="masquez d'autres cellules liées ou relevez les seuils de [thresholds]",
        )


_VOLATILE = ("secondes",)


def release_stage(study: Study) -> tuple[ReleaseAudit | None, bool]:
    """Attack the wave's release unless its files are unchanged since the last clean audit.

    Writes the summary to ``weighting.json`` (``audit_diffusion``) when it changed, and stops
    (:class:`~iaobs.errors.StatisticsError`, exit 1) naming the file and the cell when a hidden
    cell is published or bounded too tightly. Returns the audit (``None`` when skipped) and
    whether the summary changed (the quality report, which states it, is then rendered again).
    """
    store, processed = study.store, study.store.processed
    folder = store.reports_dir
    if not processed.secret_cells.is_file() or not folder.is_dir():
        return None, False
    if release_unchanged(study):
        return None, False
    earlier = list(study.all_waves)
    earlier = earlier[: earlier.index(study.wave)] if study.wave in earlier else []
    previous = {}
    for name in earlier:
        at = study.for_wave(name)
        previous[name] = (
            at.store.processed.secret_cells,
            at.store.processed.indicators,
            at.store.reports_dir,
        )
    audit = audit_release_folder(
        folder, processed.secret_cells, study.thresholds, wave=str(study.wave), previous=previous
    )
    # without its timing: the summary changes only when the release does
    summary = _stable(audit.to_dict())
    weighting = json.loads(processed.weighting.read_text(encoding="utf-8"))
    changed = weighting.get(RELEASE_AUDIT) != summary
    if changed:
        weighting[RELEASE_AUDIT] = summary
        write_json(processed.weighting, weighting)
        refresh_outputs(store, "estimate", [processed.weighting])
    require_release_protected(audit)
    return audit, changed


def _stable(summary: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in summary.items() if k not in _VOLATILE}
