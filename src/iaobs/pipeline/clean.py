"""A study → ``data/processed/``: responses, training answers, rejects, findings, quality.

``clean_study`` reads every source of ``study.toml`` (read → map → clean), resolves duplicate
companies across files, drops confidential columns and writes, atomically:

* ``responses.parquet``: accepted company responses (questionnaire ``entreprises``);
* ``formation.parquet``: accepted pilot-training answers (sources with
  ``questionnaire = "formation"``), when the study has such sources;
* ``rejects.csv``: every rejected source row with its reasons;
* ``findings.csv``: every data-quality finding;
* ``quality.json``: per file, its fingerprint, rows read = kept + rejected, blank rows skipped,
  corrections and findings by rule, unmapped columns; totals; the software version; whether the
  pseudonym key is secret. The outputs are byte-identical from one run to the next on the same
  inputs (no timestamp), so that later stages can cache on their content.

A file that cannot be read does not stop the others: it is listed in ``quality.json`` as failed,
with its message; only when every file fails is the error raised.

``validate_files`` checks files against the dictionary without writing anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.atomic import atomic_path, write_json
from iaobs.core.typography import plural
from iaobs.core.version import __version__
from iaobs.errors import ConfigError, IaobsError, InputError
from iaobs.ingest.profiles import map_columns, read_for_profile
from iaobs.prepare.clean import clean_responses
from iaobs.prepare.privacy import mask_personal_data
from iaobs.prepare.profile_rejects import apply_profile_rejects
from iaobs.prepare.rejects import (
    PROVENANCE,
    CleanResult,
    rejected_counts,
    resolve_result_duplicates,
)
from iaobs.prepare.validate import (
    BLOCKING,
    FINDING_COLUMNS,
    WARNING,
    empty_findings,
    findings_summary,
)
from iaobs.study.config import PROFILES
from iaobs.study.dictionary import Dictionary, load_dictionary

__all__ = ["clean_study", "print_quality", "print_validation", "validate_files"]


def _n(value: int) -> str:
    """An integer with French thousands separators (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _read_and_map(
    path: Path,
    dictionary: Dictionary,
    *,
    sheet: str | None,
    header_row: int | None,
    profile: str,
    mapping: Path | None,
    max_file_mb: float,
) -> tuple[Any, Any]:
    """read → map; the reader's and the mapper's errors pass through as InputError."""
    raw = read_for_profile(
        path,
        profile,
        dictionary,
        sheet=sheet,
        header_row=header_row,
        max_file_mb=max_file_mb,
        mapping=mapping,
    )
    mapped = map_columns(raw, dictionary, profile=profile, mapping=mapping)
    return raw, mapped


def _file_entry(raw: Any, mapped: Any, name: str) -> dict[str, Any]:
    return {
        "file": name,
        "sheet": getattr(raw, "sheet", None),
        "sha256": getattr(raw, "sha256", None),
        "header_row": getattr(raw, "header_row", None),
        "blank_rows_skipped": int(getattr(raw, "blank_rows", 0) or 0),
        "unmapped_columns": [str(c) for c in (getattr(mapped, "unmapped", None) or [])],
        "ignored_columns": [str(c) for c in (getattr(mapped, "ignored", None) or [])],
        "dropped_columns": [str(c) for c in (getattr(mapped, "dropped", None) or [])],
        "reader_notes": [str(n) for n in (getattr(raw, "notes", None) or [])],
    }


def _per_file_counts(
    result: CleanResult, file: str, sheet: str | None
) -> tuple[int, int, dict[str, int], dict[str, dict[str, int]], dict[str, int]]:
    def select(frame: pd.DataFrame, file_col: str, sheet_col: str) -> pd.DataFrame:
        if frame.empty or file_col not in frame:
            return frame.iloc[0:0]
        mask = (frame[file_col].astype(str) == file).to_numpy(dtype=bool, copy=True)
        sheets = frame[sheet_col].astype("object").where(frame[sheet_col].notna(), None)
        codes, uniques = pd.factorize(sheets.to_numpy(dtype=object), use_na_sentinel=True)
        same = [s == sheet or (s in ("", None) and sheet in ("", None)) for s in uniques]
        same.append(sheet in ("", None))  # missing sheet
        mask &= np.asarray(same, dtype=bool)[codes]
        return frame[mask]

    kept = select(result.responses, "_source_file", "_source_sheet")
    rejects = select(result.rejects, "_source_file", "_source_sheet")
    findings = select(result.findings, "file", "sheet")
    by_rule, by_main = rejected_counts(rejects)
    return len(kept), len(rejects), by_rule, findings_summary(findings), by_main


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty or len(f.columns)]
    if not frames:
        return pd.DataFrame()
    non_empty = [f for f in frames if not f.empty]
    if not non_empty:
        return frames[0].iloc[0:0]
    return pd.concat(non_empty, ignore_index=True)


