"""The blocks every report of the observatory shares: cover, L'essentiel, definitions and the
methodology annex, each an :class:`~iaobs.reports.markup.Html` string built from a
:class:`~iaobs.reports.context.ReportContext`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iaobs.core import text as tx
from iaobs.core.typography import plural
from iaobs.core.version import __version__
from iaobs.reports import questions, tables
from iaobs.reports.context import ReportContext
from iaobs.reports.counts import counted_text, quality_files
from iaobs.reports.keyfigures import key_figures
from iaobs.reports.markup import Html, esc, paragraph
from iaobs.reports.weighting import design_variable, weighting_facts

__all__ = ["cover", "cover_html", "definitions", "essentiel", "methodology"]


def _report_title(ctx: ReportContext, kind: str) -> str:
    if kind == "qualite":
        return ctx.pick("Qualité des données de l'enquête", "Survey data quality")
    if kind == "synthese" or not ctx.sector:
        return ctx.pick(
            "L'intelligence artificielle et les compétences : synthèse régionale",
            "Artificial intelligence and skills: regional overview",
        )
    return ctx.pick(
        f"L'intelligence artificielle et les compétences : {ctx.sector_label()}",
        f"Artificial intelligence and skills: {ctx.sector_label()}",
    )


def cover(ctx: ReportContext, kind: str = "secteur") -> Html:
    """The cover: observatory, report title (the only ``h1``), region, sector, wave, date, n.

    ``kind`` is ``secteur``, ``synthese`` or ``qualite``.
    """
    kind_label = {
        "secteur": ctx.t("report_sector"),
        "synthese": ctx.t("report_synthesis"),
        "qualite": ctx.t("report_quality"),
        "chiffres_cles": ctx.pick("Chiffres clés", "Key figures"),
    }.get(kind, "")
    rows = [(ctx.t("region"), ctx.study.region)]
    if ctx.sector:
        rows.append((ctx.t("sector"), ctx.sector_label()))
    rows.append((ctx.t("wave"), ctx.study.wave))
    rows.append((ctx.t("date"), ctx.date_text))
    if kind == "qualite":
        files = quality_files(ctx)
        rows.append(
            (
                ctx.pick("Fichiers reçus", "Files received"),
                tx.format_number(len(files), language=ctx.language),
            )
        )
    else:
        rows.append(
            (ctx.t("respondents"), tx.format_number(ctx.respondents(), language=ctx.language))
        )
    return cover_html(ctx, kind_label, _report_title(ctx, kind), rows)


def cover_html(
    ctx: ReportContext, kind_label: str, title: str, facts: Sequence[tuple[str, str]]
) -> Html:
    """The cover block every full report shares: observatory, kind of report, title (the
    page's only ``h1``) and a list of facts (term, value), all escaped."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return Html(
        '<section class="iaobs-cover">'
        f'<p class="iaobs-cover-observatory">{esc(ctx.study.title)}</p>'
        f'<p class="iaobs-cover-kind">{esc(kind_label)}</p>'
        f"<h1>{esc(title)}</h1>"
        f'<dl class="iaobs-cover-facts">{items}</dl>'
        "</section>"
    )


def essentiel(ctx: ReportContext) -> Html:
    """L'essentiel: the key figures as sentences, with the prudence note when needed."""
    figures = key_figures(ctx)
    items = "".join(f"<li>{esc(f.sentence)}</li>" for f in figures)
    note = ""
    if any(f.flag == "prudence" for f in figures):
        note = f'<p class="iaobs-notes">{esc(ctx.t("prudence_note"))}</p>'
    return Html(
        '<div class="iaobs-essentiel">'
        f'<h2 id="essentiel">{esc(ctx.t("essentiel"))}</h2>'
        f"<ul>{items}</ul>{note}</div>"
    )


