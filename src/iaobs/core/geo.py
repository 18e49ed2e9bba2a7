"""French départements as shapes, maps of a region, and coordinates converted to WGS 84.

The geometry is shipped with the package (``iaobs/data/departements.geojson``): the 101
départements of IGN Admin Express COG 2018, as published in GeoJSON by the ``france-geojson``
project, simplified for iaobs by ``scripts/simplify_departements.py`` (borders about 1 km
precise, neighbours sharing the same border). Licence Ouverte / Open Licence (Etalab): reuse
is free with the source named — every map drawn here says « Fond de carte : IGN Admin Express
2018, simplifié ».

Typical use::

    from iaobs.core import geo

    shapes = geo.region_shapes("Hauts-de-France")          # {code: DepartementShape}
    fig = geo.region_map(shapes, values={"59": 120, "62": 45}, legend="Entreprises")
    lon, lat = geo.lambert93_to_wgs84([652_000.0], [6_862_000.0])

Only the standard library is imported at module level; matplotlib, numpy and pyproj are loaded
by the functions that need them.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from iaobs.core.resources import package_path

__all__ = [
    "MAP_SOURCE",
    "MAP_SOURCE_EN",
    "DepartementShape",
    "commune_name",
    "commune_point",
    "departement_of_commune",
    "departement_of_point",
    "departement_shapes",
    "draw_departements",
    "lambert93_to_wgs84",
    "region_codes",
    "region_map",
    "region_shapes",
]

#: The credit line every map of a département geometry carries (French).
MAP_SOURCE = "Fond de carte : IGN Admin Express 2018 (Licence Ouverte), simplifié"
#: The same line in an English report.
MAP_SOURCE_EN = "Base map: IGN Admin Express 2018 (Licence Ouverte / Open Licence), simplified"

Point = tuple[float, float]
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # outer ring first, then holes


@dataclass(frozen=True)
class DepartementShape:
    """One département: its code (``02``, ``2A``, ``971``), name, region and outline.

    ``polygons`` holds one polygon per piece of land (islands apart); each polygon is its outer
    ring then its holes; each ring a closed sequence of (longitude, latitude) in degrees, WGS 84.
    """

    code: str
    name: str
    region: str
    polygons: tuple[Polygon, ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min longitude, min latitude, max longitude, max latitude)."""
        xs = [x for poly in self.polygons for x, _ in poly[0]]
        ys = [y for poly in self.polygons for _, y in poly[0]]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def label_point(self) -> Point:
        """Where to write the département's name: the centroid of its largest piece of land."""
        largest = max(self.polygons, key=lambda poly: abs(_signed_area(poly[0])))
        x, y = _centroid(largest[0])
        if _in_ring(x, y, largest[0]):
            return x, y
        return _widest_middle(largest[0], y)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point (degrees, WGS 84) falls inside the département (holes excluded)."""
        for poly in self.polygons:
            if _in_ring(lon, lat, poly[0]) and not any(_in_ring(lon, lat, h) for h in poly[1:]):
                return True
        return False


def _signed_area(ring: Ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def _centroid(ring: Ring) -> Point:
    area = _signed_area(ring)
    if area == 0:
        return ring[0]
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairwise(ring))
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairwise(ring))
    return cx / (6 * area), cy / (6 * area)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _widest_middle(ring: Ring, y: float) -> Point:
    """The middle of the widest stretch of a ring's interior along the latitude ``y``."""
    cuts = sorted(
        x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        for (x1, y1), (x2, y2) in pairwise(ring)
        if (y1 > y) != (y2 > y)
    )
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    if not pairs:
        return ring[0]
    a, b = max(pairs, key=lambda p: p[1] - p[0])
    return (a + b) / 2, y


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "", text)


@cache
def _regions() -> dict[str, tuple[str, str]]:
    """code → (name, region) from the package's list of départements."""
    text = package_path("data", "departements.csv").read_text("utf-8")
    return {r["code"]: (r["nom"], r["region"]) for r in csv.DictReader(io.StringIO(text))}


@cache
def _all_shapes() -> dict[str, DepartementShape]:
    data = json.loads(package_path("data", "departements.geojson").read_text("utf-8"))
    names = _regions()
    shapes = {}
    for feature in data["features"]:
        code = feature["properties"]["code"]
        polygons = tuple(
            tuple(tuple((float(x), float(y)) for x, y in ring) for ring in poly)
            for poly in feature["geometry"]["coordinates"]
        )
        name, region = names.get(code, (feature["properties"]["nom"], ""))
        shapes[code] = DepartementShape(code, name, region, polygons)
    return shapes


def departement_shapes(codes: Iterable[str] | None = None) -> dict[str, DepartementShape]:
    """The shapes of the départements named by their codes (all 101 when ``codes`` is None).

    Codes are official (``02``, ``2A``, ``971``); ``2`` is read as ``02``. An unknown code raises
    :class:`KeyError` naming it.
    """
    every = _all_shapes()
    if codes is None:
        return dict(every)
    out = {}
    for raw in codes:
        code = str(raw).strip().upper()
        code = code.zfill(2) if code.isdigit() and len(code) < 2 else code
        if code not in every:
            raise KeyError(f"département inconnu « {raw} »")
        out[code] = every[code]
    return out


