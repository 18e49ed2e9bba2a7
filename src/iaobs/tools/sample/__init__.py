"""The synthetic sample study: a known population, and a messy sample drawn from it.

The repository's default study (Hauts-de-France, wave 2019) is synthetic. It is made in three
steps, each written so that a reader can check it:

1. **Population model** (:data:`POPULATION_MODEL`): a finite population of firms per sector ×
   size class × département, with illustrative counts, and AI-adoption rates by sector and size
   calibrated on published figures (INSEE's ICT survey 2024, Eurostat 2024). Every assumption
   carries its source.
2. **Population answers** (:data:`ANSWER_MODEL`): every firm of the population gets answers to
   the whole questionnaire (vectorised numpy). The *true* population value of each indicator is
   then a plain proportion over the population, written to ``data/raw/sample_truth.json``.
3. **Respondent sample and files**: respondents are drawn cell by cell with response rates that
   differ by sector, size and département (so that unweighted figures are biased and weighting
   matters), then written the way branches send their files: one workbook per sector, notes
   above the header, labels with case/accent/space variants as well as codes, NSP, blank rows,
   duplicated submissions, a few impossible rows, one French CSV (semicolon, Windows-1252,
   decimal comma). Confidential values (SIREN, company names, e-mails, participants' names) are
   planted so that tests can prove they never reach an output.

Same seed, same files: every random draw comes from one ``numpy.random.default_rng(seed)`` and
the workbooks carry a fixed creation date, so two runs give byte-identical files.
"""

from __future__ import annotations

from iaobs.tools.sample.model import (
    ANSWER_MODEL,
    POPULATION_MODEL,
    TRAINING_MODEL,
    Assumption,
)
from iaobs.tools.sample.population import luhn_valid, population_margins, random_responses
from iaobs.tools.sample.study import write_sample_study

__all__ = [
    "ANSWER_MODEL",
    "POPULATION_MODEL",
    "TRAINING_MODEL",
    "Assumption",
    "luhn_valid",
    "population_margins",
    "random_responses",
    "write_sample_study",
]
