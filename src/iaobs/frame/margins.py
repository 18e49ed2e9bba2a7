"""SIRENE stock files → the population margins and the confidential sampling frame.

The rules (documented in the methodology, configured in ``[frame]`` and ``[sectors]``):

* a firm is a legal unit of ``StockUniteLegale`` with ``etatAdministratifUniteLegale = A``;
* its sector is the study sector whose NAF list holds ``activitePrincipaleUniteLegale`` (NAF
  rév. 2; a unit still coded in an older nomenclature is counted apart); other units are out of
  scope;
* its size class comes from ``trancheEffectifsUniteLegale`` by the bounds of
  ``[frame] size_bounds`` (by default NN, empty, 00–03 → tpe; 11–31 → pme; 32–51 → eti; 52, 53 →
  ge);
* its département is that of its active head office in ``StockEtablissement``
  (``etablissementSiege`` true, ``etatAdministratifEtablissement = A``) read from
  ``codeCommuneEtablissement`` (Corsica 2A/2B, overseas 97x); firms headquartered outside the
  study's départements are out.

Every unit read ends in exactly one line of the exclusion table (or in the frame), so that the
counts add up to the units read. Units in partial diffusion (``statutDiffusionUniteLegale = P``
or their head office's ``statutDiffusionEtablissement = P``) are counted in the margins and kept
in the frame for the draw, with their name and address blanked: never named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iaobs.errors import InputError
from iaobs.frame.sirene import (
    ETABLISSEMENTS,
    UNITES_LEGALES,
    SireneFile,
    departement_of_commune,
    inspect_sirene,
    naf_condition,
    naf_prefixes,
    register_sirene,
    run_query,
    sirene_connection,
)

if TYPE_CHECKING:
    import pandas as pd

    from iaobs.study.config import FrameSettings

__all__ = [
    "EXCLUSION_LABELS",
    "FRAME_COLUMNS",
    "MARGIN_COLUMNS",
    "FrameResult",
    "build_frame",
]

MARGIN_COLUMNS = ("secteur", "taille", "departement", "n_entreprises")
FRAME_COLUMNS = (
    "siren",
    "siret_siege",
    "denomination",
    "adresse",
    "code_postal",
    "commune",
    "departement",
    "secteur",
    "taille",
    "naf",
    "tranche_effectifs",
    "diffusion",
)
# Every reason a unit read is not in the frame, in the order the rules apply.
EXCLUSION_LABELS: Mapping[str, str] = {
    "cessee": "unité légale cessée (etatAdministratifUniteLegale ≠ A)",
    "nomenclature": "activité codée dans une ancienne nomenclature (pas NAF rév. 2)",
    "hors_champ_naf": "activité principale hors des secteurs de l'étude",
    "tranche_inconnue": "tranche d'effectif inconnue",
    "sans_siege_actif": "aucun siège actif dans le fichier des établissements",
    "hors_region": "siège hors des départements de l'étude",
}

_UL_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "etatAdministratifUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "trancheEffectifsUniteLegale",
    "nicSiegeUniteLegale",
    "denominationUniteLegale",
    "nomUniteLegale",
    "prenomUsuelUniteLegale",
)
_ETAB_COLUMNS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "etablissementSiege",
    "etatAdministratifEtablissement",
    "numeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "codeCommuneEtablissement",
    "libelleCommuneEtablissement",
)


@dataclass(frozen=True)
class FrameResult:
    """What ``iaobs frame`` makes from the stock files.

    Attributes
    ----------
    margins
        ``secteur, taille, departement, n_entreprises`` (cells without a firm omitted).
    exclusions
        ``motif, libelle, n_unites``: every unit read that is not in the frame, by reason.
    frame
        The confidential frame (:data:`FRAME_COLUMNS`), one row per firm, sorted by siren.
    units_read
        Legal units read (the exclusions and the frame add up to it).
    partial_diffusion
        Firms of the frame in partial diffusion (counted, never named).
    naf_without_unit
        NAF patterns of the study's sectors that matched no active unit (a typo, or a code
        that does not exist).
    """

    margins: pd.DataFrame
    exclusions: pd.DataFrame
    frame: pd.DataFrame
    units_read: int
    partial_diffusion: int
    naf_without_unit: tuple[str, ...] = field(default=())

    @property
    def firms(self) -> int:
        return len(self.frame)


def _sector_case(sectors: Mapping[str, Sequence[str]], column: str) -> tuple[str, list[str]]:
    """A SQL CASE giving the sector of a NAF code (longest prefix first) and every prefix."""
    pairs = [(p, code) for code, naf in sectors.items() for p in naf_prefixes(naf)]
    pairs.sort(key=lambda pair: -len(pair[0]))
    whens = " ".join(f"WHEN starts_with({column}, '{p}') THEN '{code}'" for p, code in pairs)
    return f"CASE {whens} ELSE NULL END", [p for p, _ in pairs]


def _size_case(size_of_band: Mapping[str, str], column: str) -> str:
    whens = " ".join(f"WHEN '{band}' THEN '{size}'" for band, size in size_of_band.items())
    return f"CASE coalesce(nullif(trim({column}), ''), 'NN') {whens} ELSE NULL END"


def _scope_sql(sectors: Mapping[str, Sequence[str]], settings: FrameSettings) -> str:
    """Active NAF rév. 2 units of the study's sectors, with their sector and size class."""
    sector, prefixes = _sector_case(sectors, "activitePrincipaleUniteLegale")
    size = _size_case(settings.size_of_band(), "trancheEffectifsUniteLegale")
    person = "trim(concat_ws(' ', prenomUsuelUniteLegale, nomUniteLegale))"
    return f"""
        CREATE TEMP TABLE scope AS
        SELECT siren, {sector} AS secteur, {size} AS taille,
               activitePrincipaleUniteLegale AS naf,
               coalesce(nullif(trim(trancheEffectifsUniteLegale), ''), 'NN') AS tranche_effectifs,
               nicSiegeUniteLegale AS nic_siege,
               coalesce(nullif(denominationUniteLegale, ''), nullif({person}, '')) AS denomination,
               coalesce(statutDiffusionUniteLegale, 'O') AS diffusion_ul
        FROM ul
        WHERE etatAdministratifUniteLegale = 'A'
          AND coalesce(nullif(nomenclatureActivitePrincipaleUniteLegale, ''), 'NAFRev2') = 'NAFRev2'
          AND {naf_condition("activitePrincipaleUniteLegale", prefixes)}
    """


