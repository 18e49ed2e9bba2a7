"""The training report shows only the questions the pilot asked: a question nobody answered
gets no section, chart, table or sentence, and the annex lists it."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fake_study import make_fake_study
from iaobs.reports.kinds import training, training_figures, training_summary, training_tables
from iaobs.study.dictionary import load_dictionary

DICT = load_dictionary("formation")


def _formation(n: int = 30) -> pd.DataFrame:
    """``n`` participants at T0, T1 and T2 answering every question of the questionnaire."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(n):
        for wave, gain in (("T0", 0), ("T1", 4), ("T2", 3)):
            row = {
                "id_participant": f"P{i:03d}",
                "vague": wave,
                "secteur": "banque" if i % 2 else "industrie",
                "famille_metier": "production" if i % 2 else "administratif",
                "statut": "cadre" if i % 2 else "employe",
                "score_quiz": int(min(20, 6 + gain + rng.integers(0, 4))),
                "freq_usage_ia": ["jamais", "mensuel", "hebdomadaire"][(i + gain) % 3],
                "opinion_confiance": "plutot",
                "opinion_inquietude": "neutre",
                "opinion_utilite": "tout_a_fait",
            }
            for item in DICT["auto_eval"].items:
                row[f"auto_eval__{item}"] = str(min(5, 2 + (gain > 0) + i % 2))
            if wave == "T1":
                row["recommandation"] = 6 + i % 5
                row["satisfaction"] = "tres_satisfait" if i % 3 else "plutot_satisfait"
                row["intention_application"] = "plutot"
            if wave in ("T1", "T2"):
                row["certification"] = "oui" if i % 4 == 0 else "non"
            if wave == "T2":
                row["temps_gagne_hebdo"] = "moins_30min"
            rows.append(row)
    return pd.DataFrame(rows)


def _context(tmp_path: Path, formation: pd.DataFrame) -> training.TrainingContext:
    study = make_fake_study(tmp_path)
    formation.to_parquet(study / "data" / "processed" / "formation.parquet", index=False)
    return training.load_training(study)


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory) -> training.TrainingContext:
    """A pilot that asked neither the knowledge test (no column) nor anything at the end of
    the training (satisfaction, recommendation, intention: empty columns)."""
    formation = _formation().drop(columns=["score_quiz"])
    for column in ("satisfaction", "recommandation", "intention_application"):
        formation[column] = pd.NA
    return _context(tmp_path_factory.mktemp("partial"), formation)


def test_a_question_not_asked_has_no_section_chart_table_or_sentence(partial) -> None:
    ctx = partial
    assert not ctx.is_asked("score_quiz") and not ctx.is_asked("satisfaction")
    assert ctx.is_asked("auto_eval__comprendre_ia") or ctx.is_asked("auto_eval")
    assert str(ctx.heading(2, "satisfaction")) == ""
    assert str(training_figures.chart_quiz(ctx)) == ""
    assert str(training_figures.chart_satisfaction(ctx)) == ""
    for key in ("satisfaction", "intention", "recommandation"):
        assert str(training_tables.show(ctx, key)) == ""
    shown = [k for _, keys in training_tables.training_layout(ctx) for k in keys]
    assert "satisfaction" not in shown and "apparie_t1" in shown
    # the paired tables keep the questions asked only
    assert "score_quiz" not in set(ctx.paired("T0", "T1")["column"])
    assert "auto_eval_moyenne" in set(ctx.paired("T0", "T1")["column"])
    # the profiles compare the confidence only
    profile = training_tables.build_training_table(ctx, "profil_secteur")
    assert not any("test" in str(c) for c in profile.frame.columns)
    # L'essentiel says nothing of the test nor of satisfaction
    sentences = " ".join(f.sentence for f in training_summary.key_figures(ctx))
    assert "test" not in sentences and "satisf" not in sentences
    assert "test" not in str(training.attrition_text(ctx))


def test_tables_keep_consecutive_numbers_in_the_report_and_the_workbook(partial) -> None:
    ctx = partial
    workbook = [t for s in training_tables.training_tables(ctx) for t in s.tables]
    assert [t.number for t in workbook] == list(range(1, len(workbook) + 1))
    assert all(s.tables for s in training_tables.training_tables(ctx))
    for table in workbook:
        shown = str(training_tables.show(ctx, table.key))
        assert re.search(rf"Tableau\s{table.number} ", shown)


def test_the_annex_lists_the_questions_not_asked(partial) -> None:
    annex = html.unescape(str(training.methodology(partial)))
    assert "n'a pas posées" in annex
    for name in ("score_quiz", "satisfaction", "recommandation", "intention_application"):
        assert DICT[name].label.get("fr") in annex
    assert DICT["auto_eval"].label.get("fr") not in annex


def test_a_pilot_that_asked_everything_shows_everything(tmp_path: Path) -> None:
    ctx = _context(tmp_path, _formation())
    assert "n'a pas posées" not in html.unescape(str(training.methodology(ctx)))
    shown = [k for _, keys in training_tables.training_layout(ctx) for k in keys]
    assert shown == [k for _, keys in training_tables.TRAINING_LAYOUT for k in keys]
    assert str(ctx.heading(2, "satisfaction")) != ""


