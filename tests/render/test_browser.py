"""The index page and a report in real headless Chromium (the system browser, nothing downloaded).

Asserts that each page loads with no console error, requests nothing but ``file:`` and
``data:`` URLs, and renders something (a screenshot that is not blank). Under CI the test
must run: a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from iaobs.render import cache, render_study
from iaobs.study.config import load_study

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from browser import ARGS, CHROMIUM, sync_playwright_or_skip  # noqa: E402
from fake_study import make_fake_study  # noqa: E402
from render_samples import CONTENT, OTHER, SECTEUR  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_pages_in_headless_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sync_playwright = sync_playwright_or_skip()
    from PIL import Image, ImageStat

    root = make_fake_study(tmp_path)
    templates = tmp_path / "nb"
    templates.mkdir()
    (templates / "secteur.py").write_text(SECTEUR)
    (templates / "synthese.py").write_text(OTHER)
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    monkeypatch.setattr(cache, "library_digest", lambda: "library")
    study = load_study(root)
    summary = render_study(
        study,
        only=["banque"],
        formats=("html",),
        progress=False,
        templates_dir=templates,
        content=CONTENT,
    )
    assert summary.exit_code == 0
    pages = [study.reports_dir / "index.html", study.reports_dir / "banque" / "report.html"]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for path in pages:
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                errors: list[str] = []
                requests: list[str] = []
                page.on(
                    "console",
                    lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None,
                )
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.on("request", lambda r, requests=requests: requests.append(r.url))
                response = page.goto(path.as_uri(), wait_until="load")
                assert response is None or response.ok
                assert page.locator("h1").count() == 1
                assert page.evaluate("document.documentElement.lang") == "fr"
                assert page.locator("script").count() == 0
                shot = page.screenshot(full_page=False)
                page.close()
                assert not errors, errors
                foreign = [u for u in requests if not u.startswith(("file://", "data:"))]
                assert not foreign, foreign
                image = Image.open(io.BytesIO(shot)).convert("L")
                assert ImageStat.Stat(image).stddev[0] > 5, f"blank screenshot of {path.name}"
                (tmp_path / f"{path.parent.name}-{path.stem}.png").write_bytes(shot)
        finally:
            browser.close()
