"""The frame of every page of the site: head, Content-Security-Policy, navigation, footer.

Pages are self-contained: styles inline, the explorer's script inline and allowed by its hash,
fonts and images as ``data:`` URLs. The policy forbids every other request, so a page opened
from ``file://`` or any static host asks nothing of the network.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from iaobs.core.resources import package_path
from iaobs.core.version import __version__
from iaobs.render.html import page_css

__all__ = ["WORDS", "Page", "asset_text", "csp", "script_json"]

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "home": "Accueil",
        "sectors": "Secteurs",
        "explorer": "Explorateur d'indicateurs",
        "explorer_short": "Explorateur",
        "data": "Données ouvertes",
        "method": "Méthodologie",
        "actors": "Acteurs de l'IA",
        "skip": "Aller au contenu",
        "nav": "Navigation principale",
        "generated": "Page produite le",
        "explorer_intro": (
            "Choisissez un indicateur : sa valeur est présentée pour chaque secteur, taille "
            "d'entreprise et département, avec son intervalle de confiance à 95 %. Les cellules "
            "soumises au secret statistique ou reposant sur trop peu de réponses ne sont pas "
            "diffusées."
        ),
        "search": "Rechercher un indicateur",
        "indicator": "Indicateur",
        "domains": "Découpage",
        "view": "Affichage",
        "chart": "Graphique",
        "table": "Tableau",
        "csv_screen": "Télécharger ces valeurs (CSV)",
        "legend": (
            "Barres : estimation ; traits : intervalle de confiance à 95 %. (*) à interpréter "
            "avec prudence. s : secret statistique ; nd : non diffusé, effectif insuffisant. "
            "▲ / ▼ : significativement au-dessus / au-dessous du reste de la région (5 %)."
        ),
        "waves": "Évolution entre les vagues d'enquête",
        "champ": (
            "Champ : entreprises des secteurs de l'observatoire (région {region}) ayant "
            "répondu à la question."
        ),
        "source": (
            "Source : Observatoire régional de l'IA et des compétences, enquête {wave} ; "
            "calculs de l'observatoire."
        ),
        "noscript": (
            "L'explorateur a besoin de JavaScript ; toutes les valeurs sont aussi dans les "
            "données ouvertes (page « Données ouvertes »)."
        ),
    },
    "en": {
        "home": "Home",
        "sectors": "Sectors",
        "explorer": "Indicator explorer",
        "explorer_short": "Explorer",
        "data": "Open data",
        "method": "Methodology",
        "actors": "AI actors",
        "skip": "Skip to content",
        "nav": "Main navigation",
        "generated": "Page generated on",
        "explorer_intro": (
            "Pick an indicator: its value is shown for every sector, company size and "
            "département, with its 95% confidence interval. Cells under statistical secrecy or "
            "resting on too few answers are not published."
        ),
        "search": "Search an indicator",
        "indicator": "Indicator",
        "domains": "Breakdown",
        "view": "View",
        "chart": "Chart",
        "table": "Table",
        "csv_screen": "Download these values (CSV)",
        "legend": (
            "Bars: estimate; lines: 95% confidence interval. (*) to be read with caution. "
            "s: statistical secrecy; nd: not published, too few answers. ▲ / ▼: significantly "
            "above / below the rest of the region (5%)."
        ),
        "waves": "Change between survey waves",
        "champ": (
            "Scope: companies of the observatory's sectors located in {region} that answered "
            "the question."
        ),
        "source": "Source: regional AI and skills observatory, {wave} survey; own calculations.",
        "noscript": "The explorer needs JavaScript; every value is also in the open data.",
    },
}
ASSETS = package_path("render", "site", "assets")
_BEFORE = re.compile(r" ([;:!?%»])")


def typography(text: str, language: str = "fr") -> str:
    """French spacing: a narrow no-break space before ; : ! ? % » and after «."""
    if language != "fr":
        return text
    return _BEFORE.sub("\u202f\\1", text).replace("« ", "«\u202f")


WORDS["fr"] = {key: typography(value) for key, value in WORDS["fr"].items()}


@cache
def asset_text(name: str) -> str:
    """A file shipped in ``render/site/assets``."""
    return (ASSETS / name).read_text("utf-8")


def script_json(element_id: str, payload: Any) -> str:
    """A ``<script type="application/json">`` element that cannot be closed by its content."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
    return f'<script type="application/json" id="{html.escape(element_id)}">{text}</script>'


def csp(script: str | None) -> str:
    """The policy of a page: nothing from outside; its one inline script allowed by hash."""
    if script is None:
        scripts = "'none'"
    else:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        scripts = f"'sha256-{digest}'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )


@dataclass(frozen=True)
class Page:
    """What every page of one site shares, and where the page sits in it."""

    language: str
    title: str
    region: str
    wave: str
    stamp: str
    depth: int = 0  # 0 at the site's root, 1 in donnees/ or secteurs/
    has_actors: bool = False
    cache_dir: Path | None = None

    def at(self, depth: int) -> Page:
        return Page(**{**self.__dict__, "depth": depth})

    def href(self, path: str) -> str:
        return html.escape("../" * self.depth + path, quote=True)

    def nav(self, current: str) -> str:
        w = WORDS[self.language]
        links = [
            ("home", "index.html", w["home"]),
            ("explorer", "explorer.html", w["explorer_short"]),
            ("data", "donnees/index.html", w["data"]),
            ("method", "methodologie.html", w["method"]),
        ]
        if self.has_actors:
            links.append(("actors", "acteurs-ia/report.html", w["actors"]))
        items = []
        for key, path, label in links:
            mark = ' aria-current="page"' if key == current else ""
            items.append(f'<li><a href="{self.href(path)}"{mark}>{html.escape(label)}</a></li>')
        return (
            f'<nav class="iaobs-nav" aria-label="{html.escape(w["nav"], quote=True)}">'
            f"<ul>{''.join(items)}</ul></nav>"
        )

    def render(self, *, title: str, body: str, current: str, script: str | None = None) -> str:
        """A whole page: ``body`` holds the page's one ``h1``."""
        esc = html.escape
        w = WORDS[self.language]
        css = page_css(language=self.language, cache_dir=self.cache_dir) + asset_text("site.css")
        tail = f"<script>{script}</script>\n" if script is not None else ""
        return f"""<!DOCTYPE html>
<html lang="{self.language}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp(script), quote=False)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="iaobs {esc(__version__, quote=True)}">
<title>{esc(title)} – {esc(self.region)} – {esc(self.wave)}</title>
<style>
{css}
</style>
</head>
<body class="iaobs-site">
<a class="iaobs-skip" href="#iaobs-main">{esc(w["skip"])}</a>
<header class="iaobs-site-header">
<p class="iaobs-site-name">{esc(self.title)} · {esc(self.region)} · {esc(self.wave)}</p>
{self.nav(current)}
</header>
<main id="iaobs-main" class="iaobs-page">
{body}
</main>
<footer class="iaobs-footer"><p>{esc(w["generated"])} {esc(self.stamp)} · iaobs {esc(__version__)}</p></footer>
{tail}</body>
</html>
"""
