"""The directory of the region's AI actors: SIRENE establishments merged with the curated list.

Rules, in the order they are applied:

1. **SIRENE.** The region's active establishments (``etatAdministratifEtablissement = A``,
   commune in one of the region's départements) whose main activity
   (``activitePrincipaleEtablissement``) is one of the study's AI-supply codes
   (``[acteurs] naf``), as :mod:`iaobs.frame.sirene` reads them. One row per SIRET.
2. **Curated list.** Every row of the observatory's file (:mod:`iaobs.actors.schema`). A row
   with a SIRET is looked up among *all* the region's establishments (a lab or a large user
   need not have an AI-supply code): SIRENE gives its activity, coordinates and diffusion
   status; the curated row wins for every field it fills (name, type, commune…). A row without
   a SIRET is one actor, deduplicated on its name and département.
3. **Diffusion.** A unit whose establishment or legal unit is non-diffusible
   (``statutDiffusion… = P``, opposition to the publication of its data) is counted in every
   total of its type, activity and département, but never named, never given its SIRET or
   commune, and never placed more precisely than its département — even when the curated list
   names it.
4. **Place.** Lambert-93 coordinates of SIRENE converted to WGS 84; else the centroid of the
   commune (SIRENE's commune code, or the curated commune code or name); else the département
   alone. ``precision`` says which (``adresse``, ``commune``, ``departement``).

The directory never reads the survey: whether a company answered it changes nothing here (see
the methodology of the ``acteurs-ia`` report for why respondents are neither marked nor removed).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from iaobs.actors.schema import ACTOR_TYPES
from iaobs.core import geo
from iaobs.study.config import DEFAULT_ACTORS_NAF

__all__ = [
    "DEFAULT_NAF",
    "DIRECTORY_COLUMNS",
    "NAF_LABELS",
    "SIRENE_TYPE",
    "build_directory",
    "normalise_naf",
    "public_directory",
]

#: The AI-supply activity codes of a study by default (NAF rév. 2).
DEFAULT_NAF = DEFAULT_ACTORS_NAF

#: Labels of the activity codes iaobs knows (NAF rév. 2, INSEE); others are shown by code.
NAF_LABELS: Mapping[str, str] = {
    "58.21Z": "Édition de jeux électroniques",
    "58.29A": "Édition de logiciels système et de réseau",
    "58.29B": "Édition de logiciels outils de développement et de langages",
    "58.29C": "Édition de logiciels applicatifs",
    "62.01Z": "Programmation informatique",
    "62.02A": "Conseil en systèmes et logiciels informatiques",
    "62.02B": "Tierce maintenance de systèmes et d'applications informatiques",
    "62.03Z": "Gestion d'installations informatiques",
    "62.09Z": "Autres activités informatiques",
    "63.11Z": "Traitement de données, hébergement et activités connexes",
    "63.12Z": "Portails Internet",
    "69.20Z": "Activités comptables",
    "70.22Z": "Conseil pour les affaires et autres conseils de gestion",
    "72.19Z": "Recherche-développement en autres sciences physiques et naturelles",
    "72.11Z": "Recherche-développement en biotechnologie",
    "85.42Z": "Enseignement supérieur",
    "85.59A": "Formation continue d'adultes",
}

#: The type of an establishment found by SIRENE alone.
SIRENE_TYPE = "entreprise"

#: The columns of the directory, in order.
DIRECTORY_COLUMNS = (
    "identifiant",
    "siret",
    "nom",
    "type",
    "type_libelle",
    "sous_type",
    "activite",
    "activite_libelle",
    "commune",
    "departement",
    "longitude",
    "latitude",
    "precision",
    "site_web",
    "origine",
    "source",
    "date_maj",
    "diffusible",
)

_NAF = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


def normalise_naf(code: object) -> str:
    """``6201Z``, ``62.01z``, `` 62.01Z `` → ``62.01Z``; anything else unchanged (stripped)."""
    text = str(code or "").strip().upper()
    match = _NAF.match(text)
    return f"{match[1]}.{match[2]}{match[3]}" if match else text


def _fold(text: object) -> str:
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    return frame[column].astype("string").fillna("").str.strip().astype("object")


def _departement(communes: pd.Series) -> pd.Series:
    return communes.map(lambda c: geo.departement_of_commune(c) if c else "")


def _name(frame: pd.DataFrame) -> pd.Series:
    """The legal unit's name (or the person's), else the establishment's sign."""
    name = _text(frame, "denomination")
    return name.where(name != "", _text(frame, "enseigne"))


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _sirene_rows(frame: pd.DataFrame, departements: Sequence[str]) -> pd.DataFrame:
    """Establishments read by :func:`iaobs.frame.sirene.read_active_establishments` (its
    columns: ``siret``, ``denomination``, ``code_commune``, ``naf``, ``x_lambert93``,
    ``diffusion``…) → directory rows, before placement."""
    commune_code = _text(frame, "code_commune")
    departement = _text(frame, "departement")
    departement = departement.where(departement != "", _departement(commune_code))
    out = pd.DataFrame(
        {
            "siret": _text(frame, "siret").str.replace(r"\D", "", regex=True),
            "nom": _name(frame),
            "type": SIRENE_TYPE,
            "sous_type": "",
            "activite": _text(frame, "naf").map(normalise_naf),
            "commune": _commune_names(commune_code, _text(frame, "commune")),
            "code_commune": commune_code,
            "departement": departement,
            "x": _number(frame, "x_lambert93"),
            "y": _number(frame, "y_lambert93"),
            "site_web": "",
            "origine": "sirene",
            "source": "SIRENE (INSEE)",
            "date_maj": "",
            "diffusible": (_text(frame, "diffusion").str.upper() != "P").to_numpy(),
        },
        index=frame.index,
    )
    out = out[out["departement"].isin(set(departements)) & (out["siret"] != "")]
    return out.drop_duplicates("siret", keep="first").reset_index(drop=True)


