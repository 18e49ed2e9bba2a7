"""French typography of everything a reader sees: one pass over text and over HTML.

The reports write their sentences with ordinary spaces; :func:`typeset` then applies the
rules of French publications in one place, and :func:`typeset_html` applies them to the text
of a piece of HTML (never to tags, attributes other than ``alt``/``title``/``aria-label``,
styles, scripts or embedded images):

* a narrow no-break space (U+202F) before ``;`` ``:`` ``!`` ``?`` ``%`` and ``»``, after
  ``«``, between groups of thousands (``4 999``), in ``n = 149``, ``IC 95 %``, ``p. 12``;
* a true minus sign (U+2212) for negative numbers;
* plurals from counts (:func:`plural`), differences of percentages in points
  (:func:`format_points`).

:func:`typography_faults` is the lint the tests run over every rendered page.

>>> typeset("Lecture : 42 % des entreprises (n = 1 250) ; écart de -3 points.")
'Lecture\u202f: 42\u202f% des entreprises (n\u202f=\u202f1\u202f250)\u202f; écart de \u22123 points.'
>>> plural(1, "fichier"), plural(2, "fichier")
('1 fichier', '2 fichiers')
"""

from __future__ import annotations

import html as _html
import math
import re
from typing import Any

from iaobs.core.text import format_number

__all__ = [
    "MINUS",
    "NNBSP",
    "format_points",
    "plural",
    "typeset",
    "typeset_html",
    "typography_faults",
]

NNBSP = "\u202f"  # narrow no-break space: the one no-break space of the reports
NBSP = "\u00a0"
MINUS = "\u2212"
_SPACES = " \u00a0\u202f\t"

# --------------------------------------------------------------------------------------------
# Plain text

_RULES_FR: tuple[tuple[re.Pattern[str], str], ...] = (
    # any space (or none, after a word) before a high sign becomes a narrow no-break space
    (re.compile(r"[ \u00a0\t]+([;:!?%»])"), NNBSP + r"\1"),
    (re.compile(r"(?<=[\w)\]*])([;!?])(?=\s|$|<)"), NNBSP + r"\1"),
    (re.compile(r"(?<=[^\W\d_])(:)(?=\s|$)"), NNBSP + r"\1"),
    (re.compile(r"(?<=\d)(%)"), NNBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f\t]*"), "«" + NNBSP),
    (re.compile(r"(?<=[\w.!?)])»"), NNBSP + "»"),
    # thousands: "4 999", "1 250 000" (a group of exactly three digits follows)
    (re.compile(r"(?<=\d)[ \u00a0](?=\d{3}(?!\d))"), NNBSP),
    # symbols that must not be cut from their number
    (
        re.compile(r"\b([nN]|n_eff)[ \u00a0]*=[ \u00a0]*(?=[\d\u2212-])"),
        r"\1" + NNBSP + "=" + NNBSP,
    ),
    (re.compile(r"\b(IC|CI)[ \u00a0]+(?=\d)"), r"\1" + NNBSP),
    (re.compile(r"\b(p\.|n°|Tableau|Figure)[ \u00a0]+(?=\d)"), r"\1" + NNBSP),
    (re.compile(r"(?<=\d)[ \u00a0]+(?=(?:points?|pts|salariés|ans|mois|h)\b)"), NNBSP),
)
_MINUS = re.compile(r"(?<![\w\-\u2212.,/])-(?=\d)")


def typeset(text: str, language: str = "fr") -> str:
    """Apply the typography of ``language`` to a plain-text string (idempotent).

    English text only gets the true minus sign.
    """
    if not text:
        return text
    text = _MINUS.sub(MINUS, text)
    if language == "en":
        return text
    for pattern, replacement in _RULES_FR:
        text = pattern.sub(replacement, text)
    return text


# --------------------------------------------------------------------------------------------
# HTML

