"""The numbered tables of the sector, overview and quality reports, shared by the HTML reports
and the Excel export: what each table holds (its builder) and where it stands (:data:`LAYOUTS`).

A :class:`~iaobs.reports.table.ReportTable` (the model: :mod:`iaobs.reports.table`) holds a
tidy frame whose estimates are floats (proportions 0–1, means in their unit), with the base
``n`` and a flag column beside each estimate; formatting happens at display (:func:`table_html`)
or export time. ``kinds`` maps every column to one of:

==========  ==================================================================================
kind        column content
==========  ==================================================================================
label       the row label (text; the row header)
text        other text
percent     a proportion 0–1 (NaN for a hidden cell)
mean        a mean in the variable's unit (NaN for a hidden cell)
ci_low      lower bound of the 95 % interval of the preceding estimate (same unit)
ci_high     upper bound of the 95 % interval of the preceding estimate
count       a count (the unweighted base ``n`` when it follows an estimate)
flag        ``''``, ``'prudence'``, ``'nd'`` or ``'s'`` for the preceding estimate
==========  ==================================================================================

Companion columns (``ci_low``, ``ci_high``, ``count``, ``flag``) follow their estimate and are
named ``"<estimate column> – IC bas"`` and so on. Table numbers are the tables' positions in
the report's layout (:data:`LAYOUTS`), so that :func:`report_tables` and a notebook that shows
the tables one by one give them the same numbers. Their HTML is :mod:`iaobs.reports.tablehtml`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.reports.catalogue import SECTIONS
from iaobs.reports.context import ReportContext
from iaobs.reports.counts import (
    findings_by_rule,
    quality_counts,
    quality_files,
    rejects_by_reason,
)
from iaobs.reports.evolution import change_text, evolution_rows, has_evolution, significance_text
from iaobs.reports.keyfigures import key_indicator_specs, key_label
from iaobs.reports.markup import Html
from iaobs.reports.table import (
    Built,
    ReportTable,
    TableSection,
)
from iaobs.reports.tablehtml import table_html
from iaobs.reports.weighting import weighting_facts
from iaobs.reports.wording import rule_label

__all__ = [
    "LAYOUTS",
    "ReportTable",
    "TableSection",
    "build_table",
    "layout",
    "report_kind",
    "report_tables",
    "show",
    "table_html",
]


# --------------------------------------------------------------------------------------------
# Building blocks


def _suffix(ctx: ReportContext, part: str) -> str:
    return {
        "lo": ctx.t("ci_low"),
        "hi": ctx.t("ci_high"),
        "n": ctx.t("n"),
        "flag": ctx.t("flag"),
    }[part]


def _add_group(
    columns: dict[str, list[Any]],
    kinds: dict[str, str],
    ctx: ReportContext,
    name: str,
    rows: list[dict[str, Any] | None],
    *,
    kind: str = "percent",
    ci: bool = True,
    n: bool = True,
) -> None:
    """Add an estimate column named ``name`` and its companions, one value per row."""

    def get(row: dict[str, Any] | None, key: str, default: Any = float("nan")) -> Any:
        return default if row is None else row.get(key, default)

    columns[name] = [float(get(r, "estimate")) for r in rows]
    kinds[name] = kind
    if ci:
        lo, hi = f"{name} – {_suffix(ctx, 'lo')}", f"{name} – {_suffix(ctx, 'hi')}"
        columns[lo] = [float(get(r, "ci_low")) for r in rows]
        columns[hi] = [float(get(r, "ci_high")) for r in rows]
        kinds[lo], kinds[hi] = "ci_low", "ci_high"
    if n:
        col = f"{name} – {_suffix(ctx, 'n')}"
        columns[col] = [int(get(r, "n", 0)) for r in rows]
        kinds[col] = "count"
    col = f"{name} – {_suffix(ctx, 'flag')}"
    columns[col] = [str(get(r, "flag", "nd")) if r is not None else "nd" for r in rows]
    kinds[col] = "flag"


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _notes(
    ctx: ReportContext,
    *,
    domain: str | None = None,
    multi: bool = False,
    note: str | None = None,
    lecture: str | None = None,
) -> list[str]:
    lines = []
    if lecture:
        lines.append(
            f"{ctx.t('lecture')} : {lecture}"
            if ctx.language == "fr"
            else f"{ctx.t('lecture')}: {lecture}"
        )
    sep = " : " if ctx.language == "fr" else ": "
    lines.append(f"{ctx.t('champ')}{sep}{ctx.champ(domain, multi=multi)}")
    lines.append(f"{ctx.t('source')}{sep}{ctx.source_line}")
    if note:
        lines.append(f"{ctx.t('note')}{sep}{note}")
    return lines


def _nsp_note(ctx: ReportContext, indicator: str, domain: str | None = None) -> str | None:
    missing = ctx.missing_shares(indicator, domain)
    if missing.empty:
        return None
    parts = []
    for row in missing.itertuples():
        value = (
            row.flag
            if row.flag in ("s", "nd")
            else tx.format_percent(row.estimate, language=ctx.language)
        )
        parts.append(f"{row.label} : {value}" if ctx.language == "fr" else f"{row.label}: {value}")
    return ctx.pick(
        "Réponses hors base (part de l'ensemble des réponses) – " + " ; ".join(parts) + ".",
        "Answers outside the base (share of all answers) – " + "; ".join(parts) + ".",
    )


def _first_lecture(
    ctx: ReportContext, items: pd.DataFrame, indicator_of: Callable[[Any], tuple[str, str]]
) -> str | None:
    shown = items[items["estimate"].notna()]
    if shown.empty:
        return None
    first = shown.iloc[0]
    indicator, level = indicator_of(first)
    return ctx.lecture(first["estimate"], indicator, level)


def _item_indicator(
    variable: str, var_type: str, level: str | None
) -> Callable[[Any], tuple[str, str]]:
    def of(row: Any) -> tuple[str, str]:
        if var_type == "multi":
            return f"{variable}__{row['code']}", ""
        if var_type == "matrix":
            return f"{variable}__{row['code']}", level or "top2"
        if var_type in ("bool",) and row["code"] == variable:
            return variable, level or ""
        return variable, row["code"]

    return of


def _items_table(
    ctx: ReportContext,
    variable: str,
    *,
    level: str | None = None,
    sort: bool | None = None,
    title: str | None = None,
) -> Built:
    """Answers of one question: the report's domain, and all sectors for a sector report."""
    var = ctx.dictionary[variable]
    items = ctx.items(variable, level=level)
    if sort is None:
        sort = var.type in ("multi", "matrix") or (var.type == "cat" and len(var.codes) > 4)
    if sort:
        items = items.assign(_k=items["estimate"].fillna(-1)).sort_values(
            ["_k", "code"], ascending=[False, True], kind="stable"
        )
    domains = [ctx.domain] + (["all"] if ctx.sector else [])
    head = ctx.t("item") if var.type in ("multi", "matrix") else ctx.t("answer")
    columns: dict[str, list[Any]] = {head: list(items["label"])}
    kinds = {head: "label"}
    of = _item_indicator(variable, var.type, level)
    for domain in domains:
        rows = []
        for _, item in items.iterrows():
            indicator, lev = of(item)
            rows.append(ctx.row(indicator, lev, domain))
        name = ctx.sector_label() if domain != "all" else ctx.t("all_sectors")
        _add_group(columns, kinds, ctx, name, rows)
    unit = ctx.t("percent_of_firms")
    if title is None:
        title = f"{var.label.get(ctx.language)} ({unit})"
    note = _nsp_note(ctx, variable) if var.missing and var.type != "multi" else None
    lecture = _first_lecture(ctx, items, of)
    return (
        title,
        _frame(columns),
        _notes(ctx, multi=var.type == "multi", note=note, lecture=lecture),
        kinds,
    )


