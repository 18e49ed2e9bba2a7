"""The shipped département geometry, region maps and the Lambert-93 → WGS 84 conversion."""

from __future__ import annotations

import math

import pytest

from iaobs.core import geo


def test_every_departement_has_a_shape_and_a_region() -> None:
    shapes = geo.departement_shapes()
    assert len(shapes) == 101
    assert {"01", "2A", "2B", "59", "971", "976"} <= set(shapes)
    assert all(s.region for s in shapes.values())
    assert all(ring[0] == ring[-1] for s in shapes.values() for p in s.polygons for ring in p)


def test_region_codes_ignore_accents_case_and_dashes() -> None:
    assert geo.region_codes("hauts de france") == ("02", "59", "60", "62", "80")
    assert geo.region_codes("Île-de-France") == ("75", "77", "78", "91", "92", "93", "94", "95")
    assert geo.region_codes("Atlantide") == ()


def test_unknown_code_is_named() -> None:
    with pytest.raises(KeyError, match="« 100 »"):
        geo.departement_shapes(["59", "100"])
    assert set(geo.departement_shapes(["2"])) == {"02"}


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        (3.0573, 50.6292, "59"),  # Lille
        (2.2945, 48.8584, "75"),  # Tour Eiffel
        (2.2958, 49.8942, "80"),  # Amiens
        (1.4442, 43.6047, "31"),  # Toulouse
        (8.9726, 41.6216, "2A"),  # Sartène
        (9.1494, 42.3063, "2B"),  # Corte
        (-61.5340, 16.2411, "971"),  # Pointe-à-Pitre
        (-6.0, 47.5, None),  # the Atlantic
    ],
)
def test_departement_of_known_points(lon: float, lat: float, code: str | None) -> None:
    assert geo.departement_of_point(lon, lat) == code


@pytest.mark.parametrize(
    ("x", "y", "lon", "lat", "tolerance"),
    [
        (700_000.0, 6_600_000.0, 3.0, 46.5, 1e-9),  # the projection's origin, exact by definition
        (648_237.0, 6_862_272.0, 2.2945, 48.8584, 2e-3),  # Tour Eiffel (IGN, rounded)
    ],
)
def test_lambert93_to_wgs84_known_points(x, y, lon, lat, tolerance) -> None:
    lons, lats = geo.lambert93_to_wgs84([x], [y])
    assert abs(lons[0] - lon) < tolerance and abs(lats[0] - lat) < tolerance


def test_lambert93_missing_coordinates_give_nan() -> None:
    lons, lats = geo.lambert93_to_wgs84([float("nan"), 704_000.0], [7_059_000.0, 7_059_000.0])
    assert math.isnan(lons[0]) and math.isnan(lats[0])
    assert geo.departement_of_point(lons[1], lats[1]) == "59"  # Lille's Lambert-93 coordinates


def test_region_map_draws_every_departement_with_points_and_values() -> None:
    shapes = geo.region_shapes("Hauts-de-France")
    fig = geo.region_map(
        shapes,
        values={"59": 10, "62": 3},
        points=[(3.06, 50.63, 4), (2.3, 49.9, 1)],
        legend="Établissements",
    )
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"Nord", "Pas-de-Calais", "Somme", "Oise", "Aisne"} <= texts
    assert len(ax.collections) >= 1  # the points
    x0, x1 = ax.get_xlim()
    assert x0 < 1.4 and x1 > 4.2  # the region's extent
    import matplotlib.pyplot as plt

    plt.close(fig)


@pytest.mark.parametrize(
    ("commune", "departement", "code"),
    [
        ("59350", None, "59"),  # Lille by its code
        ("Lille", "59", "59"),
        ("villeneuve d'ascq", "59", "59"),  # accents, case and punctuation ignored
        ("75108", None, "75"),  # an arrondissement of Paris: the commune's centroid
        ("13201", None, "13"),
        ("Amiens", None, "80"),  # a name unique in France needs no département
    ],
)
def test_commune_point_falls_in_its_departement(commune, departement, code) -> None:
    point = geo.commune_point(commune, departement)
    assert point is not None
    assert geo.departement_of_point(*point) == code


def test_commune_point_unknown_or_ambiguous() -> None:
    assert geo.commune_point("Nulle-Part-sur-Mer") is None
    assert geo.commune_point("Saint-Martin") is None  # many communes share the name
    assert geo.commune_point("") is None
    assert geo.departement_of_commune("2A004") == "2A"
    assert geo.departement_of_commune("97411") == "974"