def _merge_counts(target: dict[str, Any], counts: dict[str, Any]) -> None:
    for rule, value in counts.items():
        if isinstance(value, dict):
            _merge_counts(target.setdefault(rule, {}), value)
        else:
            target[rule] = target.get(rule, 0) + value


def _responses_frame(result: CleanResult | None, dictionary: Dictionary) -> pd.DataFrame:
    """The responses to write: every non-confidential dictionary column, then provenance."""
    if result is not None and not result.responses.empty:
        return result.responses.reset_index(drop=True)
    empty = clean_responses(pd.DataFrame({c: [] for c in PROVENANCE}), dictionary)
    return empty.responses


def clean_study(study: Any) -> CleanResult:
    """Clean every source of ``study`` and write ``data/processed/`` (see the module doc).

    Parameters
    ----------
    study
        A :class:`iaobs.study.config.Study`.

    Returns
    -------
    CleanResult
        Company responses (``responses``), every reject and finding (both questionnaires; the
        ``questionnaire`` column tells them apart in ``rejects``), and ``quality`` as written to
        ``quality.json``. The training answers are written to ``formation.parquet``.

    Raises
    ------
    ConfigError
        When the study has no source.
    InputError
        When every source fails to be read.
    """
    if not study.sources:
        raise ConfigError(
            "l'étude ne déclare aucun fichier de données",
            file=Path(study.root) / "study.toml",
            hint='ajoutez une section [[sources]] avec path = "data/raw/…"',
        )
    key = study.pseudonym_key()
    results: dict[str, list[CleanResult]] = {"entreprises": [], "formation": []}
    entries: list[dict[str, Any]] = []
    errors: list[IaobsError] = []
    for source in study.sources:
        entry, result = _clean_source(study, source, key)
        entries.append(entry)
        if isinstance(result, IaobsError):
            errors.append(result)
        else:
            results[source.questionnaire].append(result)
    if len(errors) == len(study.sources):
        if len(errors) == 1:
            raise errors[0]
        raise InputError(
            "aucun fichier de l'étude n'a pu être lu : " + " ; ".join(str(e) for e in errors),
            hint="corrigez les fichiers cités puis relancez « iaobs clean »",
        )
    combined = _combine(study, results)
    totals = _quality_totals(entries, combined, len(errors))
    return _write_cleaned(study, combined, entries, totals)


