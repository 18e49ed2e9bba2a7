"""Pilot-training statistics: paired tests against scipy computed independently, attrition,
NPS, Holm, and person-level secrecy on a small made-up fixture."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from iaobs.reports.kinds import training as tr
from iaobs.study.dictionary import load_dictionary

DICT = load_dictionary("formation")


def _fixture() -> pd.DataFrame:
    """30 participants at T0, 25 at T1 (5 left), 18 at T2; one T1 newcomer never seen at T0."""
    rng = np.random.default_rng(7)
    rows = []
    families = ["production", "administratif", "commercial"]
    for i in range(30):
        pid = f"P{i:03d}"
        base = {
            "id_participant": pid,
            "secteur": "banque" if i < 20 else "industrie",
            "famille_metier": families[i % 3] if i < 27 else "encadrement",
            "statut": "cadre" if i % 2 else "employe",
        }
        quiz0 = int(rng.integers(4, 12))
        conf0 = int(rng.integers(1, 4))
        waves = ["T0"] + (["T1"] if i < 25 else []) + (["T2"] if i < 18 else [])
        for w in waves:
            gain = {"T0": 0, "T1": 4, "T2": 3}[w] + int(rng.integers(-2, 3))
            row = dict(base, vague=w)
            row["score_quiz"] = max(0, min(20, quiz0 + gain))
            for item in DICT["auto_eval"].items:
                row[f"auto_eval__{item}"] = str(max(1, min(5, conf0 + (gain > 2))))
            row["freq_usage_ia"] = ["jamais", "mensuel", "hebdomadaire"][(i + gain) % 3]
            row["opinion_confiance"] = ["pas_du_tout", "plutot", "nsp", "tout_a_fait"][
                (i + gain) % 4
            ]
            row["opinion_inquietude"] = "neutre"
            row["opinion_utilite"] = "plutot"
            if w == "T1":
                row["recommandation"] = i % 11
                row["satisfaction"] = "plutot_satisfait" if i % 3 else "tres_satisfait"
            if w in ("T1", "T2"):
                row["certification"] = (
                    "oui" if (i % 4 == 0 or (w == "T2" and i % 5 == 0)) else "non"
                )
            if w == "T2":
                row["temps_gagne_hebdo"] = "nsp" if i % 6 == 0 else "moins_30min"
            rows.append(row)
    rows.append({"id_participant": "P999", "vague": "T1", "score_quiz": 10, "secteur": "banque"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def formation() -> pd.DataFrame:
    return _fixture()


def test_item_ranks_orient_agreement_upwards() -> None:
    ranks = tr.item_ranks(DICT["opinion_confiance"])
    assert ranks["pas_du_tout"] == 1 and ranks["tout_a_fait"] == 5 and "nsp" not in ranks
    assert tr.item_ranks(DICT["freq_usage_ia"])["quotidien"] == 5


def test_paired_values_keep_only_persons_at_both_waves(formation: pd.DataFrame) -> None:
    pairs = tr.paired_values(formation, "score_quiz", "T0", "T1")
    assert len(pairs) == 25 and "P999" not in pairs.index
    pairs = tr.paired_values(formation, "score_quiz", "T0", "T2")
    assert len(pairs) == 18
    # NSP is not a position on the scale: those pairs are left out
    ops = tr.paired_values(
        formation, "opinion_confiance", "T0", "T1", variable=DICT["opinion_confiance"]
    )
    assert len(ops) < 25 and ops.notna().all().all()


def test_wilcoxon_matches_scipy_and_rank_biserial_by_hand(formation: pd.DataFrame) -> None:
    pairs = tr.paired_values(formation, "score_quiz", "T0", "T1")
    got = tr.wilcoxon_paired(pairs["before"], pairs["after"], resamples=200)
    diff = (pairs["after"] - pairs["before"]).to_numpy()
    ref = stats.wilcoxon(diff, zero_method="wilcox", correction=False, method="approx")
    assert got["method"] == "approx"  # ties among |d|
    assert got["p_value"] == pytest.approx(ref.pvalue, rel=1e-12)
    assert got["statistic"] == pytest.approx(ref.statistic)
    nz = diff[diff != 0]
    ranks = stats.rankdata(np.abs(nz))
    r_plus, r_minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
    assert got["rank_biserial"] == pytest.approx((r_plus - r_minus) / (r_plus + r_minus))
    assert got["rb_low"] <= got["rank_biserial"] <= got["rb_high"]
    t = stats.ttest_rel(pairs["after"], pairs["before"])
    low, high = t.confidence_interval(0.95)
    assert (got["diff_low"], got["diff_high"]) == pytest.approx((low, high))
    assert got["n"] == 25 and got["n_nonzero"] == len(nz)


def test_holm_against_hand_computation() -> None:
    assert tr.holm([0.01, 0.04, 0.03, math.nan]) == pytest.approx(
        [0.03, 0.06, 0.06, math.nan], nan_ok=True
    )


def test_attrition_counts_and_small_groups(formation: pd.DataFrame) -> None:
    overall = tr.attrition(formation).iloc[0]
    assert (overall["t0"], overall["t0_t1"], overall["t0_t2"]) == (30, 25, 18)
    assert (overall["left_t1"], overall["left_t2"]) == (5, 12)
    assert overall["t1"] == 26  # the T1 newcomer is counted at T1 but cannot be paired
    assert overall["retention_t2"] == pytest.approx(18 / 30)
    by = tr.attrition(formation, by="famille_metier").set_index("group")
    assert (by["flag"] == "nd").all()  # 9, 9, 9 and 3 persons: every group below 11
    by = tr.attrition(formation, by="famille_metier", min_persons=9).set_index("group")
    # encadrement has 3 persons: hidden; the smallest other groups are hidden too, until the
    # hidden groups together hold at least 9 persons in every count (the total minus the
    # published groups gives that number): 3 + 9 at T0, but fewer than 9 of them at T2
    assert by.loc["encadrement", "flag"] == "nd" and math.isnan(by.loc["encadrement", "t0"])
    assert (by["flag"] == "nd").sum() == 3
    total = tr.attrition(formation).iloc[0]
    shown = by[by["flag"] == ""]
    for column in ("t0", "t0_t1", "t0_t2", "t0_t1_t2"):
        assert total[column] - shown[column].sum() >= 9, column


def test_paired_table_holm_and_threshold(formation: pd.DataFrame) -> None:
    table = tr.paired_table(formation, DICT, "T0", "T1", resamples=50).set_index("column")
    assert table.loc["score_quiz", "n"] == 25
    family = table.drop(index="auto_eval_moyenne")
    expected = tr.holm(family["p_value"].tolist())
    assert family["p_holm"].tolist() == pytest.approx(expected, nan_ok=True)
    strict = tr.paired_table(formation, DICT, "T0", "T2", min_persons=19, resamples=0)
    assert (strict["flag"] == "nd").all() and strict["mean_diff"].isna().all()


def test_breakdown_hides_groups_below_eleven(formation: pd.DataFrame) -> None:
    out = tr.breakdown(formation, DICT, "secteur", "T0", "T1", min_persons=11)
    quiz = out[out["column"] == "score_quiz"].set_index("group")
    # industrie: 10 persons at T0, 5 paired at T1 -> hidden; banque is then the only other
    # group and is hidden too (it would give industrie by difference with the total)
    assert (quiz["flag"] == "nd").all() and quiz["mean_diff"].isna().all()
    out = tr.breakdown(formation, DICT, "statut", "T0", "T1", min_persons=11)
    quiz = out[out["column"] == "score_quiz"].set_index("group")
    assert (quiz["flag"] == "").all() and quiz["n"].sum() == 25


def test_mcnemar_table_certification_only_t1_t2(formation: pd.DataFrame) -> None:
    table = tr.mcnemar_table(formation, DICT, min_persons=11)
    cert = table[table["column"] == "certification_oui"].iloc[0]
    assert (cert["before"], cert["after"]) == ("T1", "T2") and cert["n"] == 18
    assert cert["method"] == "exact"


def test_mcnemar_row_with_few_changes_one_way_keeps_them_secret(formation: pd.DataFrame) -> None:
    """3 participants gained the certification, none lost it: the change (× n), the p-value
    (it gives gained + lost) and both counts would each give the 3 away, so all are secret;
    the shares before and after stay (they give only gained − lost)."""
    table = tr.mcnemar_table(formation, DICT, min_persons=11).set_index("column")
    cert = table.loc["certification_oui"]
    assert cert["flag"] == "s"
    for key in ("gained", "lost", "diff", "diff_low", "diff_high", "p_value", "p_holm"):
        assert math.isnan(cert[key]), key
    assert cert["yes_after"] > cert["yes_before"] and cert["n"] == 18
    # the Holm family is the published tests
    published = table[table["flag"] == ""]
    assert np.allclose(published["p_holm"], tr.holm(published["p_value"].tolist()))
    shown = tr.mcnemar_table(formation, DICT, min_persons=2).set_index("column")
    assert shown.loc["certification_oui", "gained"] == 3
    assert shown.loc["certification_oui", "flag"] == ""


def test_distribution_hides_cells_under_eleven_persons_with_complementary_suppression() -> None:
    answers = ["tres_insatisfait"] * 1 + ["plutot_insatisfait"] * 14 + ["plutot_satisfait"] * 30
    answers += ["tres_satisfait"] * 40
    formation = pd.DataFrame({"vague": "T1", "satisfaction": answers})
    table = tr.distribution(formation, load_dictionary("formation"), "satisfaction", "T1")
    flags = dict(zip(table["code"], table["flag"], strict=True))
    # 1 person: secret; alone it would come out of the base, so the next smallest goes too
    assert flags == {
        "tres_insatisfait": "s",
        "plutot_insatisfait": "s",
        "plutot_satisfait": "",
        "tres_satisfait": "",
    }
    assert table.loc[table["flag"] == "s", "share"].isna().all()
    assert table["base"].iloc[0] == 85
