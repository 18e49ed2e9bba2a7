"""Executed notebook → self-contained HTML page (no code, no prompt, no script).

The page is built by nbconvert's :class:`~nbconvert.HTMLExporter` with the ``iaobs`` template
of ``templates/`` (extends ``basic``; input cells and prompts excluded). Everything is inline:
charts are already ``data:`` URIs, the page style (``assets/page.css``) and the report
components' style (``iaobs/assets/components.css``) are inlined, and the Open Sans font is
subset to Latin and French punctuation and embedded as base64 WOFF2 (system fonts are the
fall-back when Open Sans is not installed). A table of contents built from the ``h2``/``h3``
headings follows the cover. No ``<script>`` survives: the template renders no JavaScript
output, and :func:`strip_scripts` removes any that a notebook output would carry.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_text
from iaobs.core.resources import package_path
from iaobs.core.version import __version__

__all__ = [
    "FONT_DIRS",
    "Heading",
    "css_string",
    "export_html",
    "extract_headings",
    "font_css",
    "insert_after_cover",
    "page_css",
    "page_rule",
    "print_font_css",
    "print_page",
    "print_styles",
    "split_styles",
    "strip_scripts",
    "toc_html",
]

TEMPLATES = package_path("render", "templates")
ASSETS = package_path("render", "assets")
COMPONENTS_CSS = package_path("assets", "components.css")
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/open-sans"),
    Path("/usr/share/fonts/opentype/open-sans"),
    Path("/usr/share/fonts/open-sans"),
)
# (file stem, CSS weight, CSS style)
FONT_FACES = (
    ("OpenSans-Regular", 400, "normal"),
    ("OpenSans-Italic", 400, "italic"),
    ("OpenSans-Semibold", 600, "normal"),
    ("OpenSans-Bold", 700, "normal"),
)
# Basic Latin, Latin-1, Latin Extended-A (œ, Œ, Ÿ…) and the typography of French text:
# quotes « » ‘ ’ “ ”, dashes, ellipsis, no-break and narrow no-break spaces, €, ≤ ≥ × − →.
FONT_UNICODES = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + [0x2009, 0x2010, 0x2011, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022]
    + [0x2026, 0x202F, 0x20AC, 0x2122, 0x2192, 0x2212, 0x2248, 0x2264, 0x2265, 0x25CF]
)

LABELS = {
    "fr": {"toc": "Sommaire", "skip": "Aller au contenu", "page": "page"},
    "en": {"toc": "Contents", "skip": "Skip to content", "page": "page"},
}


# --------------------------------------------------------------------------------------------
# Fonts and styles


def _font_files() -> list[tuple[Path, int, str]]:
    for folder in FONT_DIRS:
        faces = [(folder / f"{stem}.ttf", w, s) for stem, w, s in FONT_FACES]
        if faces[0][0].is_file():
            return [face for face in faces if face[0].is_file()]
    return []


def _subset_woff2(path: Path) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "lnum", "tnum", "onum", "case"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=FONT_UNICODES)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    return buffer.getvalue()


@cache
def _font_css_uncached_key() -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p, _, _ in _font_files())


@cache
def font_css(cache_dir: Path | None = None) -> str:
    """``@font-face`` rules embedding subset Open Sans as base64 WOFF2 (empty without fonts).

    The result is kept in ``cache_dir`` (keyed by the font files) so that it is computed once.
    Fonts that cannot be subset (fontTools or Brotli missing) leave the system fonts in use.
    """
    faces = _font_files()
    if not faces:
        return ""
    key = hashlib.sha256(repr((_font_css_uncached_key(), FONT_UNICODES)).encode()).hexdigest()
    cached = cache_dir / f"fonts-{key[:16]}.css" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return cached.read_text("utf-8")
    rules = []
    try:
        for path, weight, style in faces:
            data = base64.b64encode(_subset_woff2(path)).decode("ascii")
            rules.append(
                f'@font-face {{ font-family: "Open Sans"; font-weight: {weight}; '
                f"font-style: {style}; font-display: swap; "
                f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}'
            )
    except Exception:
        return ""
    text = "\n".join(rules)
    if cached is not None:
        write_text(cached, text)
    return text


def print_font_css() -> str:
    """``@font-face`` rules pointing at the installed Open Sans TTF files (``file://``).

    For WeasyPrint only: it reads a TTF file directly, where the page's base64 WOFF2 fonts
    cost it a WOFF2 decompression per face and per report (a third of the printing time of a
    short report). The PDF embeds the same subset glyphs either way.
    """
    return "\n".join(
        f'@font-face {{ font-family: "Open Sans"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{path.as_uri()}") format("truetype"); }}'
        for path, weight, style in _font_files()
    )


def print_page(page: str, cache_dir: Path | None = None) -> str:
    """The page to print: :func:`export_html`'s page with the embedded fonts replaced by
    :func:`print_font_css` (the page itself is unchanged when no font is embedded)."""
    embedded = font_css(cache_dir)
    if not embedded or embedded not in page:
        return page
    return page.replace(embedded, print_font_css(), 1)


def css_string(value: str) -> str:
    """A CSS string literal for ``value``: quotes, backslashes and ``<`` escaped."""
    out = []
    for ch in str(value):
        if ch in '"\\' or ord(ch) < 0x20 or ch in "<>&" or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_css(
    *,
    header: str = "",
    footer: str = "",
    language: str = "fr",
    cache_dir: Path | None = None,
) -> str:
    """The full inline stylesheet: fonts, page layout, components, running header and footer."""
    parts = [font_css(cache_dir), _style_sheets(), page_rule(header, footer, language)]
    return _inline("\n".join(parts))


def _inline(css: str) -> str:
    # A stylesheet inlined in <style> must not be able to close the element.
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _style_sheets() -> str:
    parts = [(ASSETS / "page.css").read_text("utf-8")]
    if COMPONENTS_CSS.is_file():
        parts.append(COMPONENTS_CSS.read_text("utf-8"))
    return "\n".join(parts)


def page_rule(header: str = "", footer: str = "", language: str = "fr") -> str:
    """The ``@page`` rule of one report: running header, footer and page numbers."""
    page_word = LABELS.get(language, LABELS["fr"])["page"]
    top, bottom, word = css_string(header), css_string(footer), css_string(page_word + " ")
    return (
        f"@page {{ @top-left {{ content: {top}; }} @bottom-left {{ content: {bottom}; }} "
        f'@bottom-right {{ content: {word} counter(page) " / " counter(pages); }} }}'
    )


def print_styles() -> str:
    """The stylesheet every printed report shares (installed TTF fonts, page and components
    styles): WeasyPrint parses it, and loads its fonts, once per process."""
    return "\n".join([print_font_css(), _style_sheets()])


def split_styles(
    page: str,
    *,
    header: str = "",
    footer: str = "",
    language: str = "fr",
    cache_dir: Path | None = None,
) -> tuple[str, str] | None:
    """``(page without its inline stylesheet, its @page rule)`` for printing with
    :func:`print_styles`, or ``None`` when the page does not hold the expected stylesheet."""
    block = (
        "<style>\n"
        + page_css(header=header, footer=footer, language=language, cache_dir=cache_dir)
        + "\n</style>"
    )
    if block not in page:
        return None
    return page.replace(block, "", 1), _inline(page_rule(header, footer, language))


# --------------------------------------------------------------------------------------------
# Headings and table of contents


@dataclass(frozen=True)
class Heading:
    """A heading of the report: level (2 or 3), its ``id`` and its text."""

    level: int
    id: str
    text: str


class _HeadingParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[Heading] = []
        self._current: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0  # depth inside elements whose headings are not listed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in ("section", "nav", "div", "aside") and self._skip:
            self._skip += 1
        elif tag in ("section", "nav") and ("iaobs-cover" in classes or "iaobs-toc" in classes):
            self._skip = 1
        if tag in ("h2", "h3") and not self._skip and attributes.get("id"):
            self._current = (int(tag[1]), str(attributes["id"]))
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("section", "nav", "div", "aside") and self._skip:
            self._skip -= 1
        if self._current and tag == f"h{self._current[0]}":
            text = " ".join("".join(self._text).split())
            if text:
                self.headings.append(Heading(self._current[0], self._current[1], text))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current:
            self._text.append(data)


def extract_headings(page: str) -> list[Heading]:
    """The ``h2``/``h3`` headings that carry an ``id``, outside the cover, in order."""
    parser = _HeadingParser()
    parser.feed(page)
    parser.close()
    return parser.headings


def toc_html(headings: list[Heading], language: str = "fr") -> str:
    """A nested ``<nav>`` list of links to the headings; every text is escaped."""
    if not headings:
        return ""
    title = LABELS.get(language, LABELS["fr"])["toc"]
    out = [
        '<nav class="iaobs-toc" aria-labelledby="iaobs-toc-title">',
        f'<h2 class="iaobs-toc-title" id="iaobs-toc-title">{html.escape(title)}</h2>',
        "<ol>",
    ]
    open_sub = False
    started = False
    for heading in headings:
        link = f'<a href="#{html.escape(heading.id, quote=True)}">{html.escape(heading.text)}</a>'
        if heading.level == 3 and started:
            if not open_sub:
                out.append("<ol>")
                open_sub = True
            out.append(f'<li class="iaobs-toc-h3">{link}</li>')
            continue
        if open_sub:
            out.append("</ol>")
            open_sub = False
        if started:
            out.append("</li>")
        out.append(f'<li class="iaobs-toc-h2">{link}')
        started = True
    if open_sub:
        out.append("</ol>")
    if started:
        out.append("</li>")
    out.append("</ol></nav>")
    return "\n".join(out)


class _CoverEnd(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.end: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.end is not None or tag != "section":
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif "iaobs-cover" in classes:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.end is None and tag == "section" and self.depth:
            self.depth -= 1
            if not self.depth:
                self.end = self.getpos()


def insert_after_cover(page: str, fragment: str) -> str:
    """Insert ``fragment`` right after the cover section (or at the top of ``<main>``)."""
    if not fragment:
        return page
    parser = _CoverEnd()
    parser.feed(page)
    if parser.end is not None:
        line, col = parser.end
        offsets = [0]
        for text_line in page.splitlines(keepends=True):
            offsets.append(offsets[-1] + len(text_line))
        start = offsets[line - 1] + col
        close = page.find(">", start) + 1
        return page[:close] + "\n" + fragment + page[close:]
    match = re.search(r"<main\b[^>]*>", page)
    if match:
        return page[: match.end()] + "\n" + fragment + page[match.end() :]
    return fragment + page


_SCRIPT = re.compile(r"<script\b.*?(?:</script\s*>|$)", re.IGNORECASE | re.DOTALL)
_EVENT_ATTR = re.compile(r"""\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_JS_URL = re.compile(r"""(href|src)\s*=\s*(["'])\s*javascript:[^"']*\2""", re.IGNORECASE)


def strip_scripts(page: str) -> str:
    """Remove ``<script>`` elements, ``on…=`` event attributes and ``javascript:`` links."""
    page = _SCRIPT.sub("", page)
    tag_with_event = re.compile(r"(<[a-zA-Z][^<>]*?)" + _EVENT_ATTR.pattern, re.IGNORECASE)
    for _ in range(50):
        page, count = tag_with_event.subn(r"\1", page)
        if not count:
            break
    return _JS_URL.sub(r"\1=\2#\2", page)


# --------------------------------------------------------------------------------------------
# Export


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell", "hide"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    return HTMLExporter(
        config=config,
        template_name="iaobs",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        sanitize_html=False,
        embed_images=True,
    )


