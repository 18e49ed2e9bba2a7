"""Unit tests of the rendering pieces: slugs, parameters, cache keys, HTML, Excel, CSV, index."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from iaobs.errors import ConfigError
from iaobs.render import cache
from iaobs.render.excel import (
    neutralise_formula,
    safe_sheet_names,
    write_indicators_csv,
    write_tables_xlsx,
)
from iaobs.render.html import css_string, export_html, extract_headings, strip_scripts
from iaobs.render.index import IndexCard, index_html
from iaobs.render.matrix import (
    ReportSpec,
    check_parameters,
    sector_slug,
    select_reports,
    validate_slug,
)
from iaobs.stats.secrecy import PUBLISHED_COLUMNS
from render_samples import sample_sections

# --------------------------------------------------------------------------------------------
# Slugs and parameters


@pytest.mark.parametrize(
    "slug",
    ["banque", "transport-logistique", "expertise-comptable", "synthese-regionale", "a1"],
)
def test_valid_slugs(slug: str) -> None:
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "..",
        "../x",
        "a/b",
        "Banque",
        "é",
        "a--b",
        "-a",
        "a-",
        "a b",
        "index",
        "con",
        "x" * 65,
        "a_b",
        "a.b",
    ],
)
def test_unsafe_slugs_are_errors(slug: str) -> None:
    with pytest.raises(ConfigError, match="nom de rapport invalide"):
        validate_slug(slug)


def test_sector_slug_uses_hyphens() -> None:
    assert sector_slug("transport_logistique") == "transport-logistique"
    with pytest.raises(ConfigError):
        sector_slug("bad__code")


def test_only_filters_and_unknown_slug_lists_slugs() -> None:
    specs = [
        ReportSpec("banque", "secteur", Path("s.py")),
        ReportSpec("synthese-regionale", "synthese", Path("y.py")),
    ]
    assert [s.slug for s in select_reports(specs, ["banque"])] == ["banque"]
    assert select_reports(specs, None) == specs
    with pytest.raises(ConfigError) as info:
        select_reports(specs, ["banqe"])
    assert "banqe" in str(info.value) and "synthese-regionale" in str(info.value)


DECLARED = {
    "study_dir": {"name": "study_dir", "inferred_type_name": "str", "default": '""'},
    "sector": {"name": "sector", "inferred_type_name": "str", "default": '"banque"'},
    "year": {"name": "year", "inferred_type_name": "int", "default": "2019"},
    "share": {"name": "share", "inferred_type_name": "float", "default": "0.5"},
    "free": {"name": "free", "inferred_type_name": "None", "default": "None"},
}


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        ({"study_dir": "/x", "sector": "banque"}, True),
        ({"year": 2019, "share": 1}, True),
        ({"free": [1, "a"]}, True),
        ({"sector": 3}, False),
        ({"year": "2019"}, False),
        ({"year": True}, False),
        ({"share": "0.5"}, False),
        ({"unknown": "x"}, False),
        ({"free": object()}, False),
        ({"share": float("nan")}, False),
    ],
)
def test_parameter_types_are_checked(values: dict, ok: bool) -> None:
    if ok:
        check_parameters("banque", values, DECLARED, Path("secteur.py"))
    else:
        with pytest.raises(ConfigError, match="banque"):
            check_parameters("banque", values, DECLARED, Path("secteur.py"))


def test_template_without_parameters_cell_is_an_error() -> None:
    with pytest.raises(ConfigError, match="parameters"):
        check_parameters("banque", {"sector": "banque"}, {}, Path("secteur.py"))


# --------------------------------------------------------------------------------------------
# Cache keys


def _indicators(path: Path, banque: float = 0.42) -> None:
    rows = []
    for domain, value in [
        ("all", 0.33),
        ("secteur=banque", banque),
        ("secteur=banque;taille=pme", banque + 0.01),
        ("secteur=logiciel", 0.61),
        ("taille=pme", 0.3),
    ]:
        rows.append(
            {
                "indicator": "ia_usage",
                "level": "",
                "domain": domain,
                "statistic": "proportion",
                "estimate": value,
                "se": 0.02,
                "ci_low": value - 0.04,
                "ci_high": value + 0.04,
                "n": 50,
                "n_eff": 40.0,
                "weighted_base": 500.0,
                "flag": "",
            }
        )
    rows.append({**rows[0], "domain": "secteur=assurance", "n": 0, "estimate": None, "flag": "nd"})
    pd.DataFrame(rows).to_parquet(path)


def _fingerprint(tmp_path: Path) -> cache.DataFingerprint:
    manifest = cache.Manifest.load(tmp_path / "reports")
    return cache.fingerprint_data(tmp_path, tmp_path / "study.toml", manifest)


def test_sector_digest_changes_only_with_its_rows(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text("[study]\n")
    _indicators(tmp_path / "indicators.parquet")
    sectors = ["banque", "logiciel", "assurance"]
    before = _fingerprint(tmp_path)
    assert before.sectors_with_data == ["banque", "logiciel"]
    digests = {s: before.data_digest("secteur", s, sectors) for s in sectors}
    overview = before.data_digest("synthese", None, sectors)
    quality = before.data_digest("qualite", None, sectors)
    assert _fingerprint(tmp_path).data_digest("secteur", "banque", sectors) == digests["banque"]

    _indicators(tmp_path / "indicators.parquet", banque=0.45)
    after = _fingerprint(tmp_path)
    assert after.data_digest("secteur", "banque", sectors) != digests["banque"]
    assert after.data_digest("secteur", "logiciel", sectors) == digests["logiciel"]
    assert after.data_digest("synthese", None, sectors) != overview
    assert after.data_digest("qualite", None, sectors) == quality


def test_json_parts_of_other_sectors_do_not_count(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text("[study]\n")
    _indicators(tmp_path / "indicators.parquet")
    sectors = ["banque", "logiciel"]
    weighting = {
        "domaines": [{"domain": "secteur=banque", "n": 1}, {"domain": "secteur=logiciel", "n": 2}],
        "regroupements": [{"secteur": "logiciel", "taille": ["ge"]}],
        "n_eff": 7,
    }
    (tmp_path / "weighting.json").write_text(json.dumps(weighting))
    before = _fingerprint(tmp_path)
    weighting["domaines"][1]["n"] = 3
    weighting["regroupements"][0]["taille"] = ["eti"]
    (tmp_path / "weighting.json").write_text(json.dumps(weighting))
    after = _fingerprint(tmp_path)
    assert after.data_digest("secteur", "banque", sectors) == before.data_digest(
        "secteur", "banque", sectors
    )
    assert after.data_digest("secteur", "logiciel", sectors) != before.data_digest(
        "secteur", "logiciel", sectors
    )
    weighting["n_eff"] = 8
    (tmp_path / "weighting.json").write_text(json.dumps(weighting))
    assert _fingerprint(tmp_path).data_digest("secteur", "banque", sectors) != before.data_digest(
        "secteur", "banque", sectors
    )


def test_report_key_and_manifest_freshness(tmp_path: Path) -> None:
    template = tmp_path / "secteur.py"
    template.write_text("# %%\n")
    base = {
        "template": template,
        "parameters": {"sector": "banque"},
        "data": "d",
        "study_toml": "s",
        "library": "l",
    }
    key = cache.report_key(**base)
    assert cache.report_key(**base) == key
    for change in (
        {"parameters": {"sector": "logiciel"}},
        {"data": "e"},
        {"library": "m"},
        {"study_toml": "t"},
    ):
        assert cache.report_key(**{**base, **change}) != key
    template.write_text("# %%\nx = 1\n")
    assert cache.report_key(**base) != key

    manifest = cache.Manifest.load(tmp_path)
    out = tmp_path / "report.html"
    out.write_text("x")
    manifest.reports["banque"] = {"key": "k", "formats": {"html": "k", "pdf": "old"}}
    manifest.save()
    manifest = cache.Manifest.load(tmp_path)
    assert manifest.is_fresh("banque", "k", ["html"], [out])
    assert not manifest.is_fresh("banque", "k", ["pdf"], [out])  # made from older data
    assert not manifest.is_fresh("banque", "k", ["xlsx"], [out])
    assert not manifest.is_fresh("banque", "other", ["html"], [out])
    assert not manifest.is_fresh("banque", "k", ["html"], [tmp_path / "missing.pdf"])
    (tmp_path / cache.MANIFEST_NAME).write_text("{not json")
    assert cache.Manifest.load(tmp_path).reports == {}


# --------------------------------------------------------------------------------------------
# HTML


def _notebook(html_parts: list[str]) -> nbformat.NotebookNode:
    return new_notebook(
        cells=[
            new_code_cell(
                "import secret_code", outputs=[new_output("display_data", data={"text/html": part})]
            )
            for part in html_parts
        ]
        + [
            new_code_cell(
                "x", outputs=[new_output("stream", name="stderr", text="UserWarning: noise")]
            ),
            new_code_cell(
                "js",
                outputs=[
                    new_output(
                        "display_data",
                        data={"application/javascript": "alert(1)", "text/plain": "<js>"},
                    )
                ],
            ),
        ]
    )


COVER = '<section class="iaobs-cover"><h1>Banque &amp; &lt;co&gt;</h1><p>2019</p></section>'
BODY = (
    '<div class="iaobs-essentiel"><h2 id="essentiel">L\'essentiel</h2></div>'
    '<h2 id="s1">1. Adoption</h2><h3 id="s1-1">1.1 Stade</h3><p>42 %</p>'
    '<h2 id="s2">2. Compétences</h2><script>alert("x")</script>'
    '<img src="data:image/png;base64,AAAA" alt="barres" onerror="alert(1)">'
)


def test_html_has_no_script_no_code_one_h1_and_a_toc() -> None:
    page = export_html(
        _notebook([COVER, BODY]),
        title='Banque "<script>alert(1)</script>"',
        language="fr",
        header="Obs · </style><script>",
        footer="2019",
    )
    assert "<script" not in page.lower()
    assert "onerror" not in page
    assert "secret_code" not in page and "UserWarning" not in page
    assert re.search(r'<html lang="fr">', page)
    assert len(re.findall(r"<h1\b", page)) == 1
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", page)
    assert not re.search(r"url\(\s*['\"]?https?://", page)
    assert "&lt;script&gt;" in page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "</style><script>" not in page
    toc = page.split('<nav class="iaobs-toc"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="#([^"]+)"', toc) == ["essentiel", "s1", "s1-1", "s2"]
    # the table of contents comes right after the cover
    body = page.split("<body", 1)[1]
    assert (
        body.index("</section>")
        < body.index('<nav class="iaobs-toc"')
        < body.index('class="iaobs-essentiel"')
    )
    assert "@media print" in page and "counter(pages)" in page


def test_html_english_and_font_embedded() -> None:
    page = export_html(_notebook([COVER]), title="T", language="en")
    assert '<html lang="en">' in page
    if Path("/usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf").is_file():
        assert "data:font/woff2;base64," in page


def test_headings_outside_cover_and_strip_scripts() -> None:
    headings = extract_headings(
        '<section class="iaobs-cover"><h2 id="c">Cover</h2></section><h2 id="a">A <em>b</em></h2><h3>no id</h3>'
    )
    assert [(h.level, h.id, h.text) for h in headings] == [(2, "a", "A b")]
    assert (
        strip_scripts('<a href="javascript:alert(1)" onclick="x()">l</a><SCRIPT src=x></SCRIPT>')
        == '<a href="#">l</a>'
    )
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'


# --------------------------------------------------------------------------------------------
# Excel and CSV


def test_sheet_names_are_valid_and_unique() -> None:
    names = safe_sheet_names(
        ["a" * 40, "a" * 40, "x/y:z?", "", "History", "Présentation"], reserved=["Présentation"]
    )
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert not any(set(n) & set("[]:*?/\\") for n in names)
    assert "Présentation" not in names


def test_excel_tables(tmp_path: Path) -> None:
    import openpyxl

    path = write_tables_xlsx(
        sample_sections(),
        tmp_path / "tables.xlsx",
        title="Banque",
        study_title="Observatoire",
        region="Hauts-de-France",
        wave="2019",
        date=dt.datetime(2019, 6, 1, tzinfo=dt.UTC),
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Présentation"
    assert len(book.sheetnames) == 3 and all(len(n) <= 31 for n in book.sheetnames)
    sheet = book[book.sheetnames[1]]
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Réponse")
    first = values[header + 1]
    assert first[0] == '=HYPERLINK("http://x")'  # text, not a formula
    assert cells[(header + 2, 1)].data_type == "s" and cells[(header + 2, 1)].quotePrefix
    assert first[1] == pytest.approx(0.42) and "%" in cells[(header + 2, 2)].number_format
    assert first[4] == 200
    secret = values[header + 2]
    assert secret[1:4] == ["s", "s", "s"] and secret[4] == 2 and secret[5] == "s"
    assert values[header + 4][1] == "nd"
    assert values[header + 3][5] == "(*)" and values[header + 3][1] == pytest.approx(0.3)
    assert all(
        row[0] != "+cmd" or cells[(i + 1, 1)].data_type == "s" for i, row in enumerate(values)
    )
    assert any(str(row[0]).startswith("Lecture") for row in values)
    assert sheet.freeze_panes is not None
    assert sheet.column_dimensions["A"].width > 8
    assert cells[(header + 1, 1)].font.bold


def test_indicators_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "indicator": ["ia_usage", "=cmd"],
            "level": ["", "-x"],
            "domain": ["all", "secteur=banque"],
            "statistic": ["proportion"] * 2,
            "estimate": [0.425, 0.2],
            "se": [0.01, 0.02],
            "ci_low": [0.4, 0.1],
            "ci_high": [0.45, 0.3],
            "n": [100, 4],
            "n_eff": [80.5, 3.0],
            "weighted_base": [1000.0, 9.0],
            "flag": ["", "s"],
            "extra": [1, 2],
        }
    )
    path = write_indicators_csv(frame, tmp_path / "indicators.csv", language="fr")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    # what a reader needs, not what helps an intruder (no se, n_eff, weighted_base)
    assert lines[0].split(";") == list(PUBLISHED_COLUMNS)
    assert "0,425" in lines[1]
    secret = lines[2].split(";")
    assert secret[0] == "'=cmd" and secret[1] == "'-x"
    assert secret[4:7] == ["", "", ""] and secret[7] == "4" and secret[8] == "s"
    english = write_indicators_csv(frame, tmp_path / "en.csv", language="en").read_text("utf-8-sig")
    assert english.splitlines()[1].split(",")[4] == "0.425"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33", "'+33"),
        ("-x", "'-x"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("ok", "ok"),
    ],
)
def test_neutralise_formula(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


# --------------------------------------------------------------------------------------------
# Index page


def test_index_page(tmp_path: Path) -> None:
    (tmp_path / "banque").mkdir()
    for name in ("report.html", "report.pdf", "tables.xlsx"):
        (tmp_path / "banque" / name).write_text("x")
    cards = [
        IndexCard(
            "banque",
            "Banque <b>",
            "secteur",
            [{"value": 0.42, "flag": "", "sentence": "42 % des <entreprises>"}],
        ),
        IndexCard("logiciel", "Logiciel", "secteur", [], failed="échec cellule 3"),
    ]
    page = index_html(
        cards,
        tmp_path,
        title="Obs",
        region="Hauts-de-France",
        wave="2019",
        language="fr",
        date=dt.datetime(2019, 6, 1, tzinfo=dt.UTC),
    )
    assert '<html lang="fr">' in page and "<script" not in page
    assert 'href="banque/report.html"' in page and 'href="banque/tables.xlsx"' in page
    assert 'href="banque/indicators.csv"' not in page  # absent file: no link
    assert "Banque &lt;b&gt;" in page and "&lt;entreprises&gt;" in page
    assert "42\u202f%" in page and "01/06/2019" in page
    assert "logiciel/report.html" not in page and "échec cellule 3" in page
    assert len(re.findall(r"<h1\b", page)) == 1


def test_study_like_object_is_enough_for_specs() -> None:
    from iaobs.render.matrix import build_matrix

    sector = SimpleNamespace(label=SimpleNamespace(get=lambda lang: "Transport"))
    study = SimpleNamespace(
        language="fr",
        root=Path("/s"),
        dictionary=SimpleNamespace(sectors={"transport_logistique": sector, "banque": sector}),
    )
    folder = Path(__file__).parents[1] / "_no_templates"
    specs = build_matrix(study, ["transport_logistique"], folder)
    assert [s.slug for s in specs] == ["transport-logistique"]
    assert specs[0].parameters == {
        "study_dir": "/s",
        "sector": "transport_logistique",
        "language": "fr",
    }


def test_longest_reports_are_started_first(tmp_path: Path) -> None:
    from iaobs.render.runner import longest_first

    manifest = cache.Manifest(tmp_path / "manifest.json")
    tasks = [
        {"slug": "entreprise-a", "kind": "entreprise"},
        {"slug": "qualite-donnees", "kind": "qualite"},
        {"slug": "banque", "kind": "secteur"},
        {"slug": "synthese-regionale", "kind": "synthese"},
        {"slug": "assurance", "kind": "secteur"},
    ]
    # never rendered: by kind, publication order kept among equals
    assert [t["slug"] for t in longest_first(tasks, manifest)] == [
        "synthese-regionale", "banque", "assurance", "qualite-donnees", "entreprise-a",
    ]  # fmt: skip
    # the times of the last rendering come first
    manifest.reports["assurance"] = {"seconds": 40.0}
    manifest.reports["entreprise-a"] = {"seconds": 0.5}
    order = [t["slug"] for t in longest_first(tasks, manifest)]
    assert order[0] == "assurance" and order[-1] == "entreprise-a"


def test_company_reports_key_covers_their_rules_and_catalogue(tmp_path: Path) -> None:
    """A changed training catalogue or rules file changes the company reports' data digest,
    and no other report's."""
    from iaobs.study.store import Store

    store = Store(tmp_path, "2019")
    store.reference_dir.mkdir(parents=True)
    store.training_catalogue.write_text("code,intitule\nIA-1,Découvrir l'IA\n", "utf-8")
    processed = tmp_path / "processed"
    processed.mkdir()

    def digests() -> dict[str, str]:
        manifest = cache.Manifest(tmp_path / cache.MANIFEST_NAME)
        found = cache.fingerprint_data(
            processed, tmp_path / "study.toml", manifest, store.company_report_inputs
        )
        sectors = ["banque", "assurance"]
        return {
            kind: found.data_digest(kind, "banque", sectors)
            for kind in ("entreprise", "secteur", "chiffres_cles", "synthese", "qualite")
        }

    before = digests()
    assert store.company_report_inputs[0] == Store.shipped_action_rules()  # no rules of its own
    store.training_catalogue.write_text("code,intitule\nIA-1,Découvrir l'IA en 7 h\n", "utf-8")
    after_catalogue = digests()
    assert {k for k in before if before[k] != after_catalogue[k]} == {"entreprise"}
    store.action_rules.write_text("pistes: []\n", "utf-8")  # the study's own rules
    after_rules = digests()
    assert {k for k in before if after_catalogue[k] != after_rules[k]} == {"entreprise"}