def _count_sql(sectors: Mapping[str, Sequence[str]]) -> str:
    _, prefixes = _sector_case(sectors, "activitePrincipaleUniteLegale")
    active = "etatAdministratifUniteLegale = 'A'"
    rev2 = "coalesce(nullif(nomenclatureActivitePrincipaleUniteLegale, ''), 'NAFRev2') = 'NAFRev2'"
    return f"""
        SELECT count(*) AS lues,
               count(*) FILTER (WHERE NOT ({active}) OR etatAdministratifUniteLegale IS NULL)
                   AS cessee,
               count(*) FILTER (WHERE {active} AND NOT ({rev2})) AS nomenclature,
               count(*) FILTER (WHERE {active} AND {rev2}
                   AND NOT {naf_condition("activitePrincipaleUniteLegale", prefixes)})
                   AS hors_champ_naf
        FROM ul
    """


def _heads_sql(departements: Sequence[str]) -> str:
    dep = departement_of_commune("e.codeCommuneEtablissement")
    deps = ", ".join(f"'{d}'" for d in departements)
    return f"""
        CREATE TEMP TABLE classified AS
        WITH heads AS (
            SELECT e.siren, e.siret, e.nic, {dep} AS departement,
                   nullif(trim(concat_ws(' ', e.numeroVoieEtablissement, e.typeVoieEtablissement,
                                         e.libelleVoieEtablissement)), '') AS adresse,
                   e.codePostalEtablissement AS code_postal,
                   e.libelleCommuneEtablissement AS commune,
                   coalesce(e.statutDiffusionEtablissement, 'O') AS diffusion_et
            FROM etab e SEMI JOIN scope s ON s.siren = e.siren
            WHERE lower(coalesce(e.etablissementSiege, '')) IN ('true', '1', 'oui')
              AND e.etatAdministratifEtablissement = 'A'
        ), head AS (
            SELECT h.* FROM heads h JOIN scope s USING (siren)
            QUALIFY row_number() OVER (
                PARTITION BY h.siren ORDER BY (h.nic = s.nic_siege) DESC, h.siret) = 1
        )
        SELECT s.*, h.siret AS siret_siege, h.departement, h.adresse, h.code_postal, h.commune,
               CASE WHEN s.diffusion_ul = 'P' OR h.diffusion_et = 'P' THEN 'P' ELSE 'O' END
                   AS diffusion,
               CASE WHEN s.taille IS NULL THEN 'tranche_inconnue'
                    WHEN h.siren IS NULL THEN 'sans_siege_actif'
                    WHEN h.departement NOT IN ({deps}) THEN 'hors_region'
                    ELSE NULL END AS motif
        FROM scope s LEFT JOIN head h USING (siren)
    """


