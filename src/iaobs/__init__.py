"""iaobs — the toolkit of a regional observatory of artificial intelligence and skills.

Data flows one way: read → map → clean → validate → protect → weight → estimate → disclose →
report. The public surface is small:

>>> import iaobs
>>> study = iaobs.load_study("path/to/study")       # doctest: +SKIP
>>> summary = iaobs.run_study(study)                 # doctest: +SKIP

Everything else lives in the stage packages (``iaobs.ingest``, ``iaobs.prepare``,
``iaobs.stats``, ``iaobs.reports``, ``iaobs.render``…), documented in ``docs/architecture.md``.
"""

from iaobs.core.version import __version__
from iaobs.errors import (
    ConfigError,
    IaobsError,
    InputError,
    ReportError,
    StatisticsError,
)
from iaobs.pipeline.run import RunSummary, run_study
from iaobs.study.config import Study, load_study
from iaobs.study.dictionary import Dictionary, load_dictionary

__all__ = [
    "ConfigError",
    "Dictionary",
    "IaobsError",
    "InputError",
    "ReportError",
    "RunSummary",
    "StatisticsError",
    "Study",
    "__version__",
    "load_dictionary",
    "load_study",
    "run_study",
]