def export_html(
    notebook: Any,
    *,
    title: str,
    language: str = "fr",
    header: str = "",
    footer: str = "",
    author: str = "",
    description: str = "",
    date: str = "",
    cache_dir: Path | None = None,
) -> str:
    """Convert an executed notebook to the self-contained report page.

    Parameters
    ----------
    notebook
        The executed :class:`nbformat.NotebookNode`.
    title
        ``<title>`` of the page (escaped).
    language
        ``fr`` or ``en``: ``<html lang>`` and the labels of the page.
    header, footer
        Running header and footer of the printed pages (observatory · report; wave · region).
    author, description, date
        Page metadata (``date`` as ISO 8601).
    cache_dir
        Where the subset fonts are cached.

    Returns
    -------
    str
        The page, with no ``<script>`` and no reference to another host.
    """
    labels = LABELS.get(language, LABELS["fr"])
    resources: Mapping[str, Any] = {
        "iaobs": {
            "lang": language if language in LABELS else "fr",
            "title": title,
            "author": author,
            "description": description,
            "date": date,
            "version": __version__,
            "skip_label": labels["skip"],
            "css": page_css(header=header, footer=footer, language=language, cache_dir=cache_dir),
        }
    }
    body, _ = _exporter().from_notebook_node(notebook, resources=dict(resources))
    body = strip_scripts(body)
    toc = toc_html(extract_headings(body), language)
    return insert_after_cover(body, toc)
