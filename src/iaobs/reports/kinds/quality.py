"""The data-quality report: what happened to every row received, in words and in a chart.

Rows read = rows kept + rows rejected + rows out of scope, for every file; the counts come from
``quality.json`` (:mod:`iaobs.reports.counts`); no value of any row is shown.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from iaobs.core import text as tx
from iaobs.core.typography import plural
from iaobs.reports.context import Html, ReportContext
from iaobs.reports.counts import counted_text, quality_files
from iaobs.reports.figures import BLUE, OKABE_ITO, WIDTH_IN, _wrap, apply_theme, figure_html
from iaobs.reports.markup import paragraph

__all__ = ["chart_quality", "quality_summary"]


def quality_summary(ctx: ReportContext) -> Html:
    """Opening paragraph of the data-quality report: rows read, kept, rejected, and the check
    that no row was lost (read = kept + rejected) for every file."""
    files = quality_files(ctx)
    if files.empty:
        return Html(
            paragraph(
                ctx.pick("Aucun fichier n'a encore été traité.", "No file has been processed yet.")
            )
        )
    balanced = files["read"] == files["kept"] + files["rejected"] + files["out_of_scope"]
    text = ctx.pick(
        f"{counted_text(ctx, files)}, "
        f"{plural(int(files['corrected'].sum()), 'correction automatique', 'corrections automatiques')}.",
        f"{counted_text(ctx, files)}, "
        f"{plural(int(files['corrected'].sum()), 'automatic correction', language='en')}.",
    )
    if balanced.all():
        check = ctx.pick(
            "Pour chaque fichier, lignes lues = lignes retenues + lignes rejetées + lignes hors "
            "champ : aucune ligne n'est perdue.",
            "For every file, rows read = rows kept + rows rejected + rows out of scope: no row "
            "is lost.",
        )
    else:
        names = ", ".join(files.loc[~balanced, "file"])
        check = ctx.pick(
            f"Attention : lignes lues ≠ retenues + rejetées + hors champ pour {names}.",
            f"Warning: rows read ≠ kept + rejected + out of scope for {names}.",
        )
    privacy = ctx.pick(
        "Ce rapport donne des comptes par règle ; il ne reproduit aucune valeur "
        "confidentielle ni aucune réponse en texte libre.",
        "This report gives counts by rule; it shows no confidential value and no free-text answer.",
    )
    return Html(paragraph(text) + paragraph(check) + paragraph(privacy) + _secrecy_paragraph(ctx))


def _secrecy_paragraph(ctx: ReportContext) -> str:
    """Personal data masked in free text (``quality.json``) and the secrecy audit's verdict
    (``weighting.json``, ``secret``), in one paragraph; empty when neither is known."""
    fmt = ctx.language
    masked = (ctx.quality.get("totals") or {}).get("personal_data_masked") or {}
    parts = []
    if masked:
        n = tx.format_number(sum(int(v) for v in masked.values()), language=fmt)
        parts.append(
            ctx.pick(
                f"Données personnelles masquées dans les textes libres : {n} "
                "(courriels, téléphones, SIREN/SIRET, IBAN, noms).",
                f"Personal data masked in free text: {n} "
                "(e-mails, phone numbers, SIREN/SIRET, IBAN, names).",
            )
        )
    audit = ctx.weighting.get("secret") or {}
    if audit:
        hidden = tx.format_number(int(audit.get("cellules_masquees", 0)), language=fmt)
        added = tx.format_number(int(audit.get("secret_secondaire_ajoute", 0)), language=fmt)
        level = tx.format_number(float(audit.get("niveau_protection_part", 0)) * 100, language=fmt)
        ok = audit.get("conforme", False)
        parts.append(
            ctx.pick(
                f"Audit du secret statistique : {hidden} cases masquées par les règles primaires, "
                f"{added} par le secret secondaire ; "
                + (
                    f"aucune ne peut être encadrée à moins de {level} points près à partir des "
                    "chiffres publiés."
                    if ok
                    else "des cases restent insuffisamment protégées."
                ),
                f"Statistical secrecy audit: {hidden} cells hidden by the primary rules, {added} "
                "by secondary suppression; "
                + (
                    f"none can be bounded closer than {level} points from the published figures."
                    if ok
                    else "some cells remain insufficiently protected."
                ),
            )
        )
    parts.extend(_release_sentence(ctx))
    return "".join(paragraph(x) for x in parts)


def _release_sentence(ctx: ReportContext) -> list[str]:
    """The release audit's verdict (``weighting.json``, ``audit_diffusion``): every file
    published for the wave attacked as an intruder would."""
    audit = ctx.weighting.get("audit_diffusion") or {}
    if not audit:
        return []
    fmt = ctx.language
    files = tx.format_number(int(audit.get("fichiers_lus", 0)), language=fmt)
    numbers = tx.format_number(int(audit.get("nombres_lus", 0)), language=fmt)
    cells = tx.format_number(int(audit.get("cellules_attaquees", 0)), language=fmt)
    narrow = audit.get("intervalle_le_plus_etroit_points")
    width = tx.format_number(float(narrow), language=fmt) if narrow is not None else ""
    ok = bool(audit.get("conforme", False))
    fr = (
        f"Audit de la diffusion : {files} fichiers publiés relus ({numbers} nombres), "
        f"{cells} cases masquées attaquées par soustraction et programmation linéaire ; "
        + (
            "aucune n'est retrouvée"
            + (f", l'intervalle le plus étroit couvre {width} points." if width else ".")
            if ok
            else "des cases masquées peuvent être retrouvées."
        )
    )
    en = (
        f"Release audit: {files} published files read back ({numbers} numbers), {cells} "
        "hidden cells attacked by subtraction and linear programming; "
        + (
            "none is recovered"
            + (f", the narrowest interval spans {width} points." if width else ".")
            if ok
            else "some hidden cells can be recovered."
        )
    )
    return [ctx.pick(fr, en), *_release_details(ctx, audit)]


def _release_details(ctx: ReportContext, audit: dict[str, object]) -> list[str]:
    """What the audit read besides the tables of indicators: the reports' sentences, the
    tables of persons and counts, the earlier waves."""
    if "texte_nombres_marques" not in audit:
        return []
    lang = ctx.language

    def count(key: str, fr: str, en: str, plural_fr: str, plural_en: str) -> str:
        value = int(audit.get(key, 0) or 0)  # type: ignore[call-overload]
        if lang == "en":
            return plural(value, en, plural_en, language="en")
        return plural(value, fr, plural_fr)

    marked = count(
        "texte_nombres_marques", "nombre rattaché", "number", "nombres rattachés", "numbers"
    )
    tied = count(
        "texte_pourcentages_rattaches",
        "pourcentage rattaché",
        "percentage",
        "pourcentages rattachés",
        "percentages",
    )
    tables = count(
        "tableaux_cellules_attaquees",
        "case masquée attaquée",
        "hidden cell",
        "cases masquées attaquées",
        "hidden cells",
    )
    fr = (
        f"Le texte des rapports est relu aussi : {marked} par le générateur à la case d'où "
        f"vient chaque nombre, {tied} par valeur ; dans les tableaux de personnes et de "
        f"comptes, {tables} par différence avec leur total."
    )
    en = (
        f"The reports' text is read too: {marked} tied to their cell by the generator, {tied} "
        f"tied by their value; in the tables of persons and counts, {tables} attacked by "
        "difference with their total."
    )
    out = [ctx.pick(fr, en)]
    waves = audit.get("vagues_precedentes_attaquees") or []
    if isinstance(waves, list) and waves:
        given = count(
            "valeurs_vagues_precedentes", "valeur donnée", "value", "valeurs données", "values"
        )
        names = ", ".join(str(w) for w in waves)
        out.append(
            ctx.pick(
                f"Vagues précédentes ({names}) : {given} par l'évolution entre vagues, "
                "confrontées au secret de leur vague.",
                f"Earlier waves ({names}): {given} given by the change between waves, checked "
                "against the secrecy of their wave.",
            )
        )
    return out


def chart_quality(ctx: ReportContext) -> Html:
    """Rows kept and rejected per source file (stacked horizontal bars, counts)."""
    files = quality_files(ctx)
    apply_theme()
    n = max(len(files), 1)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.8 + 0.36 * n), layout="constrained")
    y = np.arange(len(files))
    kept = files["kept"].to_numpy(float)
    rejected = files["rejected"].to_numpy(float)
    ax.barh(y, kept, color=BLUE, height=0.6, label=ctx.pick("Retenues", "Kept"), zorder=2)
    ax.barh(
        y,
        rejected,
        left=kept,
        color=OKABE_ITO["vermillion"],
        height=0.6,
        label=ctx.pick("Rejetées", "Rejected"),
        zorder=2,
    )
    for yi, (k, r) in enumerate(zip(kept, rejected, strict=True)):
        ax.annotate(
            f"{tx.format_number(k, language=ctx.language)} + {tx.format_number(r, language=ctx.language)}",
            (k + r, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    ax.set_yticks(y, [_wrap(f, 40) for f in files["file"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: tx.format_number(v, language=ctx.language))
    )
    ax.set_xlim(0, max(float((kept + rejected).max()) * 1.25 if len(files) else 1.0, 1.0))
    ax.set_xlabel(ctx.pick("Lignes lues", "Rows read"))
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=True)
    title = ctx.pick(
        "Lignes retenues et rejetées, par fichier reçu", "Rows kept and rejected, by file received"
    )
    alt = (
        ctx.pick("Barres empilées par fichier", "Stacked bars by file")
        + ". "
        + ctx.pick(" ; ", "; ").join(
            f"{f} : {tx.format_number(k, language=ctx.language)} / {tx.format_number(r, language=ctx.language)}"
            for f, k, r in zip(files["file"], kept, rejected, strict=True)
        )
        + "."
    )
    lecture = None
    if len(files):
        lecture = ctx.pick(
            f"Sur les {tx.format_number(files['read'].iloc[0])} lignes lues dans « {files['file'].iloc[0]} », "
            f"{tx.format_number(kept[0])} sont retenues et {tx.format_number(rejected[0])} rejetées.",
            f"Of the {tx.format_number(files['read'].iloc[0], language='en')} rows read in “{files['file'].iloc[0]}”, "
            f"{tx.format_number(kept[0], language='en')} are kept and {tx.format_number(rejected[0], language='en')} rejected.",
        )
    champ = ctx.pick(
        "Fichiers de données reçus pour l'enquête.", "Data files received for the survey."
    )
    return figure_html(fig, ctx=ctx, title=title, alt=alt, lecture=lecture, champ=champ)
