"""Dictionary rules → findings table (file, sheet, row, column, value, rule, severity, message).

Every data-quality problem is a *finding*, a row of a table, never an exception: a file's
problems are all collected at once (like pandera's lazy validation) so that a partner can fix
everything in one pass. The findings table has exactly these columns:

========  ===================================================================================
column    meaning
========  ===================================================================================
file      the source file (as named in the provenance column ``_source_file``)
sheet     the sheet (empty for CSV)
row       the row a person sees in Excel (1-based; the CSV line number for CSV)
column    the dictionary column concerned (``secteur``, ``techno__analyse_texte``…)
value     the offending value as read, ``***`` for a confidential column
rule      the rule's code (``code_inconnu``, ``hors_plage``…, see :data:`RULES`)
severity  ``bloquant`` (the row is rejected) or ``avertissement`` (the row is kept)
message   one sentence saying what is wrong and what was done (French, or English)
========  ===================================================================================

The rules (what :data:`RULES` lists) are applied where the value is understood: codes, types,
ranges, dates and NAF codes while cleaning (:mod:`iaobs.prepare.clean`), the rules on whole rows
(required variables, uniqueness, waves) by the ``check_*`` functions of this module, and
duplicates and SIREN validity by :mod:`iaobs.prepare.privacy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from iaobs.study.dictionary import Dictionary

__all__ = [
    "BLOCKING",
    "FINDING_COLUMNS",
    "RULES",
    "WARNING",
    "FindingCollector",
    "check_required",
    "check_unique_pairs",
    "check_waves",
    "empty_findings",
    "findings_summary",
    "ordered_rules",
]

FINDING_COLUMNS = ["file", "sheet", "row", "column", "value", "rule", "severity", "message"]
BLOCKING = "bloquant"
WARNING = "avertissement"
MASK = "***"

#: rule code → (French template, English template). Templates use ``{value}``, ``{label}``
#: (the column's label) and rule-specific fields.
RULES: dict[str, tuple[str, str]] = {
    "code_inconnu": (
        "valeur « {value} » inconnue pour « {label} » (attendu : {choices}) ; cellule laissée vide",
        'unknown value "{value}" for "{label}" (expected: {choices}); cell left empty',
    ),
    "type_nombre": (
        "« {value} » n'est pas un nombre ; cellule laissée vide",
        '"{value}" is not a number; cell left empty',
    ),
    "nombre_non_entier": (
        "« {value} » n'est pas un nombre entier ; cellule laissée vide",
        '"{value}" is not a whole number; cell left empty',
    ),
    "nombre_trop_grand": (
        "{value} est un nombre démesuré pour « {label} » ; cellule laissée vide",
        '{value} is an absurdly large number for "{label}"; cell left empty',
    ),
    "hors_plage": (
        "{value} est hors de la plage admise ({bounds}) ; cellule laissée vide",
        "{value} is outside the allowed range ({bounds}); cell left empty",
    ),
    "valeur_incoherente": (
        "{value} est incohérent avec {other} ; cellule laissée vide",
        "{value} is inconsistent with {other}; cell left empty",
    ),
    "tranche_effectif": (
        "tranche d'effectif « {value} » : effectif laissé vide, taille {outcome}",
        'headcount band "{value}": headcount left empty, size {outcome}',
    ),
    "date_invalide": (
        "« {value} » n'est pas une date reconnue (attendu AAAA-MM-JJ ou JJ/MM/AAAA) ; cellule laissée vide",
        '"{value}" is not a recognised date (expected YYYY-MM-DD or DD/MM/YYYY); cell left empty',
    ),
    "date_improbable": (
        "date {value} hors de la période plausible (1er janvier 2000 à aujourd'hui) ; cellule laissée vide",
        "date {value} outside the plausible period (1 January 2000 to today); cell left empty",
    ),
    "naf_invalide": (
        "code NAF « {value} » invalide (attendu NN.NNL, ex. 69.20Z) ; cellule laissée vide",
        'invalid NAF code "{value}" (expected NN.NNL, e.g. 69.20Z); cell left empty',
    ),
    "naf_secteur_incoherent": (
        "le code NAF {value} relève de « {naf_sector} » et non de « {sector} » ; secteur « {sector} » conservé",
        'NAF code {value} belongs to "{naf_sector}", not "{sector}"; sector "{sector}" kept',
    ),
    "taille_effectif_incoherente": (
        "taille « {value} » contredite par l'effectif ({effectif}) ; taille corrigée en « {derived} »",
        'size "{value}" contradicts the headcount ({effectif}); size set to "{derived}"',
    ),
    "obligatoire_manquant": (
        "« {label} » manquant (obligatoire) ; ligne rejetée",
        '"{label}" missing (required); row rejected',
    ),
    "id_duplique": (
        "identifiant « {value} » présent plusieurs fois dans le fichier ; une seule réponse sera gardée",
        'ID "{value}" appears several times in the file; only one response will be kept',
    ),
    "participant_vague_duplique": (
        "le participant « {value} » a plusieurs réponses à la vague {wave} ; une seule sera gardée",
        'participant "{value}" has several answers at wave {wave}; only one will be kept',
    ),
    "hors_vague": (
        "« {label} » renseigné à la vague {wave} alors que la question n'est posée qu'en {waves} ; cellule laissée vide",
        '"{label}" answered at wave {wave} although it is only asked at {waves}; cell left empty',
    ),
    "siren_invalide": (
        "SIREN invalide (9 chiffres et clé de Luhn attendus) ; non utilisé pour repérer les doublons",
        "invalid SIREN (9 digits with a valid Luhn key expected); not used to find duplicates",
    ),
    "doublon": (
        "doublon de la même entreprise ; réponse conservée : {kept}",
        "duplicate of the same company; response kept: {kept}",
    ),
    "ligne_sans_reponse": (
        "ligne sans aucune réponse au questionnaire (note, total ou ligne vide) ; ligne rejetée",
        "row without any answer to the questionnaire (note, total or empty line); row rejected",
    ),
    "multi_contradictoire": (
        "« {value} » : aucune option cochée et des options cochées à la fois ; « aucune » ignoré",
        '"{value}": both "none" and some options ticked; "none" ignored',
    ),
}

#: rules that reject the row whatever the column
BLOCKING_RULES = frozenset({"obligatoire_manquant", "ligne_sans_reponse"})


def ordered_rules(rules: Iterable[str]) -> list[str]:
    """Rule codes once each, in one order (that of :data:`RULES`, then the others
    alphabetically), so that a pair of rules is always written the same way."""
    rank = {rule: i for i, rule in enumerate(RULES)}
    unique = {str(r) for r in rules if r}
    return sorted(unique, key=lambda r: (rank.get(r, len(rank)), r))


def empty_findings() -> pd.DataFrame:
    """An empty findings table with the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})


