"""study.toml → a validated :class:`Study`.

A study is a folder holding ``study.toml``, its raw data and its population margins. Every key
of ``study.toml`` is checked: an unknown key (a typo) is an error that suggests the closest
known key, so that a misspelt setting is never silently ignored.

Example::

    [study]
    title = "Observatoire régional de l'intelligence artificielle et des compétences"
    region = "Hauts-de-France"
    wave = "2019"
    language = "fr"

    [population]
    margins = "data/reference/population.csv"

    [[sources]]
    path = "data/raw/2019/banque.xlsx"
    profile = "template"
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from iaobs.core.contract import Thresholds
from iaobs.errors import ConfigError
from iaobs.study.dictionary import Dictionary, Label, Sector, load_dictionary
from iaobs.study.store import Store

__all__ = [
    "Actors",
    "FrameSettings",
    "PlanSettings",
    "Source",
    "Study",
    "Thresholds",
    "Weighting",
    "load_study",
]

STUDY_FILE = "study.toml"
DEFAULT_KEY_ENV = "IAOBS_PSEUDONYM_KEY"
PROFILES = ("template", "tableur", "limesurvey", "google-forms", "kobo", "surveymonkey", "sphinx")


@dataclass(frozen=True)
class Weighting:
    """How weights are built: base weights N_h / n_h, then optional raking and trimming."""

    strata: tuple[str, ...] = ("secteur", "taille")
    rake: tuple[tuple[str, ...], ...] = (("secteur", "taille"), ("departement",))
    tolerance: float = 1e-8
    max_iterations: int = 200
    trim_ratio: float | None = 5.0  # bounds [1/r, r] on weight / design weight; None: off
    ci_method: str = "beta"  # beta (Korn–Graubard), logit or wilson
    confidence: float = 0.95


#: The AI-supply activity codes (NAF rév. 2) of the actors' directory by default.
DEFAULT_ACTORS_NAF = ("58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z")


@dataclass(frozen=True)
class Actors:
    """``[acteurs]``: the sources of the directory of the region's AI actors.

    Paths are relative to the study folder; ``{wave}`` in a path stands for the wave, so that
    each wave reads its own SIRENE extract (the published layout of ``StockEtablissement`` and
    ``StockUniteLegale``: CSV, zipped CSV or parquet, national file or regional extract).
    Without them the study's wave reads the SIRENE files of ``[frame]`` (see
    :meth:`Study.actors_file`).
    """

    naf: tuple[str, ...] = DEFAULT_ACTORS_NAF
    etablissements: str = ""  # empty: the files of [frame] (for the study's wave)
    unites_legales: str = ""
    liste: str = "data/reference/acteurs/acteurs.csv"

    def path(self, root: Path, key: str, wave: str) -> Path | None:
        """The file ``key`` (``etablissements``, ``unites_legales``, ``liste``) of a wave, or
        None when it does not exist."""
        template = str(getattr(self, key))
        if not template:
            return None
        found = (root / template.replace("{wave}", wave)).resolve()
        return found if found.is_file() else None


# The INSEE headcount bands (trancheEffectifsUniteLegale) in order; NN: no employee that year.
HEADCOUNT_BANDS = (
    "NN",
    "00",
    "01",
    "02",
    "03",
    "11",
    "12",
    "21",
    "22",
    "31",
    "32",
    "41",
    "42",
    "51",
    "52",
    "53",
)


@dataclass(frozen=True)
class FrameSettings:
    """``[frame]``: the SIRENE stock files and the rules that turn them into margins.

    ``size_bounds`` maps each size class to the highest INSEE headcount band it holds (``tpe`` up
    to ``03``: 10 to 19 employees excluded; ``pme`` up to ``31``; ``eti`` up to ``51``; ``ge`` the
    rest); an empty band is read as ``NN``.
    """

    unites_legales: Path | None = None
    etablissements: Path | None = None
    size_bounds: tuple[tuple[str, str], ...] = (
        ("tpe", "03"),
        ("pme", "31"),
        ("eti", "51"),
        ("ge", "53"),
    )
    memory_limit: str = "1GB"

    @property
    def configured(self) -> bool:
        return self.unites_legales is not None and self.etablissements is not None

    def size_of_band(self) -> dict[str, str]:
        """Each INSEE headcount band → its size class."""
        mapping: dict[str, str] = {}
        start = 0
        for size, bound in self.size_bounds:
            end = HEADCOUNT_BANDS.index(bound) + 1
            mapping.update({band: size for band in HEADCOUNT_BANDS[start:end]})
            start = end
        return mapping


@dataclass(frozen=True)
class PlanSettings:
    """``[plan]``: the survey's design (``iaobs plan``) and its draw (``iaobs draw``).

    The allocation reaches a 95 % half-width of ``precision`` on a proportion of ``proportion``
    in each sector (and ``overall_precision`` on the whole), after the ``response_rate`` and the
    ``design_effect``; ``allocation`` is ``neyman`` or ``proportional`` within each sector, every
    stratum gets at least ``min_per_stratum`` expected respondents, strata of ``census_below``
    firms or fewer are surveyed whole; ``reserve_rate`` reserve units per drawn unit.
    """

    precision: float = 0.05
    overall_precision: float = 0.03
    response_rate: float = 0.3
    design_effect: float = 1.2
    allocation: str = "neyman"
    min_per_stratum: int = 5
    census_below: int = 10
    proportion: float = 0.5
    reserve_rate: float = 0.5
    confidence: float = 0.95
    proportions: Mapping[str, float] | None = None  # anticipated proportion by size class


@dataclass(frozen=True)
class Source:
    """One raw file of the study and how to read it."""

    path: Path
    profile: str = "template"
    sheet: str | None = None
    header_row: int | None = None
    sector: str | None = None
    questionnaire: str = "entreprises"
    mapping: Path | None = None
    wave: str | None = None  # the survey wave the file belongs to; None: the study's wave


@dataclass(frozen=True)
class Study:
    """A validated study: its folder, settings, sources and dictionary."""

    root: Path
    title: str
    region: str
    wave: str
    language: str
    sources: tuple[Source, ...]
    margins: Path | None
    thresholds: Thresholds = field(default_factory=Thresholds)
    weighting: Weighting = field(default_factory=Weighting)
    sectors: Mapping[str, Sector] | None = None
    departements: Mapping[str, str] | None = None
    labels: Mapping[str, Label] | None = None
    key_env: str = DEFAULT_KEY_ENV
    key: str | None = None
    max_file_mb: float = 200.0
    waves: tuple[str, ...] = ()
    other_sources: tuple[Source, ...] = ()  # sources of the other waves (see for_wave)
    processed_subdir: str = ""  # "" for the study's wave; "waves/<wave>" for another wave
    actors: Actors = field(default_factory=Actors)
    frame: FrameSettings = field(default_factory=FrameSettings)
    plan: PlanSettings = field(default_factory=PlanSettings)

    @cached_property
    def dictionary(self) -> Dictionary:
        """The company questionnaire with this study's sectors, départements and labels."""
        return load_dictionary("entreprises").with_overrides(
            sectors=self.sectors, departements=self.departements, labels=self.labels
        )

    @cached_property
    def training_dictionary(self) -> Dictionary:
        """The pilot-training questionnaire with this study's sectors."""
        return load_dictionary("formation").with_overrides(sectors=self.sectors)

    def actors_file(self, key: str, wave: str) -> Path | None:
        """A file of the actors' directory at ``wave`` (``etablissements``, ``unites_legales``,
        ``liste``), None when absent. Without ``[acteurs] etablissements`` the study's own wave
        reads the SIRENE files of ``[frame]``; earlier waves need their own (``{wave}``)."""
        found = self.actors.path(self.root, key, wave)
        if found is None and key != "liste" and not getattr(self.actors, key) and wave == self.wave:
            shared = getattr(self.frame, key)
            found = Path(shared) if shared is not None and Path(shared).is_file() else None
        return found

    @property
    def store(self) -> Store:
        """Every folder and file of this study at this wave (:class:`iaobs.study.store.Store`)."""
        return Store(root=self.root, wave=self.wave, processed_subdir=self.processed_subdir)

    @property
    def raw_dir(self) -> Path:
        return self.store.raw_dir

    @property
    def processed_dir(self) -> Path:
        """``data/processed/`` for the study's wave, ``data/processed/waves/<wave>/`` for
        another wave of a multi-wave study (see :meth:`for_wave`)."""
        return self.store.processed_dir

    @property
    def all_waves(self) -> tuple[str, ...]:
        """The waves of the study in order: ``[study] waves``, or the study's wave alone."""
        return self.waves or (self.wave,)

    def for_wave(self, wave: str) -> Study:
        """This study as it was at another wave: that wave's sources, processed data under
        ``data/processed/waves/<wave>/`` and reports under ``reports/<wave>/``.

        The study's own wave gives the study itself. Margins, sectors and thresholds are the
        study's (a study whose population changed between waves keeps one margins file per
        study folder).
        """
        if wave == self.wave:
            return self
        if wave not in self.all_waves:
            raise ConfigError(
                f"vague inconnue « {wave} »",
                hint="vagues de l'étude ([study] waves) : " + ", ".join(self.all_waves),
            )
        every = (*self.sources, *self.other_sources)
        mine = tuple(s for s in every if (s.wave or self.wave) == wave)
        rest = tuple(s for s in every if (s.wave or self.wave) != wave)
        return replace(
            self, wave=wave, sources=mine, other_sources=rest, processed_subdir=f"waves/{wave}"
        )

    @property
    def reports_dir(self) -> Path:
        return self.store.reports_dir

    def pseudonym_key(self) -> bytes:
        """The secret key of the pseudonymous identifiers.

        Taken from the environment variable named by ``[privacy] key_env`` when set, else from
        ``[privacy] key``; a study with neither uses a key derived from its region and title,
        which keeps identifiers stable but is not secret (the quality report says so).
        """
        from_env = os.environ.get(self.key_env)
        if from_env:
            return from_env.encode("utf-8")
        if self.key:
            return self.key.encode("utf-8")
        return f"iaobs:{self.region}:{self.title}".encode()

    @property
    def key_is_secret(self) -> bool:
        return bool(os.environ.get(self.key_env) or self.key)


