"""Small SIRENE stock files in the published layout, written by the tests (a helper module)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from iaobs.frame.sirene import ESTABLISHMENT_COLUMNS, LEGAL_UNIT_COLUMNS


def write_stock(
    path: Path, kind: str, rows: Iterable[Mapping[str, str]], fmt: str | None = None
) -> Path:
    """Write a StockUniteLegale / StockEtablissement file (csv, zip or parquet by suffix)."""
    columns = LEGAL_UNIT_COLUMNS if kind == "unites_legales" else ESTABLISHMENT_COLUMNS
    rows = [{c: str(r.get(c, "")) for c in columns} for r in rows]
    fmt = fmt or path.suffix.lstrip(".")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({c: [r[c] or None for r in rows] for c in columns})
        pq.write_table(table, path)
        return path
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if fmt == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.stem + ".csv", buffer.getvalue())
    else:
        path.write_text(buffer.getvalue(), "utf-8")
    return path


def unit(siren: str, naf: str, tranche: str = "01", etat: str = "A", **extra: str) -> dict:
    return {
        "siren": siren,
        "statutDiffusionUniteLegale": extra.pop("diffusion", "O"),
        "trancheEffectifsUniteLegale": tranche,
        "etatAdministratifUniteLegale": etat,
        "activitePrincipaleUniteLegale": naf,
        "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
        "nicSiegeUniteLegale": "00011",
        "denominationUniteLegale": extra.pop("name", f"SOCIETE {siren}"),
        **extra,
    }


def establishment(
    siren: str,
    commune: str,
    naf: str,
    siege: bool = True,
    etat: str = "A",
    nic: str = "00011",
    **extra: str,
) -> dict:
    return {
        "siren": siren,
        "nic": nic,
        "siret": siren + nic,
        "statutDiffusionEtablissement": extra.pop("diffusion", "O"),
        "etablissementSiege": "true" if siege else "false",
        "codeCommuneEtablissement": commune,
        "codePostalEtablissement": commune[:2] + "000",
        "libelleCommuneEtablissement": extra.pop("commune_name", "VILLE"),
        "etatAdministratifEtablissement": etat,
        "activitePrincipaleEtablissement": naf,
        "coordonneeLambertAbscisseEtablissement": extra.pop("x", "704000.5"),
        "coordonneeLambertOrdonneeEtablissement": extra.pop("y", "7059000.25"),
        "enseigne1Etablissement": extra.pop("enseigne", ""),
        **extra,
    }
