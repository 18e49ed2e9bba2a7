"""The numbered tables of the pilot-training report: participation and attrition, paired
changes between waves, satisfaction and recommendation, three months later, results by profile.

Each builder returns a tidy frame (see :mod:`iaobs.reports.tables` for the column kinds); the
tables are numbered by their rank in :data:`TRAINING_LAYOUT`, whether a notebook shows them one
by one (:func:`show`) or the workbook takes them all (:func:`training_tables`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.contract import PAIRED_YES_NO_COLUMNS
from iaobs.core.typography import plural
from iaobs.reports.kinds.caveats import points_word, rank_biserial_text
from iaobs.reports.kinds.training import (
    TRAINING_SECTIONS,
    TrainingContext,
    fmt_decimal,
    fmt_number,
    fmt_percent,
    format_p,
    nps_result,
    result_row,
)
from iaobs.reports.kinds.training_cells import distribution, persons_shown
from iaobs.reports.kinds.training_results import attrition, breakdown, mcnemar_table
from iaobs.reports.markup import Html
from iaobs.reports.table import (
    Built,
    ReportTable,
    TableSection,
    sections_from_layout,
    table_from_layout,
)
from iaobs.reports.tablehtml import table_html
from iaobs.stats.paired import EXACT_MCNEMAR_BELOW

__all__ = [
    "TRAINING_LAYOUT",
    "build_training_table",
    "show",
    "training_layout",
    "training_tables",
]

#: section -> table keys, in the order the report shows them (their numbers)
TRAINING_LAYOUT: list[tuple[str, list[str]]] = [
    ("participation", ["attrition", "attrition_famille", "attrition_secteur"]),
    ("progres", ["apparie_t1", "apparie_t2", "oui_non"]),
    ("satisfaction", ["satisfaction", "intention", "recommandation"]),
    ("trois_mois", ["temps_gagne"]),
    ("profils", ["profil_secteur", "profil_famille_metier", "profil_statut"]),
]

_BY_LABEL = {
    "secteur": ("secteur d'activité", "sector"),
    "famille_metier": ("famille de métiers", "job family"),
    "statut": ("catégorie socioprofessionnelle", "occupational category"),
}


def _notes(
    ctx: TrainingContext, champ: str, *, lecture: str | None = None, note: str | None = None
) -> list[str]:
    sep = " : " if ctx.language == "fr" else ": "
    lines = []
    if lecture:
        lines.append(f"{ctx.t('lecture')}{sep}{lecture}")
    lines.append(f"{ctx.t('champ')}{sep}{champ}")
    lines.append(f"{ctx.t('source')}{sep}{ctx.source_line}")
    if note:
        lines.append(f"{ctx.t('note')}{sep}{note}")
    return lines


def _champ_pairs(ctx: TrainingContext, before: str, after: str) -> str:
    return ctx.pick(
        f"Participants à la formation pilote ayant répondu à {before} et à {after} "
        "(appariés), ayant répondu à la question.",
        f"Pilot-training participants who answered at {before} and at {after} (paired) and "
        "answered the question.",
    )


def _attrition_table(ctx: TrainingContext, by: str | None) -> Built:
    table = attrition(ctx.formation, by=by, min_persons=ctx.min_persons)
    head = ctx.pick("Groupe", "Group")
    if by is None:
        labels = [ctx.pick("Ensemble des participants", "All participants")]
        title = ctx.pick("Participants à chaque vague", "Participants at each wave")
    else:
        labels = [ctx.group_label(by, g) for g in table["group"]]
        fr, en = _BY_LABEL[by]
        head = ctx.pick(fr.capitalize(), en.capitalize())
        title = ctx.pick(f"Participants et départs par {fr}", f"Participants and dropouts by {en}")
    frame = pd.DataFrame(
        {
            head: labels,
            "T0": table["t0"],
            ctx.pick("T1 (présents à T0)", "T1 (present at T0)"): table["t0_t1"],
            ctx.pick("T2 (présents à T0)", "T2 (present at T0)"): table["t0_t2"],
            ctx.pick("Présents à T0, T1 et T2", "Present at T0, T1 and T2"): table["t0_t1_t2"],
            ctx.pick("Part de T0 présente à T2", "Share of T0 present at T2"): table[
                "retention_t2"
            ],
            ctx.t("flag"): table["flag"],
        }
    )
    kinds = {c: "count" for c in frame.columns}
    kinds[head] = "label"
    kinds[frame.columns[5]] = "percent"
    kinds[ctx.t("flag")] = "flag"
    note = None
    if (table["flag"] == "nd").any():
        note = ctx.pick(
            f"Groupes de moins de {ctx.min_persons} participants non diffusés (nd), avec les "
            "plus petits des autres tant que les groupes non diffusés ne réunissent pas ensemble "
            f"{ctx.min_persons} participants dans chaque colonne.",
            f"Groups of fewer than {ctx.min_persons} participants not published (nd), with the "
            "smallest other ones until the groups not published hold together "
            f"{ctx.min_persons} participants in every column.",
        )
    champ = ctx.pick(
        "Participants à la formation pilote ayant répondu avant la formation (T0).",
        "Pilot-training participants who answered before the training (T0).",
    )
    return title, frame, _notes(ctx, champ, note=note), kinds


def _paired_frame(ctx: TrainingContext, before: str, after: str) -> Built:
    table = ctx.paired(before, after)
    label = ctx.t("item")
    diff = ctx.pick(f"Écart moyen {after} − {before}", f"Mean change {after} − {before}")
    frame = pd.DataFrame(
        {
            label: [ctx.column_label(c) for c in table["column"]],
            # the title says these are means: « Moyenne » alone was broken mid-word in the
            # narrowed printed table
            before: table["mean_before"],
            after: table["mean_after"],
            diff: table["mean_diff"],
            f"{diff} – {ctx.t('ci_low')}": table["diff_low"],
            f"{diff} – {ctx.t('ci_high')}": table["diff_high"],
            f"{diff} – {ctx.t('n')}": table["n"].astype(int),
            f"{diff} – {ctx.t('flag')}": table["flag"],
            ctx.pick("Part en hausse", "Share up"): [
                tx.MISSING if not r.n or r.flag == "nd" else fmt_percent(ctx, r.increased / r.n)
                for r in table.itertuples()
            ],
            ctx.pick("r rang-bisérial [IC 95 %]", "Rank-biserial r [95% CI]"): [
                rank_biserial_text(ctx, r) for r in table.itertuples()
            ],
            **_p_values(ctx, table, "Wilcoxon"),
        }
    )
    kinds = _kinds(frame, "mean", "text", "text", "text", "text")
    title = ctx.pick(
        f"Moyennes à {before} et à {after} : aisance (1 à 5), test (sur 20), fréquence "
        "d'usage (1 à 5) et opinions (1 à 5)",
        f"Means at {before} and {after}: confidence (1-5), test (out of 20), frequency "
        "of use (1-5) and opinions (1-5)",
    )
    first = result_row(table, "score_quiz")
    lecture = None
    if first and first["flag"] != "nd":
        lecture = ctx.pick(
            f"Les {fmt_number(ctx, first['n'])} participants présents à {before} et à {after} ont "
            f"obtenu en moyenne {fmt_decimal(ctx, first['mean_before'])} sur 20 au test à {before} et "
            f"{fmt_decimal(ctx, first['mean_after'])} à {after}, soit {fmt_decimal(ctx, first['mean_diff'])} "
            f"{points_word(first['mean_diff'])} de plus.",
            f"The {fmt_number(ctx, first['n'])} participants present at {before} and {after} scored "
            f"{fmt_decimal(ctx, first['mean_before'])} out of 20 on average at {before} and "
            f"{fmt_decimal(ctx, first['mean_after'])} at {after}, {fmt_decimal(ctx, first['mean_diff'])} "
            "points more.",
        )
    note = ctx.pick(
        "Fréquence : 1 = jamais … 5 = tous les jours ; opinions : 1 = pas du tout d'accord … "
        "5 = tout à fait d'accord (NSP exclus). Test de Wilcoxon des rangs signés (écarts nuls "
        "exclus) ; r rang-bisérial : de −1 (tous en baisse) à +1 (tous en hausse), intervalle "
        "par bootstrap ; intervalle de l'écart moyen : loi de Student. p ajustée : méthode de "
        "Holm sur les éléments du tableau (hors aisance moyenne), qui tient compte du nombre de "
        "tests. (1) Tous les écarts non nuls vont dans le même sens : r vaut ±1 et son "
        "intervalle par bootstrap ne peut pas varier ; il n'est pas donné. Ces écarts ne sont "
        "pas des effets de la formation (pas de groupe de comparaison).",
        "Frequency: 1 = never … 5 = daily; opinions: 1 = strongly disagree … 5 = strongly agree "
        "(don't know excluded). Wilcoxon signed-rank test (zero changes excluded); rank-biserial "
        "r from −1 (all down) to +1 (all up), bootstrap interval; interval of the mean change: "
        "Student's t. Adjusted p: Holm's method over the table's items (except mean "
        "confidence), which accounts for the number of tests. (1) Every non-zero change goes "
        "the same way: r is ±1 and its bootstrap interval cannot vary; it is not given. These "
        "changes are not effects of the training (no comparison group).",
    )
    return (
        title,
        frame,
        _notes(ctx, _champ_pairs(ctx, before, after), lecture=lecture, note=note),
        kinds,
    )


def _p_values(ctx: TrainingContext, table: pd.DataFrame, test: str) -> dict[str, list[str]]:
    """The columns of a test's p-values, raw and adjusted by Holm's method."""
    lang = ctx.language
    return {
        f"p ({test})": [format_p(p, lang) for p in table["p_value"]],
        ctx.pick("p ajustée (Holm)", "Holm-adjusted p"): [
            format_p(p, lang) for p in table["p_holm"]
        ],
    }


def _kinds(frame: pd.DataFrame, value: str, *rest: str) -> dict[str, str]:
    """The column kinds of a before/after table: label, the value before and after and their
    change (``value``), the change's interval, base and flag, then ``rest``."""
    change = "points" if value == "percent" else value  # a change of shares is in points
    kinds = ("label", value, value, change, "ci_low", "ci_high", "count", "flag", *rest)
    return dict(zip(frame.columns, kinds, strict=True))