def _indicator_list_table(
    ctx: ReportContext, specs: list[tuple[str, str, str]], title: str
) -> Built:
    """Rows = (label, indicator, level); groups = the report's domain (and all sectors)."""
    head = ctx.t("indicator")
    columns: dict[str, list[Any]] = {head: [s[0] for s in specs]}
    kinds = {head: "label"}
    domains = [ctx.domain] + (["all"] if ctx.sector else [])
    for domain in domains:
        rows = [ctx.row(ind, lev, domain) for _, ind, lev in specs]
        name = ctx.sector_label() if domain != "all" else ctx.t("all_sectors")
        _add_group(columns, kinds, ctx, name, rows)
    first = ctx.row(specs[0][1], specs[0][2]) if specs else None
    lecture = (
        ctx.lecture(first["estimate"], specs[0][1], specs[0][2])
        if first is not None and first["estimate"] == first["estimate"]
        else None
    )
    return title, _frame(columns), _notes(ctx, lecture=lecture), kinds


def _wide_scale_table(ctx: ReportContext, indicators: list[str], title: str) -> Built:
    """Rows = items of one scale; columns = each level's share (and flag), answers apart, n."""
    name0 = indicators[0].split("__", 1)[0]
    var = ctx.dictionary[name0]
    head = ctx.t("item")
    columns: dict[str, list[Any]] = {head: [ctx.label(i) for i in indicators]}
    kinds = {head: "label"}
    n_col = ctx.t("n")
    columns[n_col] = []
    kinds[n_col] = "count"
    for code, label in var.codes.items():
        rows = [ctx.row(ind, code) for ind in indicators]
        _add_group(columns, kinds, ctx, label.get(ctx.language), rows, ci=False, n=False)
    for code, label in var.missing.items():
        rows = [ctx.row(ind, code) for ind in indicators]
        _add_group(
            columns,
            kinds,
            ctx,
            f"{label.get(ctx.language)} ({ctx.pick('hors base', 'outside base')})",
            rows,
            ci=False,
            n=False,
        )
    for ind in indicators:
        first = ctx.row(ind, next(iter(var.codes)))
        columns[n_col].append(int(first["n"]) if first is not None else 0)
    note = ctx.pick(
        "Les parts de chaque modalité sont calculées sur les réponses exprimées ; les réponses "
        "hors base sont rapportées à l'ensemble des réponses.",
        "Shares of each answer are computed on substantive answers; answers outside the base "
        "are shares of all answers.",
    )
    return title, _frame(columns), _notes(ctx, note=note), kinds