def definitions(ctx: ReportContext) -> Html:
    """The encadré "Définitions": generative AI, adoption stage, size classes."""
    sizes = ctx.pick(" ; ", "; ").join(
        f"{tx.upper_first(ctx.size_label(code, short=True))}{ctx.pick(' : ', ': ')}"
        f"{_headcount(ctx, code)}"
        for code in ctx.sizes()
    )
    entries = [
        (
            ctx.pick("IA générative", "Generative AI"),
            ctx.pick(
                "Outils d'intelligence artificielle qui produisent du texte, du code, des "
                "images ou des sons à partir d'une demande (par exemple les assistants "
                "conversationnels).",
                "AI tools that produce text, code, images or sounds from a prompt (for "
                "instance chat assistants).",
            ),
        ),
        (
            ctx.pick("Stade d'adoption", "Adoption stage"),
            ctx.pick(
                "Position déclarée de l'entreprise, de l'absence d'usage ou de projet à la "
                "veille, à l'expérimentation (test, preuve de concept), au déploiement partiel "
                "puis généralisé.",
                "The company's stated position: no use or project, watching, experimenting "
                "(pilot), partly deployed, widely deployed.",
            ),
        ),
        (
            ctx.pick("Utilisation de l'IA", "Use of AI"),
            ctx.pick(
                "Une entreprise utilise l'IA si elle déclare au moins une des technologies de "
                "la liste d'Eurostat (analyse de texte, reconnaissance vocale, génération de "
                "langage ou d'images, reconnaissance d'images, apprentissage automatique, "
                "automatisation de processus, robots autonomes).",
                "A company uses AI when it reports at least one technology of Eurostat's list.",
            ),
        ),
        (
            ctx.pick("TPE, PME, ETI, GE", "Size classes"),
            ctx.pick(
                f"Catégories d'entreprises approchées par l'effectif salarié. {sizes}.",
                f"Company size classes approximated by headcount. {sizes}.",
            ),
        ),
    ]
    body = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in entries)
    return Html(
        '<aside class="iaobs-encadre">'
        f'<p class="iaobs-encadre-title">{esc(ctx.t("definitions"))}</p>'
        f"<dl>{body}</dl></aside>"
    )


# --------------------------------------------------------------------------------------------
# Methodology annex (quality and weighting notes are read leniently: older files may lack keys)


def methodology(ctx: ReportContext, kind: str | None = None) -> Html:
    """The methodology annex (without its tables, which :mod:`iaobs.reports.tables` numbers).

    Covers the sample, weighting (collapsed strata, raking, trimming, design effect),
    intervals, secrecy rules with the study's thresholds, data quality, provenance and the
    rounding note.
    """
    parts: list[str] = ['<section class="iaobs-annexe">', str(ctx.heading(2, "annexe"))]
    parts += _sample_part(ctx, kind)
    parts += _weighting_part(ctx)
    parts += _intervals_part(ctx)
    parts += _secrecy_part(ctx)
    parts += _quality_part(ctx, kind)
    parts.append("</section>")
    return Html("".join(parts))


def _h3(text: str) -> str:
    return f"<h3>{esc(text)}</h3>"


def _sample_part(ctx: ReportContext, kind: str | None) -> list[str]:
    """Who answered, and the table of respondents and population."""
    fmt = ctx.language
    n_all = ctx.respondents("all")
    text = ctx.pick(
        f"L'enquête a été menée en {ctx.study.wave} auprès des entreprises des secteurs de "
        f"l'observatoire implantées en région {ctx.study.region}. "
        f"{tx.format_number(n_all, language=fmt)} entreprises ont répondu"
        + (
            f", dont {tx.format_number(ctx.respondents(), language=fmt)} dans le secteur "
            f"{ctx.sector_label()}."
            if ctx.sector
            else "."
        ),
        f"The survey was run in {ctx.study.wave} among companies of the observatory's "
        f"sectors located in the {ctx.study.region} region. "
        f"{tx.format_number(n_all, language=fmt)} companies answered"
        + (
            f", {tx.format_number(ctx.respondents(), language=fmt)} of them in the "
            f"{ctx.sector_label()} sector."
            if ctx.sector
            else "."
        ),
    )
    return [
        _h3(ctx.pick("Échantillon", "Sample")),
        paragraph(text),
        str(tables.show(ctx, "echantillon", kind=kind)),
    ]


