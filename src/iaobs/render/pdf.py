"""Report page → A4 PDF with WeasyPrint (no LaTeX, no browser).

The page's print stylesheet (``assets/page.css``) does the layout: the cover on its own page,
the table of contents with page numbers (``target-counter``), the running header (observatory ·
report) and footer (wave · region, ``page x / y``), figures and table rows never cut across
pages, headings kept with what follows. A table wider than the page's text is printed
narrowed (smaller type, headings broken anywhere) or, when far too wide, on a landscape page:
such tables are found from the page's boxes before layout (:func:`estimated_wide_tables`), so
that the page is laid out once, and the laid-out document is checked for any the estimate
missed (:func:`overflowing_tables`; the page is then laid out again). The printed result is
checked by :mod:`iaobs.render.layout`. Only ``data:`` and ``file:``
resources are fetched: a report never makes a network request.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import logging
import re
import shutil
import struct
from functools import cache
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_bytes
from iaobs.errors import ReportError
from iaobs.render.html import ASSETS, page_rule, print_styles

__all__ = [
    "estimated_wide_tables",
    "long_tables",
    "mark_tables",
    "overflowing_tables",
    "pdf_bytes",
    "warm_up",
    "write_pdf",
]

ALLOWED_PROTOCOLS = ("data", "file")


#: The font configurations this process keeps for its whole life (:func:`_shared`).
_KEPT_FONTS: list[Any] = []


@atexit.register
def _release_fonts() -> None:
    """Remove the temporary folder each kept font configuration copied its fonts to.

    WeasyPrint removes it when the configuration is collected, but one kept until the
    interpreter stops is collected after ``shutil`` is torn down: the folder (about 1 MB)
    stayed in the temporary directory after every run, and Python printed an ignored
    ``TypeError``. A forked report process leaves by ``os._exit`` and does not run this:
    the folder belongs to the report server, which removes it when it stops."""
    while _KEPT_FONTS:
        fonts = _KEPT_FONTS.pop()
        folder = getattr(fonts, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            fonts._folder = None


@cache
def _shared(css: str) -> tuple[Any, Any]:
    """A stylesheet parsed once per process, and the font configuration holding its fonts."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    _KEPT_FONTS.append(fonts)
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

    _embed_png_as_is()
    page = mark_tables(page, long_tables(page))
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = weasyprint.URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, timeout=5)

    def parsed(marked: str) -> Any:
        base = str(base_url) if base_url is not None else None
        return weasyprint.HTML(string=marked, base_url=base, url_fetcher=fetcher)

    options: dict[str, Any] = {}
    if shared_css is not None:
        stylesheet, fonts = _shared(shared_css)
        sheets = [stylesheet]
        if page_css:
            sheets.append(weasyprint.CSS(string=page_css, font_config=fonts, url_fetcher=fetcher))
        options = {"stylesheets": sheets, "font_config": fonts}
    key = page + (shared_css or "") + (page_css or "")
    identifier = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32].encode("ascii")
    try:  # the wide tables found before laying out: the page is laid out once
        wide, rendered = _single_layout(parsed(page), options)
    except Exception:  # WeasyPrint's internals changed: found on the laid-out page instead
        logging.getLogger(__name__).debug("wide tables not estimated", exc_info=True)
        wide, rendered = {}, parsed(page).render(pdf_tags=True, **options)
    if rendered is None:  # narrowed, or on landscape pages
        rendered = parsed(mark_tables(page, wide)).render(pdf_tags=True, **options)
    missed = {k: v for k, v in overflowing_tables(rendered).items() if k not in wide}
    if missed:  # not foreseen: laid out again (the only way before the estimate)
        wide.update(missed)
        rendered = parsed(mark_tables(page, wide)).render(pdf_tags=True, **options)
    data = rendered.write_pdf(pdf_identifier=identifier, pdf_tags=True)
    assert data is not None
    return data


