"""Faults: runs killed with SIGKILL, a failing report, unwritable folders, a full disk,
reproducible outputs.

The end-to-end tests (marked ``slow``) run the real command line on a copy of the
repository's sample study, with ``SOURCE_DATE_EPOCH`` set.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hostile  # noqa: E402
from iaobs.cli import main  # noqa: E402

REPO = HERE.parent
EPOCH = "1560000000"
ONLY = ("--only", "banque", "synthese-regionale", "qualite-donnees")
SHORT = ("--format", "html", *ONLY)  # a short run: HTML only
FULL = ONLY  # every stage and every format (html, pdf, xlsx) of these reports


def _env() -> dict[str, str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONWARNINGS": "ignore"}
    env.pop("IAOBS_DEBUG", None)
    return env


def _run(root: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iaobs.cli", "run", str(root), "--quiet", *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=root,
        timeout=timeout,
    )


def _temporaries(root: Path) -> list[Path]:
    found = [p for p in root.rglob("*.tmp") if "raw" not in p.parts]
    found += [p for p in root.rglob(".staging") if any(p.iterdir())]
    return found


def _tiny_study(root: Path) -> Path:
    hostile.write_good_file(root / "data" / "raw")
    return hostile.write_study(root, None)


# --------------------------------------------------------------------------------------------
# Consistency of whatever is on disk


def check_readable(root: Path) -> list[str]:
    """Every final output on disk is complete and readable (temporaries aside)."""
    checked = []
    for path in sorted((root / "data" / "processed").rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix == ".parquet":
            pd.read_parquet(path)
        elif path.suffix == ".json":
            json.loads(path.read_text("utf-8"))
        elif path.suffix == ".csv":
            pd.read_csv(path, sep=None, engine="python")
        checked.append(path.name)
    for path in sorted((root / "reports").rglob("*")):
        if not path.is_file() or (path.name.startswith(".") and path.suffix != ".json"):
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
        elif path.suffix == ".pdf":
            assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], path
        elif path.suffix == ".xlsx":
            from openpyxl import load_workbook

            load_workbook(path, read_only=True).close()
        elif path.suffix in (".json", ".ipynb"):
            json.loads(data.decode("utf-8"))
        elif path.suffix == ".csv":
            pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig", comment="#")
        checked.append(path.name)
    return checked


def check_complete(root: Path, formats: tuple[str, ...]) -> None:
    """Every report the index lists has all its files; nothing temporary is left."""
    assert not _temporaries(root), _temporaries(root)
    reports = root / "reports" / "2019"
    manifest = json.loads((reports / ".cache.json").read_text("utf-8"))
    assert not manifest.get("failed"), manifest.get("failed")
    names = {"html": "report.html", "pdf": "report.pdf", "xlsx": "tables.xlsx"}
    assert manifest["reports"]
    for slug in manifest["reports"]:
        folder = reports / slug
        for fmt in formats:
            assert (folder / names[fmt]).is_file(), (slug, fmt)
        assert (folder / "indicators.csv").is_file(), slug
    assert (reports / "index.html").is_file()
    check_readable(root)


# --------------------------------------------------------------------------------------------
# SIGKILL


def _start(root: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "iaobs.cli", "run", str(root), "--quiet", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        cwd=root,
        start_new_session=True,
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the run and every process it started (workers, kernels): a crash."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def _wait_no_process_of(root: Path, seconds: float) -> list[str]:
    """Wait until no process has ``root`` on its command line; returns those still there."""
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for proc_dir in Path("/proc").iterdir():
            if not proc_dir.name.isdigit() or int(proc_dir.name) == os.getpid():
                continue
            try:
                cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(root) in cmdline:
                alive.append(f"{proc_dir.name} {cmdline[:120]}")
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@pytest.mark.slow
def test_sigkill_at_ten_moments_then_rerun(tmp_path: Path) -> None:
    root = hostile.copy_sample_study(REPO, tmp_path / "etude")
    durations = {}
    for name, args in (("full", FULL), ("short", (*SHORT, "--force"))):
        started = time.monotonic()
        proc = _run(root, *args)
        durations[name] = time.monotonic() - started
        assert proc.returncode == 0, proc.stderr[-2000:]
    reference = pd.read_parquet(root / "data" / "processed" / "indicators.parquet")

    # 8 kills spread over a short run, 2 over a run in every format
    rng = random.Random(2019)
    plan = [
        (durations["short"] * (i + rng.uniform(0.2, 0.9)) / 9, (*SHORT, "--force"))
        for i in range(8)
    ]
    plan += [
        (durations["full"] * rng.uniform(0.2, 0.5), (*FULL, "--force")),
        (durations["full"] * rng.uniform(0.55, 0.9), (*FULL, "--force")),
    ]
    log = []
    for delay, args in plan:
        for _attempt in range(3):  # a run that ended before its kill is tried again, sooner
            proc = _start(root, *args)
            time.sleep(delay)
            finished = proc.poll() is not None
            _kill_group(proc)
            check_readable(root)  # whatever a killed run left, no final file is half-written
            if not finished:
                break
            delay *= 0.7
        log.append(
            (
                round(delay, 1),
                "short" if "html" in args else "full",
                finished,
                len(_temporaries(root)),
            )
        )
    # the OOM killer's way: SIGKILL to the main process only; what it started must not linger
    proc = _start(root, *FULL, "--force")
    time.sleep(durations["full"] * 0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _wait_no_process_of(root, 60) == [], "processes of a killed run still running"
    check_readable(root)
    print("kills (delay s, run, had finished, temporaries left):", log, durations)
    assert sum(1 for entry in log if not entry[2]) >= 10, log  # really killed mid-run

    proc = _run(root, *FULL)
    assert proc.returncode == 0, (log, proc.stderr[-2000:])
    check_complete(root, ("html", "pdf", "xlsx"))
    after = pd.read_parquet(root / "data" / "processed" / "indicators.parquet")
    pd.testing.assert_frame_equal(after, reference)


def test_leftovers_of_a_killed_run_are_removed_by_the_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tiny_study(tmp_path)
    assert main(["clean", str(root)]) == 0
    processed = root / "data" / "processed"
    stale = processed / ".responses.parquet.k3j2h1.tmp"
    stale.write_bytes(b"half")
    staging = root / "reports" / "2019" / ".staging" / "banque-x1y2"
    staging.mkdir(parents=True)
    (staging / "report.html").write_text("<html>")
    report_tmp = root / "reports" / "2019" / "banque" / ".report.pdf.abc.tmp"
    report_tmp.parent.mkdir(parents=True)
    report_tmp.write_bytes(b"%PDF-1.7 half")
    assert main(["clean", str(root)]) == 0
    assert not stale.exists() and not staging.exists() and not report_tmp.exists()
    assert (processed / "responses.parquet").is_file()


def test_two_runs_at_once_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from iaobs.core.atomic import study_lock

    root = _tiny_study(tmp_path)
    capsys.readouterr()
    with study_lock(root):
        code = main(["clean", str(root)])
    err = capsys.readouterr().err
    assert code == 1 and "une autre exécution" in err and "Traceback" not in err
    assert not (root / "data" / "processed").exists()
    assert main(["clean", str(root)]) == 0  # released


# --------------------------------------------------------------------------------------------
# A failing report


@pytest.mark.slow
def test_one_failing_report_leaves_the_others_and_exits_3(tmp_path: Path) -> None:
    root = hostile.copy_sample_study(REPO, tmp_path / "etude")
    shutil.copytree(REPO / "src" / "iaobs" / "notebooks", root / "notebooks")
    template = root / "notebooks" / "secteur.py"
    text = template.read_text("utf-8")
    marker = 'tags=["parameters"]'
    assert marker in text
    head, tail = text.split(marker, 1)
    first_cell_end = tail.index("\n# %%")
    template.write_text(
        head
        + marker
        + tail[:first_cell_end]
        + '\n\n# %%\nif sector == "banque":\n    raise RuntimeError("panne simulée du rapport")\n'
        + tail[first_cell_end:],
        encoding="utf-8",
    )
    proc = _run(root, "--format", "html,xlsx", "--only", "banque", "logiciel", "synthese-regionale")
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    failures = [line for line in proc.stderr.splitlines() if "banque" in line]
    assert failures and any("panne simulée du rapport" in line for line in failures), proc.stderr
    assert "1 en échec" in proc.stdout
    reports = root / "reports" / "2019"
    for slug in ("logiciel", "synthese-regionale"):
        assert (reports / slug / "report.html").is_file()
        assert (reports / slug / "tables.xlsx").is_file()
    assert not (reports / "banque" / "report.html").exists()
    build = root / ".iaobs-cache" / "build" / "2019" / "banque"
    assert (build / "report.ipynb").is_file()  # kept for diagnosis, outside reports/
    assert not list(reports.rglob("*.ipynb"))
    assert "banque" in (reports / "index.html").read_text("utf-8")
    assert not _temporaries(root)


# --------------------------------------------------------------------------------------------
# Unwritable folders, full disk


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("iaobs : erreur : ") and "Traceback" not in err
    assert "erreur interne" not in lines[0]
    return lines[0]


def test_output_folder_that_cannot_be_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tiny_study(tmp_path)
    (root / "data" / "processed").write_text("un fichier à la place du dossier")
    capsys.readouterr()
    assert main(["clean", str(root)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "non accessible en écriture" in line and "processed" in line


@pytest.mark.slow
def test_reports_folder_that_cannot_be_created(tmp_path: Path) -> None:
    root = hostile.copy_sample_study(REPO, tmp_path / "etude")
    (root / "reports").write_text("un fichier à la place du dossier")
    proc = _run(root, "--only", "banque", "--format", "html")
    assert proc.returncode == 1
    line = _one_error_line(proc.stderr)
    assert "non accessible en écriture" in line and "reports" in line
    assert (root / "data" / "processed" / "indicators.parquet").is_file()  # the rest was done


def test_permission_denied_gives_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    root = _tiny_study(tmp_path)

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    capsys.readouterr()
    assert main(["clean", str(root)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "non accessible en écriture" in line and "droits" in line


def test_full_disk_gives_a_clear_message_and_keeps_the_previous_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import iaobs.core.atomic

    root = _tiny_study(tmp_path)
    assert main(["clean", str(root)]) == 0
    processed = root / "data" / "processed"
    before = {p.name: p.read_bytes() for p in processed.iterdir()}
    (root / "data" / "raw" / hostile.GOOD_FILE).unlink()
    hostile.write_xlsx(
        root / "data" / "raw" / hostile.GOOD_FILE, hostile.HEADER, hostile.good_rows("Z", n=2)
    )

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(iaobs.core.atomic.os, "fsync", full)
    capsys.readouterr()
    assert main(["clean", str(root)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "disque plein" in line
    assert {p.name: p.read_bytes() for p in processed.iterdir()} == before
    assert not _temporaries(root)


# --------------------------------------------------------------------------------------------
# Reproducibility


@pytest.mark.slow
def test_two_runs_give_identical_indicators_and_html(tmp_path: Path) -> None:
    roots = [hostile.copy_sample_study(REPO, tmp_path / name) for name in ("a", "b")]
    for root in roots:
        proc = _run(root, "--format", "html", "--only", "banque", "synthese-regionale")
        assert proc.returncode == 0, proc.stderr[-2000:]
    a, b = roots
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "data" / "processed" / "indicators.parquet"),
        pd.read_parquet(b / "data" / "processed" / "indicators.parquet"),
    )
    for name in ("quality.json", "findings.csv", "rejects.csv"):
        assert (a / "data" / "processed" / name).read_bytes() == (
            b / "data" / "processed" / name
        ).read_bytes(), name
    for page in ("banque/report.html", "synthese-regionale/report.html", "index.html"):
        left = (a / "reports" / "2019" / page).read_bytes()
        right = (b / "reports" / "2019" / page).read_bytes()
        assert left == right, page