# --------------------------------------------------------------------------------------------

_SCHEMA: dict[str, set[str]] = {
    "study": {"title", "region", "wave", "language", "waves"},
    "population": {"margins"},
    "frame": set(FrameSettings.__dataclass_fields__),
    "plan": set(PlanSettings.__dataclass_fields__),
    "thresholds": set(Thresholds.__dataclass_fields__),
    "weighting": set(Weighting.__dataclass_fields__),
    "privacy": {"key", "key_env"},
    "input": {"max_file_mb"},
    "sectors": set(),  # free names, checked one by one
    "departements": set(),
    "labels": set(),
    "sources": set(),
    "acteurs": {"naf", "etablissements", "unites_legales", "liste"},
}
_SOURCE_KEYS = {
    "path",
    "profile",
    "sheet",
    "header_row",
    "sector",
    "questionnaire",
    "mapping",
    "wave",
}
_SECTOR_KEYS = {"label", "naf"}
_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_WAVE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


def _unknown(keys: set[str], known: set[str], where: str, file: Path) -> None:
    for key in sorted(keys - known):
        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = (
            f"vouliez-vous dire « {close[0]} » ?"
            if close
            else ("clés possibles : " + ", ".join(sorted(known)))
        )
        raise ConfigError(f"clé inconnue « {key} » dans {where}", file=file, hint=hint)