def test_a_hidden_answer_shows_no_count(tmp_path: Path) -> None:
    """A hidden answer's count is its share times the base: the table leaves both out, and
    the release audit's attack on the table (the shares add up to 100 %) recovers nothing."""
    from iaobs.pipeline.table_attack import attack_tables

    formation = _formation()
    answers = ["tres_insatisfait"] * 2 + ["plutot_satisfait"] * 12 + ["tres_satisfait"] * 16
    t1 = formation["vague"] == "T1"
    formation.loc[t1, "satisfaction"] = answers
    ctx = _context(tmp_path, formation)
    built = training_tables.build_training_table(ctx, "satisfaction")
    frame = built.frame.set_index(built.frame.columns[0])
    share, flag, count = frame.columns[:3]
    hidden = frame[flag] == "s"
    assert hidden.sum() == 2
    assert frame.loc[hidden, [share, count]].isna().all().all()
    assert frame.loc[~hidden & frame[share].notna(), count].notna().all()
    cells = pd.DataFrame(
        {
            "file": "formation-pilote/indicators.csv",
            "table": 7,
            "row": frame.index,
            "column": "Part (%)",
            "value": frame[share].to_numpy(),
            "n": frame[count].to_numpy(),
            "flag": frame[flag].to_numpy(),
        }
    )
    attack = attack_tables(cells, min_persons=11)
    assert attack.attacked == 2 and not attack.leaks and not attack.unprotected
    assert round(attack.narrowest_persons) == 14
    # the count printed for a hidden answer would give its share away
    leaked = cells.assign(
        n=[2.0 if f == "s" else c for f, c in zip(cells["flag"], cells["n"], strict=True)]
    )
    assert attack_tables(leaked, min_persons=11).leaks


def test_a_paired_count_left_blank_beside_the_other_is_caught() -> None:
    """n × (after − before) = (no → yes) − (yes → no): one count of persons left blank while
    the other is published comes back; both blank (the row secret) stay protected."""
    from iaobs.pipeline.table_attack import attack_tables

    def row(label: str, change: float, gained: float, lost: float, flag: str) -> list[dict]:
        cells = {"Part avant": 0.36, "Part après": 0.5, "Écart (points)": change,
                 "Non → oui": gained, "Oui → non": lost}  # fmt: skip
        return [
            {"file": "formation-pilote/indicators.csv", "table": 6, "row": label, "column": c,
             "value": v, "n": 70.0 if c == "Écart (points)" else None,
             "flag": flag if c == "Écart (points)" else ""}
            for c, v in cells.items()
        ]  # fmt: skip

    secret = pd.DataFrame(row("T0 → T2", math.nan, math.nan, math.nan, "s"))
    attack = attack_tables(secret, min_persons=11)
    assert attack.attacked == 2 and not attack.unprotected and not attack.leaks
    leaked = pd.DataFrame(row("T0 → T2", 0.14, 20.0, math.nan, ""))
    attack = attack_tables(leaked, min_persons=11)
    assert [u.split(" (")[0] for u in attack.unprotected] == [
        "formation-pilote/indicators.csv : tableau 6, ligne « T0 → T2 », colonne « Oui → non »"
    ]


def test_a_satisfaction_with_one_published_answer_is_said_in_words(tmp_path: Path) -> None:
    """One bar compares nothing: the published answer in a sentence, the others named with
    the persons' rule (not the firms' one)."""
    formation = _formation()
    answers = ["tres_insatisfait"] * 2 + ["plutot_insatisfait"] * 4 + ["plutot_satisfait"] * 6
    formation.loc[formation["vague"] == "T1", "satisfaction"] = answers + ["tres_satisfait"] * 18
    ctx = _context(tmp_path, formation)
    text = html.unescape(str(training_figures.chart_satisfaction(ctx)))
    assert "<img" not in text and "une seule valeur est diffusée" in text
    assert "des participants ont répondu « Très satisfait »" in text
    assert "moins de 11 participants" in text and "entreprise" not in text
    assert "Réponses non diffusées" in text
    assert "Très insatisfait, Plutôt insatisfait, Plutôt satisfait" in text
    # every answer hidden (the three small ones hold 10 persons, so the fourth goes too)
    answers = ["tres_insatisfait"] * 2 + ["plutot_insatisfait"] * 3 + ["plutot_satisfait"] * 5
    formation.loc[formation["vague"] == "T1", "satisfaction"] = answers + ["tres_satisfait"] * 20
    text = html.unescape(str(training_figures.chart_satisfaction(_context(tmp_path, formation))))
    assert "<img" not in text and "aucune valeur n'est diffusée" in text
    assert "moins de 11 participants" in text and "entreprise" not in text


def test_hidden_groups_holding_fewer_than_eleven_together_are_caught() -> None:
    """The total minus the published groups is what the hidden groups hold together: fewer
    than 11 persons is a number on too few, as for a distribution's hidden answers."""
    from iaobs.pipeline.table_attack import attack_tables

    def cells(rest: float) -> pd.DataFrame:
        rows = [("Ensemble", 1, 100.0, "")]
        rows += [("a", 2, 100.0 - rest, ""), ("b", 2, None, "nd"), ("c", 2, None, "nd")]
        return pd.DataFrame(
            [{"file": "formation-pilote/indicators.csv", "table": t, "row": r, "column": "T0",
              "value": v, "flag": f} for r, t, v, f in rows]
        )  # fmt: skip

    assert not attack_tables(cells(12.0), min_persons=11).unprotected
    caught = attack_tables(cells(8.0), min_persons=11).unprotected
    assert len(caught) == 2 and all("réunissent 8 personnes" in u for u in caught)