def _short(value: object, limit: int = 80) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class FindingCollector:
    """Collects findings while a frame is cleaned; positions refer to the frame's rows.

    Parameters
    ----------
    dictionary
        The questionnaire (for column labels and confidential columns).
    language
        ``fr`` or ``en``: the language of the messages.
    """

    dictionary: Dictionary
    language: str = "fr"
    _chunks: list[pd.DataFrame] = field(default_factory=list)

    @property
    def confidential(self) -> set[str]:
        out: set[str] = set()
        for var in self.dictionary:
            if var.privacy == "confidential":
                out.update(var.columns())
        return out

    def label(self, column: str) -> str:
        try:
            return self.dictionary.column_label(column, self.language)
        except KeyError:
            return column

    def add(
        self,
        positions: Sequence[int] | np.ndarray | pd.Index,
        column: str,
        values: Iterable[Any] | None,
        rule: str,
        severity: str = WARNING,
        **fields: Any,
    ) -> None:
        """Record one finding per position.

        ``values`` gives the offending value of each position (or None); ``fields`` fills the
        message template; a field given as a sequence (same length as positions) varies by row.
        """
        positions = np.asarray(positions, dtype=np.int64)
        n = len(positions)
        if n == 0:
            return
        vals = [""] * n if values is None else [_short(v) for v in values]
        if len(vals) != n:
            raise ValueError("values and positions differ in length")
        if column in self.confidential:
            vals = [MASK if v else "" for v in vals]
        template = RULES[rule][1 if self.language == "en" else 0]
        base = {"label": self.label(column)}
        varying = {
            k: list(v)
            for k, v in fields.items()
            if isinstance(v, list | tuple | np.ndarray | pd.Series)
        }
        fixed = {k: v for k, v in fields.items() if k not in varying}
        messages = []
        for i in range(n):
            params = {**base, **fixed, **{k: v[i] for k, v in varying.items()}, "value": vals[i]}
            messages.append(template.format(**params))
        if rule in BLOCKING_RULES:
            severity = BLOCKING
        self._chunks.append(
            pd.DataFrame(
                {
                    "_pos": positions,
                    "column": column,
                    "value": vals,
                    "rule": rule,
                    "severity": severity,
                    "message": messages,
                }
            )
        )

    def positions(self, column: str, severity: str | None = None) -> np.ndarray:
        """Positions already holding a finding on ``column`` (of ``severity`` when given)."""
        found = [
            c["_pos"].to_numpy()
            for c in self._chunks
            if (c["column"] == column).any()
            and (severity is None or (c["severity"] == severity).any())
        ]
        return np.concatenate(found) if found else np.array([], dtype=np.int64)

    def frame(self, provenance: pd.DataFrame) -> pd.DataFrame:
        """The findings with file, sheet and row taken from ``provenance`` (by position).

        ``provenance`` has the columns ``_source_file``, ``_source_sheet``, ``_source_row``.
        """
        if not self._chunks:
            out = empty_findings()
            out["_pos"] = pd.Series(dtype="int64")
            return out
        found = pd.concat(self._chunks, ignore_index=True)
        pos = found["_pos"].to_numpy()
        found["file"] = provenance["_source_file"].to_numpy()[pos]
        found["sheet"] = provenance["_source_sheet"].to_numpy()[pos]
        found["row"] = provenance["_source_row"].to_numpy()[pos]
        found = found.sort_values(["_pos", "column"], kind="stable").reset_index(drop=True)
        return found[[*FINDING_COLUMNS, "_pos"]]