def _label(value: Any, where: str, file: Path) -> Label:
    if isinstance(value, str):
        return Label(value, value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return Label(value[0], value[1])
    raise ConfigError(f"{where} : libellé attendu (texte, ou [français, anglais])", file=file)


def _typed(dc: type, values: Mapping[str, Any], where: str, file: Path) -> Any:
    kwargs: dict[str, Any] = {}
    defaults = dc()
    for key, value in values.items():
        default = getattr(defaults, key)
        if key == "rake":
            if not isinstance(value, list) or not all(
                isinstance(m, list) and all(isinstance(v, str) for v in m) for m in value
            ):
                raise ConfigError(
                    f'{where}.rake : liste de marges attendue, ex. [["secteur", "taille"], ["departement"]]',
                    file=file,
                )
            kwargs[key] = tuple(tuple(m) for m in value)
        elif key == "strata":
            kwargs[key] = tuple(str(v) for v in value)
        elif isinstance(default, bool) or default is None:
            kwargs[key] = value
        elif isinstance(default, int | float) and not isinstance(value, int | float):
            raise ConfigError(f"{where}.{key} : nombre attendu, reçu {value!r}", file=file)
        else:
            kwargs[key] = type(default)(value)
    return dc(**kwargs)


RAW_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


def _discover_sources(root: Path, waves: tuple[str, ...] = ()) -> list[Source]:
    """Every spreadsheet under ``data/raw/`` when study.toml lists no ``[[sources]]``.

    Files whose name starts with ``formation`` are read with the pilot-training questionnaire;
    all others with the company questionnaire and the ``template`` profile. A file under
    ``data/raw/<wave>/`` where ``<wave>`` is one of ``waves`` belongs to that wave.
    """
    raw = root / "data" / "raw"
    if not raw.is_dir():
        return []
    found = sorted(
        p
        for p in raw.rglob("*")
        if p.is_file() and p.suffix.lower() in RAW_SUFFIXES and not p.name.startswith((".", "~$"))
    )

    def wave_of(path: Path) -> str | None:
        first = path.relative_to(raw).parts[0] if len(path.relative_to(raw).parts) > 1 else ""
        return first if first in waves else None

    return [
        Source(
            path=p.resolve(),
            questionnaire="formation" if p.name.lower().startswith("formation") else "entreprises",
            wave=wave_of(p),
        )
        for p in found
    ]


def _actors(spec: Mapping[str, Any], file: Path) -> Actors:
    """``[acteurs]`` checked: a list of NAF codes, paths as text."""
    values: dict[str, Any] = {}
    if "naf" in spec:
        naf = spec["naf"]
        if not isinstance(naf, list) or not naf or not all(isinstance(n, str) for n in naf):
            raise ConfigError(
                "[acteurs] naf : liste de codes NAF attendue",
                file=file,
                hint='ex. naf = ["58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z"]',
            )
        for code in naf:
            if not re.fullmatch(r"\d{2}\.?\d{2}[A-Z]|\d{2}(\.\*)?", code.strip().upper()):
                raise ConfigError(
                    f"[acteurs] naf : code NAF inconnu « {code} »",
                    file=file,
                    hint="codes NAF rév. 2 comme publiés par l'INSEE, ex. « 62.01Z »",
                )
        values["naf"] = tuple(n.strip().upper() for n in naf)
    for key in ("etablissements", "unites_legales", "liste"):
        if key in spec:
            if not isinstance(spec[key], str):
                raise ConfigError(f"[acteurs] {key} : chemin de fichier attendu", file=file)
            values[key] = spec[key].strip()
    return Actors(**values)


def _read_toml(path: Path) -> tuple[Path, dict[str, Any]]:
    """The study file and its TOML content, every section's keys checked."""
    file = path if path.suffix == ".toml" else path / STUDY_FILE
    if not file.exists():
        raise ConfigError(
            "fichier de configuration introuvable",
            file=file,
            hint=f"lancez la commande dans le dossier de l'étude, ou créez-en un avec « iaobs init DOSSIER » ({file})",
        )
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"TOML invalide ({exc})", file=file) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("le fichier n'est pas en UTF-8", file=file) from exc
    _unknown(set(data), set(_SCHEMA), "study.toml", file)
    for section, keys in _SCHEMA.items():
        if keys and section in data:
            if not isinstance(data[section], dict):
                raise ConfigError(f"[{section}] doit être une section", file=file)
            _unknown(set(data[section]), keys, f"[{section}]", file)
    return file, data


