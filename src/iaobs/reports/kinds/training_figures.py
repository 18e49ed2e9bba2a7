"""The charts of the pilot-training report: confidence per item at each wave, the test score
before and after, satisfaction at the end of the training."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from iaobs.core import text as tx
from iaobs.reports import figures
from iaobs.reports.kinds.training import (
    WAVES,
    TrainingContext,
    fmt_decimal,
    fmt_number,
    fmt_percent,
    result_row,
    satisfaction_shares,
)
from iaobs.reports.kinds.training_results import answer_values
from iaobs.reports.markup import Html

__all__ = ["chart_confidence", "chart_quiz", "chart_satisfaction"]


def chart_confidence(ctx: TrainingContext) -> Html:
    """Mean self-assessed confidence per item at T0, T1 and T2 (participants of all three);
    nothing when the pilot did not ask it."""
    if not ctx.shows("chart_confidence"):
        return Html("")
    figures.apply_theme()
    frame = ctx.formation
    waves = frame["vague"].astype("string")
    ids = frame["id_participant"].astype("string")
    everywhere = set(ids[waves == "T0"]) & set(ids[waves == "T1"]) & set(ids[waves == "T2"])
    matrix = ctx.training["auto_eval"]
    items = list(matrix.items)
    sub = frame[ids.isin(everywhere)]
    means = {
        w: [
            answer_values(
                sub.loc[sub["vague"].astype("string") == w, f"auto_eval__{i}"], matrix
            ).mean()
            for i in items
        ]
        for w in WAVES
    }
    n = len(everywhere)
    fig, ax = plt.subplots(
        figsize=(figures.WIDTH_IN, 0.5 + 0.36 * len(items)), layout="constrained"
    )
    if n >= ctx.min_persons:
        y = np.arange(len(items))[::-1]
        colors = {"T0": figures.NSP_GREY, "T1": figures.BLUE, "T2": figures.OKABE_ITO["orange"]}
        markers = {"T0": "o", "T1": "D", "T2": "s"}
        for j in range(len(items)):
            values = [means[w][j] for w in WAVES]
            ax.plot([min(values), max(values)], [y[j], y[j]], color="#CCCCCC", lw=2, zorder=1)
        for w in WAVES:
            ax.scatter(means[w], y, color=colors[w], marker=markers[w], s=28, zorder=3, label=w)
        ax.set_yticks(y, [figures._wrap(matrix.items[i].get(ctx.language), 40) for i in items])
        ax.set_xlim(1, 5)
        ax.set_xlabel(
            ctx.pick(
                "Aisance moyenne (1 = pas du tout à l'aise, 5 = très à l'aise)",
                "Mean confidence (1 = not at all, 5 = very confident)",
            )
        )
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
        ax.xaxis.set_major_formatter(
            plt.FuncFormatter(lambda v, _p: tx.format_decimal(v, decimals=0, language=ctx.language))
        )
    else:
        ax.set_axis_off()
    alt = ctx.pick(
        "Points par élément, aisance moyenne à T0, T1 et T2 : ",
        "Dots per item, mean confidence at T0, T1 and T2: ",
    ) + "; ".join(
        f"{matrix.items[i].get(ctx.language)} "
        + " → ".join(fmt_decimal(ctx, means[w][j]) for w in WAVES)
        for j, i in enumerate(items)
    )
    first = matrix.items[items[0]].get(ctx.language)
    lecture = ctx.pick(
        f"Avant la formation, l'aise moyenne pour « {first} » était de "
        f"{fmt_decimal(ctx, means['T0'][0])} sur 5 ; elle est de {fmt_decimal(ctx, means['T1'][0])} en fin de "
        f"formation et de {fmt_decimal(ctx, means['T2'][0])} trois mois après.",
        f"Before the training, mean confidence to “{first}” was {fmt_decimal(ctx, means['T0'][0])} out "
        f"of 5; {fmt_decimal(ctx, means['T1'][0])} at its end and {fmt_decimal(ctx, means['T2'][0])} three "
        "months later.",
    )
    champ = ctx.pick(
        f"Participants présents aux trois vagues (n = {fmt_number(ctx, n)}).",
        f"Participants present at all three waves (n = {fmt_number(ctx, n)}).",
    )
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=ctx.pick(
            "Aisance déclarée avant, à la fin et trois mois après la formation",
            "Self-assessed confidence before, at the end of and three months after the training",
        ),
        alt=alt,
        lecture=lecture,
        champ=champ,
        note=ctx.pick("Tests par élément : tableaux 4 et 5.", "Tests per item: tables 4 and 5."),
    )


def chart_quiz(ctx: TrainingContext) -> Html:
    """Mean knowledge-test score at each wave (participants of each comparison), with CIs;
    nothing when the pilot did not ask it."""
    if not ctx.shows("chart_quiz"):
        return Html("")
    figures.apply_theme()
    rows = []
    for before, after in (("T0", "T1"), ("T0", "T2")):
        r = result_row(ctx.paired(before, after), "score_quiz")
        if r and r["flag"] != "nd":
            rows.append((before, after, r))
    fig, ax = plt.subplots(figsize=(figures.WIDTH_IN, 1.9), layout="constrained")
    labels, values, lows, highs = [], [], [], []
    for before, after, r in rows:
        labels.append(
            ctx.pick(f"{before} → {after}\n(n = {r['n']})", f"{before} → {after}\n(n = {r['n']})")
        )
        values.append((r["mean_before"], r["mean_after"]))
        lows.append(r["diff_low"])
        highs.append(r["diff_high"])
    y = np.arange(len(rows))[::-1]
    for j, (a, b) in enumerate(values):
        ax.annotate(
            "",
            xy=(b, y[j]),
            xytext=(a, y[j]),
            arrowprops={"arrowstyle": "->", "color": figures.BLUE, "lw": 1.6},
        )
        ax.scatter([a], [y[j]], color=figures.NSP_GREY, s=26, zorder=3)
        ax.text(a, y[j] + 0.18, fmt_decimal(ctx, a), ha="center", fontsize=8)
        ax.text(b, y[j] + 0.18, fmt_decimal(ctx, b), ha="center", fontsize=8, color=figures.BLUE)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(rows) - 0.3)
    ax.set_xlim(0, 20)
    ax.set_xticks([0, 5, 10, 15, 20])
    ax.set_xlabel(
        ctx.pick(
            "Score moyen au test de connaissances (sur 20)", "Mean knowledge-test score (out of 20)"
        )
    )
    alt = ctx.pick(
        "Flèches du score moyen avant vers après : ", "Arrows from mean score before to after: "
    ) + "; ".join(
        f"{b} → {a}{ctx.pick(' : ', ': ')}{fmt_decimal(ctx, v[0])} → {fmt_decimal(ctx, v[1])}"
        for (b, a, _), v in zip(rows, values, strict=True)
    )
    lecture = None
    if rows:
        b, a, r = rows[0]
        lecture = ctx.pick(
            f"Les participants présents à {b} et à {a} passent en moyenne de "
            f"{fmt_decimal(ctx, r['mean_before'])} à {fmt_decimal(ctx, r['mean_after'])} sur 20 "
            f"(écart : {fmt_decimal(ctx, r['mean_diff'])} [IC 95 % : {fmt_decimal(ctx, r['diff_low'])} ; "
            f"{fmt_decimal(ctx, r['diff_high'])}]).",
            f"Participants present at {b} and {a} go from {fmt_decimal(ctx, r['mean_before'])} to "
            f"{fmt_decimal(ctx, r['mean_after'])} out of 20 on average (change: "
            f"{fmt_decimal(ctx, r['mean_diff'])} [95% CI: {fmt_decimal(ctx, r['diff_low'])}; "
            f"{fmt_decimal(ctx, r['diff_high'])}]).",
        )
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=ctx.pick(
            "Score moyen au test de connaissances, avant et après",
            "Mean knowledge-test score, before and after",
        ),
        alt=alt,
        lecture=lecture,
        champ=ctx.pick(
            "Participants présents aux deux vagues comparées.",
            "Participants present at both waves compared.",
        ),
        note=ctx.pick("Formes parallèles du test à T0 et T1.", "Parallel test forms at T0 and T1."),
    )


def chart_satisfaction(ctx: TrainingContext) -> Html:
    """Shares of the satisfaction answers at T1 (bars); nothing when the pilot did not ask it."""
    if not ctx.shows("chart_satisfaction"):
        return Html("")
    sat = ctx.cached("satisfaction", lambda: satisfaction_shares(ctx))
    data = sat[~sat["missing"]].assign(
        estimate=lambda d: d["share"], ci_low=math.nan, ci_high=math.nan
    )
    shown = data[~data["flag"].isin(["s", "nd"]) & data["share"].notna()]
    title = ctx.pick(
        "Satisfaction globale en fin de formation (en %)",
        "Overall satisfaction at the end of the training (%)",
    )
    lecture = None
    if len(shown):
        top = shown.iloc[-1]
        lecture = ctx.pick(
            f"En fin de formation, {fmt_percent(ctx, top['share'])} des participants ont "
            f"répondu « {top['label']} ».",
            f"At the end of the training, {fmt_percent(ctx, top['share'])} of participants "
            f"answered “{top['label']}”.",
        )
    base = int(sat["base"].iloc[0]) if len(sat) else 0
    left_out = ", ".join(data.loc[data["flag"].isin(["s", "nd"]), "label"].astype(str))
    rule = ctx.pick(
        f"secret statistique (moins de {ctx.min_persons} participants, ou masquée pour qu'une "
        "autre réponse ne puisse être recalculée)",
        f"statistical secrecy (fewer than {ctx.min_persons} participants, or hidden so that "
        "another answer cannot be worked out)",
    )
    hidden = (
        ctx.pick(
            f"Réponses non diffusées, {rule} : {left_out}.",
            f"Answers not published, {rule}: {left_out}.",
        )
        if left_out
        else None
    )
    if lecture is None:  # every answer hidden: an empty frame of axes tells nothing
        return figures.hidden_figure(ctx, title, data, rule)
    if len(shown) < 2:  # one bar compares nothing: in words
        return figures.lone_value(ctx, title, lecture, data, hidden)
    fig = figures.plot_bars(
        data[["label", "estimate", "ci_low", "ci_high", "flag"]],
        language=ctx.language,
        xlabel=ctx.pick("En % des participants", "% of participants"),
    )
    alt = ctx.pick("Barres horizontales : ", "Horizontal bars: ") + "; ".join(
        f"{r.label} {fmt_percent(ctx, r.share)}" for r in shown.itertuples()
    )
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=title,
        alt=alt,
        lecture=lecture,
        champ=ctx.pick(
            "Participants ayant répondu en fin de formation (T1).",
            "Participants who answered at the end of the training (T1).",
        ),
        note=" ".join(
            x
            for x in (
                ctx.pick(
                    f"n = {fmt_number(ctx, base)} participants.",
                    f"n = {fmt_number(ctx, base)} participants.",
                ),
                hidden,
            )
            if x
        ),
    )
