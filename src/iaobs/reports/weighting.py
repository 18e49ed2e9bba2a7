"""What the methodology annex says about the weights: the facts of ``weighting.json`` in one
shape, the design variables named in words, and the weighting engine's notes as a reader
sees them (plurals agreeing with their counts, English translations of the known notes).
"""

from __future__ import annotations

import re
from typing import Any

from iaobs.core.text import number_or_none, upper_first
from iaobs.core.typography import plural
from iaobs.reports.counts import excluded_sentence

__all__ = [
    "DESIGN_VARIABLES",
    "design_variable",
    "reader_note",
    "translate_note",
    "weighting_facts",
]

#: design variables named in the methodology annex: name -> (fr, en)
DESIGN_VARIABLES = {
    "secteur": ("secteur", "sector"),
    "taille": ("taille", "size"),
    "departement": ("département", "département"),
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def weighting_facts(ctx: Any) -> dict[str, Any]:
    """The facts of ``weighting.json`` the methodology annex states, in one shape.

    Returns ``strata`` (list of dicts secteur, taille, N, n), ``collapsed`` (phrases),
    ``margins`` (phrases), ``iterations``, ``trim_ratio``, ``trimmed``, ``deff`` and ``n_eff``
    of the report's domain, and ``notes`` (phrases). Keys absent from the file are empty.
    """
    w = ctx.weighting
    strata = []
    for st in _as_list(w.get("strates", w.get("strata"))):
        if isinstance(st, dict) and "secteur" in st and "taille" in st:
            strata.append(
                {
                    "secteur": str(st["secteur"]),
                    "taille": str(st["taille"]),
                    "N": number_or_none(st.get("N_h", st.get("N", st.get("population")))),
                    "n": number_or_none(st.get("n_h", st.get("n", st.get("repondants")))),
                }
            )
    collapsed = []
    for c in _as_list(w.get("regroupements", w.get("collapsed"))):
        if not isinstance(c, dict):
            collapsed.append(str(c))
            continue
        if c.get("type", "strate") != "strate":
            continue
        if "secteur" in c:
            sizes = "+".join(ctx.size_label(t, short=True) for t in _as_list(c.get("taille")))
            into = "+".join(
                ctx.size_label(t, short=True) for t in _as_list(c.get("fusionnee_avec"))
            )
            text = f"{ctx.sector_label(str(c['secteur']))} × {sizes} → {into}"
        else:
            src = str(c.get("from", c.get("stratum", "?"))).replace(";", " × ")
            text = f"{src} → {str(c.get('into', c.get('to', '?'))).replace(';', ' × ')}"
        reason = c.get("raison", c.get("reason"))
        if reason and ctx.language == "en":
            reason = translate_note(str(reason))
        if reason:
            reason = reader_note(str(reason), ctx.language)
        collapsed.append(f"{text} ({reason})" if reason else text)
    raking = w.get("calage", w.get("raking")) or {}
    margins: list[str] = []
    iterations = None
    if isinstance(raking, dict):
        for m in _as_list(raking.get("marges", raking.get("margins"))):
            names = m if isinstance(m, list) else str(m).split(" × ")
            margins.append(" × ".join(design_variable(ctx, str(v).strip()) for v in names))
        iterations = raking.get("iterations")
    trimming = w.get("ecretement", w.get("trimming")) or {}
    trim_ratio = trimmed = None
    if isinstance(trimming, dict) and trimming:
        trim_ratio = number_or_none(trimming.get("ratio"))
        trimmed = trimming.get("poids_ecretes", trimming.get("trimmed", 0))
    deff = neff = None
    for d in _as_list(w.get("domaines")):
        if isinstance(d, dict) and d.get("domain") == ctx.domain:
            deff, neff = number_or_none(d.get("deff")), number_or_none(d.get("n_eff"))
    if deff is None:
        raw_deff, raw_neff = w.get("deff"), w.get("n_eff")
        if isinstance(raw_deff, dict):
            deff = number_or_none(raw_deff.get(ctx.domain))
        elif ctx.domain == "all":
            deff = number_or_none(raw_deff)
        if isinstance(raw_neff, dict):
            neff = number_or_none(raw_neff.get(ctx.domain))
        elif ctx.domain == "all":
            neff = number_or_none(raw_neff)
    notes = [
        str(n)
        for n in _as_list(w.get("notes"))
        if isinstance(n, str) and not _EXCLUDED_NOTE.search(n)  # said in words below
    ]
    if ctx.language == "en":
        notes = [translate_note(n) for n in notes]
    notes = [_sentence(reader_note(n, ctx.language)) for n in notes]
    excluded = excluded_sentence(ctx, _as_list(w.get("hors_champ_secteurs")))
    if excluded:
        notes.append(excluded)
    return {
        "strata": strata,
        "collapsed": collapsed,
        "margins": margins,
        "iterations": iterations,
        "trim_ratio": trim_ratio,
        "trimmed": trimmed,
        "deff": deff,
        "n_eff": neff,
        "notes": notes,
    }


_EXCLUDED_NOTE = re.compile(r"entreprises mais aucun répondant")


def design_variable(ctx: Any, name: str) -> str:
    """A design variable (``secteur``, ``taille``…) named in the report's language."""
    pair = DESIGN_VARIABLES.get(name)
    return (pair[1] if ctx.language == "en" else pair[0]) if pair else name


# Notes of weighting.json are written in French by the weighting engine; an English report
# translates the known ones (pattern -> replacement), and names the rest as they are.
_NOTE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"marge (?P<m>.+?) : (?P<n>\d+) répondant\(s\) sans valeur forment une cellule à part",
        r"margin \g<m>: \g<n> respondent(s) without a value form a cell of their own",
    ),
    (
        r", qui garde son poids de sondage ; les autres cellules suivent la population",
        r", which keeps its design weight; the other cells follow the population",
    ),
    (
        r"marge (?P<m>.+?) non utilisée pour le calage : (?P<n>\d+) répondant\(s\) sur "
        r"(?P<t>\d+) sans valeur",
        r"margin \g<m> not used for raking: \g<n> respondent(s) out of \g<t> without a value",
    ),
    (
        r"(?P<n>\d+) répondant\(s\) de strates exhaustives gardent un poids de 1",
        r"\g<n> respondent(s) of fully surveyed strata keep a weight of 1",
    ),
    (
        r"strate (?P<s>.+?) : un seul répondant après regroupement ; sa contribution à la "
        r"variance est nulle",
        r"stratum \g<s>: a single respondent after merging; its contribution to the variance "
        r"is zero",
    ),
    (
        r"(?P<g>.+?) : (?P<n>[\d\s\u202f]+) entreprises mais aucun répondant ; ce groupe est "
        r"hors du champ des estimations",
        r"\g<g>: \g<n> companies but no respondent; this group is outside the scope of the "
        r"estimates",
    ),
    (r"^aucun répondant : hors du champ des estimations$", "no respondent: out of scope"),
    (r"^aucun répondant$", "no respondent"),
    (r"^un seul répondant$", "a single respondent"),
)


