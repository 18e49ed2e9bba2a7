"""The two pages of the frame, in French: the design report of ``iaobs plan`` and the
fieldwork follow-up of ``iaobs suivi``. Plain, self-contained HTML (printable to PDF); they
show counts of the frame and of the sample, never a firm's name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

from iaobs.core.text import NNBSP, format_decimal, format_number, format_percent

if TYPE_CHECKING:
    from iaobs.frame.plan import Plan
    from iaobs.frame.suivi import Fieldwork

__all__ = ["design_page", "fieldwork_page"]

_CSS = """
body { font-family: "Open Sans", "DejaVu Sans", sans-serif; color: #1b1b1b; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; width: 100%; }
tr { break-inside: avoid; }
caption { text-align: left; font-weight: 600; margin-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #c8c8c8; padding: 0.2rem 0.4rem; }
th { text-align: left; background: #f0f0f0; } td.n { text-align: right;
     font-variant-numeric: tabular-nums; }
.alerte { color: #8a1c00; font-weight: 600; } .note { color: #4a4a4a; font-size: 0.85rem; }
@page { size: A4 landscape; margin: 1.2cm; }
@media print { body { max-width: none; margin: 0; } table { font-size: 0.75rem; } }
"""
_SIZES = {"tpe": "TPE", "pme": "PME", "eti": "ETI", "ge": "GE"}
_MODES = {"allocation": "allocation", "minimum": "minimum", "exhaustif": "exhaustif"}


def _page(title: str, subtitle: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<main>\n<h1>{escape(title)}</h1>\n<p>{escape(subtitle)}</p>\n{body}\n</main>\n"
        "</body>\n</html>\n"
    )


def _table(
    caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int]
) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    lines = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0:
                cells.append(f'<th scope="row">{escape(str(value))}</th>')
            else:
                css = ' class="n"' if i in numeric else ""
                cells.append(f"<td{css}>{escape(str(value))}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table>\n<caption>{escape(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        "<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table>"
    )


def _label(sectors: Mapping[str, str], code: str) -> str:
    if code.startswith("taille:"):
        size = code.split(":", 1)[1]
        return f"{_SIZES.get(size, size)} (tous secteurs)"
    return sectors.get(code, "Ensemble" if code == "ensemble" else code)


def _reached(value: Any) -> str:
    if value is None or value != value:
        return "sans cible"
    return "oui" if value else "non (même en interrogeant toutes les entreprises)"


def _points(value: float) -> str:
    return f"± {format_decimal(value * 100, decimals=1)}{NNBSP}point" + (
        "s" if value >= 0.02 else ""
    )


def design_page(
    plan: Plan, *, title: str, region: str, wave: str, sectors: Mapping[str, str]
) -> str:
    """The design report: parameters, expected precision by domain, allocation by stratum."""
    s = plan.settings
    method = "de Neyman" if s.allocation == "neyman" else "proportionnelle"
    params = (
        "<ul>"
        f"<li>Précision visée : demi-largeur de l'intervalle de confiance à "
        f"{format_percent(s.confidence)} de {_points(s.precision)} par secteur, "
        f"{_points(s.overall_precision)} sur l'ensemble, pour une proportion de "
        f"{format_percent(s.proportion)} (cas le plus défavorable).</li>"
        f"<li>Taux de réponse attendu : {format_percent(s.response_rate)} ; effet de plan : "
        f"{format_decimal(s.design_effect, decimals=2)}.</li>"
        f"<li>Allocation {method} dans chaque secteur, au moins {s.min_per_stratum} répondants "
        f"attendus par strate, strates de {s.census_below} entreprises ou moins interrogées "
        f"en totalité (exhaustif) ; réserve : {format_percent(s.reserve_rate)} de l'échantillon "
        "de chaque strate.</li></ul>"
    )
    domains = _table(
        "Précision attendue par domaine de publication",
        [
            "Domaine",
            "Entreprises",
            "À interroger",
            "Répondants attendus",
            "Demi-largeur attendue",
            "Cible atteinte",
        ],
        (
            (
                _label(sectors, r.domaine),
                format_number(r.n_entreprises),
                format_number(r.n_tirage),
                format_number(r.repondants_attendus),
                _points(r.demi_largeur_attendue),
                _reached(r.atteinte),
            )
            for r in plan.domains.itertuples(index=False)
        ),
        {1, 2, 3, 4},
    )
    strata = _table(
        "Allocation par strate (secteur × taille)",
        [
            "Secteur",
            "Taille",
            "Entreprises",
            "Mode",
            "À interroger",
            "Réserve",
            "Répondants attendus",
            "Taux de sondage",
        ],
        (
            (
                _label(sectors, r.secteur),
                _SIZES.get(r.taille, r.taille),
                format_number(r.n_entreprises),
                _MODES.get(r.mode, r.mode),
                format_number(r.n_tirage),
                format_number(r.n_reserve),
                format_decimal(r.repondants_attendus, decimals=1),
                format_percent(r.taux_sondage),
            )
            for r in plan.strata.itertuples(index=False)
        ),
        {2, 4, 5, 6, 7},
    )
    body = (
        "<h2>Paramètres</h2>\n"
        + params
        + f"\n<p>Au total, {format_number(plan.total)} entreprises à interroger.</p>\n"
        + "<h2>Précision attendue</h2>\n"
        + domains
        + "\n<h2>Allocation</h2>\n"
        + strata
        + '\n<p class="note">Base de sondage : répertoire Sirene de l\'INSEE (unités légales '
        "actives, siège dans la région). Méthode : voir la méthodologie de l'observatoire "
        "(plan de sondage).</p>"
    )
    return _page(
        f"Plan de sondage — {title}",
        f"{region} · vague {wave} · établi le {date.today().strftime('%d/%m/%Y')}",
        body,
    )


def fieldwork_page(
    fieldwork: Fieldwork, *, title: str, region: str, wave: str, sectors: Mapping[str, str]
) -> str:
    """The follow-up page: overall rates, the R-indicator, strata to remind, every stratum."""
    o = fieldwork.overall
    r_text = (
        format_decimal(fieldwork.r_indicator, decimals=2)
        if fieldwork.r_indicator == fieldwork.r_indicator
        else "–"
    )
    summary = (
        f"<p>{format_number(o['lances'])} entreprises sollicitées, "
        f"{format_number(o['repondants'])} répondantes. Taux de réponse AAPOR RR1 : "
        f"{format_percent(o['rr1'], decimals=1)} ; RR2 (réponses partielles comprises) : "
        f"{format_percent(o['rr2'], decimals=1)}. Indicateur R de représentativité : {r_text} "
        "(1 : les répondants reflètent l'échantillon).</p>"
    )
    alerts = "".join(
        f'<p class="alerte">{escape(a)}</p>'
        for a in (
            *fieldwork.alerts,
            *(
                [f"{fieldwork.outside_sample} réponse(s) d'entreprises hors échantillon."]
                if fieldwork.outside_sample
                else []
            ),
            *(
                [f"{fieldwork.without_siren} réponse(s) sans SIREN lisible (non rapprochées)."]
                if fieldwork.without_siren
                else []
            ),
        )
    )
    reminders = fieldwork.reminders
    remind = (
        _table(
            "Strates à relancer en priorité",
            ["Priorité", "Secteur", "Taille", "Répondants", "Cible", "Manque", "RR2"],
            (
                (
                    int(r.priorite),
                    _label(sectors, r.secteur),
                    _SIZES.get(r.taille, r.taille),
                    format_number(r.repondants),
                    format_number(r.cible),
                    format_number(r.ecart),
                    format_percent(r.rr2, decimals=1),
                )
                for r in reminders.itertuples(index=False)
            ),
            {3, 4, 5, 6},
        )
        if len(reminders)
        else "<p>Toutes les strates ont atteint leur cible.</p>"
    )
    table = _table(
        "Réponses par strate",
        [
            "Secteur",
            "Taille",
            "Sollicitées",
            "Complètes",
            "Partielles",
            "Refus",
            "Non-contacts",
            "Éligibilité inconnue",
            "Hors champ",
            "RR1",
            "RR2",
            "Cible",
        ],
        (
            (
                _label(sectors, r.secteur),
                _SIZES.get(r.taille, r.taille),
                format_number(r.lances),
                format_number(r.complets),
                format_number(r.partiels),
                format_number(r.refus),
                format_number(r.non_contacts),
                format_number(r.eligibilite_inconnue),
                format_number(r.hors_champ),
                format_percent(r.rr1, decimals=1),
                format_percent(r.rr2, decimals=1),
                format_number(r.cible),
            )
            for r in fieldwork.strata.itertuples(index=False)
        ),
        set(range(2, 12)),
    )
    body = (
        "<h2>En résumé</h2>\n"
        + summary
        + alerts
        + "\n<h2>Relances</h2>\n"
        + remind
        + "\n<h2>Détail</h2>\n"
        + table
        + '\n<p class="note">Document interne à l\'équipe du projet (ne pas publier). '
        "Dispositions finales AAPOR (Standard Definitions, 2023) ; indicateur R de Schouten, "
        "Cobben et Bethlehem (2009), propensions estimées par strate.</p>"
    )
    return _page(
        f"Suivi du terrain — {title}",
        f"{region} · vague {wave} · état au {date.today().strftime('%d/%m/%Y')}",
        body,
    )
