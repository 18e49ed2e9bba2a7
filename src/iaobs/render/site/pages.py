"""The site's pages without script: home, one page per sector, methodology.

Every number comes from :class:`~iaobs.render.site.data.SiteData` (publishable rows only) or
from the key figures the reports already published.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iaobs.core.contract import Thresholds
from iaobs.core.text import format_decimal, format_interval, format_number, format_percent
from iaobs.render.index import WORDS as INDEX_WORDS
from iaobs.render.index import IndexCard, cards_html
from iaobs.render.site.data import SiteData, significance
from iaobs.render.site.layout import WORDS, Page, typography

__all__ = ["SectorEntry", "home_page", "methodology_page", "sector_page"]

HOME = {
    "fr": {
        "kf": "Chiffres clés",
        "changes": "Ce qui a changé depuis {previous}",
        "no_change": "Aucune évolution significative depuis {previous} sur les indicateurs suivis.",
        "sectors": "Les secteurs",
        "explore": "Explorer tous les indicateurs par secteur, taille et département",
        "intro": (
            "Estimations pondérées avec leur intervalle de confiance à 95 % ; les cellules "
            "reposant sur trop peu de réponses ne sont pas diffusées."
        ),
        "main": "Principaux indicateurs du secteur",
        "region": "Ensemble de la région",
        "sector": "Secteur",
        "indicator": "Indicateur",
        "cmp": "Écart au reste de la région",
        "report": "Lire le rapport du secteur",
        "points": "points",
        "in": "en",
        "note": (
            "Note : estimation et intervalle de confiance à 95 % ; (*) à interpréter avec "
            "prudence ; ▲ / ▼ : significativement au-dessus / au-dessous du reste de la région "
            "(5 %) ; = : écart non significatif."
        ),
        "source": "Source : Observatoire régional de l'IA et des compétences, enquête {wave} ; "
        "calculs de l'observatoire.",
    },
    "en": {
        "kf": "Key figures",
        "changes": "What changed since {previous}",
        "no_change": "No significant change since {previous} in the indicators followed.",
        "sectors": "Sectors",
        "explore": "Explore every indicator by sector, size and département",
        "intro": (
            "Weighted estimates with their 95% confidence interval; cells resting on too few "
            "answers are not published."
        ),
        "main": "Main indicators of the sector",
        "region": "Whole region",
        "sector": "Sector",
        "indicator": "Indicator",
        "cmp": "Gap with the rest of the region",
        "report": "Read the sector report",
        "points": "points",
        "in": "in",
        "note": (
            "Note: estimate and 95% confidence interval; (*) to be read with caution; ▲ / ▼: "
            "significantly above / below the rest of the region (5%); =: no significant gap."
        ),
        "source": "Source: regional AI and skills observatory, {wave} survey; observatory's "
        "calculations.",
    },
}
HOME["fr"] = {key: typography(value) for key, value in HOME["fr"].items()}
#: Indicators shown on a sector page (0/1 and top-two-box shares, when published).
SECTOR_INDICATORS = 12


@dataclass(frozen=True)
class SectorEntry:
    """A sector of the site: its code, label and report card (when it has one)."""

    code: str
    label: str
    card: IndexCard | None = None
    key_figures: Sequence[Mapping[str, Any]] = field(default_factory=list)

    @property
    def page(self) -> str:
        return f"secteurs/{self.code.replace('_', '-')}.html"


def _value(value: float, statistic: str, language: str) -> str:
    if statistic == "proportion":
        return format_percent(value, language=language)
    return format_decimal(value, decimals=1, language=language)


def _key_figures(figures: Sequence[Mapping[str, Any]], language: str) -> str:
    items = []
    for f in figures:
        sentence = html.escape(str(f.get("sentence") or ""))
        value, flag = f.get("value"), str(f.get("flag") or "")
        if not sentence:
            continue
        if isinstance(value, int | float) and flag not in ("s", "nd"):
            big = html.escape(format_percent(value, language=language))
            items.append(f"<li><strong>{big}</strong>{sentence}</li>")
        else:
            items.append(f"<li>{sentence}</li>")
    return '<ul class="iaobs-figures">' + "".join(items) + "</ul>" if items else ""


def _changes(data: SiteData, page: Page) -> str:
    e, words = data.evolution, HOME[page.language]
    if e.empty or "previous_wave" not in e:
        return ""
    current = e[(e["domain"] == "all") & e["previous_wave"].notna() & (e["previous_wave"] != "")]
    if current.empty:
        return ""
    previous = str(current["previous_wave"].iloc[-1])
    title = html.escape(words["changes"].format(previous=previous))
    items = []
    for row in current.to_dict("records"):
        sign = significance(row)
        if sign not in ("+", "-"):
            continue
        name = data.full_label(row["indicator"], row["level"])
        value = _value(row["estimate"], row["statistic"], page.language)
        scale = 100 if row["statistic"] == "proportion" else 1
        diff = scale * float(row["difference"])
        digits = 0 if row["statistic"] == "proportion" else 1
        points = ("+ " if diff > 0 else "\u2212 ") + format_decimal(
            abs(diff), decimals=digits, language=page.language
        )
        unit = f" {words['points']}" if row["statistic"] == "proportion" else ""
        items.append(
            f"<li>{html.escape(name + data.colon)}<strong>{html.escape(value)}</strong> "
            f"{words['in']} {html.escape(str(row['wave']))} ({html.escape(points + unit)})</li>"
        )
    body = (
        "<ul>" + "".join(items) + "</ul>"
        if items
        else f"<p>{html.escape(words['no_change'].format(previous=previous))}</p>"
    )
    return f"<section><h2>{title}</h2>{body}</section>"


def home_page(
    page: Page,
    data: SiteData,
    cards: Sequence[IndexCard],
    sectors: Sequence[SectorEntry],
    figures: Sequence[Mapping[str, Any]],
    reports_dir: Path,
) -> str:
    """``index.html``: key figures, what changed, the sectors, the reports."""
    words, esc = HOME[page.language], html.escape
    sector_items = "".join(
        f'<li><a href="{page.href(s.page)}">{esc(s.label)}</a></li>' for s in sectors
    )
    body = f"""<section class="iaobs-cover">