def _study_section(data: Mapping[str, Any], file: Path) -> tuple[dict[str, Any], str, list[str]]:
    """``[study]``: the section, the current wave and every wave of the study."""
    study = data.get("study")
    if not isinstance(study, dict):
        raise ConfigError("section [study] manquante", file=file, hint="voir « iaobs init »")
    for key in ("title", "region", "wave"):
        if not isinstance(study.get(key), str | int) or not str(study.get(key)).strip():
            raise ConfigError(f"[study] {key} manquant ou vide", file=file)
    wave = str(study["wave"]).strip()
    if not _WAVE.fullmatch(wave) or ".." in wave:
        raise ConfigError(
            f"[study] wave = {wave!r} : nom de vague invalide (il sert de nom de dossier "
            "sous reports/)",
            file=file,
            hint="lettres, chiffres, tirets et points, 40 caractères au plus (ex. 2019, 2025-T1)",
        )
    waves = study.get("waves", [])
    if not isinstance(waves, list) or not all(isinstance(w, str | int) for w in waves):
        raise ConfigError(
            '[study] waves : liste de vagues attendue, ex. waves = ["2019", "2020"]',
            file=file,
        )
    waves = [str(w).strip() for w in waves]
    for w in waves:
        if not _WAVE.fullmatch(w) or ".." in w:
            raise ConfigError(f"[study] waves : nom de vague invalide {w!r}", file=file)
    if len(set(waves)) != len(waves):
        raise ConfigError("[study] waves : une vague figure deux fois", file=file)
    if waves and wave not in waves:
        raise ConfigError(
            f"[study] wave = {wave!r} absente de [study] waves",
            file=file,
            hint="la vague de l'étude (celle des rapports produits) doit figurer dans waves",
        )
    language = str(study.get("language", "fr"))
    if language not in ("fr", "en"):
        raise ConfigError(f"[study] language = {language!r} : attendu fr ou en", file=file)
    return study, wave, waves


