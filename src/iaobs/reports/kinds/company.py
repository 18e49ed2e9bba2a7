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

Charts are small inline SVG drawings (no matplotlib): hundreds of these reports are rendered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.core import text as tx
from iaobs.core.typography import plural
from iaobs.errors import ConfigError, InputError
from iaobs.reports.context import HIDDEN_FLAGS, Html, KeyFigure, ReportContext, esc, load_context
from iaobs.reports.table import sections_from_layout, table_from_layout
from iaobs.reports.tablehtml import table_html
from iaobs.study.store import Processed

__all__ = [
    "COMPANY_SECTIONS",
    "CompanyContext",
    "company_answers",
    "company_tables",
    "load_company",
    "stage_position",
]

VOLUNTEER_COLUMN, ID_COLUMN = "volontaire_accompagnement", "id_repondant"
#: never read from the responses: free text and anything confidential
_NEVER_READ = frozenset({"commentaire", "siren", "raison_sociale", "email_contact"})

COMPANY_SECTIONS: dict[str, tuple[str, str]] = {
    "adoption": ("Adoption de l'IA", "AI adoption"),
    "emploi": ("Effet attendu sur l'emploi", "Expected effect on jobs"),
    "competences": ("Besoins de compétences", "Skills needs"),
    "formation": ("Formation", "Training"),
    "freins": ("Freins", "Barriers"),
    "pistes": ("Pistes d'action", "Suggested actions"),
    "apropos": ("À propos de ce document", "About this document"),
}

#: section -> table keys in the order the report shows them
COMPANY_LAYOUT: list[tuple[str, list[str]]] = [
    ("adoption", ["technologies"]),
    ("competences", ["besoins"]),
    ("freins", ["freins"]),
]

#: ordinal questions shown as "your answer / distribution of your sector and size class"
ORDINAL_QUESTIONS = ("ia_stade", "impact_effectifs", "part_formes_ia")

_PALETTE = ("#DCE9F5", "#A6CBE3", "#5DA5DA", "#0072B2", "#004C7A")
_SECRET_GREY, _MARK = "#BDBDBD", "#D55E00"  # secret levels (grouped at the end), own answer


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
        """A numbered heading; no ``id`` so that this short report gets no table of contents."""
        fr, en = COMPANY_SECTIONS[key]
        title = en if self.language == "en" else fr
        if key in ("apropos", "pistes"):  # unnumbered
            return Html(f"<h2>{esc(title)}</h2>")
        if level == 2:
            self.section_count += 1
            self.subsection_count = 0
            number = f"{self.section_count}."
        else:
            self.subsection_count += 1
            number = f"{self.section_count}.{self.subsection_count}"
        return Html(f"<h{level}>{number} {esc(title)}</h{level}>")

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


def _shares(ctx: CompanyContext, variable: str, domain: str) -> pd.DataFrame:
    return ctx.items(variable, domain=domain)


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
    data = _shares(ctx, variable, domain)
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
    shares = dict(zip(data["code"], data["estimate"], strict=True))
    flags = dict(zip(data["code"], data["flag"], strict=True))
    below_codes = order[:position]

    def hidden(c: str) -> bool:
        return flags.get(c, "nd") in HIDDEN_FLAGS or bool(pd.isna(shares.get(c)))

    if hidden(code):
        out["status"] = "hidden"
        return out
    same = float(shares[code])
    out["same"] = same
    if any(hidden(c) for c in below_codes):
        out["status"] = "partial"
        return out
    below = float(sum(shares[c] for c in below_codes))
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


