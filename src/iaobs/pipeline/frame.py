"""The frame's commands on a study: ``iaobs frame``, ``plan``, ``draw`` and ``suivi``.

Each reads the study's settings (``[frame]``, ``[plan]``), calls :mod:`iaobs.frame` and writes
through the store: the margins and the plan under ``data/reference/``, the confidential frame,
the contact list and the follow-up page under ``data/private/`` (never under ``reports/``).
The frame stage of :func:`iaobs.pipeline.run.run_study` is :func:`frame_stage`, skipped when
the stock files, ``study.toml`` and the code did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from iaobs.core.atomic import write_text
from iaobs.errors import ConfigError, InputError
from iaobs.pipeline.stages import is_fresh, record, stage_key
from iaobs.study.config import Study

if TYPE_CHECKING:
    import pandas as pd

    from iaobs.frame.margins import FrameResult
    from iaobs.frame.plan import Plan
    from iaobs.frame.suivi import Fieldwork

__all__ = [
    "FrameStage",
    "describe_frame",
    "draw_study",
    "frame_stage",
    "frame_study",
    "plan_study",
    "suivi_study",
]

Echo = Callable[[str], None]


@dataclass
class FrameStage:
    """What the frame stage did: whether it ran, its outputs, the result when it ran."""

    ran: bool
    outputs: dict[str, Path] = field(default_factory=dict)
    result: FrameResult | None = None


def _margins_path(study: Study) -> Path:
    return Path(study.margins) if study.margins is not None else study.store.population


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV, leaving an identical file untouched (its date included)."""
    text = frame.to_csv(index=False, lineterminator="\n")
    try:
        if path.read_text("utf-8") == text:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    return write_text(path, text)


def _keep_previous(path: Path, margins: pd.DataFrame) -> Path | None:
    """Margins edited since (or written by hand before) are kept as ``<name>.precedent.csv``
    before being replaced by the margins from SIRENE: nothing is lost."""
    try:
        previous = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if previous == margins.to_csv(index=False, lineterminator="\n"):
        return None
    return write_text(path.with_name(f"{path.stem}.precedent{path.suffix}"), previous)


def _require_frame(study: Study) -> None:
    if not study.frame.configured:
        raise ConfigError(
            "aucun fichier Sirene dans study.toml",
            file=study.root / "study.toml",
            hint='ajoutez [frame] unites_legales = "…" et etablissements = "…" (fichiers '
            "StockUniteLegale et StockEtablissement de l'INSEE, CSV, zip ou parquet)",
        )


def frame_study(study: Study) -> FrameResult:
    """Build the margins and the confidential frame from the study's SIRENE files and write
    them (margins, exclusions by reason, ``data/private/base-de-sondage.csv``)."""
    from iaobs.frame.margins import build_frame  # lazy: DuckDB and pandas

    _require_frame(study)
    dictionary = study.dictionary
    result = build_frame(
        study.frame.unites_legales,  # type: ignore[arg-type]
        study.frame.etablissements,  # type: ignore[arg-type]
        sectors={code: sector.naf for code, sector in dictionary.sectors.items()},
        departements=list(dictionary.departements),
        settings=study.frame,
    )
    store = study.store
    _keep_previous(_margins_path(study), result.margins)
    _csv(result.margins, _margins_path(study))
    _csv(result.exclusions, store.frame_exclusions)
    _csv(result.frame, store.sampling_frame)
    return result


def frame_stage(study: Study, *, force: bool = False, required: bool = False) -> FrameStage:
    """The margins from SIRENE in the main job, when ``[frame]`` names the files; skipped when
    the files, ``study.toml`` and the code are unchanged and the outputs are as left.

    ``required``: a study without ``[frame]`` is an error (``iaobs frame``) rather than a stage
    with nothing to do (``iaobs run``)."""
    if not study.frame.configured:
        if required:
            _require_frame(study)
        return FrameStage(ran=False)
    store = study.store
    inputs = [
        study.root / "study.toml",
        Path(study.frame.unites_legales),  # type: ignore[arg-type]
        Path(study.frame.etablissements),  # type: ignore[arg-type]
    ]
    key = stage_key(store, "frame", inputs)
    outputs = {
        "margins": _margins_path(study),
        "exclusions": store.frame_exclusions,
        "frame": store.sampling_frame,
    }
    if not force and is_fresh(store, key, outputs.values()):
        return FrameStage(ran=False, outputs=outputs)
    result = frame_study(study)
    record(store, key, outputs.values())
    return FrameStage(ran=True, outputs=outputs, result=result)