def _yes_no_results(ctx: TrainingContext) -> pd.DataFrame:
    """The McNemar tests, without the answers to questions not asked (no pair, no p-value:
    the Holm family is the same)."""
    table = mcnemar_table(ctx.formation, ctx.training, min_persons=ctx.min_persons)
    if table.empty:
        return table
    return table.loc[[ctx.is_asked(c) for c in table["column"]]].reset_index(drop=True)


def _yes_no_frame(ctx: TrainingContext) -> Built:
    table = ctx.cached("mcnemar", lambda: _yes_no_results(ctx))
    label = ctx.t("item")
    share_before, share_after, diff, gained, lost = PAIRED_YES_NO_COLUMNS[ctx.pick("fr", "en")]
    frame = pd.DataFrame(
        {
            label: [
                f"{ctx.column_label(r.column)} ({r.before} → {r.after})" for r in table.itertuples()
            ],
            share_before: table["yes_before"],
            share_after: table["yes_after"],
            diff: table["diff"],
            f"{diff} – {ctx.t('ci_low')}": table["diff_low"],
            f"{diff} – {ctx.t('ci_high')}": table["diff_high"],
            f"{diff} – {ctx.t('n')}": table["n"].astype(int),
            f"{diff} – {ctx.t('flag')}": table["flag"],
            gained: persons_shown(table["gained"], ctx.min_persons),
            lost: persons_shown(table["lost"], ctx.min_persons),
            **_p_values(ctx, table, "McNemar"),
        }
    )
    kinds = _kinds(frame, "percent", "count", "count", "text", "text")
    note = ctx.pick(
        f"Test de McNemar exact (loi binomiale) quand il y a moins de {EXACT_MCNEMAR_BELOW} "
        "changements de réponse, χ² avec correction de continuité sinon ; intervalle de l'écart "
        "par la méthode de Newcombe pour proportions appariées. Quand moins de "
        f"{ctx.min_persons} participants ont changé de réponse dans un sens, l'écart, son "
        "intervalle et le test sont secrets (s) : ils donneraient ce nombre. La certification "
        "n'est demandée qu'à T1 et T2.",
        f"Exact McNemar test (binomial) when fewer than {EXACT_MCNEMAR_BELOW} answers changed, "
        "χ² with continuity correction otherwise; interval of the change by Newcombe's method "
        f"for paired proportions. When fewer than {ctx.min_persons} participants changed their "
        "answer one way, the change, its interval and the test are secret (s): they would give "
        "that number away. Certification is only asked at T1 and T2.",
    )
    champ = ctx.pick(
        "Participants présents aux deux vagues comparées, ayant répondu à la question.",
        "Participants present at both waves compared who answered the question.",
    )
    title = ctx.pick("Réponses oui/non avant et après", "Yes/no answers before and after")
    return title, frame, _notes(ctx, champ, note=note), kinds


