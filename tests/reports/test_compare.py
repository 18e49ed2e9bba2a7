"""Comparison statistics: differences of independent estimates, Holm, shared definitions."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fake_study import make_fake_study
from iaobs.cli import main
from iaobs.errors import ConfigError, InputError
from iaobs.render.comparison import render_comparison
from iaobs.reports.kinds import comparison as compare_report
from iaobs.stats.evolution import EVOLUTION_COLUMNS, evolution_table
from iaobs.stats.tests import difference_test, holm_adjust


def test_difference_test_matches_the_formula() -> None:
    r = difference_test(0.30, 0.02, 0.40, 0.03)
    se = math.sqrt(0.02**2 + 0.03**2)
    assert float(r["difference"]) == pytest.approx(0.10)
    assert float(r["se"]) == pytest.approx(se)
    assert float(r["ci_low"]) == pytest.approx(0.10 - 1.959964 * se, abs=1e-6)
    assert float(r["p_value"]) == pytest.approx(2 * stats.norm.sf(0.10 / se))


def test_difference_test_nan_and_zero_variance() -> None:
    r = difference_test([0.2, np.nan, 0.5, 0.5], [0.0, 0.1, 0.0, 0.0],
                                [0.2, 0.3, 0.5, 0.6], [0.0, 0.1, 0.0, 0.0])  # fmt: skip
    assert np.isnan(r["p_value"][1])
    assert r["p_value"][2] == pytest.approx(1.0)  # no difference, no variance
    assert r["p_value"][3] == pytest.approx(0.0)  # a difference with no variance


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        ([0.01, 0.04, 0.03], [0.03, 0.06, 0.06]),
        ([0.5, np.nan, 0.01], [0.5, np.nan, 0.02]),
        ([0.2, 0.9], [0.4, 0.9]),
        ([], []),
    ],
)
def test_holm_table(p: list[float], expected: list[float]) -> None:
    out = holm_adjust(p)
    assert np.allclose(out, expected, equal_nan=True)


def test_holm_is_monotone_and_at_least_raw() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(size=40)
    adjusted = holm_adjust(p)
    order = np.argsort(p)
    assert np.all(np.diff(adjusted[order]) >= -1e-12)
    assert np.all(adjusted >= p - 1e-12) and np.all(adjusted <= 1)


def _indicators(rows: list[tuple]) -> pd.DataFrame:
    columns = ["indicator", "level", "domain", "statistic", "estimate", "se", "ci_low",
               "ci_high", "n", "n_eff", "weighted_base", "flag"]  # fmt: skip
    return pd.DataFrame(
        [(*r[:6], r[4] - 0.05, r[4] + 0.05, r[6], r[6], 100.0, r[7]) for r in rows],
        columns=columns,
    )


def test_evolution_table_tests_each_wave_against_the_previous() -> None:
    w1 = _indicators([
        ("ia_usage", "", "all", "proportion", 0.20, 0.01, 500, ""),
        ("ia_usage", "", "secteur=banque", "proportion", 0.30, 0.05, 40, ""),
        ("charte_ia", "oui", "all", "proportion", 0.10, 0.01, 500, ""),
    ])  # fmt: skip
    w2 = _indicators([
        ("ia_usage", "", "all", "proportion", 0.30, 0.01, 520, ""),
        ("ia_usage", "", "secteur=banque", "proportion", 0.32, 0.05, 8, "nd"),
        ("charte_ia", "oui", "all", "proportion", 0.11, 0.01, 520, ""),
        ("techno__robots_autonomes", "", "all", "proportion", 0.05, 0.01, 520, ""),
    ])  # fmt: skip
    table = evolution_table({"2019": w1, "2020": w2})
    assert list(table.columns) == list(EVOLUTION_COLUMNS)
    # only indicators present in both waves
    assert "techno__robots_autonomes" not in set(table["indicator"])
    usage = table[(table["indicator"] == "ia_usage") & (table["domain"] == "all")]
    assert list(usage["wave"]) == ["2019", "2020"]
    first, second = usage.iloc[0], usage.iloc[1]
    assert pd.isna(first["difference"]) and first["previous_wave"] is None
    assert second["previous_wave"] == "2019"
    assert second["difference"] == pytest.approx(0.10)
    assert second["se_difference"] == pytest.approx(math.sqrt(2) * 0.01)
    assert bool(second["significant"]) is True
    charte = table[(table["indicator"] == "charte_ia")].iloc[1]
    assert bool(charte["significant"]) is False
    # a hidden cell at either wave: no estimate shown, no comparison
    bank = table[table["domain"] == "secteur=banque"].iloc[1]
    assert pd.isna(bank["estimate"]) and pd.isna(bank["difference"])
    assert pd.isna(bank["significant"])


def test_evolution_three_waves_compare_consecutive_waves() -> None:
    waves = {
        str(y): _indicators([("ia_usage", "", "all", "proportion", p, 0.01, 500, "")])
        for y, p in ((2019, 0.2), (2020, 0.25), (2021, 0.26))
    }
    table = evolution_table(waves)
    assert list(table["previous_wave"].fillna("")) == ["", "2019", "2020"]
    assert table["difference"].iloc[2] == pytest.approx(0.01)


# --------------------------------------------------------------------------------------------
# Studies


def _two_studies(tmp_path: Path) -> tuple[Path, Path]:
    first = make_fake_study(tmp_path / "a", region="Hauts-de-France")
    second_root = make_fake_study(tmp_path / "b", region="Occitanie")
    return first, second_root


def test_compare_studies_keeps_shared_definitions(tmp_path: Path) -> None:
    a, b = _two_studies(tmp_path)
    # Occitanie defines « logiciel » with other NAF codes and has one more indicator
    toml = b / "study.toml"
    from iaobs.study.dictionary import load_dictionary

    block = ""
    for code, sector in load_dictionary().sectors.items():
        naf = ["62.01Z"] if code == "logiciel" else list(sector.naf)
        block += f'\n[sectors.{code}]\nlabel = "{sector.label.fr}"\nnaf = {naf!r}\n'.replace(
            "'", '"'
        )
    toml.write_text(toml.read_text("utf-8") + block, "utf-8")
    table = pd.read_parquet(b / "data/processed/indicators.parquet")
    extra = table[table["indicator"] == "ia_usage"].assign(indicator="question_locale")
    pd.concat([table, extra]).to_parquet(b / "data/processed/indicators.parquet")

    loaded = compare_report.load_studies([a, b])
    assert list(loaded) == ["Hauts-de-France", "Occitanie"]
    result = compare_report.compare_loaded(loaded)
    assert "logiciel" not in result.sectors and "banque" in result.sectors
    domains = set(result.estimates["domain"])
    assert not any("logiciel" in d for d in domains)
    assert "secteur=banque" in domains
    excluded = result.excluded.set_index("name")
    assert "question_locale" in excluded.index
    assert excluded.loc["question_locale", "reason"].startswith("absent de l'étude")
    assert any("NAF" in r for r in result.excluded["reason"])
    # one test per shared row, Holm within each family, flags coherent
    tests = result.tests
    assert set(tests["family"]) <= {"key", "other"}
    assert len(tests) == len(result.estimates) // 2
    assert (tests["p_holm"].dropna() >= tests.loc[tests["p_holm"].notna(), "p_value"]).all()
    key = tests[tests["family"] == "key"]
    assert np.allclose(key["p_holm"], holm_adjust(key["p_value"].to_numpy()), equal_nan=True)


def test_compare_excludes_indicators_whose_levels_differ(tmp_path: Path) -> None:
    a, b = _two_studies(tmp_path)
    path = b / "data/processed/indicators.parquet"
    table = pd.read_parquet(path)
    stage = table["indicator"] == "ia_stade"
    table.loc[stage & (table["level"] == "aucun"), "level"] = "autre_code"
    table.to_parquet(path)
    result = compare_report.compare_loaded(compare_report.load_studies([a, b]))
    assert "ia_stade" not in set(result.estimates["indicator"])
    assert "ia_stade" in set(result.excluded["name"])


def test_hidden_cells_are_not_tested(tmp_path: Path) -> None:
    a, b = _two_studies(tmp_path)
    result = compare_report.compare_loaded(compare_report.load_studies([a, b]))
    est = result.estimates
    hidden = est[est["flag"].isin(["s", "nd"])]
    assert len(hidden) and hidden["estimate"].isna().all()
    tests = result.tests.merge(
        hidden[["indicator", "level", "domain"]].drop_duplicates(),
        on=["indicator", "level", "domain"],
    )
    assert tests["difference"].isna().all() and tests["significant"].isna().all()


def test_errors_name_the_study_and_what_to_run(tmp_path: Path) -> None:
    a, b = _two_studies(tmp_path)
    with pytest.raises(ConfigError, match="au moins deux"):
        compare_report.load_studies([a])
    with pytest.raises(ConfigError, match="deux fois"):
        compare_report.load_studies([a, a])
    (b / "data/processed/indicators.parquet").unlink()
    with pytest.raises(InputError, match="Occitanie") as info:
        compare_report.load_studies([a, b])
    assert "iaobs run" in str(info.value)


def test_cli_compare_unestimated_study_exits_1(tmp_path: Path, capsys) -> None:
    a, b = _two_studies(tmp_path)
    (b / "data/processed/indicators.parquet").unlink()
    code = main(["compare", str(a), str(b), "--output", str(tmp_path / "out")])
    assert code == 1
    err = capsys.readouterr().err
    assert "Occitanie" in err and "iaobs run" in err


def test_same_region_twice_is_told_apart_by_wave(tmp_path: Path) -> None:
    a = make_fake_study(tmp_path / "a")
    b = make_fake_study(tmp_path / "b")
    toml = b / "study.toml"
    toml.write_text(toml.read_text("utf-8").replace('wave = "2019"', 'wave = "2020"'), "utf-8")
    keys = list(compare_report.load_studies([a, b]))
    assert keys == ["Hauts-de-France 2019", "Hauts-de-France 2020"]


@pytest.mark.slow
def test_comparison_report_in_every_format(tmp_path: Path) -> None:
    a, b = _two_studies(tmp_path)
    out = tmp_path / "comparaison"
    outputs = render_comparison([a, b], out, language="en")
    for name in ("report.html", "report.pdf", "tables.xlsx", "indicators.csv",
                 "differences.csv", "codebook.csv"):  # fmt: skip
        assert (out / name).is_file(), name
    assert outputs["html"] == out / "report.html"
    page = (out / "report.html").read_text("utf-8")
    assert 'lang="en"' in page and "Holm" in page
    assert "Occitanie" in page and "Hauts-de-France" in page
    csv = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig")
    assert csv.columns[0] == "study" and set(csv["study"]) == {"Hauts-de-France", "Occitanie"}
    assert not (out / ".staging").exists()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
        assert "Key indicators of each study" in text
        title = "Observatoire régional de l'intelligence artificielle et des compétences"
        text = text.replace(title, "").replace(title.upper(), "")
        for french in (" des ", "Lecture", "Champ :", "entreprises"):
            assert french not in text, french
