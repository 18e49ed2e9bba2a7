"""What each row of the indicators table counts, in a form another program can recompute.

One row per indicator × level: the column of the microdata it reads, the statistic
(``proportion`` or ``mean``), the answers counted in the numerator and the answers that form
the base (``*``: every non-missing value). The generated R script (``reproduire.R``) reads this
table to recompute every published figure with R's ``survey`` package.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from iaobs.stats.estimate import DEFAULT_DERIVED, DerivedIndicator, _blocks
from iaobs.study.dictionary import Dictionary

__all__ = ["DEFINITION_COLUMNS", "indicator_definitions"]

DEFINITION_COLUMNS = ("indicator", "level", "statistic", "column", "numerator", "base")
SEPARATOR = "|"
EVERY_VALUE = "*"


def indicator_definitions(
    responses: pd.DataFrame,
    dictionary: Dictionary,
    derived: Sequence[DerivedIndicator] = DEFAULT_DERIVED,
) -> pd.DataFrame:
    """The definition of every indicator × level that ``estimate_indicators`` computes.

    ``numerator`` and ``base`` list answer codes separated by ``|`` (``0``/``1`` for a multiple
    choice option or a yes/no flag); for a mean, ``numerator`` is empty and ``base`` is ``*``.
    """
    rows: list[dict[str, str]] = []
    for block in _blocks(responses, dictionary, derived):
        if block.statistic == "mean":
            rows.append(
                dict(
                    zip(
                        DEFINITION_COLUMNS,
                        (block.indicator, "", "mean", block.indicator, "", EVERY_VALUE),
                        strict=True,
                    )
                )
            )
            continue
        kind = block.kind[0]
        if kind == "flag":
            column, answers = block.indicator, ["0", "1"]
        elif kind == "derived":
            column = block.family
            answers = [str(c) for c in dictionary[column].codes]
        else:
            column = block.indicator
            var, _ = dictionary.variable_of_column(column)
            answers = [str(c) for c in var.all_codes]
        assert block.level_sets is not None and block.base_sets is not None
        for k, level in enumerate(block.levels):
            numerator = [a for a, on in zip(answers, block.level_sets[:, k], strict=True) if on]
            base = [a for a, on in zip(answers, block.base_sets[:, k], strict=True) if on]
            rows.append(
                {
                    "indicator": block.indicator,
                    "level": level,
                    "statistic": "proportion",
                    "column": column,
                    "numerator": SEPARATOR.join(numerator),
                    "base": SEPARATOR.join(base),
                }
            )
    return pd.DataFrame(rows, columns=list(DEFINITION_COLUMNS))