def _skills_by_size(ctx: ReportContext) -> Built:
    var = ctx.dictionary["besoin_comp"]
    head = ctx.t("item")
    columns: dict[str, list[Any]] = {head: [lab.get(ctx.language) for lab in var.items.values()]}
    kinds = {head: "label"}
    for size in ctx.sizes():
        domain = f"{ctx.domain};taille={size}" if ctx.sector else f"taille={size}"
        rows = [ctx.row(f"besoin_comp__{item}", "top2", domain) for item in var.items]
        _add_group(columns, kinds, ctx, ctx.size_label(size, short=True), rows, ci=False)
    title = ctx.pick(
        "Besoin fort ou très fort de compétences, selon la taille de l'entreprise (en %)",
        "High or very high skills need, by company size (%)",
    )
    return title, _frame(columns), _notes(ctx), kinds


def _usage_by_size(ctx: ReportContext) -> Built:
    head = ctx.t("size")
    sizes = ctx.sizes()
    columns: dict[str, list[Any]] = {head: [ctx.size_label(s) for s in sizes]}
    kinds = {head: "label"}
    domains = [(ctx.sector_label(), lambda s: f"{ctx.domain};taille={s}")] if ctx.sector else []
    domains.append((ctx.t("all_sectors"), lambda s: f"taille={s}"))
    for name, dom in domains:
        rows = [ctx.row("ia_usage", "", dom(s)) for s in sizes]
        _add_group(columns, kinds, ctx, name, rows)
    title = ctx.pick(
        "Entreprises utilisant au moins une technologie d'IA, selon la taille (en %)",
        "Companies using at least one AI technology, by size (%)",
    )
    return title, _frame(columns), _notes(ctx), kinds


