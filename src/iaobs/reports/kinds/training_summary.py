"""The first page of the pilot-training report: its cover, key figures and L'essentiel.

Every key figure is a sentence built from the report's tables (the share of participants whose
confidence rose is the « Part en hausse » column of the paired table), and L'essentiel closes
on why these changes are not effects of the training (:mod:`iaobs.reports.kinds.caveats`).
"""

from __future__ import annotations

import math

from iaobs.reports.blocks import cover_html
from iaobs.reports.context import Html, KeyFigure, esc
from iaobs.reports.kinds.caveats import no_causal_claim, points_word
from iaobs.reports.kinds.training import (
    TrainingContext,
    fmt_decimal,
    fmt_number,
    fmt_percent,
    nps_result,
    present_counts,
    result_row,
    satisfaction_shares,
)

__all__ = ["cover", "essentiel", "key_figures"]


def cover(ctx: TrainingContext) -> Html:
    """Cover of the training report: observatory, title (the only ``h1``), participants."""
    present = present_counts(ctx)
    rows = [
        (ctx.t("region"), ctx.study.region),
        (
            ctx.pick("Programme", "Programme"),
            ctx.pick("Formation pilote à l'IA", "AI pilot training"),
        ),
        (ctx.t("wave"), ctx.study.wave),
        (ctx.t("date"), ctx.date_text),
        (
            ctx.pick("Participants", "Participants"),
            " · ".join(
                f"{w}{ctx.pick(' : ', ': ')}{fmt_number(ctx, present[w])}"
                for w in ("T0", "T1", "T2")
            ),
        ),
    ]
    return cover_html(
        ctx,
        ctx.pick("Évaluation", "Evaluation"),
        ctx.pick(
            "Formation pilote à l'IA : les participants avant, pendant et après",
            "AI pilot training: participants before, during and after",
        ),
        rows,
    )