def _distribution_frame(ctx: TrainingContext, column: str, wave: str, title: str) -> Built:
    table = distribution(
        ctx.formation,
        ctx.training,
        column,
        wave,
        min_persons=ctx.min_persons,
        language=ctx.language,
    )
    substantive = table[~table["missing"]]
    share = ctx.t("share_pct")
    frame = pd.DataFrame(
        {
            ctx.t("answer"): substantive["label"],
            share: substantive["share"],
            f"{share} – {ctx.t('flag')}": substantive["flag"],
            # a hidden answer's count is its share times the base: hidden with it
            ctx.pick("Effectif", "Count"): substantive["count"]
            .where(~substantive["flag"].isin(("s", "nd")))
            .astype(float),
        }
    )
    kinds = {
        frame.columns[0]: "label",
        share: "percent",
        frame.columns[2]: "flag",
        frame.columns[3]: "count",
    }
    missing = table[table["missing"]]
    note = (
        ctx.pick("Base : ", "Base: ")
        + fmt_number(ctx, int(table["base"].iloc[0]))
        + ctx.pick(" réponses", " answers")
    )
    if len(missing):
        note += "".join(
            ctx.pick(
                f" ; {m.label} : {_answers(ctx, m.count)}, hors base",
                f"; {m.label}: {_answers(ctx, m.count)}, outside the base",
            )
            for m in missing.itertuples()
        )
    champ = ctx.pick(
        f"Participants à la formation pilote ayant répondu à {wave}.",
        f"Pilot-training participants who answered at {wave}.",
    )
    return title, frame, _notes(ctx, champ, note=note + "."), kinds