def _png_stream(data: bytes) -> bytes | None:
    """The compressed pixel data (``IDAT``) of an 8-bit RGB, non-interlaced PNG: exactly what
    a PDF image with ``/FlateDecode`` and a PNG predictor holds. ``None`` for any other PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    depth, colour, _compression, _filter, interlace = data[24:29]
    if (depth, colour, interlace) != (8, 2, 0):
        return None
    chunks = []
    position = 8
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        elif kind == b"IEND":
            break
        position += 12 + length
    return b"".join(chunks) or None


def _embed_png_as_is() -> None:
    """Let WeasyPrint embed an RGB PNG's pixel data as it is.

    WeasyPrint decodes every PNG and encodes its pixels again for the PDF (twice for an RGBA
    image: colour, then alpha as a mask). For an 8-bit RGB PNG — every chart of the reports
    (:func:`iaobs.reports.figures.figure_html`) — the PDF stream is the PNG's own ``IDAT``
    data, so this copies it: the same pixels in the PDF, without decoding and compressing
    about a megapixel per chart (0.05–0.1 s each). Any other image takes WeasyPrint's path.
    """
    from weasyprint import images

    original = images.RasterImage.__dict__["_get_png_data"].__func__
    if getattr(original, "_iaobs", False):
        return

    def get_png_data(pillow_image: Any) -> bytes:
        source = getattr(pillow_image, "fp", None)
        if (
            isinstance(source, io.BytesIO)
            and pillow_image.format == "PNG"
            and pillow_image.mode == "RGB"
        ):
            stream = _png_stream(source.getvalue())
            if stream is not None:
                return stream
        return original(pillow_image)

    get_png_data._iaobs = True  # type: ignore[attr-defined]
    images.RasterImage._get_png_data = staticmethod(get_png_data)


#: A table wider than its page by more than this share goes on a landscape page.
LANDSCAPE_ABOVE = 1.15
FIT_CLASS = "iaobs-fit"
LANDSCAPE_CLASS = "iaobs-landscape"


def overflowing_tables(rendered: Any) -> dict[str, str]:
    """Tables wider than their page's text width in a laid-out document: ``id`` → the class
    that makes them fit (:data:`FIT_CLASS`: smaller type, headings broken anywhere; or
    :data:`LANDSCAPE_CLASS` as well, on a landscape page, when far too wide)."""
    from weasyprint.formatting_structure import boxes

    found: dict[str, str] = {}
    for page in rendered.pages:
        page_box = page._page_box
        if not page_box.children:
            continue
        root = page_box.children[0]
        left, right = root.content_box_x(), root.content_box_x() + root.width
        for box in root.descendants():
            if not isinstance(box, boxes.TableBox) or box.element is None:
                continue
            identifier = box.element.get("id")
            edge = box.position_x + box.margin_width()
            if not identifier or edge <= right + 0.5:
                continue
            ratio = (edge - left) / max(right - left, 1.0)
            wanted = f"{FIT_CLASS} {LANDSCAPE_CLASS}" if ratio > LANDSCAPE_ABOVE else FIT_CLASS
            found[identifier] = wanted
    return found


def _single_layout(html: Any, options: dict[str, Any]) -> tuple[dict[str, str], Any]:
    """``(wide tables, laid-out document or None)``: the page's styles are computed and its
    boxes built once; the wide tables are found from them (:func:`estimated_wide_tables`) and,
    when there is none, the same boxes are laid out (WeasyPrint's ``Document._render`` with the
    estimate between its steps). When there are wide tables the page is not laid out here: its
    styles change with their classes, so the caller prints the marked page."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.css.counters import CounterStyle
    from weasyprint.document import Document, DocumentMetadata, Page
    from weasyprint.formatting_structure.build import build_formatting_structure
    from weasyprint.html import get_html_metadata
    from weasyprint.layout import layout_document
    from weasyprint.text.fonts import FontConfiguration

    settings = {**DEFAULT_OPTIONS, **options, "pdf_tags": True}
    fonts = settings.pop("font_config", None) or FontConfiguration()
    profiles: dict[str, Any] = {}
    counters = CounterStyle()
    context = Document._build_layout_context(html, fonts, counters, profiles, settings)
    root = build_formatting_structure(
        html.etree_element,
        context.style_for,
        context.get_image_from_uri,
        html.base_url,
        context.target_collector,
        counters,
        context.footnotes,
    )
    wide = estimated_wide_tables(html, context, root)
    if wide:
        return wide, None
    pages = layout_document(html, root, context)
    rendered = Document(
        [Page(page_box) for page_box in pages],
        DocumentMetadata(**get_html_metadata(html)),
        html.url_fetcher,
        fonts,
        profiles,
        settings["output_intent"],
    )
    rendered._html = html
    return {}, rendered


