"""Where a company stands (percentiles) and three « pistes d'action » for it.

**Percentiles.** For an ordered question (adoption stage, share of staff trained), the
company's percentile in a group is the mid-rank position of its answer in the group's weighted
distribution: the share of companies at a lower level plus half the share at the same level
(0–100). It is read from published cells only (:func:`iaobs.reports.kinds.company.stage_position`);
when a cell it needs is hidden, no percentile is given.

**Pistes d'action.** The observatory writes, in a YAML file of the study
(``data/reference/pistes_action.yaml``, :attr:`iaobs.study.store.Store.action_rules`), rules that
each name a gap of the company and an offer of the training fund's catalogue
(``data/reference/catalogue_formations.csv``). A rule applies when every condition holds:

.. code-block:: yaml

    pistes:
      - id: former-une-premiere-equipe
        priorite: 1                      # smaller first
        si:                              # answers of the company (codes of the dictionary)
          part_formes_ia: [aucun, moins_10]
        centile_sous:                    # percentile in its sector below a threshold (0-100)
          ia_stade: 50
        titre: "Former une première équipe à l'IA"
        texte: "Votre entreprise a formé peu de salariés à l'IA …"
        offre: IA-DECOUV-01              # code of the catalogue

The report shows the first three rules that apply, by priority. A study without its own file
uses the rules shipped with iaobs; an offer missing from the catalogue is named by its code
with a note.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from iaobs.core import text as tx
from iaobs.errors import ConfigError, InputError
from iaobs.reports.context import Html, esc
from iaobs.reports.kinds.company import CompanyContext, stage_position
from iaobs.study.store import Store

__all__ = [
    "ActionRule",
    "Offer",
    "action_block",
    "centile_words",
    "chosen_actions",
    "load_action_rules",
    "load_catalogue",
    "percentile",
]

MAX_ACTIONS = 3
#: ordered questions on which a company is placed by percentile
PERCENTILE_QUESTIONS = ("ia_stade", "part_formes_ia")
CATALOGUE_COLUMNS = ("code", "intitule", "organisme", "duree", "modalite", "public")


@dataclass(frozen=True)
class ActionRule:
    """One rule of the observatory: conditions on the company, a text, an offer's code."""

    id: str
    priority: int
    answers: dict[str, tuple[str, ...]]
    below: dict[str, float]
    title: str
    text: str
    offer: str


@dataclass(frozen=True)
class Offer:
    """One offer of the training catalogue."""

    code: str
    title: str
    provider: str = ""
    duration: str = ""
    mode: str = ""
    audience: str = ""


# --------------------------------------------------------------------------------------------
# Percentiles


def percentile(ctx: CompanyContext, variable: str, domain: str) -> float | None:
    """The company's mid-rank percentile (0–100) in a domain for an ordered question, or
    ``None`` when it has no answer or a needed cell is not published."""
    pos = stage_position(ctx, variable, domain)
    if pos["status"] != "ok" or math.isnan(pos["below"]) or math.isnan(pos["same"]):
        return None
    return 100 * (pos["below"] + pos["same"] / 2)


def centile_words(ctx: CompanyContext, value: float | None) -> str:
    """« 78ᵉ centile » (« 23rd percentile »), or why there is none."""
    if value is None:
        return ctx.pick("non calculable (part non diffusée ou sans réponse)", "not available")
    rank = max(1, min(99, math.floor(value + 0.5 + 1e-9)))
    # French ordinals take a superscript e (1er for the first); English ones 1st, 2nd, 3rd, 4th
    french = "1\u1d49\u02b3" if rank == 1 else f"{rank}\u1d49"
    suffix = (
        "th" if rank % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    )
    return ctx.pick(f"{french} centile", f"{rank}{suffix} percentile")


# --------------------------------------------------------------------------------------------
# Rules and catalogue


def _codes(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in values)


