"""The comparison report of several studies (regions): its context, tables and text.

The statistics are :mod:`iaobs.stats.comparison`; the rendering :mod:`iaobs.render.comparison`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core.text import MISSING, format_interval, format_number, format_percent
from iaobs.errors import ConfigError, InputError
from iaobs.reports import figures
from iaobs.reports.blocks import cover_html
from iaobs.reports.catalogue import KEY_INDICATORS, SECTIONS
from iaobs.reports.content import ReportContent
from iaobs.reports.context import (
    Html,
    ReportContext,
    _report_date,
    esc,
    read_indicators,
)
from iaobs.reports.evolution import change_text, significance_text
from iaobs.reports.table import ReportTable, TableSection
from iaobs.reports.tablehtml import table_html
from iaobs.reports.tables import _add_group, _frame, _notes
from iaobs.stats.comparison import Comparison, compare_studies
from iaobs.study.config import Study, load_study

__all__ = [
    "ComparisonContext",
    "compare_loaded",
    "comparison_content",
    "load_comparison",
    "load_studies",
]


def _study_keys(studies: Sequence[Study]) -> list[str]:
    regions = [s.region for s in studies]
    keys = []
    for s in studies:
        key = s.region if regions.count(s.region) == 1 else f"{s.region} {s.wave}"
        keys.append(key)
    if len(set(keys)) != len(keys):
        keys = [f"{k} ({s.root.name})" for k, s in zip(keys, studies, strict=True)]
    return keys


def load_studies(paths: Sequence[str | Path]) -> dict[str, tuple[Study, pd.DataFrame]]:
    """Load each study and its indicators table; key = the name shown in the reports.

    Raises
    ------
    ConfigError
        Fewer than two studies, or the same study twice.
    InputError
        A study whose indicators have not been computed yet (names the study and what to run).
    """
    if len(paths) < 2:
        raise ConfigError(
            "comparaison : au moins deux études sont nécessaires",
            hint="ex. iaobs compare ../hauts-de-france ../occitanie",
        )
    studies = [load_study(p) for p in paths]
    roots = [s.root for s in studies]
    if len(set(roots)) != len(roots):
        raise ConfigError("comparaison : la même étude est donnée deux fois")
    out: dict[str, tuple[Study, pd.DataFrame]] = {}
    for key, study in zip(_study_keys(studies), studies, strict=True):
        path = study.store.processed.indicators
        if not path.is_file():
            raise InputError(
                f"étude « {study.region} » ({study.root}) : indicateurs non calculés",
                file=path,
                hint=f"lancez d'abord « iaobs run {study.root} » (ou « iaobs estimate »)",
            )
        out[key] = (study, read_indicators(path))
    return out


def compare_loaded(loaded: Mapping[str, tuple[Study, pd.DataFrame]]) -> Comparison:
    """Compare loaded studies, the reports' key indicators forming the first family of tests."""
    first = next(iter(loaded.values()))[0]
    return compare_studies(
        loaded,
        confidence=first.weighting.confidence,
        key_indicators=[(k[0], k[1]) for k in KEY_INDICATORS],
    )


@dataclass
class ComparisonContext(ReportContext):
    """A :class:`~iaobs.reports.context.ReportContext` for the comparison report.

    Words, labels and thresholds come from the first study; ``indicators`` holds the first
    study's shared indicators (for labels); ``comparison`` holds every study's.
    """

    comparison: Comparison | None = None

    @property
    def source_line(self) -> str:
        assert self.comparison is not None
        surveys = ", ".join(f"{key} ({s.wave})" for key, s in self.comparison.studies.items())
        return self.pick(
            f"Observatoires régionaux de l'IA et des compétences, enquêtes : {surveys} ; "
            "calculs de l'observatoire.",
            f"Regional observatories of AI and skills, surveys: {surveys}; observatory "
            "calculations.",
        )

    def champ(self, domain: str | None = None, *, multi: bool = False) -> str:
        assert self.comparison is not None
        regions = ", ".join(s.region for s in self.comparison.studies.values())
        return self.pick(
            f"Entreprises des secteurs communs aux études, implantées dans les régions "
            f"{regions}, ayant répondu à la question.",
            f"Companies of the sectors shared by the studies, located in the regions "
            f"{regions}, that answered the question.",
        )

    @property
    def keys(self) -> list[str]:
        assert self.comparison is not None
        return list(self.comparison.studies)

    def study_row(self, key: str, indicator: str, level: str, domain: str) -> dict[str, Any] | None:
        """One study's row of the shared indicators (``None`` when absent)."""
        cache = self.__dict__.get("_study_rows")
        if cache is None:
            assert self.comparison is not None
            cache = {
                (r["study"], r["indicator"], r["level"], r["domain"]): r
                for r in self.comparison.estimates.to_dict("records")
            }
            self.__dict__["_study_rows"] = cache
        return cache.get((key, indicator, level, domain))

    def test_row(
        self, a: str, b: str, indicator: str, level: str, domain: str
    ) -> dict[str, Any] | None:
        """The test of studies ``a`` and ``b`` on one indicator (``None`` when absent)."""
        cache = self.__dict__.get("_test_rows")
        if cache is None:
            assert self.comparison is not None
            cache = {
                (r["study_1"], r["study_2"], r["indicator"], r["level"], r["domain"]): r
                for r in self.comparison.tests.to_dict("records")
            }
            self.__dict__["_test_rows"] = cache
        return cache.get((a, b, indicator, level, domain))


