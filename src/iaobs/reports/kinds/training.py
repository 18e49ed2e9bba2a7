"""The pilot-training evaluation report: its context, and its text in words.

Each participant answers the same questionnaire (``formation.yaml``) at T0 (before), T1 (end of
training) and T2 (three months later). A comparison T0 → T1 or T0 → T2 uses only the
participants present at both waves (*paired*): each person is compared with themself.

The report is made of:

* its results: :mod:`iaobs.reports.kinds.training_results` (paired answers, tests of every
  compared answer with Holm-adjusted p-values, attrition, results by group), on the paired
  tests of :mod:`iaobs.stats.paired` (Wilcoxon with the rank-biserial correlation, McNemar with
  Newcombe's interval, the net promoter score), all unweighted: the pilot is exhaustive;
* this module: the :class:`TrainingContext` a template loads, the attrition in words and the
  methodology annex;
* its numbered tables (:mod:`iaobs.reports.kinds.training_tables`), its charts
  (:mod:`iaobs.reports.kinds.training_figures`), its cover and key figures
  (:mod:`iaobs.reports.kinds.training_summary`).

Secrecy: persons, not firms — no number rests on fewer than ``secret_min_persons`` (11)
participants; a breakdown group below it is not shown (``nd``), and when a single group would
be hidden, the next smallest is hidden too so that it cannot be recovered by subtraction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core import text as tx
from iaobs.reports.context import Html, ReportContext, esc, load_context
from iaobs.reports.kinds import training_questions as questions
from iaobs.reports.kinds.training_cells import distribution
from iaobs.reports.kinds.training_results import (
    WAVES,
    attrition,
    breakdown,
    holm,
    item_ranks,
    load_formation,
    mcnemar_table,
    paired_table,
    paired_values,
    with_derived,
)
from iaobs.stats.paired import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    EXACT_MCNEMAR_BELOW,
    mcnemar_paired,
    net_promoter,
    wilcoxon_paired,
)
from iaobs.study.store import Processed

# the statistics of the report are re-exported: this module is the report kind's entry point
__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "EXACT_MCNEMAR_BELOW",
    "TRAINING_SECTIONS",
    "TrainingContext",
    "attrition",
    "attrition_text",
    "breakdown",
    "distribution",
    "format_p",
    "holm",
    "item_ranks",
    "load_training",
    "mcnemar_paired",
    "mcnemar_table",
    "methodology",
    "net_promoter",
    "paired_table",
    "paired_values",
    "wilcoxon_paired",
]


TRAINING_SECTIONS: dict[str, tuple[str, str]] = {
    "participation": ("Participation et attrition", "Participation and attrition"),
    "progres": (
        "Évolutions entre les vagues, sans groupe de comparaison",
        "Changes between waves, without a comparison group",
    ),
    "aisance": ("Aisance déclarée et connaissances", "Self-assessed confidence and knowledge"),
    "usages": ("Usage de l'IA et certification", "AI use and certification"),
    "satisfaction": ("Satisfaction et recommandation (T1)", "Satisfaction and recommendation (T1)"),
    "trois_mois": ("Trois mois après (T2)", "Three months later (T2)"),
    "profils": ("Résultats par profil", "Results by profile"),
    "annexe": ("Annexe méthodologique", "Methodology annex"),
}


@dataclass
class TrainingContext(ReportContext):
    """A :class:`ReportContext` for the pilot-training report, with the training answers.

    ``formation`` has one row per participant × wave; ``training`` is the training
    questionnaire. Results are computed once and cached in ``results``.
    """

    formation: pd.DataFrame = field(default_factory=pd.DataFrame)
    training: Any = None
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def source_line(self) -> str:
        return self.pick(
            f"{self.study.title}, questionnaires d'évaluation de la formation pilote "
            f"(T0, T1, T2), {self.study.wave} ; calculs de l'observatoire.",
            f"{self.study.title}, pilot-training assessment questionnaires (T0, T1, T2), "
            f"{self.study.wave}; observatory calculations.",
        )

    @property
    def min_persons(self) -> int:
        return int(self.study.thresholds.secret_min_persons)

    # -- questions asked (see iaobs.reports.kinds.training_questions) -----------------------
    def is_asked(self, *names: str) -> bool:
        """Whether any of ``names`` (questions of the training questionnaire) was asked."""
        return questions.is_asked(self, *names)

    def shows(self, key: str, *, section: bool = False) -> bool:
        """Whether the part ``key`` (a table, a chart, or with ``section`` a section) has a
        question that was asked."""
        return questions.shows(self, key, section=section)

    def heading(self, level: int, key: str) -> Html:
        """A numbered heading of the training report (keys of :data:`TRAINING_SECTIONS`);
        nothing, and no number, for a part whose questions were not asked."""
        if not self.shows(key, section=True):
            return Html("")
        fr, en = TRAINING_SECTIONS[key]
        title = en if self.language == "en" else fr
        if key == "annexe":
            return Html(f'<h2 id="{esc(key)}">{esc(title)}</h2>')
        if level == 2:
            self.section_count += 1
            self.subsection_count = 0
            number = f"{self.section_count}."
        else:
            self.subsection_count += 1
            number = f"{self.section_count}.{self.subsection_count}"
        return Html(f'<h{level} id="{esc(key)}">{number} {esc(title)}</h{level}>')

    def cached(self, key: str, build: Any) -> Any:
        if key not in self.results:
            self.results[key] = build()
        return self.results[key]

    def paired(self, before: str, after: str) -> pd.DataFrame:
        """The paired tests between two waves, without the answers to questions not asked
        (they have no pair, hence no p-value: the Holm family is the same)."""
        return self.cached(f"paired:{before}:{after}", lambda: self._asked_rows(before, after))

    def _asked_rows(self, before: str, after: str) -> pd.DataFrame:
        table = paired_table(
            self.formation, self.training, before, after, min_persons=self.min_persons
        )
        if table.empty:
            return table
        keep = [self.is_asked(column) for column in table["column"]]
        return table.loc[keep].reset_index(drop=True)

    def column_label(self, column: str) -> str:
        if column == "auto_eval_moyenne":
            return self.pick(
                "Aisance moyenne (moyenne des 8 éléments)", "Mean confidence (mean of 8 items)"
            )
        if column == "usage_hebdo":
            return self.pick(
                "Utilise des outils d'IA au moins une fois par semaine",
                "Uses AI tools at least weekly",
            )
        if column == "certification_oui":
            return self.training.column_label("certification", self.language)
        if column.startswith("auto_eval__"):
            return self.pick("À l'aise pour ", "Confident to ") + self.training.column_label(
                column, self.language
            )
        return self.training.column_label(column, self.language)

    def group_label(self, by: str, code: str) -> str:
        if by == "secteur":
            return self.sector_label(code)
        try:
            return self.training.code_label(by, code, self.language)
        except KeyError:
            return code


def load_training(study_dir: str | Path, *, language: str = "") -> TrainingContext:
    """Load the study and its pilot-training answers for the evaluation report.

    Raises
    ------
    InputError
        When ``formation.parquet`` is missing or unreadable.
    """
    base = load_context(study_dir, language=language, require_indicators=False)
    training = base.study.training_dictionary
    formation = load_formation(base.processed_dir)
    # a question the pilot did not ask may have no column: it gets an empty one (not asked)
    absent = [c for c in training.columns() if c not in formation.columns]
    if absent:
        empty = pd.DataFrame(pd.NA, index=formation.index, columns=absent, dtype="object")
        formation = pd.concat([formation, empty], axis=1)
    values = {f: getattr(base, f) for f in base.__dataclass_fields__}
    results = _shared_results(base, language)
    return TrainingContext(**values, formation=formation, training=training, results=results)


#: The computed results (paired tests, breakdowns…) of the training reports of this process,
#: by study, language and data: the report's notebook and its tables for the Excel workbook
#: (:func:`iaobs.reports.content.report_content`, in the same process) compute them once.
_RESULTS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _shared_results(base: ReportContext, language: str) -> dict[str, Any]:
    files = (Path(base.study.root) / "study.toml", Processed(Path(base.processed_dir)).formation)
    stamps = []
    for path in files:
        try:
            info = path.stat()
            stamps.append((info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append((0, 0))
    key = (str(Path(base.processed_dir).resolve()), base.language, language, tuple(stamps))
    if key not in _RESULTS:
        _RESULTS.clear()
        _RESULTS[key] = {}
    return _RESULTS[key]


def present_counts(ctx: TrainingContext) -> dict[str, int]:
    waves = ctx.formation["vague"].astype("string")
    ids = ctx.formation["id_participant"].astype("string")
    return {w: int(ids[waves == w].nunique()) for w in WAVES}


def fmt_decimal(ctx: TrainingContext, value: Any, decimals: int = 1) -> str:
    return tx.format_decimal(value, decimals=decimals, language=ctx.language)


def fmt_percent(ctx: TrainingContext, value: Any) -> str:
    return tx.format_percent(value, language=ctx.language)


def fmt_number(ctx: TrainingContext, value: Any) -> str:
    return tx.format_number(value, language=ctx.language)


def format_p(value: Any, language: str = "fr") -> str:
    """A p-value for a table: ``< 0,001``, ``0,042``, ``1``; ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tx.MISSING
    if value < 0.001:
        return "< 0,001" if language != "en" else "< 0.001"
    return tx.format_decimal(value, decimals=3, language=language)