def _clean_source(
    study: Any, source: Any, key: bytes
) -> tuple[dict[str, Any], CleanResult | IaobsError]:
    """One source read, mapped and cleaned: its entry of ``quality.json`` and its result, or
    the error that stopped it (the other sources are still cleaned)."""
    questionnaire = source.questionnaire
    language = study.language
    dictionary = study.dictionary if questionnaire == "entreprises" else study.training_dictionary
    name = _relative(Path(source.path), Path(study.root))
    base = {"file": name, "questionnaire": questionnaire, "profile": source.profile}
    try:
        raw, mapped = _read_and_map(
            Path(source.path),
            dictionary,
            sheet=source.sheet,
            header_row=source.header_row,
            profile=source.profile,
            mapping=source.mapping,
            max_file_mb=study.max_file_mb,
        )
        frame = mapped.frame.copy(deep=False)  # copy on write: the columns are shared
        frame["_source_file"] = name
        if "_source_sheet" not in frame:
            frame["_source_sheet"] = getattr(raw, "sheet", None)
        result = clean_responses(
            frame,
            dictionary,
            stated_sector=source.sector,
            language=language,
            key=key,
            file=name,
            sheet=getattr(raw, "sheet", None),
            resolve_duplicates=False,
        )
        result = apply_profile_rejects(result, frame, language=language)
        mask_personal_data(result, dictionary)
    except (InputError, ConfigError) as exc:
        failed = {
            **base,
            "sheet": source.sheet,
            "status": "failed",
            "message": str(exc),
            "read": 0,
            "kept": 0,
            "rejected": 0,
            "out_of_scope": 0,
        }
        return failed, exc
    entry = {
        **base,
        **_file_entry(raw, mapped, name),
        "status": "ok",
        "message": None,
        "read": result.quality["read"],
        "out_of_scope": result.quality.get("out_of_scope", 0),
        "corrections": result.quality["corrections"],
        "personal_data_masked": result.quality.get("personal_data_masked", {}),
    }
    return entry, result


def _combine(study: Any, results: dict[str, list[CleanResult]]) -> dict[str, CleanResult]:
    """Each questionnaire's files in one result, duplicates resolved across the files."""
    combined: dict[str, CleanResult] = {}
    for questionnaire, parts in results.items():
        if not parts:
            continue
        dictionary = (
            study.dictionary if questionnaire == "entreprises" else study.training_dictionary
        )
        merged = CleanResult(
            responses=_concat([p.responses for p in parts]),
            rejects=_concat([p.rejects for p in parts]),
            findings=_concat([p.findings for p in parts]),
            quality={},
        )
        merged = resolve_result_duplicates(merged, dictionary, language=study.language)
        if not merged.rejects.empty:
            merged.rejects.insert(0, "questionnaire", questionnaire)
        combined[questionnaire] = merged
    return combined


def _write_cleaned(
    study: Any,
    combined: dict[str, CleanResult],
    entries: list[dict[str, Any]],
    totals: dict[str, Any],
) -> CleanResult:
    """Write the responses, training answers, rejects, findings and ``quality.json``."""
    files = study.store.processed
    outputs = {"responses": files.responses}
    company = _responses_frame(combined.get("entreprises"), study.dictionary)
    _write_parquet(company, outputs["responses"])
    if "formation" in combined or any(s.questionnaire == "formation" for s in study.sources):
        outputs["formation"] = files.formation
        _write_parquet(
            _responses_frame(combined.get("formation"), study.training_dictionary),
            outputs["formation"],
        )
    rejects = _concat([r.rejects for r in combined.values()])
    if rejects.empty:
        rejects = pd.DataFrame(columns=["questionnaire", *PROVENANCE, "reasons", "rules"])
    findings = _concat([r.findings for r in combined.values()])
    if findings.empty:
        findings = empty_findings()
    outputs["rejects"] = files.rejects
    outputs["findings"] = files.findings
    outputs["quality"] = files.quality
    _write_csv(rejects, outputs["rejects"])
    _write_csv(findings[FINDING_COLUMNS], outputs["findings"])
    quality = {
        "software_version": __version__,
        "study": {"title": study.title, "region": study.region, "wave": study.wave},
        "pseudonym_key_secret": bool(study.key_is_secret),
        "duplicates_rule": (
            "une réponse par entreprise (même SIREN, ou même identifiant dans un fichier) : "
            "la plus récente complète (statut complet, puis date de réponse la plus récente, "
            "puis la dernière ligne)"
        ),
        "files": entries,
        "totals": totals,
        "outputs": {k: _relative(v, Path(study.root)) for k, v in outputs.items()},
    }
    write_json(outputs["quality"], quality)
    return CleanResult(
        responses=company,
        rejects=rejects,
        findings=findings[FINDING_COLUMNS],
        quality=quality,
    )