_SKIP = re.compile(r"<(style|script|code|pre)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_ATTR = re.compile(r"""(\b(?:alt|title|aria-label)=)(["'])(.*?)\2""", re.S)


def _typeset_text(text: str, language: str, *, quote: bool = True) -> str:
    # entities are decoded first (the ";" of "&quot;" is no semicolon), then escaped again
    if not text.strip():
        return text
    return _html.escape(typeset(_html.unescape(text), language), quote=quote)


def _typeset_tag(tag: str, language: str) -> str:
    if "=" not in tag or tag.startswith(("</", "<!")):
        return tag

    def one(m: re.Match[str]) -> str:
        return (
            m.group(1) + m.group(2) + _typeset_text(m.group(3), language, quote=True) + m.group(2)
        )

    return _ATTR.sub(one, tag)


def _typeset_fragment(fragment: str, language: str) -> str:
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(fragment):
        out.append(_typeset_text(fragment[position : match.start()], language))
        out.append(_typeset_tag(match.group(0), language))
        position = match.end()
    out.append(_typeset_text(fragment[position:], language))
    return "".join(out)


def typeset_html(html: str, language: str = "fr") -> str:
    """Apply :func:`typeset` to the text of an HTML fragment or page.

    Tags are kept as they are except their ``alt``, ``title`` and ``aria-label`` values;
    ``<style>``, ``<script>``, ``<code>`` and ``<pre>`` are left untouched.
    """
    out: list[str] = []
    position = 0
    for match in _SKIP.finditer(html):
        out.append(_typeset_fragment(html[position : match.start()], language))
        out.append(match.group(0))
        position = match.end()
    out.append(_typeset_fragment(html[position:], language))
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Words from numbers

_IRREGULAR = {
    "tableau": "tableaux",
    "réseau": "réseaux",
    "niveau": "niveaux",
    "bureau": "bureaux",
    "travail": "travaux",
    "principal": "principaux",
    "régional": "régionaux",
}


def _plural_form(word: str, language: str) -> str:
    if language == "en":
        if word.endswith("y") and word[-2:-1] not in "aeiou":
            return word[:-1] + "ies"
        return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


def plural(
    count: Any,
    singular: str,
    plural_form: str | None = None,
    *,
    language: str = "fr",
    number: bool = True,
) -> str:
    """``count`` followed by the word agreeing with it: ``1 fichier``, ``2 fichiers``.

    French uses the singular for 0 and 1 (``0 réponse``), English only for 1. Multi-word
    phrases give their plural explicitly (``plural(n, "ligne rejetée", "lignes rejetées")``).
    ``number=False`` returns the word alone.
    """
    value = float(count) if count is not None else 0.0
    one = abs(value) < 2 if language != "en" else value == 1
    if one:
        word = singular
    elif plural_form is not None:
        word = plural_form
    else:
        word = " ".join(_plural_form(w, language) for w in singular.split(" "))
    if not number:
        return word
    return f"{format_number(count, language=language)} {word}"


def format_points(
    difference: Any, *, language: str = "fr", decimals: int = 0, unit: bool = True
) -> str:
    """A difference of two proportions (0–1 scale) in points: ``+3 points``, ``−1 point``;
    without ``unit``, the signed number alone (``+3``: a table cell under « Points »).

    ``0`` is written without sign.
    """
    if difference is None or (isinstance(difference, float) and math.isnan(difference)):
        return "–"
    factor = 10**decimals
    value = math.floor(abs(float(difference)) * 100 * factor + 0.5 + 1e-9) / factor
    sign = "" if value == 0 else ("+" if float(difference) > 0 else MINUS)
    if language == "en":
        number = f"{sign}{value:.{decimals}f}"
        return f"{number} {'point' if value == 1 else 'points'}" if unit else number
    number = sign + f"{value:.{decimals}f}".replace(".", ",")
    return f"{number}{NNBSP}{'point' if value < 2 else 'points'}" if unit else number


# --------------------------------------------------------------------------------------------
# The lint

_FAULTS_FR: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("espace sécable avant un signe double", re.compile(r"[ \u00a0\t][;:!?%»]")),
    ("signe double collé au mot", re.compile(r"[^\W\d_][;!?](?=\s|$)")),
    ("pourcentage collé au nombre", re.compile(r"\d%")),
    ("guillemet ouvrant sans espace insécable", re.compile(r"«(?!\u202f)")),
    ("guillemet fermant sans espace insécable", re.compile(r"(?<!\u202f)»")),
    ("séparateur de milliers sécable", re.compile(r"\d[ \u00a0]\d{3}(?!\d)")),
    ("« n = » sécable", re.compile(r"\bn[ \u00a0]=|\bn\u202f=[ \u00a0]")),
    ("trait d'union pour un signe moins", re.compile(r"(?<![\w\-.,/])-\d")),
    ("pluriel entre parenthèses", re.compile(r"\w\((?:s|x|es)\)")),
    ("« points de % »", re.compile(r"points? de\s*%")),
    ("code interne", re.compile(r"(?<![\w./-])[a-z]+_[a-z_]+\b(?![.\w/-])")),
    ("empreinte", re.compile(r"\b[0-9a-f]{16,}\b")),
)


def typography_faults(html: str, language: str = "fr") -> list[tuple[str, str]]:
    """The typography faults of a rendered page: ``(rule, excerpt)`` pairs, ``[]`` when clean.

    Only the text a reader sees is checked (tags, styles, scripts, code and embedded images
    are skipped; ``alt`` texts are checked).
    """
    if language == "en":
        return []
    found: list[tuple[str, str]] = []
    body = _SKIP.sub(" ", html)
    texts = [t for t in _TAG.split(body) if t.strip()]
    texts += [m.group(3) for m in _ATTR.finditer(body)]
    for raw in texts:
        text = _html.unescape(raw)
        for rule, pattern in _FAULTS_FR:
            for match in pattern.finditer(text):
                start = max(match.start() - 25, 0)
                found.append((rule, text[start : match.end() + 25]))
    return found
