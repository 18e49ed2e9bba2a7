"""The HTML pieces every block of a report is made of: the :class:`Html` string and escaping.

Every block of a report is an :class:`Html` string: ``display(block)`` shows it as HTML in a
notebook, and every piece of text coming from data or from ``study.toml`` is escaped with
:func:`esc`.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

from iaobs.core.typography import typeset_html

__all__ = ["Html", "esc", "paragraph"]


class Html(str):
    """A piece of HTML: a ``str`` that notebooks display as HTML (and not as its source).

    What a notebook displays goes through :func:`iaobs.core.typography.typeset_html` in the
    report's language (set by the report's context: one report per process), so that every
    block of every report follows the same typography.
    """

    language: ClassVar[str] = "fr"

    def _repr_html_(self) -> str:
        return typeset_html(str(self), Html.language)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"<HTML, {len(self)} caractères>")


def esc(value: Any) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape(str(value), quote=True)


def paragraph(text: str) -> str:
    """A ``<p>`` of plain text, escaped."""
    return f"<p>{esc(text)}</p>"