def _answers(ctx: TrainingContext, count: int) -> str:
    """« 12 réponses », « 1 réponse », « moins de 11 réponses » (a count of persons)."""
    if 0 < count < ctx.min_persons:
        return ctx.pick(
            f"moins de {ctx.min_persons} réponses", f"fewer than {ctx.min_persons} answers"
        )
    return ctx.pick(plural(count, "réponse"), plural(count, "answer", language="en"))


def _recommendation_frame(ctx: TrainingContext) -> Built:
    nps = ctx.cached("nps", lambda: nps_result(ctx))
    hidden = nps["n"] < ctx.min_persons
    flag = "nd" if hidden else ""
    nan = math.nan
    labels = [
        ctx.pick("Promoteurs (9 ou 10)", "Promoters (9-10)"),
        ctx.pick("Neutres (7 ou 8)", "Passives (7-8)"),
        ctx.pick("Détracteurs (0 à 6)", "Detractors (0-6)"),
        ctx.pick("Score net de recommandation (NPS, points)", "Net promoter score (points)"),
    ]
    value = ctx.pick("Valeur", "Value")
    frame = pd.DataFrame(
        {
            ctx.t("indicator"): labels,
            value: [nan] * 3 + [nan if hidden else nps["nps"] * 100],
            f"{value} – {ctx.t('ci_low')}": [nan] * 3 + [nan if hidden else nps["nps_low"] * 100],
            f"{value} – {ctx.t('ci_high')}": [nan] * 3 + [nan if hidden else nps["nps_high"] * 100],
            f"{value} – {ctx.t('flag')}": [flag] * 4,
            ctx.t("share_pct"): [
                nan if hidden else nps[k] for k in ("promoters", "passives", "detractors")
            ]
            + [nan],
            f"{ctx.t('share_pct')} – {ctx.t('flag')}": [flag] * 4,
        }
    )
    kinds = {
        frame.columns[0]: "label",
        value: "mean",
        frame.columns[2]: "ci_low",
        frame.columns[3]: "ci_high",
        frame.columns[4]: "flag",
        frame.columns[5]: "percent",
        frame.columns[6]: "flag",
    }
    note = ctx.pick(
        f"Base : {fmt_number(ctx, nps['n'])} réponses à T1. NPS = part des promoteurs − part des "
        "détracteurs, en points (de −100 à +100) ; intervalle à 95 % par bootstrap.",
        f"Base: {fmt_number(ctx, nps['n'])} answers at T1. NPS = share of promoters − share of "
        "detractors, in points (−100 to +100); 95% bootstrap interval.",
    )
    champ = ctx.pick(
        "Participants à la formation pilote ayant répondu en fin de formation (T1).",
        "Pilot-training participants who answered at the end of the training (T1).",
    )
    title = ctx.pick(
        "Recommanderiez-vous la formation ? Score net de recommandation",
        "Would you recommend the training? Net promoter score",
    )
    return title, frame, _notes(ctx, champ, note=note), kinds