_COUNTED = re.compile(r"(\d[\d\u202f ]*?) (\w+)\((s|x|es)\)")


def _sentence(text: str) -> str:
    """A note as a sentence of the methodology: capital first, full stop last."""
    text = upper_first(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def reader_note(note: str, language: str = "fr") -> str:
    """A note of the weighting engine as a reader sees it: plurals agreeing with their
    counts (``11 répondant(s)`` → ``11 répondants``), design variables named in words."""

    def agree(m: re.Match[str]) -> str:
        count = int(re.sub(r"\D", "", m.group(1)))
        return f"{m.group(1)} {plural(count, m.group(2), m.group(2) + m.group(3), language=language, number=False)}"

    text = _COUNTED.sub(agree, note)
    text = re.sub(r"(\w)\((s|x|es)\)", r"\1\2", text)  # no count: the plural reads best
    for fr, pair in DESIGN_VARIABLES.items():
        word = pair[1] if language == "en" else pair[0]
        text = re.sub(
            rf"\b(marge|margin) {fr}\b",
            rf"\1 « {word} »" if language != "en" else rf"\1 “{word}”",
            text,
        )
    return text


def translate_note(note: str) -> str:
    """A French note of the weighting engine in English (unchanged when unknown)."""
    text = note
    for pattern, replacement in _NOTE_PATTERNS:
        text = re.sub(pattern, replacement, text)
    if text == note:
        return note
    for fr, en in DESIGN_VARIABLES.items():
        text = re.sub(rf"\b{fr}\b", en[1], text)
    return text
