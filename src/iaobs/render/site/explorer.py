"""``explorer.html``: every published indicator for every domain, explored in the browser.

The data are embedded at build time as JSON (publishable rows only, rounded), read by a small
script shipped in the package (``assets/explorer.js``) and inlined with its hash in the page's
Content-Security-Policy: the page works from ``file://`` and asks for nothing outside itself.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pandas as pd

from iaobs.render.site.data import DOMAIN_KINDS, SiteData, domain_kind, significance
from iaobs.render.site.layout import WORDS, Page, asset_text, script_json

__all__ = ["explorer_page", "explorer_payload"]

KIND_LABELS = {
    "fr": {
        "all": "Ensemble",
        "secteur": "Secteurs",
        "taille": "Tailles d'entreprise",
        "departement": "Départements",
        "secteur×taille": "Secteur × taille",
    },
    "en": {
        "all": "All",
        "secteur": "Sectors",
        "taille": "Company sizes",
        "departement": "Départements",
        "secteur×taille": "Sector × size",
    },
}
THEME_LABELS = {
    "profil": ("Profil des entreprises", "Company profile"),
    "adoption": ("Adoption de l'IA", "AI adoption"),
    "emploi": ("Impact sur l'emploi", "Impact on jobs"),
    "competences": ("Compétences", "Skills"),
    "formation": ("Formation", "Training"),
    "freins": ("Freins et perceptions", "Barriers and perceptions"),
    "autres": ("Autres indicateurs", "Other indicators"),
}


def _contrast_index(data: SiteData) -> dict[tuple[str, str, str], str]:
    c = data.contrasts
    if c.empty or not {"indicator", "domain"} <= set(c.columns):
        return {}
    level = c["level"] if "level" in c else pd.Series("", index=c.index)
    return {
        (str(i), str(lv), str(d)): significance(row)
        for i, lv, d, row in zip(
            c["indicator"], level, c["domain"], c.to_dict("records"), strict=True
        )
    }


def _waves(data: SiteData) -> dict[str, list[list[Any]]]:
    """Indicator key → [domain, wave, estimate, low, high, flag, change since previous wave]."""
    e = data.evolution
    out: dict[str, list[list[Any]]] = {}
    if e.empty:
        return out
    for r in e.to_dict("records"):
        change = significance(r) if r.get("previous_wave") not in (None, "") else ""
        out.setdefault(f"{r['indicator']}|{r['level']}", []).append(
            [
                r["domain"],
                r["wave"],
                _none(r["estimate"]),
                _none(r["ci_low"]),
                _none(r["ci_high"]),
                r["flag"],
                change,
            ]
        )
    return out


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and value != value) else value


def _domain_order(data: SiteData) -> Callable[[str], tuple[Any, ...]]:
    """Domains by kind, then in the dictionary's order (sectors, sizes, départements)."""
    d = data.dictionary
    rank = {
        "secteur": list(d.sectors),
        "taille": list(d.size_classes),
        "departement": list(d.departements),
    }

    def key(domain: str) -> tuple[Any, ...]:
        kind = domain_kind(domain)
        parts = []
        for part in domain.split(";"):
            name, _, code = part.partition("=")
            codes = rank.get(name, [])
            parts.append((codes.index(code) if code in codes else len(codes), code))
        return (DOMAIN_KINDS.index(kind) if kind in DOMAIN_KINDS else 99, *parts)

    return key


def explorer_payload(data: SiteData) -> dict[str, Any]:
    """The JSON embedded in ``explorer.html``: indicators by theme, domains, rows, waves."""
    lang = data.language
    t = data.indicators
    contrasts = _contrast_index(data)
    domains = sorted(set(t["domain"]) | set(data.hidden["domain"]), key=_domain_order(data))
    indicators: dict[str, dict[str, Any]] = {}
    rows: dict[str, list[list[Any]]] = {}
    columns = ["indicator", "level", "domain", "statistic", "estimate", "ci_low", "ci_high", "n"]
    for indicator, level, domain, statistic, est, low, high, n, flag in t[
        [*columns, "flag"]
    ].itertuples(index=False, name=None):
        key = f"{indicator}|{level}"
        if key not in indicators:
            indicators[key] = {
                "key": key,
                "label": data.full_label(indicator, level),
                "theme": data.theme(indicator),
                "statistic": str(statistic),
            }
            rows[key] = []
        sign = contrasts.get((indicator, level, domain), "")
        rows[key].append([domain, _none(est), _none(low), _none(high), int(n), flag, sign])
    for key, waves in _waves(data).items():
        if key in indicators:
            indicators[key]["waves"] = waves
    for indicator, level, domain, flag in data.hidden.itertuples(index=False, name=None):
        entry = indicators.get(f"{indicator}|{level}")
        if entry is not None:
            entry.setdefault("hidden", []).append([domain, flag])
    listed = list(indicators.values())
    themes = [
        [code, THEME_LABELS[code][0 if lang == "fr" else 1]]
        for code in THEME_LABELS
        if any(i["theme"] == code for i in listed)
    ]
    kinds = [k for k in DOMAIN_KINDS if any(domain_kind(d) == k for d in domains) and k != "all"]
    return {
        "lang": lang,
        "themes": themes,
        "kinds": [[k, KIND_LABELS.get(lang, KIND_LABELS["fr"])[k]] for k in kinds],
        "domains": [[d, domain_kind(d), data.domain_label(d)] for d in domains],
        "indicators": listed,
        "rows": rows,
        "contrasts": bool(contrasts),
    }


def explorer_page(page: Page, data: SiteData) -> str:
    """The explorer's HTML: controls, chart, table, downloads; the script reads the JSON."""
    w = WORDS[page.language]
    esc = html.escape
    payload = script_json("iaobs-data", explorer_payload(data))
    body = f"""<h1>{esc(w["explorer"])}</h1>
<p>{esc(w["explorer_intro"])}</p>
<div class="iaobs-explorer" id="explorer">
<div class="iaobs-controls">
<p><label for="x-search">{esc(w["search"])}</label>
<input type="search" id="x-search" autocomplete="off" aria-controls="x-indicator"></p>
<p><label for="x-indicator">{esc(w["indicator"])}</label>
<select id="x-indicator" size="8"></select></p>
<p><label for="x-kind">{esc(w["domains"])}</label>
<select id="x-kind"></select></p>
<fieldset><legend>{esc(w["view"])}</legend>
<button type="button" id="x-view-chart" aria-pressed="true">{esc(w["chart"])}</button>
<button type="button" id="x-view-table" aria-pressed="false">{esc(w["table"])}</button>
</fieldset>
<p><a id="x-csv" href="#" download="indicateur.csv">{esc(w["csv_screen"])}</a></p>
</div>
<section aria-labelledby="x-title" class="iaobs-result">
<h2 id="x-title" aria-live="polite"></h2>
<p id="x-note" class="iaobs-meta"></p>
<div id="x-chart"></div>
<div id="x-table" hidden></div>
<p class="iaobs-meta">{esc(w["legend"])}</p>
<p class="iaobs-meta">{esc(w["champ"].format(region=page.region))}</p>
<p class="iaobs-meta">{esc(w["source"].format(wave=page.wave))}</p>
<h3 id="x-waves-title" hidden>{esc(w["waves"])}</h3>
<div id="x-waves"></div>
</section>
</div>
<noscript><p>{esc(w["noscript"])}</p></noscript>
{payload}"""
    return page.render(
        title=w["explorer"], body=body, script=asset_text("explorer.js"), current="explorer"
    )