def region_codes(region: str) -> tuple[str, ...]:
    """The codes of the départements of a region named as usual (accents, case, dashes ignored).

    ``region_codes("hauts de france")`` → ``("02", "59", "60", "62", "80")``; an unknown region
    gives an empty tuple.
    """
    key = _fold(region)
    return tuple(code for code, (_, reg) in _regions().items() if _fold(reg) == key)


def region_shapes(region: str) -> dict[str, DepartementShape]:
    """The shapes of the départements of a region (see :func:`region_codes`)."""
    return departement_shapes(region_codes(region))


def departement_of_point(
    lon: float, lat: float, shapes: Mapping[str, DepartementShape] | None = None
) -> str | None:
    """The code of the département holding a point (WGS 84 degrees), or None outside them all."""
    for code, shape in (shapes or _all_shapes()).items():
        x0, y0, x1, y1 = shape.bounds
        if x0 <= lon <= x1 and y0 <= lat <= y1 and shape.contains(lon, lat):
            return code
    return None


# SIRENE codes the arrondissements of Paris, Lyon and Marseille; the centroids are by commune.
_ARRONDISSEMENTS = (
    (re.compile(r"^751\d\d$"), "75056"),
    (re.compile(r"^6938\d$"), "69123"),
    (re.compile(r"^132\d\d$"), "13055"),
)


@cache
def _communes() -> tuple[dict[str, tuple[str, Point]], dict[tuple[str, str], str]]:
    """code → (name, centroid) and (département, folded name) → code, from the package's list."""
    raw = gzip.decompress(package_path("data", "communes.csv.gz").read_bytes()).decode("utf-8")
    by_code: dict[str, tuple[str, Point]] = {}
    by_name: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        code = row["code"]
        by_code[code] = (row["nom"], (float(row["lon"]), float(row["lat"])))
        by_name.setdefault((departement_of_commune(code), _fold(row["nom"])), code)
    return by_code, by_name


def departement_of_commune(code: str) -> str:
    """The département of an official commune code (``59350`` → ``59``, ``2A004`` → ``2A``,
    ``97411`` → ``974``)."""
    code = str(code).strip().upper()
    return code[:3] if code.startswith("97") else code[:2]


def commune_name(code: str) -> str | None:
    """The name of a commune by its official code (arrondissements: their commune), or None."""
    key = str(code).strip().upper()
    for pattern, parent in _ARRONDISSEMENTS:
        if pattern.match(key):
            key = parent
    found = _communes()[0].get(key)
    return found[0] if found else None


def commune_point(commune: str, departement: str | None = None) -> Point | None:
    """The centroid (longitude, latitude) of a commune named by its code or by its name.

    A code is the official one (``59350``; the arrondissements of Paris, Lyon and Marseille
    are placed at their commune). A name is matched without accents, case or dashes, within
    ``departement`` when given (two communes of France may share a name). None when unknown.
    The centroids are those of IGN Admin Express 2018: a commune merged since then is found
    by its 2018 code or name only.
    """
    by_code, by_name = _communes()
    key = str(commune).strip()
    if not key:
        return None
    for pattern, parent in _ARRONDISSEMENTS:
        if pattern.match(key):
            key = parent
    if key.upper() in by_code:
        return by_code[key.upper()][1]
    folded = _fold(key)
    if departement:
        code = by_name.get((str(departement).strip().upper().zfill(2), folded))
        return by_code[code][1] if code else None
    matches = [c for (_, name), c in by_name.items() if name == folded]
    return by_code[matches[0]][1] if len(matches) == 1 else None


def lambert93_to_wgs84(x: Sequence[float] | Any, y: Sequence[float] | Any) -> tuple[Any, Any]:
    """Lambert-93 (EPSG:2154, metres, as SIRENE publishes them) → WGS 84 (EPSG:4326, degrees).

    Returns two numpy arrays (longitudes, latitudes); a missing input gives NaN.
    """
    import numpy as np  # lazy: numpy is not needed to read the geometry
    from pyproj import Transformer  # lazy: pyproj loads the PROJ database, only for SIRENE points

    transformer = _transformer(Transformer)
    xs = np.asarray(x, dtype="float64")
    ys = np.asarray(y, dtype="float64")
    lon, lat = transformer.transform(xs, ys)
    bad = ~(np.isfinite(xs) & np.isfinite(ys))
    lon, lat = np.where(bad, np.nan, lon), np.where(bad, np.nan, lat)
    return lon, lat