def _comparison(ctx: ReportContext) -> Built:
    title = ctx.pick(
        "Indicateurs clés du secteur et de l'ensemble des secteurs (en %)",
        "Key indicators of the sector and of all sectors (%)",
    )
    return _indicator_list_table(ctx, key_indicator_specs(ctx), title)


def _opinions(ctx: ReportContext) -> Built:
    specs = [
        (ctx.label(v), v, "top2")
        for v in ("opinion_opportunite", "opinion_menace_emploi", "maturite_donnees")
        if v in ctx.dictionary and ctx.is_asked(v)
    ]
    title = ctx.pick(
        "Entreprises d'accord (tout à fait ou plutôt) avec chaque affirmation (en %)",
        "Companies agreeing (strongly or somewhat) with each statement (%)",
    )
    return _indicator_list_table(ctx, specs, title)


def _sectors_table(ctx: ReportContext) -> Built:
    sectors = ctx.sectors()
    head = ctx.t("sector")
    columns: dict[str, list[Any]] = {
        head: [ctx.sector_label(s) for s in sectors] + [ctx.t("all_sectors")]
    }
    kinds = {head: "label"}
    n_col = ctx.t("respondents")
    columns[n_col] = [ctx.respondents(f"secteur={s}") for s in sectors] + [ctx.respondents("all")]
    kinds[n_col] = "count"
    domains = [f"secteur={s}" for s in sectors] + ["all"]
    for label, indicator, level in key_indicator_specs(ctx):
        rows = [ctx.row(indicator, level, d) for d in domains]
        _add_group(columns, kinds, ctx, label, rows, ci=False, n=False)
    title = ctx.pick(
        "Indicateurs clés par secteur (en % des entreprises)",
        "Key indicators by sector (% of companies)",
    )
    return title, _frame(columns), _notes(ctx, domain="all"), kinds


def _departements_table(ctx: ReportContext) -> Built:
    codes = [c for c in ctx.dictionary.departements if ctx.row("ia_usage", "", f"departement={c}")]
    head = ctx.pick("Département", "Département")
    columns: dict[str, list[Any]] = {
        head: [f"{ctx.dictionary.departements[c]} ({c})" for c in codes] + [ctx.t("region")]
    }
    kinds = {head: "label"}
    domains = [f"departement={c}" for c in codes] + ["all"]
    for label, indicator, level in key_indicator_specs(ctx)[:4]:
        rows = [ctx.row(indicator, level, d) for d in domains]
        _add_group(columns, kinds, ctx, label, rows, ci=True, n=True)
    title = ctx.pick(
        "Indicateurs clés par département (en % des entreprises)",
        "Key indicators by département (% of companies)",
    )
    return title, _frame(columns), _notes(ctx, domain="all"), kinds


def _ranking(ctx: ReportContext, indicator: str, level: str) -> Built:
    sectors = ctx.sectors()
    rows = [(s, ctx.row(indicator, level, f"secteur={s}")) for s in sectors]
    rows.sort(
        key=lambda r: (
            -(
                r[1]["estimate"]
                if r[1] is not None and r[1]["estimate"] == r[1]["estimate"]
                else -1
            ),
            r[0],
        )
    )
    head = ctx.t("sector")
    columns: dict[str, list[Any]] = {
        head: [ctx.sector_label(s) for s, _ in rows] + [ctx.t("all_sectors")]
    }
    kinds = {head: "label"}
    all_row = ctx.row(indicator, level, "all")
    label = key_label(ctx, indicator, level) or ctx.label(indicator)
    _add_group(columns, kinds, ctx, label, [r for _, r in rows] + [all_row])
    title = ctx.pick(f"{label}, par secteur (en %)", f"{label}, by sector (%)")
    return title, _frame(columns), _notes(ctx, domain="all"), kinds