def result_row(table: pd.DataFrame, column: str) -> dict[str, Any] | None:
    sub = table[table["column"] == column] if len(table) else table
    return None if sub.empty else sub.iloc[0].to_dict()


def attrition_text(ctx: TrainingContext) -> Html:
    """The attrition in plain words, and whether those who left differed at T0."""
    present = present_counts(ctx)
    table = attrition(ctx.formation, min_persons=ctx.min_persons).iloc[0]
    parts = [
        ctx.pick(
            f"{fmt_number(ctx, present['T0'])} participants ont répondu avant la formation (T0). "
            f"{fmt_number(ctx, table['left_t1'])} n'ont pas répondu en fin de formation (T1) et "
            f"{fmt_number(ctx, table['left_t2'])} n'ont pas répondu trois mois après (T2). Les "
            f"comparaisons portent uniquement sur les personnes présentes aux deux vagues "
            f"comparées : {fmt_number(ctx, table['t0_t1'])} pour T0 → T1, "
            f"{fmt_number(ctx, table['t0_t2'])} pour T0 → T2.",
            f"{fmt_number(ctx, present['T0'])} participants answered before the training (T0). "
            f"{fmt_number(ctx, table['left_t1'])} did not answer at its end (T1) and "
            f"{fmt_number(ctx, table['left_t2'])} did not answer three months later (T2). "
            f"Comparisons use only the persons present at both waves compared: "
            f"{fmt_number(ctx, table['t0_t1'])} for T0 → T1, {fmt_number(ctx, table['t0_t2'])} for T0 → T2.",
        )
    ]
    # did the persons lost at T2 start from a different level?
    frame = with_derived(ctx.formation, ctx.training)
    waves = frame["vague"].astype("string")
    t0 = frame[waves == "T0"].drop_duplicates("id_participant")
    at_t2 = set(frame.loc[waves == "T2", "id_participant"].astype("string"))
    stayed = t0["id_participant"].astype("string").isin(at_t2)
    quiz = pd.to_numeric(t0["score_quiz"], errors="coerce")
    enough = stayed.sum() >= ctx.min_persons and (~stayed).sum() >= ctx.min_persons
    if ctx.is_asked("score_quiz") and enough:
        parts.append(
            ctx.pick(
                f"Avant la formation, les participants perdus à T2 avaient un score moyen au "
                f"test de {fmt_decimal(ctx, quiz[~stayed].mean())} sur 20, contre "
                f"{fmt_decimal(ctx, quiz[stayed].mean())} pour ceux qui ont répondu à T2 : "
                "les résultats à T2 décrivent les participants restés, pas nécessairement "
                "l'ensemble des stagiaires.",
                f"Before the training, participants lost at T2 had a mean test score of "
                f"{fmt_decimal(ctx, quiz[~stayed].mean())} out of 20, against "
                f"{fmt_decimal(ctx, quiz[stayed].mean())} for those who answered at T2: T2 results "
                "describe those who stayed, not necessarily every trainee.",
            )
        )
    return Html("".join(f"<p>{esc(p)}</p>" for p in parts))


