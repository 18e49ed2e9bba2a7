"""The built site: every page self-contained, the open data valid, no hidden cell published."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

PAGES = [
    "index.html",
    "explorer.html",
    "methodologie.html",
    "donnees/index.html",
    "secteurs/banque.html",
]


@pytest.mark.parametrize("name", PAGES)
def test_page_is_self_contained(site: Path, name: str) -> None:
    text = (site / name).read_text("utf-8")
    assert '<html lang="fr">' in text
    assert text.count("<h1") == 1
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert policy and "default-src 'none'" in policy.group(1)
    assert "connect-src 'none'" in policy.group(1)
    # nothing is loaded from elsewhere: no src= or stylesheet link to a URL
    assert not re.search(r'src="(https?:)?//', text)
    assert "<link" not in text


def test_report_paths_kept(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    assert 'href="banque/report.html"' in home
    assert 'href="secteurs/banque.html"' in home
    assert 'href="explorer.html"' in home


def test_sector_page_compares_with_the_region(site: Path) -> None:
    page = (site / "secteurs" / "banque.html").read_text("utf-8")
    assert 'href="../banque/report.html"' in page
    assert "Ensemble de la région" in page
    assert "▲" in page or "▼" in page or "<td>=</td>" in page


def test_home_says_what_changed(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    assert "Ce qui a changé depuis 2017" in home
    assert "+ 8\u00a0points" in home or "+ 8 points" in home


def _payload(site: Path) -> dict:
    text = (site / "explorer.html").read_text("utf-8")
    raw = re.search(r'<script type="application/json" id="iaobs-data">(.*?)</script>', text, re.S)
    assert raw
    return json.loads(raw.group(1).replace("<\\/", "</"))


def test_explorer_payload_has_no_hidden_value(site: Path, hidden_cells: set) -> None:
    data = _payload(site)
    assert {k for k, _ in data["kinds"]} >= {"secteur", "taille", "secteur×taille"}
    assert data["contrasts"] is True
    published = {
        (key.split("|")[0], key.split("|")[1], row[0])
        for key, rows in data["rows"].items()
        for row in rows
    }
    assert published and not published & hidden_cells
    flagged = [i for i in data["indicators"] if i.get("hidden")]
    assert flagged and all(len(h) == 2 for i in flagged for h in i["hidden"])
    assert any(i.get("waves") for i in data["indicators"])


def test_open_data_has_no_hidden_cell(site: Path, hidden_cells: set) -> None:
    with (site / "donnees" / "indicateurs.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    published = {(r["indicator"], r["level"], r["domain"]) for r in rows}
    assert not published & hidden_cells
    assert {r["flag"] for r in rows} <= {"", "prudence"}
    assert "weighted_base" not in rows[0] and "se" not in rows[0]
    assert all(len(r["estimate"].split(".")[-1]) <= 3 for r in rows if "." in r["estimate"])


def test_data_package_validates(site: Path) -> None:
    from frictionless import validate

    descriptor = json.loads((site / "donnees" / "datapackage.json").read_text("utf-8"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    names = {r["name"] for r in descriptor["resources"]}
    assert names == {"indicateurs", "comparaisons", "evolution", "dictionnaire"}
    report = validate(site / "donnees" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_open_data_page_cites_and_licenses(site: Path) -> None:
    page = (site / "donnees" / "index.html").read_text("utf-8")
    assert 'href="../acteurs-ia/annuaire.csv"' in page
    assert 'href="acteurs-ia/report.html"' in (site / "index.html").read_text("utf-8")
    assert "Licence Ouverte" in page and "datapackage.json" in page
    assert "Citer ces données" in page


def test_english_study_gets_an_english_site(english_site: Path) -> None:
    for name in PAGES:
        text = (english_site / name).read_text("utf-8")
        assert '<html lang="en">' in text, name
    assert "Indicator explorer" in (english_site / "explorer.html").read_text("utf-8")
    assert "What changed since 2017" in (english_site / "index.html").read_text("utf-8")
    assert '"lang":"en"' in (english_site / "explorer.html").read_text("utf-8")
