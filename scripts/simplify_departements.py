"""Build ``src/iaobs/data/departements.geojson`` from a départements GeoJSON of IGN Admin Express.

The shipped geometry is made once, by hand, with this script: it reads the départements
GeoJSON of the ``france-geojson`` project (IGN Admin Express COG 2018, Licence Ouverte /
Etalab; file ``departements-avec-outre-mer.geojson``), simplifies every border with
Douglas–Peucker *per shared arc* (two neighbours keep the same simplified border, so the map
has neither gaps nor overlaps), drops the islets smaller than a threshold, rounds coordinates to
3 decimals (about 100 m) and writes a compact GeoJSON in WGS 84.

Usage::

    python scripts/simplify_departements.py departements-avec-outre-mer.geojson \
        src/iaobs/data/departements.geojson [--tolerance 0.008]
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from itertools import pairwise

Point = tuple[float, float]


def _polygons(geometry: dict) -> list[list[list[Point]]]:
    coords = geometry["coordinates"]
    polys = [coords] if geometry["type"] == "Polygon" else coords
    return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in poly] for poly in polys]


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, -1
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _simplify_arc(arc: list[Point], tolerance: float, cache: dict) -> list[Point]:
    """Simplify one arc the same way whichever direction a ring walks it."""
    forward = arc[0] <= arc[-1] if arc[0] != arc[-1] else arc <= arc[::-1]
    canonical = tuple(arc if forward else arc[::-1])
    if canonical not in cache:
        cache[canonical] = _douglas_peucker(list(canonical), tolerance)
    out = cache[canonical]
    return out if forward else out[::-1]


def _ring_area(ring: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring))) / 2


def _simplify_ring(ring, owners, tolerance, cache) -> list[Point]:
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    n = len(pts)
    fixed = [
        owners[pts[i - 1]] != owners[pts[i]] or owners[pts[i]] != owners[pts[(i + 1) % n]]
        for i in range(n)
    ]
    starts = [i for i in range(n) if fixed[i]]
    if not starts:  # a ring nobody shares (an island, a coast): cut it at two points
        starts = [0, n // 2]
    out: list[Point] = []
    for k, s in enumerate(starts):
        e = starts[(k + 1) % len(starts)]
        arc = [pts[(s + j) % n] for j in range(((e - s) % n or n) + 1)]
        out += _simplify_arc(arc, tolerance, cache)[:-1]
    out.append(out[0])
    return out


def simplify(collection: dict, tolerance: float, min_area: float) -> dict:
    owners: dict[Point, set[str]] = defaultdict(set)
    features = [(f["properties"], _polygons(f["geometry"])) for f in collection["features"]]
    for props, polys in features:
        for poly in polys:
            for ring in poly:
                for p in ring:
                    owners[p].add(props["code"])
    frozen = {p: frozenset(s) for p, s in owners.items()}
    cache: dict = {}
    out = []
    for props, polys in sorted(features, key=lambda f: f[0]["code"]):
        largest = max(_ring_area(poly[0]) for poly in polys)
        kept = []
        for poly in polys:
            if _ring_area(poly[0]) < min_area and _ring_area(poly[0]) < largest:
                continue
            rings = [_simplify_ring(r, frozen, tolerance, cache) for r in poly]
            rings = [[[round(x, 3), round(y, 3)] for x, y in r] for r in rings if len(r) >= 4]
            if rings:
                kept.append(rings)
        out.append(
            {
                "type": "Feature",
                "properties": {"code": props["code"], "nom": props["nom"]},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    return {"type": "FeatureCollection", "features": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--tolerance", type=float, default=0.008)
    parser.add_argument("--min-area", type=float, default=0.0004)
    args = parser.parse_args()
    with open(args.source, encoding="utf-8") as handle:
        collection = json.load(handle)
    result = simplify(collection, args.tolerance, args.min_area)
    result["licence"] = (
        "IGN Admin Express COG 2018 via github.com/gregoiredavid/france-geojson, "
        "Licence Ouverte / Open Licence (Etalab); simplified for iaobs"
    )
    with open(args.target, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main()
