"""« Votre entreprise face à son secteur »: one company's answers against published aggregates.

A volunteer company (``volontaire_accompagnement = oui``) receives a short report that places
its own answers against the weighted distribution of its sector (``secteur=X``) and of its size
class (``taille=Y``, all sectors). Privacy, by construction:

* the company's own answers are read from ``responses.parquet`` by its pseudonymous
  ``id_repondant`` (processed data hold no name and no SIREN); free text is never read;
* every comparison figure is a cell of the published indicators table that is not hidden
  (flags ``s`` and ``nd`` keep no estimate, see :func:`iaobs.reports.context.read_indicators`): the
  report reveals nothing that the published reports do not, so no other company's answer can be
  inferred from it beyond what the sector reports already show;
* a comparison that needs a hidden cell is not shown, and the report says why.

Positions: "plus avancé que celui de 80 % des entreprises de votre secteur" is the weighted
share of the sector's companies whose adoption stage is lower than the company's, i.e. the sum
of the published shares of the lower stages (base: companies that gave a stage, NSP excluded).
If one of those shares is hidden, the sentence is replaced by an explanation.

The report's charts are in :mod:`iaobs.reports.kinds.company_chart`, its tables in
:mod:`iaobs.reports.kinds.company_tables`, its « pistes d'action » in
:mod:`iaobs.reports.kinds.actions`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.typography import plural
from iaobs.errors import ConfigError, InputError
from iaobs.reports.context import HIDDEN_FLAGS, Html, KeyFigure, ReportContext, esc, load_context
from iaobs.reports.notes import champ_source
from iaobs.reports.tablehtml import notes_html
from iaobs.study.store import Processed

__all__ = [
    "COMPANY_SECTIONS",
    "CompanyContext",
    "company_answers",
    "domain_label",
    "hidden_reason",
    "load_company",
    "pct",
    "position_sentence",
    "shares",
    "stage_position",
]

VOLUNTEER_COLUMN, ID_COLUMN = "volontaire_accompagnement", "id_repondant"
#: never read from the responses: free text and anything confidential
_NEVER_READ = frozenset({"commentaire", "siren", "raison_sociale", "email_contact"})

COMPANY_SECTIONS: dict[str, tuple[str, str]] = {
    "position": ("Votre position", "Your position"),
    "adoption": ("Adoption de l'IA", "AI adoption"),
    "emploi": ("Effet attendu sur l'emploi", "Expected effect on jobs"),
    "competences": ("Besoins de compétences", "Skills needs"),
    "formation": ("Formation", "Training"),
    "freins": ("Freins", "Barriers"),
    "pistes": ("Pistes d'action", "Suggested actions"),
    "apropos": ("À propos de ce document", "About this document"),
}

#: the questions behind each section: a section none of them was asked in is left out
SECTION_QUESTIONS: dict[str, tuple[str, ...]] = {
    "adoption": ("ia_stade", "ia_generative", "techno"),
    "emploi": ("impact_effectifs",),
    "competences": ("besoin_comp",),
    "formation": ("part_formes_ia",),
    "freins": ("freins",),
}

#: ordinal questions shown as "your answer / distribution of your sector and size class"
ORDINAL_QUESTIONS = ("ia_stade", "impact_effectifs", "part_formes_ia")
#: Ordered questions whose position sentence names what it is about (« Votre stade d'adoption
#: … », « … formé aucun salarié à l'IA … ») when the position is complete.
SELF_NAMED = ("ia_stade", "part_formes_ia")


@dataclass
class CompanyContext(ReportContext):
    """A :class:`ReportContext` for one company's benchmark.

    ``answers`` is the company's own row of ``responses.parquet`` (a mapping column → value,
    free text removed); ``company`` its pseudonymous id; ``size`` its size class.
    """

    company: str = ""
    size: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)

    def heading(self, level: int, key: str) -> Html:
        """A section heading (``<h2>``, numbered but for « Pistes d'action »); no ``id``, so
        that this short report gets no table of contents. ``level`` is accepted for the
        templates' sake: the report has no subsection. Nothing for a section whose questions
        the study did not ask."""
        if key in SECTION_QUESTIONS and not self.is_asked(*SECTION_QUESTIONS[key]):
            return Html("")
        title = self.pick(*COMPANY_SECTIONS[key])
        if key in ("apropos", "pistes"):  # unnumbered
            return Html(f"<h2>{esc(title)}</h2>")
        self.section_count += 1
        return Html(f"<h2>{self.section_count}. {esc(title)}</h2>")

    @property
    def sector_domain(self) -> str:
        return f"secteur={self.sector}"

    @property
    def size_domain(self) -> str:
        return f"taille={self.size}"

    def answer(self, column: str) -> str:
        """The company's coded answer to a column ('' when missing)."""
        value = self.answers.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):
            pass
        return str(value)


