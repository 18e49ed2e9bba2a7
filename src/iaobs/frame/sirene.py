"""Reading the SIRENE stock files in their published layout, in bounded memory.

INSEE publishes two stock files under the open licence:

* ``StockUniteLegale`` — one row per legal unit (``siren``), with its state
  (``etatAdministratifUniteLegale``), activity (``activitePrincipaleUniteLegale``), headcount band
  (``trancheEffectifsUniteLegale``), head-office ``nicSiegeUniteLegale``, name
  (``denominationUniteLegale``…) and diffusion status (``statutDiffusionUniteLegale``);
* ``StockEtablissement`` — one row per establishment (``siret``), with ``etablissementSiege``,
  ``codeCommuneEtablissement``, ``etatAdministratifEtablissement``,
  ``activitePrincipaleEtablissement``, the Lambert-93 coordinates
  (``coordonneeLambertAbscisseEtablissement``, ``coordonneeLambertOrdonneeEtablissement``) and
  ``statutDiffusionEtablissement``.

Both come as CSV in UTF-8 (comma-separated, header row of the published column names), as the
zipped CSV of data.gouv.fr, or as parquet; a region's extract has the same columns. The national
files are several GB: they are scanned by DuckDB, which streams the rows, keeps only the
columns asked for (by published name) and filters while reading, under a memory limit. A zipped
CSV is decompressed as a stream (pyarrow), never whole on disk or in memory.

The entry points:

* :func:`inspect_sirene` — the file's format and columns, or one clear line when it is not in
  the published layout;
* :func:`sirene_connection` and :func:`register_sirene` — a bounded DuckDB connection and a view
  of a stock file in it, for a caller that writes its own query (the frame's margins);
* :func:`read_active_establishments` — the active establishments of some NAF codes in some
  départements, with their siret, siren, name, commune, coordinates and diffusion status (used by
  the directory of the region's AI actors).

Units whose diffusion status is ``P`` (partial diffusion: the person asked not to be named) are
returned with their name, address and coordinates blanked: they may be counted, never named.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from iaobs.errors import ConfigError, InputError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = [
    "ESTABLISHMENT_COLUMNS",
    "ESTABLISHMENT_RESULT_COLUMNS",
    "ETABLISSEMENTS",
    "LEGAL_UNIT_COLUMNS",
    "UNITES_LEGALES",
    "SireneFile",
    "departement_of_commune",
    "inspect_sirene",
    "naf_condition",
    "naf_prefixes",
    "read_active_establishments",
    "register_sirene",
    "run_query",
    "sirene_connection",
]

Kind = Literal["unites_legales", "etablissements"]
UNITES_LEGALES: Kind = "unites_legales"
ETABLISSEMENTS: Kind = "etablissements"

# The published columns of StockUniteLegale (INSEE, « Description des fichiers Sirene »).
LEGAL_UNIT_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
)

# The published columns of StockEtablissement.
ESTABLISHMENT_COLUMNS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
)

# The columns without which a file is not usable (the others may be absent from an extract).
_REQUIRED: dict[Kind, tuple[str, ...]] = {
    UNITES_LEGALES: (
        "siren",
        "statutDiffusionUniteLegale",
        "trancheEffectifsUniteLegale",
        "etatAdministratifUniteLegale",
        "activitePrincipaleUniteLegale",
        "nicSiegeUniteLegale",
    ),
    ETABLISSEMENTS: (
        "siren",
        "siret",
        "statutDiffusionEtablissement",
        "etablissementSiege",
        "codeCommuneEtablissement",
        "etatAdministratifEtablissement",
        "activitePrincipaleEtablissement",
    ),
}
_TITLES: dict[Kind, str] = {
    UNITES_LEGALES: "StockUniteLegale",
    ETABLISSEMENTS: "StockEtablissement",
}
_PUBLISHED: dict[Kind, tuple[str, ...]] = {
    UNITES_LEGALES: LEGAL_UNIT_COLUMNS,
    ETABLISSEMENTS: ESTABLISHMENT_COLUMNS,
}
_NAF_PATTERN = re.compile(r"^\d{2}(\.\d{1,2}[A-Z]?)?(\.?\*)?$")
_LAYOUT_HINT = (
    "attendu : le fichier publié par l'INSEE (CSV UTF-8 séparé par des virgules, éventuellement "
    "zippé, ou parquet) avec les noms de colonnes publiés"
)


@dataclass(frozen=True)
class SireneFile:
    """A SIRENE stock file checked against the published layout.

    Attributes
    ----------
    path
        The file.
    kind
        ``"unites_legales"`` (StockUniteLegale) or ``"etablissements"`` (StockEtablissement).
    format
        ``"csv"``, ``"zip"`` (a zipped CSV) or ``"parquet"``.
    columns
        Its columns, as published.
    member
        The CSV inside a zip file.
    """

    path: Path
    kind: Kind
    format: Literal["csv", "zip", "parquet"]
    columns: tuple[str, ...]
    member: str | None = None

    def has(self, column: str) -> bool:
        return column in self.columns


# --- the layout ------------------------------------------------------------------------------


def _csv_header(first_line: bytes, path: Path) -> list[str]:
    text = first_line.decode("utf-8-sig", errors="strict").strip("\r\n")
    if text.count(";") > text.count(","):
        raise InputError(
            "séparateur « ; » : ce n'est pas la mise en page publiée de Sirene",
            file=path,
            hint="relisez le fichier d'origine de l'INSEE (séparé par des virgules), sans le "
            "rouvrir dans un tableur",
        )
    return [c.strip().strip('"') for c in text.split(",")]


def _first_line(stream: Any, path: Path) -> bytes:
    line = stream.readline(1 << 20)
    if not line.strip():
        raise InputError("fichier vide", file=path, hint=_LAYOUT_HINT)
    return line


def _read_columns(path: Path) -> tuple[Literal["csv", "zip", "parquet"], list[str], str | None]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq  # lazy: pyarrow only to read a parquet file's schema

        try:
            return "parquet", list(pq.read_schema(path).names), None
        except Exception as exc:  # pyarrow raises several kinds for a damaged file
            raise InputError(f"parquet illisible ({exc})", file=path, hint=_LAYOUT_HINT) from exc
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
                if len(members) != 1:
                    raise InputError(
                        f"l'archive contient {len(members)} fichiers CSV au lieu d'un seul",
                        file=path,
                        hint=_LAYOUT_HINT,
                    )
                with archive.open(members[0]) as stream:
                    return "zip", _csv_header(_first_line(stream, path), path), members[0]
        except zipfile.BadZipFile as exc:
            raise InputError("archive zip illisible", file=path, hint=_LAYOUT_HINT) from exc
    if suffix in (".csv", ".txt"):
        with path.open("rb") as stream:
            return "csv", _csv_header(_first_line(stream, path), path), None
    raise InputError(
        f"format « {path.suffix or 'sans extension'} » non reconnu",
        file=path,
        hint="fichiers Sirene acceptés : .csv, .zip (CSV zippé) ou .parquet",
    )


def inspect_sirene(path: str | Path, kind: Kind) -> SireneFile:
    """Check that a file is a SIRENE stock file of the given kind, in the published layout.

    Raises
    ------
    InputError
        One line naming the file and what is wrong: missing file, unknown format, a ``;``
        separator, a file of the other kind, a missing published column (with the closest
        column found, for a renamed one), a file that is not UTF-8.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            "fichier Sirene introuvable",
            file=path,
            hint=f"vérifiez le chemin donné dans [frame] {kind} de study.toml",
        )
    try:
        fmt, columns, member = _read_columns(path)
    except UnicodeDecodeError as exc:
        raise InputError("le fichier n'est pas en UTF-8", file=path, hint=_LAYOUT_HINT) from exc
    other: Kind = ETABLISSEMENTS if kind == UNITES_LEGALES else UNITES_LEGALES
    missing = [c for c in _REQUIRED[kind] if c not in columns]
    if missing and all(c in columns for c in _REQUIRED[other]):
        raise InputError(
            f"c'est un fichier {_TITLES[other]}, pas {_TITLES[kind]}",
            file=path,
            hint="inversez unites_legales et etablissements dans [frame] de study.toml",
        )
    if missing:
        close = difflib.get_close_matches(missing[0], columns, n=1, cutoff=0.6)
        found = f" (colonne proche : « {close[0]} »)" if close else ""
        raise InputError(
            f"colonne publiée « {missing[0]} » absente du fichier {_TITLES[kind]}{found}",
            file=path,
            column=missing[0],
            hint=_LAYOUT_HINT,
        )
    return SireneFile(path=path, kind=kind, format=fmt, columns=tuple(columns), member=member)