def build_frame(
    unites_legales: SireneFile | str,
    etablissements: SireneFile | str,
    *,
    sectors: Mapping[str, Sequence[str]],
    departements: Sequence[str],
    settings: FrameSettings,
) -> FrameResult:
    """Apply the frame's rules to a pair of stock files (see the module's docstring).

    Parameters
    ----------
    unites_legales, etablissements
        The stock files (paths, or files already checked by :func:`inspect_sirene`).
    sectors
        Each study sector's NAF patterns (``{"banque": ("64.19Z", …)}``).
    departements
        The study's département codes.
    settings
        ``[frame]``: size bounds and memory limit.

    Raises
    ------
    InputError
        A file not in the published layout, or no firm at all in the study's départements.
    ConfigError
        A NAF pattern that is not a NAF rév. 2 code.
    """
    ul = (
        unites_legales
        if isinstance(unites_legales, SireneFile)
        else inspect_sirene(unites_legales, UNITES_LEGALES)
    )
    et = (
        etablissements
        if isinstance(etablissements, SireneFile)
        else inspect_sirene(etablissements, ETABLISSEMENTS)
    )
    con = sirene_connection(settings.memory_limit)
    try:
        register_sirene(con, ul, "ul", _UL_COLUMNS)
        counts = run_query(con, _count_sql(sectors), ul.path).fetchall()[0]
        register_sirene(con, ul, "ul", _UL_COLUMNS)  # a zipped file is a stream: read it again
        run_query(con, _scope_sql(sectors, settings), ul.path)
        register_sirene(con, et, "etab", _ETAB_COLUMNS)
        run_query(con, _heads_sql(departements), et.path)
        frame = con.execute(
            "SELECT siren, siret_siege, denomination, adresse, code_postal, commune, departement,"
            " secteur, taille, naf, tranche_effectifs, diffusion FROM classified"
            " WHERE motif IS NULL ORDER BY siren"
        ).df()
        later = dict(
            con.execute("SELECT motif, count(*) FROM classified GROUP BY motif").fetchall()
        )
        used = {
            p for (p,) in con.execute("SELECT DISTINCT naf FROM scope").fetchall() if p is not None
        }
    finally:
        con.close()
    return _result(frame, counts, later, used, sectors, departements, et)


def _result(
    frame: pd.DataFrame,
    counts: tuple[Any, ...],
    later: Mapping[str | None, int],
    used_codes: set[str],
    sectors: Mapping[str, Sequence[str]],
    departements: Sequence[str],
    et: SireneFile,
) -> FrameResult:
    import pandas as pd  # lazy: pandas only when the frame is built

    read, cessee, nomenclature, hors_naf = (int(c) for c in counts)
    found = {
        "cessee": cessee,
        "nomenclature": nomenclature,
        "hors_champ_naf": hors_naf,
        **{k: int(v) for k, v in later.items() if k is not None},
    }
    exclusions = pd.DataFrame(
        [(k, label, found.get(k, 0)) for k, label in EXCLUSION_LABELS.items()],
        columns=["motif", "libelle", "n_unites"],
    )
    if frame.empty:
        raise InputError(
            "aucune entreprise active des secteurs de l'étude n'a son siège dans les départements "
            + ", ".join(departements)
            + f" ({read} unités lues, {found.get('hors_region', 0)} sièges hors de ces départements)",
            file=et.path,
            hint="vérifiez que l'extrait Sirene est celui de la région et les départements de "
            "l'étude ([departements] de study.toml)",
        )
    hidden = frame["diffusion"].eq("P")
    for column in ("denomination", "adresse"):
        frame[column] = frame[column].astype("object").where(~hidden, None)
    margins = (
        frame.groupby(["secteur", "taille", "departement"], observed=True)
        .size()
        .rename("n_entreprises")
        .reset_index()
    )
    unused = tuple(
        pattern
        for naf in sectors.values()
        for pattern in naf
        if not any(code.startswith(p) for p in naf_prefixes([pattern]) for code in used_codes)
    )
    return FrameResult(
        margins=_ordered(margins, sectors),
        exclusions=exclusions,
        frame=frame.reset_index(drop=True)[list(FRAME_COLUMNS)],
        units_read=read,
        partial_diffusion=int(hidden.sum()),
        naf_without_unit=unused,
    )


SIZE_ORDER = ("tpe", "pme", "eti", "ge")


def _ordered(margins: pd.DataFrame, sectors: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Margins in the study's order: sector as declared, size from small to large, département."""
    sector_rank = {code: i for i, code in enumerate(sectors)}
    sizes = list(dict.fromkeys([*SIZE_ORDER, *sorted(margins["taille"].unique())]))
    size_rank = {code: i for i, code in enumerate(sizes)}
    ordered = margins.assign(
        _s=margins["secteur"].map(sector_rank), _t=margins["taille"].map(size_rank)
    ).sort_values(["_s", "_t", "departement"])
    ordered["n_entreprises"] = ordered["n_entreprises"].astype(int)
    return ordered.drop(columns=["_s", "_t"]).reset_index(drop=True)[list(MARGIN_COLUMNS)]
