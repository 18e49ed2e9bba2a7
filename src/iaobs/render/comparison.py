"""Rendering of the comparison report of several studies (``iaobs compare``)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core.atomic import atomic_path
from iaobs.core.contract import INDICATOR_COLUMNS
from iaobs.core.resources import templates_dir
from iaobs.errors import ConfigError, ReportError
from iaobs.render.excel import neutralise_formula
from iaobs.render.runner import report_date
from iaobs.reports.kinds.comparison import compare_loaded, load_studies

__all__ = ["render_comparison"]


# --------------------------------------------------------------------------------------------
# Rendering


def _output_dir(output: str | Path | None) -> Path:
    return Path(output) if output else Path("reports") / "comparaison"


def render_comparison(
    paths: Sequence[str | Path],
    output: str | Path | None = None,
    *,
    language: str = "",
    formats: Sequence[str] = ("html", "pdf", "xlsx"),
    templates_dir: str | Path | None = None,
    timeout: int | None = None,
) -> dict[str, Path]:
    """Render the comparison report of ``paths`` into ``output``.

    Parameters
    ----------
    paths
        Study folders (two or more), each already estimated (``iaobs run``).
    output
        Folder of the report (default ``reports/comparaison/`` under the current folder):
        ``report.html``, ``report.pdf``, ``tables.xlsx``, ``indicators.csv`` (the shared
        indicators, one row per study, with a leading ``study`` column), ``differences.csv``
        (the tests); the executed notebook goes to the build folder of the first study.
    language
        ``fr`` or ``en``; empty: the first study's language.
    formats
        Among ``html``, ``pdf``, ``xlsx``.
    templates_dir
        Folder holding ``comparaison.py`` (default: the first study's ``notebooks/``, then
        the iaobs notebooks).

    Raises
    ------
    ConfigError, InputError
        Bad study folders or studies not estimated yet (before anything is rendered).
    ReportError
        When the report failed; the executed notebook is kept in ``output``.
    """
    loaded = load_studies(paths)
    first = next(iter(loaded.values()))[0]
    language = (language or first.language).strip()
    if language not in ("fr", "en"):
        raise ConfigError(f"langue inconnue {language!r} : attendu fr ou en")
    comparison = compare_loaded(loaded)
    template = _find_template(first.root, templates_dir)
    final_dir = _output_dir(output).resolve()
    final_dir.mkdir(parents=True, exist_ok=True)
    work = final_dir / ".staging"
    work.mkdir(exist_ok=True)
    indicators_path = work / "indicators.parquet"
    comparison.estimates.to_parquet(indicators_path, index=False)
    title = "Comparaison des études" if language == "fr" else "Comparison of studies"
    regions = " · ".join(loaded)
    date = report_date()
    task = {
        "slug": "comparaison",
        "kind": "comparaison",
        "sector": None,
        "title": title,
        "template": str(template),
        "parameters": {
            "studies": [str(s.root) for s, _ in loaded.values()],
            "language": language,
        },
        "formats": list(formats),
        "final_dir": str(final_dir),
        "staging_root": str(work),
        "cwd": str(first.root),
        "indicators": str(indicators_path),
        "language": language,
        "page_title": f"{title} – {regions}",
        "author": first.title,
        "header": f"{first.title} · {title}",
        "footer": regions,
        "region": regions,
        "wave": " / ".join(dict.fromkeys(s.wave for s, _ in loaded.values())),
        "date": date.isoformat(),
        "cache_dir": str(first.store.cache_dir),
        "content": "iaobs.reports.kinds.comparison:comparison_content",
        "timeout": timeout,
        "prestart_next": False,
    }
    record = _run_worker(task, cwd=first.root)
    if record.get("status") != "rendered":
        cell = f", cellule n° {record['cell']}" if record.get("cell") is not None else ""
        raise ReportError(
            f"rapport de comparaison en échec à l'étape « {record.get('stage')} »{cell} : "
            f"{record.get('error')}",
            hint=f"notebook exécuté : {record.get('notebook') or final_dir}",
        )
    outputs = {k: Path(v) for k, v in (record.get("outputs") or {}).items()}
    # the worker's indicators.csv has no study column: replaced by one that has
    outputs["csv"] = _write_study_csv(comparison.estimates, final_dir / "indicators.csv", language)
    outputs["differences"] = _write_tests_csv(
        comparison.tests, final_dir / "differences.csv", language
    )
    indicators_path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        work.rmdir()
    return outputs


def _find_template(root: Path, override: str | Path | None) -> Path:
    candidates = []
    if override is not None:
        candidates.append(Path(override))
    elif os.environ.get("IAOBS_NOTEBOOKS"):
        candidates.append(Path(os.environ["IAOBS_NOTEBOOKS"]))
    else:
        candidates += [root / "notebooks", templates_dir()]
    for folder in candidates:
        if (folder / "comparaison.py").is_file():
            return (folder / "comparaison.py").resolve()
    raise ConfigError(
        "modèle du rapport de comparaison introuvable (notebooks/comparaison.py)",
        hint="cherché dans : " + ", ".join(str(c) for c in candidates),
    )


def _run_worker(task: Mapping[str, Any], *, cwd: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONUNBUFFERED"] = "1"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "iaobs.render.worker"],
            input=json.dumps(task, ensure_ascii=False) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=str(cwd),
            check=False,
        )
    except OSError as exc:
        raise ReportError(f"processus de rendu indisponible ({exc})") from exc
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise ReportError(
            f"processus de rendu interrompu (code {done.returncode})",
            hint="relancez avec IAOBS_DEBUG=1 pour le détail",
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _csv_frame(frame: pd.DataFrame, destination: Path, language: str) -> Path:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: "" if v is None or v != v else neutralise_formula(str(v))
            )
    sep, decimal = (";", ",") if language != "en" else (",", ".")
    text = out.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\n")
    with atomic_path(destination) as tmp:
        tmp.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return destination


def _write_study_csv(estimates: pd.DataFrame, destination: Path, language: str) -> Path:
    return _csv_frame(estimates.loc[:, ["study", *INDICATOR_COLUMNS]], destination, language)


def _write_tests_csv(tests: pd.DataFrame, destination: Path, language: str) -> Path:
    out = tests.copy()
    out["significant"] = out["significant"].map(
        lambda v: "" if v is pd.NA or v is None else ("1" if v else "0")
    )
    return _csv_frame(out, destination, language)
