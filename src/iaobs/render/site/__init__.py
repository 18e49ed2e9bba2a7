"""The observatory's static site: ``reports/<wave>/`` around the reports.

``build_site`` writes, next to the report folders (whose paths do not change):

```
index.html            home: key figures, what changed since the previous wave, sectors, reports
secteurs/<code>.html  one page per sector
explorer.html         every published indicator for every domain (embedded data, inline script)
methodologie.html     how the figures are made and protected
donnees/              open data: CSV + Table Schemas + datapackage.json, licence, citation
```

Every page works from ``file://`` and from any static host: styles and script are inline, and a
Content-Security-Policy forbids any other request. Every number goes through
:func:`iaobs.render.site.data.publishable_rows` (secrecy cleared, rounded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_text
from iaobs.render.index import IndexCard
from iaobs.render.site.data import SiteData, load_site_data, publishable_rows
from iaobs.render.site.explorer import explorer_page
from iaobs.render.site.layout import Page
from iaobs.render.site.opendata import citation, open_data_page, write_open_data
from iaobs.render.site.pages import SectorEntry, home_page, methodology_page, sector_page
from iaobs.reports.context import english_date
from iaobs.study.store import Processed

__all__ = ["ACTORS_SLUG", "SiteData", "build_site", "publishable_rows"]

ACTORS_SLUG = "acteurs-ia"


def _stamp(date: dt.datetime, language: str) -> str:
    if language == "fr":
        return date.strftime("%d/%m/%Y")
    return english_date(date)


def _sectors(
    study: Any, cards: Sequence[IndexCard], sector_of: Mapping[str, str], data: SiteData
) -> list[SectorEntry]:
    by_sector = {sector_of[c.slug]: c for c in cards if c.slug in sector_of}
    published = {
        d.split("=", 1)[1]
        for d in data.indicators["domain"]
        if d.startswith("secteur=") and ";" not in d
    }
    out = []
    for code, sector in study.dictionary.sectors.items():
        card = by_sector.get(code)
        if card is None and code not in published:
            continue
        out.append(
            SectorEntry(
                code,
                sector.label.get(study.language),
                card,
                list(card.key_figures) if card is not None and not card.failed else [],
            )
        )
    return out


def build_site(
    study: Any,
    cards: Sequence[IndexCard],
    sector_of: Mapping[str, str],
    *,
    date: dt.datetime,
    cache_dir: Path | None = None,
) -> Path:
    """Write the site of a wave into ``study.reports_dir``; return the home page's path.

    Parameters
    ----------
    study
        The :class:`iaobs.study.config.Study`.
    cards
        The reports of the wave (as on the home page).
    sector_of
        Report slug → sector code, for the sector reports.
    date
        The date printed on the pages and in ``datapackage.json``.
    """
    root = Path(study.reports_dir)
    language = study.language if study.language in ("fr", "en") else "fr"
    data = load_site_data(Processed(Path(study.processed_dir)), study.dictionary, language)
    page = Page(
        language=language,
        title=study.title,
        region=study.region,
        wave=str(study.wave),
        stamp=_stamp(date, language),
        has_actors=(root / ACTORS_SLUG / "report.html").is_file(),
        cache_dir=cache_dir,
    )
    sectors = _sectors(study, cards, sector_of, data)
    figures = next((c.key_figures for c in cards if c.kind == "synthese" and not c.failed), [])
    if not figures:
        figures = next((c.key_figures for c in cards if c.kind == "secteur" and not c.failed), [])
    for sector in sectors:
        write_text(root / sector.page, sector_page(page.at(1), data, sector))
    write_text(root / "explorer.html", explorer_page(page, data))
    write_text(root / "methodologie.html", methodology_page(page, study.thresholds))
    files = write_open_data(
        root / "donnees",
        data,
        title=study.title,
        region=study.region,
        wave=str(study.wave),
        created=date.isoformat(),
    )
    cite = citation(study.title, study.region, str(study.wave), str(date.year))
    write_text(
        root / "donnees" / "index.html",
        open_data_page(page.at(1), files, cite=cite, has_actors=page.has_actors),
    )
    home = root / "index.html"
    write_text(home, home_page(page, data, cards, sectors, list(figures), root))
    return home