def _quality_totals(
    entries: list[dict[str, Any]], combined: dict[str, CleanResult], failed: int
) -> dict[str, Any]:
    """Each file's counts (completed in ``entries``) and the totals, with the invariant
    rows read = kept + rejected + out of scope for every file."""
    totals: dict[str, Any] = {
        "files": len(entries),
        "failed": failed,
        "read": 0,
        "kept": 0,
        "rejected": 0,
        "out_of_scope": 0,
        "blank_rows_skipped": 0,
        "corrections": {},
        "findings": {},
        "rejected_by_rule": {},
        "personal_data_masked": {},
        "rejected_by_main_rule": {},
    }
    for entry in entries:
        if entry["status"] == "ok":
            merged = combined[entry["questionnaire"]]
            kept, rejected, by_rule, found, by_main = _per_file_counts(
                merged, entry["file"], entry["sheet"]
            )
            entry.update(
                kept=kept,
                rejected=rejected,
                rejected_by_rule=by_rule,
                rejected_by_main_rule=by_main,
                findings=found,
            )
            if entry["read"] != kept + rejected + entry["out_of_scope"]:
                raise AssertionError(
                    f"incohérence interne pour {entry['file']} : {entry['read']} lignes lues, "
                    f"{kept} retenues + {rejected} rejetées + {entry['out_of_scope']} hors champ"
                )
            _merge_counts(totals["corrections"], entry["corrections"])
            _merge_counts(totals["findings"], found)
            _merge_counts(totals["rejected_by_rule"], by_rule)
            _merge_counts(totals["rejected_by_main_rule"], by_main)
            _merge_counts(totals["personal_data_masked"], entry.get("personal_data_masked", {}))
            totals["blank_rows_skipped"] += entry["blank_rows_skipped"]
        for k in ("read", "kept", "rejected", "out_of_scope"):
            totals[k] += entry[k]
    return totals


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        try:
            frame.to_parquet(tmp, index=False)
        except (ValueError, TypeError, ImportError) as exc:
            raise IaobsError(f"écriture impossible de « {path} » ({exc})") from exc


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def _neutralise(value: Any) -> Any:
    """A text a spreadsheet would take for a formula, prefixed with ``'``; others unchanged.

    A plain signed number (``-12``, ``+3,5``) is left as it is: a spreadsheet reads it as a
    number, never as a formula.
    """
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV that a spreadsheet opens safely: text cells that would be read as a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return) get a leading ``'``."""
    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            # once per distinct cell, then spread to the rows
            values = frame[column].to_numpy(dtype=object)
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            if len(uniques):
                table = np.array([_neutralise(u) for u in uniques], dtype=object)
                present = codes >= 0
                values = values.copy()
                values[present] = table[codes[present]]
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Terminal output


def _top(counts: dict[str, dict[str, int]], limit: int = 4) -> str:
    flat = sorted(
        ((rule, sum(sev.values())) for rule, sev in counts.items()), key=lambda x: (-x[1], x[0])
    )
    return ", ".join(f"{rule} ({_n(n)})" for rule, n in flat[:limit])


def _counts(entry: dict[str, Any]) -> str:
    """``125 lignes lues, 100 retenues, 15 rejetées, 10 hors champ`` (the last when any)."""
    read = entry.get("read", 0)
    text = (
        f"{_n(read)} ligne{'s' if read > 1 else ''} lue{'s' if read > 1 else ''}, "
        f"{_n(entry.get('kept', 0))} retenue{'s' if entry.get('kept', 0) > 1 else ''}, "
        f"{_n(entry.get('rejected', 0))} rejetée{'s' if entry.get('rejected', 0) > 1 else ''}"
    )
    if entry.get("out_of_scope"):
        text += f", {_n(entry['out_of_scope'])} hors champ"
    return text