def _sample(ctx: ReportContext) -> Built:
    strata = weighting_facts(ctx)["strata"]
    resp_col = ctx.t("respondents")
    pop_col = ctx.pick("Entreprises de la population", "Companies in the population")
    if ctx.sector:
        head = ctx.t("size")
        mine = [s for s in strata if s["secteur"] == ctx.sector]
        if mine:  # the design's strata, collapsed ones included (``eti+ge``)
            labels = [
                " + ".join(ctx.size_label(t, short=True) for t in s["taille"].split("+"))
                for s in mine
            ]
            respondents = [int(s["n"] or 0) for s in mine]
            population = [math.nan if s["N"] is None else s["N"] for s in mine]
        else:
            labels = [ctx.size_label(s) for s in ctx.sizes()]
            respondents = [ctx.respondents(f"{ctx.domain};taille={s}") for s in ctx.sizes()]
            population = [math.nan] * len(labels)
    else:
        head = ctx.t("sector")
        sectors = ctx.sectors()
        labels = [ctx.sector_label(s) for s in sectors]
        respondents = [ctx.respondents(f"secteur={s}") for s in sectors]
        population = [
            sum(st["N"] or 0 for st in strata if st["secteur"] == s) if strata else math.nan
            for s in sectors
        ]
    columns: dict[str, list[Any]] = {head: labels, resp_col: respondents, pop_col: population}
    kinds = {head: "label", resp_col: "count", pop_col: "count"}
    title = ctx.pick(
        "Répondants et population de référence", "Respondents and reference population"
    )
    return title, _frame(columns), _notes(ctx), kinds


def _files(ctx: ReportContext) -> Built:
    files = quality_files(ctx)
    cols = {
        ctx.pick("Fichier", "File"): ("label", files["file"].tolist()),
        ctx.pick("Feuille", "Sheet"): ("text", files["sheet"].tolist()),
        ctx.pick("Lignes lues", "Rows read"): ("count", files["read"].tolist()),
        ctx.pick("Retenues", "Kept"): ("count", files["kept"].tolist()),
        ctx.pick("Rejetées", "Rejected"): ("count", files["rejected"].tolist()),
        ctx.pick("Hors champ", "Out of scope"): ("count", files["out_of_scope"].tolist()),
        ctx.pick("Valeurs corrigées", "Values corrected"): (
            "count",
            files["corrected"].tolist(),
        ),
    }
    columns = {k: v for k, (_, v) in cols.items()}
    kinds = {k: kind for k, (kind, _) in cols.items()}
    title = ctx.pick(
        "Lignes reçues, retenues et rejetées par fichier",
        "Rows received, kept and rejected by file",
    )
    note = ctx.pick(
        "Pour chaque fichier, lignes lues = lignes retenues + lignes rejetées + lignes hors "
        "champ (entreprises d'un secteur que l'étude ne couvre pas). Les valeurs corrigées sont "
        "des réponses recodées automatiquement (libellé remplacé par son code, date ou nombre "
        "remis en forme) ; une ligne peut en compter plusieurs. L'empreinte de chaque fichier "
        "figure dans le fichier quality.json des données traitées.",
        "For each file, rows read = rows kept + rows rejected + rows out of scope (firms of a "
        "sector the study does not cover). Values corrected are answers recoded automatically "
        "(a label replaced by its code, a date or number reformatted); a row may have several. "
        "Each file's fingerprint is in the processed data's quality.json.",
    )
    return (
        title,
        _frame(columns),
        [
            f"{ctx.t('source')}{' : ' if ctx.language == 'fr' else ': '}{ctx.source_line}",
            f"{ctx.t('note')}{' : ' if ctx.language == 'fr' else ': '}{note}",
        ],
        kinds,
    )