def _hidden_reason(ctx: CompanyContext, domain: str) -> str:
    th = ctx.thresholds
    return ctx.pick(
        f"La comparaison avec l'ensemble {_group_words(ctx, domain)} ne peut pas être "
        f"montrée : une des parts nécessaires repose sur trop peu de réponses (moins de "
        f"{th.nd_below} répondants, ou moins de {th.secret_min_firms} entreprises) et n'est "
        "pas diffusée, afin de protéger les réponses des autres entreprises.",
        f"The comparison with companies {_group_words(ctx, domain)} cannot be shown: one of "
        f"the shares it needs rests on too few answers (fewer than {th.nd_below} respondents "
        f"or {th.secret_min_firms} companies) and is not published, to protect other "
        "companies' answers.",
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
        return _hidden_reason(ctx, domain)
    label = ctx.code_label(variable, pos["code"])
    if pos["status"] == "partial":
        same = _pct(ctx, pos["same"])
        others_fr, others_en = {
            "ia_stade": ("des autres stades", "of the other stages"),
            "part_formes_ia": ("des autres tranches", "of the other bands"),
        }.get(variable, ("des autres réponses", "of the other answers"))
        return ctx.pick(
            f"Vous avez répondu « {label} », comme {same} {group} ; la répartition "
            f"{others_fr} n'est pas entièrement diffusée (secret statistique) : votre position "
            "ne peut pas être précisée davantage.",
            f"You answered “{label}”, like {same} {group}; the distribution {others_en} is "
            "not fully published (statistical confidentiality), so your position cannot be "
            "stated more precisely.",
        )
    below, same = _pct(ctx, pos["below"]), _pct(ctx, pos["same"])
    above = _pct(ctx, pos["above"])
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


def _pct(ctx: ReportContext, value: Any) -> str:
    return tx.format_percent(value, language=ctx.language)


# --------------------------------------------------------------------------------------------
# Inline SVG charts


def _svg_stacked(
    ctx: CompanyContext, variable: str, domains: Sequence[str]
) -> tuple[str, list[str]]:
    """Stacked 100 % bars of an ordinal question, one per domain, with the company's level
    outlined. Secret levels are never drawn one by one: the published levels keep their place
    and the secret ones share one grey block at the end of the bar (its width is what the
    published levels leave, as a reader of the published tables can work out); a domain with
    no published level is left out. What was hidden is said in the returned notes."""
    var = ctx.dictionary[variable]
    codes = list(var.codes)
    width, left, bar_h, gap = 640, 150, 22, 16
    span = width - left - 10
    rows_svg: list[str] = []
    alt_parts: list[str] = []
    notes: list[str] = []
    mine = ctx.answer(variable)
    not_published = ctx.pick("non diffusé", "not published")
    grey_used = False
    y = 8
    for domain in domains:
        data = _shares(ctx, variable, domain).set_index("code")
        label = (
            ctx.pick("Votre secteur", "Your sector")
            if domain.startswith("secteur=")
            else ctx.pick(
                f"Votre taille ({ctx.size_label(ctx.size or '', short=True)})",
                f"Your size ({ctx.size_label(ctx.size or '', short=True)})",
            )
        )
        published = [
            c
            for c in codes
            if c in data.index
            and data["flag"].get(c, "nd") not in HIDDEN_FLAGS
            and not pd.isna(data["estimate"].get(c))
        ]
        rows_svg.append(
            f'<text x="{left - 8}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" '
            f'font-size="11">{esc(label)}</text>'
        )
        if not published:
            rows_svg.append(
                f'<text x="{left}" y="{y + bar_h * 0.7:.1f}" font-size="10" fill="#5A5A5A">'
                f"{esc(ctx.pick('non diffusé (trop peu de réponses)', 'not published (too few answers)'))}"
                "</text>"
            )
            notes.append(_hidden_reason(ctx, domain))
            y += bar_h + gap
            continue
        partial = len(published) < len(codes)
        # shares sum to 1 over the levels; without secret levels, spread the rounding
        total = 1.0 if partial else float(sum(float(data["estimate"][c]) for c in codes)) or 1.0
        x = float(left)
        parts = []
        for i, code in enumerate(codes):
            if code not in published:
                parts.append(f"{ctx.code_label(variable, code)} {not_published}")
                continue
            share = float(data["estimate"][code]) / total
            w = share * span
            color = _PALETTE[min(i, len(_PALETTE) - 1)]
            stroke = f' stroke="{_MARK}" stroke-width="3"' if code == mine else ""
            rows_svg.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0):.1f}" height="{bar_h}" '
                f'fill="{color}"{stroke}/>'
            )
            if w > 26:
                ink = "#FFFFFF" if i >= 3 else "#1A1A1A"
                rows_svg.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_h * 0.7:.1f}" text-anchor="middle" '
                    f'font-size="10" fill="{ink}">'
                    f"{esc(tx.format_percent(share, language=ctx.language))}</text>"
                )
            parts.append(f"{ctx.code_label(variable, code)} {_pct(ctx, share)}")
            x += w
        if partial:
            grey_used = True
            w = max(0.0, float(left + span) - x)
            rows_svg.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{_SECRET_GREY}"/>'
            )
            if w > 12:
                rows_svg.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_h * 0.7:.1f}" text-anchor="middle" '
                    'font-size="10" font-style="italic" fill="#1A1A1A">s</text>'
                )
        alt_parts.append(f"{label} : " + ", ".join(parts))
        y += bar_h + gap
    # legend
    lx, ly = float(left), y + 2
    legend = []
    keys = [
        (ctx.code_label(variable, code), _PALETTE[min(i, len(_PALETTE) - 1)], code == mine)
        for i, code in enumerate(codes)
    ]
    if grey_used:
        keys.append((ctx.pick("s : non diffusé", "s: not published"), _SECRET_GREY, False))
    for i, (text, color, marked) in enumerate(keys):
        legend.append(
            f'<rect x="{lx:.1f}" y="{ly}" width="10" height="10" fill="{color}"'
            + (f' stroke="{_MARK}" stroke-width="2"' if marked else "")
            + "/>"
            f'<text x="{lx + 14:.1f}" y="{ly + 9}" font-size="9.5">{esc(text)}</text>'
        )
        lx += 14 + 5.6 * len(text) + 14
        if lx > width - 90 and i < len(keys) - 1:
            lx, ly = float(left), ly + 15
    height = ly + 18
    alt = "; ".join(alt_parts) or ctx.pick("Distribution non diffusée", "Distribution not shown")
    if mine in var.codes:
        alt += ctx.pick(
            f". Cadre orange : votre réponse, « {ctx.code_label(variable, mine)} ».",
            f". Orange outline: your answer, “{ctx.code_label(variable, mine)}”.",
        )
    if grey_used:
        notes.insert(
            0,
            ctx.pick(
                "s : parts non diffusées (secret statistique), regroupées en gris en fin de barre.",
                "s: shares not published (statistical confidentiality), grouped in grey at the "
                "end of the bar.",
            ),
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height:.0f}" aria-label="{esc(alt)}" '
        'font-family="Open Sans, DejaVu Sans, sans-serif">'
        f"<title>{esc(alt)}</title>" + "".join(rows_svg) + "".join(legend) + "</svg>"
    )
    return svg, notes


