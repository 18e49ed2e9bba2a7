"""The release audit: published files read back, and the attack on their union."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from iaobs.errors import StatisticsError
from iaobs.pipeline.published import read_csv_numbers, read_json_rows, read_release
from iaobs.pipeline.release import attack_release, audit_release_folder, require_release_protected


def _truth() -> pd.DataFrame:
    """One question (levels a, b) in two sectors: the small sector hidden, the other too (as
    the secondary secrecy leaves it), the region published."""
    rows = []
    cells = {
        "all": (100.0, 0.5, "", False),
        "secteur=s1": (10.0, 0.1, "s", True),
        "secteur=s2": (90.0, 49 / 90, "s", False),
    }
    for domain, (base, share, flag, primary) in cells.items():
        for level, value in (("a", share), ("b", 1 - share)):
            rows.append(
                {
                    "indicator": "x",
                    "level": level,
                    "domain": domain,
                    "statistic": "proportion",
                    "estimate": value,
                    "weighted_base": base,
                    "flag": flag,
                    "primary": primary,
                    "_kind": "level",
                    "_parts": "",
                }
            )
    return pd.DataFrame(rows)


def _write_csv(path: Path, rows: list[dict[str, object]], *, french: bool = True) -> None:
    frame = pd.DataFrame(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    sep, decimal = (";", ",") if french else (",", ".")
    text = frame.to_csv(index=False, sep=sep, decimal=decimal)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def _published_region(folder: Path) -> None:
    rows = [
        {"indicator": "x", "level": lv, "domain": "all", "statistic": "proportion",
         "estimate": v, "n": 100, "flag": ""}
        for lv, v in (("a", 0.5), ("b", 0.5))
    ]  # fmt: skip
    rows += [
        {"indicator": "x", "level": lv, "domain": d, "statistic": "proportion",
         "estimate": None, "n": 5, "flag": "s"}
        for lv in ("a", "b") for d in ("secteur=s1", "secteur=s2")
    ]  # fmt: skip
    _write_csv(folder / "banque" / "indicators.csv", rows)


def test_csv_reader_french_and_english() -> None:
    french = "\ufeffindicator;level;domain;estimate\nx;a;all;0,125\n".encode()
    english = b"indicator,level,domain,estimate\nx,a,all,0.125\n"
    for data in (french, english):
        frame = read_csv_numbers(data)
        assert list(frame.columns) == ["indicator", "level", "domain", "estimate"]
    release = read_release_of({"a.csv": french, "b.csv": english})
    cells = release.cell_frame()
    assert cells["estimate"].tolist() == [0.125, 0.125]
    assert release.numbers == 2 and release.files == 2


def read_release_of(files: dict[str, bytes]):
    import tempfile

    folder = Path(tempfile.mkdtemp())
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return read_release(folder)


def test_json_reader_reads_the_explorer_rows() -> None:
    payload = {"rows": {"x|a": [["all", 0.5, 0.4, 0.6, 100, "", "="]]}, "indicators": []}
    page = f'<script type="application/json" id="iaobs-data">{json.dumps(payload)}</script>'
    frame = read_json_rows(f"<html><body>{page}</body></html>")
    assert frame[["indicator", "level", "domain"]].iloc[0].tolist() == ["x", "a", "all"]
    assert frame["estimate"].iloc[0] == 0.5


def test_workbook_reader_finds_the_data_sheet(tmp_path: Path) -> None:
    with pd.ExcelWriter(tmp_path / "tables.xlsx") as writer:
        pd.DataFrame({"titre": ["Rapport"]}).to_excel(writer, sheet_name="info", index=False)
        pd.DataFrame(
            {"indicator": ["x"], "level": ["a"], "domain": ["all"], "estimate": [0.5]}
        ).to_excel(writer, sheet_name="data", index=False, startrow=2)
    release = read_release(tmp_path)
    cells = release.cell_frame()
    assert cells["file"].tolist() == ["tables.xlsx [data]"]
    assert cells["estimate"].tolist() == [0.5]


def test_a_protected_release_passes(tmp_path: Path) -> None:
    _published_region(tmp_path)
    truth = tmp_path / "truth.parquet"
    _truth().to_parquet(truth)
    audit = audit_release_folder(tmp_path, truth)
    assert audit.ok, audit.to_dict()
    assert audit.attacked == 2 and audit.files == 1
    assert audit.narrowest >= 10
    require_release_protected(audit)


def test_a_hidden_cell_written_in_a_csv_is_caught(tmp_path: Path) -> None:
    _published_region(tmp_path)
    leak = [{"indicator": "x", "level": "a", "domain": "secteur=s1", "estimate": 0.1}]
    _write_csv(tmp_path / "site" / "donnees" / "fuite.csv", leak, french=False)
    truth = _truth()
    audit = attack_release(read_release(tmp_path), truth)
    assert not audit.ok
    assert audit.leaks == ["site/donnees/fuite.csv : x = a (secteur=s1)"]
    with pytest.raises(StatisticsError, match=r"fuite\.csv") as raised:
        require_release_protected(audit)
    assert raised.value.exit_code == 1


def test_a_hidden_table_cell_with_a_value_is_caught(tmp_path: Path) -> None:
    rows = [{"table": 1, "row": "PME", "column": "part", "value": 0.25, "n": 4, "flag": "s"}]
    _write_csv(tmp_path / "formation-pilote" / "indicators.csv", rows)
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.leaks and "formation-pilote/indicators.csv" in audit.leaks[0]


def test_the_rest_of_the_region_gives_a_hidden_sector_back(tmp_path: Path) -> None:
    """A comparison of a hidden sector with the rest of the region (the rest being the other
    sector's value) lets the region minus the rest give the hidden sector."""
    _published_region(tmp_path)
    rows = [
        {"indicator": "x", "level": lv, "domain": "secteur=s1", "statistic": "proportion",
         "estimate": None, "rest": r, "flag": ""}
        for lv, r in (("a", 49 / 90), ("b", 41 / 90))
    ]  # fmt: skip
    _write_csv(tmp_path / "donnees" / "comparaisons.csv", rows, french=False)
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.rests == 2
    assert audit.unprotected and audit.unprotected[0].startswith("x = a (secteur=s1)")
    with pytest.raises(StatisticsError, match="secteur=s1"):
        require_release_protected(audit)


def _training_tables(folder: Path, *, hidden_groups: tuple[str, ...] = ("b",)) -> None:
    """A training report's tables: a distribution (shares adding up to 100 %, counts), and
    participants by group beside their total (one row)."""
    rows = [
        {"table": 1, "row": "Ensemble", "column": "T0", "value": 60, "flag": ""},
        {"table": 1, "row": "Ensemble", "column": "T1", "value": 50, "flag": ""},
    ]
    for group, t0, t1 in (("a", 30, 25), ("b", 8, 6), ("c", 22, 19)):
        hidden = group in hidden_groups
        for column, value in (("T0", t0), ("T1", t1)):
            rows.append(
                {"table": 2, "row": group, "column": column,
                 "value": None if hidden else value, "flag": "nd" if hidden else ""}
            )  # fmt: skip
    for answer, share, count, flag in (
        ("très", None, None, "s"),
        ("plutôt", None, None, "s"),
        ("pas", 0.6, 36, ""),
        ("pas du tout", 0.2, 12, ""),
    ):
        rows.append(
            {"table": 3, "row": answer, "column": "Part (%)", "value": share, "n": count,
             "flag": flag}
        )  # fmt: skip
    _write_csv(folder / "formation-pilote" / "indicators.csv", rows)


def test_a_hidden_group_recovered_from_its_total_is_caught(tmp_path: Path) -> None:
    _training_tables(tmp_path)
    audit = attack_release(read_release(tmp_path), _truth())
    assert not audit.leaks
    assert audit.table_relations == 3 and audit.table_attacked == 4
    assert [u.split(" (")[0] for u in audit.unprotected] == [
        "formation-pilote/indicators.csv : tableau 2, ligne « b », colonne « T0 »",
        "formation-pilote/indicators.csv : tableau 2, ligne « b », colonne « T1 »",
    ]
    with pytest.raises(StatisticsError, match=r"formation-pilote.*recalculée"):
        require_release_protected(audit)
    # two groups hidden: each lies between 0 and what the others leave (8 + 22, 6 + 19)
    _training_tables(tmp_path, hidden_groups=("b", "c"))
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.ok, audit.to_dict()
    assert round(audit.narrowest_persons) == 12  # the distribution's two hidden answers: 20 % of 60
    assert audit.to_dict()["tableaux_reste_le_plus_petit_personnes"] == 12


def test_a_distribution_whose_hidden_answers_hold_too_few_persons_is_caught(
    tmp_path: Path,
) -> None:
    rows = [
        {"table": 1, "row": r, "column": "Part (%)", "value": v, "n": n, "flag": f}
        for r, v, n, f in (("a", None, None, "s"), ("b", None, None, "s"), ("c", 0.9, 90, ""))
    ]  # fmt: skip
    _write_csv(tmp_path / "formation-pilote" / "indicators.csv", rows)
    audit = attack_release(read_release(tmp_path), _truth())
    assert len(audit.unprotected) == 2 and "10 personnes" in audit.unprotected[0]
    rows[1] |= {"value": 0.05, "n": 5, "flag": ""}  # one hidden answer: 100 % minus the others
    _write_csv(tmp_path / "formation-pilote" / "indicators.csv", rows)
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.unprotected == [
        "formation-pilote/indicators.csv : tableau 1, ligne « a », colonne « Part (%) » "
        "(complément à 100 %)"
    ]


def test_a_change_since_a_wave_that_hid_the_cell_is_caught(tmp_path: Path) -> None:
    """2019 hid sector s1; the 2020 release gives its value back by the change since 2019
    (the 2020 value minus the difference) or by a 2019 row of the evolution."""
    _published_region(tmp_path)
    before = _truth()  # 2019: s1 hidden (0.1), s2 hidden by secondary secrecy
    now = _truth().assign(flag="", primary=False)  # 2020: everything published
    change = [
        {"indicator": "x", "level": "a", "domain": "secteur=s1", "statistic": "proportion",
         "wave": "2020", "estimate": 0.3, "previous_wave": "2019", "difference": 0.2, "flag": ""}
    ]  # fmt: skip
    _write_csv(tmp_path / "donnees" / "evolution.csv", change, french=False)
    release = read_release(tmp_path)
    audit = attack_release(release, now, wave="2020", previous={"2019": (before, None)})
    assert audit.previous_waves == ["2019"] and audit.previous_values == 1
    assert audit.leaks == [
        "donnees/evolution.csv : x = a (secteur=s1), vague 2019 "
        "(valeur de la vague précédente donnée par l'évolution)"
    ]
    with pytest.raises(StatisticsError, match=r"evolution\.csv.*vague 2019"):
        require_release_protected(audit)
    # a row of the earlier wave itself, and the change without the current value beside it
    rows = [
        {"indicator": "x", "level": "b", "domain": "secteur=s2", "wave": "2019",
         "estimate": 41 / 90, "previous_wave": "", "difference": None},
        {"indicator": "x", "level": "a", "domain": "all", "wave": "2020",
         "estimate": None, "previous_wave": "2019", "difference": 0.0},
    ]  # fmt: skip
    _write_csv(tmp_path / "donnees" / "evolution.csv", rows, french=False)
    audit = attack_release(
        read_release(tmp_path), now, wave="2020", previous={"2019": (before, None)}
    )
    assert [leak.split(",")[0] for leak in audit.leaks] == [
        "donnees/evolution.csv : x = b (secteur=s2)"
    ]
    assert audit.previous_values == 2  # x = a (all) for 2019: 0.5 (published in 2019)
    # with the change of a published cell only, the earlier wave stays protected
    (tmp_path / "donnees" / "evolution.csv").unlink()
    audit = attack_release(
        read_release(tmp_path), now, wave="2020", previous={"2019": (before, None)}
    )
    assert audit.ok and audit.previous_values == 0


def test_a_hidden_cell_written_in_a_sentence_is_caught(tmp_path: Path) -> None:
    """The running text of a report is read: a percentage that only a hidden cell of the
    report gives is caught with its page; a published value, an answer's label and a
    constant of the method are not."""
    _published_region(tmp_path)
    (tmp_path / "banque" / "codebook.csv").write_text(
        "rubrique;code;libellé\nmodalité;x=a;Moins de 10 %\n", "utf-8"
    )
    page = (
        "<html><body><p>En 2019, 50\u202f% des entreprises (IC 95\u202f% : 50\u202f%) ; "
        "réponse « Moins de 10 % » ; test au seuil de 5 %.</p>"
        '<img alt="Barres. a : 50 %." src="x.png"><table><td>12 %</td></table></body></html>'
    )
    (tmp_path / "banque" / "report.html").write_text(page, "utf-8")
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.ok, audit.to_dict()
    assert (audit.prose_pages, audit.prose_numbers, audit.prose_tied) == (1, 3, 3)
    leak = page.replace("</body>", "<p>Dans le secteur s1, 10 % des entreprises.</p></body>")
    (tmp_path / "banque" / "report.html").write_text(leak, "utf-8")
    audit = attack_release(read_release(tmp_path), _truth())
    assert len(audit.leaks) == 1
    assert audit.leaks[0].startswith("banque/report.html : un pourcentage du texte")
    assert "x = a (secteur=s1)" in audit.leaks[0] and "10 % des entreprises" in audit.leaks[0]
    with pytest.raises(StatisticsError, match=r"banque/report\.html"):
        require_release_protected(audit)


def test_a_number_marked_with_a_hidden_cell_is_caught(tmp_path: Path) -> None:
    """A sentence's number marked with its cell (the generator's span) ties it exactly: a
    hidden cell's number is caught even when a published cell has the same value, and a
    published difference with the rest of the region enters the attack."""
    _published_region(tmp_path)

    def span(key: str, stat: str, text: str) -> str:
        return f'<span data-cell="{key}" data-stat="{stat}">{text}</span>'

    page = (
        f"<p>{span('x|a|all', 'estimate', '50 %')} des entreprises "
        f"(IC 95 % : {span('x|a|all', 'ci_low', '40 %')} – {span('x|a|all', 'ci_high', '60 %')})"
        "</p>"
    )
    (tmp_path / "banque" / "report.html").write_text(page, "utf-8")
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.ok and audit.prose_numbers == 0  # every number marked: none left to guess
    hidden = span("x|b|secteur=s1", "ci_high", "50 %")  # the same value as a published cell
    (tmp_path / "banque" / "report.html").write_text(page + f"<p>au plus {hidden}</p>", "utf-8")
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.leaks == ["banque/report.html : x = b (secteur=s1) (nombre écrit dans le texte)"]
    # « +5 points » over the rest of the region: the rest (the other sector) is published
    gap = span("x|a|secteur=s1", "difference", "+5 points")
    (tmp_path / "banque" / "report.html").write_text(page + f"<p>{gap}</p>", "utf-8")
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.ok and audit.rests == 0  # no value of s1 printed: no rest to derive
    both = span("x|a|secteur=s1", "estimate", "10 %") + gap
    (tmp_path / "banque" / "report.html").write_text(page + f"<p>{both}</p>", "utf-8")
    audit = attack_release(read_release(tmp_path), _truth())
    assert audit.leaks and audit.rests == 1  # s1 itself is the leak, and the rest follows


REPO = Path(__file__).resolve().parents[2]


def _small_study(root: Path) -> Path:
    from iaobs.tools.sample import write_sample_study

    write_sample_study(root, n_companies=150)  # few respondents per cell
    toml = root / "study.toml"
    text = toml.read_text("utf-8")
    toml.write_text(text[: text.index("[frame]")] + text[text.index("[[sources]]") :], "utf-8")
    return root


def _repository_study(root: Path) -> Path:
    import shutil

    shutil.copy(REPO / "study.toml", root / "study.toml")
    for part in ("raw", "reference"):
        shutil.copytree(REPO / "data" / part, root / "data" / part)
    return root


@pytest.mark.slow
@pytest.mark.parametrize("make", [_small_study, _repository_study], ids=["small", "sample"])
def test_nothing_is_recovered_from_every_published_file(tmp_path: Path, make) -> None:
    """Every file of the release read back and attacked: no hidden cell recovered or bounded
    more tightly than its protection level, and the quality report says so."""
    from iaobs.pipeline.run import run_study

    root = make(tmp_path)
    summary = run_study(root, formats=("html",), jobs=2)
    assert summary.exit_code == 0
    weighting = json.loads((root / "data" / "processed" / "weighting.json").read_text("utf-8"))
    audit = weighting["audit_diffusion"]
    assert audit["conforme"], audit
    assert audit["fichiers_lus"] > 10 and audit["nombres_lus"] > 1000
    # the sentences' numbers are read: marked with their cells, or tied by value
    assert audit["texte_nombres_marques"] > 100 and audit["texte_pages_lues"] > 5
    assert audit["texte_pourcentages_non_rattaches"] == 0, audit["texte_exemples_non_rattaches"]
    page = next((root / "reports").glob("*/synthese-regionale/report.html")).read_text("utf-8")
    assert 'data-stat="estimate">' in page and "\ue000" not in page
    assert audit["intervalle_le_plus_etroit_points"] is None or (
        audit["intervalle_le_plus_etroit_points"] >= 10
    )
    quality = next((root / "reports").glob("*/qualite-donnees/report.html"))
    assert "Audit de la diffusion" in quality.read_text("utf-8")
    # the audit's summary, written after the reports, renders none of them again next time
    # (only the quality report, which states it, follows it), and an unchanged release is
    # not attacked again
    state = root / "data" / "processed"
    again = run_study(root, formats=("html",), jobs=2)
    assert again.exit_code == 0 and not again.reports.rendered
    assert json.loads((state / "weighting.json").read_text("utf-8"))["audit_diffusion"] == audit
    assert "secondes" not in audit  # the summary changes only when the release does
    # an unchanged run answers without pandas (nor SciPy): the audit's stamp is read first
    probe = (
        "import sys; from iaobs.cli import main; code = main(['run', sys.argv[1], '--format', 'html']); "
        "print('pandas' in sys.modules, code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(root)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-2:] == ["False", "0"], done.stdout + done.stderr


def test_the_quality_report_says_what_the_audit_read() -> None:
    from types import SimpleNamespace

    from iaobs.core.typography import typeset_html, typography_faults
    from iaobs.reports.kinds.quality import _release_details

    audit = {
        "texte_nombres_marques": 1005,
        "texte_pourcentages_rattaches": 1,
        "tableaux_cellules_attaquees": 30,
        "vagues_precedentes_attaquees": ["2019"],
        "valeurs_vagues_precedentes": 2986,
    }
    ctx = SimpleNamespace(language="fr", pick=lambda fr, en: fr)
    text = " ".join(_release_details(ctx, audit))  # type: ignore[arg-type]
    assert "1\u202f005 nombres rattachés par le générateur" in text
    assert "1 pourcentage rattaché par valeur" in text
    assert "30 cases masquées attaquées" in text
    assert "Vagues précédentes (2019) : 2\u202f986 valeurs données" in text
    assert not typography_faults(typeset_html(f"<p>{text}</p>"))  # as the report sets it
    assert _release_details(ctx, {"fichiers_lus": 3}) == []  # an audit of an older version