def _rule_counts(ctx: ReportContext, counts: pd.DataFrame, title: str, rule_head: str) -> Built:
    counts = counts.assign(rule=[rule_label(ctx, str(r)) for r in counts["rule"]])
    file_col, rule_col, count_col = (
        ctx.pick("Fichier", "File"),
        rule_head,
        ctx.pick("Nombre", "Count"),
    )
    counts = counts.sort_values(["file", "count", "rule"], ascending=[True, False, True])
    columns = {
        rule_col: counts["rule"].tolist(),
        file_col: counts["file"].tolist(),
        count_col: counts["count"].astype(int).tolist(),
    }
    kinds = {rule_col: "label", file_col: "text", count_col: "count"}
    sep = " : " if ctx.language == "fr" else ": "
    return title, _frame(columns), [f"{ctx.t('source')}{sep}{ctx.source_line}"], kinds


def _corrections(ctx: ReportContext) -> Built:
    return _rule_counts(
        ctx,
        quality_counts(ctx, "corrections"),
        ctx.pick(
            "Corrections automatiques, par règle et par fichier",
            "Automatic corrections, by rule and file",
        ),
        ctx.pick("Règle de correction", "Correction rule"),
    )


def _rejects(ctx: ReportContext) -> Built:
    return _rule_counts(
        ctx,
        rejects_by_reason(ctx),
        ctx.pick(
            "Lignes rejetées, par motif principal et par fichier",
            "Rejected rows, by main reason and file",
        ),
        ctx.pick("Motif de rejet", "Reason"),
    )


def _findings(ctx: ReportContext) -> Built:
    counts = findings_by_rule(ctx)
    severity = {
        "error": ctx.pick("bloquant", "blocking"),
        "warning": ctx.pick("avertissement", "warning"),
    }
    counts = counts.assign(
        rule=[
            f"{r} ({severity.get(s, s)})" if s else r
            for r, s in zip(counts["rule"], counts["severity"], strict=True)
        ]
    )
    return _rule_counts(
        ctx,
        counts.loc[:, ["file", "rule", "count"]],
        ctx.pick("Constats de contrôle, par règle et par fichier", "Data checks, by rule and file"),
        ctx.pick("Règle (gravité)", "Rule (severity)"),
    )


def _evolution(ctx: ReportContext) -> Built:
    """Key indicators at each wave, and the change since the previous wave with its test."""
    data = evolution_rows(ctx)
    labels = list(dict.fromkeys(data["label"]))
    waves = list(dict.fromkeys(data["wave"]))
    head = ctx.t("indicator")
    columns: dict[str, list[Any]] = {head: labels}
    kinds = {head: "label"}
    by_key = {(r["label"], r["wave"]): r for r in data.to_dict("records")}
    for wave in waves:
        rows = [by_key.get((label, wave)) for label in labels]
        _add_group(columns, kinds, ctx, wave, rows)
    if len(waves) >= 2:
        last = waves[-1]
        change = ctx.pick(
            f"Évolution {waves[-2]}–{last} (points, IC 95 %)",
            f"Change {waves[-2]}–{last} (points, 95% CI)",
        )
        flag = ctx.pick("Significative (5 %)", "Significant (5%)")
        columns[change] = []
        columns[flag] = []
        for label in labels:
            row = by_key.get((label, last))
            columns[change].append(change_text(ctx, row) if row is not None else tx.MISSING)
            columns[flag].append(
                significance_text(ctx, row["significant"]) if row is not None else tx.MISSING
            )
        kinds[change], kinds[flag] = "text", "text"
    title = ctx.pick(
        "Indicateurs clés par vague d'enquête et évolution (en %)",
        "Key indicators by survey wave and change (%)",
    )
    note = ctx.pick(
        "Écart testé entre échantillons indépendants (test z au seuil de 5 %) ; approximatif et "
        "prudent si les mêmes entreprises répondent aux deux vagues. Pas de test quand une case "
        "n'est pas diffusée.",
        "Difference tested between independent samples (z test at the 5% level); approximate "
        "and conservative when the same companies answer both waves. No test when a cell is "
        "not published.",
    )
    return title, _frame(columns), _notes(ctx, note=note), kinds