def _profile_frame(ctx: TrainingContext, by: str) -> Built:
    fr, en = _BY_LABEL[by]
    head = ctx.pick(fr.capitalize(), en.capitalize())
    columns: dict[str, list[Any]] = {head: []}
    kinds: dict[str, str] = {head: "label"}
    blocks = []
    for before, after in (("T0", "T1"), ("T0", "T2")):
        for column, short in (
            ("score_quiz", ctx.pick("test", "test")),
            ("auto_eval_moyenne", ctx.pick("aisance", "confidence")),
        ):
            if not ctx.is_asked(column):
                continue
            blocks.append(
                (before, after, column, f"{ctx.pick('Écart', 'Change')} {short} {before} → {after}")
            )
    results = {
        (b, a): ctx.cached(
            f"breakdown:{by}:{b}:{a}",
            lambda b=b, a=a: breakdown(
                ctx.formation, ctx.training, by, b, a, min_persons=ctx.min_persons
            ),
        )
        for b, a in (("T0", "T1"), ("T0", "T2"))
    }
    groups: list[str] = []
    for res in results.values():
        for g in res.get("group", pd.Series(dtype=str)):
            if g not in groups:
                groups.append(g)
    columns[head] = [ctx.group_label(by, g) for g in groups]
    for before, after, column, name in blocks:
        res = results[(before, after)]
        sub = res[res["column"] == column].set_index("group") if len(res) else pd.DataFrame()
        columns[name] = [
            float(sub.loc[g, "mean_diff"]) if g in sub.index else math.nan for g in groups
        ]
        columns[f"{name} – {ctx.t('n')}"] = [
            float(sub.loc[g, "n"]) if g in sub.index else 0.0 for g in groups
        ]
        columns[f"{name} – {ctx.t('flag')}"] = [
            str(sub.loc[g, "flag"]) if g in sub.index else "nd" for g in groups
        ]
        kinds[name] = "mean"
        kinds[f"{name} – {ctx.t('n')}"] = "count"
        kinds[f"{name} – {ctx.t('flag')}"] = "flag"
    frame = pd.DataFrame(columns)
    title = ctx.pick(
        f"Progression moyenne par {fr} (test sur 20, aisance sur 5)",
        f"Mean progress by {en} (test out of 20, confidence out of 5)",
    )
    note = ctx.pick(
        f"Écart moyen entre les deux vagues des participants présents aux deux ; caractéristique "
        f"relevée à T0. Groupes de moins de {ctx.min_persons} participants appariés non diffusés "
        "(nd), avec les plus petits des autres tant que les groupes non diffusés ne réunissent "
        f"pas ensemble {ctx.min_persons} participants.",
        f"Mean change between the two waves of participants present at both; characteristic "
        f"taken at T0. Groups of fewer than {ctx.min_persons} paired participants not published "
        f"(nd), with the smallest other ones until those not published hold {ctx.min_persons} "
        "participants together.",
    )
    champ = ctx.pick(
        "Participants à la formation pilote présents aux deux vagues comparées.",
        "Pilot-training participants present at both waves compared.",
    )
    return title, frame, _notes(ctx, champ, note=note), kinds