def _read_csv(path: Path, what: str, command: str) -> pd.DataFrame:
    import pandas as pd  # lazy: pandas only in the frame's commands

    if not path.exists():
        raise InputError(f"{what} introuvable", file=path, hint=f"lancez d'abord « {command} »")
    return pd.read_csv(
        path,
        dtype={"siren": str, "siret_siege": str, "departement": str, "code_postal": str},
        keep_default_na=False,
        na_values=[""],
    )


def _write_page(page: str, html: Path, formats: Sequence[str]) -> list[Path]:
    written = []
    if "html" in formats:
        written.append(write_text(html, page))
    if "pdf" in formats:
        from iaobs.render.pdf import write_pdf  # lazy: WeasyPrint only when a PDF is asked

        written.append(write_pdf(page, html.with_suffix(".pdf")))
    return written


def _sector_labels(study: Study) -> dict[str, str]:
    return {code: s.label.get(study.language) for code, s in study.dictionary.sectors.items()}


def plan_study(
    study: Study,
    *,
    precision: float | None = None,
    response_rate: float | None = None,
    formats: Sequence[str] = ("html", "pdf"),
) -> tuple[Plan, list[Path]]:
    """The plan from the study's margins: ``plan.csv``, ``plan-domaines.csv`` and the design
    report; ``precision`` and ``response_rate`` override ``[plan]``."""
    from iaobs.frame.pages import design_page  # lazy: pandas
    from iaobs.frame.plan import allocate  # lazy: pandas

    settings = study.plan
    if precision is not None:
        settings = replace(settings, precision=precision)
    if response_rate is not None:
        settings = replace(settings, response_rate=response_rate)
    for name, value in (
        ("précision", settings.precision),
        ("taux de réponse", settings.response_rate),
    ):
        if not 0 < value < 1:
            raise ConfigError(f"{name} {value} : attendu entre 0 et 1 exclus (ex. 0.05)")
    margins = _read_csv(_margins_path(study), "marges de population", "iaobs frame")
    plan = allocate(margins, settings)
    store = study.store
    written = [_csv(plan.strata, store.plan), _csv(plan.domains, store.plan_domains)]
    page = design_page(
        plan,
        title=study.title,
        region=study.region,
        wave=study.wave,
        sectors=_sector_labels(study),
    )
    written += _write_page(page, store.plan_report(".html"), formats)
    return plan, written


def draw_study(study: Study, *, seed: int) -> tuple[pd.DataFrame, Path]:
    """Draw the sample of the plan from the confidential frame: ``data/private/echantillon.csv``."""
    from iaobs.frame.draw import draw_sample  # lazy: numpy and pandas

    store = study.store
    frame = _read_csv(store.sampling_frame, "base de sondage", "iaobs frame")
    plan = _read_csv(store.plan, "plan de sondage", "iaobs plan")
    sample = draw_sample(frame, plan, seed)
    return sample, _csv(sample, store.sample)