def load_comparison(studies: Sequence[str | Path], language: str = "") -> ComparisonContext:
    """Load the studies and compare them (what the comparison notebook starts with)."""
    loaded = load_studies(studies)
    first = next(iter(loaded.values()))[0]
    language = (language or first.language).strip()
    if language not in ("fr", "en"):
        raise ConfigError(f"langue inconnue {language!r} : attendu fr ou en")
    comparison = compare_loaded(loaded)
    key0 = next(iter(loaded))
    own = comparison.estimates[comparison.estimates["study"] == key0].drop(columns="study")
    respondents = {}
    for key, (_study, table) in loaded.items():
        base = table.loc[table["domain"] == "all", "n"]
        respondents[key] = int(base.max()) if len(base) else 0
    ctx = ComparisonContext(
        study=first,
        dictionary=first.dictionary,
        indicators=own.reset_index(drop=True),
        quality={},
        weighting={},
        language=language,
        sector=None,
        date=_report_date(),
        processed_dir=first.processed_dir,
        comparison=comparison,
    )
    ctx.__dict__["_respondents_by_study"] = respondents
    return ctx


def _pairs(ctx: ComparisonContext) -> list[tuple[str, str]]:
    return list(itertools.combinations(ctx.keys, 2))


def _domain_label(ctx: ComparisonContext, domain: str) -> str:
    if domain == "all":
        return ctx.t("all_sectors")
    name, _, value = domain.partition("=")
    if name == "secteur":
        return ctx.sector_label(value)
    if name == "taille":
        return ctx.size_label(value)
    return domain


def _side_by_side(
    ctx: ComparisonContext, rows: list[tuple[str, str, str, str]], title: str, note: str
) -> Any:
    """rows = (label, indicator, level, domain): a group per study, then per pair of studies
    the difference (points, 95 % CI) and whether it is significant after Holm."""
    head = ctx.t("indicator")
    columns: dict[str, list[Any]] = {head: [r[0] for r in rows]}
    kinds = {head: "label"}
    for key in ctx.keys:
        found = [ctx.study_row(key, ind, lev, dom) for _, ind, lev, dom in rows]
        _add_group(columns, kinds, ctx, key, found)
    for a, b in _pairs(ctx):
        change = ctx.pick(f"Écart {b} − {a} (points, IC 95 %)", f"{b} − {a} (points, 95% CI)")
        flag = ctx.pick(f"Significatif (Holm) {b} − {a}", f"Significant (Holm) {b} − {a}")
        if len(ctx.keys) == 2:
            change = ctx.pick("Écart (points, IC 95 %)", "Difference (points, 95% CI)")
            flag = ctx.pick("Significatif (Holm, 5 %)", "Significant (Holm, 5%)")
        columns[change], columns[flag] = [], []
        for _, ind, lev, dom in rows:
            test = ctx.test_row(a, b, ind, lev, dom)
            columns[change].append(change_text(ctx, test) if test else tx_missing())
            columns[flag].append(
                significance_text(ctx, test["significant"]) if test else tx_missing()
            )
        kinds[change], kinds[flag] = "text", "text"
    return title, _frame(columns), _notes(ctx, note=note), kinds


def tx_missing() -> str:
    return MISSING


def _key_rows(ctx: ComparisonContext, domain: str = "all") -> list[tuple[str, str, str, str]]:
    out = []
    for indicator, level, fr, en in KEY_INDICATORS:
        if all(ctx.study_row(k, indicator, level, domain) is not None for k in ctx.keys):
            out.append((ctx.pick(fr, en), indicator, level, domain))
    return out