# --------------------------------------------------------------------------------------------
# Rules on whole rows


def check_required(
    coded: pd.DataFrame, dictionary: Dictionary, collector: FindingCollector, skip: np.ndarray
) -> np.ndarray:
    """Flag required variables that are missing after derivation; returns the rows to reject.

    ``skip`` marks rows already rejected for another reason (no double report).
    """
    reject = np.zeros(len(coded), dtype=bool)
    for var in dictionary:
        if not var.required:
            continue
        for column in var.columns():
            if column not in coded:
                missing = np.ones(len(coded), dtype=bool)
            else:
                missing = coded[column].isna().to_numpy().copy()
            missing &= ~skip
            missing[collector.positions(column, BLOCKING)] = False
            collector.add(np.flatnonzero(missing), column, None, "obligatoire_manquant", BLOCKING)
            reject |= missing
    return reject


def check_waves(
    coded: pd.DataFrame,
    dictionary: Dictionary,
    collector: FindingCollector,
    raw: pd.DataFrame | None = None,
    wave_column: str = "vague",
) -> pd.DataFrame:
    """Blank (with a warning) answers to questions asked only at other waves.

    ``satisfaction`` answered at T0 is a warning and the cell is emptied. Returns ``coded``.
    """
    if wave_column not in coded:
        return coded
    wave = coded[wave_column].astype("object")
    for var in dictionary:
        if not var.waves:
            continue
        allowed = wave.isin(var.waves) | wave.isna()
        for column in var.columns():
            if column not in coded:
                continue
            bad = (coded[column].notna() & ~allowed).to_numpy()
            if bad.any():
                positions = np.flatnonzero(bad)
                values = raw[column] if raw is not None and column in raw else coded[column]
                collector.add(
                    positions,
                    column,
                    values.to_numpy()[positions],
                    "hors_vague",
                    wave=[str(w) for w in wave.to_numpy()[positions]],
                    waves=", ".join(var.waves),
                )
                coded.loc[bad, column] = pd.NA
    return coded


def check_unique_pairs(
    coded: pd.DataFrame, columns: Sequence[str], collector: FindingCollector, rule: str
) -> None:
    """Warn on every row whose values of ``columns`` occur more than once (missing ignored)."""
    if not all(c in coded for c in columns):
        return
    sub = coded[list(columns)]
    present = sub.notna().all(axis=1)
    dup = sub.duplicated(keep=False) & present
    if dup.any():
        positions = np.flatnonzero(dup.to_numpy())
        extra: dict[str, Any] = {}
        if len(columns) > 1:
            extra["wave"] = [str(v) for v in sub[columns[1]].to_numpy()[positions]]
        collector.add(positions, columns[0], sub[columns[0]].to_numpy()[positions], rule, **extra)


def findings_summary(findings: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Counts of findings by rule and severity: ``{rule: {severity: n}}``."""
    out: dict[str, dict[str, int]] = {}
    if findings.empty:
        return out
    counts = findings.groupby(["rule", "severity"], sort=True).size()
    for (rule, severity), n in counts.items():
        out.setdefault(str(rule), {})[str(severity)] = int(n)
    return out


def severity_counts(findings: pd.DataFrame) -> Mapping[str, int]:
    """Number of blocking and warning findings."""
    counts = findings["severity"].value_counts() if not findings.empty else {}
    return {BLOCKING: int(counts.get(BLOCKING, 0)), WARNING: int(counts.get(WARNING, 0))}