@cache
def _transformer(cls: Any) -> Any:
    return cls.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _extent(shapes: Mapping[str, DepartementShape], margin: float) -> tuple[float, ...]:
    bounds = [s.bounds for s in shapes.values()]
    x0, y0 = min(b[0] for b in bounds), min(b[1] for b in bounds)
    x1, y1 = max(b[2] for b in bounds), max(b[3] for b in bounds)
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def draw_departements(
    ax: Any,
    shapes: Mapping[str, DepartementShape],
    *,
    values: Mapping[str, float] | None = None,
    cmap: Any = None,
    vmax: float | None = None,
    facecolor: str = "#EDEDED",
    edgecolor: str = "#FFFFFF",
    linewidth: float = 0.8,
    labels: bool = True,
    context: bool = True,
    fontsize: float = 7.5,
) -> Any:
    """Draw départements on a matplotlib axis, in a plate carrée scaled for the latitude.

    Parameters
    ----------
    ax
        A matplotlib axis; its aspect and limits are set to the départements drawn.
    shapes
        The départements to draw (e.g. :func:`region_shapes`).
    values
        Optional value by département code: the fill follows ``cmap`` from 0 to ``vmax`` (the
        largest value by default); départements without a value are filled with ``facecolor``.
    context
        Also draw, in a lighter tone and without labels, the neighbouring départements that fall
        inside the frame (the coast and the borders then read as such).

    Returns
    -------
    The :class:`matplotlib.colors.Normalize` used for ``values`` (None without values), for a
    colour bar.
    """
    from matplotlib.colors import Normalize  # lazy: matplotlib only when a map is drawn
    from matplotlib.patches import Polygon as Patch  # lazy: as above

    x0, x1, y0, y1 = _extent(shapes, 0.04)
    if context:
        for code, shape in _all_shapes().items():
            bx0, by0, bx1, by1 = shape.bounds
            if code in shapes or bx1 < x0 or bx0 > x1 or by1 < y0 or by0 > y1:
                continue
            for poly in shape.polygons:
                ax.add_patch(Patch(poly[0], closed=True, fc="#F7F7F7", ec="#DDDDDD", lw=0.5))
    norm = None
    if values:
        import matplotlib  # lazy: as above

        cmap = matplotlib.colormaps.get_cmap(cmap or "Blues")
        top = vmax if vmax is not None else max([float(v) for v in values.values()] + [1.0])
        norm = Normalize(vmin=0, vmax=top)
    for code, shape in shapes.items():
        fill = facecolor
        if norm is not None and values is not None and code in values:
            fill = cmap(norm(float(values[code])))
        for poly in shape.polygons:
            ax.add_patch(Patch(poly[0], closed=True, fc=fill, ec=edgecolor, lw=linewidth))
        if labels:
            lx, ly = shape.label_point
            ax.text(
                lx,
                ly,
                shape.name,
                ha="center",
                va="center",
                fontsize=fontsize,
                color="#1A1A1A",
                zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_axis_off()
    return norm


def region_map(
    shapes: Mapping[str, DepartementShape],
    *,
    values: Mapping[str, float] | None = None,
    points: Any = None,
    legend: str | None = None,
    width_in: float = 16 / 2.54,
    cmap: Any = None,
    labels: bool = True,
) -> Any:
    """A matplotlib figure of a region: its départements, optionally filled and with points.

    Parameters
    ----------
    shapes
        The départements (e.g. ``region_shapes(study.region)``).
    values
        Optional value by département code (a choropleth: counts, shares…); ``legend`` titles
        its colour bar.
    points
        Optional points: a sequence of (longitude, latitude) or of (longitude, latitude, value)
        — a value gives a proportional symbol (area proportional to it, the largest 500 pt²).
    width_in
        Figure width in inches (16 cm by default, the reports' text width).

    The figure carries no title (the report captions it) and no source line (the caption's
    « Source » line names :data:`MAP_SOURCE`).
    """
    import matplotlib.pyplot as plt  # lazy: matplotlib only when a map is drawn

    x0, x1, y0, y1 = _extent(shapes, 0.04)
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))
    ratio = (y1 - y0) * aspect / max(x1 - x0, 1e-9)
    usable = 0.8 if values else 1.0  # the colour bar takes a fifth of the width
    height = min(max(width_in * usable * ratio, 2.5), 9.0)
    fig, ax = plt.subplots(figsize=(width_in, height))
    norm = draw_departements(ax, shapes, values=values, cmap=cmap, labels=labels)
    if points is not None and len(points):
        pts = [tuple(p) for p in points]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        if len(pts[0]) > 2:  # area proportional to the value, the largest disc 500 pt²
            top = max(max(float(p[2]) for p in pts), 1e-9)
            sizes: Any = [max(float(p[2]), 0.0) / top * 500 for p in pts]
        else:
            sizes = 10
        ax.scatter(
            xs, ys, s=sizes, c="#D55E00", alpha=0.75, edgecolors="white", linewidths=0.4, zorder=4
        )
    if norm is not None:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap or "Blues")
        bar = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.01)
        if legend:
            bar.set_label(legend)
    fig.tight_layout()
    return fig
