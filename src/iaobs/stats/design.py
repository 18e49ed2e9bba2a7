"""Survey designs and their linearised variance, as in R's ``survey`` package.

A :class:`SurveyDesign` holds, for each responding unit, its final weight, its stratum, its
primary sampling unit (PSU; the unit itself when there are no clusters), the population size of
its stratum (finite population correction) and, for calibrated designs (post-stratification,
raking), the calibration cells and the design weights before calibration.

Variance of an estimated total :math:`\\hat T = \\sum_i z_i` (Taylor linearisation, one stage)::

    V = sum_h (1 - n_h / N_h) * n_h / (n_h - 1) * sum_{j in h} (Z_hj - mean_h Z)^2

where ``Z_hj`` sums the scores ``z_i`` of the units of PSU ``j`` of stratum ``h`` and ``n_h``
counts the PSUs of the stratum. A ratio (mean, proportion) uses the influence values
``z_i = w_i (y_i - ŷ) / Ŵ``. Domains (a sector, a size class) are estimated on the full design,
as R's ``svyby`` does: units outside the domain keep a zero score, so every PSU of the stratum
counts in ``n_h``.

For a calibrated design, the scores are first replaced by ``w_i * r_i`` where ``r`` is the
residual of the regression of ``z_i / w_i`` on the calibration dummies, weighted by the design
weights (R's ``postStratify`` and, at convergence, ``rake``).

Everything is vectorised: all levels of a variable and all domains of one partition (every
sector, every size class…) are handled in one pass of ``np.bincount``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from iaobs.errors import StatisticsError

__all__ = ["Calibration", "DomainIndex", "SurveyDesign", "ipf"]


@dataclass(frozen=True)
class Calibration:
    """Calibration cells of a design: one integer code array per margin, and design weights.

    ``margins[k][i]`` is the cell of unit ``i`` in margin ``k`` (0 … C_k − 1).
    ``design_weights`` are the weights before calibration (the regression weights of the
    variance residuals).
    """

    margins: tuple[np.ndarray, ...]
    design_weights: np.ndarray

    @cached_property
    def n_cells(self) -> tuple[int, ...]:
        return tuple(int(m.max()) + 1 if len(m) else 0 for m in self.margins)


def ipf(
    weights: np.ndarray,
    margins: Sequence[np.ndarray],
    totals: Sequence[np.ndarray],
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> tuple[np.ndarray, int, float]:
    """Iterative proportional fitting of ``weights`` to margin ``totals``.

    Parameters
    ----------
    weights
        Starting weights (design weights), one per unit.
    margins
        One integer array per margin: the cell of each unit.
    totals
        One array per margin: the population total of each cell (every cell must hold at
        least one unit with a positive weight).
    tolerance
        Stop when every cell total is within this relative error of its target.
    max_iterations
        Maximum number of full passes over the margins.

    Returns
    -------
    weights, iterations, max_relative_error
        The calibrated weights, the number of passes made and the largest relative error of a
        cell total at the end (above ``tolerance`` when it did not converge).
    """
    w = np.asarray(weights, dtype=float).copy()
    error = np.inf
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        for cells, target in zip(margins, totals, strict=True):
            current = np.bincount(cells, weights=w, minlength=len(target))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, target / np.where(current > 0, current, 1.0), 1.0)
            w *= factor[cells]
        error = 0.0
        for cells, target in zip(margins, totals, strict=True):
            current = np.bincount(cells, weights=w, minlength=len(target))
            used = target > 0
            if used.any():
                error = max(error, float(np.max(np.abs(current[used] / target[used] - 1.0))))
        if error < tolerance:
            break
    return w, iterations, error


def noise_free_se(p: np.ndarray, se: np.ndarray) -> np.ndarray:
    """SE of a proportion, 0 where its variance is rounding noise (below 1e-10 p(1 − p)): a
    share fixed by the calibration or a census has a variance of 1e-17 or so, not 0."""
    with np.errstate(invalid="ignore"):
        return np.where(se**2 <= 1e-10 * p * (1 - p), 0.0, se)


def _codes(values: object, n: int) -> tuple[np.ndarray, np.ndarray]:
    if values is None:
        return np.zeros(n, dtype=np.int64), np.array(["all"], dtype=object)
    codes, uniques = pd.factorize(pd.Series(values).reset_index(drop=True), sort=True)
    if (codes < 0).any():
        raise StatisticsError(
            "plan de sondage : valeur manquante dans la strate ou l'unité primaire",
            hint="chaque répondant doit avoir une strate (et une unité primaire) renseignée",
        )
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


@dataclass(frozen=True)
class SurveyDesign:
    """A one-stage stratified (optionally clustered, optionally calibrated) sample design.

    Build it with :meth:`from_arrays`; calibrate with :meth:`poststratify` or :meth:`rake`.

    Attributes
    ----------
    weights
        Final weights (units of population per respondent).
    strata
        Stratum code of each unit (0 … H − 1); ``strata_labels`` names them.
    psu
        PSU code of each unit (0 … P − 1), unique across strata.
    popsize
        Population count of PSUs of each stratum (length H); ``inf`` when no finite population
        correction applies.
    calibration
        Calibration cells and design weights, or None.
    """

    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    popsize: np.ndarray
    strata_labels: np.ndarray
    calibration: Calibration | None = None
    lonely_strata: tuple[str, ...] = field(default=())

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_arrays(
        cls,
        weights: Sequence[float] | np.ndarray,
        *,
        strata: Sequence[object] | np.ndarray | None = None,
        psu: Sequence[object] | np.ndarray | None = None,
        fpc: Sequence[float] | np.ndarray | None = None,
    ) -> SurveyDesign:
        """A design from per-unit arrays (as R's ``svydesign(ids, strata, weights, fpc)``).

        Parameters
        ----------
        weights
            Sampling weights, one per unit (> 0).
        strata
            Stratum of each unit, any hashable labels; None for an unstratified design.
        psu
            Cluster (PSU) of each unit; None when each unit is its own PSU.
        fpc
            Population size (number of PSUs) of the unit's stratum; None for sampling with
            replacement (no finite population correction).
        """
        w = np.asarray(weights, dtype=float)
        n = len(w)
        if n == 0:
            raise StatisticsError("plan de sondage vide : aucun répondant")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise StatisticsError("poids de sondage manquants ou négatifs")
        h, labels = _codes(strata, n)
        if psu is None:
            p = np.arange(n, dtype=np.int64)
        else:
            pair = pd.DataFrame({"h": h, "p": pd.Series(psu).reset_index(drop=True)})
            p = pair.groupby(["h", "p"], sort=True).ngroup().to_numpy(dtype=np.int64)
        n_strata = len(labels)
        if fpc is None:
            popsize = np.full(n_strata, np.inf)
        else:
            f = np.asarray(fpc, dtype=float)
            popsize = np.full(n_strata, np.inf)
            popsize[h] = f  # constant within strata
            if not np.allclose(np.bincount(h, weights=f) / np.bincount(h), popsize):
                raise StatisticsError(
                    "la taille de population (fpc) varie à l'intérieur d'une strate"
                )
        design = cls(weights=w, strata=h, psu=p, popsize=popsize, strata_labels=labels)
        too_big = design.n_psu_stratum > design.popsize
        if np.any(too_big):
            bad = labels[np.flatnonzero(too_big)[0]]
            raise StatisticsError(
                f"strate « {bad} » : plus d'unités échantillonnées que d'unités dans la population",
                hint="vérifiez les effectifs de population de cette strate",
            )
        return design

    # ---------------------------------------------------------------- basic properties
    @property
    def n(self) -> int:
        return len(self.weights)

    @cached_property
    def n_strata(self) -> int:
        return len(self.strata_labels)

    @cached_property
    def n_psu(self) -> int:
        return int(self.psu.max()) + 1

    @cached_property
    def psu_is_unit(self) -> bool:
        return self.n_psu == self.n

    @cached_property
    def psu_stratum(self) -> np.ndarray:
        out = np.zeros(self.n_psu, dtype=np.int64)
        out[self.psu] = self.strata
        return out

    @cached_property
    def n_psu_stratum(self) -> np.ndarray:
        return np.bincount(self.psu_stratum, minlength=self.n_strata).astype(float)

    @cached_property
    def stratum_factor(self) -> np.ndarray:
        """``(1 − n_h/N_h) · n_h/(n_h − 1)`` per stratum; 0 for a stratum with one PSU."""
        nh = self.n_psu_stratum
        finite = np.isfinite(self.popsize)
        f = np.where(finite, 1.0 - nh / np.where(finite, self.popsize, 1.0), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(nh > 1, f * nh / (nh - 1), 0.0)
        return c

    @property
    def df(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata."""
        return int(self.n_psu - self.n_strata)

    # ---------------------------------------------------------------- calibration
    def poststratify(
        self, cells: Sequence[object] | np.ndarray, totals: dict[object, float]
    ) -> SurveyDesign:
        """Post-stratify: scale the weights so that each cell sums to its population total."""
        return self.rake([cells], [totals], tolerance=1e-14, max_iterations=2)

    def rake(
        self,
        margins: Sequence[Sequence[object] | np.ndarray],
        totals: Sequence[dict[object, float]],
        *,
        tolerance: float = 1e-12,
        max_iterations: int = 1000,
    ) -> SurveyDesign:
        """Rake the weights to several margins (iterative proportional fitting).

        ``margins[k]`` gives the cell label of each unit in margin ``k``; ``totals[k]`` maps
        each label to its population total. The variance of the calibrated design uses the
        residuals of the design-weighted regression on the cell dummies.
        """
        codes_list: list[np.ndarray] = []
        targets: list[np.ndarray] = []
        for values, total in zip(margins, totals, strict=True):
            codes, uniques = pd.factorize(pd.Series(values).reset_index(drop=True), sort=True)
            if (codes < 0).any():
                raise StatisticsError("calage : cellule manquante pour certains répondants")
            missing = [u for u in uniques if u not in total]
            if missing:
                raise StatisticsError(
                    f"calage : pas de total de population pour la cellule « {missing[0]} »"
                )
            codes_list.append(codes.astype(np.int64))
            targets.append(np.array([float(total[u]) for u in uniques]))
        design_weights = (
            self.calibration.design_weights if self.calibration is not None else self.weights
        )
        w, iterations, error = ipf(
            self.weights, codes_list, targets, tolerance=tolerance, max_iterations=max_iterations
        )
        if error > max(tolerance, 1e-8):
            raise StatisticsError(
                f"le calage n'a pas convergé après {iterations} itérations (écart relatif {error:.2g})"
            )
        return self.calibrated(w, codes_list, design_weights)

    def calibrated(
        self,
        weights: np.ndarray,
        margins: Sequence[np.ndarray],
        design_weights: np.ndarray | None = None,
    ) -> SurveyDesign:
        """This design with calibrated ``weights`` on the cells ``margins`` (integer codes)."""
        previous = self.calibration.margins if self.calibration is not None else ()
        d = design_weights
        if d is None:
            d = self.calibration.design_weights if self.calibration is not None else self.weights
        cal = Calibration(
            margins=tuple(previous) + tuple(np.asarray(m, dtype=np.int64) for m in margins),
            design_weights=np.asarray(d, dtype=float),
        )
        return replace(self, weights=np.asarray(weights, dtype=float), calibration=cal)

    # ---------------------------------------------------------------- calibration algebra
    @cached_property
    def _cal(self) -> _CalibrationAlgebra | None:
        if self.calibration is None:
            return None
        return _CalibrationAlgebra.build(self)

    # ---------------------------------------------------------------- domains
    def domain_index(self, groups: np.ndarray | None, n_groups: int | None = None) -> DomainIndex:
        """Precompute the bookkeeping for one partition of the units into domains.

        ``groups[i]`` is the domain of unit ``i`` (0 … G − 1) or −1 when it is in none;
        None means a single domain holding every unit.
        """
        if groups is None:
            g = np.zeros(self.n, dtype=np.int64)
            n_groups = 1
        else:
            g = np.asarray(groups, dtype=np.int64)
            if n_groups is None:
                n_groups = int(g.max()) + 1 if len(g) else 0
        return DomainIndex.build(self, g, int(n_groups))

    def domain_variance(self, scores: np.ndarray, index: DomainIndex) -> np.ndarray:
        """Variance of domain totals of ``scores``.

        Parameters
        ----------
        scores
            ``(n, L)`` array: the linearised score of each unit for each of L statistics,
            *without* the domain indicator (it is applied here).
        index
            Domain partition from :meth:`domain_index`.

        Returns
        -------
        ``(G, L)`` array of variances, one per domain and statistic.
        """
        e = np.asarray(scores, dtype=float)
        if e.ndim == 1:
            e = e[:, None]
        return index.variance(self, e)

    def variance_from_sums(
        self,
        t1: np.ndarray,
        t2: np.ndarray,
        n_groups: int,
        m: np.ndarray | None = None,
        cross1: np.ndarray | None = None,
    ) -> np.ndarray:
        """Variance of domain totals from the stratum × domain sums of the scores.

        Parameters
        ----------
        t1, t2
            ``(H·G, L)``: per stratum ``h`` and domain ``g`` (row ``h·G + g``), the sum over
            the PSUs of the squared PSU totals of the scores (``t1``) and of the PSU totals
            (``t2``), for each of L statistics.
        n_groups
            G, the number of domains.
        m, cross1
            For a calibrated design: ``(p, G, L)`` sums of ``(d/w)·x·e`` per calibration cell,
            and ``(G, p, L)`` sums of ``c_h·B_j·e`` (see :meth:`DomainIndex.variance`).

        Returns
        -------
        ``(G, L)`` variances.
        """
        G = n_groups
        H = self.n_strata
        L = t1.shape[1]
        nh = np.repeat(self.n_psu_stratum, G)  # (H*G,)
        ch = np.repeat(self.stratum_factor, G)
        with np.errstate(invalid="ignore", divide="ignore"):
            inv_nh = np.where(nh > 0, 1.0 / nh, 0.0)
        v0 = (ch[:, None] * (t1 - t2**2 * inv_nh[:, None])).reshape(H, G, L).sum(axis=0)
        alg = self._cal
        if alg is None:
            return np.maximum(v0, 0.0)
        assert m is not None and cross1 is not None
        beta = np.einsum("pq,qgl->pgl", alg.xtdx_pinv, m)
        cross = np.einsum("gpl,pgl->gl", cross1, beta)
        bbar_beta = np.einsum("hp,pgl->hgl", alg.b_bar, beta)  # (H, G, L)
        cross -= ((ch[:, None] * t2).reshape(H, G, L) * bbar_beta).sum(axis=0)
        quad = np.einsum("pgl,pq,qgl->gl", beta, alg.q, beta)
        return np.maximum(v0 - 2.0 * cross + quad, 0.0)


@dataclass(frozen=True)
class _CalibrationAlgebra:
    """Matrices of the calibration residual step, computed once per design."""

    cells: tuple[np.ndarray, ...]  # per margin, cell codes shifted to global dummy columns
    offsets: tuple[int, ...]
    p: int
    xtdx_pinv: np.ndarray  # (p, p)
    b_psu: np.ndarray  # (P, p): sum over the PSU of w_i x_i
    b_bar: np.ndarray  # (H, p): mean of b_psu over the PSUs of the stratum
    q: np.ndarray  # (p, p): sum_h c_h sum_j (B - B̄)(B - B̄)'
    d_over_w: np.ndarray  # (n,)

    @classmethod
    def build(cls, design: SurveyDesign) -> _CalibrationAlgebra:
        cal = design.calibration
        assert cal is not None
        offsets = []
        cells = []
        p = 0
        for m, size in zip(cal.margins, cal.n_cells, strict=True):
            offsets.append(p)
            cells.append(m + p)
            p += size
        d = cal.design_weights
        w = design.weights
        # X'DX: cross-tabulation of design weights between every pair of dummy columns
        xtdx = np.zeros((p, p))
        for a in cells:
            for b in cells:
                xtdx += np.bincount(a * p + b, weights=d, minlength=p * p).reshape(p, p)
        pinv = np.linalg.pinv(xtdx, rcond=1e-12, hermitian=True)
        b_psu = np.zeros((design.n_psu, p))
        for a in cells:
            if design.psu_is_unit:  # one unit per PSU: (psu, cell) pairs are distinct
                b_psu[design.psu, a] += w
            else:
                np.add.at(b_psu, (design.psu, a), w)
        nh = design.n_psu_stratum
        b_bar = np.zeros((design.n_strata, p))
        for j in range(p):
            b_bar[:, j] = np.bincount(
                design.psu_stratum, weights=b_psu[:, j], minlength=design.n_strata
            )
        b_bar /= nh[:, None]
        centred = b_psu - b_bar[design.psu_stratum]
        c = design.stratum_factor[design.psu_stratum]
        q = (centred * c[:, None]).T @ centred
        with np.errstate(divide="ignore", invalid="ignore"):
            d_over_w = np.where(w > 0, d / w, 0.0)
        return cls(tuple(cells), tuple(offsets), p, pinv, b_psu, b_bar, q, d_over_w)


@dataclass(frozen=True)
class DomainIndex:
    """One partition of the units into G domains, with the keys of the variance sums."""

    groups: np.ndarray  # (n,) domain of each unit, -1 outside
    n_groups: int
    inside: np.ndarray  # (m,) indices of the units in some domain
    key: np.ndarray  # (m,) index of the (PSU, domain) pair of each such unit
    n_keys: int
    key_group: np.ndarray  # (K,) domain of each key
    key_stratum: np.ndarray  # (K,) stratum of each key
    key_psu: np.ndarray  # (K,) PSU of each key
    key_factor: np.ndarray  # (K,) c_h of the key's stratum
    hg: np.ndarray  # (K,) stratum * G + domain
    unit_stratum_count: np.ndarray  # (H*G,) units per stratum × domain
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, design: SurveyDesign, groups: np.ndarray, n_groups: int) -> DomainIndex:
        inside = np.flatnonzero(groups >= 0)
        g = groups[inside]
        psu = design.psu[inside]
        if design.psu_is_unit:
            key = np.arange(len(inside), dtype=np.int64)
            key_psu = psu
            key_group = g
        else:
            pair = psu * max(n_groups, 1) + g
            uniq, key = np.unique(pair, return_inverse=True)
            key_psu = uniq // max(n_groups, 1)
            key_group = uniq % max(n_groups, 1)
        key_stratum = design.psu_stratum[key_psu]
        hg = key_stratum * n_groups + key_group
        counts = np.bincount(
            design.strata[inside] * n_groups + g, minlength=design.n_strata * n_groups
        )
        return cls(
            groups=groups,
            n_groups=n_groups,
            inside=inside,
            key=key,
            n_keys=len(key_psu),
            key_group=key_group,
            key_stratum=key_stratum,
            key_psu=key_psu,
            key_factor=design.stratum_factor[key_stratum],
            hg=hg,
            unit_stratum_count=counts,
        )

    def _matrix(
        self, name: str, rows: np.ndarray, n_rows: int, values: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """Cached sparse (n_rows × n) matrix with ``values`` at (rows[k], inside[k])."""
        cached = self.cache.get(name)
        if cached is None:
            data = np.ones(len(self.inside)) if values is None else values
            cached = sparse.csr_matrix(
                (data, (rows, self.inside)), shape=(n_rows, len(self.groups))
            )
            self.cache[name] = cached
        return cached

    @property
    def unit_onehot(self) -> sparse.csr_matrix:
        cached = self.cache.get("unit")
        return (
            cached
            if cached is not None
            else self._matrix("unit", self.groups[self.inside], self.n_groups)
        )

    def sum_by_group(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` (n,) or (n, L) over the units of each domain → (G,) or (G, L)."""
        v = np.asarray(values, dtype=float)
        return np.asarray(self.unit_onehot @ v)

    def degrees_of_freedom(
        self, design: SurveyDesign, base: np.ndarray | None = None
    ) -> np.ndarray:
        """PSUs minus strata among the units of each domain (restricted to ``base``): (G,)."""
        key = "df:" + (
            "all" if base is None else np.packbits(np.asarray(base, bool)).tobytes().hex()
        )
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        keep = (
            np.ones(len(self.inside), dtype=bool)
            if base is None
            else np.asarray(base, bool)[self.inside]
        )
        g = self.groups[self.inside][keep]
        G = self.n_groups
        if design.psu_is_unit:
            n_psu = np.bincount(g, minlength=G)
        else:
            pairs = np.unique(design.psu[self.inside][keep] * G + g)
            n_psu = np.bincount(pairs % G, minlength=G)
        hs = (
            np.bincount(design.strata[self.inside][keep] * G + g, minlength=design.n_strata * G) > 0
        )
        n_str = hs.reshape(design.n_strata, G).sum(axis=0)
        self.cache[key] = (n_psu - n_str).astype(float)
        return self.cache[key]

    def variance(self, design: SurveyDesign, e: np.ndarray) -> np.ndarray:
        G = self.n_groups
        H = design.n_strata
        L = e.shape[1]
        e = np.ascontiguousarray(e, dtype=float)
        if design.psu_is_unit:
            hg_unit = design.strata[self.inside] * G + self.groups[self.inside]
            agg = self._matrix("hg", hg_unit, H * G)
            t1 = np.asarray(agg @ (e * e))
            t2 = np.asarray(agg @ e)
            s = None
        else:
            key_matrix = self._matrix("key", self.key, self.n_keys)
            s = np.asarray(key_matrix @ e)  # (K, L) PSU × domain sums
            t1 = np.zeros((H * G, L))
            t2 = np.zeros((H * G, L))
            for j in range(L):
                t1[:, j] = np.bincount(self.hg, weights=s[:, j] ** 2, minlength=H * G)
                t2[:, j] = np.bincount(self.hg, weights=s[:, j], minlength=H * G)
        alg = design._cal
        if alg is None:
            return design.variance_from_sums(t1, t2, G)
        # calibration: beta = (X'DX)^+ X'D u  for every (domain, statistic)
        g_in = self.groups[self.inside]
        m = np.empty((alg.p, G, L))
        cross1 = np.empty((G, alg.p, L))
        cw = design.stratum_factor[design.strata[self.inside]] * design.weights[self.inside]
        for k, (cells, off) in enumerate(zip(alg.cells, alg.offsets, strict=True)):
            size = int(cells.max() - off) + 1
            rows = (cells[self.inside] - off) * G + g_in
            mk = self._matrix(f"cal{k}", rows, size * G, alg.d_over_w[self.inside])
            m[off : off + size] = np.asarray(mk @ e).reshape(size, G, L)
            if design.psu_is_unit:
                # B_j = w_i x_i: the cross sum splits into one product per margin
                ck = self._matrix(f"cross{k}", rows, size * G, cw)
                cross1[:, off : off + size, :] = (
                    np.asarray(ck @ e).reshape(size, G, L).transpose(1, 0, 2)
                )
        if not design.psu_is_unit:
            assert s is not None
            onehot = sparse.csr_matrix(
                (np.ones(self.n_keys), (self.key_group, np.arange(self.n_keys))),
                shape=(G, self.n_keys),
            )
            b_keys = alg.b_psu[self.key_psu]
            for j in range(L):
                cross1[:, :, j] = onehot @ (b_keys * (self.key_factor * s[:, j])[:, None])
        return design.variance_from_sums(t1, t2, G, m, cross1)