<h1>{esc(page.title)}</h1>
<p>{esc(page.region)} · {esc(page.wave)}</p>
</section>
<p>{esc(words["intro"])}</p>
<section><h2>{esc(words["kf"])}</h2>{_key_figures(figures, page.language)}
<p><a href="{page.href("explorer.html")}">{esc(words["explore"])}</a></p></section>
{_changes(data, page)}
<section><h2>{esc(words["sectors"])}</h2><ul>{sector_items}</ul></section>
<section><h2>{esc(INDEX_WORDS[page.language]["reports"])} {esc(page.wave)}</h2>
{cards_html(cards, reports_dir, language=page.language)}
</section>"""
    return page.render(title=WORDS[page.language]["home"], body=body, current="home")


def _sector_rows(data: SiteData, code: str) -> list[tuple[str, str, str, str]]:
    t = data.indicators
    domain = f"secteur={code}"
    simple = t[(t["level"].isin(["", "top2"])) & (t["statistic"] == "proportion")]
    mine = simple[simple["domain"] == domain]
    region = simple[simple["domain"] == "all"].set_index(["indicator", "level"])
    c = data.contrasts
    cindex: dict[tuple[str, str], Mapping[str, Any]] = {}
    if not c.empty and {"indicator", "domain"} <= set(c.columns):
        for row in c[c["domain"] == domain].to_dict("records"):
            cindex[(row["indicator"], str(row.get("level", "")))] = row
    out = []
    for row in mine.head(SECTOR_INDICATORS).to_dict("records"):
        key = (row["indicator"], row["level"])
        name = data.full_label(*key)
        lang = data.language
        mark = " (*)" if row["flag"] == "prudence" else ""
        value = format_percent(row["estimate"], language=lang) + mark
        interval = format_interval(row["ci_low"], row["ci_high"], language=lang)
        ref = (
            format_percent(region.loc[key, "estimate"], language=lang)
            if key in region.index
            else "–"
        )
        sign = significance(cindex.get(key, {}))
        cmp = {"+": "▲", "-": "▼", "=": "="}.get(sign, "")
        out.append((name, f"{value} ({interval})", ref, cmp))
    return out


def sector_page(page: Page, data: SiteData, sector: SectorEntry) -> str:
    """``secteurs/<code>.html``: the sector's key figures, main indicators and its report."""
    words, esc = HOME[page.language], html.escape
    rows = _sector_rows(data, sector.code)
    has_cmp = any(r[3] for r in rows)
    head = [words["indicator"], words["sector"], words["region"]] + (
        [words["cmp"]] if has_cmp else []
    )
    table = (
        f"<table><caption>{esc(words['main'])}</caption><thead><tr>"
        + "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
        + "</tr></thead><tbody>"
        + "".join(
            f'<tr><th scope="row">{esc(r[0])}</th><td>{esc(r[1])}</td><td>{esc(r[2])}</td>'
            + (f"<td>{esc(r[3])}</td>" if has_cmp else "")
            + "</tr>"
            for r in rows
        )
        + "</tbody></table>"
    )
    links = ""
    if sector.card is not None and not sector.card.failed:
        links = f'<p><a href="{page.href(sector.card.slug + "/report.html")}">{esc(words["report"])}</a></p>'
    body = f"""<h1>{esc(sector.label)}</h1>
{_key_figures(sector.key_figures, page.language)}
{links}
{table if rows else ""}
<p class="iaobs-meta">{esc(words["note"])}</p>
<p class="iaobs-meta">{esc(words["source"].format(wave=page.wave))}</p>
<p><a href="{page.href("explorer.html#k=secteur")}">{esc(words["explore"])}</a></p>"""
    return page.render(title=sector.label, body=body, current="sectors")


