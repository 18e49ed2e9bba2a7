"""Studies with several waves: configuration, evolution table, evolution section of reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fake_study import make_fake_study
from iaobs.cli import main
from iaobs.errors import ConfigError
from iaobs.pipeline.waves import compute_evolution
from iaobs.reports import context as report
from iaobs.reports import evolution, figures, tables
from iaobs.study.config import load_study

BASE = """\
[study]
title = "Observatoire"
region = "Occitanie"
wave = "2020"
{waves}
"""


def _study(tmp_path: Path, waves: str, sources: str = "", files: tuple[str, ...] = ()) -> Path:
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", "utf-8")
    (tmp_path / "study.toml").write_text(BASE.format(waves=waves) + sources, "utf-8")
    return tmp_path


def test_single_wave_study_is_unchanged(tmp_path: Path) -> None:
    study = load_study(_study(tmp_path, "", '[[sources]]\npath = "a.csv"\n', ("a.csv",)))
    assert study.all_waves == ("2020",)
    assert [s.wave for s in study.sources] == [None]
    assert study.processed_dir == tmp_path.resolve() / "data" / "processed"
    assert study.for_wave("2020") is study


def test_sources_are_split_by_wave(tmp_path: Path) -> None:
    sources = (
        '[[sources]]\npath = "data/raw/2019/a.csv"\nwave = "2019"\n'
        '[[sources]]\npath = "data/raw/2020/a.csv"\n'
    )
    root = _study(tmp_path, 'waves = ["2019", "2020"]', sources,
                  ("data/raw/2019/a.csv", "data/raw/2020/a.csv"))  # fmt: skip
    study = load_study(root)
    assert study.all_waves == ("2019", "2020")
    assert [s.path.parent.name for s in study.sources] == ["2020"]
    before = study.for_wave("2019")
    assert before.wave == "2019"
    assert [s.path.parent.name for s in before.sources] == ["2019"]
    assert before.processed_dir == root.resolve() / "data" / "processed" / "waves" / "2019"
    assert before.reports_dir == root.resolve() / "reports" / "2019"
    assert [s.wave for s in study.sources] == ["2020"]
    assert before.for_wave("2020").sources == study.sources
    with pytest.raises(ConfigError, match="vague inconnue"):
        study.for_wave("2018")


def test_discovered_files_take_the_wave_of_their_folder(tmp_path: Path) -> None:
    root = _study(tmp_path, 'waves = ["2019", "2020"]', "",
                  ("data/raw/2019/a.csv", "data/raw/2020/b.csv", "data/raw/c.csv"))  # fmt: skip
    study = load_study(root)
    assert sorted(s.path.name for s in study.sources) == ["b.csv", "c.csv"]
    assert [s.path.name for s in study.for_wave("2019").sources] == ["a.csv"]


@pytest.mark.parametrize(
    ("waves", "sources", "message"),
    [
        ('waves = ["2018", "2019"]', "", "absente de \\[study\\] waves"),
        ('waves = ["2019", "2019", "2020"]', "", "deux fois"),
        ('waves = "2019"', "", "liste de vagues"),
        ('waves = ["20/19", "2020"]', "", "nom de vague invalide"),
        ("", '[[sources]]\npath = "a.csv"\nwave = "2019"\n', "vague « 2019 » inconnue"),
    ],
)
def test_wave_errors(tmp_path: Path, waves: str, sources: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_study(_study(tmp_path, waves, sources, ("a.csv",)))


# --------------------------------------------------------------------------------------------
# Evolution on a fake two-wave study


def _two_wave_study(tmp_path: Path) -> Path:
    root = make_fake_study(tmp_path)
    toml = root / "study.toml"
    toml.write_text(
        toml.read_text("utf-8").replace('wave = "2019"', 'wave = "2020"\nwaves = ["2019", "2020"]'),
        "utf-8",
    )
    processed = root / "data" / "processed"
    before = pd.read_parquet(processed / "indicators.parquet")
    shifted = before.copy()
    proportion = shifted["statistic"] == "proportion"
    shifted.loc[proportion, ["estimate", "ci_low", "ci_high"]] = (
        shifted.loc[proportion, ["estimate", "ci_low", "ci_high"]] * 0.6
    )
    hidden = (shifted["indicator"] == "ia_usage") & (shifted["domain"] == "secteur=banque")
    shifted.loc[hidden, "flag"] = "nd"
    (processed / "waves" / "2019").mkdir(parents=True)
    shifted.to_parquet(processed / "waves" / "2019" / "indicators.parquet")
    return root


def test_compute_evolution_and_report_section(tmp_path: Path) -> None:
    root = _two_wave_study(tmp_path)
    study = load_study(root)
    path = compute_evolution(study)
    assert path == study.store.processed.evolution
    table = pd.read_parquet(path)
    assert set(table["wave"]) == {"2019", "2020"}
    assert not any(";" in d or d.startswith("departement") for d in table["domain"])
    assert table["significant"].astype("boolean").fillna(False).any()

    ctx = report.load_context(root, sector="banque")
    assert evolution.has_evolution(ctx)
    rows = evolution.evolution_rows(ctx)
    assert list(rows["wave"].unique()) == ["2019", "2020"]
    summary = str(evolution.evolution_summary(ctx))
    assert "2019, 2020" in summary and "indépendants" in summary
    html = str(figures.chart_evolution(ctx))
    assert "<figure" in html and "enquêtes 2019, 2020" in html
    shown = str(tables.show(ctx, "evolution"))
    assert "Évolution 2019–2020" in shown and "Significative" in shown
    # the section sits before the annex, whose tables are numbered after it
    sections = tables.report_tables(ctx)
    titles = [s.title for s in sections]
    at = titles.index(report.SECTIONS["evolution"][0])
    assert titles[at + 1] == report.SECTIONS["annexe"][0]
    numbers = [t.number for s in sections for t in s.tables]
    assert numbers == list(range(1, len(numbers) + 1))


def test_single_wave_report_has_no_evolution(tmp_path: Path) -> None:
    root = make_fake_study(tmp_path)
    ctx = report.load_context(root)
    assert not evolution.has_evolution(ctx)
    assert str(figures.chart_evolution(ctx)) == ""
    assert str(evolution.evolution_summary(ctx)) == ""
    assert "evolution" not in [k for s in tables.layout(ctx, "synthese") for k in s[1]]
    assert compute_evolution(load_study(root)) is None


def test_english_evolution(tmp_path: Path) -> None:
    root = _two_wave_study(tmp_path)
    toml = root / "study.toml"
    toml.write_text(toml.read_text("utf-8").replace('language = "fr"', 'language = "en"'), "utf-8")
    compute_evolution(load_study(root))
    ctx = report.load_context(root)
    text = str(evolution.evolution_summary(ctx)) + str(tables.show(ctx, "evolution"))
    text = text.replace(report.esc(ctx.study.title), "")  # a proper noun
    assert "Change 2019–2020" in text and "independent samples" in text
    for french in (" des ", "entreprises", "Lecture", "Champ"):
        assert french not in text


def test_a_wave_without_data_is_a_clear_error(tmp_path: Path) -> None:
    root = _two_wave_study(tmp_path)
    shutil.rmtree(root / "data" / "processed" / "waves")
    with pytest.raises(ConfigError, match="vague « 2019 »"):
        compute_evolution(load_study(root))
    assert main(["estimate", str(root)]) == 1


def test_hidden_cells_never_reach_the_evolution(tmp_path: Path) -> None:
    root = _two_wave_study(tmp_path)
    table = pd.read_parquet(compute_evolution(load_study(root)))
    hidden = table["flag"].isin(["s", "nd"])
    assert hidden.any()
    assert table.loc[hidden, ["estimate", "se", "ci_low", "ci_high"]].isna().all().all()
    keys = ["indicator", "level", "domain", "statistic"]
    wide = table[table["wave"] == "2020"].merge(
        table[table["wave"] == "2019"], on=keys, suffixes=("", "_before")
    )
    either = wide["flag"].isin(["s", "nd"]) | wide["flag_before"].isin(["s", "nd"])
    assert either.any()
    assert wide.loc[either, "difference"].isna().all()
    assert wide.loc[either, "significant"].isna().all()
    assert wide.loc[~either & wide["estimate"].notna(), "difference"].notna().all()


@pytest.mark.slow
def test_run_a_two_wave_study_end_to_end(tmp_path: Path, repo_root: Path) -> None:
    """The repository's sample as 2019, a second sample as 2020: evolution in the reports."""
    from iaobs.tools.sample import write_sample_study

    root = tmp_path / "etude"
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(repo_root / "data" / "reference", root / "data" / "reference")
    shutil.copytree(repo_root / "data" / "raw" / "2019", root / "data" / "raw" / "2019")
    other = tmp_path / "autre"
    write_sample_study(other, seed=8, n_companies=900)
    shutil.copytree(other / "data" / "raw" / "2019", root / "data" / "raw" / "2020")
    (root / "study.toml").write_text(
        '[study]\ntitle = "Observatoire"\nregion = "Hauts-de-France"\nwave = "2020"\n'
        'waves = ["2019", "2020"]\n[population]\nmargins = "data/reference/population.csv"\n',
        "utf-8",
    )
    code = main(["run", str(root), "--only", "banque", "--format", "html", "--quiet"])
    assert code == 0
    assert (root / "data" / "processed" / "waves" / "2019" / "indicators.parquet").is_file()
    assert (root / "data" / "processed" / "evolution.parquet").is_file()
    page = (root / "reports" / "2020" / "banque" / "report.html").read_text("utf-8")
    assert "Évolution depuis la vague précédente" in page
    site = root / "reports" / "2020"
    assert "Ce qui a changé depuis 2019" in (site / "index.html").read_text("utf-8")
    assert '"waves":[[' in (site / "explorer.html").read_text("utf-8")
    assert (site / "donnees" / "evolution.csv").is_file()


