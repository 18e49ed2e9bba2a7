"""The pilot-training assessment files of the sample study."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from iaobs.study.dictionary import Dictionary, load_dictionary
from iaobs.tools.sample.files import (
    FIRST_NAMES,
    LAST_NAMES,
    FileStyle,
    _Planted,
    _Renderer,
)
from iaobs.tools.sample.model import (
    TRAINING_MODEL,
)
from iaobs.tools.sample.population import (
    _expit,
    _ordered,
)

#: The self-assessed skills of the pilot training and their shift (harder ones lower).
_SKILL_ITEMS = {
    "comprendre_ia": 0.3,
    "formuler_requetes": -0.2,
    "verifier_resultats": 0.0,
    "proteger_donnees": 0.2,
    "identifier_cas_usage": -0.1,
    "automatiser_tache": -0.6,
    "cadre_legal": -0.5,
    "limites_biais": -0.2,
}


def _code(dictionary: Dictionary, var: str, idx: int) -> str:
    return list(dictionary[var].codes)[idx]


def _training(
    rng: np.random.Generator, companies: list[dict[str, Any]], planted: _Planted
) -> tuple[list[list[Any]], int, dict[str, Any]]:
    """The pilot-training file (long: one row per participant × wave) and its true values.

    The draws happen in a fixed order (attendance, names, people, waves, the sheet's forms)
    so that a seed gives the same file.
    """
    dictionary = load_dictionary("formation")
    n = int(TRAINING_MODEL["participants"].value)
    employer, ability, t1, t2 = _attendance(rng, len(companies), n)
    names = _participant_names(rng, n)
    planted.confidential["nom_prenom"].extend(names)
    person = _people(rng, companies, employer, names, dictionary)
    rows = _wave_rows(rng, person, ability, t1, t2, dictionary)
    truth = _training_truth(rows)
    out, header_index = _training_sheet(rng, rows, dictionary)
    return out, header_index, truth


def _attendance(
    rng: np.random.Generator, n_companies: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each participant's employer and ability, and who attended T1 and T2."""
    present = TRAINING_MODEL["present"].value
    employer = np.concatenate(
        [np.arange(n_companies), rng.integers(0, n_companies, n - n_companies)]
    )
    rng.shuffle(employer)
    ability = rng.normal(0, 1, n)
    motivation = ability + rng.normal(0, 1, n)
    # T1: the least motivated drop out more often; T2: most of T1 plus a few who missed T1
    t1 = np.zeros(n, dtype=bool)
    t1[
        rng.choice(
            n,
            size=present["T1"],
            replace=False,
            p=_expit(motivation + 2) / _expit(motivation + 2).sum(),
        )
    ] = True
    in_t1 = np.flatnonzero(t1)
    t2 = np.zeros(n, dtype=bool)
    t2[rng.choice(in_t1, size=present["T2"] - 2, replace=False)] = True
    t2[rng.choice(np.flatnonzero(~t1), size=min(2, int((~t1).sum())), replace=False)] = True
    return employer, ability, t1, t2


def _participant_names(rng: np.random.Generator, n: int) -> list[str]:
    """Distinct fictitious names, one per participant."""
    names = []
    used: set[str] = set()
    for _ in range(n):
        while True:
            name = f"{FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]} {LAST_NAMES[int(rng.integers(len(LAST_NAMES)))].upper()}"
            if name not in used:
                used.add(name)
                break
        names.append(name)
    return names


def _people(
    rng: np.random.Generator,
    companies: list[dict[str, Any]],
    employer: np.ndarray,
    names: list[str],
    dictionary: Dictionary,
) -> list[dict[str, Any]]:
    """What does not change between waves: identity, employer, job, status, age, diploma."""

    def code(var: str, idx: int) -> str:
        return _code(dictionary, var, idx)

    person = []
    for i in range(len(names)):
        company = companies[int(employer[i])]
        person.append(
            {
                "id_participant": f"P{i + 1:03d}",
                "nom_prenom": names[i],
                "id_entreprise": company["id_repondant"],
                "secteur": company["secteur"],
                "taille": company["taille"],
                "famille_metier": code("famille_metier", int(rng.integers(5))),
                "statut": code("statut", int(rng.choice(4, p=[0.10, 0.40, 0.25, 0.25]))),
                "tranche_age": code(
                    "tranche_age", int(rng.choice(5, p=[0.08, 0.27, 0.30, 0.25, 0.10]))
                ),
                "sexe": "nr"
                if rng.random() < 0.03
                else ("femme" if rng.random() < 0.52 else "homme"),
                "diplome": code("diplome", int(rng.choice(5, p=[0.10, 0.20, 0.25, 0.20, 0.25]))),
            }
        )
    return person


def _wave_rows(
    rng: np.random.Generator,
    person: list[dict[str, Any]],
    ability: np.ndarray,
    t1: np.ndarray,
    t2: np.ndarray,
    dictionary: Dictionary,
) -> list[dict[str, Any]]:
    """One row per participant and wave attended: self-assessment, quiz, opinions, and the
    wave's own questions (satisfaction at T1, time saved at T2)."""
    n = len(person)
    gain = TRAINING_MODEL["auto_eval_gain"].value
    quiz = TRAINING_MODEL["quiz_mean"].value
    starts = {"T0": date(2019, 9, 16), "T1": date(2019, 11, 4), "T2": date(2020, 2, 3)}
    rows: list[dict[str, Any]] = []
    for wave, mask in (("T0", np.ones(n, dtype=bool)), ("T1", t1), ("T2", t2)):
        g = gain[wave]
        for i in map(int, np.flatnonzero(mask)):
            a = float(ability[i])
            row: dict[str, Any] = {
                **person[i],
                "vague": wave,
                "date_passation": starts[wave] + timedelta(days=int(rng.integers(0, 12))),
            }
            for item, shift in _SKILL_ITEMS.items():
                value = 2.4 + 0.6 * a + shift + g + rng.normal(0, 0.6)
                row[f"auto_eval__{item}"] = int(np.clip(np.rint(value), 1, 5))
            row["score_quiz"] = int(np.clip(np.rint(quiz[wave] + 2 * a + rng.normal(0, 2)), 0, 20))
            freq = 0.8 * a - 0.3 + {"T0": 0.0, "T1": 0.5, "T2": 0.9}[wave]
            row["freq_usage_ia"] = _code(
                dictionary,
                "freq_usage_ia",
                int(_ordered(rng, np.array([freq]), (-1.5, -0.3, 0.8, 2.0))[0]),
            )
            for name, latent in (
                ("opinion_confiance", 0.2 * a + 0.3 * g - 0.3),
                ("opinion_inquietude", -0.4 * g - 0.2),
                ("opinion_utilite", 0.3 * a + 0.8 * g + 0.4),
            ):
                row[name] = _code(
                    dictionary,
                    name,
                    int(4 - _ordered(rng, np.array([latent]), (-2.2, -0.9, 0.3, 1.6))[0]),
                )
            if wave == "T1":
                row["satisfaction"] = _code(
                    dictionary, "satisfaction", int(rng.choice(4, p=[0.03, 0.07, 0.45, 0.45]))
                )
                row["recommandation"] = int(
                    np.clip(np.rint(8 + 0.5 * a + rng.normal(0, 1.5)), 0, 10)
                )
                row["intention_application"] = _code(
                    dictionary,
                    "intention_application",
                    int(rng.choice(5, p=[0.35, 0.40, 0.15, 0.07, 0.03])),
                )
                row["heures_formation"] = float(rng.choice([21.0, 21.0, 17.5, 14.0, 10.5]))
                row["modalite"] = _code(
                    dictionary, "modalite", int(rng.choice(3, p=[0.5, 0.2, 0.3]))
                )
                row["certification"] = "oui" if rng.random() < 0.4 else "non"
            if wave == "T2":
                earlier = next(
                    (
                        r
                        for r in rows
                        if r["id_participant"] == row["id_participant"] and r["vague"] == "T1"
                    ),
                    None,
                )
                certified = earlier is not None and earlier.get("certification") == "oui"
                row["certification"] = "oui" if certified or rng.random() < 0.15 else "non"
                tg = int(_ordered(rng, np.array([0.5 * a + 0.5]), (-1.5, 0.0, 1.2, 2.8))[0])
                row["temps_gagne_hebdo"] = (
                    "nsp" if rng.random() < 0.06 else _code(dictionary, "temps_gagne_hebdo", tg)
                )
            rows.append(row)

    return rows


def _training_truth(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The true values of the pilot training (it is exhaustive: observed on everyone)."""
    truth: dict[str, Any] = {
        "participants": {w: int(sum(r["vague"] == w for r in rows)) for w in ("T0", "T1", "T2")}
    }
    frame = pd.DataFrame(rows)
    truth["score_quiz_mean"] = {
        w: round(float(v), 4) for w, v in frame.groupby("vague")["score_quiz"].mean().items()
    }
    truth["auto_eval_mean"] = {
        item: {
            w: round(float(v), 4)
            for w, v in frame.groupby("vague")[f"auto_eval__{item}"].mean().items()
        }
        for item in _SKILL_ITEMS
    }
    truth["_definition"] = (
        "valeurs observées sur l'ensemble des participants (la formation pilote est exhaustive)"
    )

    return truth


def _training_sheet(
    rng: np.random.Generator, rows: list[dict[str, Any]], dictionary: Dictionary
) -> tuple[list[list[Any]], int]:
    """The sheet as the training team typed it: title rows, mixed headers, varied forms."""
    style = FileStyle("formation", value_forms=(0.8, 0.1, 0.1), date_forms=(0.4, 0.2, 0.2, 0.2))
    renderer = _Renderer(rng, dictionary, style)
    columns: list[tuple[str, str, str | None]] = []
    for i, var in enumerate(dictionary):
        if var.type == "matrix":
            for item, label in var.items.items():
                columns.append(
                    (
                        f"{var.name}__{item}" if i % 3 else f"{var.label.fr} : {label.fr}",
                        var.name,
                        item,
                    )
                )
        else:
            columns.append((var.name if i % 3 else var.label.fr, var.name, None))
    out: list[list[Any]] = [
        ["Formation pilote IA — passations T0, T1, T2"],
        ["Saisie : équipe formation"],
        [],
    ]
    header_index = len(out)
    out.append([h for h, _, _ in columns])
    wave_forms = {
        "T0": ("T0", "T0 - avant la formation", "t0"),
        "T1": ("T1", "t1 ", "T1 - fin de formation"),
        "T2": ("T2", "T2 - trois mois après", " T2"),
    }
    for k, row in enumerate(rows):
        cells: list[Any] = []
        for _header, name, sub in columns:
            var = dictionary[name]
            value = row.get(f"{name}__{sub}" if sub else name)
            if value is None:
                cells.append(None)
            elif name == "vague":
                forms = wave_forms[str(value)]
                cells.append(forms[int(rng.integers(len(forms)))])
            elif name == "date_passation":
                cells.append(renderer.date(value))
            elif name == "heures_formation":
                cells.append(f"{value:g}".replace(".", ",") if rng.random() < 0.3 else value)
            elif var.type == "matrix":
                cells.append(str(value) if rng.random() < 0.05 else int(value))
            elif var.is_coded:
                cells.append(renderer.code(var, str(value)))
            else:
                cells.append(value)
        out.append(cells)
        if k in (37, 121):
            out.append([])
    return out, header_index


# --------------------------------------------------------------------------------------------
# Study file and README