def company_answers(processed_dir: Path, company: str) -> dict[str, Any]:
    """The company's own answers from ``responses.parquet`` (free text and confidential columns
    never read), by its pseudonymous id.

    Raises
    ------
    InputError
        When the file is missing or unreadable.
    ConfigError
        When no response has this id, or the company did not volunteer.
    """
    path = Processed(Path(processed_dir)).responses
    if not path.exists():
        raise InputError(
            "réponses des entreprises introuvables",
            file=path,
            hint="lancez d'abord « iaobs run »",
        )
    volunteers = _volunteers(path)
    frame = volunteers[volunteers[ID_COLUMN] == company]
    if frame.empty:  # not a volunteer, or unknown: read its row to say which
        frame = _read_answers(path, (ID_COLUMN, "==", company))
    if frame.empty:
        raise ConfigError(
            f"aucune réponse ne porte l'identifiant « {company} »",
            file=path,
            hint="l'identifiant pseudonyme figure dans l'index interne des rapports d'entreprise",
        )
    row = frame.iloc[0].to_dict()
    if str(row.get(VOLUNTEER_COLUMN)) != "oui":
        raise ConfigError(
            f"l'entreprise « {company} » n'a pas demandé d'accompagnement : pas de rapport",
            hint="seules les entreprises ayant répondu « oui » à volontaire_accompagnement "
            "reçoivent un rapport individuel",
        )
    return row


def _read_answers(path: Path, condition: tuple[str, str, str]) -> pd.DataFrame:
    """Rows of ``responses.parquet`` meeting ``condition``, without the confidential columns."""
    try:
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        columns = [c for c in schema.names if c not in _NEVER_READ]
        return pd.read_parquet(path, columns=columns, filters=[condition])
    except Exception as exc:
        raise InputError(
            f"réponses des entreprises illisibles ({type(exc).__name__})",
            file=path,
            hint="relancez « iaobs run »",
        ) from exc


_VOLUNTEERS: dict[str, tuple[tuple[str, int, int], pd.DataFrame]] = {}


def _volunteers(path: Path) -> pd.DataFrame:
    """The volunteer companies' answers, read once per process while the file is unchanged
    (the report server reads them before forking the report processes)."""
    stamp = _stamp(path)
    cached = _VOLUNTEERS.get(str(path))
    if cached is None or cached[0] != stamp:
        _VOLUNTEERS.clear()
        _VOLUNTEERS[str(path)] = (stamp, _read_answers(path, (VOLUNTEER_COLUMN, "==", "oui")))
    return _VOLUNTEERS[str(path)][1]


_BASE_CACHE: dict[tuple[str, str], tuple[tuple[Any, ...], ReportContext]] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        info = path.stat()
    except OSError:
        return (str(path), 0, 0)
    return (str(path), info.st_mtime_ns, info.st_size)


def _base_context(study_dir: str | Path, language: str) -> ReportContext:
    """The study and its published indicators, loaded once per process while the files are
    unchanged (the report's notebook and its Excel export run in the same process)."""
    key = (str(Path(study_dir).resolve()), language)
    cached = _BASE_CACHE.get(key)
    if cached is not None:
        stamps, base = cached
        files = (Path(key[0]) / "study.toml", Processed(base.processed_dir).indicators)
        if stamps == tuple(_stamp(f) for f in files):
            return base
    base = load_context(study_dir, language=language)
    files = (Path(key[0]) / "study.toml", Processed(base.processed_dir).indicators)
    _BASE_CACHE.clear()
    _BASE_CACHE[key] = (tuple(_stamp(f) for f in files), base)
    return base


def preload(study_dir: str | Path, language: str = "") -> None:
    """Load what every company benchmark of a study reads: the published indicators and the
    volunteers' answers (the report server calls it once; its report processes inherit them)."""
    base = _base_context(study_dir, language)
    path = Processed(base.processed_dir).responses
    if path.exists():
        _volunteers(path)