def test_the_release_audit_checks_the_evolution_against_the_earlier_wave(tmp_path: Path) -> None:
    """What the site publishes of the evolution gives no value of a cell that the earlier
    wave hid (its change is hidden with it); a change published for such a cell is caught."""
    from iaobs.pipeline.published import read_release
    from iaobs.pipeline.release import attack_release
    from iaobs.render.site.data import publishable_rows

    root = _two_wave_study(tmp_path)
    table = pd.read_parquet(compute_evolution(load_study(root)))
    before = pd.read_parquet(root / "data" / "processed" / "waves" / "2019" / "indicators.parquet")
    now = pd.read_parquet(root / "data" / "processed" / "indicators.parquet")
    truth = now.assign(
        estimate=now["estimate"].fillna(0.5),
        weighted_base=now["n"].astype(float),
        flag="",
        primary=False,
        _kind="level",
        _parts="",
    )
    release = root / "reports" / "2020"
    (release / "donnees").mkdir(parents=True)
    publishable_rows(table).to_csv(release / "donnees" / "evolution.csv", index=False)
    audit = attack_release(
        read_release(release), truth, wave="2020", previous={"2019": (before, None)}
    )
    assert audit.previous_waves == ["2019"] and audit.previous_values > 0
    assert not audit.leaks, audit.leaks[:3]
    # the change of a cell hidden in 2019 (banque's use of AI), published: caught
    hidden = (table["indicator"] == "ia_usage") & (table["domain"] == "secteur=banque")
    leaked = table.copy()
    leaked.loc[hidden & (leaked["wave"] == "2020"), "difference"] = 0.05
    publishable_rows(leaked).to_csv(release / "donnees" / "evolution.csv", index=False)
    audit = attack_release(
        read_release(release), truth, wave="2020", previous={"2019": (before, None)}
    )
    assert audit.leaks
    assert all("ia_usage" in x and "secteur=banque" in x and "vague 2019" in x for x in audit.leaks)