_TRAINING_BUILDERS: dict[str, Any] = {
    "attrition": lambda c: _attrition_table(c, None),
    "attrition_famille": lambda c: _attrition_table(c, "famille_metier"),
    "attrition_secteur": lambda c: _attrition_table(c, "secteur"),
    "apparie_t1": lambda c: _paired_frame(c, "T0", "T1"),
    "apparie_t2": lambda c: _paired_frame(c, "T0", "T2"),
    "oui_non": _yes_no_frame,
    "satisfaction": lambda c: _distribution_frame(
        c,
        "satisfaction",
        "T1",
        c.pick(
            "Satisfaction globale en fin de formation",
            "Overall satisfaction at the end of the training",
        ),
    ),
    "intention": lambda c: _distribution_frame(
        c,
        "intention_application",
        "T1",
        c.pick("« Je vais appliquer ce que j'ai appris »", "“I will apply what I learned”"),
    ),
    "recommandation": _recommendation_frame,
    "temps_gagne": lambda c: _distribution_frame(
        c,
        "temps_gagne_hebdo",
        "T2",
        c.pick(
            "Temps gagné par semaine grâce à l'IA, trois mois après",
            "Time saved per week thanks to AI, three months later",
        ),
    ),
    "profil_secteur": lambda c: _profile_frame(c, "secteur"),
    "profil_famille_metier": lambda c: _profile_frame(c, "famille_metier"),
    "profil_statut": lambda c: _profile_frame(c, "statut"),
}


def training_layout(ctx: TrainingContext) -> list[tuple[str, list[str]]]:
    """The sections and tables of the report: :data:`TRAINING_LAYOUT` without the tables of
    questions the pilot did not ask, and without the sections left with none."""
    sections = [(s, [k for k in keys if ctx.shows(k)]) for s, keys in TRAINING_LAYOUT]
    return [(s, keys) for s, keys in sections if keys]


def build_training_table(ctx: TrainingContext, key: str) -> ReportTable:
    """One numbered table of the training report (numbered as the workbook numbers it)."""
    return table_from_layout(
        training_layout(ctx), _TRAINING_BUILDERS, ctx, key, report="rapport de formation"
    )


def show(ctx: TrainingContext, key: str) -> Html:
    """A table of the training report as HTML (what a notebook cell displays); nothing for a
    table of questions the pilot did not ask."""
    if not ctx.shows(key):
        return Html("")
    return table_html(build_training_table(ctx, key), ctx)


def training_tables(ctx: TrainingContext) -> list[TableSection]:
    """Every table of the training report, by section (one Excel sheet per section)."""
    return sections_from_layout(
        training_layout(ctx),
        _TRAINING_BUILDERS,
        ctx,
        TRAINING_SECTIONS,
        report="rapport de formation",
    )