def load_company(study_dir: str | Path, company: str, *, language: str = "") -> CompanyContext:
    """Load the published indicators and one company's answers.

    Parameters
    ----------
    study_dir
        The study folder.
    company
        The company's pseudonymous id (``id_repondant``).
    language
        ``fr`` or ``en``; empty: the study's language.

    Raises
    ------
    InputError, ConfigError
        Missing data, unknown id, or a company that did not volunteer.
    """
    base = _base_context(study_dir, language)
    answers = company_answers(base.processed_dir, company)
    sector = str(answers.get("secteur") or "") or None
    size = str(answers.get("taille") or "") or None
    if sector is not None and sector not in base.dictionary.sectors:
        sector = None
    values = {f: getattr(base, f) for f in base.__dataclass_fields__}
    # only the published cells this report compares with: all, its sector, its size class
    domains = {"all", f"secteur={sector}", f"taille={size}"}
    indicators = base.indicators
    values["indicators"] = indicators[indicators["domain"].isin(domains)].reset_index(drop=True)
    values["sector"] = sector
    for counter in ("figure_count", "table_count", "section_count", "subsection_count"):
        values[counter] = 0
    return CompanyContext(**values, company=company, size=size, answers=answers)


# --------------------------------------------------------------------------------------------
# Comparisons


def shares(ctx: CompanyContext, variable: str, domain: str) -> pd.DataFrame:
    """The published rows of an ordinal question in one domain (one row per answer)."""
    return ctx.items(variable, domain=domain)


def domain_label(ctx: CompanyContext, domain: str) -> str:
    """« Votre secteur » or « Votre taille (PME) »: a group the company is compared with."""
    if domain.startswith("secteur="):
        return ctx.pick("Votre secteur", "Your sector")
    size = ctx.size_label(ctx.size or "", short=True)
    return ctx.pick(f"Votre taille ({size})", f"Your size ({size})")


def stage_position(ctx: CompanyContext, variable: str, domain: str) -> dict[str, Any]:
    """Where the company's answer to an ordinal question stands in a domain's distribution.

    Returns
    -------
    dict
        ``code`` (the company's answer, '' when none or NSP), ``below`` (weighted share of the
        domain's companies with a lower level, 0–1, NaN when a needed cell is hidden),
        ``same`` (share at the same level), ``above``, ``n`` (base of the domain),
        ``status``: ``ok``, ``no_answer`` (the company gave no substantive answer),
        ``partial`` (the company's own level is published, ``same`` is given, but a lower
        level is secret: ``below`` and ``above`` stay NaN), ``hidden`` (the company's own
        level is secret or not published) or ``absent`` (the domain has no published row).
    """
    var = ctx.dictionary[variable]
    code = ctx.answer(variable)
    data = shares(ctx, variable, domain)
    out: dict[str, Any] = {
        "code": code if code in var.codes else "",
        "below": math.nan,
        "same": math.nan,
        "above": math.nan,
        "n": int(data["n"].max()) if len(data) else 0,
        "status": "ok",
    }
    if code not in var.codes:
        out["status"] = "no_answer"
        return out
    if data.empty:
        out["status"] = "absent"
        return out
    order = list(var.codes)
    position = order.index(code)
    values = dict(zip(data["code"], data["estimate"], strict=True))
    flags = dict(zip(data["code"], data["flag"], strict=True))
    below_codes = order[:position]

    def hidden(c: str) -> bool:
        return flags.get(c, "nd") in HIDDEN_FLAGS or bool(pd.isna(values.get(c)))

    if hidden(code):
        out["status"] = "hidden"
        return out
    same = float(values[code])
    out["same"] = same
    if any(hidden(c) for c in below_codes):
        out["status"] = "partial"
        return out
    below = float(sum(values[c] for c in below_codes))
    out["below"] = below
    out["above"] = max(0.0, 1.0 - below - same)
    return out


def _group_words(ctx: CompanyContext, domain: str) -> str:
    if domain.startswith("secteur="):
        return ctx.pick("des entreprises de votre secteur", "of the companies in your sector")
    size = ctx.size_label(ctx.size or "", short=True)
    return ctx.pick(
        f"des entreprises de votre taille ({size}, tous secteurs)",
        f"of companies of your size ({size}, all sectors)",
    )


