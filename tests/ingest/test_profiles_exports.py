"""Survey-tool profiles: each export is read, mapped and cleaned into the expected codes."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from iaobs.ingest.profiles import (
    PROFILE_REJECT_COLUMN,
    MappedTable,
    detect_profile,
    map_columns,
    read_for_profile,
)
from iaobs.ingest.profiles.engine import split_multi_cell
from iaobs.ingest.profiles.google_forms import to_iso
from iaobs.prepare.clean import clean_responses
from iaobs.prepare.profile_rejects import apply_profile_rejects
from iaobs.study.dictionary import load_dictionary

sys.path.insert(0, str(Path(__file__).parents[1]))
import exports

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
KOBO_REAL = REALDATA / "kobo_export_multisheet.xlsx"
DICTIONARY = load_dictionary()
CODED = ["secteur", "taille", "ia_stade"]
TECHNO = ["techno__analyse_texte", "techno__generation_images", "techno__generation_langage"]


def _run(path: Path, profile: str, mapping: Path | None = None) -> tuple[MappedTable, object]:
    raw = read_for_profile(path, profile, DICTIONARY, mapping=mapping)
    mapped = map_columns(raw, DICTIONARY, profile=profile, mapping=mapping)
    result = clean_responses(mapped.frame, DICTIONARY)
    result = apply_profile_rejects(result, mapped.frame)
    return mapped, result


def _values(frame: pd.DataFrame, column: str) -> list[object]:
    return [
        None if pd.isna(v) else (int(v) if column.startswith("techno") else str(v))
        for v in frame[column]
    ]


def _check(result, *, none_ticked_known: bool = True) -> None:  # type: ignore[no-untyped-def]
    responses = result.responses.sort_values("_source_row").reset_index(drop=True)
    assert len(responses) == 5
    for column in CODED:
        assert _values(responses, column) == exports.EXPECTED[column], column
    for column in TECHNO:
        expected = list(exports.EXPECTED[column])
        if not none_ticked_known:  # no box ticked: not told apart from "not shown"
            expected[1] = None
        assert _values(responses, column) == expected, column
    assert result.quality["read"] == result.quality["kept"] + result.quality["rejected"]


# --------------------------------------------------------------------------------------------
# LimeSurvey


def test_limesurvey_text_headings_incomplete_response_rejected(tmp_path: Path) -> None:
    path = exports.limesurvey_export(tmp_path, headings="text")
    mapped, result = _run(path, "limesurvey")
    _check(result, none_ticked_known=False)
    assert mapped.unmapped == []
    assert {"IP address", "Referrer URL"} == set(mapped.dropped)
    assert "IP address" not in mapped.frame and "Referrer URL" not in mapped.frame
    assert {"Last page", "Start language", "Seed"} <= set(mapped.ignored)
    assert mapped.renamed["Response ID"] == "id_repondant"
    assert mapped.renamed["Date submitted"] == "date_reponse"
    # the response never submitted reaches the rejects with its reason
    rejects = result.rejects
    assert list(rejects["_source_row"]) == [7]  # the spreadsheet row, not the text line
    assert "reponse_incomplete" in rejects["rules"].iloc[0].split(",")
    assert "non envoyée" in rejects["reasons"].iloc[0]
    assert result.quality["rejected_by_rule"]["reponse_incomplete"] == 1
    assert set(result.responses["statut_reponse"].astype(str)) == {"complet"}
    # the quoted comment with a new line survives
    assert "Projet pilote\nsur la relation client" in set(mapped.frame["commentaire"].dropna())


def test_limesurvey_incomplete_kept_when_mapping_says_so(tmp_path: Path) -> None:
    path = exports.limesurvey_export(tmp_path, headings="both")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        exports.limesurvey_code_mapping() + "reponses_incompletes: garder\n", "utf-8"
    )
    mapped, _ = _run(path, "mapping", mapping)
    assert PROFILE_REJECT_COLUMN not in mapped.frame
    assert list(mapped.frame["statut_reponse"]) == ["complet"] * 5 + ["partiel"]


def test_limesurvey_codes_need_the_mapping_file(tmp_path: Path) -> None:
    path = exports.limesurvey_export(tmp_path, headings="code", french=True)
    mapped = map_columns(
        read_for_profile(path, "limesurvey", DICTIONARY), DICTIONARY, profile="limesurvey"
    )
    assert "Q01" in mapped.unmapped and "Q04[SQ001]" in mapped.unmapped
    assert mapped.renamed["ID de la réponse"] == "id_repondant"
    assert "Adresse IP" in mapped.dropped
    mapping = tmp_path / "map.yaml"
    mapping.write_text(exports.limesurvey_code_mapping(), "utf-8")
    mapped, result = _run(path, "mapping", mapping)
    assert mapped.renamed["Q04[SQ002]"] == "techno__generation_images"
    _check(result, none_ticked_known=False)
    assert list(result.rejects["_source_row"]) == [7]


def test_limesurvey_both_headings(tmp_path: Path) -> None:
    path = exports.limesurvey_export(tmp_path, headings="both")
    mapped, result = _run(path, "limesurvey")
    assert mapped.renamed["Q01. Secteur de l'observatoire"] == "secteur"
    _check(result, none_ticked_known=False)


# --------------------------------------------------------------------------------------------
# Google Forms


@pytest.mark.parametrize("english", [False, True])
def test_google_forms_checkboxes_with_commas_in_labels(tmp_path: Path, english: bool) -> None:
    path = exports.google_forms_export(tmp_path, english=english)
    mapped, result = _run(path, "google-forms")
    _check(result)
    assert mapped.dropped == ["Adresse e-mail"]
    assert "Adresse e-mail" not in mapped.frame
    assert mapped.frame["techno"].iloc[2] == "analyse_texte;generation_images"
    dates = result.responses.sort_values("_source_row")["date_reponse"]
    first = dates.iloc[0]
    # 04/03/2024 is 4 March in French; 4/3/2024 is April 3 in English (month first)
    assert (first.month, first.day) == ((4, 3) if english else (3, 4))
    assert result.findings.empty


def test_split_multi_cell_greedy_labels() -> None:
    known = {"a, b": "ab", "c": "c", "a": "a"}
    assert split_multi_cell("A, B, C", known, ",") == ["ab", "c"]
    assert split_multi_cell("C, inconnu, A", known, ",") == ["c", "inconnu", "a"]
    assert split_multi_cell("x y", {"x": "1", "y": "2"}, " ") == ["1", "2"]


def test_to_iso_month_and_day_first() -> None:
    cells = pd.Series(["03/14/2024 09:05:00 PM", "3/4/2024", None, "texte"], dtype=object)
    assert list(to_iso(cells, month_first=True)) == [
        "2024-03-14 21:05:00",
        "2024-03-04 00:00:00",
        None,
        "texte",
    ]
    assert to_iso(pd.Series(["3/4/2024"]), month_first=False).iloc[0] == "2024-04-03 00:00:00"


# --------------------------------------------------------------------------------------------
# KoboToolbox


def test_kobo_group_paths_space_separated_multi_and_metadata(tmp_path: Path) -> None:
    path = exports.kobo_export(tmp_path)
    mapping = tmp_path / "kobo.yaml"
    mapping.write_text(exports.KOBO_MAPPING, "utf-8")
    raw = read_for_profile(path, "kobo", DICTIONARY)
    assert raw.sheet == "kobo"  # the main sheet, not the repeat group
    mapped, result = _run(path, "mapping", mapping)
    _check(result)
    assert mapped.renamed["identification/secteur"] == "secteur"
    assert mapped.renamed["adoption/techno"] == "techno"
    assert mapped.renamed["adoption/techno/images"] == "techno__generation_images"
    assert mapped.renamed["_uuid"] == "id_repondant"
    assert set(mapped.dropped) == {"deviceid", "username", "_submitted_by"}
    assert {"_id", "_index", "__version__", "start", "end"} <= set(mapped.ignored)
    assert mapped.unmapped == []
    assert mapped.frame["techno"].iloc[3] == "analyse_texte;generation_images;generation_langage"


def test_kobo_without_mapping_reports_unknown_choice(tmp_path: Path) -> None:
    path = exports.kobo_export(tmp_path)
    mapped, result = _run(path, "kobo")
    # 'images' is not a dictionary option: its 0/1 column stays unmapped, its choice name is
    # reported by the cleaner
    assert "adoption/techno/images" in mapped.unmapped
    assert "code_inconnu" in set(result.findings["rule"])


@pytest.mark.skipif(not KOBO_REAL.exists(), reason=f"real data file absent: {KOBO_REAL}")
def test_kobo_real_export_main_sheet_and_metadata() -> None:
    raw = read_for_profile(KOBO_REAL, "kobo", DICTIONARY)
    assert raw.sheet == "Meeting Form"
    assert detect_profile(raw) == "kobo"
    mapped = map_columns(raw, DICTIONARY, profile="kobo")
    assert {"_id", "_status", "__version__", "_index", "start", "end", "$edited"} <= set(
        mapped.ignored
    )
    assert "_submitted_by" in mapped.dropped
    assert mapped.renamed == {"_uuid": "id_repondant", "_submission_time": "date_reponse"}
    assert "Project_location" in mapped.unmapped


# --------------------------------------------------------------------------------------------
# SurveyMonkey


@pytest.mark.parametrize("xlsx", [True, False])
def test_surveymonkey_two_header_rows_us_dates_and_confidential(tmp_path: Path, xlsx: bool) -> None:
    path = exports.surveymonkey_export(tmp_path, xlsx=xlsx)
    raw = read_for_profile(path, "surveymonkey", DICTIONARY)
    assert raw.header_row == 2 and len(raw.frame) == 5
    # CSV: the first comment holds a new line, which starts no new spreadsheet row
    assert list(raw.frame["_source_row"]) == [3, 4, 5, 6, 7]
    mapped, result = _run(path, "surveymonkey")
    _check(result, none_ticked_known=False)
    confidential = {"Email Address", "First Name", "Last Name", "IP Address", "Custom Data 1"}
    assert set(mapped.dropped) == confidential
    assert not confidential & set(mapped.frame.columns)
    text = mapped.frame.astype(str).to_string()
    assert "entreprise.example" not in text and "Martin" not in text and "82.64" not in text
    assert "entreprise.example" not in result.rejects.astype(str).to_string()
    dates = result.responses.sort_values("_source_row")["date_reponse"].dt.strftime("%Y-%m-%d")
    assert list(dates) == exports.SURVEYMONKEY_DATES
    assert mapped.frame["date_reponse"].iloc[0] == "2024-04-01 13:30:00"
    assert "Technologies d'IA utilisées [Other (please specify)]" in mapped.unmapped


# --------------------------------------------------------------------------------------------
# Sphinx


def test_sphinx_labels_numbered_headers_slash_separator(tmp_path: Path) -> None:
    path = exports.sphinx_export(tmp_path)
    mapped, result = _run(path, "sphinx")
    assert mapped.renamed["1. Secteur de l'observatoire"] == "secteur"
    _check(result)


def test_sphinx_codes_with_mapping(tmp_path: Path) -> None:
    path = exports.sphinx_coded_export(tmp_path)
    mapping = tmp_path / "sphinx.yaml"
    mapping.write_text(exports.SPHINX_CODED_MAPPING, "utf-8")
    _, result = _run(path, "mapping", mapping)
    responses = result.responses.sort_values("_source_row")
    assert list(responses["secteur"].astype(str)) == ["banque", "industrie", "transport_logistique"]
    assert list(responses["taille"].astype(str)) == ["pme", "tpe", "eti"]
    assert list(responses["techno__generation_langage"]) == [1, pd.NA, 0]


# --------------------------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (lambda d: exports.limesurvey_export(d, headings="code"), "limesurvey"),
        (lambda d: exports.limesurvey_export(d, french=True), "limesurvey"),
        (lambda d: exports.google_forms_export(d), "google-forms"),
        (lambda d: exports.kobo_export(d), "kobo"),
        (lambda d: exports.surveymonkey_export(d), "surveymonkey"),
        (lambda d: exports.sphinx_export(d), "sphinx"),
    ],
)
def test_detect_profile(tmp_path: Path, builder, expected: str) -> None:  # type: ignore[no-untyped-def]
    raw = read_for_profile(builder(tmp_path), "template-generic", DICTIONARY)
    assert detect_profile(raw) == expected
