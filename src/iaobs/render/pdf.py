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
from pathlib import Path

from iaobs.atomic import write_bytes
from iaobs.errors import ReportError

__all__ = ["pdf_bytes", "warm_up", "write_pdf"]

ALLOWED_PROTOCOLS = ("data", "file")


def pdf_bytes(page: str, *, base_url: str | Path | None = None) -> bytes:
    """Print an HTML page to PDF bytes (A4, fonts embedded and subset by WeasyPrint).

    The PDF identifier is derived from the page, so the same page gives the same PDF when
    ``SOURCE_DATE_EPOCH`` fixes the dates of the page's metadata.
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
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    data = document.write_pdf(pdf_identifier=identifier, pdf_tags=True)
    assert data is not None
    return data


def warm_up() -> None:
    """Print a one-line page, so that WeasyPrint's fonts and caches are loaded (the report
    server does it once before forking the report processes)."""
    pdf_bytes(
        '<html lang="fr"><body><p style="font-family: Open Sans">Éé 1 250 %</p></body></html>'
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
