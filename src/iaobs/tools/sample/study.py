"""The sample study folder: every file written, study.toml and the population's README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iaobs.core.atomic import write_json, write_text
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.sample.files import (
    NOTES_SHEET_TEXT,
    _file_styles,
    _layout_sector,
    _Planted,
    _sector_records,
    _write_csv,
    _write_xlsx,
)
from iaobs.tools.sample.model import (
    ANSWER_MODEL,
    POPULATION_MODEL,
    TRAINING_MODEL,
    WAVE,
)
from iaobs.tools.sample.population import (
    _allocate,
    _as_json,
    _population_answers,
    _siren,
    _truth,
    population_margins,
)
from iaobs.tools.sample.training import (
    _training,
)
from iaobs.tools.sirene_sample import write_sirene_extracts

POPULATION_README = """# Marges de population de l'étude exemple

`population.csv` : nombre d'entreprises par secteur × taille × département
(`secteur,taille,departement,n_entreprises`), utilisé pour pondérer les réponses.

**Ces effectifs sont des ordres de grandeur illustratifs, pas des chiffres officiels.** Ils
décrivent la population fictive de l'étude exemple (écrite par `iaobs sample`), dont les
valeurs vraies des indicateurs sont dans `data/raw/sample_truth.json`.

Ils sont reconstruits par `iaobs frame` (à chaque `make report`) à partir des extraits Sirene
fictifs de `data/raw/sirene/` (`StockUniteLegale_utf8.zip`, `StockEtablissement_utf8.zip`, au
format publié par l'INSEE, aucune entreprise réelle) ; les unités écartées, par motif, sont
comptées dans `population-exclusions.csv`.

Pour une étude réelle, les effectifs officiels se lisent dans :

- INSEE, répertoire Sirene (stock des unités légales et des établissements actifs, par code APE
  et par commune, donc par département) — https://www.sirene.fr et data.gouv.fr ;
- URSSAF, données ouvertes sur les établissements employeurs et leurs effectifs salariés par
  code APE et département — https://open.urssaf.fr.

La taille suit les classes du dictionnaire (TPE 0-9, PME 10-249, ETI 250-4 999, GE 5 000 et plus
salariés), approchées par l'effectif. Les cellules sans entreprise sont omises.
"""


def _study_toml(sources: list[tuple[str, str | None, str]]) -> str:
    lines = [
        "# Étude par défaut du dépôt : données synthétiques écrites par « iaobs sample »",
        "# (population fictive, valeurs vraies dans data/raw/sample_truth.json).",
        "",
        "[study]",
        'title = "Observatoire régional de l\'intelligence artificielle et des compétences"',
        'region = "Hauts-de-France"',
        f'wave = "{WAVE}"',
        'language = "fr"',
        "",
        "[population]",
        'margins = "data/reference/population.csv"   # effectifs illustratifs (voir son README)',
        "",
        "[frame]   # extraits Sirene fictifs : « iaobs frame » en tire les marges ci-dessus",
        'unites_legales = "data/raw/sirene/StockUniteLegale_utf8.zip"',
        'etablissements = "data/raw/sirene/StockEtablissement_utf8.zip"',
    ]
    for path, sector, questionnaire in sources:
        lines += ["", "[[sources]]", f'path = "{path}"', 'profile = "template"']
        if sector:
            lines.append(f'sector = "{sector}"')
        if questionnaire != "entreprises":
            lines.append(f'questionnaire = "{questionnaire}"')
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Entry point


def _truth_document(
    run: tuple[int, int, int],
    cells: pd.DataFrame,
    per_cell: np.ndarray,
    values: tuple[dict[str, Any], dict[str, str], Any],
    planted: _Planted,
) -> dict[str, Any]:
    """``sample_truth.json``: the true values, how they were made and what was planted.

    ``run`` is (seed, companies asked for, respondents drawn); ``values`` is (true values,
    their definitions, the training's true values).
    """
    seed, n_companies, respondents = run
    truth, definitions, training_truth = values
    document: dict[str, Any] = {
        "_about": (
            "Valeurs vraies de la population fictive de l'étude exemple (iaobs sample) : "
            '{indicateur: {modalité ou "": {domaine: valeur}}}. Proportions entre 0 et 1 '
            "calculées sur toute la population, NSP exclus de la base comme dans les estimations."
        ),
        "_meta": {
            "seed": seed,
            "n_companies": n_companies,
            "population_firms": int(cells["n_entreprises"].sum()),
            "respondents": respondents,
            "respondents_by_cell": [
                {
                    "secteur": sec,
                    "taille": size,
                    "departement": dep,
                    "n_entreprises": int(nn),
                    "repondants": int(k),
                }
                for (sec, size, dep, nn), k in zip(
                    cells.itertuples(index=False), per_cell, strict=True
                )
            ],
            "population_model": _as_json(POPULATION_MODEL),
            "answer_model": _as_json(ANSWER_MODEL),
            "training_model": _as_json(TRAINING_MODEL),
        },
        "_definitions": definitions,
        **truth,
        "_formation": training_truth,
        "planted_defects": planted.defects,
        "planted_confidential": planted.confidential,
    }
    return document


def write_sample_study(output: Path, seed: int = 2019, n_companies: int = 1500) -> list[Path]:
    """Write the synthetic sample study into ``output`` (a study folder).

    Parameters
    ----------
    output
        The study folder; ``data/raw/2019/``, ``data/raw/sample_truth.json``,
        ``data/reference/population.csv`` (and its README) and ``study.toml`` are written in it.
    seed
        Seed of the random generator: the same seed gives byte-identical files.
    n_companies
        Number of responding companies before duplicates and planted defects (firms).

    Returns
    -------
    list of Path
        Every file written.
    """
    output = Path(output)
    n_companies = max(int(n_companies), 6)
    rng = np.random.default_rng(seed)
    dictionary = load_dictionary("entreprises")
    cells = population_margins(dictionary)
    frame = _population_answers(rng, cells, dictionary)
    truth, definitions = _truth(frame, dictionary)

    # respondents: cell by cell, simple random sampling within the cell
    per_cell = _allocate(cells, n_companies)
    starts = np.concatenate([[0], np.cumsum(cells["n_entreprises"].to_numpy())[:-1]])
    chosen_parts = [
        st + rng.choice(size, size=k, replace=False)
        for st, size, k in zip(starts, cells["n_entreprises"].to_numpy(), per_cell, strict=True)
        if k > 0
    ]
    chosen = np.sort(np.concatenate(chosen_parts)) if chosen_parts else np.array([], dtype=int)

    draws = rng.integers(10_000_000, 100_000_000, size=2 * len(chosen) + 10)
    _, first = np.unique(draws, return_index=True)
    bodies = draws[np.sort(first)][: len(chosen)]  # distinct 8-digit bodies, in draw order
    sirens = [_siren(int(b)) for b in bodies]
    planted = _Planted()
    used_names: set[str] = set()
    written: list[Path] = []
    sources: list[tuple[str, str | None, str]] = []
    companies: list[dict[str, Any]] = []
    sector_of = frame["secteur"].to_numpy()
    for style in _file_styles():
        sector_rows = chosen[sector_of[chosen] == style.sector]
        sector_rows = sector_rows[rng.permutation(len(sector_rows))]
        records = _sector_records(
            rng, frame, sector_rows, style.sector, style, dictionary, sirens, used_names
        )
        records.sort(key=lambda r: r["date_reponse"])
        rel = f"data/raw/{WAVE}/{style.sector}.{style.kind}"
        sheet = None if style.kind == "csv" else "Réponses"
        rows, header_index = _layout_sector(rng, records, style, dictionary, planted, rel, sheet)
        path = output / rel
        if style.kind == "csv":
            written.append(_write_csv(path, rows))
        else:
            written.append(
                _write_xlsx(
                    path,
                    "Réponses",
                    rows,
                    header_index,
                    style.notes_sheet,
                    list(NOTES_SHEET_TEXT),
                    style.notes_first,
                )
            )
        sources.append((rel, style.sector, "entreprises"))
        companies.extend(r for r in records if not r.get("_duplicate") and "_defect" not in r)

    # pilot training: participants from about twenty responding companies
    n_firms = min(int(TRAINING_MODEL["companies"].value), len(companies))
    picked = rng.choice(len(companies), size=n_firms, replace=False)
    rows, header_index, training_truth = _training(
        rng, [companies[int(i)] for i in sorted(picked)], planted
    )
    rel = f"data/raw/{WAVE}/formation_pilote.xlsx"
    written.append(
        _write_xlsx(
            output / rel,
            "Passations",
            rows,
            header_index,
            "Consignes",
            [
                "Une ligne par participant et par vague (T0, T1, T2).",
                "Le nom est confidentiel : il ne sort jamais du dossier data/raw.",
            ],
            False,
        )
    )
    sources.append((rel, None, "formation"))

    margins_path = output / "data" / "reference" / "population.csv"
    written.append(write_text(margins_path, cells.to_csv(index=False, lineterminator="\n")))
    written += write_sirene_extracts(cells, output / "data" / "raw" / "sirene", seed=seed)
    written.append(write_text(output / "data" / "reference" / "README.md", POPULATION_README))

    document = _truth_document(
        (seed, n_companies, len(chosen)),
        cells,
        per_cell,
        (truth, definitions, training_truth),
        planted,
    )
    written.append(write_json(output / "data" / "raw" / "sample_truth.json", document))
    written.append(write_text(output / "study.toml", _study_toml(sources)))
    return written
