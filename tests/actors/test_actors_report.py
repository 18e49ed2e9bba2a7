"""The acteurs-ia report's content: counts, change, map, directory, open data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from frictionless import Package

from iaobs.reports.kinds import actors
from iaobs.study.config import load_study
from iaobs.study.store import Processed


def test_stage_writes_each_waves_directory(actors_study: Path) -> None:
    processed = load_study(actors_study).store.processed
    now = pd.read_parquet(processed.actors)
    before = pd.read_parquet(Processed(processed.folder).wave("2018").actors)
    assert len(now) == 4 + 3  # SIRENE's 4 (one P; Alpha merged) + lab, incubator, university
    assert len(before) == 3 + 3  # the 2018 extract has no 22222222200022
    assert set(before["origine"]) == {"sirene", "sirene+liste", "liste"}
    lab = "Laboratoire d'informatique (fictif)"
    ids = [set(frame.loc[frame["nom"] == lab, "identifiant"]) for frame in (now, before)]
    assert ids[0] == ids[1] and next(iter(ids[0])).startswith("L")  # stable between waves
    assert "Nommée par la liste" not in now.to_csv()


def test_tables_count_every_actor_p_units_included(actors_study: Path) -> None:
    ctx = actors.load_actors(actors_study)
    assert ctx.previous_wave == "2018"
    sections = actors.actors_tables(ctx)
    by_type = sections[0].tables[0].frame
    total = by_type.iloc[-1]
    assert total.iloc[0] == "Ensemble" and total.iloc[-1] == len(ctx.directory) == 7
    assert by_type.columns[1:6].tolist() == [
        "Aisne (02)",
        "Nord (59)",
        "Oise (60)",
        "Pas-de-Calais (62)",
        "Somme (80)",
    ]
    evolution = sections[1].tables[0].frame
    assert evolution.columns.tolist() == ["Type d'acteur", "2018", "2019", "Écart"]
    assert evolution.iloc[-1].tolist() == ["Ensemble", 6, 7, "+1"]
    annuaire = sections[-1].tables[0].frame
    assert len(annuaire) == 6  # the P unit is counted above, never listed


def test_key_figures_and_typography(actors_study: Path) -> None:
    ctx = actors.load_actors(actors_study)
    sentences = [f.sentence for f in actors.key_figures(ctx)]
    assert sentences[0].startswith("7 acteurs de l'IA sont recensés en Hauts-de-France\u202f:")
    assert any("de 6 à 7 (+1)" in s for s in sentences)
    assert any("1 établissement non diffusible est compté" in s for s in sentences)
    assert "\u202f?" in str(actors.cover(ctx))


def test_directory_html_is_escaped_and_names_no_p_unit(actors_study: Path) -> None:
    ctx = actors.load_actors(actors_study)
    html = str(actors.directory_html(ctx))
    assert html.count("<tr>") == 1 + 6
    assert "data-iaobs-annuaire" in html and 'type="search"' in html
    assert "Nommée" not in html and "33333333300033" not in html and "SECRET" not in html
    assert "Laboratoire d&#x27;informatique" in html or "Laboratoire d'informatique" in html
    assert '<a href="https://alpha.example.org"' in html


def test_map_is_a_numbered_figure_with_its_source(actors_study: Path) -> None:
    ctx = actors.load_actors(actors_study)
    html = str(actors.chart_map(ctx))
    assert 'id="figure-1"' in html and "data:image/png;base64," in html
    assert "IGN Admin Express" in html and "Nord (59)" in html


def test_open_data_package_is_valid(actors_study: Path, tmp_path: Path) -> None:
    ctx = actors.load_actors(actors_study)
    out = tmp_path / "open"
    out.mkdir()
    paths = actors.write_open_data(ctx.directory, out, title="Acteurs", region="HdF", wave="2019")
    report = Package(str(paths["datapackage"])).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    annuaire = pd.read_csv(paths["annuaire"], dtype=str)
    assert len(annuaire) == 6 and "diffusible" not in annuaire.columns
    assert "33333333300033" not in paths["annuaire"].read_text("utf-8")


def test_first_wave_says_nothing_to_compare(actors_study: Path) -> None:
    for path in (actors_study / "data" / "processed" / "waves").glob("*/acteurs.parquet"):
        path.unlink()
    ctx = actors.load_actors(actors_study)
    table = actors.build_actors_table(ctx, "evolution")
    assert "Première vague" in " ".join(table.notes)


def test_directory_ignores_the_survey(actors_study: Path) -> None:
    """Respondents are neither flagged nor removed: the directory is the same with or without
    survey answers (removing them would reveal who answered, by difference with SIRENE)."""
    from iaobs.pipeline.actors import compute_actors

    study = load_study(actors_study)
    before = pd.read_parquet(study.store.processed.actors)
    pd.DataFrame(
        {"id_repondant": ["E0123456789"], "siren": ["111111111"], "secteur": ["logiciel"]}
    ).to_parquet(study.store.processed.responses)
    compute_actors(study)
    after = pd.read_parquet(study.store.processed.actors)
    pd.testing.assert_frame_equal(before, after)
    assert "11111111100011" in set(after["siret"])  # a respondent stays, unmarked
    import iaobs.actors.directory
    import iaobs.actors.sources
    import iaobs.pipeline.actors

    for module in (iaobs.actors.directory, iaobs.actors.sources, iaobs.pipeline.actors):
        source = Path(module.__file__).read_text("utf-8")
        assert ".responses" not in source and "responses.parquet" not in source


def test_english_report_pieces(actors_study: Path) -> None:
    ctx = actors.load_actors(actors_study, language="en")
    assert "Who are the AI actors of Hauts-de-France?" in str(actors.cover(ctx))
    by_type = actors.build_actors_table(ctx, "par_type").frame
    assert "Research lab" in set(by_type.iloc[:, 0]) and by_type.iloc[-1, 0] == "Total"
    assert "Search the directory" in str(actors.directory_html(ctx))
    assert "Survey." in str(actors.methodology(ctx))


def test_a_broken_list_stops_the_stage_with_one_line(actors_study: Path) -> None:
    import pytest

    from iaobs.errors import InputError
    from iaobs.pipeline.actors import compute_actors

    listed = actors_study / "data" / "reference" / "acteurs" / "acteurs.csv"
    listed.write_text(listed.read_text("utf-8") + ",Sans type,,,,59,,,\n", "utf-8")
    with pytest.raises(InputError, match="ligne 7, colonne « type »"):
        compute_actors(load_study(actors_study))
