"""The site in real headless Chromium (the system browser): the explorer works, with the
keyboard too, nothing leaves the page, and axe-core finds no serious or critical violation on
any page type. Under CI a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import ARGS, CHROMIUM, sync_playwright_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PAGE_TYPES = [
    "index.html",
    "explorer.html",
    "secteurs/banque.html",
    "donnees/index.html",
    "methodologie.html",
]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    sync_playwright = sync_playwright_or_skip()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors and the requests it made."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri(), wait_until="load")

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors
        foreign = [u for u in self.requests if not u.startswith(("file://", "data:", "blob:"))]
        assert not foreign, foreign


def test_explorer_interactions(browser: Any, site: Path, tmp_path: Path) -> None:
    w = Watched(browser, site / "explorer.html")
    page = w.page
    assert page.locator("#x-indicator option").count() > 20
    assert page.locator(".iaobs-bars li").count() >= 2  # region + sectors
    # search narrows the list, the first match is drawn
    page.fill("#x-search", "générative")
    options = page.locator("#x-indicator option")
    assert 0 < options.count() < 10
    assert "énérative" in page.locator("#x-title").inner_text()
    # keyboard: "/" focuses the search, ArrowDown goes to the list, arrows change the indicator
    page.fill("#x-search", "")
    page.locator("body").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "x-search"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "x-indicator"
    before = page.locator("#x-title").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#x-title").inner_text() != before
    # another breakdown, with hidden cells shown as such
    page.select_option("#x-kind", "secteur×taille")
    page.select_option("#x-indicator", "ia_usage|")
    assert page.locator(".iaobs-bars").inner_text().count("non diffusé") >= 1
    # table view, then the CSV of what is on screen
    page.click("#x-view-table")
    assert page.locator("#x-table table").is_visible()
    assert not page.locator("#x-chart").is_visible()
    rows = page.locator("#x-table tbody tr").count()
    with page.expect_download() as info:
        page.click("#x-csv")
    text = Path(info.value.path()).read_text("utf-8-sig")
    assert len(text.strip().splitlines()) == rows + 1
    assert text.startswith("indicateur;domaine")
    # waves over time and comparisons
    page.select_option("#x-kind", "secteur")
    assert page.locator("#x-waves table").is_visible()
    assert (
        page.locator("#x-table").inner_text().count("au-dessus")
        + page.locator("#x-table").inner_text().count("au-dessous")
        + page.locator("#x-table").inner_text().count("non significatif")
        >= 1
    )
    w.close()


def test_explorer_opens_on_a_link(browser: Any, site: Path) -> None:
    w = Watched(browser, site / "explorer.html")
    w.page.goto((site / "explorer.html").as_uri() + "#i=ia_usage%7C&k=taille&v=table")
    w.page.reload()
    assert w.page.locator("#x-kind").input_value() == "taille"
    assert w.page.locator("#x-table table").is_visible()
    w.close()


def test_accessibility_of_every_page_type(browser: Any, site: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for name in PAGE_TYPES:
        w = Watched(browser, site / name)
        results = axe.run(w.page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{name}: {violation['id']} {targets}")
        if name == "explorer.html":  # the table view too
            w.page.click("#x-view-table")
            results = axe.run(w.page)
            problems += [
                f"{name} (table): {v['id']}"
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        w.close()
    assert not problems, problems