def _weighting_part(ctx: ReportContext) -> list[str]:
    """How the weights were made: strata, collapsed strata, raking, bounds, design effect."""
    strata = " × ".join(design_variable(ctx, v) for v in ctx.study.weighting.strata)
    parts = [
        _h3(ctx.pick("Pondération", "Weighting")),
        paragraph(
            ctx.pick(
                f"Chaque réponse reçoit un poids égal au nombre d'entreprises de sa strate "
                f"({strata}) divisé par le nombre de répondants de la strate, d'après les "
                "effectifs d'entreprises de la population de référence.",
                f"Each answer is weighted by the number of companies of its stratum ({strata}) "
                "divided by the number of respondents of the stratum, from the reference "
                "population counts.",
            )
        ),
    ]
    facts = weighting_facts(ctx)
    if facts["collapsed"]:
        parts.append(
            paragraph(
                ctx.pick(
                    "Strates sans répondant regroupées avec la classe de taille la plus proche "
                    "de leur secteur : ",
                    "Strata without respondents merged with the nearest size class of their "
                    "sector: ",
                )
                + ctx.pick(" ; ", "; ").join(facts["collapsed"])
                + "."
            )
        )
    if facts["margins"]:
        margins_text = ", ".join(facts["margins"])
        n_iter = int(facts["iterations"] or 0)
        noun = plural(n_iter, ctx.pick("itération", "iteration"), language=ctx.language)
        parts.append(
            paragraph(
                ctx.pick(
                    f"Les poids sont ensuite calés (raking) sur les marges : {margins_text}",
                    f"Weights are then raked to the margins: {margins_text}",
                )
                + (ctx.pick(f", en {noun}.", f", in {noun}.") if n_iter else ".")
            )
        )
    parts += _bounds_and_design_effect(ctx, facts)
    parts += [paragraph(note) for note in facts["notes"]]
    return parts


def _headcount(ctx: ReportContext, code: str) -> str:
    """A size class's headcount bounds in words: « de 10 à 249 salariés », « 5 000 salariés
    et plus » (the label itself when the dictionary gives no bounds)."""
    size = ctx.dictionary.size_classes.get(code)
    if size is None:
        return ctx.size_label(code)
    low = tx.format_number(size.min, language=ctx.language)
    if size.max is None:
        return ctx.pick(f"{low} salariés et plus", f"{low} employees or more")
    high = tx.format_number(size.max, language=ctx.language)
    return ctx.pick(f"de {low} à {high} salariés", f"{low} to {high} employees")


def _bounds_and_design_effect(ctx: ReportContext, facts: dict[str, Any]) -> list[str]:
    """The bounds of the calibration and the design effect, when the weighting notes hold them."""
    fmt = ctx.language
    parts = []
    if facts["trim_ratio"] is not None:
        value = float(facts["trim_ratio"])
        ratio = (
            tx.format_number(int(value), language=fmt)
            if value.is_integer()
            else tx.format_decimal(value, language=fmt)
        )
        trimmed = int(facts["trimmed"] or 0)
        if trimmed == 0:
            reached = ctx.pick("aucun poids n'atteint une borne", "no weight reaches a bound")
        elif trimmed == 1:
            reached = ctx.pick("1 poids atteint une borne", "1 weight reaches a bound")
        else:
            count = tx.format_number(trimmed, language=fmt)
            reached = ctx.pick(
                f"{count} poids atteignent une borne", f"{count} weights reach a bound"
            )
        parts.append(
            paragraph(
                ctx.pick(
                    f"Le calage est borné : chaque poids reste entre 1/{ratio} et {ratio} fois "
                    f"son poids de sondage ({reached}).",
                    f"The calibration is bounded: each weight stays between 1/{ratio} and "
                    f"{ratio} times its design weight ({reached}).",
                )
            )
        )
    deff, neff = facts["deff"], facts["n_eff"]
    if deff or neff:
        where = (
            ctx.pick("du secteur", "of the sector")
            if ctx.sector
            else ctx.pick("de l'ensemble", "overall")
        )
        deff_text = tx.format_decimal(deff, decimals=2, language=fmt) if deff else "–"
        neff_text = tx.format_number(neff, language=fmt) if neff else "–"
        parts.append(
            paragraph(
                ctx.pick(
                    f"Effet de plan {where} : {deff_text} ; taille d'échantillon effective "
                    f"(Kish) : {neff_text}.",
                    f"Design effect {where}: {deff_text}; effective sample size (Kish): "
                    f"{neff_text}.",
                )
            )
        )
    return parts


