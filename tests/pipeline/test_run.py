"""The stages of a run are incremental on the content of their inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaobs.pipeline.run import clean_stage, estimate_stage, stages_before_reports
from iaobs.study.config import load_study
from iaobs.tools.sample import write_sample_study


@pytest.fixture(scope="module")
def study_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    write_sample_study(root, n_companies=150)
    # margins kept by hand here: without [frame], iaobs frame does not rebuild them
    toml = root / "study.toml"
    text = toml.read_text("utf-8")
    toml.write_text(text[: text.index("[frame]")] + text[text.index("[[sources]]") :], "utf-8")
    return root


def _ran(root: Path) -> tuple[bool, bool]:
    cleaned, estimated = stages_before_reports(load_study(root))
    return cleaned.ran, estimated.ran


def test_an_unchanged_study_skips_both_stages(study_root: Path) -> None:
    assert _ran(study_root) == (True, True)
    assert _ran(study_root) == (False, False)
    assert _ran(study_root) == (False, False)


def test_a_changed_raw_file_reruns_clean_and_estimate(study_root: Path) -> None:
    _ran(study_root)
    source = next(s.path for s in load_study(study_root).sources if s.path.suffix == ".csv")
    source.write_bytes(source.read_bytes())  # same bytes, new time: still unchanged
    assert _ran(study_root) == (False, False)
    source.write_bytes(source.read_bytes() + b"\n")  # a blank line: the content changed
    assert _ran(study_root) == (True, True)


def test_changed_margins_rerun_only_the_estimate(study_root: Path) -> None:
    _ran(study_root)
    margins = load_study(study_root).margins
    assert margins is not None
    margins.write_text(margins.read_text("utf-8") + "\n", "utf-8")
    assert _ran(study_root) == (False, True)
    assert _ran(study_root) == (False, False)


def test_a_deleted_output_is_rebuilt(study_root: Path) -> None:
    _ran(study_root)
    study = load_study(study_root)
    study.store.processed.indicators.unlink()
    assert _ran(study_root) == (False, True)
    study.store.processed.rejects.unlink()
    assert _ran(study_root)[0] is True
    assert study.store.processed.rejects.is_file()


def test_force_runs_every_stage(study_root: Path) -> None:
    _ran(study_root)
    study = load_study(study_root)
    assert clean_stage(study, force=True).ran
    assert estimate_stage(study, force=True).ran
    assert _ran(study_root) == (False, False)


def test_a_new_pseudonym_key_reruns_the_cleaning(
    study_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ran(study_root)
    monkeypatch.setenv("IAOBS_PSEUDONYM_KEY", "une autre clé")
    assert _ran(study_root)[0] is True