def hidden_reason(ctx: CompanyContext, domain: str) -> str:
    """Why a comparison with a domain is not shown (a needed share is not published: ``s``
    or ``nd``, defined in « À propos de ce document »)."""
    return ctx.pick(
        f"La comparaison avec l'ensemble {_group_words(ctx, domain)} ne peut pas être "
        "montrée : une part nécessaire n'est pas diffusée (s ou nd, voir « À propos »), "
        "afin de protéger les réponses des autres entreprises.",
        f"The comparison with companies {_group_words(ctx, domain)} cannot be shown: a share "
        "it needs is not published (s or nd, see “About”), to protect other companies' "
        "answers.",
    )


def position_sentence(ctx: CompanyContext, variable: str, domain: str) -> str:
    """One plain sentence: how the company's answer compares with a domain (plain text)."""
    pos = stage_position(ctx, variable, domain)
    group = _group_words(ctx, domain)
    if pos["status"] == "no_answer":
        return ctx.pick(
            "Votre entreprise n'a pas donné de réponse à cette question (ou a répondu « ne "
            "sait pas ») : elle ne peut pas être située.",
            "Your company gave no answer to this question (or answered “don't know”): it "
            "cannot be placed.",
        )
    if pos["status"] in ("hidden", "absent"):
        return hidden_reason(ctx, domain)
    label = ctx.code_label(variable, pos["code"])
    if pos["status"] == "partial":
        same = pct(ctx, pos["same"])
        others_fr, others_en = {
            "ia_stade": ("des autres stades", "of the other stages"),
            "part_formes_ia": ("des autres tranches", "of the other bands"),
        }.get(variable, ("des autres réponses", "of the other answers"))
        return ctx.pick(
            f"Vous avez répondu « {label} », comme {same} {group} ; la répartition "
            f"{others_fr} n'étant pas entièrement diffusée, votre position n'est pas "
            "précisée davantage.",
            f"You answered “{label}”, like {same} {group}; the distribution {others_en} is "
            "not fully published (statistical confidentiality), so your position cannot be "
            "stated more precisely.",
        )
    below, same = pct(ctx, pos["below"]), pct(ctx, pos["same"])
    above = pct(ctx, pos["above"])
    first = pos["code"] == next(iter(ctx.dictionary[variable].codes))
    if variable == "ia_stade":
        if first:
            return ctx.pick(
                f"Votre entreprise est au premier stade d'adoption (« {label} »), comme {same} "
                f"{group} ; {above} sont à un stade plus avancé.",
                f"Your company is at the first adoption stage (“{label}”), like {same} {group}; "
                f"{above} are at a more advanced stage.",
            )
        return ctx.pick(
            f"Votre stade d'adoption (« {label} ») est plus avancé que celui de {below} "
            f"{group} ; {same} sont au même stade et {above} à un stade plus avancé.",
            f"Your adoption stage (“{label}”) is more advanced than that of {below} {group}; "
            f"{same} are at the same stage and {above} further ahead.",
        )
    if variable == "part_formes_ia":
        if first:
            return ctx.pick(
                f"Votre entreprise n'a formé aucun salarié à l'IA au cours des douze derniers "
                f"mois, comme {same} {group} ; {above} en ont formé.",
                f"Your company trained none of its staff in AI in the last twelve months, like "
                f"{same} {group}; {above} trained some.",
            )
        return ctx.pick(
            f"Votre entreprise (« {label} ») a formé à l'IA une part de ses salariés plus "
            f"élevée que {below} {group} ; {same} sont dans la même tranche et {above} au-dessus.",
            f"Your company (“{label}”) trained a larger share of its staff in AI than {below} "
            f"{group}; {same} are in the same band and {above} above.",
        )
    return ctx.pick(
        f"Vous avez répondu « {label} », comme {same} {group} ; {below} se situent plus bas "
        f"sur l'échelle (vers la baisse) et {above} plus haut (vers la hausse).",
        f"You answered “{label}”, like {same} {group}; {below} are lower on the scale "
        f"(towards a decrease) and {above} higher (towards an increase).",
    )


def pct(ctx: ReportContext, value: Any) -> str:
    """A share as a percentage in the report's language."""
    return tx.format_percent(value, language=ctx.language)