def chart_position(ctx: CompanyContext, variable: str, *, title: str) -> Html:
    """A numbered figure: the distribution of an ordinal question in the company's sector and
    size class, the company's own answer outlined, with the Lecture/Champ/Source notes."""
    domains = [
        d
        for d in (ctx.sector_domain if ctx.sector else None, ctx.size_domain if ctx.size else None)
        if d
    ]
    svg, hidden_notes = _svg_stacked(ctx, variable, domains)
    number = ctx.next_figure()
    sep = " :" if ctx.language == "fr" else ":"
    lines = []
    if domains:
        lines.append((ctx.t("lecture"), position_sentence(ctx, variable, domains[0])))
    champ = ctx.pick(
        f"Entreprises implantées en région {ctx.study.region} ayant répondu à la question : "
        "celles de votre secteur, et celles de votre taille tous secteurs confondus.",
        f"Companies located in the {ctx.study.region} region that answered the question: those "
        "of your sector, and those of your size in all sectors.",
    )
    lines.append((ctx.t("champ"), champ))
    lines.append((ctx.t("source"), ctx.source_line))
    bases = []
    for d in domains:
        data = _shares(ctx, variable, d)
        if len(data):
            count = tx.format_number(data["n"].max(), language=ctx.language)
            bases.append(f"{count} {_group_label(ctx, d)}")
    note = ctx.pick(
        "Parts pondérées des réponses (NSP exclus). Cadre orange : votre réponse.",
        "Weighted shares of answers (don't know excluded). Orange outline: your answer.",
    )
    if bases:
        note += ctx.pick(" Bases : ", " Bases: ") + ", ".join(bases) + "."
    if hidden_notes:
        note += " " + " ".join(dict.fromkeys(hidden_notes))
    lines.append((ctx.t("note"), note))
    notes = "".join(f"<p><strong>{esc(k)}{sep}</strong> {esc(v)}</p>" for k, v in lines)
    caption = f"{ctx.t('figure')} {number} – {title}"
    return Html(
        f'<figure class="iaobs-figure" id="figure-{number}">'
        f"<figcaption>{esc(caption)}</figcaption>{svg}</figure>"
        f'<div class="iaobs-notes">{notes}</div>'
    )


