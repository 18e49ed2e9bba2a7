"""Derived variables and identifiers: secteur from the NAF code, taille from the headcount,
ia_usage from the technologies, planned hires against the headcount, and the pseudonymous
``id_repondant`` (see :mod:`iaobs.prepare.clean` for the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from iaobs.prepare.columns import CleanContext, blank_column, categorical, map_unique
from iaobs.prepare.privacy import (
    normalise_siren,
    pseudonymise,
    siren_is_valid,
)
from iaobs.prepare.validate import (
    check_unique_pairs,
)
from iaobs.study.dictionary import Dictionary, Variable

__all__ = ["check_hires", "derive_sector", "derive_size", "derive_usage", "identify"]


def objects(series: pd.Series | None, n: int) -> np.ndarray:
    """An object array of the values of ``series``, None where missing (all None without it)."""
    out: np.ndarray = np.full(n, None, dtype=object)
    if series is not None:
        values = series.astype("object").to_numpy()
        present = ~pd.isna(values)
        out[present] = values[present]
    return out


def _derived_variable(
    ctx: CleanContext, coded: dict[str, pd.Series], name: str
) -> tuple[int, Variable, np.ndarray] | None:
    """Rows, dictionary variable and current values (None where missing) of a variable that
    is derived when not answered; None when the dictionary has no such variable."""
    if name not in ctx.dictionary:
        return None
    n = len(ctx.frame)
    return n, ctx.dictionary[name], objects(coded.get(name), n)


def derive_sector(ctx: CleanContext, coded: dict[str, pd.Series], stated: str | None) -> None:
    dictionary = ctx.dictionary
    start = _derived_variable(ctx, coded, "secteur")
    if start is None:
        return
    n, var, values = start
    answered_raw = (
        ~blank_column(ctx.frame["secteur"], ctx.factorize("secteur"))
        if "secteur" in ctx.frame
        else np.zeros(n, dtype=bool)
    )
    if stated is not None:
        fill = (values == None) & ~answered_raw  # noqa: E711 - elementwise
        values[fill] = stated
        ctx.corrections["secteur_depuis_source"] += int(fill.sum())
    naf = coded.get("naf_code")
    if naf is not None:
        naf_values = objects(naf, n)
        uniques = {v for v in naf_values if v is not None}
        naf_sector = {v: dictionary.sector_for_naf(v) for v in uniques}
        derived = np.array(
            [naf_sector.get(v) if v is not None else None for v in naf_values], dtype=object
        )
        fill = (values == None) & ~answered_raw & (derived != None) & (derived != "autre")  # noqa: E711
        values[fill] = derived[fill]
        ctx.corrections["secteur_depuis_naf"] += int(fill.sum())
        conflict = (values != None) & (derived != None) & (values != derived) & ~fill  # noqa: E711
        if conflict.any():
            positions = np.flatnonzero(conflict)

            def name(code: object) -> str:
                if code == "autre":
                    return "autre" if ctx.language == "fr" else "other"
                return dictionary.code_label("secteur", str(code), ctx.language)

            ctx.collector.add(
                positions,
                "naf_code",
                naf_values[positions],
                "naf_secteur_incoherent",
                naf_sector=[name(c) for c in derived[positions]],
                sector=[name(c) for c in values[positions]],
            )
    coded["secteur"] = categorical(values, var)


def derive_size(ctx: CleanContext, coded: dict[str, pd.Series], bands: np.ndarray | None) -> None:
    dictionary = ctx.dictionary
    start = _derived_variable(ctx, coded, "taille")
    if start is None:
        return
    n, var, values = start
    effectif = coded.get("effectif")
    if effectif is not None:
        counts = effectif.to_numpy(dtype="float64", na_value=np.nan)
        derived = np.full(n, None, dtype=object)
        for sc in dictionary.size_classes.values():
            upper = np.inf if sc.max is None else sc.max
            derived[(counts >= sc.min) & (counts <= upper)] = sc.code
        fill = (values == None) & (derived != None)  # noqa: E711
        values[fill] = derived[fill]
        ctx.corrections["taille_depuis_effectif"] += int(fill.sum())
        conflict = (values != None) & (derived != None) & (values != derived)  # noqa: E711
        if conflict.any():
            positions = np.flatnonzero(conflict)
            raw = ctx.frame["taille"].to_numpy(dtype=object)[positions]
            ctx.collector.add(
                positions,
                "taille",
                raw,
                "taille_effectif_incoherente",
                effectif=[str(int(c)) for c in counts[positions]],
                derived=[
                    dictionary.code_label("taille", d, ctx.language) for d in derived[positions]
                ],
            )
            values[conflict] = derived[conflict]
            ctx.corrections["taille_corrigee_par_effectif"] += int(conflict.sum())
    if bands is not None:
        rows = np.flatnonzero(np.array([b is not None for b in bands]))
        ok, ambiguous = [], []
        for pos in rows:
            _tag, low, high = bands[pos]
            fits = [
                sc.code
                for sc in dictionary.size_classes.values()
                if low >= sc.min and (sc.max is None or (high is not None and high <= sc.max))
            ]
            if len(fits) == 1:
                ok.append(pos)
                if values[pos] is not None and values[pos] != fits[0]:
                    ctx.corrections["taille_corrigee_par_effectif"] += 1
                values[pos] = fits[0]
            else:
                ambiguous.append(pos)
        ctx.corrections["taille_depuis_tranche"] += len(ok)
        raw_eff = ctx.frame["effectif"].to_numpy(dtype=object)
        if ctx.language == "fr":
            outcome_ok, outcome_bad = (
                "déduite de la tranche",
                "non déduite (tranche à cheval sur plusieurs tailles)",
            )
        else:
            outcome_ok, outcome_bad = (
                "derived from the band",
                "not derived (band spans several sizes)",
            )
        ctx.collector.add(ok, "effectif", raw_eff[ok], "tranche_effectif", outcome=outcome_ok)
        ctx.collector.add(
            ambiguous, "effectif", raw_eff[ambiguous], "tranche_effectif", outcome=outcome_bad
        )
    coded["taille"] = categorical(values, var)


HIRES_CEILING = 10_000


def check_hires(ctx: CleanContext, coded: dict[str, pd.Series], bands: np.ndarray | None) -> None:
    """Planted AI hires above the headcount (or its band), or above 10 000, are emptied."""
    hires = coded.get("recrutements_ia_12m")
    if hires is None:
        return
    n = len(hires)
    effectif = coded.get("effectif")
    limit = (
        effectif.to_numpy(dtype="float64", na_value=np.nan)
        if effectif is not None
        else np.full(n, np.nan)
    )
    from_band = np.zeros(n, dtype=bool)
    if bands is not None:
        for pos in np.flatnonzero(np.array([b is not None for b in bands])):
            if np.isnan(limit[pos]) and bands[pos][2] is not None:
                limit[pos] = bands[pos][2]
                from_band[pos] = True
    values = hires.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        over_staff = (values > limit) & (values > 10)
        over_ceiling = values > HIRES_CEILING
    bad = np.nan_to_num(over_staff | over_ceiling, nan=0).astype(bool)
    if bad.any():
        positions = np.flatnonzero(bad)
        fr = ctx.language == "fr"
        staff = (
            ("l'effectif ({})", "la tranche d'effectif (au plus {})")
            if fr
            else ("the headcount ({})", "the headcount band (at most {})")
        )
        other = [
            staff[int(from_band[p])].format(int(limit[p]))
            if not np.isnan(limit[p]) and values[p] > limit[p]
            else ("un plafond de 10 000 recrutements" if fr else "a ceiling of 10,000 hires")
            for p in positions
        ]
        raw = ctx.frame["recrutements_ia_12m"].to_numpy(dtype=object)[positions]
        ctx.collector.add(positions, "recrutements_ia_12m", raw, "valeur_incoherente", other=other)
        hires[bad] = pd.NA


def identify(
    ctx: CleanContext,
    coded: dict[str, pd.Series],
    prov: pd.DataFrame,
    key: bytes,
    skip: np.ndarray,
) -> None:
    """Build missing source ids, check their uniqueness, and pseudonymise ``id_repondant``."""
    dictionary = ctx.dictionary
    n = len(ctx.frame)
    if "id_participant" in dictionary:
        check_unique_pairs(
            _masked(coded, ("id_participant", "vague"), skip),
            ["id_participant", "vague"],
            ctx.collector,
            "participant_vague_duplique",
        )
    if "id_repondant" not in dictionary:
        return
    ids = coded.get("id_repondant")
    ids = ids if ids is not None else pd.Series(pd.array([pd.NA] * n, dtype="string"))
    missing = ids.isna().to_numpy()
    if missing.any():
        stems = pd.Series(
            map_unique(prov["_source_file"], lambda f: Path(str(f)).stem or "ligne", "ligne"),
            index=prov.index,
        )
        built = stems + "-L" + prov["_source_row"].astype(str)
        ids = ids.copy()
        ids[missing] = built[missing].to_numpy()
        ctx.corrections["id_construit"] += int((missing & ~skip).sum())
    files = pd.Series(
        map_unique(prov["_source_file"], lambda f: Path(str(f)).name, ""), index=prov.index
    )
    dup = pd.DataFrame({"file": files, "id": ids.astype("object")})
    dup_mask = dup.duplicated(keep=False).to_numpy() & ~missing & ~skip
    if dup_mask.any():
        positions = np.flatnonzero(dup_mask)
        ctx.collector.add(positions, "id_repondant", ids.to_numpy()[positions], "id_duplique")
    basis = ("id:" + files + ":" + ids.astype(str)).astype("object")
    if "siren" in coded:
        digits = normalise_siren(coded["siren"])
        present = digits.notna().to_numpy()
        valid = siren_is_valid(digits).to_numpy()
        bad = present & ~valid & ~skip
        ctx.collector.add(np.flatnonzero(bad), "siren", [MASKED] * int(bad.sum()), "siren_invalide")
        nine = digits.str.fullmatch(r"\d{9}").fillna(False).to_numpy(dtype=bool)
        basis = basis.where(~nine, digits.astype("object"))
    coded["id_repondant"] = pseudonymise(basis, key, prefix="E")


MASKED = "***"


def _masked(coded: dict[str, pd.Series], columns: Iterable[str], skip: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({c: coded[c].astype("object") for c in columns if c in coded})
    if frame.empty:
        return frame
    frame.loc[skip] = None
    return frame


def derive_usage(coded: dict[str, pd.Series], dictionary: Dictionary, n: int) -> None:
    """``ia_usage``: 1 if any ``techno__*`` is 1, 0 if all are 0, missing otherwise; a yes/no
    question asked as such wins."""
    if "ia_usage" in dictionary and "techno" in dictionary:
        techno = [coded[c] for c in dictionary["techno"].columns() if c in coded]
        if techno:
            block = pd.concat(techno, axis=1)
            any_one = (block == 1).any(axis=1)
            all_zero = (block == 0).fillna(False).all(axis=1)
            usage = pd.Series(pd.array([pd.NA] * n, dtype="Int8"))
            usage[all_zero.to_numpy()] = 0
            usage[any_one.to_numpy()] = 1
            stated = coded.get("ia_usage")  # a yes/no question asked as such wins
            coded["ia_usage"] = usage if stated is None else stated.fillna(usage)
