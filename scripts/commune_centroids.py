"""Build ``src/iaobs/data/communes.csv.gz``: every commune's code, name and centroid (WGS 84).

Made once, by hand, from the per-département commune GeoJSON files of the ``france-geojson``
project (IGN Admin Express COG 2018, Licence Ouverte / Etalab): the centroid of each commune's
largest piece of land, rounded to 3 decimals (about 100 m). iaobs places an actor at its
commune's centroid when SIRENE gives no Lambert-93 coordinates.

Usage::

    python scripts/commune_centroids.py communes-*.geojson src/iaobs/data/communes.csv.gz
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from itertools import pairwise


def _area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def _centroid(ring):
    a = _area(ring)
    if a == 0:
        return ring[0][0], ring[0][1]
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairwise(ring))
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairwise(ring))
    return cx / (6 * a), cy / (6 * a)


def main() -> None:
    *sources, target = sys.argv[1:]
    rows = []
    for source in sources:
        with open(source, encoding="utf-8") as handle:
            for feature in json.load(handle)["features"]:
                geometry = feature["geometry"]
                polys = (
                    [geometry["coordinates"]]
                    if geometry["type"] == "Polygon"
                    else geometry["coordinates"]
                )
                outer = max((p[0] for p in polys), key=lambda r: abs(_area(r)))
                lon, lat = _centroid([(float(x), float(y)) for x, y, *_ in outer])
                props = feature["properties"]
                rows.append((props["code"], props["nom"], f"{lon:.3f}", f"{lat:.3f}"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "nom", "lon", "lat"])
    writer.writerows(sorted(set(rows)))
    with gzip.GzipFile(target, "wb", mtime=0) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()
