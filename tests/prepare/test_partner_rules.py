"""What partners' exports need from the cleaner: out-of-scope sectors counted apart, an
anonymised survey's placeholder date, a yes/no question for ia_usage, rules in one order."""

from __future__ import annotations

import pandas as pd

from iaobs.core.contract import OUT_OF_SCOPE
from iaobs.prepare.clean import clean_responses
from iaobs.prepare.validate import RULES, ordered_rules
from iaobs.study.dictionary import load_dictionary

DICTIONARY = load_dictionary()


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["_source_file"] = "export.csv"
    frame["_source_sheet"] = None
    frame["_source_row"] = range(2, 2 + len(frame))
    return frame


def _base(i: int, **cells: object) -> dict[str, object]:
    return {
        "id_repondant": f"R{i}",
        "secteur": "banque",
        "taille": "pme",
        "ia_stade": "experimentation",
        **cells,
    }


def test_out_of_scope_rows_are_neither_kept_nor_rejected() -> None:
    frame = _frame(
        [
            _base(1),
            _base(2, secteur=OUT_OF_SCOPE),
            _base(3, secteur="hors champ", taille=""),  # out of scope wins over other problems
            _base(4, secteur="inconnu"),  # a real unknown code stays a reject
        ]
    )
    result = clean_responses(frame, DICTIONARY)
    quality = result.quality
    assert quality["out_of_scope"] == 2
    assert quality["kept"] == 1
    assert quality["read"] == quality["kept"] + quality["rejected"] + quality["out_of_scope"]
    assert set(result.rejects["_source_row"]) <= {5}
    # no finding about out-of-scope rows: they are not errors
    assert not set(result.findings["row"].dropna().astype(int)) & {3, 4}


def test_placeholder_date_is_emptied_without_a_warning_per_row() -> None:
    rows = [_base(i, date_reponse="1980-01-01 00:00:00") for i in range(1, 110)]
    result = clean_responses(_frame(rows), DICTIONARY)
    assert "date_improbable" not in set(result.findings["rule"])
    assert result.quality["corrections"]["date_anonymisee_vers_vide"] == 109
    assert result.responses["date_reponse"].isna().all()
    # a real improbable date is still a warning
    result = clean_responses(_frame([_base(1, date_reponse="1975-06-03")]), DICTIONARY)
    assert "date_improbable" in set(result.findings["rule"])


def test_a_yes_no_question_feeds_ia_usage() -> None:
    rows = [
        _base(1, ia_usage="Oui"),
        _base(2, ia_usage="Non"),
        _base(3, ia_usage="Yes"),
        _base(4, ia_usage="Nein"),
        _base(5, ia_usage=""),
    ]
    result = clean_responses(_frame(rows), DICTIONARY)
    usage = result.responses.set_index("_source_row")["ia_usage"]  # ids are pseudonymised
    assert [usage[2], usage[3], usage[4], usage[5]] == [1, 0, 1, 0]
    assert pd.isna(usage[6])


def test_a_yes_no_question_for_ia_usage_in_a_mapping_file(tmp_path) -> None:
    from iaobs.ingest.profiles.mapping import load_mapping

    path = tmp_path / "map.yaml"
    path.write_text(
        'profile: tableur\ncolumns:\n  "Utilisez-vous l\'IA ?": ia_usage\n'
        'values:\n  ia_usage: {"Oui, régulièrement": oui, "Pas du tout": non}\n',
        "utf-8",
    )
    spec = load_mapping(path, DICTIONARY)
    assert spec.columns["Utilisez-vous l'IA ?"] == "ia_usage"


def test_rules_are_listed_once_in_one_order() -> None:
    known = list(RULES)
    assert ordered_rules([known[3], known[0], known[3]]) == [known[0], known[3]]
    assert ordered_rules(["zz_rule", known[1]]) == [known[1], "zz_rule"]
    # a row with two blocking problems: the same pair, in the same order, whatever the columns
    rows = [
        {"id_repondant": "R1", "secteur": "", "taille": "", "ia_stade": "experimentation"},
        {"id_repondant": "R2", "taille": "", "secteur": "", "ia_stade": "experimentation"},
    ]
    result = clean_responses(_frame(rows), DICTIONARY)
    rules = set(result.rejects["rules"])
    assert len(rules) == 1
    rule = next(iter(rules))
    assert rule.split(",") == ordered_rules(rule.split(","))
    by_main = result.quality["rejected_by_main_rule"]
    assert sum(by_main.values()) == result.quality["rejected"]