# --------------------------------------------------------------------------------------------
# Blocks


def header(ctx: CompanyContext) -> Html:
    """The first lines of the report (no full-page cover: the report is two or three pages)."""
    restricted = ctx.pick("restreinte à l'entreprise", "restricted to the company")
    rows = [
        (ctx.pick("Entreprise", "Company"), ctx.company.lower()),
        (ctx.t("sector"), ctx.sector_label() if ctx.sector else "–"),
        (ctx.t("size"), ctx.size_label(ctx.size) if ctx.size else "–"),
        (ctx.pick("Enquête", "Survey"), ctx.study.wave),
        (ctx.pick("Édition", "Issued"), ctx.date_text),
        (ctx.pick("Diffusion", "Circulation"), restricted),
    ]
    sep = ctx.pick(" : ", ": ")
    facts = "".join(f"<li><strong>{esc(k)}{esc(sep)}</strong>{esc(v)}</li>" for k, v in rows)
    intro = ctx.pick(
        "Vos réponses à l'enquête face aux entreprises de votre secteur et de votre taille en "
        f"région {ctx.study.region} : vos seules réponses et des résultats d'ensemble déjà "
        "publiés par l'observatoire, sans la réponse d'aucune autre entreprise.",
        "This document places your company's answers to the survey against the companies of "
        f"your sector and size in the {ctx.study.region} region. It contains only your own "
        "answers and weighted overall results already published by the observatory: it "
        "reveals no other company's answer.",
    )
    title = ctx.pick("Votre entreprise face à son secteur", "Your company and its sector")
    scope = notes_html(champ_source(ctx, champ_line(ctx)), ctx)
    return Html(
        '<section class="iaobs-company-head">'
        f'<p class="iaobs-company-kicker">{esc(ctx.study.title)}</p>'
        f"<h1>{esc(title)}</h1>"
        f'<ul class="iaobs-company-facts">{facts}</ul>'
        f"<p>{esc(intro)}</p>"
        f"{scope}</section>"
    )


def champ_line(ctx: CompanyContext) -> str:
    """The Champ of every figure and table of the report (stated once, under the header)."""
    return ctx.pick(
        f"toutes les figures et tous les tableaux portent sur les entreprises de la région "
        f"{ctx.study.region} ayant répondu à la question, de votre secteur et de votre taille "
        "(tous secteurs confondus).",
        f"every figure and table covers the companies of the {ctx.study.region} region that "
        "answered the question, of your sector and of your size (all sectors).",
    )


def essentiel(ctx: CompanyContext) -> Html:
    """L'essentiel: where the company stands, in a few plain sentences."""
    items = [f.sentence for f in key_figures(ctx)]
    body = "".join(f"<li>{esc(s)}</li>" for s in items)
    return Html(
        f'<div class="iaobs-essentiel"><h2>{esc(ctx.t("essentiel"))}</h2><ul>{body}</ul></div>'
    )


def key_figures(ctx: CompanyContext) -> list[KeyFigure]:
    """The sentences of L'essentiel (never used on the public index page)."""
    out = []
    for variable in ORDINAL_QUESTIONS:
        if variable not in ctx.dictionary or not ctx.sector or not ctx.is_asked(variable):
            continue
        sentence = position_sentence(ctx, variable, ctx.sector_domain)
        pos = stage_position(ctx, variable, ctx.sector_domain)
        # out of its section, a sentence that does not name its question (« Vous avez répondu
        # « Stabilité » », « … à cette question », a hidden comparison) is preceded by it
        if not (pos["status"] == "ok" and variable in SELF_NAMED):
            sentence = (
                f"{ctx.label(variable)}{ctx.pick(' : ', ': ')}{sentence[0].lower()}{sentence[1:]}"
            )
        out.append(
            KeyFigure(
                variable,
                pos["code"],
                ctx.sector_domain,
                None if math.isnan(pos["below"]) else pos["below"],
                None,
                None,
                int(pos["n"]),
                "",
                sentence,
            )
        )
    tech = _multi_summary(ctx, "techno") if ctx.is_asked("techno") else ""
    if tech:
        out.append(KeyFigure("techno", "", ctx.sector_domain, None, None, None, 0, "", tech))
    return out


