"""Secrecy (s), precision (nd, prudence) and secondary suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iaobs.stats.disclosure import apply_disclosure
from iaobs.study.config import Thresholds


def _row(indicator, level, domain, est, n, count, kind="level", statistic="proportion", **kw):
    se = kw.pop("se", 0.02)
    return {
        "indicator": indicator,
        "level": level,
        "domain": domain,
        "statistic": statistic,
        "estimate": est,
        "se": se,
        "ci_low": max(est - 0.05, 0),
        "ci_high": min(est + 0.05, 1),
        "n": n,
        "n_eff": float(n),
        "weighted_base": kw.pop("weighted_base", float(n)),  # the respondents are the firms
        "_count": count,
        "_dominance": kw.pop("dominance", 0.0),
        "_kind": kind,
        "_parts": kw.pop("parts", ""),
        "_partition": kw.pop("partition", "all" if domain == "all" else domain.split("=")[0]),
    }


def _flags(table: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    return {(r.indicator, r.level, r.domain): r.flag for r in table.itertuples()}


def test_primary_rules_and_blanking() -> None:
    t = pd.DataFrame(
        [
            _row("a", "", "all", 0.5, 2, 1, kind="flag"),  # base < 3 firms
            _row("b", "", "all", 0.5, 8, 4, kind="flag"),  # n < 10
            _row("c", "", "all", 0.5, 20, 10, kind="flag"),  # n < 30
            _row("d", "", "all", 0.5, 200, 100, kind="flag", se=0.25),  # CV 50 %
            _row("e", "", "all", 0.5, 200, 100, kind="flag"),  # published
            _row("f", "", "all", 0.01, 200, 2, kind="flag"),  # 2 firms said yes
            _row("g", "", "all", 0.995, 200, 199, kind="flag"),  # 1 firm said no
            _row("h", "", "all", 12.0, 200, 150, kind="mean", statistic="mean", dominance=0.9),
            _row("i", "", "all", 12.0, 200, 2, kind="mean", statistic="mean"),  # 2 non-zero values
        ]
    )
    out = apply_disclosure(t, Thresholds())
    assert list(out.flag) == ["s", "nd", "prudence", "prudence", "", "s", "s", "s", "s"]
    hidden = out.flag.isin(["s", "nd"])
    assert out.loc[hidden, ["estimate", "se", "ci_low", "ci_high"]].isna().all().all()
    assert out.loc[~hidden, "estimate"].notna().all()
    assert list(out.n) == [2, 8, 20, 200, 200, 200, 200, 200, 200]
    assert not any(c.startswith("_") for c in out.columns)


def test_answer_rule_applies_where_the_firms_are_known() -> None:
    """1 or 2 firms giving an answer is secret where the respondents are most of the firms
    they represent (they are known); in a sampled domain (1 respondent for 10 firms) nobody
    knows who answered, and the count of respondents is no secret."""
    sampled = [
        _row("f", "", "all", 0.01, 200, 2, kind="flag", weighted_base=2000.0),
        _row("g", "", "all", 0.995, 200, 199, kind="flag", weighted_base=2000.0),
    ]
    out = apply_disclosure(pd.DataFrame(sampled), Thresholds())
    assert "s" not in set(out.flag)
    assert out.estimate.notna().all()
    half = [_row("h", "", "all", 0.01, 200, 2, kind="flag", weighted_base=400.0)]
    assert list(apply_disclosure(pd.DataFrame(half), Thresholds()).flag) == ["s"]
    strict = Thresholds(secret_answer_coverage=0.05)  # a study may apply it more widely
    assert list(apply_disclosure(pd.DataFrame(sampled), strict).flag) == ["s", "s"]


def test_answer_rule_follows_the_firms_giving_the_answer() -> None:
    """In a sampled domain, an answer given by 2 large firms, each standing for itself
    (weight 1), is secret: those firms are known even though the domain's others are not."""
    rows = [_row("f", "", "all", 2 / 2000, 200, 2, kind="flag", weighted_base=2000.0)]
    assert list(apply_disclosure(pd.DataFrame(rows), Thresholds()).flag) == ["s"]


def test_population_shares_are_published_and_never_hidden() -> None:
    """The share of a size class within a sector is a ratio of the population counts the
    weights are calibrated on: every reader knows it, whatever its base."""
    rows = []
    for dom, n, shares in (
        ("all", 300, {"p": 0.9, "g": 0.1}),
        ("secteur=a", 150, {"p": 148 / 150, "g": 2 / 150}),  # 2 large firms
        ("secteur=b", 150, {"p": 0.82, "g": 0.18}),
    ):
        for level, share in shares.items():
            rows.append(_row("taille", level, dom, share, n, round(share * n), weighted_base=n))
    for dom in ("secteur=a;taille=p", "secteur=a;taille=g"):
        for level in "pg":
            share = float(dom.endswith(level))
            part = "secteur×taille"
            rows.append(_row("taille", level, dom, share, 2, 2 * share, partition=part))
    rows += [_row("taille", z, f"taille={z}", 1.0, 100, 100) for z in "pg"]
    flags = apply_disclosure(pd.DataFrame(rows), Thresholds(prudence_below=0)).flag
    assert set(flags) == {""}


def test_wide_interval_is_prudence() -> None:
    t = pd.DataFrame([_row("a", "", "all", 0.5, 100, 50, kind="flag", se=0.01)])
    t.loc[0, ["ci_low", "ci_high"]] = [0.30, 0.65]
    assert apply_disclosure(t, Thresholds()).flag.iloc[0] == "prudence"