# --------------------------------------------------------------------------------------------
# Layouts: which tables each report shows, in order (their numbers are their positions)

_BUILDERS: dict[str, Callable[[ReportContext], Built]] = {
    "stade": lambda c: _items_table(c, "ia_stade"),
    "technologies": lambda c: _items_table(c, "techno"),
    "fonctions": lambda c: _items_table(c, "usages"),
    "generative": lambda c: _items_table(c, "ia_generative", sort=False),
    "taille": _usage_by_size,
    "effectifs": lambda c: _items_table(c, "impact_effectifs"),
    "familles": lambda c: _wide_scale_table(
        c,
        [f"impact_famille__{i}" for i in c.dictionary["impact_famille"].items],
        c.pick(
            "Effet attendu de l'IA sur l'emploi, par famille de métiers (en %)",
            "Expected effect of AI on jobs, by job family (%)",
        ),
    ),
    "taches": lambda c: _items_table(c, "taches_automatisables"),
    "nouveaux_metiers": lambda c: _items_table(c, "nouveaux_metiers"),
    "recrutement": lambda c: _items_table(c, "difficulte_recrutement"),
    "besoins": lambda c: _items_table(
        c,
        "besoin_comp",
        level="top2",
        title=c.pick(
            "Besoin fort ou très fort, par compétence (en %)",
            "High or very high need, by skill (%)",
        ),
    ),
    "besoins_taille": _skills_by_size,
    "prioritaire": lambda c: _items_table(c, "competence_prioritaire", sort=True),
    "formes": lambda c: _items_table(c, "part_formes_ia"),
    "publics": lambda c: _items_table(c, "publics_prioritaires"),
    "formats": lambda c: _items_table(c, "formats_formation"),
    "duree": lambda c: _items_table(c, "duree_formation"),
    "financement": lambda c: _items_table(c, "financement"),
    "freins": lambda c: _items_table(c, "freins"),
    "opinions": _opinions,
    "comparaison": _comparison,
    "evolution": _evolution,
    "echantillon": _sample,
    "fichiers": _files,
    "secteurs": _sectors_table,
    "departements": _departements_table,
    "classement_usage": lambda c: _ranking(c, "ia_usage", ""),
    "classement_generative": lambda c: _ranking(c, "ia_generative", "outil_entreprise"),
    "classement_opportunite": lambda c: _ranking(c, "opinion_opportunite", "top2"),
    "classement_formes": lambda c: _ranking(c, "part_formes_ia", "aucun"),
    "corrections": _corrections,
    "rejets": _rejects,
    "constats": _findings,
}

#: report kind -> [(section key of report.SECTIONS, [table keys])]
LAYOUTS: dict[str, list[tuple[str, list[str]]]] = {
    "secteur": [
        ("adoption", ["stade", "technologies", "fonctions", "generative", "taille"]),
        ("emploi", ["effectifs", "familles", "taches", "nouveaux_metiers", "recrutement"]),
        ("competences", ["besoins", "besoins_taille", "prioritaire"]),
        ("formation", ["formes", "publics", "formats", "duree", "financement"]),
        ("freins", ["freins", "opinions"]),
        ("comparaison", ["comparaison"]),
        ("annexe", ["echantillon"]),
    ],
    "chiffres_cles": [("comparaison", ["comparaison"])],
    "synthese": [
        ("carte", ["secteurs"]),
        ("departements", ["departements"]),
        (
            "classements",
            [
                "classement_usage",
                "classement_generative",
                "classement_opportunite",
                "classement_formes",
            ],
        ),
        ("annexe", ["echantillon", "fichiers"]),
    ],
    "qualite": [
        ("fichiers", ["fichiers"]),
        ("corrections", ["corrections"]),
        ("rejets", ["rejets"]),
        ("constats", ["constats"]),
    ],
}