METHOD = {
    "fr": [
        (
            "Qui a été interrogé",
            (
                "Les entreprises des secteurs suivis par l'observatoire, implantées dans la région, "
                "ont répondu à un questionnaire en ligne ou sur tableur. Chaque réponse est "
                "contrôlée (codes, cohérence, doublons) ; les lignes rejetées sont conservées avec "
                "leur motif."
            ),
        ),
        (
            "Pondération",
            (
                "Les réponses sont pondérées par strate secteur × taille à partir des effectifs "
                "d'entreprises de la population, puis calées sur les marges par secteur, taille et "
                "département lorsqu'elles sont connues. Les estimations portent sur les entreprises "
                "ayant répondu à la question ; les « ne sait pas » sont exclus de la base."
            ),
        ),
        (
            "Intervalles de confiance",
            (
                "Chaque estimation est accompagnée de son intervalle de confiance à 95 % "
                "(Korn–Graubard pour une proportion), calculé par linéarisation sur le plan de "
                "sondage complet."
            ),
        ),
        (
            "Secret statistique et précision",
            (
                "Une cellule reposant sur moins de {secret} entreprises, ou dominée par une seule "
                "entreprise, est couverte par le secret statistique (s), comme les cellules "
                "masquées pour qu'aucune cellule secrète ne puisse être recalculée à partir des "
                "marges ou des autres niveaux (secret secondaire) ; une cellule de moins de "
                "{nd} répondants n'est pas diffusée (nd) ; moins de {prudence} répondants, un "
                "coefficient de variation supérieur à {cv} ou un intervalle de plus de {width} "
                "points : la valeur est à interpréter avec prudence (*). Les cellules s et nd "
                "n'apparaissent ni sur le site ni dans les données ouvertes ; les effectifs pondérés "
                "ne sont pas publiés."
            ),
        ),
        (
            "Comparaisons",
            (
                "Un secteur, une taille ou un département est comparé au reste de la région par un "
                "test de différence au seuil de 5 % ; une évolution entre deux vagues, par un test "
                "entre échantillons indépendants. Les valeurs sont arrondies à 0,1 point ; les "
                "totaux peuvent ne pas faire 100 % du fait des arrondis."
            ),
        ),
    ],
    "en": [
        (
            "Who was surveyed",
            (
                "Companies of the observatory's sectors located in the region answered an online or "
                "spreadsheet questionnaire. Every answer is checked (codes, consistency, duplicates); "
                "rejected rows are kept with their reason."
            ),
        ),
        (
            "Weighting",
            (
                "Answers are weighted by sector × size stratum from the population counts, then "
                "calibrated to the sector, size and département margins where known. Estimates "
                "cover the companies that answered the question; don't-knows are left out."
            ),
        ),
        (
            "Confidence intervals",
            (
                "Every estimate comes with its 95% confidence interval (Korn–Graubard for a "
                "proportion), by linearisation on the full design."
            ),
        ),
        (
            "Statistical secrecy and precision",
            (
                "A cell resting on fewer than {secret} companies, or dominated by one company, is "
                "secret (s), as are cells hidden so that no secret cell can be worked out from the "
                "margins or the other levels (secondary secrecy); fewer than {nd} respondents: not "
                "published (nd); fewer than "
                "{prudence} respondents, a coefficient of variation above {cv} or an interval wider "
                "than {width} points: to be read with caution (*). Cells s and nd appear neither on "
                "the site nor in the open data; weighted bases are not published."
            ),
        ),
        (
            "Comparisons",
            (
                "A sector, size or département is compared with the rest of the region by a test of "
                "difference at the 5% level; a change between waves by a test between independent "
                "samples. Values are rounded to 0.1 point; totals may not add to 100% because of "
                "rounding."
            ),
        ),
    ],
}


def methodology_page(page: Page, thresholds: Thresholds) -> str:
    """``methodologie.html``: how the figures of the site are made and protected."""
    lang = page.language
    values = {
        "secret": format_number(thresholds.secret_min_firms, language=lang),
        "nd": format_number(thresholds.nd_below, language=lang),
        "prudence": format_number(thresholds.prudence_below, language=lang),
        "cv": format_percent(thresholds.prudence_cv, language=lang),
        "width": format_number(round(thresholds.prudence_ci_width * 100), language=lang),
    }
    sections = "".join(
        f"<section><h2>{html.escape(title)}</h2><p>{html.escape(text.format(**values))}</p></section>"
        for title, text in METHOD[lang]
    )
    sections = typography(sections, lang)
    body = f"<h1>{html.escape(WORDS[lang]['method'])}</h1>{sections}"
    return page.render(title=WORDS[lang]["method"], body=body, current="method")