def test_thresholds_come_from_configuration() -> None:
    t = pd.DataFrame([_row("a", "", "all", 0.5, 8, 4, kind="flag")])
    assert apply_disclosure(t, Thresholds(nd_below=5, prudence_below=5)).flag.iloc[0] == ""


def test_person_tables_need_eleven_persons() -> None:
    t = pd.DataFrame(
        [
            _row("a", "x", "all", 0.1, 10, 1),
            _row("a", "y", "all", 0.9, 10, 9),
            _row("b", "x", "all", 0.05, 40, 2),
            _row("b", "y", "all", 0.95, 40, 38),
        ]
    )
    out = apply_disclosure(t, Thresholds(nd_below=0, prudence_below=0), unit="persons")
    assert list(out.flag) == ["s", "s", "prudence", ""]  # CV of 5 % ± 2 points: 40 %


def test_secondary_suppression_in_a_distribution() -> None:
    t = pd.DataFrame(
        [
            _row("q", "a", "all", 0.02, 100, 2),  # primary secret
            _row("q", "b", "all", 0.18, 100, 18),  # next smallest: secondary
            _row("q", "c", "all", 0.80, 100, 80),
            _row("q", "nsp", "all", 0.1, 111, 11, kind="missing"),
        ]
    )
    out = apply_disclosure(t, Thresholds(prudence_below=0))
    assert list(out.flag) == ["s", "s", "", ""]


def test_secondary_suppression_of_top_two_box() -> None:
    t = pd.DataFrame(
        [
            _row("q", "a", "all", 0.02, 100, 2),
            _row("q", "b", "all", 0.38, 100, 38),
            _row("q", "c", "all", 0.30, 100, 30),
            _row("q", "d", "all", 0.30, 100, 30),
            _row("q", "top2", "all", 0.40, 100, 40, kind="top2", parts="q:a|b"),
        ]
    )
    out = _flags(apply_disclosure(t, Thresholds(prudence_below=0)))
    # a is secret; from top2 − b it could be recovered, so b (or top2's other part) goes too
    assert out[("q", "a", "all")] == "s" and out[("q", "b", "all")] == "s"


def test_secondary_suppression_across_domains() -> None:
    rows = [_row("x", "", "all", 0.3, 300, 90, kind="flag")]
    rows += [
        _row("x", "", "secteur=banque", 0.01, 150, 2, kind="flag"),  # secret
        _row("x", "", "secteur=assurance", 0.4, 100, 40, kind="flag"),
        _row("x", "", "secteur=industrie", 0.5, 50, 25, kind="flag"),  # smallest n: secondary
    ]
    out = _flags(apply_disclosure(pd.DataFrame(rows), Thresholds(prudence_below=0)))
    assert out[("x", "", "secteur=banque")] == "s"
    assert out[("x", "", "secteur=industrie")] == "s"
    assert out[("x", "", "secteur=assurance")] == ""
    assert out[("x", "", "all")] == ""


def test_crossed_domains_are_protected_in_both_directions() -> None:
    rows = [  # margins covered exactly by the crossed cells (100 + 100 firms)
        _row("x", "", d, share, 200, 200 * share, kind="flag")
        for d, share in (("secteur=a", 0.16), ("secteur=b", 0.3), ("taille=p", 0.16))
    ]
    rows.append(_row("x", "", "taille=g", 0.3, 200, 60, kind="flag"))
    for s in "ab":
        for z in "pg":
            count = 2 if (s, z) == ("a", "p") else 30  # 2 firms of 100 (all respondents)
            rows.append(
                _row(
                    "x",
                    "",
                    f"secteur={s};taille={z}",
                    count / 100,
                    100,
                    count,
                    kind="flag",
                    partition="secteur×taille",
                )
            )
    out = _flags(apply_disclosure(pd.DataFrame(rows), Thresholds(prudence_below=0)))
    crossed = {k[2]: v for k, v in out.items() if ";" in k[2]}
    assert crossed["secteur=a;taille=p"] == "s"
    assert crossed["secteur=a;taille=g"] == "s"  # recoverable from secteur=a
    assert crossed["secteur=b;taille=p"] == "s"  # recoverable from taille=p
    assert crossed["secteur=b;taille=g"] == "s"  # then from secteur=b / taille=g


def test_plain_contract_table_is_accepted() -> None:
    t = pd.DataFrame([_row("a", "", "all", 0.5, 100, 50, kind="flag")]).drop(
        columns=["_count", "_dominance", "_kind", "_parts", "_partition"]
    )
    t["flag"] = ""
    out = apply_disclosure(t)
    assert out.flag.iloc[0] == "" and np.isfinite(out.estimate.iloc[0])


def test_a_cell_public_knowledge_bounds_is_protected_up_to_those_bounds() -> None:
    """One large firm in each département: its share there cannot be uncertain by ±10 points
    when every reader knows that the region has 2 large firms in all (0.5 point of a
    département); the protection goes up to what is known, and the run does not stop."""
    rows = [
        _row("taille", "p", "all", 0.99, 200, 198),
        _row("taille", "g", "all", 0.01, 200, 2),
        _row("taille", "p", "taille=p", 1.0, 198, 198),
        _row("taille", "g", "taille=p", 0.0, 198, 0),
        _row("taille", "p", "taille=g", 0.0, 2, 0),
        _row("taille", "g", "taille=g", 1.0, 2, 2),
    ]
    for dep in "ab":
        rows.append(_row("taille", "p", f"departement={dep}", 0.99, 100, 99))
        rows.append(_row("taille", "g", f"departement={dep}", 0.01, 100, 1))
    out = _flags(apply_disclosure(pd.DataFrame(rows), Thresholds(prudence_below=0)))
    assert out[("taille", "g", "departement=a")] == "s"
    assert out[("taille", "g", "all")] == ""  # known to every reader