def _domain_rows(
    ctx: ComparisonContext, indicator: str = "ia_usage", level: str = ""
) -> list[tuple[str, str, str, str]]:
    assert ctx.comparison is not None
    domains = ["all"] + [f"secteur={s}" for s in ctx.comparison.sectors]
    domains += [f"taille={t}" for t in ctx.sizes()]
    return [
        (_domain_label(ctx, d), indicator, level, d)
        for d in domains
        if all(ctx.study_row(k, indicator, level, d) is not None for k in ctx.keys)
    ]


def _test_note(ctx: ComparisonContext) -> str:
    return ctx.pick(
        "Écarts testés entre échantillons indépendants (test z) ; significativité au seuil de "
        "5 % après correction de Holm sur la famille des indicateurs clés (tous domaines et "
        "paires d'études). Pas de test quand une case n'est pas diffusée.",
        "Differences tested between independent samples (z test); significance at the 5% "
        "level after Holm's correction over the family of key indicators (every domain and "
        "pair of studies). No test when a cell is not published.",
    )


def _excluded_table(ctx: ComparisonContext) -> Any:
    assert ctx.comparison is not None
    excluded = ctx.comparison.excluded
    what = {
        "indicator": ctx.pick("indicateur", "indicator"),
        "sector": ctx.pick("secteur", "sector"),
    }
    names = []
    for _, row in excluded.iterrows():
        name = str(row["name"])
        if row["what"] == "indicator":
            name = f"{ctx.label(name)} ({name})" if ctx.label(name) != name else name
        names.append(name)
    head = ctx.pick("Élément", "Item")
    columns = {
        head: names,
        ctx.pick("Type", "Type"): [what.get(w, w) for w in excluded["what"]],
        ctx.pick("Raison", "Reason"): list(
            excluded["reason" if ctx.language != "en" else "reason_en"]
        ),
    }
    kinds = {head: "label", ctx.pick("Type", "Type"): "text", ctx.pick("Raison", "Reason"): "text"}
    title = ctx.pick(
        "Indicateurs et secteurs laissés hors de la comparaison",
        "Indicators and sectors left out of the comparison",
    )
    sep = ctx.pick(" : ", ": ")
    return title, _frame(columns), [f"{ctx.t('source')}{sep}{ctx.source_line}"], kinds


COMPARISON_LAYOUT: list[tuple[str, list[str]]] = [
    ("comparaison_etudes", ["cles"]),
    ("comparaison_domaines", ["domaines"]),
    ("non_compares", ["exclus"]),
]


def comparison_table(ctx: ComparisonContext, key: str) -> Any:
    """One numbered table of the comparison report (``cles``, ``domaines`` or ``exclus``)."""
    if key == "cles":
        built = _side_by_side(
            ctx,
            _key_rows(ctx),
            ctx.pick(
                "Indicateurs clés de chaque étude, ensemble des secteurs (en %)",
                "Key indicators of each study, all sectors (%)",
            ),
            _test_note(ctx),
        )
    elif key == "domaines":
        built = _side_by_side(
            ctx,
            _domain_rows(ctx),
            ctx.pick(
                "Entreprises utilisant au moins une technologie d'IA, par secteur et par taille "
                "(en %)",
                "Companies using at least one AI technology, by sector and size (%)",
            ),
            _test_note(ctx),
        )
    elif key == "exclus":
        built = _excluded_table(ctx)
    else:
        raise KeyError(f"tableau inconnu du rapport de comparaison : {key!r}")
    number = [k for _, keys in COMPARISON_LAYOUT for k in keys].index(key) + 1
    title, frame, notes, kinds = built
    return ReportTable(number, title, frame, notes, kinds, key=key)


def show_table(ctx: ComparisonContext, key: str) -> Any:
    """A table of the comparison report as HTML."""
    return table_html(comparison_table(ctx, key), ctx)


def comparison_tables(ctx: ComparisonContext) -> list[Any]:
    """Every table of the comparison report, by section (one Excel sheet per section)."""
    return [
        TableSection(ctx.pick(*SECTIONS[section]), [comparison_table(ctx, k) for k in keys])
        for section, keys in COMPARISON_LAYOUT
    ]


def comparison_content(kind: str, parameters: Mapping[str, Any], *, tables: bool = True) -> Any:
    """Content provider of the renderer for the comparison report (tables, no key figures)."""
    ctx = load_comparison(list(parameters["studies"]), str(parameters.get("language", "")))
    return ReportContent(sections=comparison_tables(ctx) if tables else [], key_figures=[])


