"""The ``acteurs-ia`` report: « Qui sont les acteurs de l'IA en région ? ».

What it shows: the counts of the region's AI actors by type × département and by activity ×
département, their change since the previous wave, a map of the region, and the directory as a
searchable, sortable table (a small script of the package, inlined by the renderer). Its open
data: ``annuaire.csv`` (the named actors) and ``datapackage.json`` (Frictionless) beside it.

Everything it reads is ``data/processed/acteurs.parquet`` of the wave (and of the previous
wave), written by the actors stage (:mod:`iaobs.pipeline.actors`): non-diffusible units are
already without name, SIRET, commune or point there; here they are counted and never listed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iaobs.actors.directory import DIRECTORY_COLUMNS, public_directory
from iaobs.actors.schema import ACTOR_TYPES, ACTOR_TYPES_EN, actors_schema
from iaobs.core import geo
from iaobs.core import text as tx
from iaobs.core.atomic import write_text
from iaobs.errors import InputError
from iaobs.reports.blocks import cover_html
from iaobs.reports.context import Html, KeyFigure, ReportContext, esc, load_context
from iaobs.reports.notes import note_lines
from iaobs.reports.table import (
    ReportTable,
    TableSection,
    sections_from_layout,
    table_from_layout,
)
from iaobs.reports.tablehtml import notes_html, table_html
from iaobs.study.store import Processed

__all__ = [
    "ACTORS_LAYOUT",
    "ActorsContext",
    "actors_tables",
    "chart_map",
    "counts_text",
    "cover",
    "directory_html",
    "essentiel",
    "french_typography",
    "key_figures",
    "load_actors",
    "methodology",
    "show",
    "write_open_data",
]

ACTORS_SECTIONS: dict[str, tuple[str, str]] = {
    "repartition": ("Qui sont les acteurs ?", "Who are the actors?"),
    "carte": ("Où sont-ils ?", "Where are they?"),
    "evolution": ("Ce qui a changé depuis la vague précédente", "Change since the last wave"),
    "annuaire": ("L'annuaire", "The directory"),
    "annexe": ("Annexe méthodologique", "Methodology annex"),
}

#: section -> table keys, in the order the report shows them (their numbers)
ACTORS_LAYOUT: list[tuple[str, list[str]]] = [
    ("repartition", ["par_type", "par_activite"]),
    ("evolution", ["evolution"]),
]

#: The columns of ``annuaire.csv``, in order (the public directory).
OPEN_COLUMNS = tuple(c for c in DIRECTORY_COLUMNS if c != "diffusible")

_OPEN_FIELDS: dict[str, tuple[str, str, str]] = {
    "identifiant": ("string", "Identifiant", "SIRET, ou identifiant de l'observatoire (L…)"),
    "siret": ("string", "SIRET", "SIRET de l'établissement (14 chiffres), vide sans SIRET"),
    "nom": ("string", "Nom", "Nom de l'acteur"),
    "type": ("string", "Type", "Code du type d'acteur"),
    "type_libelle": ("string", "Type (libellé)", "Libellé du type d'acteur"),
    "sous_type": ("string", "Sous-type", "Précision du type"),
    "activite": ("string", "Activité (NAF)", "Activité principale (NAF rév. 2) dans SIRENE"),
    "activite_libelle": ("string", "Activité (libellé)", "Libellé de l'activité principale"),
    "commune": ("string", "Commune", "Commune de l'établissement"),
    "departement": ("string", "Département", "Code du département"),
    "longitude": ("number", "Longitude", "WGS 84, degrés"),
    "latitude": ("number", "Latitude", "WGS 84, degrés"),
    "precision": ("string", "Précision", "adresse, commune ou departement"),
    "site_web": ("string", "Site web", "Adresse du site de l'acteur"),
    "origine": ("string", "Origine", "sirene, liste ou sirene+liste"),
    "source": ("string", "Source", "Source de la ligne"),
    "date_maj": ("string", "Mise à jour", "Date de la dernière vérification"),
}


@dataclass
class ActorsContext(ReportContext):
    """A :class:`ReportContext` with the directory of this wave and of the previous one."""

    directory: pd.DataFrame = field(default_factory=pd.DataFrame)
    previous: pd.DataFrame | None = None
    previous_wave: str | None = None
    shapes: dict[str, Any] = field(default_factory=dict)

    @property
    def source_line(self) -> str:
        return self.pick(
            f"Insee, répertoire SIRENE (vague {self.study.wave}) ; liste des acteurs de "
            f"l'observatoire ; {self.study.title}.",
            f"Insee, SIRENE register (wave {self.study.wave}); the observatory's list of "
            f"actors; {self.study.title}.",
        )

    def pick(self, fr: str, en: str) -> str:
        """``fr`` (with French typography: narrow no-break spaces before ? ! ; : and inside
        « guillemets ») or ``en`` according to the report's language."""
        return en if self.language == "en" else french_typography(fr)

    def heading(self, level: int, key: str) -> Html:
        """A numbered heading of the actors report (keys of :data:`ACTORS_SECTIONS`)."""
        fr, en = ACTORS_SECTIONS[key]
        title = self.pick(fr, en)
        if key == "annexe":
            return Html(f'<h2 id="{esc(key)}">{esc(title)}</h2>')
        self.section_count += 1
        return Html(f'<h{level} id="{esc(key)}">{self.section_count}. {esc(title)}</h{level}>')

    def departement_label(self, code: str) -> str:
        shape = self.shapes.get(code)
        return f"{shape.name} ({code})" if shape is not None else code