def key_figures(ctx: TrainingContext) -> list[KeyFigure]:
    """Four to six key figures of the training, each a full sentence (plain text)."""
    out: list[KeyFigure] = []
    present = present_counts(ctx)
    retention = present["T2"] / present["T0"] if present["T0"] else math.nan
    out.append(
        KeyFigure(
            "attrition",
            "",
            "formation",
            retention,
            None,
            None,
            present["T0"],
            "",
            ctx.pick(
                f"{fmt_number(ctx, present['T0'])} salariés ont commencé la formation ; "
                f"{fmt_number(ctx, present['T1'])} ont répondu en fin de formation (T1) et "
                f"{fmt_number(ctx, present['T2'])} trois mois après (T2), soit "
                f"{fmt_percent(ctx, retention)} des participants de départ.",
                f"{fmt_number(ctx, present['T0'])} employees started the training; "
                f"{fmt_number(ctx, present['T1'])} answered at its end (T1) and "
                f"{fmt_number(ctx, present['T2'])} three months later (T2), i.e. "
                f"{fmt_percent(ctx, retention)} of those who started.",
            ),
        )
    )
    for before, after in (("T0", "T1"), ("T0", "T2")):
        table = ctx.paired(before, after)
        quiz = result_row(table, "score_quiz")
        if quiz and quiz["flag"] != "nd":
            out.append(
                KeyFigure(
                    "score_quiz",
                    after,
                    "formation",
                    None,
                    None,
                    None,
                    int(quiz["n"]),
                    "",
                    ctx.pick(
                        f"Le score moyen au test de connaissances passe de "
                        f"{fmt_decimal(ctx, quiz['mean_before'])} à {fmt_decimal(ctx, quiz['mean_after'])} "
                        f"sur 20 entre {before} et {after}, soit "
                        f"{fmt_decimal(ctx, quiz['mean_diff'])} {points_word(quiz['mean_diff'])} "
                        "de plus [IC 95 % : "
                        f"{fmt_decimal(ctx, quiz['diff_low'])} ; {fmt_decimal(ctx, quiz['diff_high'])}] "
                        f"({fmt_number(ctx, quiz['n'])} participants présents aux deux vagues).",
                        f"The mean knowledge-test score goes from "
                        f"{fmt_decimal(ctx, quiz['mean_before'], 1)} to "
                        f"{fmt_decimal(ctx, quiz['mean_after'])} out of 20 between {before} and "
                        f"{after}, {fmt_decimal(ctx, quiz['mean_diff'])} points more [95% CI: "
                        f"{fmt_decimal(ctx, quiz['diff_low'])}; {fmt_decimal(ctx, quiz['diff_high'])}] "
                        f"({fmt_number(ctx, quiz['n'])} participants present at both waves).",
                    ),
                )
            )
    conf = result_row(ctx.paired("T0", "T2"), "auto_eval_moyenne")
    if conf and conf["flag"] != "nd":
        share_up = conf["increased"] / conf["n"] if conf["n"] else math.nan
        out.append(
            KeyFigure(
                "auto_eval_moyenne",
                "T2",
                "formation",
                share_up,
                None,
                None,
                int(conf["n"]),
                "",
                ctx.pick(
                    f"Trois mois après, l'aisance déclarée avec l'IA (moyenne de cinq questions, "
                    f"de 1 à 5) est plus élevée qu'avant la formation pour {fmt_percent(ctx, share_up)} "
                    f"des {fmt_number(ctx, conf['n'])} participants présents aux deux vagues ; sa "
                    f"moyenne passe de {fmt_decimal(ctx, conf['mean_before'])} à "
                    f"{fmt_decimal(ctx, conf['mean_after'])} (tableau de la partie 2).",
                    f"Three months later, self-assessed confidence with AI (mean of five "
                    f"questions, 1 to 5) is higher than before the training for "
                    f"{fmt_percent(ctx, share_up)} of the {fmt_number(ctx, conf['n'])} participants present "
                    f"at both waves; its mean goes from {fmt_decimal(ctx, conf['mean_before'])} to "
                    f"{fmt_decimal(ctx, conf['mean_after'])} (table of part 2).",
                ),
            )
        )
    nps = ctx.cached("nps", lambda: nps_result(ctx))
    sat = ctx.cached("satisfaction", lambda: satisfaction_shares(ctx))
    top = sat.loc[sat["code"].isin(["plutot_satisfait", "tres_satisfait"]), "count"].sum()
    base = int(sat.loc[~sat["missing"], "count"].sum())
    small = any(0 < k < ctx.min_persons for k in (top, base - top))  # a cell under the threshold
    if nps["n"] >= ctx.min_persons and base and not small:
        satisfied = top / base
        out.append(
            KeyFigure(
                "satisfaction",
                "",
                "formation",
                float(satisfied),
                None,
                None,
                int(nps["n"]),
                "",
                ctx.pick(
                    f"En fin de formation, {fmt_percent(ctx, satisfied)} des participants s'en disent "
                    f"satisfaits ; le score de recommandation net (NPS) est de "
                    f"{fmt_decimal(ctx, nps['nps'] * 100, 0)} [IC 95 % : {fmt_decimal(ctx, nps['nps_low'] * 100, 0)}"
                    f" ; {fmt_decimal(ctx, nps['nps_high'] * 100, 0)}].",
                    f"At the end of the training, {fmt_percent(ctx, satisfied)} of participants are "
                    f"satisfied; the net promoter score is {fmt_decimal(ctx, nps['nps'] * 100, 0)} "
                    f"[95% CI: {fmt_decimal(ctx, nps['nps_low'] * 100, 0)}; "
                    f"{fmt_decimal(ctx, nps['nps_high'] * 100, 0)}].",
                ),
            )
        )
    return out


def essentiel(ctx: TrainingContext) -> Html:
    """L'essentiel of the training report, with why its changes are not effects."""
    items = "".join(f"<li>{esc(f.sentence)}</li>" for f in key_figures(ctx))
    return Html(
        '<section class="iaobs-essentiel">'
        f'<h2 id="essentiel">{esc(ctx.t("essentiel"))}</h2>'
        f"<ul>{items}</ul>"
        f'<p class="iaobs-notes"><strong>{esc(ctx.pick("Attention :", "Caution:"))}</strong> '
        f"{esc(no_causal_claim(ctx))}</p></section>"
    )
