"""The questionnaires as data: variables, codes, labels, scales, sectors and size classes.

The YAML files beside this module (``entreprises.yaml`` for the company survey,
``formation.yaml`` for the pilot-training assessment) are the project's single source of truth:
the Excel template, the cleaner, the validator and the labels printed in reports all read them
through :func:`load_dictionary`.

Storage of each variable type in the cleaned data set (``responses.parquet``):

========  =====================================================================================
type      column(s) in the cleaned frame
========  =====================================================================================
id, text  one string column
date      one ``datetime64`` column
int       one nullable ``Int64`` column; ``float``: one ``Float64`` column
cat, ord  one categorical column of codes (levels in dictionary order, then missing codes)
bool      with a scale (``oui_non``): like ``cat``; without (derived ``ia_usage``): ``Int8`` 0/1
multi     one ``Int8`` 0/1 column per option, named ``VARIABLE__OPTION``
matrix    one categorical column per item, named ``VARIABLE__ITEM``, codes of the scale
========  =====================================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from iaobs.errors import ConfigError

__all__ = [
    "Dictionary",
    "Label",
    "Sector",
    "SizeClass",
    "Variable",
    "load_dictionary",
    "normalise_text",
]

LANGUAGES = ("fr", "en")
SEPARATOR = "__"


def normalise_text(value: object) -> str:
    """Fold a label for matching: lower case, no accents, single spaces, straight quotes.

    ``"  Plutôt  d’accord "`` and ``"plutot d'accord"`` give the same key.
    """
    text = str(value)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    text = text.replace("\u202f", " ").replace("\u2013", "-").replace("\u2014", "-")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Label:
    """A label in French and English."""

    fr: str
    en: str

    def get(self, language: str = "fr") -> str:
        """The label in ``language`` (``fr`` or ``en``)."""
        return self.en if language == "en" else self.fr

    @classmethod
    def parse(cls, value: Any, where: str) -> Label:
        if isinstance(value, str):
            return cls(value, value)
        if isinstance(value, list | tuple) and len(value) == 2:
            return cls(str(value[0]), str(value[1]))
        raise ConfigError(
            f"{where} : libellé attendu sous la forme [français, anglais], reçu {value!r}"
        )


@dataclass(frozen=True)
class Sector:
    """A sector of the observatory and the NAF codes that belong to it.

    NAF patterns are exact codes (``69.20Z``), whole divisions (``49.*``) or ranges of
    divisions (``10.*-33.*``).
    """

    code: str
    label: Label
    naf: tuple[str, ...]

    def matches(self, naf_code: str) -> bool:
        """Whether a normalised NAF code (``NN.NNL``) belongs to this sector."""
        division = naf_code[:2]
        for pattern in self.naf:
            pattern = pattern.strip().upper()
            if "-" in pattern and pattern.endswith("*"):
                low, high = (part.strip()[:2] for part in pattern.split("-", 1))
                if low <= division <= high:
                    return True
            elif pattern.endswith("*"):
                if naf_code.startswith(pattern[:-1]):
                    return True
            elif naf_code == pattern:
                return True
        return False


@dataclass(frozen=True)
class SizeClass:
    """A size class defined by headcount bounds (``max`` is ``None`` for the open top class)."""

    code: str
    label: Label
    min: int
    max: int | None

    def contains(self, headcount: float) -> bool:
        return headcount >= self.min and (self.max is None or headcount <= self.max)


@dataclass(frozen=True)
class Variable:
    """One question of a questionnaire.

    ``codes`` holds the substantive levels (in order for ``ord``), ``missing`` the answers that
    are not a position on the scale (NSP…), ``options`` the choices of a ``multi`` question and
    ``items`` the rows of a ``matrix`` question.
    """

    name: str
    type: str
    label: Label
    codes: Mapping[str, Label] = field(default_factory=dict)
    missing: Mapping[str, Label] = field(default_factory=dict)
    options: Mapping[str, Label] = field(default_factory=dict)
    items: Mapping[str, Label] = field(default_factory=dict)
    privacy: str = "public"
    required: bool = False
    unique: bool = False
    min: float | None = None
    max: float | None = None
    scale: str | None = None
    top2: tuple[str, ...] = ()
    derived: str | None = None
    note: str | None = None
    waves: tuple[str, ...] = ()

    @property
    def is_coded(self) -> bool:
        """Whether answers are codes of a list (cat, ord, bool with a scale, matrix items)."""
        return self.type in {"cat", "ord", "matrix"} or (self.type == "bool" and bool(self.codes))

    @property
    def is_flag(self) -> bool:
        """Whether the variable is stored as 0/1 (multi options, bool without scale)."""
        return self.type == "multi" or (self.type == "bool" and not self.codes)

    @property
    def all_codes(self) -> dict[str, Label]:
        """Substantive codes followed by missing codes."""
        return {**self.codes, **self.missing}

    def columns(self) -> list[str]:
        """The column names this variable occupies in the cleaned data set."""
        if self.type == "multi":
            return [f"{self.name}{SEPARATOR}{option}" for option in self.options]
        if self.type == "matrix":
            return [f"{self.name}{SEPARATOR}{item}" for item in self.items]
        return [self.name]


@dataclass(frozen=True)
class Dictionary:
    """A questionnaire: its variables, scales, sectors, size classes and départements."""

    name: str
    variables: Mapping[str, Variable]
    scales: Mapping[str, Mapping[str, Any]]
    sectors: Mapping[str, Sector]
    size_classes: Mapping[str, SizeClass]
    departements: Mapping[str, str]

    def __getitem__(self, name: str) -> Variable:
        try:
            return self.variables[name]
        except KeyError:
            raise KeyError(f"variable inconnue du dictionnaire {self.name!r} : {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables.values())

    def columns(self, *, include_confidential: bool = True) -> list[str]:
        """Every column of the cleaned data set, in questionnaire order."""
        out: list[str] = []
        for var in self.variables.values():
            if not include_confidential and var.privacy == "confidential":
                continue
            out.extend(var.columns())
        return out

    def variable_of_column(self, column: str) -> tuple[Variable, str | None]:
        """The variable owning a cleaned column, and the option or item it stands for."""
        if column in self.variables:
            return self.variables[column], None
        if SEPARATOR in column:
            name, sub = column.split(SEPARATOR, 1)
            var = self.variables.get(name)
            if var is not None and sub in {**var.options, **var.items}:
                return var, sub
        raise KeyError(f"colonne inconnue du dictionnaire {self.name!r} : {column!r}")

    def column_label(self, column: str, language: str = "fr") -> str:
        """The label of a cleaned column (an option's or item's label for multi and matrix)."""
        var, sub = self.variable_of_column(column)
        if sub is None:
            return var.label.get(language)
        return {**var.options, **var.items}[sub].get(language)

    def code_label(self, variable: str, code: str, language: str = "fr") -> str:
        """The label of one code of a coded variable (or of a matrix item's scale)."""
        var = self.variables[variable.split(SEPARATOR, 1)[0]]
        labels = var.all_codes
        if code in labels:
            return labels[code].get(language)
        return str(code)

    def sector_for_naf(self, naf_code: str) -> str:
        """The sector code of a normalised NAF code, or ``"autre"`` when none matches."""
        for sector in self.sectors.values():
            if sector.matches(naf_code):
                return sector.code
        return "autre"

    def size_for_headcount(self, headcount: float) -> str | None:
        """The size class of a headcount, or None when it is negative or missing."""
        for size in self.size_classes.values():
            if size.contains(headcount):
                return size.code
        return None

    def with_overrides(
        self,
        *,
        sectors: Mapping[str, Sector] | None = None,
        departements: Mapping[str, str] | None = None,
        labels: Mapping[str, Label] | None = None,
    ) -> Dictionary:
        """A copy of the dictionary with a study's own sectors, départements or labels.

        ``labels`` maps a variable name to its new label. Variables whose codes come from the
        sectors or the départements (``secteur``, ``departement``) follow the new lists.
        """
        new_sectors = dict(sectors) if sectors is not None else dict(self.sectors)
        new_deps = dict(departements) if departements is not None else dict(self.departements)
        variables: dict[str, Variable] = {}
        for name, var in self.variables.items():
            if name == "secteur" and sectors is not None:
                var = replace(var, codes={s.code: s.label for s in new_sectors.values()})
            if name == "departement" and departements is not None:
                var = replace(var, codes={c: Label(n, n) for c, n in new_deps.items()})
            if labels and name in labels:
                var = replace(var, label=labels[name])
            variables[name] = var
        unknown = set(labels or {}) - set(self.variables)
        if unknown:
            raise ConfigError(
                f"libellés donnés pour des variables inconnues : {', '.join(sorted(unknown))}",
                hint="vérifiez les noms dans la section [labels] de study.toml",
            )
        return replace(self, variables=variables, sectors=new_sectors, departements=new_deps)


# --------------------------------------------------------------------------------------------
# Loading


def _labels(mapping: Mapping[str, Any] | None, where: str) -> dict[str, Label]:
    return {
        str(code): Label.parse(value, f"{where}.{code}") for code, value in (mapping or {}).items()
    }


def _parse_sectors(raw: Mapping[str, Any]) -> dict[str, Sector]:
    out = {}
    for code, spec in raw.items():
        out[str(code)] = Sector(
            code=str(code),
            label=Label.parse(spec["label"], f"sectors.{code}"),
            naf=tuple(str(n) for n in spec.get("naf", [])),
        )
    return out


def _parse_sizes(raw: Mapping[str, Any]) -> dict[str, SizeClass]:
    return {
        str(code): SizeClass(
            code=str(code),
            label=Label.parse(spec["label"], f"size_classes.{code}"),
            min=int(spec["min"]),
            max=None if spec.get("max") is None else int(spec["max"]),
        )
        for code, spec in raw.items()
    }


def _parse_variable(
    spec: Mapping[str, Any],
    scales: Mapping[str, Mapping[str, Any]],
    sectors: Mapping[str, Sector],
    sizes: Mapping[str, SizeClass],
    departements: Mapping[str, str],
    variables: Mapping[str, Variable],
) -> Variable:
    name = str(spec["name"])
    where = f"variables.{name}"
    codes_spec = spec.get("codes")
    codes: dict[str, Label] = {}
    missing = _labels(spec.get("missing"), f"{where}.missing")
    top2: tuple[str, ...] = ()
    if isinstance(codes_spec, str):
        if codes_spec == "sectors":
            codes = {s.code: s.label for s in sectors.values()}
        elif codes_spec == "size_classes":
            codes = {s.code: s.label for s in sizes.values()}
        elif codes_spec == "departements":
            codes = {c: Label(n, n) for c, n in departements.items()}
        elif codes_spec.endswith(".items"):
            other = variables[codes_spec.split(".", 1)[0]]
            codes = dict(other.items)
        else:
            raise ConfigError(f"{where} : liste de codes inconnue {codes_spec!r}")
    elif codes_spec:
        codes = _labels(codes_spec, f"{where}.codes")
    scale_name = spec.get("scale")
    if scale_name:
        scale = scales.get(scale_name)
        if scale is None:
            raise ConfigError(f"{where} : échelle inconnue {scale_name!r}")
        codes = codes or _labels(scale.get("levels"), f"scales.{scale_name}")
        missing = missing or _labels(scale.get("missing"), f"scales.{scale_name}.missing")
        top2 = tuple(scale.get("top2", ()))
    return Variable(
        name=name,
        type=str(spec["type"]),
        label=Label.parse(spec["label"], where),
        codes=codes,
        missing=missing,
        options=_labels(spec.get("options"), f"{where}.options"),
        items=_labels(spec.get("items"), f"{where}.items"),
        privacy=str(spec.get("privacy", "public")),
        required=bool(spec.get("required", False)),
        unique=bool(spec.get("unique", False)),
        min=spec.get("min"),
        max=spec.get("max"),
        scale=scale_name,
        top2=top2,
        derived=spec.get("derived"),
        note=spec.get("note"),
        waves=tuple(spec.get("waves", ())),
    )


def _read_yaml(name: str) -> dict[str, Any]:
    text = resources.files("iaobs.study.dictionary").joinpath(f"{name}.yaml").read_text("utf-8")
    # the C parser when PyYAML has it (ten times faster: the dictionary is read on every run)
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ConfigError(f"dictionnaire {name!r} illisible")
    return data


@cache
def load_dictionary(name: str = "entreprises") -> Dictionary:
    """Load a questionnaire: ``"entreprises"`` (company survey) or ``"formation"`` (pilot).

    The pilot-training questionnaire shares the scales, sectors, size classes and départements
    of the company survey. The result is cached and immutable; use
    :meth:`Dictionary.with_overrides` for a study's own sectors or labels.
    """
    if name not in {"entreprises", "formation"}:
        raise ConfigError(f"dictionnaire inconnu : {name!r} (attendu : entreprises, formation)")
    base = _read_yaml("entreprises")
    data = base if name == "entreprises" else _read_yaml(name)
    scales: dict[str, Mapping[str, Any]] = {**base.get("scales", {}), **data.get("scales", {})}
    sectors = _parse_sectors(base["sectors"])
    sizes = _parse_sizes(base["size_classes"])
    departements = {str(k).zfill(2): str(v) for k, v in base["departements"].items()}
    variables: dict[str, Variable] = {}
    for spec in data["variables"]:
        var = _parse_variable(spec, scales, sectors, sizes, departements, variables)
        variables[var.name] = var
    return Dictionary(
        name=name,
        variables=variables,
        scales=scales,
        sectors=sectors,
        size_classes=sizes,
        departements=departements,
    )


def iter_coded_columns(dictionary: Dictionary) -> Iterable[tuple[str, Variable]]:
    """Yield (column, variable) for every column stored as codes."""
    for var in dictionary:
        if var.is_coded:
            for col in var.columns():
                yield col, var
