"""What may be published, and the proof that no hidden cell can be recovered from it.

Two public functions every writer of published numbers calls (Excel, CSV, the site's open data,
report tables and sentences):

* :func:`publishable` — the rows and columns of the indicators table a reader gets: the
  estimate and its interval rounded to the published precision (:func:`round_published`),
  the base ``n`` and the flag; hidden cells (``s``, ``nd``) without any number but their base;
  no standard error, effective size or weighted base (they would let an intruder turn shares
  into weighted totals and subtract them).
* :func:`round_published` — the published precision: proportions to 0.1 point (three decimals of
  a 0–1 share), means to one decimal.

And the secrecy of linked tables (:func:`protect_linked`, :func:`audit_linked`): for each
indicator, the table secteur × taille × level with its margins (all, secteur, taille), the
département table, the top-two box, the derived indicators and the « ne sait pas » rows are
linear relations between weighted totals. The intruder is assumed to know every published
estimate *exactly* (not rounded) and every weighted base (the weights are calibrated on public
population counts). For each hidden cell, the feasibility interval of its value given everything
published is the minimum and maximum of a linear programme (SciPy's HiGHS); the cell is
protected when that interval reaches ``protection_share`` (10 points) on each side of the true
share — clipped to 0 % and 100 % — or ``protection_mean`` (10 %) of a mean. A cell that is not
protected makes :func:`protect_linked` hide one more published cell of a relation it is in, the
one with the smallest base that gives room enough, until every hidden cell is protected.

The interval need not be computed to its ends: every solution of a programme is a point of the
feasible set, and a cell whose value has been seen at or beyond both ends of its protection
interval in such points is protected. The audit keeps those points per indicator, which spares
most programmes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iaobs.core.contract import HIDDEN_FLAGS, Thresholds
from iaobs.errors import StatisticsError

__all__ = [
    "CELL_VALUES",
    "PUBLISHED_COLUMNS",
    "PUBLISHED_DIGITS",
    "WITHHELD",
    "SecrecyAudit",
    "audit_linked",
    "known_shares",
    "protect_linked",
    "publishable",
    "require_protected",
    "round_published",
]

#: The columns of a published indicators file, in order.
PUBLISHED_COLUMNS: tuple[str, ...] = (
    "indicator",
    "level",
    "domain",
    "statistic",
    "estimate",
    "ci_low",
    "ci_high",
    "n",
    "flag",
)
#: Decimals of a published number by statistic (a proportion is a 0–1 share: 3 = 0.1 point).
PUBLISHED_DIGITS: dict[str, int] = {"proportion": 3, "mean": 1}

_VALUES = ("estimate", "ci_low", "ci_high")


def round_published(table: pd.DataFrame) -> pd.DataFrame:
    """The table with ``estimate``, ``ci_low`` and ``ci_high`` rounded to the published precision.

    Proportions (0–1 shares) to three decimals (0.1 point), means to one decimal
    (:data:`PUBLISHED_DIGITS`); other columns unchanged. Returns a new frame.
    """
    out = table.copy()
    statistic = out["statistic"].astype(str).to_numpy() if "statistic" in out else None
    for col in _VALUES:
        if col not in out:
            continue
        values = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype=float)
        rounded = values.copy()
        for stat, digits in PUBLISHED_DIGITS.items():
            sel = statistic == stat if statistic is not None else np.ones(len(out), dtype=bool)
            rounded[sel] = np.round(values[sel], digits)
        out[col] = rounded
    return out


def publishable(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators a reader may get: the one decision of what is published.

    Parameters
    ----------
    indicators
        The indicators table (contract columns, flags set by :mod:`iaobs.stats.disclosure`).

    Returns
    -------
    A new frame with the columns :data:`PUBLISHED_COLUMNS`: estimates and intervals rounded by
    :func:`round_published`, empty (NaN) for a hidden cell (``s``, ``nd``); ``n`` kept for a
    hidden cell only when it is the base of its distribution (a hidden « ne sait pas » row has
    a larger base, and the difference would be its count of firms), as a nullable integer.
    """
    if not {"indicator", "domain"} <= set(indicators.columns):
        return _publishable_cells(indicators)
    if len(indicators) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PUBLISHED_COLUMNS})
    t = indicators.reset_index(drop=True)
    hidden = t["flag"].astype(str).isin(HIDDEN_FLAGS).to_numpy()
    out = t.reindex(columns=list(PUBLISHED_COLUMNS)).copy()
    for col in _VALUES:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).where(~hidden)
    out = round_published(out)
    n = pd.to_numeric(t["n"], errors="coerce")
    base = n.groupby([t["indicator"], t["domain"]], sort=False).transform("min")
    out["n"] = n.where(~hidden | (n == base)).astype("Int64")
    out["flag"] = t["flag"].fillna("").astype(str)
    return out