def _sectors(data: Mapping[str, Any], file: Path) -> dict[str, Sector] | None:
    """``[sectors]``: the study's own sectors, or None for the dictionary's."""
    if "sectors" not in data:
        return None
    sectors = {}
    for code, spec in data["sectors"].items():
        if not _SLUG.match(code):
            raise ConfigError(
                f"code de secteur invalide « {code} »",
                file=file,
                hint="lettres minuscules sans accent, chiffres et _ (ex. transport_logistique)",
            )
        if not isinstance(spec, dict):
            raise ConfigError(f"[sectors.{code}] doit être une section", file=file)
        _unknown(set(spec), _SECTOR_KEYS, f"[sectors.{code}]", file)
        naf = spec.get("naf", [])
        if not isinstance(naf, list) or not all(isinstance(n, str) for n in naf):
            raise ConfigError(f"[sectors.{code}] naf : liste de codes NAF attendue", file=file)
        sectors[code] = Sector(
            code, _label(spec.get("label", code), f"sectors.{code}", file), tuple(naf)
        )
    if not sectors:
        raise ConfigError("[sectors] ne définit aucun secteur", file=file)
    return sectors


def _source(
    spec: Mapping[str, Any],
    where: str,
    context: tuple[Path, Path, set[str], str, list[str]],
) -> Source:
    """One ``[[sources]]`` entry; ``context`` is (study file, root, sectors, wave, waves)."""
    file, root, known_sectors, wave, waves = context
    _unknown(set(spec), _SOURCE_KEYS, where, file)
    if "path" not in spec:
        raise ConfigError(f"{where} : chemin (path) manquant", file=file)
    src_path = (root / spec["path"]).resolve()
    if not src_path.exists():
        raise ConfigError(
            f"{where} : fichier introuvable « {spec['path']} »",
            file=file,
            hint="vérifiez le chemin (relatif au dossier de l'étude) ou retirez la source",
        )
    profile = str(spec.get("profile", "template"))
    mapping = None
    if profile not in PROFILES:
        mapping = (root / profile).resolve()
        if not mapping.exists():
            raise ConfigError(
                f"{where} : profil inconnu « {profile} »",
                file=file,
                hint="profils : "
                + ", ".join(PROFILES)
                + ", ou le chemin d'un fichier de correspondance YAML",
            )
    sector = spec.get("sector")
    if sector is not None and sector not in known_sectors:
        close = difflib.get_close_matches(str(sector), sorted(known_sectors), n=1)
        raise ConfigError(
            f"{where} : secteur inconnu « {sector} »",
            file=file,
            hint=f"vouliez-vous dire « {close[0]} » ?"
            if close
            else "secteurs : " + ", ".join(sorted(known_sectors)),
        )
    source_wave = str(spec["wave"]).strip() if "wave" in spec else None
    if source_wave is not None and source_wave != wave and source_wave not in waves:
        raise ConfigError(
            f"{where} : vague « {source_wave} » inconnue",
            file=file,
            hint="déclarez les vagues de l'étude dans [study], ex. waves = "
            f'["{source_wave}", "{wave}"]',
        )
    questionnaire = str(spec.get("questionnaire", "entreprises"))
    if questionnaire not in ("entreprises", "formation"):
        raise ConfigError(f"{where} : questionnaire inconnu « {questionnaire} »", file=file)
    return Source(
        path=src_path,
        profile=profile if mapping is None else "mapping",
        sheet=spec.get("sheet"),
        header_row=spec.get("header_row"),
        sector=sector,
        questionnaire=questionnaire,
        mapping=mapping,
        wave=source_wave,
    )


