"""The engine shared by the survey-tool profiles: columns resolved, answers recoded.

The profiles (:mod:`~iaobs.ingest.profiles.limesurvey`, :mod:`~iaobs.ingest.profiles.google_forms`,
:mod:`~iaobs.ingest.profiles.kobo`, :mod:`~iaobs.ingest.profiles.surveymonkey`,
:mod:`~iaobs.ingest.profiles.sphinx`) describe each column of an export as a :class:`PartnerColumn`
and call :func:`assemble`, which resolves every column (mapping file first, then the
dictionary's names and labels), recodes tool-specific answers into codes or labels the cleaner
accepts, and reports what it did: renamed, unmapped (kept under their own name), ignored
(tool metadata, columns the mapping file ignores) and dropped (personal data such as e-mail
addresses or IP addresses, which never go further).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from iaobs.ingest.headers import header_key, recognise_header
from iaobs.ingest.profiles.base import PROFILE_REJECT_COLUMN, MappedTable
from iaobs.ingest.profiles.mapping import IGNORE, INCOMPLETE_RULE, MappingFile
from iaobs.ingest.table import PROVENANCE_COLUMNS, RawTable
from iaobs.study.dictionary import Dictionary, Variable, normalise_text

__all__ = [
    "PartnerColumn",
    "SystemColumns",
    "assemble",
    "bracket_parts",
    "fold_set",
    "header_columns",
    "is_blank",
    "known_labels",
    "resolve_column",
    "split_multi_cell",
]


@dataclass
class PartnerColumn:
    """One question column of an export, as a profile understands it.

    Attributes
    ----------
    name
        The column in the raw frame.
    keys
        What a mapping file or the dictionary may call it, best first: the header as written,
        the question code, the question text.
    parts
        ``(question, option)`` pairs for a column holding one option of a multi question (or
        one item of a grid): ``("Q05", "SQ001")``, ``("Technologies utilisées", "Analyse de
        texte")``.
    """

    name: str
    keys: tuple[str, ...]
    parts: tuple[tuple[str, str], ...] = ()


@dataclass
class SystemColumns:
    """The tool's own columns: what they map to, which are kept, which are dropped.

    Attributes
    ----------
    targets
        Column → dictionary column it fills when the survey itself has no such question
        (``Response ID`` → ``id_repondant``, ``Date submitted`` → ``date_reponse``).
    kept
        Columns kept in the frame as provenance, not analysed (listed in ``ignored``).
    dropped
        Personal data (e-mail, names, IP address, device id): removed from the frame.
    """

    targets: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _option_code(var: Variable, text: str, table: Mapping[str, str]) -> str | None:
    """The option (or item) code of ``var`` that ``text`` names: code, FR/EN label, values."""
    key = normalise_text(text)
    if key in table and table[key] in {**var.options, **var.items}:
        return table[key]
    subs = {**var.options, **var.items}
    for code, label in subs.items():
        if key in {normalise_text(code), normalise_text(label.fr), normalise_text(label.en)}:
            return code
    folded = header_key(text)
    for code, label in subs.items():
        if folded in {header_key(code), header_key(label.fr), header_key(label.en)}:
            return code
    return None


def _question_variable(
    question: str, dictionary: Dictionary, spec: MappingFile | None
) -> str | None:
    if spec is not None:
        found, target = spec.column_target([question])
        if found:
            return target if target and target in dictionary else None
    if question in dictionary:
        return question
    target = recognise_header(question, dictionary)
    if target is not None and target in dictionary:
        return target
    return None


def resolve_column(
    column: PartnerColumn, dictionary: Dictionary, spec: MappingFile | None
) -> tuple[str | None, str]:
    """``(target, how)``: the dictionary column a partner column maps to, and why.

    ``how`` is ``mapping`` (named by the mapping file), ``ignore``, ``auto`` (recognised) or
    ``none``.
    """
    if spec is not None:
        found, target = spec.column_target([column.name, *column.keys])
        if found:
            if target == IGNORE:
                return None, "ignore"
            return target, "mapping" if target else "none"
    for key in (column.name, *column.keys):
        target = recognise_header(key, dictionary)
        if target is not None:
            return target, "auto"
    for question, option in column.parts:
        name = _question_variable(question, dictionary, spec)
        if name is None:
            continue
        var = dictionary[name]
        if var.type not in ("multi", "matrix"):
            continue
        table = spec.value_table(var.name) if spec is not None else {}
        code = _option_code(var, option, table)
        if code is not None:
            return f"{var.name}__{code}", "mapping" if spec and spec.column_target([question])[
                0
            ] else "auto"
    return None, "none"


def known_labels(var: Variable, extra: Mapping[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in {**var.options}.items():
        for text in (code, label.fr, label.en):
            table.setdefault(normalise_text(text), code)
    for answer, code in extra.items():
        table[answer] = code
    return table


def split_multi_cell(text: str, known: Mapping[str, str], separators: str = ";,|") -> list[str]:
    """Split one cell listing several answers into codes, matching known labels greedily.

    Parameters
    ----------
    text
        The cell (``"Analyse de texte, Génération d'images, de vidéos ou de sons"``).
    known
        Normalised label → code (labels may contain a separator: the longest labels are
        matched first, at separator boundaries).
    separators
        The characters that join answers in this export (a space for KoboToolbox).

    Returns
    -------
    list of str
        Codes for the known answers, in order of appearance; unknown pieces as written
        (normalised) so that the cleaner reports them.
    """
    key = normalise_text(str(text).replace("\r", "\n").replace("\n", separators[0]))
    if not key:
        return []
    if key in known:
        return [known[key]]
    sep_class = "[" + re.escape(separators) + "]"
    alternatives = sorted((k for k in known if k), key=len, reverse=True)
    found: list[tuple[int, str]] = []

    def gap(text: str, offset: int) -> None:
        for piece in re.finditer(r"[^" + re.escape(separators) + r"]+", text):
            word = piece.group(0).strip(" .")
            if word:
                found.append((offset + piece.start(), known.get(word, word)))

    position = 0
    if alternatives:
        pattern = re.compile(
            rf"(?:^|(?<={sep_class}))\s*("
            + "|".join(re.escape(a) for a in alternatives)
            + rf")\s*(?={sep_class}|$)"
        )
        for match in pattern.finditer(key):
            gap(key[position : match.start()], position)
            found.append((match.start(1), known[match.group(1)]))
            position = match.end()
    gap(key[position:], position)
    found.sort(key=lambda item: item[0])
    return list(dict.fromkeys(code for _, code in found))


def is_blank(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _map_values(series: pd.Series, fn: Any) -> pd.Series:
    """Apply ``fn`` to each distinct non-blank value of ``series``."""
    cache: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        if is_blank(value):
            return None
        try:
            if value not in cache:
                cache[value] = fn(value)
            return cache[value]
        except TypeError:  # unhashable
            return fn(value)

    return pd.Series([one(v) for v in series], index=series.index, dtype=object)


def _recode_column(
    frame: pd.DataFrame,
    name: str,
    target: str,
    dictionary: Dictionary,
    spec: MappingFile | None,
    column: PartnerColumn,
    separators: str,
    tool_tokens: Mapping[str, str] | None = None,
) -> int:
    """Recode one column in place for its target; returns how many cells were recoded."""
    try:
        var, sub = (
            (dictionary[target], None)
            if target in dictionary
            else dictionary.variable_of_column(target)
        )
    except KeyError:
        return 0
    series = frame[name]
    table = spec.value_table(target, var.name) if spec is not None else {}
    changed = 0

    if var.type == "multi" and sub is None:  # one cell listing the options
        known = known_labels(var, table)
        if tool_tokens:
            for token, code in tool_tokens.items():
                known.setdefault(normalise_text(token), code)

        def split(value: Any) -> Any:
            if isinstance(value, bool | int | float):
                return value
            codes = split_multi_cell(str(value), known, separators)
            return ";".join(codes) if codes else None

        new = _map_values(series, split)
    elif var.type == "multi" and sub is not None:  # one column per option: ticked cells
        own = {normalise_text(o) for _, o in column.parts}
        label = var.options[sub]
        own |= {normalise_text(label.fr), normalise_text(label.en), normalise_text(sub)}
        own = {o for o in own if o}

        def tick(value: Any) -> Any:
            if isinstance(value, str):
                key = normalise_text(value)
                if key in own:
                    return "1"
                if key in table:
                    return "1" if table[key] in (sub, "1") else "0"
            return value

        new = _map_values(series, tick)
    elif table:

        def recode(value: Any) -> Any:
            key = normalise_text(value)
            if isinstance(value, float) and value.is_integer():
                key = str(int(value))
            return table.get(key, value)

        new = _map_values(series, recode)
    else:
        return 0
    before = series.astype(object).where(series.notna(), None)
    changed = int(sum(1 for a, b in zip(before, new, strict=True) if a != b and not is_blank(a)))
    frame[name] = new
    return changed


def assemble(
    raw: RawTable,
    dictionary: Dictionary,
    frame: pd.DataFrame,
    columns: Sequence[PartnerColumn],
    *,
    tool: str,
    spec: MappingFile | None = None,
    system: SystemColumns | None = None,
    notes: list[str] | None = None,
    separators: str = ";,|",
    incomplete: np.ndarray | None = None,
    tool_tokens: Mapping[str, Mapping[str, str]] | None = None,
) -> MappedTable:
    """Resolve, recode and rename the columns of an export; the last step of every profile.

    Parameters
    ----------
    raw
        The table as read (kept in the result).
    dictionary
        The questionnaire.
    frame
        The export's frame after the tool's own fixes (dates, merged headers…).
    columns
        The question columns of ``frame`` (tool metadata excluded), in order.
    tool
        The tool's name as users know it (``LimeSurvey``), for the notes.
    spec
        The partner's mapping file, if any: its columns and values win.
    system
        The tool's own columns (see :class:`SystemColumns`).
    notes
        What the profile decided so far (French); completed here.
    separators
        Characters joining several answers in one cell.
    incomplete
        Boolean per row: responses the tool marks as not submitted. They get
        ``statut_reponse = partiel`` and, unless the mapping file says ``garder``, the
        ``_profile_reject`` marker :data:`INCOMPLETE_RULE`.
    tool_tokens
        Dictionary variable → {answer as the tool writes it: code}, e.g. Kobo choice names.

    Returns
    -------
    MappedTable
    """
    notes = list(notes or [])
    system = system or SystemColumns()
    frame = frame.copy()
    plan = _Plan()
    for column in columns:
        _resolve_one(plan, frame, column, dictionary, spec, separators, tool_tokens, notes)
    _claim_system_columns(plan, frame, system, dictionary, spec)
    dropped = [name for name in system.dropped if name in frame.columns]
    ignored_by_file = [c.name for c in columns if c.name in plan.ignored]
    frame = frame.drop(columns=[*dropped, *ignored_by_file])
    frame = frame.rename(columns=plan.rename)
    frame = _mark_incomplete(frame, incomplete, dictionary, spec, tool, notes)
    _report(notes, tool, plan, dropped, ignored_by_file)
    return MappedTable(
        frame=frame,
        unmapped=plan.unmapped,
        renamed=plan.renamed,
        raw=raw,
        notes=notes,
        ignored=plan.ignored,
        dropped=dropped,
    )


@dataclass
class _Plan:
    """What :func:`assemble` decided for each column so far."""

    renamed: dict[str, str] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    taken: dict[str, str] = field(default_factory=dict)
    recoded: int = 0
    to_complete: list[str] = field(default_factory=list)

    def claim(self, name: str, target: str) -> None:
        """``name`` fills the dictionary column ``target``."""
        self.taken[target] = name
        self.renamed[name] = target
        self.rename[name] = target


def _resolve_one(
    plan: _Plan,
    frame: pd.DataFrame,
    column: PartnerColumn,
    dictionary: Dictionary,
    spec: MappingFile | None,
    separators: str,
    tool_tokens: Mapping[str, Mapping[str, str]] | None,
    notes: list[str],
) -> None:
    """Resolve one question column: ignored, unmapped, a duplicate, or renamed and recoded."""
    target, how = resolve_column(column, dictionary, spec)
    if how == "ignore":
        plan.ignored.append(column.name)
        return
    if target is None:
        plan.unmapped.append(column.name)
        if (
            how == "none"
            and spec is not None
            and spec.column_target([column.name, *column.keys])[0]
        ):
            plan.to_complete.append(column.name)
        return
    if target in plan.taken:
        new = f"{target}.doublon"
        k = 2
        while new in frame.columns or new in plan.rename.values():
            new = f"{target}.doublon{k}"
            k += 1
        plan.rename[column.name] = new
        plan.unmapped.append(new)
        notes.append(
            f"colonnes « {plan.taken[target]} » et « {column.name} » pour la même variable "
            f"« {target} » : la première est gardée, la seconde renommée « {new} »"
        )
        return
    plan.taken[target] = column.name
    plan.renamed[column.name] = target
    tokens = (tool_tokens or {}).get(target.split("__", 1)[0])
    plan.recoded += _recode_column(
        frame, column.name, target, dictionary, spec, column, separators, tokens
    )
    if column.name != target:
        plan.rename[column.name] = target


def _claim_system_columns(
    plan: _Plan,
    frame: pd.DataFrame,
    system: SystemColumns,
    dictionary: Dictionary,
    spec: MappingFile | None,
) -> None:
    """The tool's own columns: those filling a dictionary column, those kept as provenance,
    and those the mapping file names explicitly."""
    for name, system_target in system.targets.items():
        if name not in frame.columns:
            continue
        if system_target in plan.taken or system_target not in dictionary:
            plan.ignored.append(name)
            continue
        plan.claim(name, system_target)
    for name in system.kept:
        if name in frame.columns and name not in plan.renamed:
            plan.ignored.append(name)
    if spec is not None:  # a system column the mapping file names explicitly
        for name in list(plan.ignored):
            found, target = spec.column_target([name])
            if found and target and target != IGNORE and target not in plan.taken and name in frame:
                plan.ignored.remove(name)
                plan.claim(name, target)


def _mark_incomplete(
    frame: pd.DataFrame,
    incomplete: np.ndarray | None,
    dictionary: Dictionary,
    spec: MappingFile | None,
    tool: str,
    notes: list[str],
) -> pd.DataFrame:
    """Responses the tool marks as not submitted: ``partiel``, and rejected unless kept."""
    if incomplete is not None and incomplete.any():
        mask = np.asarray(incomplete, dtype=bool)
        status = "statut_reponse"
        if status in dictionary:
            if status not in frame.columns:
                frame[status] = np.where(mask, "partiel", "complet").astype(object)
            else:
                frame.loc[mask, status] = "partiel"
        keep = spec is not None and spec.incomplete == "garder"
        if not keep:
            frame[PROFILE_REJECT_COLUMN] = pd.Series(
                [INCOMPLETE_RULE if m else None for m in mask], index=frame.index, dtype=object
            )
        notes.append(
            f"{int(mask.sum())} réponse(s) non envoyée(s) ({tool} : pas de date de soumission) : "
            + (
                "gardées avec le statut « partiel »"
                if keep
                else "marquées « partiel » et rejetées (règle reponse_incomplete)"
            )
        )
    elif (
        incomplete is not None and "statut_reponse" in dictionary and "statut_reponse" not in frame
    ):
        frame["statut_reponse"] = "complet"
    return frame


def _report(
    notes: list[str], tool: str, plan: _Plan, dropped: list[str], ignored_by_file: list[str]
) -> None:
    """What :func:`assemble` did, in French, appended to ``notes``."""
    if plan.recoded:
        notes.append(f"{plan.recoded} réponse(s) traduite(s) en codes ou libellés du dictionnaire")
    if dropped:
        notes.append(
            f"colonnes personnelles de {tool} supprimées (jamais conservées) : "
            + ", ".join(dropped)
        )
    kept_meta = [c for c in plan.ignored if c not in set(ignored_by_file)]
    if kept_meta:
        notes.append(
            f"colonnes techniques de {tool} gardées pour la traçabilité, non analysées : "
            + ", ".join(kept_meta)
        )
    if ignored_by_file:
        notes.append(
            "colonnes ignorées par le fichier de correspondance : " + ", ".join(ignored_by_file)
        )
    if plan.to_complete:
        notes.append(
            "colonnes laissées à compléter dans le fichier de correspondance : "
            + ", ".join(plan.to_complete)
        )
    if plan.unmapped:
        notes.append("colonnes non reconnues, gardées telles quelles : " + ", ".join(plan.unmapped))


def header_columns(names: Iterable[str]) -> list[PartnerColumn]:
    """Plain partner columns whose only key is the header (``Question [Option]`` split)."""
    out = []
    for name in names:
        if name in PROVENANCE_COLUMNS:
            continue
        out.append(PartnerColumn(name, (name,), bracket_parts(name)))
    return out


_BRACKET = re.compile(r"^(?P<q>.+?)\s*\[(?P<o>[^\[\]]+)\]\s*$")


def bracket_parts(text: str) -> tuple[tuple[str, str], ...]:
    """``("Question", "Option")`` for a header ``Question [Option]`` (or ``Q : Option``)."""
    match = _BRACKET.match(text)
    if match:
        return ((match.group("q").strip(), match.group("o").strip()),)
    return ()


def fold_set(words: Iterable[str]) -> set[str]:
    """Header keys of ``words`` (for matching system column names)."""
    return {header_key(w) for w in words}
