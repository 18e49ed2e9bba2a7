"""Fieldwork follow-up: AAPOR rates by hand, the R-indicator, reminders, errors."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from iaobs.errors import InputError
from iaobs.frame.suivi import follow_up, normalise_siren


def _sample() -> pd.DataFrame:
    rows = []
    for i in range(10):
        rows.append((f"10000000{i}", "a", "tpe", "principal", 10.0))
    for i in range(10):
        rows.append((f"20000000{i}", "b", "pme", "principal", 2.0))
    rows.append(("300000000", "a", "tpe", "reserve", 10.0))
    rows.append(("300000001", "a", "tpe", "reserve", 10.0))
    return pd.DataFrame(rows, columns=["siren", "secteur", "taille", "statut", "poids_tirage"])


PLAN = pd.DataFrame(
    [("a", "tpe", 100, 5.0), ("b", "pme", 20, 3.0)],
    columns=["secteur", "taille", "n_entreprises", "repondants_attendus"],
)


def test_rates_by_hand() -> None:
    responses = pd.DataFrame(
        {
            # a: two complete (one written with spaces), one partial, a reserve unit complete
            "siren": [
                "100 000 000",
                100000001,
                "100000002",
                "300000000",
                # b: four complete, one a SIRET, a response outside the sample, none
                "200000000",
                "200000001",
                "20000000200015",
                "200000003",
                "999999999",
                None,
            ],
            "statut_reponse": [
                "complet",
                "Complet",
                "partiel",
                "complet",
                "complet",
                "complet",
                "complet",
                "complet",
                "complet",
                "complet",
            ],
        }
    )
    dispositions = pd.DataFrame(
        {
            "siren": ["100000003", "100000004", "100000005", "200000009", "300000001"],
            "disposition": ["refus", "non contact", "hors_champ", "injoignable", "autre"],
        }
    )
    result = follow_up(_sample(), responses, plan=PLAN, dispositions=dispositions)
    a = result.strata.set_index("secteur").loc["a"]
    # a: released 10 principal + 2 reserve; I = 3, P = 1, R = 1, NC = 1, O = 1, NE = 1, UO = 4
    assert (
        a["complets"],
        a["partiels"],
        a["refus"],
        a["non_contacts"],
        a["autres"],
        a["hors_champ"],
        a["eligibilite_inconnue"],
        a["lances"],
    ) == (3, 1, 1, 1, 1, 1, 4, 12)
    assert a["rr1"] == pytest.approx(3 / 11) and a["rr2"] == pytest.approx(4 / 11)
    b = result.strata.set_index("secteur").loc["b"]
    assert b["complets"] == 4 and b["eligibilite_inconnue"] == 6
    assert b["rr1"] == pytest.approx(0.4) and b["repondants"] == 4
    assert a["sous_cible"] and not b["sous_cible"] and a["ecart"] == 1
    assert result.outside_sample == 1 and result.without_siren == 1
    # R-indicator with W = (100, 20) / 120 and ρ = (4/11, 0.4)
    w, rho = [100 / 120, 20 / 120], [4 / 11, 0.4]
    mean = sum(x * y for x, y in zip(w, rho, strict=True))
    spread = math.sqrt(sum(x * (y - mean) ** 2 for x, y in zip(w, rho, strict=True)))
    assert result.r_indicator == pytest.approx(1 - 2 * spread)
    assert list(result.reminders["secteur"]) == ["a"]
    assert result.overall["rr2"] == pytest.approx(8 / 21)


def test_bad_outcome_file_is_one_line() -> None:
    bad = pd.DataFrame({"siren": ["100000003"], "disposition": ["parti en vacances"]})
    with pytest.raises(InputError, match="ligne 2, colonne « disposition » : issue inconnue"):
        follow_up(_sample(), pd.DataFrame(columns=["siren", "statut_reponse"]), dispositions=bad)
    missing = pd.DataFrame({"siren": ["100000003"]})
    with pytest.raises(InputError, match="colonne « disposition » absente"):
        follow_up(
            _sample(), pd.DataFrame(columns=["siren", "statut_reponse"]), dispositions=missing
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("552 100 554", "552100554"),
        (552100554.0, "552100554"),
        ("55210055400013", "552100554"),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("abc", None),
        (5012, "000005012"),
    ],
)
def test_normalise_siren(value, expected) -> None:
    assert normalise_siren(value) == expected