def _sources(
    data: Mapping[str, Any], context: tuple[Path, Path, set[str], str, list[str]]
) -> list[Source]:
    """``[[sources]]``, or every spreadsheet under data/raw/ when the study lists none."""
    file, root, _, wave, waves = context
    if "sources" not in data:
        sources = _discover_sources(root, tuple(waves))
    else:
        raw_sources = data["sources"]
        if not isinstance(raw_sources, list):
            raise ConfigError("[[sources]] : liste de fichiers attendue", file=file)
        sources = [
            _source(spec, f"[[sources]] n° {i}", context)
            for i, spec in enumerate(raw_sources, start=1)
        ]
    if waves:  # every source names its wave, so that for_wave can tell them apart
        sources = [replace(s, wave=s.wave or wave) for s in sources]
    return sources


def _frame_settings(values: Mapping[str, Any], root: Path, file: Path) -> FrameSettings:
    kwargs: dict[str, Any] = {}
    for key in ("unites_legales", "etablissements"):
        if key in values:
            path = (root / str(values[key])).resolve()
            if not path.exists():
                raise ConfigError(
                    f"[frame] {key} : fichier introuvable « {values[key]} »",
                    file=file,
                    hint="chemin relatif au dossier de l'étude du fichier Sirene (CSV, zip, parquet)",
                )
            kwargs[key] = path
    if "memory_limit" in values:
        kwargs["memory_limit"] = str(values["memory_limit"])
    if "size_bounds" in values:
        bounds = values["size_bounds"]
        if not isinstance(bounds, dict) or not bounds:
            raise ConfigError(
                '[frame] size_bounds : table attendue, ex. { tpe = "03", pme = "31", eti = "51", ge = "53" }',
                file=file,
            )
        pairs = tuple(
            (str(k), str(v).zfill(2) if str(v) != "NN" else "NN") for k, v in bounds.items()
        )
        last = -1
        for size, band in pairs:
            if band not in HEADCOUNT_BANDS or HEADCOUNT_BANDS.index(band) <= last:
                raise ConfigError(
                    f"[frame] size_bounds : tranche « {band} » de {size} inconnue ou pas croissante",
                    file=file,
                    hint="tranches INSEE : " + ", ".join(HEADCOUNT_BANDS),
                )
            last = HEADCOUNT_BANDS.index(band)
        if pairs[-1][1] != HEADCOUNT_BANDS[-1]:
            pairs = (*pairs[:-1], (pairs[-1][0], HEADCOUNT_BANDS[-1]))
        kwargs["size_bounds"] = pairs
    return FrameSettings(**kwargs)


#: Thresholds that are shares (0–1): a value outside would silently weaken or void a rule.
_SHARE_THRESHOLDS = (
    "secret_dominance",
    "secret_answer_coverage",
    "prudence_ci_width",
    "protection_share",
    "max_unrepresented",
)


def _thresholds(values: Mapping[str, Any], file: Path) -> Thresholds:
    thresholds = _typed(Thresholds, values, "[thresholds]", file)
    for key in _SHARE_THRESHOLDS:
        value = getattr(thresholds, key)
        if not 0 <= value <= 1:
            raise ConfigError(
                f"[thresholds] {key} = {value} : attendu une part entre 0 et 1 "
                f"(défaut {getattr(Thresholds(), key)})",
                file=file,
            )
    return thresholds