_SPACE_BEFORE = re.compile(r" ([?!;:»])")


def french_typography(text: str) -> str:
    """Narrow no-break spaces (U+202F) before ``? ! ; : »`` and after ``«``."""
    text = _SPACE_BEFORE.sub(tx.NNBSP + r"\1", text)
    return text.replace("« ", "«" + tx.NNBSP)


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise InputError(
            f"annuaire des acteurs illisible ({type(exc).__name__})",
            file=path,
            hint="relancez « iaobs run »",
        ) from exc
    for column in DIRECTORY_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def load_actors(study_dir: str | Path, *, language: str = "") -> ActorsContext:
    """Load the study, its directory of AI actors and the previous wave's, for the report.

    Raises
    ------
    InputError
        When ``acteurs.parquet`` is missing or unreadable.
    """
    base = load_context(study_dir, language=language, require_indicators=False)
    processed = Processed(Path(base.processed_dir))
    if not processed.actors.is_file():
        raise InputError(
            "annuaire des acteurs absent", file=processed.actors, hint="lancez « iaobs run »"
        )
    directory = _read(processed.actors)
    study = base.study
    waves = list(study.all_waves)
    previous = previous_wave = None
    if study.wave in waves:
        for wave in reversed(waves[: waves.index(study.wave)]):
            path = Processed(study.store.processed_root).wave(wave).actors
            if path.is_file():
                previous, previous_wave = _read(path), wave
                break
    codes = sorted(set(directory["departement"]) | set(geo.region_codes(study.region)))
    shapes = geo.departement_shapes([c for c in codes if c in geo.departement_shapes()])
    values = {f: getattr(base, f) for f in base.__dataclass_fields__}
    return ActorsContext(
        **values,
        directory=directory,
        previous=previous,
        previous_wave=previous_wave,
        shapes=shapes,
    )


# -- figures in words --------------------------------------------------------------------------


def _num(ctx: ActorsContext, value: Any) -> str:
    return tx.format_number(value, language=ctx.language)


def _plural(ctx: ActorsContext, n: int, fr: str, en: str) -> str:
    word = ctx.pick(fr, en)
    return f"{_num(ctx, n)} {word}{'s' if n > 1 and not word.endswith('s') else ''}"


def _hidden_count(ctx: ActorsContext) -> int:
    return int((~ctx.directory["diffusible"].astype(bool)).sum())


def cover(ctx: ActorsContext) -> Html:
    """Cover of the actors report: observatory, title (the only ``h1``), counts."""
    rows = [
        (ctx.t("region"), ctx.study.region),
        (ctx.t("wave"), ctx.study.wave),
        (ctx.t("date"), ctx.date_text),
        (ctx.pick("Acteurs recensés", "Actors listed"), _num(ctx, len(ctx.directory))),
    ]
    return cover_html(
        ctx,
        ctx.pick("Annuaire et carte", "Directory and map"),
        ctx.pick(
            f"Qui sont les acteurs de l'IA en {ctx.study.region} ?",
            f"Who are the AI actors of {ctx.study.region}?",
        ),
        rows,
    )