def cover(ctx: ComparisonContext) -> Any:
    """The comparison report's cover: studies, waves, respondents, date."""
    assert ctx.comparison is not None
    counts = ctx.__dict__.get("_respondents_by_study", {})
    rows = [
        (
            f"{key}",
            ctx.pick(
                f"enquête {s.wave}, {format_number(counts.get(key, 0), language='fr')} "
                "entreprises répondantes",
                f"{s.wave} survey, {format_number(counts.get(key, 0), language='en')} "
                "responding companies",
            ),
        )
        for key, s in ctx.comparison.studies.items()
    ]
    rows.append((ctx.t("date"), ctx.date_text))
    title = ctx.pick(
        "L'intelligence artificielle et les compétences : comparaison des études régionales",
        "Artificial intelligence and skills: comparison of regional studies",
    )
    return cover_html(ctx, ctx.pick("Comparaison", "Comparison"), title, rows)


def essentiel(ctx: ComparisonContext) -> Any:
    """L'essentiel: what is compared, how many differences are significant, and which."""
    assert ctx.comparison is not None
    tests = ctx.comparison.tests
    fmt = ctx.language
    key_tests = tests[(tests["family"] == "key") & tests["significant"].notna()]
    significant = key_tests[key_tests["significant"].astype(bool)]
    shared = ctx.comparison.estimates["indicator"].nunique()
    dropped = int((ctx.comparison.excluded["what"] == "indicator").sum())
    items = [
        ctx.pick(
            f"{format_number(shared, language=fmt)} indicateurs sont définis de la même façon "
            f"dans les études comparées ; {format_number(dropped, language=fmt)} sont laissés "
            "de côté (voir la dernière section).",
            f"{format_number(shared, language=fmt)} indicators are defined the same way in the "
            f"studies compared; {format_number(dropped, language=fmt)} are left out (see the "
            "last section).",
        ),
        ctx.pick(
            f"Sur {format_number(len(key_tests), language=fmt)} écarts d'indicateurs clés testés, "
            f"{format_number(len(significant), language=fmt)} sont significatifs au seuil de "
            "5 % après correction de Holm.",
            f"Of {format_number(len(key_tests), language=fmt)} differences of key indicators "
            f"tested, {format_number(len(significant), language=fmt)} are significant at the 5% "
            "level after Holm's correction.",
        ),
    ]
    shown = significant[significant["domain"] == "all"].sort_values("p_holm").head(4)
    for _, test in shown.iterrows():
        a, b = test["study_1"], test["study_2"]
        ra = ctx.study_row(a, test["indicator"], test["level"], "all")
        rb = ctx.study_row(b, test["indicator"], test["level"], "all")
        if ra is None or rb is None:
            continue
        phrase = ctx.answer_phrase(test["indicator"], test["level"])
        pa, pb = (format_percent(r["estimate"], language=fmt) for r in (ra, rb))
        ia, ib = (format_interval(r["ci_low"], r["ci_high"], language=fmt) for r in (ra, rb))
        items.append(
            ctx.pick(
                f"{pb} des entreprises en {b} (IC 95\u202f% : {ib}) {phrase}, contre {pa} en "
                f"{a} (IC 95\u202f% : {ia}) : écart de {change_text(ctx, test)}, significatif.",
                f"{pb} of companies in {b} (95% CI: {ib}) {phrase}, compared with {pa} in {a} "
                f"(95% CI: {ia}): a difference of {change_text(ctx, test)}, significant.",
            )
        )
    body = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Html(
        '<div class="iaobs-essentiel">'
        f'<h2 id="essentiel">{esc(ctx.t("essentiel"))}</h2><ul>{body}</ul></div>'
    )


def chart_studies(
    ctx: ComparisonContext,
    rows: Sequence[tuple[str, str, str, str]] | None = None,
    *,
    title: str | None = None,
) -> Any:
    """Bars of each study side by side, with 95 % intervals (key indicators by default)."""
    rows = list(rows) if rows is not None else _key_rows(ctx)
    records = []
    for label, indicator, level, domain in rows:
        for key in ctx.keys:
            r = ctx.study_row(key, indicator, level, domain)
            if r is None:
                continue
            records.append(
                {
                    "label": label,
                    "group": key,
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "n": r["n"],
                    "flag": r["flag"],
                }
            )
    data = pd.DataFrame(
        records, columns=["label", "group", "estimate", "ci_low", "ci_high", "n", "flag"]
    )
    if data.empty:
        return Html("")
    fig = figures.plot_groups(
        data, ctx.keys, language=ctx.language, xlabel=ctx.t("percent_of_firms").capitalize()
    )
    title = title or ctx.pick(
        "Indicateurs clés de chaque étude, ensemble des secteurs (en %)",
        "Key indicators of each study, all sectors (%)",
    )
    note = ctx.pick(
        "Traits : intervalles de confiance à 95 %. Deux intervalles qui se recouvrent ne "
        "suffisent pas à conclure : voir le tableau pour le test de chaque écart.",
        "Whiskers: 95% confidence intervals. Overlapping intervals are not a test: see the "
        "table for the test of each difference.",
    )
    values = ctx.pick(" ; ", "; ").join(
        f"{r['label']} – {r['group']}{ctx.pick(' : ', ': ')}{_pct(r['estimate'], ctx.language)}"
        for _, r in data.iterrows()
    )
    alt = ctx.pick("Barres groupées par étude. ", "Bars grouped by study. ") + values + "."
    return figures.figure_html(
        fig, ctx=ctx, title=title, alt=alt, lecture=None, champ=ctx.champ(), note=note
    )


