"""Number formats and key-figure sentences, French and English (table-driven)."""

from __future__ import annotations

import math

import pytest

from iaobs.core.text import (
    NNBSP,
    flag_reason,
    format_decimal,
    format_interval,
    format_number,
    format_percent,
    key_figure_sentence,
    translate,
)

S = NNBSP

PERCENTS = [
    (0.4236, "fr", 0, f"42{S}%"),
    (0.4236, "en", 0, "42%"),
    (0.425, "fr", 0, f"43{S}%"),
    (0.4236, "fr", 1, f"42,4{S}%"),
    (0.4236, "en", 1, "42.4%"),
    (1.0, "fr", 0, f"100{S}%"),
    (0.0, "fr", 0, f"0{S}%"),
    (12.5, "fr", 0, f"1{S}250{S}%"),
    (None, "fr", 0, "–"),
    (math.nan, "en", 0, "–"),
]


@pytest.mark.parametrize(("value", "language", "decimals", "expected"), PERCENTS)
def test_format_percent(value, language, decimals, expected):
    assert format_percent(value, language=language, decimals=decimals) == expected


NUMBERS = [
    (1250, "fr", f"1{S}250"),
    (1250, "en", "1,250"),
    (1234567, "fr", f"1{S}234{S}567"),
    (999, "fr", "999"),
    (0, "fr", "0"),
    (-1250, "fr", f"-1{S}250"),
    (12.6, "fr", "13"),
    (None, "fr", "–"),
]


@pytest.mark.parametrize(("value", "language", "expected"), NUMBERS)
def test_format_number(value, language, expected):
    assert format_number(value, language=language) == expected


DECIMALS = [
    (3.5, "fr", 1, "3,5"),
    (3.5, "en", 1, "3.5"),
    (1250.25, "fr", 2, f"1{S}250,25"),
    (1250.25, "en", 2, "1,250.25"),
    (-0.04, "fr", 1, "0,0"),
    (2.0, "fr", 0, "2"),
]


@pytest.mark.parametrize(("value", "language", "decimals", "expected"), DECIMALS)
def test_format_decimal(value, language, decimals, expected):
    assert format_decimal(value, language=language, decimals=decimals) == expected


INTERVALS = [
    (0.35, 0.49, "fr", True, f"35{S}% – 49{S}%"),
    (0.35, 0.49, "en", True, "35%–49%"),
    (0.35, 0.49, "fr", False, "35 – 49"),
    (None, 0.49, "fr", True, "–"),
]


@pytest.mark.parametrize(("low", "high", "language", "sign", "expected"), INTERVALS)
def test_format_interval(low, high, language, sign, expected):
    assert format_interval(low, high, language=language, sign=sign) == expected


PRED = ("utilisent au moins une technologie d'IA", "use at least one AI technology")

SENTENCES = [
    (
        dict(estimate=0.42, ci_low=0.35, ci_high=0.49, n=212, flag="", comparison=0.28),
        "fr",
        f"42{S}% des entreprises du secteur (IC 95{S}% : 35{S}% – 49{S}%, n = 212) utilisent au "
        f"moins une technologie d'IA, contre 28{S}% tous secteurs confondus.",
    ),
    (
        dict(estimate=0.42, ci_low=0.35, ci_high=0.49, n=1212, flag="", comparison=0.28),
        "en",
        "42% of companies in the sector (95% CI: 35%–49%, n = 1,212) use at least one AI "
        "technology, compared with 28% across all sectors.",
    ),
    (
        dict(estimate=0.42, ci_low=0.30, ci_high=0.55, n=24, flag="prudence", comparison=None),
        "fr",
        f"42{S}% (*) des entreprises du secteur (IC 95{S}% : 30{S}% – 55{S}%, n = 24) utilisent "
        "au moins une technologie d'IA.",
    ),
    (
        dict(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n=7, flag="nd", comparison=0.28),
        "fr",
        "La part des entreprises du secteur qui utilisent au moins une technologie d'IA n'est "
        "pas publiée : effectif insuffisant (moins de 10 répondants), n = 7.",
    ),
    (
        dict(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n=2, flag="s", comparison=None),
        "en",
        "The share of companies in the sector that use at least one AI technology is not "
        "published: statistical confidentiality (fewer than 3 companies), n = 2.",
    ),
    (  # a secret cell of many respondents: hidden to protect another (or a dominant company)
        dict(
            estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n=1294, flag="s", comparison=None
        ),
        "fr",
        "La part des entreprises du secteur qui utilisent au moins une technologie d'IA n'est "
        "pas publiée : secret statistique (une entreprise prépondérante, ou secret secondaire : "
        f"masquée pour qu'une autre case ne puisse être recalculée), n = 1{S}294.",
    ),
]


@pytest.mark.parametrize(("values", "language", "expected"), SENTENCES)
def test_key_figure_sentence(values, language, expected):
    population = "in the sector" if language == "en" else "du secteur"
    label = "across all sectors" if language == "en" else "tous secteurs confondus"
    sentence = key_figure_sentence(
        PRED, population=population, comparison_label=label, language=language, **values
    )
    assert sentence == expected


def test_a_hidden_cell_never_shows_its_estimate():
    sentence = key_figure_sentence(
        PRED, estimate=0.4242, ci_low=0.3, ci_high=0.5, n=2, flag="s", population="du secteur"
    )
    assert "42" not in sentence and "secret statistique" in sentence


def test_translate_and_reasons():
    assert translate("prudence_note") == "(*) à interpréter avec prudence"
    assert translate("ci95", "fr") == f"IC 95{S}%"
    assert translate("ci95", "en") == "95% CI"
    assert "moins de 10 répondants" in flag_reason("nd")
    assert flag_reason("prudence") == ""
    with pytest.raises(KeyError):
        translate("nope")