def _group_label(ctx: CompanyContext, domain: str) -> str:
    """« entreprises (secteur) » or « entreprises (taille) », after a base count."""
    if domain.startswith("secteur="):
        return ctx.pick("entreprises (secteur)", "companies (sector)")
    return ctx.pick("entreprises (taille)", "companies (size)")


# --------------------------------------------------------------------------------------------
# Blocks


def header(ctx: CompanyContext) -> Html:
    """The first lines of the report (no full-page cover: the report is 2 to 4 pages)."""
    rows = [
        (ctx.pick("Entreprise (identifiant)", "Company (identifier)"), ctx.company.lower()),
        (ctx.t("sector"), ctx.sector_label() if ctx.sector else "–"),
        (ctx.t("size"), ctx.size_label(ctx.size) if ctx.size else "–"),
        (ctx.t("wave"), ctx.study.wave),
        (ctx.t("date"), ctx.date_text),
    ]
    facts = "".join(
        f'<dt style="font-weight:600">{esc(k)}</dt><dd style="margin:0">{esc(v)}</dd>'
        for k, v in rows
    )
    intro = ctx.pick(
        "Ce document situe les réponses de votre entreprise à l'enquête par rapport à celles "
        f"des entreprises de votre secteur et de votre taille, en région {ctx.study.region}. Il "
        "ne contient que vos propres réponses et des résultats d'ensemble pondérés, déjà "
        "publiés dans les rapports de l'observatoire : il ne révèle la réponse d'aucune autre "
        "entreprise.",
        "This document places your company's answers to the survey against those of the "
        f"companies of your sector and size in the {ctx.study.region} region. It contains only "
        "your own answers and weighted overall results already published in the observatory's "
        "reports: it reveals no other company's answer.",
    )
    return Html(
        '<section class="iaobs-company-head" style="border-top:8px solid #0072B2;'
        'padding:0.8rem 0 0.4rem;margin-bottom:1rem">'
        f'<p style="margin:0;font-weight:600;color:#004C7A">{esc(ctx.study.title)}</p>'
        f'<p style="margin:0.2rem 0;color:#5A5A5A">'
        f"{esc(ctx.pick('Diffusion restreinte à l’entreprise', 'Restricted to the company'))}"
        "</p>"
        f'<h1 style="margin:0.3rem 0 0.6rem">'
        f"{esc(ctx.pick('Votre entreprise face à son secteur', 'Your company and its sector'))}"
        "</h1>"
        '<dl style="display:grid;grid-template-columns:max-content 1fr;gap:0.15rem 1.2rem;'
        f'margin:0 0 0.6rem">{facts}</dl>'
        f"<p>{esc(intro)}</p></section>"
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
        if variable not in ctx.dictionary or not ctx.sector:
            continue
        sentence = position_sentence(ctx, variable, ctx.sector_domain)
        pos = stage_position(ctx, variable, ctx.sector_domain)
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
    tech = _multi_summary(ctx, "techno")
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
    data = _shares(ctx, variable, ctx.sector_domain).set_index("code")
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


# --------------------------------------------------------------------------------------------
# Tables (shown in the report and written to tables.xlsx)


def _mine_text(ctx: CompanyContext, column: str, *, multi: bool) -> str:
    value = ctx.answer(column)
    if multi:
        if value in ("1", "1.0", "True"):
            return ctx.pick("Oui", "Yes")
        if value in ("0", "0.0", "False"):
            return ctx.pick("Non", "No")
        return tx.MISSING
    variable = column.split("__", 1)[0]
    if not value:
        return tx.MISSING
    return (
        ctx.code_label(column, value)
        if "__" not in column
        else ctx.dictionary.code_label(variable, value, ctx.language)
    )


def _comparison_table(ctx: CompanyContext, variable: str, title: str) -> tuple:
    var = ctx.dictionary[variable]
    multi = var.type == "multi"
    codes = list(var.options if multi else var.items)
    labels = [(var.options if multi else var.items)[c].get(ctx.language) for c in codes]
    level = "" if multi else "top2"
    yours = ctx.pick("Votre réponse", "Your answer")
    sector_col = ctx.pick("Votre secteur", "Your sector")
    size_col = ctx.pick(
        f"Votre taille ({ctx.size_label(ctx.size or '', short=True)})",
        f"Your size ({ctx.size_label(ctx.size or '', short=True)})",
    )
    columns: dict[str, list[Any]] = {
        ctx.t("item"): labels,
        yours: [_mine_text(ctx, f"{variable}__{c}", multi=multi) for c in codes],
    }
    kinds = {ctx.t("item"): "label", yours: "text"}
    bases: list[int] = []
    for name, domain in ((sector_col, ctx.sector_domain), (size_col, ctx.size_domain)):
        rows = [ctx.row(f"{variable}__{c}", level, domain) for c in codes]
        columns[name] = [float(r["estimate"]) if r else math.nan for r in rows]
        columns[f"{name} – {ctx.t('flag')}"] = [str(r["flag"]) if r else "nd" for r in rows]
        kinds[name] = "percent"
        kinds[f"{name} – {ctx.t('flag')}"] = "flag"
        bases.append(max((int(r["n"]) for r in rows if r), default=0))
    frame = pd.DataFrame(columns)
    sep = " : " if ctx.language == "fr" else ": "
    what = (
        ctx.pick(
            "part des entreprises qui citent chaque élément", "share of companies citing each item"
        )
        if multi
        else ctx.pick(
            "part des entreprises déclarant un besoin fort ou très fort",
            "share of companies reporting a high or very high need",
        )
    )
    notes = [
        f"{ctx.t('champ')}{sep}"
        + ctx.pick(
            f"entreprises implantées en région {ctx.study.region} ayant répondu à la question "
            "(votre secteur ; votre taille, tous secteurs).",
            f"companies located in the {ctx.study.region} region that answered the question "
            "(your sector; your size, all sectors).",
        ),
        f"{ctx.t('source')}{sep}{ctx.source_line}",
        f"{ctx.t('note')}{sep}"
        + ctx.pick(
            f"{what}, pondérée ; bases : {tx.format_number(bases[0])} entreprises (secteur), "
            f"{tx.format_number(bases[1])} (taille). Les intervalles de confiance figurent dans "
            "le rapport de votre secteur.",
            f"{what}, weighted; bases: {tx.format_number(bases[0], language='en')} companies "
            f"(sector), {tx.format_number(bases[1], language='en')} (size). Confidence "
            "intervals are in your sector's report.",
        ),
    ]
    return title, frame, notes, kinds


_COMPANY_BUILDERS: dict[str, Any] = {
    "technologies": lambda c: _comparison_table(
        c,
        "techno",
        c.pick(
            "Technologies d'IA : vos réponses et celles des autres entreprises",
            "AI technologies: your answers and other companies'",
        ),
    ),
    "besoins": lambda c: _comparison_table(
        c,
        "besoin_comp",
        c.pick(
            "Besoins de compétences : votre niveau de besoin et la part "
            "des entreprises qui déclarent un besoin fort",
            "Skills needs: your level and the share of companies reporting a high need",
        ),
    ),
    "freins": lambda c: _comparison_table(
        c,
        "freins",
        c.pick(
            "Freins à l'usage de l'IA : vos réponses et celles des autres entreprises",
            "Barriers to AI: your answers and other companies'",
        ),
    ),
}


def build_company_table(ctx: CompanyContext, key: str) -> Any:
    """One numbered table of the company report (:class:`iaobs.reports.tables.ReportTable`)."""
    return table_from_layout(
        COMPANY_LAYOUT, _COMPANY_BUILDERS, ctx, key, report="rapport d'entreprise"
    )


def show(ctx: CompanyContext, key: str) -> Html:
    """A table of the company report as HTML."""
    return table_html(build_company_table(ctx, key), ctx)


def company_tables(ctx: CompanyContext) -> list[Any]:
    """The tables of the company report by section (for ``tables.xlsx``)."""
    return sections_from_layout(
        COMPANY_LAYOUT, _COMPANY_BUILDERS, ctx, COMPANY_SECTIONS, report="rapport d'entreprise"
    )


def generative_sentence(ctx: CompanyContext) -> Html:
    """The company's answer on generative AI, with the share of its sector giving it."""
    code = ctx.answer("ia_generative")
    if "ia_generative" not in ctx.dictionary or not code:
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
            f"{_pct(ctx, row['estimate'])} des entreprises de votre secteur.",
            f"Generative AI: you answered “{label}”, as did {_pct(ctx, row['estimate'])} of "
            "the companies in your sector.",
        )
    return Html(f"<p>{esc(text)}</p>")


