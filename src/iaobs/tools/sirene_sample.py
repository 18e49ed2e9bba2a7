"""Synthetic SIRENE stock extracts for the sample study, in the exact published layout.

No real firm is in them: names, SIRENs and addresses are invented (SIRENs are 9 digits with a
valid Luhn key, beginning with 9 so that they are easy to tell apart). The active legal units
of the study's sectors headquartered in the region are exactly the population margins given, so
that ``iaobs frame`` on these files writes those margins back. Around them the extract holds
what a real regional extract holds and the frame's rules must exclude: ceased units, active
units of other activities, firms of the sectors headquartered elsewhere (with a branch in the
region), firms whose head office is closed, units still coded in an older nomenclature,
secondary establishments, and units in partial diffusion (``P``: name and address ``[ND]``).

Written as ``StockUniteLegale_utf8.zip`` and ``StockEtablissement_utf8.zip`` (the names of the
files of data.gouv.fr), zipped CSV in UTF-8 with the published columns in the published order.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.frame.sirene import ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS
from iaobs.study.dictionary import Dictionary, load_dictionary

__all__ = [
    "ESTABLISHMENTS_FILE",
    "LEGAL_UNITS_FILE",
    "sirene_rows",
    "write_sirene_extracts",
]

LEGAL_UNITS_FILE = "StockUniteLegale_utf8.zip"
ESTABLISHMENTS_FILE = "StockEtablissement_utf8.zip"
_ZIP_DATE = (2025, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same bytes

# Real commune codes (code officiel géographique) with their name and an approximate Lambert-93
# position; 97105 is in its local projection, as in the published files.
COMMUNES: Mapping[str, Sequence[tuple[str, str, float, float]]] = {
    "02": (
        ("02691", "SAINT-QUENTIN", 727000, 6972000),
        ("02408", "LAON", 747000, 6944000),
        ("02722", "SOISSONS", 727000, 6918000),
    ),
    "59": (
        ("59350", "LILLE", 704000, 7059000),
        ("59183", "DUNKERQUE", 654000, 7105000),
        ("59606", "VALENCIENNES", 739000, 7028000),
        ("59512", "ROUBAIX", 712000, 7068000),
        ("59599", "TOURCOING", 711000, 7073000),
    ),
    "60": (
        ("60057", "BEAUVAIS", 637000, 6927000),
        ("60159", "COMPIEGNE", 689000, 6924000),
        ("60175", "CREIL", 660000, 6907000),
    ),
    "62": (
        ("62041", "ARRAS", 684000, 7021000),
        ("62160", "BOULOGNE-SUR-MER", 599000, 7069000),
        ("62193", "CALAIS", 621000, 7092000),
        ("62498", "LENS", 686000, 7036000),
    ),
    "80": (("80021", "AMIENS", 649000, 6975000), ("80001", "ABBEVILLE", 606000, 7000000)),
    "75": (("75056", "PARIS", 652000, 6862000),),
    "69": (("69123", "LYON", 842000, 6519000),),
    "2A": (("2A004", "AJACCIO", 1189000, 6104000),),
    "971": (("97105", "BASSE-TERRE", 642000, 1773000),),
}
_ELSEWHERE = ("75", "69", "2A", "971")
# Real NAF rév. 2 codes: the sectors' wildcards pick theirs here; the others are out of scope.
NAF_CODES = (
    "10.11Z",
    "10.71C",
    "11.05Z",
    "16.10A",
    "20.14Z",
    "22.22Z",
    "24.10Z",
    "25.62B",
    "28.29B",
    "29.10Z",
    "33.12Z",
    "49.10Z",
    "49.32Z",
    "49.39A",
    "49.41A",
    "49.41B",
    "50.20Z",
    "51.10Z",
    "52.10B",
    "52.29A",
    "53.20Z",
    "41.20A",
    "43.21A",
    "46.69B",
    "47.11F",
    "47.73Z",
    "56.10A",
    "68.20B",
    "70.22Z",
    "71.12B",
    "72.19Z",
    "73.11Z",
    "85.59A",
    "86.21Z",
    "96.02A",
)
_BANDS = {
    "tpe": (("NN", 0.2), ("", 0.05), ("00", 0.2), ("01", 0.3), ("02", 0.15), ("03", 0.1)),
    "pme": (("11", 0.35), ("12", 0.25), ("21", 0.2), ("22", 0.12), ("31", 0.08)),
    "eti": (("32", 0.4), ("41", 0.3), ("42", 0.2), ("51", 0.1)),
    "ge": (("52", 0.7), ("53", 0.3)),
}
_CATEGORY = {"tpe": "PME", "pme": "PME", "eti": "ETI", "ge": "GE"}
_FIRST = ("ATELIERS", "GROUPE", "SOCIETE", "CABINET", "COMPAGNIE", "ETABLISSEMENTS", "MAISON")
_SECOND = (
    "DU NORD",
    "DES FLANDRES",
    "DE L'ARTOIS",
    "PICARDE",
    "DU HAINAUT",
    "DE L'OPALE",
    "DU SOISSONNAIS",
    "DU BEAUVAISIS",
    "DE LA SOMME",
    "DU LITTORAL",
)
_STREETS = (
    ("RUE", "NATIONALE"),
    ("AV", "DE LA REPUBLIQUE"),
    ("BD", "VICTOR HUGO"),
    ("RUE", "DU MOULIN"),
    ("PL", "DU GENERAL DE GAULLE"),
    ("RTE", "DE PARIS"),
)
_PERSONS = (  # sole proprietors: names outside the sample survey's name lists, so that a
    # public register's name is never taken for a respondent's or participant's
    ("FOURNIER", "AGATHE"),
    ("GIRARD", "BASILE"),
    ("ROUSSEAU", "FLORIAN"),
    ("VINCENT", "GASPARD"),
    ("MULLER", "HORTENSE"),
    ("LECLERC", "IRIS"),
)


def _luhn_key(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _nic(number: int) -> str:
    body = f"{number:04d}"
    return body + _luhn_key(body)


class _Units:
    """Draws legal units and their establishments, rows keyed by the published columns."""

    def __init__(self, rng: np.random.Generator, dictionary: Dictionary) -> None:
        self.rng = rng
        self.dictionary = dictionary
        self.next_body = 90_000_000
        self.units: list[dict[str, str]] = []
        self.establishments: list[dict[str, str]] = []
        self.candidates: dict[str | None, list[str]] = {}

    def pick(self, options: Sequence[Any]) -> Any:
        return options[int(self.rng.integers(len(options)))]

    def naf_of(self, sector: str | None) -> str:
        if sector not in self.candidates:
            if sector is None:  # out of scope: a code of no study sector
                codes = [c for c in NAF_CODES if self.dictionary.sector_for_naf(c) == "autre"]
            else:
                spec = self.dictionary.sectors[sector]
                codes = [p for p in spec.naf if "*" not in p] or [
                    c for c in NAF_CODES if spec.matches(c)
                ]
            self.candidates[sector] = codes
        return self.pick(self.candidates[sector])

    def band(self, size: str) -> str:
        bands, weights = zip(*_BANDS[size], strict=True)
        cumulative = np.cumsum(weights) / sum(weights)
        index = int(np.searchsorted(cumulative, self.rng.random(), side="right"))
        return bands[min(index, len(bands) - 1)]

    def add(
        self,
        *,
        naf: str,
        size: str,
        dep: str,
        active: bool = True,
        head_active: bool = True,
        branches: Sequence[str] = (),
        partial: bool = False,
        nomenclature: str = "NAFRev2",
    ) -> None:
        body = f"{self.next_body:08d}"
        self.next_body += 1
        siren = body + _luhn_key(body)
        person = size == "tpe" and self.rng.random() < 0.25
        name, first = self.pick(_PERSONS) if person else ("", "")
        denomination = "" if person else f"{self.pick(_FIRST)} {self.pick(_SECOND)} (FICTIVE)"
        nd = "[ND]" if partial else None
        created = f"{int(self.rng.integers(1960, 2023))}-{int(self.rng.integers(1, 13)):02d}-01"
        band = self.band(size)
        self.units.append(
            {
                "siren": siren,
                "statutDiffusionUniteLegale": "P" if partial else "O",
                "dateCreationUniteLegale": created,
                "trancheEffectifsUniteLegale": band,
                "anneeEffectifsUniteLegale": "" if band in ("", "NN") else "2022",
                "nombrePeriodesUniteLegale": "1" if active else "2",
                "categorieEntreprise": _CATEGORY[size] if active else "",
                "anneeCategorieEntreprise": "2022" if active else "",
                "dateDebut": created if active else "2021-06-30",
                "etatAdministratifUniteLegale": "A" if active else "C",
                "nomUniteLegale": nd or name,
                "prenomUsuelUniteLegale": nd or first,
                "prenom1UniteLegale": nd or first,
                "denominationUniteLegale": nd or denomination if not person else "",
                "categorieJuridiqueUniteLegale": "1000" if person else self.pick(("5710", "5499")),
                "activitePrincipaleUniteLegale": naf,
                "nomenclatureActivitePrincipaleUniteLegale": nomenclature,
                "nicSiegeUniteLegale": _nic(1),
                "economieSocialeSolidaireUniteLegale": "N",
                "caractereEmployeurUniteLegale": "N" if band in ("", "NN", "00") else "O",
            }
        )
        self.establishment(siren, 1, naf, dep, True, active and head_active, band, partial)
        for i, branch in enumerate(branches, start=2):
            self.establishment(siren, i, naf, branch, False, active, "", partial)

    def establishment(
        self,
        siren: str,
        number: int,
        naf: str,
        dep: str,
        head: bool,
        active: bool,
        band: str,
        partial: bool,
    ) -> None:
        code, commune, x, y = self.pick(COMMUNES[dep])
        street_type, street = self.pick(_STREETS)
        nd = "[ND]" if partial else None
        nic = _nic(number)
        self.establishments.append(
            {
                "siren": siren,
                "nic": nic,
                "siret": siren + nic,
                "statutDiffusionEtablissement": "P" if partial else "O",
                "dateCreationEtablissement": "2010-01-01",
                "trancheEffectifsEtablissement": band,
                "etablissementSiege": "true" if head else "false",
                "nombrePeriodesEtablissement": "1",
                "numeroVoieEtablissement": nd or str(int(self.rng.integers(1, 200))),
                "typeVoieEtablissement": nd or street_type,
                "libelleVoieEtablissement": nd or street,
                "codePostalEtablissement": nd or f"{code[:2]}{int(self.rng.integers(0, 10))}00"
                if not code.startswith("97")
                else "97100",
                "libelleCommuneEtablissement": commune,
                "codeCommuneEtablissement": code,
                "coordonneeLambertAbscisseEtablissement": nd
                or f"{x + float(self.rng.normal(0, 2500)):.1f}",
                "coordonneeLambertOrdonneeEtablissement": nd
                or f"{y + float(self.rng.normal(0, 2500)):.1f}",
                "dateDebut": "2010-01-01",
                "etatAdministratifEtablissement": "A" if active else "F",
                "activitePrincipaleEtablissement": naf,
                "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                "caractereEmployeurEtablissement": "N" if band in ("", "NN", "00") else "O",
            }
        )


def sirene_rows(
    margins: pd.DataFrame,
    *,
    seed: int = 2019,
    dictionary: Dictionary | None = None,
    noise: float = 0.25,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Legal units and establishments whose frame is exactly ``margins`` (see the module).

    ``noise`` is the number of units to exclude per unit in the frame (ceased, other
    activities…). Rows are sorted by siren / siret, as published.
    """
    dictionary = dictionary or load_dictionary()
    rng = np.random.default_rng(seed)
    draw = _Units(rng, dictionary)
    regional = [d for d in COMMUNES if d not in _ELSEWHERE]
    for cell in margins.itertuples(index=False):
        for _ in range(int(cell.n_entreprises)):
            branches = (
                [draw.pick(regional) for _ in range(int(rng.integers(1, 4)))]
                if cell.taille != "tpe" and rng.random() < 0.5
                else []
            )
            draw.add(
                naf=draw.naf_of(cell.secteur),
                size=cell.taille,
                dep=cell.departement,
                branches=branches,
                partial=bool(rng.random() < 0.03),
            )
    extra = round(noise * int(margins["n_entreprises"].sum()))
    sectors = list(dictionary.sectors)
    for _ in range(extra // 2):  # ceased units, of the sectors or not
        draw.add(
            naf=draw.naf_of(draw.pick([*sectors, None])),
            size="tpe",
            dep=draw.pick(regional),
            active=False,
        )
    for _ in range(extra // 3):  # active, other activities
        draw.add(
            naf=draw.naf_of(None), size=draw.pick(("tpe", "tpe", "pme")), dep=draw.pick(regional)
        )
    for _ in range(max(extra // 30, 1)):  # of the sectors, head office elsewhere, branch here
        draw.add(
            naf=draw.naf_of(draw.pick(sectors)),
            size=draw.pick(("pme", "eti", "ge")),
            dep=draw.pick(_ELSEWHERE),
            branches=[draw.pick(regional)],
        )
    for _ in range(max(extra // 200, 1)):  # head office closed, a branch still active
        draw.add(
            naf=draw.naf_of(draw.pick(sectors)),
            size="pme",
            dep=draw.pick(regional),
            head_active=False,
            branches=[draw.pick(regional)],
        )
    for _ in range(max(extra // 300, 1)):  # an older nomenclature (NAF rév. 1, 2003)
        draw.add(naf="72.2Z", size="tpe", dep=draw.pick(regional), nomenclature="NAFRev1")
    units = sorted(draw.units, key=lambda r: r["siren"])
    establishments = sorted(draw.establishments, key=lambda r: r["siret"])
    return units, establishments


def _zipped_csv(path: Path, member: str, columns: Sequence[str], rows: Iterator[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        archive.writestr(info, buffer.getvalue().encode("utf-8"), compresslevel=9)
    tmp.replace(path)
    return path


def write_sirene_extracts(
    margins: pd.DataFrame,
    folder: Path,
    *,
    seed: int = 2019,
    dictionary: Dictionary | None = None,
) -> list[Path]:
    """Write ``StockUniteLegale_utf8.zip`` and ``StockEtablissement_utf8.zip`` into ``folder``
    whose frame, by the default ``[frame]`` rules, is exactly ``margins``."""
    units, establishments = sirene_rows(margins, seed=seed, dictionary=dictionary)
    return [
        _zipped_csv(
            folder / LEGAL_UNITS_FILE, "StockUniteLegale_utf8.csv", LEGAL_UNIT_COLUMNS, iter(units)
        ),
        _zipped_csv(
            folder / ESTABLISHMENTS_FILE,
            "StockEtablissement_utf8.csv",
            ESTABLISHMENT_COLUMNS,
            iter(establishments),
        ),
    ]