def _responses_with_siren(study: Study) -> pd.DataFrame:
    """``siren, statut_reponse`` of every company response received, before pseudonymisation."""
    import pandas as pd  # lazy: pandas only in the frame's commands

    from iaobs.ingest.profiles import map_columns, read_for_profile  # lazy: the readers

    parts = []
    dictionary = study.dictionary
    for source in study.sources:
        if source.questionnaire != "entreprises":
            continue
        raw = read_for_profile(
            source.path,
            source.profile,
            dictionary,
            sheet=source.sheet,
            header_row=source.header_row,
            max_file_mb=study.max_file_mb,
            mapping=source.mapping,
        )
        mapped = map_columns(raw, dictionary, profile=source.profile, mapping=source.mapping)
        table = mapped.frame
        parts.append(
            pd.DataFrame(
                {
                    "siren": table.get("siren", None),
                    "statut_reponse": table.get("statut_reponse", "complet"),
                    "secteur": table.get("secteur", source.sector),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["siren", "statut_reponse", "secteur"])
    return pd.concat(parts, ignore_index=True)


def _empty_strata_alerts(study: Study, margins: pd.DataFrame) -> list[str]:
    """A stratum with respondents (cleaned responses) and no firm in the margins: one line each."""
    import pandas as pd  # lazy: pandas only in the frame's commands

    path = study.store.processed.responses
    if not path.exists():
        return []
    responses = pd.read_parquet(path, columns=["secteur", "taille"])
    firms = set(zip(margins["secteur"], margins["taille"], strict=True))
    counts = responses.groupby(["secteur", "taille"], observed=True).size()
    return [
        f"strate {sector} × {size} : {n} répondant(s) mais aucune entreprise dans la base de "
        "sondage (vérifiez le secteur ou la taille de ces réponses, ou les codes NAF du secteur)"
        for (sector, size), n in counts.items()
        if n and (str(sector), str(size)) not in firms
    ]


def suivi_study(
    study: Study, *, formats: Sequence[str] = ("html", "pdf")
) -> tuple[Fieldwork, list[Path]]:
    """Fieldwork follow-up of the drawn sample: ``data/private/suivi-terrain.{csv,html,pdf}``."""
    import pandas as pd  # lazy: pandas only in the frame's commands

    from iaobs.frame.pages import fieldwork_page  # lazy: pandas
    from iaobs.frame.suivi import follow_up  # lazy: pandas

    store = study.store
    sample = _read_csv(store.sample, "échantillon tiré", "iaobs draw")
    plan = _read_csv(store.plan, "plan de sondage", "iaobs plan") if store.plan.exists() else None
    dispositions = (
        pd.read_csv(store.dispositions, dtype=str, keep_default_na=False)
        if store.dispositions.exists()
        else None
    )
    fieldwork = follow_up(
        sample,
        _responses_with_siren(study),
        plan=plan,
        dispositions=dispositions,
        dispositions_file=store.dispositions,
    )
    margins_path = _margins_path(study)
    if margins_path.exists():
        margins = _read_csv(margins_path, "marges de population", "iaobs frame")
        fieldwork = replace(fieldwork, alerts=tuple(_empty_strata_alerts(study, margins)))
    written = [_csv(fieldwork.strata, store.fieldwork_report(".csv"))]
    page = fieldwork_page(
        fieldwork,
        title=study.title,
        region=study.region,
        wave=study.wave,
        sectors=_sector_labels(study),
    )
    written += _write_page(page, store.fieldwork_report(".html"), formats)
    return fieldwork, written


def describe_frame(result: FrameResult) -> list[str]:
    """The lines ``iaobs frame`` prints: what was kept, what was left out and why."""
    from iaobs.core.text import format_number  # lazy: only when the frame was built

    lines = [
        f"{format_number(result.units_read)} unités légales lues, "
        f"{format_number(result.firms)} entreprises dans la base de sondage "
        f"({format_number(len(result.margins))} cellules secteur × taille × département)",
    ]
    for row in result.exclusions.itertuples(index=False):
        if row.n_unites:
            lines.append(f"  exclues : {format_number(row.n_unites)} — {row.libelle}")
    if result.partial_diffusion:
        lines.append(
            f"  {format_number(result.partial_diffusion)} entreprises en diffusion partielle : "
            "comptées, jamais nommées"
        )
    for pattern in result.naf_without_unit:
        lines.append(f"  attention : le code NAF « {pattern} » ne correspond à aucune unité active")
    return lines