def _multi_summary(ctx: CompanyContext, variable: str) -> str:
    var = ctx.dictionary[variable]
    chosen = [o for o in var.options if ctx.answer(f"{variable}__{o}") in ("1", "1.0", "True")]
    if not ctx.answer(f"{variable}__{next(iter(var.options))}"):
        return ""
    if not chosen:
        return ctx.pick(
            "Votre entreprise ne déclare aucune technologie d'IA.",
            "Your company reports no AI technology.",
        )
    data = shares(ctx, variable, ctx.sector_domain).set_index("code")
    rare = [
        o
        for o in chosen
        if o in data.index
        and data["flag"][o] not in HIDDEN_FLAGS
        and not pd.isna(data["estimate"][o])
        and float(data["estimate"][o]) < 0.25
    ]
    text = ctx.pick(
        f"Votre entreprise déclare {plural(len(chosen), 'technologie')} d'IA.",
        f"Your company reports {plural(len(chosen), 'AI technology', language='en')}.",
    )
    if rare:
        labels = ", ".join(f"« {var.options[o].get(ctx.language)} »" for o in rare[:3])
        text += ctx.pick(
            f" {labels} : chacune est utilisée par moins d'une entreprise sur quatre de votre "
            "secteur.",
            f" {labels}: each is used by fewer than one company in four in your sector.",
        )
    return text


def generative_sentence(ctx: CompanyContext) -> Html:
    """The company's answer on generative AI, with the share of its sector giving it."""
    code = ctx.answer("ia_generative")
    if "ia_generative" not in ctx.dictionary or not code or not ctx.is_asked("ia_generative"):
        return Html("")
    label = ctx.code_label("ia_generative", code)
    row = ctx.row("ia_generative", code, ctx.sector_domain) if ctx.sector else None
    if row is None or row["flag"] in HIDDEN_FLAGS or pd.isna(row["estimate"]):
        text = ctx.pick(
            f"IA générative : vous avez répondu « {label} ». La part des entreprises de votre "
            "secteur ayant donné cette réponse n'est pas diffusée (trop peu de réponses).",
            f"Generative AI: you answered “{label}”. The share of your sector giving this "
            "answer is not published (too few answers).",
        )
    else:
        text = ctx.pick(
            f"IA générative : vous avez répondu « {label} », comme "
            f"{pct(ctx, row['estimate'])} des entreprises de votre secteur.",
            f"Generative AI: you answered “{label}”, as did {pct(ctx, row['estimate'])} of "
            "the companies in your sector.",
        )
    return Html(f"<p>{esc(text)}</p>")


def about(ctx: CompanyContext) -> Html:
    """How to read the report, what ``s`` and ``nd`` mean, what protects other companies: one
    closing paragraph in small type (no heading that could be left alone at a page's foot)."""
    th = ctx.thresholds
    dominance = tx.format_percent(th.secret_dominance, language=ctx.language)
    paragraphs = [
        ctx.pick(
            "Les résultats de votre secteur et de votre taille sont des estimations pondérées "
            "(chaque réponse compte pour les entreprises qu'elle représente) ; leurs intervalles "
            "de confiance et la méthode figurent dans les rapports publiés par l'observatoire. "
            f"s (secret statistique) : part reposant sur moins de {th.secret_min_firms} "
            f"entreprises, ou dont une entreprise pèse plus de {dominance} ; nd (non diffusé) : "
            f"moins de {th.nd_below} répondants. Ces parts ne sont montrées nulle part. Ce "
            "document ne contient ni le nom, ni le SIREN, ni les commentaires libres de votre "
            "entreprise, identifiée par un code pseudonyme.",
            "Results for your sector and size are weighted estimates (each answer counts for "
            "the companies it represents); their confidence intervals and the method are in "
            "the observatory's published reports. s (statistical confidentiality): a share "
            f"resting on fewer than {th.secret_min_firms} companies, or in which one company "
            f"weighs more than {dominance}; nd (not published): fewer than {th.nd_below} "
            "respondents. These shares are shown nowhere. This document holds neither your "
            "company's name, nor its SIREN, nor its free comments; it is identified by a "
            "pseudonymous code.",
        ),
    ]
    title = ctx.pick(*COMPANY_SECTIONS["apropos"])
    return Html(
        '<section class="iaobs-company-about">'
        + "".join(f"<p><strong>{esc(title)}.</strong> {esc(p)}</p>" for p in paragraphs)
        + "</section>"
    )
