"""What the pilot-training report says about what its figures cannot show.

Changes between waves of the same participants are not effects of the training: without a
comparison group they mix the training with retesting, social desirability and regression to
the mean (:func:`no_causal_claim`). A rank-biserial correlation of ±1, whose bootstrap interval
cannot vary, is explained instead of shown (:func:`rank_biserial_text`).
"""

from __future__ import annotations

import math
from typing import Any

from iaobs.core import text as tx
from iaobs.reports.context import Html, esc

__all__ = ["caveat", "no_causal_claim", "points_word", "rank_biserial_text"]


def _decimal(ctx: Any, value: Any, decimals: int = 1) -> str:
    return tx.format_decimal(value, decimals=decimals, language=ctx.language)


def no_causal_claim(ctx: Any) -> str:
    """Why the changes between waves are not the effect of the training (plain text)."""
    return ctx.pick(
        "Ces évolutions ne mesurent pas l'effet de la formation : l'évaluation n'a pas de "
        "groupe de comparaison (salariés non formés suivis aux mêmes dates). Une hausse entre "
        "deux vagues mêle l'effet de la formation à ceux du retest (avoir déjà passé le même "
        "test), de la désirabilité sociale (se dire plus à l'aise après une formation que l'on "
        "vient de suivre) et de la régression vers la moyenne (les personnes parties de loin "
        "progressent mécaniquement plus), ainsi qu'à ce qui a changé pour tous entre les vagues.",
        "These changes do not measure the effect of the training: the evaluation has no "
        "comparison group (untrained employees followed at the same dates). A rise between two "
        "waves mixes the training's effect with retesting (having taken the same test before), "
        "social desirability (saying one feels more confident after a training one has just "
        "followed) and regression to the mean (those who started low rise more mechanically), "
        "and with whatever changed for everyone between the waves.",
    )


def caveat(ctx: Any) -> Html:
    """The encadré opening the part on changes: no effect without a comparison group."""
    title = ctx.pick("Évolution n'est pas effet", "A change is not an effect")
    return Html(
        f'<aside class="iaobs-encadre"><p class="iaobs-encadre-title">{esc(title)}</p>'
        f"<p>{esc(no_causal_claim(ctx))}</p></aside>"
    )


def points_word(value: Any) -> str:
    try:
        return "point" if abs(float(value)) < 2 else "points"
    except (TypeError, ValueError):
        return "points"


def rank_biserial_text(ctx: Any, r: Any) -> str:
    """``0,42 [0,30 ; 0,55]``; a degenerate value (±1, or an interval of one point) is not
    shown: every non-zero change goes the same way and the bootstrap cannot vary."""
    if math.isnan(r.rank_biserial):
        return tx.MISSING
    degenerate = abs(r.rank_biserial) >= 0.995 or (
        not math.isnan(r.rb_low) and abs(r.rb_high - r.rb_low) < 0.005
    )
    if degenerate:
        return ctx.pick("tous dans le même sens¹", "all the same way¹")
    sep = ctx.pick(" ; ", "; ")  # [0,83 ; 0,97] in French, [0.83; 0.97] as the English CIs
    return (
        f"{_decimal(ctx, r.rank_biserial, 2)} "
        f"[{_decimal(ctx, r.rb_low, 2)}{sep}{_decimal(ctx, r.rb_high, 2)}]"
    )
