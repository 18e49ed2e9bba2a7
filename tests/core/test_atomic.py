"""Atomic writes: complete or absent, never half-written; clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iaobs.core.atomic import atomic_path, write_json, write_text
from iaobs.errors import IaobsError


def test_write_and_replace(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.json"
    write_json(target, {"a": "é"})
    assert target.read_text("utf-8").startswith("{")
    write_text(target, "new")
    assert target.read_text("utf-8") == "new"
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_failure_leaves_destination_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(IaobsError, match="écriture"):
            write_text(locked / "x.txt", "x")
    finally:
        locked.chmod(0o700)


def test_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(IaobsError, match="écriture"):
        write_text(tmp_path / "blocker" / "x.txt", "x")


def test_full_disk_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(IaobsError, match="disque plein"):
        write_text(tmp_path / "x.txt", "x")
    assert list(tmp_path.iterdir()) == []


def test_written_files_are_readable_by_all(tmp_path: Path) -> None:
    """mkstemp makes 0600 files; a published output follows the umask (0644 under 022)."""
    import os

    old = os.umask(0o022)
    try:
        target = write_text(tmp_path / "report.html", "<p>é</p>")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644
