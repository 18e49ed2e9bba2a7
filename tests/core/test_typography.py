"""French typography: one pass over text and HTML, plurals from counts, points, the lint."""

from __future__ import annotations

import pytest

from iaobs.core.typography import (
    MINUS,
    NNBSP,
    format_points,
    plural,
    typeset,
    typeset_html,
    typography_faults,
)

N = NNBSP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42 %", f"42{N}%"),
        ("42%", f"42{N}%"),
        ("Lecture : voir", f"Lecture{N}: voir"),
        ("Lecture: voir", f"Lecture{N}: voir"),
        ("a ; b", f"a{N}; b"),
        ("vraiment ?", f"vraiment{N}?"),
        ("oui !", f"oui{N}!"),
        ("« IA »", f"«{N}IA{N}»"),
        ("«IA»", f"«{N}IA{N}»"),
        ("4 999 salariés", f"4{N}999{N}salariés"),
        ("1 250 000", f"1{N}250{N}000"),
        ("n = 149", f"n{N}={N}149"),
        ("IC 95 %", f"IC{N}95{N}%"),
        ("p. 12", f"p.{N}12"),
        ("écart de -3 points", f"écart de {MINUS}3{N}points"),
        ("en 2019 2020 entreprises", "en 2019 2020 entreprises"),  # not thousands
        ("2019-2020", "2019-2020"),  # a range, not a minus
        ("https://exemple.fr/a?b=1", "https://exemple.fr/a?b=1"),
        ("10:30", "10:30"),
    ],
)
def test_typeset_french(text: str, expected: str) -> None:
    assert typeset(text) == expected
    assert typeset(expected) == expected  # idempotent


def test_typeset_english_only_minus() -> None:
    assert typeset("42% : -3", "en") == f"42% : {MINUS}3"


def test_typeset_html_touches_text_and_alt_only() -> None:
    page = (
        '<p class="a:b" title="x : y">R&amp;D &quot;x&quot; ; 42 %</p>'
        '<img src="data:image/png;base64,AA==" alt="Barres : 42 %">'
        "<style>p:hover{color:red;}</style><script>var a = -1;</script>"
    )
    out = typeset_html(page)
    assert 'class="a:b"' in out and "<style>p:hover{color:red;}</style>" in out
    assert "var a = -1;" in out and 'src="data:image/png;base64,AA=="' in out
    assert f'title="x{N}: y"' in out and f'alt="Barres{N}: 42{N}%"' in out
    assert f"R&amp;D &quot;x&quot;{N}; 42{N}%" in out  # the ";" of an entity is not a semicolon
    assert typography_faults(out) == []


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "fichier", "0 fichier"),
        (1, "fichier", "1 fichier"),
        (2, "fichier", "2 fichiers"),
        (3, "tableau", "3 tableaux"),
        (2, "rapport", "2 rapports"),
        (2, "réponse", "2 réponses"),
        (5, "ligne rejetée", "5 lignes rejetées"),
        (2, "point", "2 points"),
        (1250, "entreprise", f"1{N}250 entreprises"),
    ],
)
def test_plural(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected


def test_plural_english_and_explicit() -> None:
    assert plural(0, "file", language="en") == "0 files"
    assert plural(1, "company", language="en") == "1 company"
    assert plural(2, "company", language="en") == "2 companies"
    assert plural(2, "œil", "yeux") == "2 yeux"


def test_points() -> None:
    assert format_points(0.031) == f"+3{N}points"
    assert format_points(-0.012) == f"{MINUS}1{N}point"
    assert format_points(0.071, unit=False) == "+7"
    assert format_points(-0.065, language="en", unit=False) == f"{MINUS}7"
    assert format_points(0.0) == f"0{N}point"
    assert format_points(0.2, language="en") == "+20 points"


@pytest.mark.parametrize(
    ("html", "rule"),
    [
        ("<p>42 %</p>", "espace sécable avant un signe double"),
        ("<p>42%</p>", "pourcentage collé au nombre"),
        ("<p>« IA »</p>", "guillemet ouvrant sans espace insécable"),
        ("<p>4 999</p>", "séparateur de milliers sécable"),
        ("<p>n = 3</p>", "« n = » sécable"),
        ("<p>écart -3</p>", "trait d'union pour un signe moins"),
        ("<p>3 réponse(s)</p>", "pluriel entre parenthèses"),
        ("<p>points de %</p>", "« points de % »"),
        ("<p>règle libelle_vers_code</p>", "code interne"),
        ("<p>empreinte 3f2a9c0e11b2d4e5f6a7</p>", "empreinte"),
        ('<img alt="Barres : 3">', "espace sécable avant un signe double"),
    ],
)
def test_lint_finds_each_fault(html: str, rule: str) -> None:
    assert rule in [r for r, _ in typography_faults(html)]
    assert typography_faults(typeset_html(html)) == [] or rule in (
        "code interne",
        "empreinte",
        "pluriel entre parenthèses",
        "« points de % »",
    )