def _commune_names(codes: pd.Series, labels: pd.Series) -> pd.Series:
    """The commune's name as written in the official geography, else SIRENE's label."""
    names = {code: geo.commune_name(code) for code in set(codes) if code}
    return pd.Series(
        [names.get(c) or lab.title() for c, lab in zip(codes, labels, strict=True)],
        index=codes.index,
    )


def _curated_rows(curated: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    rows = []
    for row in curated:
        commune = str(row.get("commune", "") or "").strip()
        is_code = bool(re.fullmatch(r"\d[\dAB]\d{3}", commune.upper()))
        rows.append(
            {
                "siret": re.sub(r"\D", "", str(row.get("siret", "") or "")),
                "nom": str(row.get("nom", "") or "").strip(),
                "type": str(row.get("type", "") or "").strip() or "autre",
                "sous_type": str(row.get("sous_type", "") or "").strip(),
                "activite": "",
                "commune": "" if is_code else commune,
                "code_commune": commune.upper() if is_code else "",
                "departement": str(row.get("departement", "") or "").strip().upper().zfill(2),
                "x": np.nan,
                "y": np.nan,
                "site_web": str(row.get("site_web", "") or "").strip(),
                "origine": "liste",
                "source": str(row.get("source", "") or "").strip() or "liste de l'observatoire",
                "date_maj": str(row.get("date_maj", "") or "").strip(),
                "diffusible": True,
            }
        )
    return pd.DataFrame(rows, columns=list(_curated_columns()))


def _curated_columns() -> tuple[str, ...]:
    return (
        "siret",
        "nom",
        "type",
        "sous_type",
        "activite",
        "commune",
        "code_commune",
        "departement",
        "x",
        "y",
        "site_web",
        "origine",
        "source",
        "date_maj",
        "diffusible",
    )


_CURATED_WINS = (
    "nom",
    "type",
    "sous_type",
    "commune",
    "code_commune",
    "departement",
    "site_web",
    "source",
    "date_maj",
)


def _merge(sirene: pd.DataFrame, curated: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """SIRENE rows and curated rows merged on SIRET, the curated row winning where filled.

    ``known`` holds every regional establishment (any activity), to complete a curated row whose
    SIRET lies outside the AI-supply codes.
    """
    with_siret = curated[curated["siret"] != ""].drop_duplicates("siret", keep="first")
    without = curated[curated["siret"] == ""].copy()
    without["_cle"] = without["nom"].map(_fold) + "|" + without["departement"]
    without = without.drop_duplicates("_cle", keep="first").drop(columns="_cle")

    base = pd.concat([sirene, known[~known["siret"].isin(sirene["siret"])]], ignore_index=True)
    base = base.drop_duplicates("siret", keep="first")
    base = base.set_index("siret", drop=False)
    merged = base.loc[base.index.isin(sirene["siret"])].copy()
    extra = []
    for _, row in with_siret.iterrows():
        if row["siret"] in base.index:
            found = base.loc[row["siret"]].copy()
            for column in _CURATED_WINS:
                if row[column]:
                    found[column] = row[column]
            found["origine"] = "sirene+liste"
            if found["code_commune"] and row["commune"] and not row["code_commune"]:
                found["code_commune"] = ""  # the curated commune name replaces SIRENE's code
            if row["siret"] in merged.index:
                merged.loc[row["siret"]] = found
            else:
                extra.append(found)
        else:
            extra.append(row)
    parts = [merged.reset_index(drop=True)]
    if extra:
        parts.append(pd.DataFrame(extra).reset_index(drop=True))
    parts.append(without.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)


def _place(frame: pd.DataFrame) -> pd.DataFrame:
    """Longitude, latitude and precision of every row (P units: département only)."""
    lon, lat = geo.lambert93_to_wgs84(frame["x"].to_numpy(float), frame["y"].to_numpy(float))
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    precision = np.where(np.isfinite(lon) & np.isfinite(lat), "adresse", "").astype(object)
    shapes = geo.departement_shapes()
    for i in range(len(frame)):
        dep = frame["departement"].iat[i]
        if precision[i] == "adresse":
            # a coordinate outside the establishment's département is an error of the source
            if dep in shapes and not shapes[dep].contains(lon[i], lat[i]):
                precision[i] = ""
            else:
                continue
        commune = frame["code_commune"].iat[i] or frame["commune"].iat[i]
        point = geo.commune_point(commune, dep or None) if commune else None
        if point is not None:
            lon[i], lat[i], precision[i] = point[0], point[1], "commune"
        else:
            lon[i], lat[i], precision[i] = np.nan, np.nan, "departement"
    out = frame.copy()
    out["longitude"] = np.round(lon, 5)
    out["latitude"] = np.round(lat, 5)
    out["precision"] = precision
    return out


def _hide_non_diffusible(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank everything that could name or place a non-diffusible unit below its département."""
    out = frame.copy()
    hidden = ~out["diffusible"].astype(bool)
    for column in ("siret", "nom", "sous_type", "commune", "code_commune", "site_web", "date_maj"):
        out.loc[hidden, column] = ""
    out.loc[hidden, ["longitude", "latitude"]] = np.nan
    out.loc[hidden, "precision"] = "departement"
    out.loc[hidden, "source"] = "SIRENE (INSEE)"
    return out


def build_directory(
    establishments: pd.DataFrame | None,
    curated: Sequence[Mapping[str, str]] = (),
    *,
    departements: Iterable[str],
    naf: Sequence[str] | None = DEFAULT_NAF,
    listed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The directory of the region's AI actors (:data:`DIRECTORY_COLUMNS`), one row per actor.

    Parameters
    ----------
    establishments
        The region's active establishments of the AI-supply codes as
        :func:`iaobs.frame.sirene.read_active_establishments` returns them (its columns);
        None: no SIRENE.
    curated
        The curated list's rows (:func:`iaobs.actors.schema.read_actors`).
    departements
        The region's département codes.
    naf
        The AI-supply activity codes (a check on ``establishments``; None: no check).
    listed
        The region's active establishments whose SIRET the curated list gives, whatever their
        activity (same columns), to complete those rows.

    Non-diffusible units keep a row (they are counted) with no name, SIRET, commune or point.
    Rows are sorted by département, type and name; ``identifiant`` is the SIRET, ``L…`` for an
    actor of the list without SIRET, ``P…`` for a non-diffusible unit.
    """
    deps = [str(d) for d in departements]
    empty = pd.DataFrame(columns=list(_curated_columns()))
    sirene, known = empty.copy(), empty.copy()
    if establishments is not None and len(establishments):
        sirene = _sirene_rows(establishments, deps)
        if naf is not None:
            sirene = sirene[sirene["activite"].isin({normalise_naf(c) for c in naf})]
    if listed is not None and len(listed):
        known = _sirene_rows(listed, deps)
    rows = _merge(sirene, _curated_rows(curated), known)
    rows = rows[rows["departement"].isin(deps)]
    rows = _hide_non_diffusible(_place(rows.reset_index(drop=True)))
    rows["type_libelle"] = rows["type"].map(lambda t: ACTOR_TYPES.get(t, t))
    rows["activite_libelle"] = rows["activite"].map(lambda c: NAF_LABELS.get(c, c))
    rows["diffusible"] = rows["diffusible"].astype(bool)
    rows = rows.sort_values(
        ["departement", "type", "diffusible", "nom"],
        ascending=[True, True, False, True],
        key=lambda s: s.map(_fold) if s.dtype == object else s,
    ).reset_index(drop=True)
    rows["identifiant"] = _identifiers(rows)
    for column in DIRECTORY_COLUMNS:
        if column not in rows.columns:
            rows[column] = ""
    return rows[list(DIRECTORY_COLUMNS)]


def _identifiers(rows: pd.DataFrame) -> pd.Series:
    """The SIRET; for an actor of the list without SIRET ``L`` + 10 hexadecimal characters of
    the SHA-256 of its name and département (stable from one wave to the next); for a
    non-diffusible unit ``P`` + its rank in the directory (nothing derived from its SIRET)."""
    out = []
    for i, (siret, name, dep, shown) in enumerate(
        zip(rows["siret"], rows["nom"], rows["departement"], rows["diffusible"], strict=True)
    ):
        if not shown:
            out.append(f"P{i + 1:05d}")
        elif siret:
            out.append(str(siret))
        else:
            key = f"{_fold(name)}|{dep}".encode()
            out.append("L" + hashlib.sha256(key).hexdigest()[:10])
    return pd.Series(out, index=rows.index, dtype=object)


def public_directory(directory: pd.DataFrame) -> pd.DataFrame:
    """The rows that may be published by name: the directory without its non-diffusible units."""
    return directory[directory["diffusible"].astype(bool)].drop(columns="diffusible").copy()
