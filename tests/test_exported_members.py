"""The public names of iaobs are pinned: a module may move, these may not."""

from __future__ import annotations

import iaobs

PUBLIC = {
    "ConfigError",
    "Dictionary",
    "IaobsError",
    "InputError",
    "ReportError",
    "RunSummary",
    "StatisticsError",
    "Study",
    "__version__",
    "load_dictionary",
    "load_study",
    "run_study",
}


def test_public_names_are_pinned() -> None:
    assert set(iaobs.__all__) == PUBLIC


def test_every_public_name_exists_and_is_documented() -> None:
    for name in iaobs.__all__:
        member = getattr(iaobs, name)
        if name != "__version__":
            assert member.__doc__, f"iaobs.{name} has no docstring"
            assert member.__module__.startswith("iaobs."), name


def test_errors_form_one_tree() -> None:
    for name in ("ConfigError", "InputError", "ReportError", "StatisticsError"):
        assert issubclass(getattr(iaobs, name), iaobs.IaobsError)
