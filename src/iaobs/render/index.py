"""The observatory's landing page of a wave: ``reports/<wave>/index.html``.

One card per report with its key figures and relative links to the HTML, PDF and Excel
outputs; the study's title, region and wave; the generation date (``SOURCE_DATE_EPOCH`` when
set). Same look as the reports, self-contained, no script. Every text is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_text
from iaobs.core.text import format_number, format_percent
from iaobs.core.version import __version__
from iaobs.render.html import page_css

__all__ = ["IndexCard", "cards_html", "index_html", "write_index"]

MAX_FIGURES = 3
WORDS = {
    "fr": {
        "reports": "Rapports de l'enquête",
        "wave": "Enquête",
        "generated": "Page produite le",
        "html": "Lire en ligne",
        "pdf": "PDF",
        "xlsx": "Tableaux Excel",
        "csv": "Données (CSV)",
        "codebook": "Dictionnaire des codes (CSV)",
        "annuaire": "Annuaire (CSV)",
        "datapackage": "Paquet de données",
        "failed": "Rapport non produit lors de la dernière exécution",
        "none": "Aucun rapport n'a encore été produit.",
        "intro": (
            "Chaque rapport présente des estimations pondérées avec leur intervalle de confiance "
            "à 95 % ; les cellules reposant sur trop peu de réponses ne sont pas diffusées."
        ),
        "secteur": "Rapport sectoriel",
        "synthese": "Synthèse",
        "qualite": "Qualité des données",
        "formation": "Évaluation",
        "acteurs": "Acteurs de l'IA",
        "entreprise": "Diffusion restreinte",
        "companies_title": "Rapports individuels des entreprises volontaires",
        "companies_count": "{n} rapport « Votre entreprise face à son secteur » produit|{n} rapports « Votre entreprise face à son secteur » produits",
        "companies_failed": "{n} rapport d'entreprise en échec lors de la dernière exécution|{n} rapports d'entreprise en échec lors de la dernière exécution",
        "companies_note": (
            "Chaque rapport est adressé à l'entreprise concernée et n'est pas publié ; la liste "
            "des rapports est réservée à l'équipe de l'observatoire."
        ),
        "skip": "Aller au contenu",
        "kf": "Chiffres clés",
    },
    "en": {
        "reports": "Survey reports",
        "wave": "Survey",
        "generated": "Page generated on",
        "html": "Read online",
        "pdf": "PDF",
        "xlsx": "Excel tables",
        "csv": "Data (CSV)",
        "codebook": "Codebook (CSV)",
        "annuaire": "Directory (CSV)",
        "datapackage": "Data package",
        "failed": "Report not produced by the last run",
        "none": "No report has been produced yet.",
        "intro": (
            "Each report presents weighted estimates with their 95% confidence interval; cells "
            "resting on too few answers are not published."
        ),
        "secteur": "Sector report",
        "synthese": "Overview",
        "qualite": "Data quality",
        "formation": "Evaluation",
        "acteurs": "AI actors",
        "entreprise": "Restricted",
        "companies_title": "Individual reports for volunteer companies",
        "companies_count": "{n} “Your company and its sector” report produced|{n} “Your company and its sector” reports produced",
        "companies_failed": "{n} company report failed in the last run|{n} company reports failed in the last run",
        "companies_note": (
            "Each report is sent to the company concerned and is not published; the list of "
            "reports is kept by the observatory's staff."
        ),
        "skip": "Skip to content",
        "kf": "Key figures",
    },
}
FILES = (
    ("html", "report.html"),
    ("pdf", "report.pdf"),
    ("xlsx", "tables.xlsx"),
    ("csv", "indicators.csv"),
    ("codebook", "codebook.csv"),
    ("annuaire", "annuaire.csv"),
    ("datapackage", "datapackage.json"),
)


@dataclass
class IndexCard:
    """One report on the index page."""

    slug: str
    title: str
    kind: str
    key_figures: Sequence[Mapping[str, Any]] = field(default_factory=list)
    failed: str | None = None


def _figure(record: Mapping[str, Any], language: str) -> str:
    sentence = html.escape(str(record.get("sentence") or ""))
    value = record.get("value")
    flag = str(record.get("flag") or "")
    if isinstance(value, int | float) and flag not in ("s", "nd"):
        big = format_percent(value, language=language)
        return f"<li><strong>{html.escape(big)}</strong>{sentence}</li>"
    return f"<li>{sentence}</li>"


def _counted(pattern: str, n: int, language: str) -> str:
    """``singular|plural`` pattern of :data:`WORDS` agreed with ``n`` (French: 0 and 1 singular)."""
    one, many = pattern.split("|")
    plural = n > 1 if language == "fr" else n != 1
    return (many if plural else one).format(n=format_number(n, language=language))


def _companies_card(companies: Sequence[IndexCard], words: Mapping[str, str], language: str) -> str:
    """One card for all company reports: counts only, no identifier and no link."""
    esc = html.escape
    produced = sum(1 for c in companies if not c.failed)
    failed = len(companies) - produced
    lines = [
        '<li class="iaobs-card" id="rapports-entreprises">',
        f'<p class="iaobs-meta">{esc(words["entreprise"])}</p>',
        f"<h2>{esc(words['companies_title'])}</h2>",
        f"<p>{esc(_counted(words['companies_count'], produced, language))}</p>",
    ]
    if failed:
        lines.append(
            f'<p class="iaobs-status">{esc(_counted(words["companies_failed"], failed, language))}</p>'
        )
    lines.append(f'<p class="iaobs-meta">{esc(words["companies_note"])}</p>')
    lines.append("</li>")
    return "\n".join(lines)


def cards_html(cards: Sequence[IndexCard], reports_dir: Path, *, language: str = "fr") -> str:
    """The list of reports (one card each); links only point at files that exist."""
    words = WORDS.get(language, WORDS["fr"])
    esc = html.escape
    items = []
    companies = [card for card in cards if card.kind == "entreprise"]
    cards = [card for card in cards if card.kind != "entreprise"]
    for card in cards:
        folder = reports_dir / card.slug
        classes = "iaobs-card iaobs-failed" if card.failed else "iaobs-card"
        parts = [
            f'<li class="{classes}" id="rapport-{esc(card.slug, quote=True)}">',
            f'<p class="iaobs-meta">{esc(words.get(card.kind, ""))}</p>',
            f"<h2>{esc(card.title)}</h2>",
        ]
        if card.failed:
            parts.append(f'<p class="iaobs-status">{esc(words["failed"])} : {esc(card.failed)}</p>')
        figures = [f for f in card.key_figures if f.get("sentence")][:MAX_FIGURES]
        if figures and not card.failed:
            parts.append(f'<ul class="iaobs-kf" aria-label="{esc(words["kf"], quote=True)}">')
            parts.extend(_figure(f, language) for f in figures)
            parts.append("</ul>")
        links = [
            f'<a href="{esc(card.slug, quote=True)}/{name}">{esc(words[fmt])}</a>'
            for fmt, name in FILES
            if not card.failed and (folder / name).is_file()
        ]
        if links:
            parts.append('<p class="iaobs-links">' + " ".join(links) + "</p>")
        parts.append("</li>")
        items.append("\n".join(parts))
    if companies:
        items.append(_companies_card(companies, words, language))
    if not items:
        return f"<p>{esc(words['none'])}</p>"
    return '<ul class="iaobs-cards">\n' + "\n".join(items) + "\n</ul>"


def index_html(
    cards: Sequence[IndexCard],
    reports_dir: Path,
    *,
    title: str,
    region: str,
    wave: str,
    language: str = "fr",
    date: dt.datetime,
    cache_dir: Path | None = None,
) -> str:
    """The landing page; links are relative and only point at files that exist."""
    words = WORDS.get(language, WORDS["fr"])
    lang = language if language in WORDS else "fr"
    esc = html.escape
    body = cards_html(cards, reports_dir, language=language)
    if lang == "fr":
        stamp = date.strftime("%d/%m/%Y")
    else:
        from iaobs.reports.context import english_date  # lazy: pandas (rerun path)

        stamp = english_date(date)
    css = page_css(language=lang, cache_dir=cache_dir)
    heading = f"{words['reports']} {wave}"
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="iaobs {esc(__version__, quote=True)}">
<meta name="dcterms.created" content="{esc(date.isoformat(), quote=True)}">
<title>{esc(title)} – {esc(region)} – {esc(heading)}</title>
<style>
{css}
</style>
</head>
<body class="iaobs-index">
<a class="iaobs-skip" href="#iaobs-main">{esc(words["skip"])}</a>
<main id="iaobs-main" class="iaobs-page">
<section class="iaobs-cover">
<p>{esc(region)} · {esc(words["wave"])} {esc(wave)}</p>
<h1>{esc(title)}</h1>
<p>{esc(heading)}</p>
</section>
<p>{esc(words["intro"])}</p>
{body}
<footer class="iaobs-footer"><p>{esc(words["generated"])} {esc(stamp)} · iaobs {esc(__version__)}</p></footer>
</main>
</body>
</html>
"""


def write_index(destination: Path, page: str) -> Path:
    """Write the landing page atomically."""
    return write_text(destination, page)
