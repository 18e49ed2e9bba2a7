"""The system Chromium for the browser tests (nothing downloaded): its path, its flags for a
closed network, and playwright's entry point. Under CI a missing browser is a failure, not a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def sync_playwright_or_skip() -> Any:
    """playwright's ``sync_playwright``; skip (fail under CI) without Chromium or playwright."""
    available = Path(CHROMIUM).is_file() or shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if not available or sync_playwright is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium (/usr/bin/chromium) or playwright missing: required under CI")
        pytest.skip("Chromium or playwright not installed")
    return sync_playwright