def _rows_by_rule(counts: dict[str, int]) -> str:
    """Rejected rows by main rule (each row once: they sum to the rows rejected)."""
    flat = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    return ", ".join(f"{rule} ({_n(n)})" for rule, n in flat)


def print_quality(quality: dict[str, Any], study: Any) -> None:
    """A short French summary of a cleaning run (its ``quality.json``): per file, rows read,
    kept and rejected."""
    totals = quality.get("totals", {})
    print(
        f"Nettoyage : {plural(totals.get('files', 0), 'fichier')}, {_counts(totals)}.", flush=True
    )
    for entry in quality.get("files", []):
        where = entry["file"] + (f" (feuille « {entry['sheet']} »)" if entry.get("sheet") else "")
        if entry["status"] != "ok":
            print(f"  ✗ {where} : ÉCHEC — {entry['message']}", flush=True)
            continue
        print(f"  • {where} : {_counts(entry)}", flush=True)
        if entry.get("rejected_by_main_rule"):
            print(
                f"      lignes rejetées par motif : {_rows_by_rule(entry['rejected_by_main_rule'])}",
                flush=True,
            )
        if entry.get("findings"):
            print(f"      constats (cellules) : {_top(entry['findings'])}", flush=True)
        if entry.get("unmapped_columns"):
            cols = entry["unmapped_columns"]
            more = f" (+{len(cols) - 5})" if len(cols) > 5 else ""
            print(f"      colonnes non reconnues : {', '.join(cols[:5])}{more}", flush=True)
    if not quality.get("pseudonym_key_secret", True):
        print(
            "  ! clé des pseudonymes non secrète : définissez la variable d'environnement "
            f"{getattr(study, 'key_env', 'IAOBS_PSEUDONYM_KEY')} pour des identifiants non recalculables.",
            flush=True,
        )
    outputs = quality.get("outputs", {})
    if outputs:
        print("Sorties :", flush=True)
        for path in outputs.values():
            print(f"  {path}", flush=True)


# --------------------------------------------------------------------------------------------
# Validation without writing


