"""Statistical secrecy and precision flags of the indicators table.

Applied before anything is drawn or written. Flags, in order of precedence:

``s`` (secret)
    *Primary*: the cell rests on fewer than ``secret_min_firms`` firms (3): fewer respondents in
    the base, or — for a share of firms — between 1 and 2 firms giving that answer (or, for a
    yes/no indicator, not giving it) where those respondents are at least
    ``secret_answer_coverage`` (half) of the firms they represent: there the firms are known
    (large firms, sampled exhaustively); a respondent of a sampled stratum stands for several
    firms nobody can name, and a count of such respondents tells nothing about a firm; for a
    mean, fewer than 3 firms with a non-zero value, or
    one firm accounting for more than ``secret_dominance`` (85 %) of the weighted total.
    Person-level tables (pilot training) need ``secret_min_persons`` (11) persons in the base.
    *Secondary*: every cell hidden by a primary rule (``s`` or ``nd``) of an indicator's linked
    tables (levels of a distribution that sum to 100 %, levels adding up to a top-two box or a
    derived indicator, domains adding up to their parent domain, « ne sait pas » rows) is
    proven protected by linear programming on the weighted totals, more cells being hidden
    until it is (:func:`iaobs.stats.secrecy.protect_linked`); the summary of that audit is in
    the returned table's ``attrs["secret"]``. Without weighted bases (a plain table of
    counts), the smallest other published cell of a relation whose only hidden cell is secret
    is made secret too, until no secret cell can be recovered.
``nd`` (not shown)
    Fewer than ``nd_below`` (10) respondents in the base.
``prudence``
    Fewer than ``prudence_below`` (30) respondents, a coefficient of variation above
    ``prudence_cv`` (33 %), or, for a proportion, an interval wider than ``prudence_ci_width``
    (30 points).

A cell flagged ``s`` or ``nd`` loses its estimate, standard error and interval; its ``n`` and
flag stay.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from iaobs.core.contract import FLAGS, INDICATOR_COLUMNS
from iaobs.stats.secrecy import audit_linked, known_shares, protect_linked, require_protected
from iaobs.study.config import Thresholds

__all__ = ["FLAGS", "SECRET_CELL_COLUMNS", "apply_disclosure", "secret_cells"]

_CONTRACT = list(INDICATOR_COLUMNS)


def _with_defaults(table: pd.DataFrame) -> pd.DataFrame:
    """Add the working columns when a plain contract table is given."""
    t = table.copy()
    if "flag" not in t:
        t["flag"] = ""
    if "_count" not in t:
        t["_count"] = np.where(
            t["statistic"] == "proportion", np.rint(t["estimate"].fillna(0) * t["n"]), t["n"]
        ).astype(np.int64)
    if "_dominance" not in t:
        t["_dominance"] = 0.0
    if "_kind" not in t:
        t["_kind"] = np.where(
            t["statistic"] == "mean", "mean", np.where(t["level"] == "", "flag", "level")
        )
        t.loc[t["level"] == "top2", "_kind"] = "top2"
    if "_parts" not in t:
        t["_parts"] = ""
    if "_partition" not in t:
        t["_partition"] = t["domain"].map(_partition_of)
    return t


def _partition_of(domain: str) -> str:
    if domain == "all":
        return "all"
    return "×".join(part.split("=", 1)[0] for part in domain.split(";"))


def _primary(t: pd.DataFrame, thresholds: Thresholds, unit: str) -> np.ndarray:
    n = t["n"].to_numpy()
    count = t["_count"].to_numpy()
    kind = t["_kind"].to_numpy()
    minimum = thresholds.secret_min_persons if unit == "persons" else thresholds.secret_min_firms
    secret = (n > 0) & (n < minimum)
    if unit != "persons":
        # the firms giving an answer are known where the respondents giving it are most of
        # the firms they represent (large firms, sampled exhaustively); one respondent of a
        # sampled stratum stands for firms nobody can name (a table without weights: always)
        rest = n - count
        known = known_rest = np.ones(len(t), dtype=bool)
        if "weighted_base" in t:
            base = pd.to_numeric(t["weighted_base"], errors="coerce").to_numpy(dtype=float)
            share_value = np.clip(t["estimate"].to_numpy(dtype=float), 0.0, 1.0)
            known = _coverage(count, share_value * base) >= thresholds.secret_answer_coverage
            known_rest = _coverage(rest, (1 - share_value) * base) >= (
                thresholds.secret_answer_coverage
            )
        share = np.isin(kind, ["level", "top2", "flag", "derived"])
        secret |= share & known & (count > 0) & (count < minimum)
        binary = np.isin(kind, ["flag", "derived"])
        secret |= binary & known_rest & (rest > 0) & (rest < minimum)
        mean = kind == "mean"
        secret |= mean & (count > 0) & (count < minimum)
        secret |= mean & (t["_dominance"].to_numpy() > thresholds.secret_dominance)
    return secret


def _coverage(respondents: np.ndarray, firms: np.ndarray) -> np.ndarray:
    """Respondents over the firms they represent (weighted count); 1 where it is unknown."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.asarray(respondents, dtype=float) / np.asarray(firms, dtype=float)
    return np.where(np.isfinite(out) & (np.asarray(firms, dtype=float) > 0), out, 1.0)