def key_figures(ctx: ActorsContext) -> list[KeyFigure]:
    """The key figures of the actors report, each a full sentence (plain text)."""
    d = ctx.directory
    total = len(d)
    naf = set(ctx.study.actors.naf)
    sirene = int((d["origine"].isin(["sirene", "sirene+liste"]) & d["activite"].isin(naf)).sum())
    listed = int(d["origine"].isin(["liste", "sirene+liste"]).sum())
    out = [
        KeyFigure(
            "acteurs",
            "",
            "all",
            None,
            None,
            None,
            total,
            "",
            ctx.pick(
                f"{_num(ctx, total)} acteurs de l'IA sont recensés en {ctx.study.region} : "
                f"{_num(ctx, sirene)} établissements actifs des activités de l'offre d'IA "
                f"(SIRENE) et {_num(ctx, listed)} acteurs de la liste de l'observatoire, "
                f"les deux sources se recoupant pour "
                f"{_num(ctx, int((d['origine'] == 'sirene+liste').sum()))}.",
                f"{_num(ctx, total)} AI actors are listed in {ctx.study.region}: "
                f"{_num(ctx, sirene)} active establishments of AI-supply activities (SIRENE) "
                f"and {_num(ctx, listed)} actors of the observatory's list, "
                f"{_num(ctx, int((d['origine'] == 'sirene+liste').sum()))} in both.",
            ),
        )
    ]
    if total:
        by_dep = d["departement"].value_counts()
        top = str(by_dep.index[0])
        out.append(
            KeyFigure(
                "acteurs",
                "",
                f"departement={top}",
                float(by_dep.iloc[0] / total),
                None,
                None,
                int(by_dep.iloc[0]),
                "",
                ctx.pick(
                    f"{ctx.departement_label(top)} en rassemble le plus : "
                    f"{_num(ctx, int(by_dep.iloc[0]))}, soit "
                    f"{tx.format_percent(by_dep.iloc[0] / total, language='fr')} des acteurs "
                    "de la région.",
                    f"{ctx.departement_label(top)} has the most: {_num(ctx, int(by_dep.iloc[0]))}"
                    f", {tx.format_percent(by_dep.iloc[0] / total, language='en')} of the "
                    "region's actors.",
                ),
            )
        )
    if ctx.previous is not None:
        before = len(ctx.previous)
        out.append(
            KeyFigure(
                "acteurs_evolution",
                "",
                "all",
                None,
                None,
                None,
                total,
                "",
                ctx.pick(
                    f"Depuis la vague {ctx.previous_wave}, le nombre d'acteurs recensés passe "
                    f"de {_num(ctx, before)} à {_num(ctx, total)} "
                    f"({_signed(ctx, total - before)}).",
                    f"Since wave {ctx.previous_wave}, the number of actors listed went from "
                    f"{_num(ctx, before)} to {_num(ctx, total)} ({_signed(ctx, total - before)}).",
                ),
            )
        )
    hidden = _hidden_count(ctx)
    if hidden:
        out.append(
            KeyFigure(
                "acteurs_non_diffusibles",
                "",
                "all",
                None,
                None,
                None,
                hidden,
                "",
                ctx.pick(
                    f"{_plural(ctx, hidden, 'établissement', 'establishment')} non "
                    f"diffusible{'s' if hidden > 1 else ''} "
                    f"{'sont comptés' if hidden > 1 else 'est compté'} sans être "
                    f"nommé{'s' if hidden > 1 else ''} ni placé{'s' if hidden > 1 else ''} "
                    "sur la carte.",
                    f"{_num(ctx, hidden)} non-diffusible establishment"
                    f"{'s are' if hidden > 1 else ' is'} counted but neither named nor mapped.",
                ),
            )
        )
    return out


def _signed(ctx: ActorsContext, value: int) -> str:
    if value > 0:
        return "+" + _num(ctx, value)
    if value < 0:
        return "\u2212" + _num(ctx, -value)
    return "0"


def essentiel(ctx: ActorsContext) -> Html:
    """L'essentiel of the actors report."""
    items = "".join(f"<li>{esc(f.sentence)}</li>" for f in key_figures(ctx))
    return Html(
        '<div class="iaobs-essentiel">'
        f'<h2 id="essentiel">{esc(ctx.t("essentiel"))}</h2><ul>{items}</ul></div>'
    )


def counts_text(ctx: ActorsContext) -> Html:
    """The two sources and the non-diffusible units, in words."""
    hidden = _hidden_count(ctx)
    text = ctx.pick(
        "Les acteurs viennent de deux sources : les établissements actifs de la région dont "
        "l'activité principale relève de l'offre d'IA dans le répertoire SIRENE (codes NAF "
        f"{', '.join(ctx.study.actors.naf)}), et la liste que tient l'observatoire "
        "(laboratoires, écoles, organismes de formation, structures d'accompagnement, grands "
        "utilisateurs…).",
        "The actors come from two sources: the region's active establishments whose main "
        "activity belongs to AI supply in the SIRENE register (NAF codes "
        f"{', '.join(ctx.study.actors.naf)}), and the observatory's own list (labs, schools, "
        "training bodies, support structures, large users…).",
    )
    if hidden:
        text += " " + ctx.pick(
            f"Les totaux comprennent {_num(ctx, hidden)} établissement"
            f"{'s' if hidden > 1 else ''} non diffusible{'s' if hidden > 1 else ''}, "
            "absent" + ("s" if hidden > 1 else "") + " de l'annuaire et de la carte.",
            f"Totals include {_num(ctx, hidden)} non-diffusible establishment"
            f"{'s' if hidden > 1 else ''}, absent from the directory and the map.",
        )
    return Html(f"<p>{esc(text)}</p>")


