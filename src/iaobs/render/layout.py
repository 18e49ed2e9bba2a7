"""Layout rules checked on a printed report: what a reader sees on each page of the PDF.

The print stylesheet asks WeasyPrint to keep headings and captions with what follows and not
to cut figures or tables; this module checks that the PDF it made obeys, reading the words of
each page and their boxes with poppler's ``pdftotext -bbox-layout`` (``poppler-utils``). The
rules:

* ``titre-seul`` — a page whose body holds only headings or captions;
* ``titre-en-bas`` — a heading or a caption (``Figure 3 – …``, ``Tableau 2 – …``) as the last
  thing of a page's body: separated from what it introduces;
* ``coupe`` — a word beyond the right or left margin of the body: a table wider than the page,
  a column cut at the margin;
* ``chevauchement`` — two words of the page drawn over each other (column headers of a table
  too narrow).

Headings are recognised by their text (``headings``: the page's ``h1``–``h4`` as
:func:`iaobs.render.html.extract_headings` reads them); captions by their number.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from iaobs.errors import ReportError

__all__ = [
    "LayoutProblem",
    "Line",
    "Page",
    "check_layout",
    "check_report",
    "page_titles",
    "read_layout",
]

MM = 72 / 25.4
#: The report pages' margins (top, right, bottom, left) in mm, as ``assets/page.css`` sets them.
MARGINS_MM = (22.0, 18.0, 20.0, 18.0)
TOLERANCE_PT = 3.0
CAPTION = re.compile(r"^(figure|tableau|table|carte|graphique|encadré)\s+\d+\s*[–—-]", re.I)
RULES = {
    "titre-seul": "page qui ne contient qu'un titre",
    "titre-en-bas": "titre ou légende séparé de ce qu'il annonce, en bas de page",
    "coupe": "texte au-delà de la marge (tableau trop large, colonne coupée)",
    "chevauchement": "textes superposés",
}


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Line:
    """One line of text of a page and its box (points, origin at the top left)."""

    x0: float
    y0: float
    x1: float
    y1: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class LayoutProblem:
    """A layout rule broken on one page of a PDF."""

    page: int
    rule: str
    text: str

    def describe(self) -> str:
        return f"page {self.page} : {RULES.get(self.rule, self.rule)} — « {self.text[:80]} »"


class _BboxParser(HTMLParser):
    """The pages, lines and words of ``pdftotext -bbox-layout`` output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[Page] = []
        self._words: list[Word] = []
        self._box: dict[str, float] | None = None
        self._word: dict[str, float] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: float(v) for k, v in attrs if v is not None and _is_number(v)}
        if tag == "page":
            self.pages.append(
                Page(len(self.pages) + 1, values.get("width", 0.0), values.get("height", 0.0))
            )
        elif tag == "line":
            self._box, self._words = values, []
        elif tag == "word":
            self._word, self._text = values, []

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "word" and self._word is not None:
            b = self._word
            text = "".join(self._text).strip()
            if text:
                self._words.append(Word(b["xmin"], b["ymin"], b["xmax"], b["ymax"], text))
            self._word = None
        elif tag == "line" and self._box is not None and self.pages:
            b = self._box
            if self._words:
                self.pages[-1].lines.append(
                    Line(b["xmin"], b["ymin"], b["xmax"], b["ymax"], tuple(self._words))
                )
            self._box = None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_layout(pdf: str | Path) -> list[Page]:
    """The pages of ``pdf`` with their lines of text and boxes (``pdftotext -bbox-layout``)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise ReportError(
            "pdftotext introuvable : la mise en page des PDF ne peut pas être vérifiée",
            hint="installez le paquet poppler-utils",
        )
    done = subprocess.run(
        [tool, "-bbox-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ReportError(f"PDF illisible « {pdf} » ({message})")
    parser = _BboxParser()
    parser.feed(done.stdout.decode("utf-8", "replace"))
    parser.close()
    return parser.pages


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return " ".join(text.split()).casefold()


class _Titles:
    """Recognises the lines of a page that are (part of) a heading or a caption."""

    def __init__(self, headings: Iterable[str]) -> None:
        self.headings = {_norm(h) for h in headings if _norm(h)}

    def __call__(self, line: Line) -> bool:
        text = _norm(line.text)
        if not text:
            return False
        if CAPTION.match(text):
            return True
        if text in self.headings:
            return True
        if len(text) < 12:
            return False
        return any(h.startswith(text) or h.endswith(text) for h in self.headings)


def _body(page: Page, margins_mm: Sequence[float]) -> list[Line]:
    """The lines between the top and bottom margins (running header and footer excluded)."""
    top, _, bottom, _ = (m * MM for m in margins_mm)
    low, high = top - TOLERANCE_PT, page.height - bottom + TOLERANCE_PT
    return [ln for ln in page.lines if ln.y0 >= low and ln.y1 <= high]


def _overflow(page: Page, lines: Sequence[Line], margins_mm: Sequence[float]) -> list[str]:
    _, right, _, left = (m * MM for m in margins_mm)
    limit_right = page.width - right + TOLERANCE_PT
    limit_left = left - TOLERANCE_PT
    out = []
    for line in lines:
        cut = [w.text for w in line.words if w.x1 > limit_right or w.x0 < limit_left]
        if cut:
            out.append(" ".join(cut))
    return out


def _overlaps(lines: Sequence[Line]) -> list[str]:
    """Words whose boxes cross (a sweep over their left edges)."""
    words = sorted((w for ln in lines for w in ln.words), key=lambda w: w.x0)
    found = []
    for i, word in enumerate(words):
        for other in words[i + 1 :]:
            if other.x0 >= word.x1 - 1.0:
                break
            high = min(word.y1, other.y1) - max(word.y0, other.y0)
            if high > 0.5 * min(word.y1 - word.y0, other.y1 - other.y0):
                found.append(f"{word.text} / {other.text}")
    return found


def check_layout(
    pages: Sequence[Page],
    headings: Iterable[str] = (),
    *,
    margins_mm: Sequence[float] = MARGINS_MM,
    cover: bool = True,
) -> list[LayoutProblem]:
    """The layout rules broken in ``pages`` (see the module's documentation).

    ``cover``: the first page is a cover (its own margins, no rule but the margins').
    """
    is_title = _Titles(headings)
    problems: list[LayoutProblem] = []
    for page in pages:
        if cover and page.number == 1:
            continue
        lines = sorted(_body(page, margins_mm), key=lambda ln: (ln.y0, ln.x0))
        cut = _overflow(page, lines, margins_mm)
        if cut:
            problems.append(LayoutProblem(page.number, "coupe", " ; ".join(cut[:6])))
        crossed = _overlaps(lines)
        if crossed:
            problems.append(LayoutProblem(page.number, "chevauchement", " ; ".join(crossed[:6])))
        if not lines:
            continue
        titles = [is_title(ln) for ln in lines]
        if all(titles):
            problems.append(LayoutProblem(page.number, "titre-seul", lines[0].text))
        elif titles[-1] and page.number != len(pages):
            problems.append(LayoutProblem(page.number, "titre-en-bas", lines[-1].text))
    return problems


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "caption", "figcaption"):
            self._depth += 1
            self._parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "caption", "figcaption") and self._depth:
            self._depth -= 1
            self.texts.append("".join(self._parts))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._parts.append(data)


def page_titles(page_html: str) -> list[str]:
    """The headings and captions of an HTML report page."""
    parser = _Headings()
    parser.feed(page_html)
    parser.close()
    return [t for t in parser.texts if t.strip()]


def check_report(folder: str | Path) -> list[LayoutProblem]:
    """Check ``report.pdf`` of a report folder, its headings read from ``report.html``."""
    folder = Path(folder)
    html_path = folder / "report.html"
    titles = page_titles(html_path.read_text("utf-8")) if html_path.is_file() else []
    return check_layout(read_layout(folder / "report.pdf"), titles)