def estimated_wide_tables(html: Any, context: Any, root: Any) -> dict[str, str]:
    """The tables :func:`overflowing_tables` would find, from the box tree before layout.

    A table of automatic layout is as wide as its content's minimum width when that is more
    than the width available, and then overflows (CSS 2.1 § 17.5.2.2). Each in-flow block's
    width and left edge are resolved down from the page's content box as block layout does
    (margins, borders, padding, ``width``, ``min-``/``max-width``), and each table's width is
    WeasyPrint's own (``table_wrapper_width``, whose per-table cache the layout then reuses);
    no line is broken and no page made. A table in a float, a positioned box, a flex or grid
    container is not estimated: the laid-out document is checked afterwards for any table
    this missed."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.block import block_level_width
    from weasyprint.layout.page import PageType, page_width, set_page_type_computed_styles
    from weasyprint.layout.percent import resolve_percentages
    from weasyprint.layout.table import table_wrapper_width

    kind = PageType(side="right", blank=False, name="", index=1, groups=())
    set_page_type_computed_styles(kind, html, context.style_for)
    page = boxes.PageBox(kind, context.style_for(kind))
    resolve_percentages(page, page.style["size"])
    page_width(page, context, page.style["size"][0])
    height = page.style["size"][1]
    resolve_percentages(root, (page.width, height))
    block_level_width(root, (page.width, height))
    text_width = max(root.width, 1.0)
    found: dict[str, str] = {}

    def walk(box: Any, left: float, width: float) -> None:
        for child in box.children:
            if (
                not isinstance(child, boxes.BlockBox)
                or child.is_floated()
                or child.is_absolutely_positioned()
            ):
                continue
            resolve_percentages(child, (width, height))
            if child.is_table_wrapper:
                table_wrapper_width(context, child, (width, height))
            block_level_width(child, (width, height))
            if not child.is_table_wrapper:
                inner = left + child.margin_left + child.border_left_width + child.padding_left
                walk(child, inner, child.width)
                continue
            table = child.get_wrapped_table()
            identifier = table.element.get("id") if table.element is not None else None
            edge = left + child.margin_left + table.margin_width()
            if identifier and edge > text_width + 0.5:
                far = edge / text_width > LANDSCAPE_ABOVE
                found[identifier] = f"{FIT_CLASS} {LANDSCAPE_CLASS}" if far else FIT_CLASS

    walk(root, 0.0, root.width)
    return found


#: A table of more rows than this may be cut between rows (it cannot fit on one page).
LONG_ROWS = 30
LONG_CLASS = "iaobs-long"


def long_tables(page: str) -> dict[str, str]:
    """Tables of more than :data:`LONG_ROWS` rows: ``id`` → :data:`LONG_CLASS` (a table kept
    whole that is longer than a page would leave its heading alone on a page)."""
    found = {}
    for match in re.finditer(r"<table\b([^>]*)>(.*?)</table>", page, re.S):
        ident = re.search(r'\bid="([^"]+)"', match.group(1))
        if ident and match.group(2).count("<tr") > LONG_ROWS:
            found[ident.group(1)] = LONG_CLASS
    return found


def mark_tables(page: str, classes: dict[str, str]) -> str:
    """Add ``classes[id]`` to the ``<table id=…>`` elements of ``page``, and to the table's
    block (``div.iaobs-table-block``) when the table opens it."""

    def with_class(tag: str, extra: str) -> str:
        if re.search(r'\bclass="', tag):
            return re.sub(
                r'\bclass="([^"]*)"', lambda m: f'class="{m.group(1)} {extra}"', tag, count=1
            )
        return tag[:-1] + f' class="{extra}">'

    def add(match: re.Match[str]) -> str:
        heading, block, tag = match.group(1) or "", match.group(2) or "", match.group(3)
        ident = re.search(r'\bid="([^"]+)"', tag)
        extra = classes.get(ident.group(1)) if ident else None
        if not extra:
            return match.group(0)
        if heading and LANDSCAPE_CLASS in extra:  # the heading goes on the table's page
            opening = re.match(r"<h[1-6]\b[^>]*>", heading)
            assert opening is not None
            heading = with_class(opening.group(0), LANDSCAPE_CLASS) + heading[opening.end() :]
        return heading + (with_class(block, extra) if block else "") + with_class(tag, extra)

    pattern = (
        r"(<h[2-4]\b[^>]*>(?:(?!</h[2-4]>).)*</h[2-4]>\s*)?"
        r'(<div\b[^>]*class="iaobs-table-block[^"]*"[^>]*>\s*)?(<table\b[^>]*>)'
    )
    return re.sub(pattern, add, page, flags=re.S) if classes else page


def warm_up() -> None:
    """Print a typical report page with the shared report styles, so that WeasyPrint's fonts,
    text layout caches and font subsetting are ready (the report server does it once before
    forking the report processes, which then do not pay it: about 0.05 s per report)."""
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