# --- DuckDB ----------------------------------------------------------------------------------


def sirene_connection(
    memory_limit: str = "1GB", threads: int = 2, temp_directory: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection bounded in memory and threads.

    ``temp_directory`` receives what DuckDB spills to disk when a join outgrows the memory
    limit (by default DuckDB's own ``.tmp`` next to the working directory).
    """
    import duckdb  # lazy: DuckDB only when a SIRENE file is read

    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{_checked_size(memory_limit)}'")
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    if temp_directory is not None:
        temp_directory.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{_quoted_path(temp_directory)}'")
    return con


def _checked_size(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value.strip(), flags=re.IGNORECASE):
        raise ConfigError(f"limite de mémoire « {value} » illisible", hint="ex. « 1GB », « 512MB »")
    return value.strip()


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def register_sirene(
    con: duckdb.DuckDBPyConnection,
    file: SireneFile,
    name: str,
    columns: Sequence[str],
) -> None:
    """Make ``name`` a view of ``file`` in ``con``, with these published columns as text.

    Columns of the published layout absent from an extract are NULL; a column that is not
    published is an error. The view streams the file: nothing is loaded before a query runs,
    and only the columns named are read.
    """
    published = _PUBLISHED[file.kind]
    for column in columns:
        if column not in published and column not in file.columns:
            raise ConfigError(
                f"colonne « {column} » inconnue du fichier {_TITLES[file.kind]}",
                hint="noms publiés : " + ", ".join(published[:8]) + "…",
            )
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"bad view name {name!r}")
    present = [c for c in columns if file.has(c)]
    select = ", ".join(_as_text(c, file) for c in columns)
    if file.format == "parquet":
        source = f"read_parquet('{_quoted_path(file.path)}')"
    elif file.format == "csv":
        source = (
            f"read_csv('{_quoted_path(file.path)}', header = true, delim = ',', quote = '\"', "
            "escape = '\"', all_varchar = true, encoding = 'utf-8')"
        )
    else:
        source = f"{name}_stream"
        con.execute(f"DROP VIEW IF EXISTS {name}")
        con.unregister(source)
        con.register(source, _zip_stream(file, present))
    run_query(
        con, f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {select} FROM {source}", file.path
    )


# Identifiers keep their leading zeros even when a parquet file stores them as numbers.
_WIDTHS = {"siren": 9, "nic": 5, "siret": 14, "nicSiegeUniteLegale": 5}


def _as_text(column: str, file: SireneFile) -> str:
    if not file.has(column):
        return f"CAST(NULL AS VARCHAR) AS {_quoted(column)}"
    text = f"CAST({_quoted(column)} AS VARCHAR)"
    if column in _WIDTHS and file.format == "parquet":
        text = f"lpad({text}, {_WIDTHS[column]}, '0')"
    return f"{text} AS {_quoted(column)}"


def _zip_stream(file: SireneFile, columns: Sequence[str]) -> Any:
    """The CSV inside a zip file as a stream of Arrow batches (decompressed as read).

    Blocks of 1 MiB read on one thread keep the batches waiting for DuckDB small: the peak
    memory stays near 400 MiB whatever the file's size (``bench/bench_frame.py``)."""
    import pyarrow as pa  # lazy: pyarrow only for a zipped CSV
    import pyarrow.csv as pacsv  # lazy: as above

    archive = zipfile.ZipFile(file.path)
    stream = archive.open(file.member or "")
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=1 << 20, use_threads=False, encoding="utf8"),
            parse_options=pacsv.ParseOptions(
                delimiter=",", quote_char='"', newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(columns),
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InputError(f"CSV illisible dans l'archive ({exc})", file=file.path) from exc
    return reader


def run_query(con: duckdb.DuckDBPyConnection, sql: str, file: Path, params: Any = None) -> Any:
    """Run a query, translating DuckDB's and Arrow's errors into one line naming the file."""
    import duckdb  # lazy: DuckDB only when a SIRENE file is read

    try:
        return con.execute(sql, params) if params is not None else con.execute(sql)
    except duckdb.OutOfMemoryException as exc:
        raise InputError(
            "mémoire insuffisante pour lire le fichier Sirene",
            file=file,
            hint="augmentez [frame] memoire (ex. « 2GB ») ou utilisez l'extrait régional",
        ) from exc
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        raise InputError(_csv_problem(str(exc)), file=file, hint=_LAYOUT_HINT) from exc
    except Exception as exc:  # an Arrow error of a zipped CSV read as a stream
        if type(exc).__module__.startswith("pyarrow"):
            raise InputError(
                f"CSV illisible dans l'archive ({str(exc).strip().splitlines()[0]})",
                file=file,
                hint=_LAYOUT_HINT,
            ) from exc
        raise


def _csv_problem(message: str) -> str:
    """DuckDB's CSV error in one French line (with the line number when it gives one)."""
    line = re.search(r"\bline[: ]+(\d+)", message, flags=re.IGNORECASE)
    where = f" ligne {line.group(1)}" if line else ""
    if "sniff" in message.lower():
        return "mise en page CSV illisible (guillemets, séparateur ou nombre de colonnes)"
    if "column" in message.lower() or "unterminated" in message.lower():
        return f"CSV mal formé{where} (nombre de colonnes ou guillemet non fermé)"
    return f"ligne illisible{where} ({message.strip().splitlines()[0]})"


# --- codes -----------------------------------------------------------------------------------


def naf_prefixes(patterns: Iterable[str]) -> tuple[str, ...]:
    """NAF patterns (``62.01Z``, ``49.*``, ``10.*-33.*``, ``62``) as prefixes of the published
    codes (``62.01Z``, ``49.``, ``10.`` … ``33.``, ``62``).

    Raises
    ------
    ConfigError
        For a pattern that is not a NAF rév. 2 code, division or range of divisions.
    """
    prefixes: list[str] = []
    for raw in patterns:
        pattern = str(raw).strip().upper()
        if "-" in pattern:
            low, _, high = pattern.partition("-")
            low, high = low.strip(), high.strip()
            if not (_NAF_PATTERN.match(low) and _NAF_PATTERN.match(high)):
                raise _bad_naf(raw)
            first, last = int(low[:2]), int(high[:2])
            if first > last:
                raise _bad_naf(raw)
            prefixes.extend(f"{d:02d}." for d in range(first, last + 1))
            continue
        if not _NAF_PATTERN.match(pattern):
            raise _bad_naf(raw)
        prefixes.append(pattern.rstrip("*"))
    return tuple(dict.fromkeys(prefixes))


def _bad_naf(pattern: object) -> ConfigError:
    return ConfigError(
        f"code NAF inconnu « {pattern} »",
        hint="codes NAF rév. 2 comme publiés par l'INSEE : « 62.01Z », une division « 62.* » "
        "ou des divisions « 10.*-33.* »",
    )


def naf_condition(column: str, prefixes: Sequence[str]) -> str:
    """A SQL condition: ``column`` starts with one of the NAF prefixes (validated codes)."""
    if not prefixes:
        return "FALSE"
    for prefix in prefixes:
        if not re.fullmatch(r"[0-9A-Z.]+", prefix):
            raise _bad_naf(prefix)
    return "(" + " OR ".join(f"starts_with({column}, '{p}')" for p in prefixes) + ")"


def departement_of_commune(column: str) -> str:
    """A SQL expression: the département of a commune code (Corsica 2A/2B, overseas 97x)."""
    return f"CASE WHEN starts_with({column}, '97') OR starts_with({column}, '98') THEN left({column}, 3) ELSE left({column}, 2) END"


def _departements(codes: Iterable[str]) -> tuple[str, ...]:
    found = []
    for code in codes:
        code = str(code).strip().upper()
        if re.fullmatch(r"\d", code):
            code = code.zfill(2)
        if not re.fullmatch(r"\d{2}|2A|2B|97\d|98\d", code):
            raise ConfigError(
                f"code de département inconnu « {code} »",
                hint="codes INSEE : « 59 », « 2A », « 971 »",
            )
        found.append(code)
    return tuple(dict.fromkeys(found))


# --- the establishments ----------------------------------------------------------------------

_ESTABLISHMENT_FIELDS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "etablissementSiege",
    "etatAdministratifEtablissement",
    "activitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "numeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "codeCommuneEtablissement",
    "libelleCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
)
_UNIT_FIELDS = (
    "siren",
    "statutDiffusionUniteLegale",
    "denominationUniteLegale",
    "nomUniteLegale",
    "prenomUsuelUniteLegale",
    "trancheEffectifsUniteLegale",
    "categorieEntreprise",
)
ESTABLISHMENT_RESULT_COLUMNS = (
    "siret",
    "siren",
    "denomination",
    "enseigne",
    "adresse",
    "code_postal",
    "code_commune",
    "commune",
    "departement",
    "naf",
    "siege",
    "tranche_effectifs",
    "x_lambert93",
    "y_lambert93",
    "diffusion",
)


def read_active_establishments(
    etablissements: str | Path,
    *,
    naf: Iterable[str],
    departements: Iterable[str],
    unites_legales: str | Path | None = None,
    memory_limit: str = "1GB",
    threads: int = 2,
) -> pd.DataFrame:
    """The active establishments of some activities in some départements, from SIRENE.

    Parameters
    ----------
    etablissements
        A ``StockEtablissement`` file (CSV, zipped CSV or parquet; national file or extract).
    naf
        NAF rév. 2 codes or patterns of ``activitePrincipaleEtablissement``: ``"62.01Z"``,
        ``"62.*"`` (a division), ``"10.*-33.*"`` (divisions).
    departements
        INSEE département codes (``"59"``, ``"2A"``, ``"971"``) of ``codeCommuneEtablissement``.
    unites_legales
        The ``StockUniteLegale`` file, for the legal unit's name (``denominationUniteLegale``,
        or the person's name for a sole proprietor) and diffusion status; without it the name is
        the establishment's ``denominationUsuelleEtablissement``.
    memory_limit, threads
        DuckDB's bounds.

    Returns
    -------
    pandas.DataFrame
        One row per establishment with ``etatAdministratifEtablissement = A``, sorted by siret,
        columns :data:`ESTABLISHMENT_RESULT_COLUMNS`: ``siret``, ``siren``, ``denomination``,
        ``enseigne``, ``adresse``, ``code_postal``, ``code_commune``, ``commune``,
        ``departement``, ``naf``, ``siege`` (bool), ``tranche_effectifs``, ``x_lambert93``,
        ``y_lambert93`` (float, metres; NaN when not geolocated — overseas codes are in their
        local projection), ``diffusion`` (``"O"`` or ``"P"``: ``P`` when the establishment or
        its legal unit is in partial diffusion; such rows have ``denomination``, ``enseigne``,
        ``adresse`` and coordinates blanked — count them, never name them).

    Raises
    ------
    InputError
        A file that is not in the published layout (one line: file and column).
    ConfigError
        A NAF pattern or département code that does not exist.
    """
    prefixes = naf_prefixes(naf)
    deps = _departements(departements)
    etab = inspect_sirene(etablissements, ETABLISSEMENTS)
    units = inspect_sirene(unites_legales, UNITES_LEGALES) if unites_legales else None
    con = sirene_connection(memory_limit, threads)
    try:
        register_sirene(con, etab, "etab", _ESTABLISHMENT_FIELDS)
        if units is not None:
            register_sirene(con, units, "ul", _UNIT_FIELDS)
        run_query(con, _picked_sql(prefixes, deps), etab.path)
        if units is not None:
            run_query(
                con,
                "CREATE TEMP TABLE units AS SELECT u.* FROM ul u SEMI JOIN picked p"
                " ON p.siren = u.siren",
                units.path,
            )
        sql = _establishments_sql(with_units=units is not None)
        frame = run_query(con, sql, etab.path).df()
    finally:
        con.close()
    return _finish_establishments(frame)


def _establishments_sql(*, with_units: bool) -> str:
    """The establishments kept (``picked``) with their legal unit's name and status."""
    dep = departement_of_commune("e.codeCommuneEtablissement")
    person = "trim(concat_ws(' ', u.prenomUsuelUniteLegale, u.nomUniteLegale))"
    name = (
        f"coalesce(nullif(u.denominationUniteLegale, ''), nullif({person}, ''), "
        "nullif(e.denominationUsuelleEtablissement, ''))"
        if with_units
        else "nullif(e.denominationUsuelleEtablissement, '')"
    )
    status = (
        "CASE WHEN e.statutDiffusionEtablissement = 'P' OR u.statutDiffusionUniteLegale = 'P' "
        "THEN 'P' ELSE 'O' END"
        if with_units
        else "CASE WHEN e.statutDiffusionEtablissement = 'P' THEN 'P' ELSE 'O' END"
    )
    join = "LEFT JOIN units u ON u.siren = e.siren" if with_units else ""
    return f"""
        SELECT e.siret, e.siren, {name} AS denomination,
               nullif(e.enseigne1Etablissement, '') AS enseigne,
               nullif(trim(concat_ws(' ', e.numeroVoieEtablissement, e.typeVoieEtablissement,
                                     e.libelleVoieEtablissement)), '') AS adresse,
               e.codePostalEtablissement AS code_postal,
               e.codeCommuneEtablissement AS code_commune,
               e.libelleCommuneEtablissement AS commune,
               {dep} AS departement,
               e.activitePrincipaleEtablissement AS naf,
               lower(coalesce(e.etablissementSiege, '')) IN ('true', '1', 'oui') AS siege,
               e.trancheEffectifsEtablissement AS tranche_effectifs,
               TRY_CAST(e.coordonneeLambertAbscisseEtablissement AS DOUBLE) AS x_lambert93,
               TRY_CAST(e.coordonneeLambertOrdonneeEtablissement AS DOUBLE) AS y_lambert93,
               {status} AS diffusion
        FROM picked e {join}
        ORDER BY e.siret
    """


def _picked_sql(prefixes: Sequence[str], deps: Sequence[str]) -> str:
    """The establishments asked for, kept apart first: the legal units are then read only for
    them (the join's table is the small side, whatever the size of the national file)."""
    dep = departement_of_commune("codeCommuneEtablissement")
    dep_list = ", ".join(f"'{d}'" for d in deps) or "NULL"
    return f"""
        CREATE TEMP TABLE picked AS SELECT * FROM etab
        WHERE etatAdministratifEtablissement = 'A'
          AND {naf_condition("activitePrincipaleEtablissement", prefixes)}
          AND {dep} IN ({dep_list})
    """


def _finish_establishments(frame: pd.DataFrame) -> pd.DataFrame:
    hidden = frame["diffusion"].eq("P")
    for column in ("denomination", "enseigne", "adresse"):
        frame[column] = frame[column].astype("object").where(~hidden, None)
    for column in ("x_lambert93", "y_lambert93"):
        frame[column] = frame[column].astype("float64").where(~hidden)
    frame["siege"] = frame["siege"].astype(bool)
    return frame.reset_index(drop=True)[list(ESTABLISHMENT_RESULT_COLUMNS)]