def load_action_rules(path: Path | None) -> list[ActionRule]:
    """The rules of a YAML file (the study's, or the ones shipped with iaobs when ``path`` is
    ``None`` or absent), sorted by priority.

    Raises
    ------
    ConfigError
        A file that is not the expected YAML, or a rule without ``id``, ``titre`` or ``offre``.
    """
    source = path if path is not None and path.is_file() else Store.shipped_action_rules()
    try:
        raw = yaml.safe_load(source.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{source} : règles des pistes d'action illisibles ({exc})") from exc
    rules = []
    for i, item in enumerate(raw.get("pistes") or [], start=1):
        missing = [
            k for k in ("id", "titre", "offre") if not isinstance(item, dict) or k not in item
        ]
        if missing:
            raise ConfigError(
                f"{source}, règle n° {i} : champ(s) manquant(s) {', '.join(missing)}",
                hint="chaque règle a un id, un titre, un texte et le code d'une offre",
            )
        rules.append(
            ActionRule(
                id=str(item["id"]),
                priority=int(item.get("priorite", 100)),
                answers={str(k): _codes(v) for k, v in (item.get("si") or {}).items()},
                below={str(k): float(v) for k, v in (item.get("centile_sous") or {}).items()},
                title=str(item["titre"]),
                text=str(item.get("texte", "")),
                offer=str(item["offre"]),
            )
        )
    return sorted(rules, key=lambda r: (r.priority, r.id))


def load_catalogue(path: Path) -> dict[str, Offer]:
    """The training catalogue (CSV, columns ``code``, ``intitule``, ``organisme``, ``duree``,
    ``modalite``, ``public``), by code; empty when the study provides none."""
    if not path.is_file():
        return {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"catalogue de formations illisible ({exc})", file=path) from exc
    if rows and not {"code", "intitule"} <= set(rows[0]):
        raise InputError(
            "catalogue de formations : colonnes « code » et « intitule » attendues",
            file=path,
        )
    return {
        r["code"].strip(): Offer(
            code=r["code"].strip(),
            title=r.get("intitule", "").strip(),
            provider=(r.get("organisme") or "").strip(),
            duration=(r.get("duree") or "").strip(),
            mode=(r.get("modalite") or "").strip(),
            audience=(r.get("public") or "").strip(),
        )
        for r in rows
        if r.get("code")
    }


def _applies(ctx: CompanyContext, rule: ActionRule) -> bool:
    for column, codes in rule.answers.items():
        answer = ctx.answer(column)
        if answer in ("1.0", "True"):
            answer = "1"
        if answer not in codes:
            return False
    for variable, threshold in rule.below.items():
        if not ctx.sector or variable not in ctx.dictionary:
            return False
        value = percentile(ctx, variable, ctx.sector_domain)
        if value is None or value >= threshold:
            return False
    return True


def chosen_actions(ctx: CompanyContext, rules: list[ActionRule]) -> list[ActionRule]:
    """The first :data:`MAX_ACTIONS` rules that apply to the company, by priority, one per
    offer."""
    out: list[ActionRule] = []
    offers: set[str] = set()
    for rule in rules:
        if rule.offer in offers or not _applies(ctx, rule):
            continue
        out.append(rule)
        offers.add(rule.offer)
        if len(out) == MAX_ACTIONS:
            break
    return out


def action_block(ctx: CompanyContext) -> Html:
    """Three « pistes d'action », each with the catalogue offer it points to."""
    store = ctx.study.store
    rules = load_action_rules(store.action_rules_in_use)
    catalogue = load_catalogue(store.training_catalogue)
    chosen = chosen_actions(ctx, rules)
    heading = ctx.heading(2, "pistes")
    if not chosen:
        body = ctx.pick(
            "Aucune des pistes d'action retenues par l'observatoire ne correspond aux réponses "
            "de votre entreprise.",
            "None of the observatory's suggested actions matches your company's answers.",
        )
        return Html(f'<section class="iaobs-actions">{heading}<p>{esc(body)}</p></section>')
    items = []
    for rule in chosen:
        offer = catalogue.get(rule.offer)
        if offer is None:
            where = ctx.pick(
                f"Offre {rule.offer} (absente du catalogue fourni).",
                f"Offer {rule.offer} (not in the catalogue provided).",
            )
        else:
            details = ", ".join(p for p in (offer.provider, offer.duration) if p)
            where = ctx.pick(
                f"Offre : « {offer.title} » ({offer.code})",
                f"Offer: “{offer.title}” ({offer.code})",
            ) + (f" – {details}." if details else ".")
        items.append(
            f"<li><p><strong>{esc(rule.title)}</strong></p><p>{esc(rule.text)}</p>"
            f'<p class="iaobs-notes">{esc(where)}</p></li>'
        )
    intro = ctx.pick(
        "Choisies d'après vos réponses par les règles de l'observatoire, chacune renvoie à "
        "une offre du catalogue de formations.",
        "These suggestions are chosen from your answers by rules the observatory publishes; "
        "each points to an offer of the training fund's catalogue.",
    )
    count = tx.format_number(len(chosen), language=ctx.language)
    return Html(
        f'<section class="iaobs-actions">{heading}<p>{esc(intro)}</p>'
        f'<ol class="iaobs-actions-list" data-count="{count}">{"".join(items)}</ol></section>'
    )