def _intervals_part(ctx: ReportContext) -> list[str]:
    """How the confidence intervals are computed and read."""
    method = {
        "beta": ("de Korn et Graubard (loi bêta)", "Korn–Graubard (beta)"),
        "logit": ("sur l'échelle logit", "on the logit scale"),
        "wilson": ("de Wilson", "Wilson"),
    }.get(ctx.study.weighting.ci_method, (ctx.study.weighting.ci_method,) * 2)
    conf = tx.format_percent(ctx.study.weighting.confidence, language=ctx.language)
    return [
        _h3(ctx.pick("Intervalles de confiance", "Confidence intervals")),
        paragraph(
            ctx.pick(
                f"Chaque part est accompagnée de son intervalle de confiance à {conf} (IC), "
                f"calculé par la méthode {method[0]} à partir de la variance linéarisée, qui "
                "tient compte de la stratification et de la pondération. L'intervalle donne la "
                "plage dans laquelle se situe la vraie valeur avec une confiance de "
                f"{conf} ; deux intervalles qui se recouvrent ne permettent pas de conclure à "
                "une différence. Les réponses « ne sait pas » sont exclues de la base des "
                "pourcentages et présentées à part.",
                f"Each share comes with its {conf} confidence interval (CI), computed with the "
                f"{method[1]} method from the linearised variance, which accounts for "
                "stratification and weighting. Overlapping intervals do not allow concluding "
                "that two values differ. “Don't know” answers are left out of the base and "
                "shown apart.",
            )
        ),
    ]


def _secrecy_part(ctx: ReportContext) -> list[str]:
    """The rules of publication with the study's thresholds, rounding, questions not asked."""
    fmt = ctx.language
    th = ctx.thresholds
    pct_dom = tx.format_percent(th.secret_dominance, language=fmt)
    pct_cv = tx.format_percent(th.prudence_cv, language=fmt)
    width = tx.format_number(th.prudence_ci_width * 100, language=fmt)
    rules = (
        ctx.pick(
            f"s (secret statistique) : la case repose sur moins de {th.secret_min_firms} "
            f"entreprises, ou une entreprise y pèse plus de {pct_dom} du total ; "
            "elle n'est pas diffusée.",
            f"s (statistical confidentiality): the cell rests on fewer than "
            f"{th.secret_min_firms} companies, or one company weighs more than {pct_dom} "
            "of the total; it is not published.",
        ),
        ctx.pick(
            f"nd (non diffusé) : moins de {th.nd_below} répondants dans la base.",
            f"nd (not published): fewer than {th.nd_below} respondents in the base.",
        ),
        ctx.pick(
            f"(*) à interpréter avec prudence : moins de {th.prudence_below} répondants, "
            f"ou un coefficient de variation supérieur à {pct_cv}, ou un intervalle de "
            f"confiance plus large que {width} points.",
            f"(*) to be interpreted with caution: fewer than {th.prudence_below} "
            f"respondents, or a coefficient of variation above {pct_cv}, or a confidence "
            f"interval wider than {width} points.",
        ),
    )
    parts = [
        _h3(ctx.pick("Secret statistique et diffusion", "Confidentiality and publication rules")),
        "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in rules) + "</ul>",
        paragraph(
            ctx.pick(
                "Les pourcentages étant arrondis, leur total peut ne pas être égal à 100.",
                "Percentages are rounded, so totals may not add up to 100.",
            )
        ),
    ]
    not_asked = questions.not_asked_sentence(ctx)
    if not_asked:
        parts.append(paragraph(not_asked))
    return parts


def _quality_part(ctx: ReportContext, kind: str | None) -> list[str]:
    """The files read, kept and rejected, and the provenance of the numbers."""
    files = quality_files(ctx)
    parts = [_h3(ctx.pick("Qualité des données et provenance", "Data quality and provenance"))]
    if len(files):
        parts.append(
            paragraph(
                ctx.pick(
                    f"{counted_text(ctx, files)} (rejets : doublons, réponses incomplètes ou "
                    "incohérentes ; hors champ : entreprises d'un secteur que l'étude ne couvre "
                    "pas) ; le détail par fichier figure dans le rapport sur "
                    "la qualité des données.",
                    f"{counted_text(ctx, files)} (rejected: duplicates, incomplete or inconsistent "
                    "answers; out of scope: firms of a sector the study does not cover); "
                    "details per file in the data quality report.",
                )
            )
        )
        layout = tables.layout(ctx, tables.report_kind(ctx, kind))
        if any("fichiers" in keys for _, keys in layout):
            parts.append(str(tables.show(ctx, "fichiers", kind=kind)))
    parts.append(
        paragraph(
            ctx.pick(
                f"Traitements réalisés avec iaobs {__version__}. L'empreinte de chaque fichier "
                "exploité est consignée dans les fichiers techniques de l'étude (quality.json).",
                f"Processed with iaobs {__version__}. Each data file's fingerprint is recorded "
                "in the study's technical files (quality.json).",
            )
        )
    )
    return parts