#: sections of the sector report whose tables the report shows (the others: Excel only)
SHOWN_SECTIONS = ("comparaison", "evolution", "annexe")


def report_kind(ctx: ReportContext, kind: str | None) -> str:
    """The kind of a report: ``kind``, else ``secteur`` with a sector, ``synthese`` without."""
    return kind or ("secteur" if ctx.sector else "synthese")


def layout(ctx: ReportContext, kind: str) -> list[tuple[str, list[str]]]:
    """The sections and tables of a report: :data:`LAYOUTS`, plus the evolution section
    (before the annex) when the study has two waves or more."""
    sections = list(LAYOUTS[kind])
    if kind in ("secteur", "synthese"):
        if has_evolution(ctx):
            at = next((i for i, (s, _) in enumerate(sections) if s == "annexe"), len(sections))
            sections.insert(at, ("evolution", ["evolution"]))
        # only the tables of questions the survey asked, only the sections left with one
        sections = [(s, [k for k in keys if ctx.shows(k)]) for s, keys in sections]
        sections = [(s, keys) for s, keys in sections if keys]
    if kind == "synthese" and not any(
        ctx.row("ia_usage", "", f"departement={c}") for c in ctx.dictionary.departements
    ):  # a study not estimated by département
        sections = [s for s in sections if s[0] != "departements"]
    if kind == "secteur":  # the tables the report shows come first and keep their numbers
        shown = [s for s in sections if s[0] in SHOWN_SECTIONS]
        sections = shown + [s for s in sections if s[0] not in SHOWN_SECTIONS]
    return sections


def _number(kind: str, key: str, ctx: ReportContext | None = None) -> int:
    number = 0
    for _, keys in layout(ctx, kind) if ctx is not None else LAYOUTS[kind]:
        for k in keys:
            number += 1
            if k == key:
                return number
    raise KeyError(f"tableau inconnu pour le rapport {kind!r} : {key!r}")


def build_table(ctx: ReportContext, key: str, *, kind: str | None = None) -> ReportTable:
    """Build one table of a report, numbered by its position in the report's layout.

    ``kind`` is ``secteur``, ``synthese`` or ``qualite`` (default: ``secteur`` when the
    context has a sector, else ``synthese``).
    """
    kind = report_kind(ctx, kind)
    title, frame, notes, kinds = _BUILDERS[key](ctx)
    return ReportTable(_number(kind, key, ctx), title, frame, notes, kinds, key=key)


def report_tables(ctx: ReportContext, *, kind: str | None = None) -> list[TableSection]:
    """Every table of a report, grouped by section (one Excel sheet per section).

    The tables are the ones the report shows, with the same numbers and titles.
    """
    kind = report_kind(ctx, kind)
    sections = []
    for section, keys in layout(ctx, kind):
        fr, en = SECTIONS[section]
        sections.append(
            TableSection(ctx.pick(fr, en), [build_table(ctx, key, kind=kind) for key in keys])
        )
    return sections


def show(ctx: ReportContext, key: str, *, kind: str | None = None) -> Html:
    """Build a table of the report and return its HTML (what a notebook cell displays);
    nothing for a table of questions the survey did not ask."""
    if not ctx.shows(key):
        return Html("")
    return table_html(build_table(ctx, key, kind=kind), ctx)