# -- tables ------------------------------------------------------------------------------------

_Built = tuple[str, pd.DataFrame, list[str], dict[str, str]]


def _champ(ctx: ActorsContext) -> str:
    return ctx.pick(
        f"Acteurs de l'IA recensés en {ctx.study.region} (établissements actifs de l'offre "
        "d'IA dans SIRENE et liste de l'observatoire), non diffusibles compris.",
        f"AI actors listed in {ctx.study.region} (active AI-supply establishments in SIRENE "
        "and the observatory's list), non-diffusible units included.",
    )


def _crosstab(ctx: ActorsContext, rows: pd.Series, labels: dict[str, str], head: str) -> _Built:
    d = ctx.directory
    deps = sorted(ctx.shapes) if ctx.shapes else sorted(set(d["departement"]))
    deps = [
        c for c in deps if c in set(d["departement"]) or c in geo.region_codes(ctx.study.region)
    ]
    table = pd.crosstab(rows, d["departement"]).reindex(columns=deps, fill_value=0)
    order = [k for k in labels if k in table.index] + [k for k in table.index if k not in labels]
    table = table.reindex(order)
    frame = pd.DataFrame(
        {head: [labels.get(k, k) or ctx.pick("Non renseignée", "Unknown") for k in table.index]}
    )
    kinds = {head: "label"}
    for code in deps:
        name = ctx.departement_label(code)
        frame[name] = table[code].to_numpy()
        kinds[name] = "count"
    total = ctx.pick("Ensemble", "Total")
    frame[total] = table.sum(axis=1).to_numpy()
    kinds[total] = "count"
    sums = {head: total, **{c: int(frame[c].sum()) for c in frame.columns if c != head}}
    frame = pd.concat([frame, pd.DataFrame([sums])], ignore_index=True)
    return "", frame, [], kinds


def _by_type(ctx: ActorsContext) -> _Built:
    d = ctx.directory
    labels = {k: ctx.pick(v, ACTOR_TYPES_EN[k]) for k, v in ACTOR_TYPES.items()}
    _, frame, _, kinds = _crosstab(ctx, d["type"], labels, ctx.pick("Type d'acteur", "Type"))
    first = frame.iloc[0]
    lecture = (
        ctx.pick(
            f"{_num(ctx, int(first.iloc[-1]))} acteurs de type « {first.iloc[0]} » sont recensés "
            f"dans la région.",
            f"{_num(ctx, int(first.iloc[-1]))} actors of type “{first.iloc[0]}” are listed.",
        )
        if len(frame) > 1
        else None
    )
    title = ctx.pick(
        "Acteurs de l'IA par type et par département", "AI actors by type and département"
    )
    return title, frame, note_lines(ctx, _champ(ctx), lecture=lecture), kinds


def _by_activity(ctx: ActorsContext) -> _Built:
    d = ctx.directory
    codes = {
        c: (f"{c} – {lab}" if lab and lab != c else c) if c else ""
        for c, lab in zip(d["activite"], d["activite_libelle"], strict=True)
    }
    labels = {c: codes[c] for c in sorted(codes) if c}
    labels[""] = ctx.pick("Sans code d'activité (liste)", "No activity code (list)")
    _, frame, _, kinds = _crosstab(
        ctx,
        d["activite"].fillna(""),
        labels,
        ctx.pick("Activité principale (NAF)", "Main activity (NAF)"),
    )
    title = ctx.pick(
        "Acteurs de l'IA par activité principale et par département",
        "AI actors by main activity and département",
    )
    note = ctx.pick(
        "Activité principale déclarée au répertoire SIRENE ; un acteur de la liste sans SIRET "
        "n'en a pas.",
        "Main activity registered in SIRENE; an actor of the list without a SIRET has none.",
    )
    return title, frame, note_lines(ctx, _champ(ctx), note=note), kinds