def validate_files(
    paths: list[Path],
    study: Any | None = None,
    profile: str = "template",
    sector: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check files against the dictionary, writing nothing.

    Each file is read, mapped and cleaned as ``iaobs clean`` would (duplicates resolved within
    the file). A file that cannot be read gives one blocking finding ``fichier_illisible``.

    Returns
    -------
    findings, summary
        The findings table (columns of :data:`iaobs.prepare.validate.FINDING_COLUMNS`) and
        ``{"files": [{file, sheet, status, message, read, kept, rejected, blank_rows_skipped,
        unmapped_columns}], "blocking": n, "warnings": n}``.
    """
    language = study.language if study is not None else "fr"
    key = study.pseudonym_key() if study is not None else None
    sources = {Path(s.path).resolve(): s for s in (study.sources if study is not None else ())}
    tables: list[pd.DataFrame] = []
    files: list[dict[str, Any]] = []
    kept_strata: list[pd.DataFrame] = []
    for path in paths:
        path = Path(path)
        source = sources.get(path.resolve())
        questionnaire = source.questionnaire if source is not None else "entreprises"
        if study is not None:
            dictionary = (
                study.dictionary if questionnaire == "entreprises" else study.training_dictionary
            )
        else:
            dictionary = load_dictionary(questionnaire)
        use_profile = source.profile if source is not None and profile == "template" else profile
        mapping = source.mapping if source is not None and use_profile == "mapping" else None
        if mapping is None and use_profile not in (*PROFILES, "mapping"):
            mapping, use_profile = Path(use_profile), "mapping"
        stated = sector if sector is not None else (source.sector if source is not None else None)
        name = _relative(path, Path(study.root) if study is not None else Path.cwd())
        try:
            if not path.exists():
                raise InputError(
                    "fichier introuvable", file=path, hint="vérifiez le chemin du fichier"
                )
            raw, mapped = _read_and_map(
                path,
                dictionary,
                sheet=source.sheet if source is not None else None,
                header_row=source.header_row if source is not None else None,
                profile=use_profile,
                mapping=mapping,
                max_file_mb=study.max_file_mb if study is not None else 200.0,
            )
            frame = mapped.frame.copy()
            frame["_source_file"] = name
            result = clean_responses(
                frame,
                dictionary,
                stated_sector=stated,
                language=language,
                key=key,
                file=name,
                sheet=getattr(raw, "sheet", None),
            )
            result = apply_profile_rejects(result, frame, language=language)
            mask_personal_data(result, dictionary)
        except (InputError, ConfigError) as exc:
            finding, entry = _unreadable_file(name, str(exc))
            tables.append(finding)
            files.append(entry)
            continue
        tables.append(result.findings)
        files.append(_checked_file(raw, mapped, name, result))
        strata = [c for c in ("secteur", "taille") if c in result.responses]
        kept_strata.append(result.responses[strata])
    findings = _concat(tables)
    if findings.empty:
        findings = empty_findings()
    findings = findings[FINDING_COLUMNS].reset_index(drop=True)
    counts = findings["severity"].value_counts()
    summary = {
        "files": files,
        "blocking": int(counts.get(BLOCKING, 0)),
        "warnings": int(counts.get(WARNING, 0)),
        "kept_strata": _concat(kept_strata),
    }
    return findings, summary


def _unreadable_file(name: str, message: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The blocking finding and the summary entry of a file that could not be checked."""
    finding = pd.DataFrame(
        [
            {
                "file": name,
                "sheet": None,
                "row": None,
                "column": "",
                "value": "",
                "rule": "fichier_illisible",
                "severity": BLOCKING,
                "message": message,
            }
        ]
    )
    entry: dict[str, Any] = {
        "file": name,
        "sheet": None,
        "status": "failed",
        "message": message,
        "read": 0,
        "kept": 0,
        "rejected": 0,
        "blank_rows_skipped": 0,
        "unmapped_columns": [],
    }
    return finding, entry


def _checked_file(raw: Any, mapped: Any, name: str, result: CleanResult) -> dict[str, Any]:
    """The summary entry of a file checked: what was read, kept and rejected, and why."""
    return {
        **_file_entry(raw, mapped, name),
        "status": "ok",
        "message": None,
        "read": result.quality["read"],
        "kept": result.quality["kept"],
        "rejected": result.quality["rejected"],
        "out_of_scope": result.quality.get("out_of_scope", 0),
        "rejected_by_rule": result.quality["rejected_by_rule"],
        "rejected_by_main_rule": result.quality.get("rejected_by_main_rule", {}),
    }


#: The rule of responses a survey tool marks as never submitted (rejected by rule, not a
#: problem to fix).
INCOMPLETE = "reponse_incomplete"

_TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "file": "{file}{sheet} : {counts}",
        "sheet": " (feuille « {sheet} »)",
        "failed": "{file} : illisible (le message d'erreur suit, une seule fois)",
        "counts": "  {blocking}, {warnings} (constats, par cellule)",
        "nouns": (
            ("problème bloquant", "problèmes bloquants"),
            ("avertissement", "avertissements"),
        ),
        "rule": "  [{severity}] {rule} : {n} cas",
        "example": "      ligne {row}, colonne « {column} » : {message}",
        "example_norow": "      {message}",
        "more": "      … et {n} de plus (voir findings.csv après « iaobs clean »)",
        "unmapped": "  colonnes non reconnues (ignorées) : {columns}",
        "ok": "Aucun problème bloquant : les fichiers peuvent être nettoyés.",
        "ko": "Des problèmes bloquants rejetteront des lignes : corrigez la correspondance "
        "(fichier YAML) quand une réponse ou une colonne est mal reconnue ; sinon les lignes "
        "seront écartées avec leur motif (rejects.csv). Ne modifiez jamais les exports reçus : "
        "signalez une erreur de saisie à qui vous les a fournis.",
        "sev": {BLOCKING: "bloquant", WARNING: "avertissement"},
        "rows": "lignes rejetées par motif principal",
    },
    "en": {
        "file": "{file}{sheet}: {counts}",
        "sheet": ' (sheet "{sheet}")',
        "failed": "{file}: unreadable (the error message follows, once)",
        "counts": "  {blocking}, {warnings} (findings, by cell)",
        "nouns": (("blocking problem", "blocking problems"), ("warning", "warnings")),
        "rule": "  [{severity}] {rule}: {n} case(s)",
        "example": '      row {row}, column "{column}": {message}',
        "example_norow": "      {message}",
        "more": '      … and {n} more (see findings.csv after "iaobs clean")',
        "unmapped": "  unrecognised columns (ignored): {columns}",
        "ok": "No blocking problem: the files can be cleaned.",
        "ko": "Blocking problems will reject rows: fix the mapping (YAML file) when an answer "
        "or a column is misread; otherwise the rows are set aside with their reason "
        "(rejects.csv). Never edit the exports received: report a data-entry error to whoever "
        "sent them.",
        "sev": {BLOCKING: "blocking", WARNING: "warning"},
        "rows": "rows rejected by main reason",
    },
}


