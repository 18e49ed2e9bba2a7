"""Report page → A4 PDF with WeasyPrint (no LaTeX, no browser).

The page's print stylesheet (``assets/page.css``) does the layout: the cover on its own page,
the table of contents with page numbers (``target-counter``), the running header (observatory ·
report) and footer (wave · region, ``page x / y``), figures and table rows never cut across
pages, headings kept with what follows. Only ``data:`` and ``file:`` resources are fetched:
a report never makes a network request.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_bytes
from iaobs.errors import ReportError

__all__ = ["pdf_bytes", "warm_up", "write_pdf"]

ALLOWED_PROTOCOLS = ("data", "file")


@cache
def _shared(css: str) -> tuple[Any, Any]:
    """A stylesheet parsed once per process, and the font configuration holding its fonts."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    fetcher = weasyprint.URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, timeout=5)
    return weasyprint.CSS(string=css, font_config=fonts, url_fetcher=fetcher), fonts


def pdf_bytes(
    page: str,
    *,
    base_url: str | Path | None = None,
    shared_css: str | None = None,
    page_css: str | None = None,
) -> bytes:
    """Print an HTML page to PDF bytes (A4, fonts embedded and subset by WeasyPrint).

    ``shared_css`` is a stylesheet common to many reports (parsed, and its fonts loaded, once
    per process: see :func:`iaobs.render.html.print_styles`) and ``page_css`` this report's
    own rules; both apply after the page's own styles. The PDF identifier is derived from the
    page, so the same page gives the same PDF when ``SOURCE_DATE_EPOCH`` fixes the dates of
    the page's metadata.
    """
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = weasyprint.URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, timeout=5)
    document = weasyprint.HTML(
        string=page,
        base_url=str(base_url) if base_url is not None else None,
        url_fetcher=fetcher,
    )
    options: dict[str, Any] = {}
    if shared_css is not None:
        stylesheet, fonts = _shared(shared_css)
        sheets = [stylesheet]
        if page_css:
            sheets.append(weasyprint.CSS(string=page_css, font_config=fonts, url_fetcher=fetcher))
        options = {"stylesheets": sheets, "font_config": fonts}
    key = page + (shared_css or "") + (page_css or "")
    identifier = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32].encode("ascii")
    data = document.write_pdf(pdf_identifier=identifier, pdf_tags=True, **options)
    assert data is not None
    return data


def warm_up() -> None:
    """Print a typical report page with the shared report styles, so that WeasyPrint's fonts,
    text layout caches and font subsetting are ready (the report server does it once before
    forking the report processes, which then do not pay it: about 0.05 s per report)."""
    from iaobs.render.html import ASSETS, page_rule, print_styles

    page = (ASSETS / "warmup.html").read_text("utf-8")
    pdf_bytes(
        page,
        shared_css=print_styles(),
        page_css=page_rule("Observatoire · Votre entreprise face à son secteur", "Région · 2019"),
    )


def write_pdf(page: str, destination: Path, *, base_url: str | Path | None = None) -> Path:
    """Write the PDF of ``page`` atomically to ``destination``."""
    try:
        data = pdf_bytes(page, base_url=base_url or destination.parent)
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(
            f"impression PDF impossible ({type(exc).__name__} : {exc})",
            hint="le rapport HTML a été produit ; vérifiez son contenu",
        ) from exc
    return write_bytes(destination, data)