def _evolution(ctx: ActorsContext) -> _Built:
    head = ctx.pick("Type d'acteur", "Type")
    now = ctx.directory["type"].value_counts()
    title = ctx.pick("Évolution du nombre d'acteurs par type", "Change in actors by type")
    if ctx.previous is None:
        frame = pd.DataFrame(
            {head: [ctx.pick("Ensemble", "Total")], ctx.study.wave: [int(now.sum())]}
        )
        note = ctx.pick(
            "Première vague de l'annuaire : pas de comparaison possible.",
            "First wave of the directory: nothing to compare with.",
        )
        return (
            title,
            frame,
            note_lines(ctx, _champ(ctx), note=note),
            {head: "label", ctx.study.wave: "count"},
        )
    before = ctx.previous["type"].value_counts()
    types = [t for t in ACTOR_TYPES if t in now.index or t in before.index]
    types += [t for t in sorted(set(now.index) | set(before.index)) if t not in types]
    prev, cur = str(ctx.previous_wave), ctx.study.wave
    diff = ctx.pick("Écart", "Change")
    names = ACTOR_TYPES_EN if ctx.language == "en" else ACTOR_TYPES
    rows = [(names.get(t, t), int(before.get(t, 0)), int(now.get(t, 0))) for t in types]
    rows.append((ctx.pick("Ensemble", "Total"), int(before.sum()), int(now.sum())))
    frame = pd.DataFrame(rows, columns=[head, prev, cur])
    frame[diff] = [_signed(ctx, c - p) for _, p, c in rows]
    shown_before = set(public_directory(ctx.previous)["identifiant"])
    shown_now = set(public_directory(ctx.directory)["identifiant"])
    gone, new = shown_before - shown_now, shown_now - shown_before
    note = ctx.pick(
        f"Entre les deux vagues, {_num(ctx, len(new))} acteurs de l'annuaire apparaissent et "
        f"{_num(ctx, len(gone))} disparaissent (créations, fermetures, changements d'activité, "
        "mises à jour de la liste ; unités non diffusibles non suivies).",
        f"Between the two waves, {_num(ctx, len(new))} actors of the directory appear and "
        f"{_num(ctx, len(gone))} disappear (openings, closures, changes of activity, list "
        "updates; non-diffusible units not followed).",
    )
    kinds = {head: "label", prev: "count", cur: "count", diff: "label"}
    return title, frame, note_lines(ctx, _champ(ctx), note=note), kinds


_BUILDERS = {"par_type": _by_type, "par_activite": _by_activity, "evolution": _evolution}


def build_actors_table(ctx: ActorsContext, key: str) -> Any:
    """One numbered table of the actors report (a :class:`iaobs.reports.tables.ReportTable`)."""
    return table_from_layout(ACTORS_LAYOUT, _BUILDERS, ctx, key, report="rapport des acteurs")


def show(ctx: ActorsContext, key: str) -> Html:
    """A table of the actors report as HTML (what a notebook cell displays)."""
    return table_html(build_actors_table(ctx, key), ctx)


def actors_tables(ctx: ActorsContext) -> list[Any]:
    """Every table of the actors report by section, then the directory (one sheet each)."""
    sections = sections_from_layout(
        ACTORS_LAYOUT, _BUILDERS, ctx, ACTORS_SECTIONS, report="rapport des acteurs"
    )
    frame = _directory_frame(ctx)
    number = sum(len(keys) for _, keys in ACTORS_LAYOUT) + 1
    annuaire = ReportTable(
        number,
        ctx.pick("Annuaire des acteurs de l'IA", "Directory of AI actors"),
        frame,
        note_lines(ctx, ctx.pick("Acteurs diffusibles.", "Diffusible actors.")),
        {c: "label" for c in frame.columns},
        key="annuaire",
    )
    sections.append(TableSection(ctx.pick(*ACTORS_SECTIONS["annuaire"]), [annuaire]))
    return sections


# -- the directory -----------------------------------------------------------------------------

#: Beyond this many actors the printed report (PDF) gives the directory's files, not its rows.
PRINT_MAX_ROWS = 300

_DIRECTORY_HEAD = (
    ("nom", "Nom", "Name"),
    ("type_libelle", "Type", "Type"),
    ("activite_libelle", "Activité", "Activity"),
    ("commune", "Commune", "Municipality"),
    ("departement", "Département", "Département"),
    ("site_web", "Site web", "Website"),
)


def _directory_frame(ctx: ActorsContext) -> pd.DataFrame:
    public = public_directory(ctx.directory).fillna("")
    return pd.DataFrame(
        {ctx.pick(fr, en): public[col].astype(str).to_numpy() for col, fr, en in _DIRECTORY_HEAD}
    )