def validation_conclusion(blocking: bool, language: str = "fr") -> str:
    """The last line of a validation: nothing blocks, or what to do (never: edit the raw
    files)."""
    text = _TEXT["en" if language == "en" else "fr"]
    return text["ko"] if blocking else text["ok"]


def print_validation(
    findings: pd.DataFrame, summary: dict[str, Any], language: str = "fr", *, conclude: bool = True
) -> bool:
    """Print the findings grouped by file and rule; return True when something blocks.

    Up to three examples are shown per rule; blocking rules first; the conclusion last
    unless ``conclude`` is false.
    """
    text = _TEXT["en" if language == "en" else "fr"]
    blocking_any = False
    for entry in summary.get("files", []):
        name = entry["file"]
        if entry["status"] != "ok":
            print(text["failed"].format(file=name, message=entry["message"]), flush=True)
            blocking_any = True
            continue
        sheet = text["sheet"].format(sheet=entry["sheet"]) if entry.get("sheet") else ""
        print(text["file"].format(file=name, sheet=sheet, counts=_counts(entry)), flush=True)
        if entry.get("rejected_by_main_rule"):
            print(f"  {text['rows']} : {_rows_by_rule(entry['rejected_by_main_rule'])}", flush=True)
        mine = findings[findings["file"].astype(str) == name]
        n_block = int((mine["severity"] == BLOCKING).sum())
        # responses never submitted are set aside by rule: expected, nothing to fix
        blocking_any |= bool(((mine["severity"] == BLOCKING) & (mine["rule"] != INCOMPLETE)).any())
        print(
            text["counts"].format(
                blocking=plural(n_block, *text["nouns"][0], language=language),
                warnings=plural(
                    int((mine["severity"] == WARNING).sum()), *text["nouns"][1], language=language
                ),
            ),
            flush=True,
        )
        if entry.get("unmapped_columns"):
            print(text["unmapped"].format(columns=", ".join(entry["unmapped_columns"])), flush=True)
        if mine.empty:
            continue
        order = mine.assign(_b=(mine["severity"] != BLOCKING).astype(int))
        for (_b, rule, severity), group in order.groupby(["_b", "rule", "severity"], sort=True):
            print(
                text["rule"].format(
                    severity=text["sev"].get(severity, severity), rule=rule, n=_n(len(group))
                ),
                flush=True,
            )
            for row in group.head(3).itertuples(index=False):
                if pd.notna(row.row):
                    print(
                        text["example"].format(
                            row=int(row.row), column=row.column, message=row.message
                        ),
                        flush=True,
                    )
                else:
                    print(text["example_norow"].format(message=row.message), flush=True)
            if len(group) > 3:
                print(text["more"].format(n=_n(len(group) - 3)), flush=True)
    if conclude:
        print(text["ko"] if blocking_any else text["ok"], flush=True)
    return blocking_any
