"""The typography lint over every rendered HTML page of a small study: zero faults.

The pages are rendered by the real runner (templates, HTML writer) on the fake study, in
French: the main report kinds, once each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_study import make_fake_study
from iaobs.core.typography import typography_faults
from iaobs.render import cache
from iaobs.render.runner import render_study
from iaobs.study.config import load_study

pytestmark = pytest.mark.slow

SLUGS = ["banque", "banque-chiffres-cles", "synthese-regionale", "qualite-donnees"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_fake_study(tmp_path_factory.mktemp("lint"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1561939200")
        patch.delenv("IAOBS_NOTEBOOKS", raising=False)
        patch.setattr(cache, "library_digest", lambda: "library")
        study = load_study(root)
        summary = render_study(study, only=SLUGS, formats=("html",), jobs=1, progress=False)
    assert summary.exit_code == 0, [r.describe_failure() for r in summary.failed]
    return study.reports_dir


@pytest.mark.parametrize("slug", SLUGS)
def test_no_typography_fault(rendered: Path, slug: str) -> None:
    page = (rendered / slug / "report.html").read_text("utf-8")
    faults = typography_faults(page)
    assert not faults, f"{len(faults)} fautes, dont : " + " | ".join(
        f"{rule} : {excerpt!r}" for rule, excerpt in faults[:12]
    )