def _pct(value: Any, language: str) -> str:
    return format_percent(value, language=language)


def chart_domains(ctx: ComparisonContext) -> Any:
    """Use of AI in each shared sector and size class, studies side by side."""
    return chart_studies(
        ctx,
        _domain_rows(ctx),
        title=ctx.pick(
            "Entreprises utilisant au moins une technologie d'IA, par secteur et par taille (en %)",
            "Companies using at least one AI technology, by sector and size (%)",
        ),
    )


def methodology(ctx: ComparisonContext) -> Any:
    """How the studies are compared: shared definitions, tests, Holm families, caveats."""
    assert ctx.comparison is not None
    conf = _pct(ctx.comparison.confidence, ctx.language)
    paragraphs = [
        ctx.pick(
            "Chaque étude est pondérée et estimée séparément, selon sa propre méthode (strates, "
            "marges de population, calage, secret statistique) ; ses intervalles de confiance "
            "sont ceux de ses propres rapports.",
            "Each study is weighted and estimated on its own, with its own design (strata, "
            "population margins, raking, confidentiality rules); its confidence intervals are "
            "those of its own reports.",
        ),
        ctx.pick(
            "Seuls sont comparés les indicateurs définis de la même façon dans toutes les "
            "études : même question, mêmes codes de réponse et mêmes modalités. Un secteur "
            "n'est comparé que s'il regroupe les mêmes codes NAF dans toutes les études ; les "
            "départements, propres à chaque région, ne le sont pas.",
            "Only indicators defined the same way in every study are compared: same question, "
            "same answer codes and levels. A sector is compared only when it groups the same "
            "NAF codes in every study; départements, specific to each region, are not.",
        ),
        ctx.pick(
            "L'écart entre deux études est estimé comme entre deux échantillons indépendants : "
            "son écart-type est la racine de la somme des variances, son intervalle de "
            f"confiance à {conf} l'écart plus ou moins 1,96 écart-type, et le test un test z. "
            "Comme de nombreux écarts sont testés, les p-valeurs sont corrigées par la méthode "
            "de Holm, qui garantit un risque de 5 % de conclure à tort à au moins un écart "
            "dans une famille de tests : la famille des indicateurs clés (tous domaines et "
            "toutes paires d'études), et celle des autres indicateurs communs (fichiers "
            "differences.csv et tables.xlsx). Les intervalles des écarts ne sont pas corrigés.",
            "The difference between two studies is estimated as between two independent "
            "samples: its standard error is the square root of the sum of the variances, its "
            f"{conf} confidence interval the difference plus or minus 1.96 standard errors, "
            "and the test a z test. As many differences are tested, p-values are adjusted with "
            "Holm's method, which keeps at 5% the risk of wrongly finding at least one "
            "difference within a family of tests: the family of key indicators (every domain "
            "and pair of studies), and that of the other shared indicators (files "
            "differences.csv and tables.xlsx). The intervals of the differences are not "
            "adjusted.",
        ),
        ctx.pick(
            "Une case non diffusée (secret statistique ou effectif insuffisant) dans l'une des "
            "études n'est pas comparée. Les différences de questionnaire, de période de "
            "collecte ou de mode de diffusion de l'enquête entre régions peuvent expliquer une "
            "partie des écarts.",
            "A cell not published (confidentiality or too few respondents) in either study is "
            "not compared. Differences in questionnaire wording, collection period or survey "
            "mode between regions may explain part of the differences.",
        ),
    ]
    return Html(
        '<section class="iaobs-annexe">'
        + str(ctx.heading(2, "annexe"))
        + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        + "</section>"
    )