def nps_result(ctx: TrainingContext) -> dict[str, Any]:
    waves = ctx.formation["vague"].astype("string")
    scores = pd.to_numeric(ctx.formation.loc[waves == "T1", "recommandation"], errors="coerce")
    return net_promoter(scores.to_numpy(dtype=float, na_value=np.nan))


def satisfaction_shares(ctx: TrainingContext) -> pd.DataFrame:
    return distribution(
        ctx.formation,
        ctx.training,
        "satisfaction",
        "T1",
        min_persons=ctx.min_persons,
        language=ctx.language,
    )


def methodology(ctx: TrainingContext) -> Html:
    """The methodology annex of the training report (design, tests, effect sizes, secrecy)."""
    k = ctx.min_persons
    paragraphs = [
        ctx.pick(
            "Chaque participant a répondu au même questionnaire avant la formation (T0), à la "
            "fin de la formation (T1) et trois mois après (T2). Le code participant, "
            "pseudonyme, est identique d'une vague à l'autre : chaque personne est comparée à "
            "elle-même (données appariées). La formation pilote étant exhaustive, les réponses "
            "ne sont pas pondérées.",
            "Each participant answered the same questionnaire before the training (T0), at its "
            "end (T1) and three months later (T2). The pseudonymous participant code is the same "
            "at every wave: each person is compared with themself (paired data). The pilot is "
            "exhaustive, so answers are not weighted.",
        ),
        ctx.pick(
            "Attrition : une comparaison entre deux vagues ne retient que les personnes "
            "présentes aux deux. Les personnes parties peuvent différer de celles qui restent ; "
            "la partie 1 compare leur niveau de départ.",
            "Attrition: a comparison between two waves keeps only the persons present at both. "
            "Those who left may differ from those who stayed; part 1 compares their starting "
            "level.",
        ),
        ctx.pick(
            "Scores et échelles ordonnées (aisance de 1 à 5, test sur 20, fréquence d'usage et "
            "opinions converties en rangs de 1 à 5, « ne sait pas » exclu) : test de Wilcoxon "
            "des rangs signés (écarts nuls exclus, sans correction de continuité ; loi exacte "
            "jusqu'à 50 écarts non "
            "nuls sans ex aequo, approximation normale corrigée des ex aequo sinon). Taille "
            "d'effet : corrélation rang-bisérial appariée r = (R⁺ − R⁻)/(R⁺ + R⁻), de −1 à +1, "
            f"avec un intervalle de confiance à 95 % par bootstrap percentile "
            f"({fmt_number(ctx, BOOTSTRAP_RESAMPLES)} tirages de personnes). L'écart moyen est donné "
            "avec son intervalle de Student.",
            "Scores and ordered scales (confidence 1-5, test out of 20, frequency of use and "
            "opinions as ranks 1-5, don't know excluded): Wilcoxon signed-rank test "
            "(zero differences dropped, no continuity correction; exact distribution up to 50 non-zero differences without "
            "ties, tie-corrected normal approximation otherwise). Effect size: matched-pairs "
            "rank-biserial correlation r = (R⁺ − R⁻)/(R⁺ + R⁻), from −1 to +1, with a 95% "
            f"percentile bootstrap interval ({fmt_number(ctx, BOOTSTRAP_RESAMPLES)} resamples of "
            "persons). The mean change is given with its Student interval.",
        ),
        ctx.pick(
            "Réponses oui/non : test de McNemar, exact (loi binomiale des changements) quand "
            f"moins de {EXACT_MCNEMAR_BELOW} personnes changent de réponse, χ² avec correction "
            "de continuité sinon ; écart de proportions avec l'intervalle de Newcombe.",
            "Yes/no answers: McNemar test, exact (binomial on the changes) when fewer than "
            f"{EXACT_MCNEMAR_BELOW} persons change answer, χ² with continuity correction "
            "otherwise; difference of proportions with Newcombe's interval.",
        ),
        ctx.pick(
            "Tests multiples : chaque tableau teste plusieurs éléments ; la p-valeur ajustée par "
            "la méthode de Holm contrôle le risque de conclure à tort à au moins un effet. Une "
            "p-valeur ajustée inférieure à 0,05 peut être lue comme un changement net.",
            "Multiple testing: each table tests several items; Holm's adjusted p-value controls "
            "the risk of wrongly finding at least one effect. An adjusted p-value below 0.05 can "
            "be read as a clear change.",
        ),
        ctx.pick(
            "Score net de recommandation (NPS) : part des réponses 9 ou 10 moins part des "
            "réponses 0 à 6 à la question « Recommanderiez-vous la formation ? », en points, "
            "avec un intervalle à 95 % par bootstrap.",
            "Net promoter score: share of answers 9-10 minus share of answers 0-6 to “Would you "
            "recommend the training?”, in points, with a 95% bootstrap interval.",
        ),
        ctx.pick(
            f"Secret : aucun chiffre ne repose sur moins de {k} personnes. Les groupes plus "
            "petits (secteur, famille de métiers, catégorie) sont notés nd, avec les plus "
            "petits des autres tant que les groupes masqués ne réunissent pas ensemble "
            f"{k} personnes : ni un groupe ni leur ensemble ne peut être retrouvé par "
            "différence avec le total. Un écart avant/après d'une réponse oui/non et son test "
            f"sont secrets quand moins de {k} participants ont changé de réponse dans un sens. "
            "Aucune réponse individuelle ni aucun nom ne figure dans ce rapport.",
            f"Confidentiality: no figure rests on fewer than {k} persons. Smaller groups "
            "(sector, job family, category) are marked nd, with the smallest other ones until "
            f"the hidden groups hold {k} persons together: neither a group nor their sum can "
            "be recovered from the total. A before/after change of a yes/no answer and its "
            f"test are secret when fewer than {k} participants changed their answer one way. "
            "No individual answer and no name appears in this report.",
        ),
    ]
    not_asked = questions.not_asked_sentence(ctx)
    if not_asked:
        paragraphs.append(not_asked)
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return Html(f'<section class="iaobs-annexe">{ctx.heading(2, "annexe")}{body}</section>')