def _plan_settings(values: Mapping[str, Any], file: Path) -> PlanSettings:
    plan = _typed(PlanSettings, values, "[plan]", file)
    if plan.allocation not in ("neyman", "proportional"):
        raise ConfigError(
            f"[plan] allocation = {plan.allocation!r} : attendu neyman ou proportional", file=file
        )
    for key in ("precision", "overall_precision", "response_rate", "proportion", "confidence"):
        value = getattr(plan, key)
        if not 0 < value < 1:
            raise ConfigError(f"[plan] {key} = {value} : attendu entre 0 et 1 exclus", file=file)
    if plan.proportions is not None:
        if not isinstance(plan.proportions, dict) or not all(
            isinstance(v, int | float) and 0 < v < 1 for v in plan.proportions.values()
        ):
            raise ConfigError(
                "[plan] proportions : table attendue, ex. { tpe = 0.2, pme = 0.4, eti = 0.6, ge = 0.7 }",
                file=file,
            )
        plan = replace(plan, proportions={str(k): float(v) for k, v in plan.proportions.items()})
    if plan.design_effect < 1 or plan.min_per_stratum < 0 or plan.reserve_rate < 0:
        raise ConfigError(
            "[plan] design_effect ≥ 1, min_per_stratum ≥ 0 et reserve_rate ≥ 0 attendus", file=file
        )
    return plan


def _margins(data: Mapping[str, Any], root: Path, file: Path, frame: FrameSettings) -> Path | None:
    """``[population] margins``: the population margins file, which must exist (unless
    ``[frame]`` names the SIRENE files ``iaobs frame`` writes it from)."""
    if "population" not in data or not data["population"].get("margins"):
        return None
    margins = (root / data["population"]["margins"]).resolve()
    if not margins.exists() and not frame.configured:
        raise ConfigError(
            f"[population] margins : fichier introuvable « {data['population']['margins']} »",
            file=file,
        )
    return margins


def load_study(path: str | Path = ".") -> Study:
    """Read and validate a study folder (or its ``study.toml``).

    Raises
    ------
    ConfigError
        When the file is missing, is not valid TOML, has an unknown key, names an unknown
        sector or profile, or a source file that does not exist.
    """
    file, data = _read_toml(Path(path))
    root = file.parent.resolve()
    study, wave, waves = _study_section(data, file)
    sectors = _sectors(data, file)
    departements = None
    if "departements" in data:
        departements = {str(k).zfill(2): str(v) for k, v in data["departements"].items()}
    labels = None
    if "labels" in data:
        labels = {k: _label(v, f"labels.{k}", file) for k, v in data["labels"].items()}
    known_sectors = set(sectors) if sectors is not None else set(load_dictionary().sectors)
    frame = _frame_settings(data.get("frame", {}), root, file)
    sources = _sources(data, (file, root, known_sectors, wave, waves))
    if "sources" not in data:  # the SIRENE files under data/raw/ are not survey answers
        sirene = {frame.unites_legales, frame.etablissements}
        sources = [s for s in sources if s.path not in sirene]
    privacy = data.get("privacy", {})
    return Study(
        actors=_actors(data.get("acteurs", {}), file),
        frame=frame,
        plan=_plan_settings(data.get("plan", {}), file),
        root=root,
        title=str(study["title"]),
        region=str(study["region"]),
        wave=wave,
        language=str(study.get("language", "fr")),
        sources=tuple(s for s in sources if (s.wave or wave) == wave),
        margins=_margins(data, root, file, frame),
        thresholds=_thresholds(data.get("thresholds", {}), file),
        weighting=_typed(Weighting, data.get("weighting", {}), "[weighting]", file),
        sectors=sectors,
        departements=departements,
        labels=labels,
        key_env=str(privacy.get("key_env", DEFAULT_KEY_ENV)),
        key=privacy.get("key"),
        max_file_mb=float(data.get("input", {}).get("max_file_mb", 200.0)),
        waves=tuple(waves),
        other_sources=tuple(s for s in sources if (s.wave or wave) != wave),
    )