#: Columns of a table of cells that carry a figure (blank when the cell is hidden).
CELL_VALUES: tuple[str, ...] = ("estimate", "value", "ci_low", "ci_high", "rest", "difference")
#: Columns never published: they would turn shares into weighted totals.
WITHHELD: tuple[str, ...] = ("se", "n_eff", "weighted_base", "se_difference")


def _publishable_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A table of cells that are not indicators rows (a report's table cells): every column
    but :data:`WITHHELD`; a cell flagged ``s`` or ``nd`` keeps its base and flag, loses every
    figure; shares rounded like estimates when the table says which rows are proportions."""
    out = table.drop(columns=[c for c in WITHHELD if c in table.columns]).reset_index(drop=True)
    if "flag" in out:
        flags = out["flag"].astype("string").fillna("").str.strip()
        hidden = flags.isin(HIDDEN_FLAGS).to_numpy()
    else:
        hidden = np.zeros(len(out), dtype=bool)
    for column in CELL_VALUES:
        if column in out.columns:
            values = pd.to_numeric(out[column], errors="coerce").astype("Float64")
            values[hidden] = pd.NA
            out[column] = values
    if "statistic" in out:
        out = round_published(out)
    return out


# ============================================================================ linked tables


@dataclass
class SecrecyAudit:
    """What the audit of the linked tables found (written to ``weighting.json``)."""

    hidden: int = 0  # hidden cells with a non-empty base
    audited: int = 0  # of which checked by the programme (the others are alone in no relation)
    added: int = 0  # cells hidden by this secondary suppression
    programmes: int = 0  # linear programmes solved
    seconds: float = 0.0
    protection_share: float = 0.10
    protection_mean: float = 0.10
    narrowest: float = float("inf")  # narrowest proven interval of a protected share, points
    unprotected: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary (French keys, as in ``weighting.json``)."""
        return {
            "moteur": "programmation linéaire (SciPy, HiGHS)",
            "cellules_masquees": self.hidden,
            "cellules_auditees": self.audited,
            "secret_secondaire_ajoute": self.added,
            "programmes_resolus": self.programmes,
            "secondes": round(self.seconds, 3),
            "niveau_protection_part": self.protection_share,
            "niveau_protection_moyenne": self.protection_mean,
            "intervalle_le_plus_etroit_points": (
                round(self.narrowest, 1) if np.isfinite(self.narrowest) else None
            ),
            "cellules_non_protegees": list(self.unprotected),
            "conforme": not self.unprotected,
        }


def known_shares(table: pd.DataFrame) -> np.ndarray:
    """The cells whose value every reader knows, whatever is published.

    The share of a domain variable's class within a domain, when the domain crossed with that
    variable is itself a domain of the table: the share of ETI among the banks is the weighted
    base of the banks' ETI over the banks', two population counts the weights are calibrated on
    (and the intruder is assumed to know every weighted base). Such a cell is no secret, is
    published whatever its base, and is never hidden to protect others.
    """
    domains = table["domain"].astype(str)
    partitions = {frozenset(_variables(d)) for d in pd.unique(domains) if d != "all"}
    names = {v for p in partitions for v in p}
    indicator = table["indicator"].astype(str).to_numpy()
    level = (table["_kind"].astype(str) == "level").to_numpy()
    known = np.zeros(len(table), dtype=bool)
    for k in np.flatnonzero(level & np.isin(indicator, list(names))):
        known[k] = frozenset(_variables(domains.iat[k]) | {indicator[k]}) in partitions
    return known


def _variables(domain: str) -> set[str]:
    return set() if domain == "all" else {c.split("=", 1)[0] for c in domain.split(";")}


@dataclass
class _Group:
    """One indicator's linked cells: values and bases in weighted totals, relations between them.

    ``eq_cells[k]``/``eq_coefs[k]``: the cells of relation ``k`` and their coefficients, with
    ``Σ coef·x − slack = rhs`` where the slack lies in ``[0, eq_gap[k]]`` (the part of a parent
    domain that no child covers; 0 when the children cover it).
    """

    rows: np.ndarray  # positions in the indicators table
    value: np.ndarray  # weighted total of each cell (estimate × weighted base), scaled
    low: np.ndarray  # lower bound of a cell's value
    high: np.ndarray  # upper bound of a cell's value
    half: np.ndarray  # protection half-width of a cell, in the same unit
    target: np.ndarray  # cells whose protection is checked (hidden, non-empty base)
    eq_cells: list[np.ndarray]
    eq_coefs: list[np.ndarray]
    eq_rhs: np.ndarray
    eq_gap: np.ndarray

    def __post_init__(self) -> None:
        self.known = np.zeros(len(self.value), dtype=bool)  # cells every reader knows
        self.eq_lists = [[int(k) for k in cells] for cells in self.eq_cells]
        self.room = np.minimum(self.value - self.low, self.high - self.value)
        self.depth = np.zeros(len(self.value), dtype=np.int64)


def _group_keys(t: pd.DataFrame) -> np.ndarray:
    """The linked table of each row: its indicator; its source for a derived row; each
    « ne sait pas » row apart (its base includes the substantive answers)."""
    kind = t["_kind"].astype(str).to_numpy()
    key = t["indicator"].astype(str).to_numpy().astype(object)
    derived = kind == "derived"
    if derived.any():
        key[derived] = t.loc[derived, "_parts"].astype(str).str.split(":", n=1).str[0].to_numpy()
    missing = kind == "missing"
    if missing.any():
        key[missing] = key[missing] + "|" + t.loc[missing, "level"].astype(str).to_numpy()
    rest = kind == "rest"
    if rest.any():  # the rest of the region beside a domain: in its source row's group
        where = {
            (i, lv, d): k
            for i, lv, d, k in zip(
                t["indicator"].astype(str),
                t["level"].astype(str),
                t["domain"].astype(str),
                key,
                strict=True,
            )
        }
        for r in np.flatnonzero(rest):
            of = str(t["_parts"].iat[r]).split(":", 1)[-1]
            source = (str(t["indicator"].iat[r]), str(t["level"].iat[r]), of)
            key[r] = where.get(source, key[r])
    return key


def _domain_relations(domains: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """(parent, children) for every partition of a parent domain among ``domains``."""
    present = set(domains)
    groups: dict[tuple[str, str], list[str]] = {}
    for dom in domains:
        if dom == "all":
            continue
        comps = dom.split(";")
        for j, comp in enumerate(comps):
            rest = comps[:j] + comps[j + 1 :]
            parent = ";".join(rest) if rest else "all"
            if parent in present:
                groups.setdefault((parent, comp.split("=", 1)[0]), []).append(dom)
    return [(parent, children) for (parent, _), children in groups.items()]


_RELATIONS_CACHE: dict[tuple[str, ...], list[tuple[str, list[str]]]] = {}


def _relations_of(domains: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    if domains not in _RELATIONS_CACHE:
        _RELATIONS_CACHE[domains] = _domain_relations(domains)
    return _RELATIONS_CACHE[domains]


def _significant(x: np.ndarray, digits: int = 11) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits (0 and non-finite values unchanged)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.where((x != 0) & np.isfinite(x), np.floor(np.log10(np.abs(x))), 0.0)
    factor = 10.0 ** (digits - 1 - magnitude)
    return np.where(np.isfinite(x), np.round(x * factor) / factor, x)


def _build_group(g: pd.DataFrame, rows: np.ndarray, hidden: np.ndarray, th: Thresholds) -> _Group:
    """The cells and relations of one linked table (``g``: its rows of the working table)."""
    kind = g["_kind"].astype(str).to_numpy()
    base = np.nan_to_num(g["weighted_base"].to_numpy(dtype=float))
    est = g["estimate"].to_numpy(dtype=float)
    if "statistic" in g:  # the rest of the region beside a mean is a mean
        kind = np.where((kind == "rest") & (g["statistic"].astype(str) == "mean"), "mean", kind)
    finite = np.isfinite(est)
    scale = max(float(base.max()) if len(base) else 1.0, 1e-12)
    # rounded to 11 significant digits so that the choice of cells does not hang on the last
    # bits of a computation, while the relations still hold within the solver's tolerance
    base = _significant(base / scale)
    value = _significant(np.where(finite, est, 0.0)) * base
    mean = kind == "mean"
    low = np.zeros(len(g))
    high = base.copy()
    high[mean] = np.inf
    if mean.any() and (value[mean] < 0).any():
        low[mean] = -np.inf
    half = np.where(mean, th.protection_mean * np.abs(value), th.protection_share * base)
    target = hidden & (base > 0) & finite
    # a cell hidden to protect others is not a single value either: it stays uncertain by at
    # least the published precision (0.1 point, 1 % of a mean)
    half[~target] *= _SECONDARY_SHARE
    cells, coefs, rhs, gap = _group_relations(g, base, kind)
    group = _Group(rows, value, low, high, half, target, cells, coefs, rhs, gap)
    dom = g["domain"].astype(str)
    group.depth = np.where(dom == "all", 0, dom.str.count(";") + 1).astype(np.int64)
    return group


def _group_relations(
    g: pd.DataFrame, base: np.ndarray, kind: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    ind = g["indicator"].astype(str).to_numpy()
    lev = g["level"].astype(str).to_numpy()
    dom = g["domain"].astype(str).to_numpy()
    pos = {(i, lv, d): k for k, (i, lv, d) in enumerate(zip(ind, lev, dom, strict=True))}
    cells: list[np.ndarray] = []
    coefs: list[np.ndarray] = []
    rhs: list[float] = []
    gap: list[float] = []
    # 1. the substantive levels of a distribution add up to its base
    levels = np.flatnonzero(kind == "level")
    if len(levels):
        for d in pd.unique(dom[levels]):
            members = levels[dom[levels] == d]
            cells.append(members)
            coefs.append(np.ones(len(members)))
            rhs.append(float(base[members].max()))
            gap.append(0.0)
    # 2. a top-two box or a derived indicator is the sum of its levels
    for k in np.flatnonzero(np.isin(kind, ["top2", "derived"])):
        spec = str(g["_parts"].iat[k])
        source, codes = spec.split(":", 1) if ":" in spec else (ind[k], "")
        members = [pos.get((source, c, dom[k])) for c in codes.split("|")]
        if any(m is None for m in members):
            continue
        cells.append(np.array([k, *members], dtype=np.int64))
        coefs.append(np.array([1.0] + [-1.0] * len(members)))
        rhs.append(0.0)
        gap.append(0.0)
    # 3. the children of a partition add up to their parent domain (rest: the uncovered part)
    mean = kind == "mean"
    rest = kind == "rest"
    for k in np.flatnonzero(rest):  # a domain and the rest of the region make the region
        of = str(g["_parts"].iat[k]).split(":", 1)[-1]
        top, part = pos.get((ind[k], lev[k], "all")), pos.get((ind[k], lev[k], of))
        if top is None or part is None:
            continue
        cells.append(np.array([top, part, k], dtype=np.int64))
        coefs.append(np.array([1.0, -1.0, -1.0]))
        rhs.append(0.0)
        uncovered = base[top] - base[part] - base[k]
        gap.append(uncovered if uncovered > _COVERED else 0.0)
    for parent, children in _relations_of(tuple(pd.unique(dom[~rest]))):
        for i, lv in dict.fromkeys(zip(ind, lev, strict=True)):  # in order: reproducible LPs
            top = pos.get((i, lv, parent))
            kids = [pos.get((i, lv, c)) for c in children]
            kids = [c for c in kids if c is not None]
            if top is None or not kids:
                continue
            rest = base[top] - base[kids].sum()
            if rest < -_COVERED or (mean[top] and rest > _COVERED):
                continue
            cells.append(np.array([top, *kids], dtype=np.int64))
            coefs.append(np.array([1.0] + [-1.0] * len(kids)))
            rhs.append(0.0)
            gap.append(rest if rest > _COVERED else 0.0)
    return cells, coefs, np.asarray(rhs, dtype=float), np.asarray(gap, dtype=float)


_TOL = 1e-7
_COVERED = 1e-6  # children whose bases add up to their parent's within this (scaled) cover it
_SECONDARY_SHARE = 0.01  # of the protection level: 0.1 point when it is 10 points


class _Prover:
    """The feasible set of a group's hidden cells given the published ones, and points in it.

    ``seen_low``/``seen_high``: the smallest and largest value of each cell over the feasible
    points found so far (the true values first). Hiding more cells only enlarges the feasible
    set, so these stay valid across repairs.
    """

    def __init__(self, group: _Group) -> None:
        self.group = group
        self.seen_low = group.value.copy()
        self.seen_high = group.value.copy()
        self.programmes = 0
        # what a reader knows before anything is published (the cells every reader knows
        # bound the others): a protection interval never needs to go beyond it
        self.prior_low, self.prior_high = group.low.copy(), group.high.copy()
        self._prior: tuple[dict[int, int], object] | bool | None = False
        self._prior_done: set[tuple[int, str]] = set()

    def seen(self, point: np.ndarray, hidden: np.ndarray) -> None:
        """Record a feasible point (published cells at their values, hidden ones anywhere)."""
        self.seen_low[hidden] = np.minimum(self.seen_low[hidden], point[hidden])
        self.seen_high[hidden] = np.maximum(self.seen_high[hidden], point[hidden])

    def goals(self) -> tuple[np.ndarray, np.ndarray]:
        g = self.group
        low = np.maximum(self.prior_low, g.value - g.half)
        return low, np.minimum(self.prior_high, g.value + g.half)

    def bound_prior(self, c: int, side: str) -> bool:
        """Narrow the prior interval of cell ``c`` on one side from the cells every reader
        knows; whether it changed."""
        if not self.group.known.any() or (c, side) in self._prior_done:
            return False
        self._prior_done.add((c, side))
        if self._prior is False:
            self._prior = self._programme(~self.group.known)
        if self._prior is None or c not in self._prior[0]:  # type: ignore[index]
            return False
        var_of, solver = self._prior  # type: ignore[misc]
        x, _ = solver.extreme(var_of[c], side)
        self.programmes += 1
        if x is None:
            return False
        value = float(x[var_of[c]])
        if side == "min" and value > self.prior_low[c]:
            self.prior_low[c] = min(value, self.group.value[c])
            return True
        if side == "max" and value < self.prior_high[c]:
            self.prior_high[c] = max(value, self.group.value[c])
            return True
        return False

    def check(self, hidden: np.ndarray, cells: np.ndarray) -> list[tuple[int, str]]:
        """The cells of ``cells`` whose feasibility interval misses its goal, with the side."""
        want_low, want_high = self.goals()
        failures: list[tuple[int, str]] = []
        lp = None
        for c in cells:
            for side in ("min", "max"):
                if self.reached(c, side, want_low, want_high):
                    continue
                if lp is None:
                    lp = self._programme(hidden)
                if lp is None or c not in lp[0]:  # in no relation: free within its bounds
                    self.seen_low[c], self.seen_high[c] = self.group.low[c], self.group.high[c]
                else:
                    self._solve(lp, c, side)
                if not self.reached(c, side, want_low, want_high) and self.bound_prior(c, side):
                    want_low, want_high = self.goals()
                if not self.reached(c, side, want_low, want_high):
                    failures.append((int(c), side))
        return failures

    def reached(self, c: int, side: str, want_low: np.ndarray, want_high: np.ndarray) -> bool:
        # the solver's tolerances are relative: so is the check (a mean's total may be large)
        if side == "min":
            return bool(self.seen_low[c] <= want_low[c] + _TOL * max(1.0, abs(want_low[c])))
        return bool(self.seen_high[c] >= want_high[c] - _TOL * max(1.0, abs(want_high[c])))

    def _programme(self, hidden: np.ndarray) -> tuple[dict[int, int], object] | None:
        """Equality system over the hidden cells (published ones moved to the right side)."""
        from scipy import sparse  # lazy: only when a hidden cell is linked

        g = self.group
        var_of = {int(c): k for k, c in enumerate(np.flatnonzero(hidden))}
        n_cells = len(var_of)
        rows, cols, vals, rhs, slack_high = [], [], [], [], []
        for cells, coefs, b, gap in zip(g.eq_cells, g.eq_coefs, g.eq_rhs, g.eq_gap, strict=True):
            mask = hidden[cells]
            if not mask.any():
                continue
            r = len(rhs)
            rows.extend([r] * int(mask.sum()))
            cols.extend(var_of[int(c)] for c in cells[mask])
            vals.extend(coefs[mask])
            rhs.append(b - float(coefs[~mask] @ g.value[cells[~mask]]))
            slack_high.append(gap)
        if not rhs:
            return None
        slacks = [k for k, s in enumerate(slack_high) if s > 0]
        for j, r in enumerate(slacks):
            rows.append(r)
            cols.append(n_cells + j)
            vals.append(-1.0)
        order = np.flatnonzero(hidden)
        low = np.concatenate([g.low[order], np.zeros(len(slacks))])
        high = np.concatenate([g.high[order], np.asarray(slack_high)[slacks]])
        shape = (len(rhs), n_cells + len(slacks))
        a = sparse.csr_matrix((vals, (rows, cols)), shape=shape)
        linked = set(cols)
        var_of = {c: k for c, k in var_of.items() if k in linked}
        return var_of, _Programme(a, np.asarray(rhs, dtype=float), low, high, order)

    def _solve(self, lp: tuple[dict[int, int], object], c: int, side: str) -> None:
        var_of, solver = lp  # type: ignore[misc]
        x, unbounded = solver.extreme(var_of[c], side)
        self.programmes += 1
        if unbounded:
            if side == "min":
                self.seen_low[c] = -np.inf
            else:
                self.seen_high[c] = np.inf
        if x is None:
            return
        order = solver.order
        x = x[: len(order)]
        self.seen_low[order] = np.minimum(self.seen_low[order], x)
        self.seen_high[order] = np.maximum(self.seen_high[order], x)


class _Programme:
    """``A x = b``, ``low ≤ x ≤ high``, solved for the extremes of one variable at a time.

    HiGHS is loaded once with the system; each extreme only changes the objective, and the
    simplex starts from the last basis, which makes a programme cost well under a millisecond.
    SciPy's ``linprog`` (the same HiGHS) is used where its solver object is not available.
    """

    def __init__(self, a: object, rhs: np.ndarray, low: np.ndarray, high: np.ndarray, order):
        self.order = order
        self.n = a.shape[1]  # type: ignore[attr-defined]
        self.cost = -1
        try:
            from scipy.optimize._highspy import _core  # lazy: HiGHS only when cells are linked
        except ImportError:  # pragma: no cover - older or newer SciPy
            self.highs = None
            self.args = (a, rhs, low, high)
            return
        self.core = _core
        csc = a.tocsc()  # type: ignore[attr-defined]
        model = _core.HighsLp()
        model.num_col_, model.num_row_ = self.n, len(rhs)
        model.col_cost_ = np.zeros(self.n)
        inf = _core.kHighsInf
        model.col_lower_ = np.where(np.isinf(low), -inf, low)
        model.col_upper_ = np.where(np.isinf(high), inf, high)
        model.row_lower_ = model.row_upper_ = np.asarray(rhs, dtype=float)
        model.a_matrix_.format_ = _core.MatrixFormat.kColwise
        model.a_matrix_.start_ = csc.indptr
        model.a_matrix_.index_ = csc.indices
        model.a_matrix_.value_ = csc.data
        self.highs = _core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(model)

    def extreme(self, j: int, side: str) -> tuple[np.ndarray | None, bool]:
        """A solution at the minimum or maximum of variable ``j``, and whether it is unbounded."""
        if self.highs is None:  # pragma: no cover
            return self._linprog(j, side)
        h, core = self.highs, self.core
        if self.cost != j:
            if self.cost >= 0:
                h.changeColCost(self.cost, 0.0)
            h.changeColCost(j, 1.0)
            self.cost = j
        sense = core.ObjSense.kMinimize if side == "min" else core.ObjSense.kMaximize
        h.changeObjectiveSense(sense)
        h.run()
        status = h.getModelStatus()
        if status == core.HighsModelStatus.kOptimal:
            return np.asarray(h.getSolution().col_value), False
        return None, status == core.HighsModelStatus.kUnbounded

    def _linprog(self, j: int, side: str) -> tuple[np.ndarray | None, bool]:  # pragma: no cover
        from scipy.optimize import linprog  # lazy: fallback only

        a, rhs, low, high = self.args
        cost = np.zeros(self.n)
        cost[j] = 1.0 if side == "min" else -1.0
        bounds = [
            (None if np.isinf(lo) else lo, None if np.isinf(hi) else hi)
            for lo, hi in zip(low, high, strict=True)
        ]
        res = linprog(cost, A_eq=a, b_eq=rhs, bounds=bounds, method="highs")
        return (res.x if res.status == 0 else None), res.status == 3


class _Repairer:
    """The cheapest published cells to hide so that a cell can reach one end of its goal.

    A linear programme over deviations from the true values: each cell ``k`` moves by
    ``u_k − v_k`` (``u, v ≥ 0``) within its bounds, every relation still holds (its uncovered
    part moving within its own bounds), the cell to protect moves exactly to its goal, and the
    cost is the weighted movement of *published* cells — a margin costs more than a cell of
    the finest domains. The cells that move are those to hide: once they are hidden, the moved
    values are a feasible point, so the goal is reached (the classic incremental attacker
    of cell suppression, as in τ-Argus' optimal method, one cell at a time).
    """

    def __init__(self, group: _Group) -> None:
        from scipy import sparse  # lazy: only when a cell needs more suppression

        self.group = g = group
        n, m = len(g.value), len(g.eq_lists)
        rows = np.concatenate([np.full(len(c), e) for e, c in enumerate(g.eq_cells)] or [[]])
        cols = np.concatenate(g.eq_cells or [np.zeros(0, dtype=np.int64)]).astype(np.int64)
        vals = np.concatenate(g.eq_coefs or [np.zeros(0)])
        a = sparse.csr_matrix((vals, (rows.astype(np.int64), cols)), shape=(m, n))
        true_slack = (a @ g.value) - g.eq_rhs if m else np.zeros(0)
        self.matrix = sparse.hstack([a, -a, -sparse.identity(m)]).tocsc()
        up = np.where(np.isfinite(g.high), g.high - g.value, np.inf)
        down = np.where(np.isfinite(g.low), g.value - g.low, np.inf)
        up[g.known] = down[g.known] = 0.0  # a cell every reader knows cannot be hidden
        self.col_low = np.zeros(2 * n + m)
        self.col_high = np.concatenate([np.maximum(up, 0), np.maximum(down, 0), np.zeros(m)])
        self.col_low[2 * n :] = np.minimum(0.0, -true_slack)
        self.col_high[2 * n :] = np.maximum(0.0, g.eq_gap - true_slack)
        finite = np.where(np.isfinite(g.high), g.high, np.abs(g.value))
        # cost of hiding a cell: its base (a margin costs more than a fine cell), the
        # overall domain most, and among cells of one base the smaller value first
        self.weight = 0.05 + finite + 0.1 * np.abs(g.value) + 10.0 * (g.depth == 0)
        self.n = n

        self.solver = _Minimiser(self.matrix, self.col_low, self.col_high)
        self.costed = np.zeros(n, dtype=bool)

    def cells_to_hide(self, hidden: np.ndarray, c: int, goal: float) -> np.ndarray | None:
        """Published cells to hide for cell ``c`` to reach ``goal``; None when impossible."""
        n = self.n
        if self.solver.cost is None or (self.costed != hidden).any():
            cost = np.zeros(self.matrix.shape[1])
            cost[:n] = cost[n : 2 * n] = np.where(hidden, 0.0, self.weight)
            self.solver.set_cost(cost)
            self.costed = hidden.copy()
        move = goal - self.group.value[c]
        fixed = {c: max(move, 0.0), n + c: max(-move, 0.0)}
        x = self.solver.solve(fixed)
        if x is None:
            return None
        moved = (x[:n] + x[n : 2 * n]) > 1e-9
        self.point = self.group.value + x[:n] - x[n : 2 * n]  # feasible once they are hidden
        return np.flatnonzero(moved & ~hidden)


class _Minimiser:
    """``min cost·x`` subject to ``matrix x = 0`` and bounds, some columns fixed per call.

    One HiGHS model for all calls: a call changes the fixed columns' bounds (and the costs when
    they change) and starts from the last basis. SciPy's ``linprog`` where the solver object of
    HiGHS is not available.
    """

    def __init__(self, matrix, low: np.ndarray, high: np.ndarray) -> None:
        self.matrix, self.low, self.high = matrix, low, high
        self.cost: np.ndarray | None = None
        try:
            from scipy.optimize._highspy import _core  # lazy: HiGHS only when needed
        except ImportError:  # pragma: no cover - older or newer SciPy
            self.highs = None
            return
        self.core = _core
        model = _core.HighsLp()
        model.num_col_, model.num_row_ = matrix.shape[1], matrix.shape[0]
        model.col_cost_ = np.zeros(matrix.shape[1])
        model.col_lower_ = low
        model.col_upper_ = np.where(np.isinf(high), _core.kHighsInf, high)
        model.row_lower_ = model.row_upper_ = np.zeros(matrix.shape[0])
        model.a_matrix_.format_ = _core.MatrixFormat.kColwise
        model.a_matrix_.start_ = matrix.indptr
        model.a_matrix_.index_ = matrix.indices
        model.a_matrix_.value_ = matrix.data
        self.highs = _core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(model)

    def set_cost(self, cost: np.ndarray) -> None:
        self.cost = cost
        if self.highs is not None:
            idx = np.arange(len(cost), dtype=np.int32)
            self.highs.changeColsCost(len(cost), idx, cost)

    def solve(self, fixed: dict[int, float]) -> np.ndarray | None:
        if self.highs is None:  # pragma: no cover
            return self._linprog(fixed)
        h, core = self.highs, self.core
        for j, v in fixed.items():
            h.changeColBounds(j, v, v)
        h.run()
        ok = h.getModelStatus() == core.HighsModelStatus.kOptimal
        x = np.asarray(h.getSolution().col_value) if ok else None
        inf = core.kHighsInf
        for j in fixed:
            h.changeColBounds(j, self.low[j], self.high[j] if np.isfinite(self.high[j]) else inf)
        return x

    def _linprog(self, fixed: dict[int, float]) -> np.ndarray | None:  # pragma: no cover
        from scipy.optimize import linprog  # lazy: fallback

        low, high = self.low.copy(), self.high.copy()
        for j, v in fixed.items():
            low[j] = high[j] = v
        bounds = [(lo, None if np.isinf(hi) else hi) for lo, hi in zip(low, high, strict=True)]
        res = linprog(
            self.cost, A_eq=self.matrix, b_eq=np.zeros(self.matrix.shape[0]), bounds=bounds
        )
        return res.x if res.status == 0 else None


def _protect_group(
    group: _Group, hidden: np.ndarray, audit: SecrecyAudit, repair: bool
) -> tuple[np.ndarray, list[int]]:
    """Hide cells of one group until each hidden cell is protected; the new hidden mask."""
    hidden = hidden.copy()
    prover = _Prover(group)
    repairer: _Repairer | None = None
    pending = np.flatnonzero(hidden & (group.high > 0) & (group.target | repair))
    given_up: set[int] = set()  # cells hidden for others that no suppression can free
    failed: list[int] = []
    for _ in range(200):
        failures = prover.check(hidden, pending)
        if not failures:
            break
        if not repair:  # a cell hidden for others may be pinned by structure (a 0 % margin)
            failed = sorted({c for c, _ in failures if group.target[c]})
            break
        repairer = repairer or _Repairer(group)
        want_low, want_high = prover.goals()
        stuck: list[int] = []
        for c, side in failures:
            if prover.reached(c, side, want_low, want_high):
                continue  # freed by a cell hidden for another one in this round
            goal = want_low[c] if side == "min" else want_high[c]
            cells = repairer.cells_to_hide(hidden, c, goal)
            prover.programmes += 1
            if cells is None:
                stuck.append(c)
                continue
            hidden[cells] = True
            audit.added += len(cells)
            prover.seen(repairer.point, hidden)
            pending = np.union1d(pending, cells[group.high[cells] > 0])
        failed = sorted({c for c in stuck if group.target[c]})
        given_up |= {c for c in stuck if not group.target[c]}
        if failed or len(stuck) == len(failures):
            break
        pending = np.setdiff1d(np.union1d([c for c, _ in failures], pending), list(given_up))
    audit.programmes += prover.programmes
    share = group.target & hidden & np.isfinite(group.high) & (group.high > 0)
    # a cell that public knowledge already bounds is protected up to those bounds only
    share &= (prover.prior_low <= group.low) & (prover.prior_high >= group.high)
    if share.any():  # the proven width of each protected share's interval (a lower bound)
        width = (prover.seen_high[share] - prover.seen_low[share]) / group.high[share] * 100
        audit.narrowest = min(audit.narrowest, float(width.min()))
    return hidden, [int(group.rows[c]) for c in failed]


def protect_linked(
    table: pd.DataFrame,
    flag: np.ndarray,
    thresholds: Thresholds | None = None,
    *,
    repair: bool = True,
    protect: np.ndarray | None = None,
    known: np.ndarray | None = None,
) -> tuple[np.ndarray, SecrecyAudit]:
    """Secondary suppression over each indicator's linked tables, proven by linear programming.

    Parameters
    ----------
    table
        Working indicators table: contract columns with the true ``estimate`` and
        ``weighted_base`` of every cell, and the working columns ``_kind`` and ``_parts`` of
        :mod:`iaobs.stats.estimate`.
    flag
        The flags so far (primary secrecy, precision and simple secondary suppression).
    thresholds
        ``protection_share`` (0–1 share: 0.10 = 10 points) and ``protection_mean`` (relative).
    repair
        Hide more cells until every hidden cell is protected (``False``: only audit).
    protect
        The cells that need a protection interval (default: every hidden cell). Cells hidden
        only to protect others need none, as in τ-Argus: pass the primary ones (``s`` by the
        primary rules, ``nd``).
    known
        Cells every reader knows whatever is published (a share that is a ratio of population
        counts): never hidden to protect others.

    Returns
    -------
    The new flags (cells hidden here are ``s``) and the audit's summary; its ``unprotected``
    lists the rows (positions in ``table``) whose interval stays narrower than the protection.
    """
    th = thresholds or Thresholds()
    start = time.perf_counter()
    flag = np.asarray(flag, dtype=object).copy()
    audit = SecrecyAudit(protection_share=th.protection_share, protection_mean=th.protection_mean)
    t = table.reset_index(drop=True)
    known = known_shares(t) if known is None else np.asarray(known, dtype=bool)
    hidden_all = np.isin(flag, HIDDEN_FLAGS) & ~known
    need = hidden_all if protect is None else np.asarray(protect, dtype=bool) & hidden_all
    keys = _group_keys(t)
    for _, rows in pd.Series(np.arange(len(t))).groupby(keys, sort=False):
        rows = rows.to_numpy()
        hidden = hidden_all[rows]
        if not need[rows].any():
            continue
        group = _build_group(t.iloc[rows], rows, need[rows], th)
        group.known = known[rows]
        audit.hidden += int(group.target.sum())
        audit.audited += int((group.target & hidden).sum())
        now, failed = _protect_group(group, hidden, audit, repair)
        audit.unprotected.extend(_cell_name(t, r) for r in failed)
        newly = rows[now & ~hidden]
        flag[newly] = "s"
    audit.seconds = time.perf_counter() - start
    return flag, audit


def audit_linked(
    table: pd.DataFrame, thresholds: Thresholds | None = None, *, protect: np.ndarray | None = None
) -> SecrecyAudit:
    """The release audit: whether every hidden cell of ``table`` is protected, hiding nothing.

    ``table`` as for :func:`protect_linked`, its ``flag`` column final; ``protect`` the cells
    that need a protection interval (default: every hidden cell). The summary's
    ``unprotected`` names the cells (``indicator = level (domain)``) that are not.
    """
    t = table.reset_index(drop=True)
    _, audit = protect_linked(t, t["flag"].to_numpy(), thresholds, repair=False, protect=protect)
    return audit


def _cell_name(t: pd.DataFrame, row: int) -> str:
    r = t.iloc[row]
    level = f" = {r['level']}" if str(r["level"]) else ""
    return f"{r['indicator']}{level} ({r['domain']})"


def require_protected(audit: SecrecyAudit) -> None:
    """Stop (exit 1) when the audit found a hidden cell narrowed below its protection."""
    if audit.unprotected:
        more = len(audit.unprotected) - 1
        also = f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else ""
        raise StatisticsError(
            f"secret statistique : la cellule {audit.unprotected[0]}{also} peut être déduite "
            f"des chiffres publiés à moins de ±{audit.protection_share * 100:g} points près",
            hint="masquez d'autres cellules liées ou relevez les seuils de [thresholds]",
        )