def _precision(t: pd.DataFrame, thresholds: Thresholds) -> np.ndarray:
    n = t["n"].to_numpy()
    est = t["estimate"].to_numpy(dtype=float)
    se = t["se"].to_numpy(dtype=float)
    width = t["ci_high"].to_numpy(dtype=float) - t["ci_low"].to_numpy(dtype=float)
    flag = np.full(len(t), "", dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(np.abs(est) > 0, se / np.abs(est), 0.0)
    prop = (t["statistic"] == "proportion").to_numpy()
    prudence = (
        (n < thresholds.prudence_below)
        | (np.nan_to_num(cv) > thresholds.prudence_cv)
        | (prop & (np.nan_to_num(width) > thresholds.prudence_ci_width))
    )
    flag[prudence] = "prudence"
    flag[(n < thresholds.nd_below) | ~np.isfinite(est)] = "nd"
    return flag


def _relations(t: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Linear relations between cells: (group id per row or −1, total row per group, size).

    A total row of −1 means the total is a constant (100 %).
    """
    rows = np.arange(len(t))
    index = pd.Series(rows, index=pd.MultiIndex.from_frame(t[["indicator", "level", "domain"]]))
    index = index[~index.index.duplicated()]
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    count = t["_count"].to_numpy(dtype=float)
    n = t["n"].to_numpy(dtype=float)

    def lookup(ind: pd.Series, lev: pd.Series, dom: pd.Series) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays([ind.to_numpy(), lev.to_numpy(), dom.to_numpy()])
        return index.reindex(keys).fillna(-1).to_numpy(dtype=np.int64)

    # 1. levels of a distribution sum to 100 %
    levels = (t["_kind"] == "level").to_numpy()
    gid = np.full(len(t), -1, dtype=np.int64)
    codes, _ = pd.factorize(pd.MultiIndex.from_frame(t.loc[levels, ["indicator", "domain"]]))
    gid[levels] = codes
    out.append((gid, np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64), count))

    # 2. parts adding up to a published row (top-two box, derived indicators)
    parts = t.loc[t["_parts"].astype(str) != "", ["indicator", "level", "_parts"]].drop_duplicates(
        ["indicator", "level"]
    )
    for total_ind, total_lev, spec in parts.itertuples(index=False, name=None):
        member_ind, member_levels = str(spec).split(":", 1)
        levels_set = member_levels.split("|")
        members = ((t["indicator"] == member_ind) & t["level"].isin(levels_set)).to_numpy()
        if not members.any():
            continue
        gid = np.full(len(t), -1, dtype=np.int64)
        codes, uniq = pd.factorize(t.loc[members, "domain"])
        gid[members] = codes
        dom = pd.Series(np.asarray(uniq, dtype=object))
        totals = lookup(pd.Series([total_ind] * len(dom)), pd.Series([total_lev] * len(dom)), dom)
        out.append((gid, totals, count))

    # 3. domains of a partition add up to their parent domain (weighted)
    part = t["_partition"].astype(str)
    for name in part.unique():
        if name == "all":
            continue
        members = (part == name).to_numpy()
        sub = t.loc[members]
        depth = name.count("×") + 1
        parents_list = []
        if depth == 1:
            parents_list.append(pd.Series("all", index=sub.index))
        else:
            comps = sub["domain"].str.split(";")
            for k in range(depth):
                parents_list.append(comps.map(lambda c, k=k: ";".join(c[:k] + c[k + 1 :])))
        for parent in parents_list:
            gid = np.full(len(t), -1, dtype=np.int64)
            keys = pd.MultiIndex.from_arrays(
                [sub["indicator"].to_numpy(), sub["level"].to_numpy(), parent.to_numpy()]
            )
            codes, uniq = pd.factorize(keys)
            gid[members] = codes
            uframe = (
                uniq.to_frame(index=False)
                if hasattr(uniq, "to_frame")
                else pd.DataFrame(list(uniq))
            )
            totals = lookup(uframe.iloc[:, 0], uframe.iloc[:, 1], uframe.iloc[:, 2])
            out.append((gid, totals, n))
    return out


def _secondary(
    flag: np.ndarray, relations: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> np.ndarray:
    flag = flag.copy()
    for _ in range(50):
        changed = False
        for gid, totals, size in relations:
            m = gid >= 0
            if not m.any():
                continue
            g = gid[m]
            rows = np.flatnonzero(m)
            hidden = np.isin(flag[rows], ["s", "nd"])
            secret = flag[rows] == "s"
            n_groups = len(totals)
            n_hidden = np.bincount(g, weights=hidden, minlength=n_groups)
            any_secret = np.bincount(g, weights=secret, minlength=n_groups) > 0
            members = np.bincount(g, minlength=n_groups)
            total_ok = np.ones(n_groups, dtype=bool)
            has_total = totals >= 0
            total_ok[has_total] = ~np.isin(flag[totals[has_total]], ["s", "nd"])
            need = (n_hidden == 1) & any_secret & total_ok & (members > 1)
            if not need.any():
                continue
            cand = need[g] & ~hidden
            if not cand.any():
                continue
            frame = pd.DataFrame({"g": g[cand], "size": size[rows[cand]], "row": rows[cand]})
            pick = frame.sort_values(["g", "size", "row"]).drop_duplicates("g")["row"].to_numpy()
            flag[pick] = "s"
            changed = True
        if not changed:
            break
    return flag


def apply_disclosure(
    indicators: pd.DataFrame,
    thresholds: Thresholds | None = None,
    *,
    unit: str = "firms",
    not_shown: Sequence[str] = (),
) -> pd.DataFrame:
    """Flag ``s`` / ``nd`` / ``prudence`` and blank the estimates that may not be shown.

    Parameters
    ----------
    indicators
        Indicators table (contract columns; the working columns ``_count`` — respondents in
        the base with that answer or a non-zero value —, ``_dominance``, ``_kind``, ``_parts``
        and ``_partition`` made by :mod:`iaobs.stats.estimate` are used when present).
    thresholds
        Secrecy and precision thresholds of the study.
    unit
        ``firms`` or ``persons`` (pilot training: ``secret_min_persons`` in the base).
    not_shown
        Domains not published at all (``nd``: their respondents do not represent their
        population, :mod:`iaobs.stats.coverage`); hidden before the secondary suppression, so
        that the linked tables protect them too.

    Returns
    -------
    The table with exactly the contract columns; ``estimate``, ``se``, ``ci_low``,
    ``ci_high`` are NaN where the flag is ``s`` or ``nd``. ``attrs["secret"]``: the audit's
    summary; ``attrs["secret_cells"]``: what the release audit needs (the true estimates,
    weighted bases, kinds and relations of every cell, and which were hidden by a primary
    rule) — never published.
    """
    thresholds = thresholds or Thresholds()
    if len(indicators) == 0:
        return indicators.reindex(columns=_CONTRACT)
    t = _with_defaults(indicators.reset_index(drop=True))
    flag = _precision(t, thresholds)
    flag[_primary(t, thresholds, unit)] = "s"
    if not_shown:
        flag[t["domain"].isin(set(not_shown)).to_numpy()] = "nd"
    known = known_shares(t)
    flag[known] = ""
    primary = np.isin(flag, ["s", "nd"])
    if "weighted_base" in t and t["weighted_base"].notna().any():
        flag, audit = protect_linked(t, flag, thresholds, protect=primary, known=known)
        # the release audit: every protected cell checked again from the final flags alone
        final = audit_linked(t.assign(flag=flag), thresholds, protect=primary)
        audit.unprotected, audit.programmes = final.unprotected, audit.programmes + final.programmes
        audit.seconds += final.seconds
        require_protected(audit)
        secrecy = audit.to_dict()
    else:  # no weighted totals: the relations of counts, one hidden cell at a time
        flag = _secondary(flag, _relations(t))
        secrecy = {}
    out = t[_CONTRACT].copy()
    out["flag"] = flag.astype(str)
    hide = np.isin(flag, ["s", "nd"])
    for col in ("estimate", "se", "ci_low", "ci_high"):
        out[col] = out[col].astype(float).where(~hide)
    out["n"] = out["n"].astype(np.int64)
    out.attrs["secret"] = secrecy
    if secrecy:
        out.attrs["secret_cells"] = secret_cells(t, flag, primary)
    return out


#: The columns of the release audit's private table of cells (:func:`secret_cells`).
SECRET_CELL_COLUMNS = (
    "indicator",
    "level",
    "domain",
    "statistic",
    "estimate",
    "weighted_base",
    "flag",
    "primary",
    "_kind",
    "_parts",
)


def secret_cells(t: pd.DataFrame, flag: np.ndarray, primary: np.ndarray) -> pd.DataFrame:
    """The cells as the release audit needs them: true values, bases, kinds, final flags."""
    out = t.reindex(columns=list(SECRET_CELL_COLUMNS)).copy()
    out["flag"] = np.asarray(flag, dtype=object).astype(str)
    out["primary"] = np.asarray(primary, dtype=bool)
    for col in ("indicator", "level", "domain", "statistic", "_kind", "_parts"):
        out[col] = out[col].astype("object").where(out[col].notna(), "").astype(str)
    return out.reset_index(drop=True)