def about(ctx: CompanyContext) -> Html:
    """How to read the report, and what protects other companies (short)."""
    th = ctx.thresholds
    paragraphs = [
        ctx.pick(
            "Les résultats de votre secteur et de votre taille sont des estimations pondérées : "
            "chaque réponse compte pour le nombre d'entreprises qu'elle représente. Ils sont "
            "repris des rapports publiés par l'observatoire, où figurent leurs intervalles de "
            "confiance et la méthode.",
            "Results for your sector and size are weighted estimates: each answer counts for "
            "the number of companies it represents. They come from the observatory's published "
            "reports, where their confidence intervals and the method are given.",
        ),
        ctx.pick(
            f"Protection des autres entreprises : une part qui repose sur moins de "
            f"{th.nd_below} répondants, ou sur moins de {th.secret_min_firms} entreprises, n'est "
            "pas diffusée et n'apparaît pas ici. Ce document ne contient ni le nom ni le SIREN "
            "de votre entreprise, ni ses commentaires libres ; il est identifié par un code "
            "pseudonyme.",
            f"Protection of other companies: a share resting on fewer than {th.nd_below} "
            f"respondents or {th.secret_min_firms} companies is not published and does not "
            "appear here. This document contains neither your company's name nor its SIREN, "
            "nor its free comments; it is identified by a pseudonymous code.",
        ),
    ]
    return Html(
        f'<section class="iaobs-company-about" style="font-size:0.85rem">'
        f"{ctx.heading(2, 'apropos')}"
        + "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        + "</section>"
    )