def directory_html(ctx: ActorsContext) -> Html:
    """The directory as a table that the page's script makes searchable and sortable.

    Without the script (PDF, a reader without JavaScript) the table is complete and sorted by
    département, type and name. Non-diffusible units are never listed.
    """
    public = public_directory(ctx.directory).fillna("")
    head = "".join(
        f'<th scope="col" data-col="{i}">{esc(ctx.pick(fr, en))}</th>'
        for i, (_, fr, en) in enumerate(_DIRECTORY_HEAD)
    )
    rows = []
    for _, row in public.iterrows():
        site = str(row["site_web"])
        link = (
            f'<a href="{esc(site)}" rel="noopener">{esc(site.split("//", 1)[-1].rstrip("/"))}</a>'
            if site.startswith(("https://", "http://"))
            else ""
        )
        cells = [
            f'<th scope="row">{esc(row["nom"])}</th>',
            f"<td>{esc(row['type_libelle'])}</td>",
            f'<td title="{esc(row["activite"])}">{esc(row["activite_libelle"])}</td>',
            f"<td>{esc(row['commune'])}</td>",
            f"<td>{esc(ctx.departement_label(str(row['departement'])))}</td>",
            f"<td>{link}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    n = len(public)
    label = ctx.pick("Rechercher dans l'annuaire", "Search the directory")
    count = ctx.pick(f"{_num(ctx, n)} acteurs", f"{_num(ctx, n)} actors")
    notes = note_lines(
        ctx,
        ctx.pick("Acteurs diffusibles de l'annuaire.", "Diffusible actors of the directory."),
        note=ctx.pick(
            "Les établissements non diffusibles (statut P de SIRENE) sont comptés dans les "
            "tableaux mais ne figurent pas dans l'annuaire. Cliquez sur un en-tête pour trier.",
            "Non-diffusible establishments (SIRENE status P) are counted in the tables but not "
            "listed. Click a header to sort.",
        ),
    )
    long = n > PRINT_MAX_ROWS
    printed = ctx.pick(
        f"L'annuaire complet ({_num(ctx, n)} acteurs) est dans la version en ligne de ce "
        "rapport et dans le fichier annuaire.csv publié avec lui.",
        f"The full directory ({_num(ctx, n)} actors) is in the online version of this report "
        "and in the file annuaire.csv published with it.",
    )
    return Html(
        f'<div class="iaobs-annuaire{" iaobs-annuaire-long" if long else ""}" '
        "data-iaobs-annuaire>"
        + (f'<p class="iaobs-print-only">{esc(printed)}</p>' if long else "")
        + '<p class="iaobs-annuaire-tools" hidden>'
        f'<label for="iaobs-annuaire-q">{esc(label)}</label> '
        '<input type="search" id="iaobs-annuaire-q" autocomplete="off"> '
        f'<output for="iaobs-annuaire-q" aria-live="polite">{esc(count)}</output></p>'
        f'<table class="iaobs-table iaobs-annuaire-table" id="annuaire-table">'
        f"<caption>{esc(ctx.pick('Annuaire des acteurs de l’IA', 'Directory of AI actors'))}"
        f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + notes_html(notes, ctx)
        + "</div>"
    )


# -- the map -----------------------------------------------------------------------------------


def _commune_points(placed: pd.DataFrame) -> pd.DataFrame:
    """One point per commune (its centroid, else the mean of its actors' points) with the
    number of placed actors there."""
    groups = placed.groupby(["departement", "commune"], dropna=False)
    rows = []
    for (dep, commune), group in groups:
        point = geo.commune_point(str(commune), str(dep)) if commune else None
        lon, lat = point or (group["longitude"].mean(), group["latitude"].mean())
        rows.append((lon, lat, len(group), str(commune)))
    return pd.DataFrame(rows, columns=["lon", "lat", "n", "commune"])


def chart_map(ctx: ActorsContext) -> Html:
    """The region's départements shaded by their number of actors, and one symbol per place
    (area proportional to the actors there); non-diffusible units only in the shading."""
    from iaobs.reports import figures  # lazy: matplotlib, only when the map is drawn

    d = ctx.directory
    region = {c: s for c, s in ctx.shapes.items() if c in geo.region_codes(ctx.study.region)}
    shapes = region or ctx.shapes
    counts = d["departement"].value_counts()
    values = {c: float(counts.get(c, 0)) for c in shapes}
    placed = d[d["diffusible"].astype(bool) & d["precision"].isin(["adresse", "commune"])]
    placed = placed.dropna(subset=["longitude", "latitude"])
    points = _commune_points(placed)
    fig = geo.region_map(
        shapes,
        values=values,
        points=list(points[["lon", "lat", "n"]].itertuples(index=False, name=None)),
        legend=ctx.pick("Acteurs par département", "Actors by département"),
    )
    top = counts.head(3)
    biggest_fr = biggest_en = ""
    if len(points):
        big = points.sort_values("n", ascending=False).iloc[0]
        biggest_fr = (
            f" Le plus grand disque : {big['commune']}, {_num(ctx, int(big['n']))} acteurs."
        )
        biggest_en = f" Largest disc: {big['commune']}, {_num(ctx, int(big['n']))} actors."
    alt = ctx.pick(
        "Carte de la région : "
        + " ; ".join(
            f"{ctx.departement_label(c)} {_num(ctx, int(n))} acteurs" for c, n in top.items()
        )
        + ".",
        "Map of the region: "
        + "; ".join(
            f"{ctx.departement_label(c)} {_num(ctx, int(n))} actors" for c, n in top.items()
        )
        + ".",
    )
    return figures.figure_html(
        fig,
        ctx=ctx,
        title=ctx.pick("Les acteurs de l'IA dans la région", "AI actors in the region"),
        alt=alt,
        lecture=ctx.pick(
            "Plus un département est foncé, plus il compte d'acteurs ; chaque disque est un lieu "
            "(adresse ou commune), sa surface proportionnelle au nombre d'acteurs qui s'y "
            "trouvent.",
            "The darker a département, the more actors it has; each disc is a place (address "
            "or municipality), its area proportional to the actors there.",
        ),
        champ=_champ(ctx),
        source=ctx.source_line + " " + ctx.pick(geo.MAP_SOURCE, geo.MAP_SOURCE_EN) + ".",
        note=ctx.pick(
            "Les établissements non diffusibles ne sont comptés que dans la teinte de leur "
            f"département.{biggest_fr}",
            f"Non-diffusible establishments only count in their département's shade.{biggest_en}",
        ),
    )


# -- methodology -------------------------------------------------------------------------------


def methodology(ctx: ActorsContext) -> Html:
    """The methodology annex: sources, merge, placement, diffusion, the survey kept apart."""
    paragraphs = [
        ctx.pick(
            "Sources. Le répertoire SIRENE de l'Insee (fichiers StockEtablissement et "
            "StockUniteLegale, licence ouverte) : établissements actifs (état administratif A) "
            "implantés dans la région dont l'activité principale est l'un des codes NAF de "
            f"l'offre d'IA retenus par l'étude ({', '.join(ctx.study.actors.naf)}). Ces codes "
            "repèrent l'offre de logiciels, de conseil, de traitement de données et de R&D : ils "
            "comptent des établissements sans activité d'IA et en manquent d'autres ; la liste "
            "de l'observatoire complète ce repérage. Elle suit un schéma de données publié "
            "(acteurs.schema.json, Table Schema) et n'est tirée que de sources publiques.",
            "Sources. The Insee SIRENE register (StockEtablissement and StockUniteLegale, open "
            "licence): active establishments of the region whose main activity is one of the "
            f"study's AI-supply NAF codes ({', '.join(ctx.study.actors.naf)}). These codes "
            "catch software, consulting, data processing and R&D: they include establishments "
            "without AI activity and miss others; the observatory's list completes them. It "
            "follows a published schema (acteurs.schema.json, Table Schema) and draws on public "
            "sources only.",
        ),
        ctx.pick(
            "Fusion. Une ligne de la liste qui donne un SIRET est rapprochée de SIRENE, quelle "
            "que soit l'activité de l'établissement ; ses informations l'emportent sur celles de "
            "SIRENE (nom, type, commune…), SIRENE apportant l'activité et la localisation. Les "
            "doublons (même SIRET, ou même nom dans le même département sans SIRET) ne sont "
            "comptés qu'une fois.",
            "Merge. A row of the list with a SIRET is matched with SIRENE whatever the "
            "establishment's activity; its information wins over SIRENE's (name, type, "
            "municipality…), SIRENE bringing the activity and the location. Duplicates (same "
            "SIRET, or same name in the same département without SIRET) count once.",
        ),
        ctx.pick(
            "Localisation. Les coordonnées Lambert-93 de SIRENE sont converties en WGS 84 "
            "(pyproj) ; un établissement sans coordonnées, ou dont les coordonnées tombent hors "
            "de son département, est placé au centre de sa commune ; à défaut, il n'est compté "
            "que dans son département. Fond de carte : IGN Admin Express 2018, simplifié "
            "(licence ouverte).",
            "Location. SIRENE's Lambert-93 coordinates are converted to WGS 84 (pyproj); an "
            "establishment without coordinates, or whose coordinates fall outside its "
            "département, is placed at its municipality's centre; failing that, it only counts "
            "in its département. Base map: IGN Admin Express 2018, simplified (open licence).",
        ),
        ctx.pick(
            "Diffusion. Une unité dont l'établissement ou l'unité légale a le statut de "
            "diffusion partielle (P) dans SIRENE — une personne qui s'est opposée à la "
            "diffusion de ses données — est comptée dans les tableaux et dans la teinte de son "
            "département, mais n'est jamais nommée, ni placée plus finement que son "
            "département, même quand la liste de l'observatoire la cite.",
            "Diffusion. A unit whose establishment or legal unit has partial diffusion status "
            "(P) in SIRENE — a person who objected to the publication of their data — is "
            "counted in the tables and in its département's shade, but never named, nor placed "
            "more precisely than its département, even when the observatory's list cites it.",
        ),
        ctx.pick(
            "Enquête. L'annuaire ne lit aucune donnée de l'enquête : rien n'y dit si une "
            "entreprise a répondu, et aucune réponse n'y figure. Les répondants n'y sont donc "
            "ni signalés ni retirés. Les retirer aurait trahi leur participation : l'annuaire "
            "reprend tous les établissements publics de SIRENE de ces activités, et quiconque "
            "le compare au répertoire retrouverait dans les absents la liste des répondants. "
            "Un établissement y figure au seul titre des sources publiques, comme s'il n'avait "
            "pas été enquêté.",
            "Survey. The directory reads no survey data: nothing in it says whether a company "
            "answered, and no answer appears. Respondents are therefore neither flagged nor "
            "removed. Removing them would have betrayed their participation: the directory "
            "takes every public SIRENE establishment of these activities, and anyone comparing "
            "it with the register would find the respondents among the missing. An "
            "establishment appears on the strength of public sources alone, as if it had not "
            "been surveyed.",
        ),
        ctx.pick(
            "Évolution. Chaque vague a son extrait SIRENE ; l'écart entre deux vagues mêle les "
            "créations et fermetures, les changements d'activité principale et les mises à jour "
            "de la liste de l'observatoire.",
            "Change. Each wave has its own SIRENE extract; the change between two waves mixes "
            "openings and closures, changes of main activity and updates of the observatory's "
            "list.",
        ),
    ]
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return Html(f'<section class="iaobs-annexe">{ctx.heading(2, "annexe")}{body}</section>')


# -- open data ---------------------------------------------------------------------------------


def _open_schema() -> dict[str, Any]:
    fields = []
    for name in OPEN_COLUMNS:
        kind, title, description = _OPEN_FIELDS[name]
        fields.append({"name": name, "type": kind, "title": title, "description": description})
    return {"fields": fields, "missingValues": [""]}


def write_open_data(
    directory: pd.DataFrame,
    folder: Path,
    *,
    title: str,
    region: str,
    wave: str,
    curated_schema: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``annuaire.csv`` (the named actors) and its ``datapackage.json`` in ``folder``.

    The data package describes the CSV with a Table Schema and carries, as a second resource
    description, the schema of the curated list that regions share. Returns
    ``{"annuaire": path, "datapackage": path}``.
    """
    public = public_directory(directory)[list(OPEN_COLUMNS)].copy()
    for column in ("longitude", "latitude"):
        public[column] = public[column].map(lambda v: "" if pd.isna(v) else f"{float(v):.5f}")
    csv_path = folder / "annuaire.csv"
    write_text(csv_path, public.fillna("").to_csv(index=False, lineterminator="\n"))
    package = {
        "name": "acteurs-ia",
        "title": title,
        "description": (
            f"Annuaire des acteurs de l'intelligence artificielle, {region}, vague {wave} : "
            "établissements de SIRENE et liste de l'observatoire ; les unités non diffusibles "
            "n'y figurent pas."
        ),
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            }
        ],
        "sources": [
            {"title": "Insee, répertoire SIRENE"},
            {"title": "Liste des acteurs de l'observatoire"},
        ],
        "resources": [
            {
                "name": "annuaire",
                "path": "annuaire.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _open_schema(),
            }
        ],
        "x-iaobs-schema-liste": curated_schema or actors_schema(),
    }
    json_path = folder / "datapackage.json"
    write_text(json_path, json.dumps(package, ensure_ascii=False, indent=2) + "\n")
    return {"annuaire": csv_path, "datapackage": json_path}


def open_data_for_report(parameters: dict[str, Any], folder: Path) -> dict[str, Path]:
    """The open data of the report whose notebook ran with ``parameters`` (for the renderer)."""
    ctx = load_actors(parameters["study_dir"], language=str(parameters.get("language", "")))
    return write_open_data(
        ctx.directory,
        folder,
        title=ctx.pick("Acteurs de l'IA", "AI actors") + f" – {ctx.study.region}",
        region=ctx.study.region,
        wave=ctx.study.wave,
    )
