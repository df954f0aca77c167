"""Exporting places: national standard (CSV and JSON), GeoJSON, and Relais' own CSV (`;`, UTF-8)."""

import csv
import json

from ..models import Place
from . import mednum, relais_csv

FORMATS = ["mednum-csv", "mednum-json", "geojson", "csv"]


def export_queryset(queryset=None):
    queryset = Place.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("commune")
        .prefetch_related("typologies", "services", "publics", "labels", "commune__postal_codes")
        .order_by("source", "source_id")
    )


def _iterate(queryset, progress):
    total = queryset.count()
    for place in queryset.iterator(chunk_size=1000):
        yield place
        if progress:
            progress(1, total)


def export_places(handle, fmt, queryset=None, progress=None):
    """Write the places of `queryset` (all by default) to the text stream `handle`; returns the count."""
    queryset = export_queryset(queryset)
    count = 0
    if fmt == "mednum-csv":
        book = mednum.Codebook()
        writer = csv.DictWriter(handle, fieldnames=mednum.COLUMNS, lineterminator="\n")
        writer.writeheader()
        for place in _iterate(queryset, progress):
            writer.writerow(mednum.place_to_row(place, book))
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(handle, fieldnames=relais_csv.COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        for place in _iterate(queryset, progress):
            writer.writerow(relais_csv.place_to_row(place))
            count += 1
    elif fmt == "mednum-json":
        book = mednum.Codebook()
        items = [mednum.row_to_json(mednum.place_to_row(p, book)) for p in _iterate(queryset, progress)]
        json.dump(items, handle, ensure_ascii=False, indent=1)
        count = len(items)
    elif fmt == "geojson":
        features = []
        for place in _iterate(queryset, progress):
            properties = relais_csv.place_to_row(place)
            properties.pop("id")
            lat, lon = properties.pop("latitude"), properties.pop("longitude")
            geometry = {"type": "Point", "coordinates": [float(lon), float(lat)]} if lat else None
            features.append(
                {"type": "Feature", "id": str(place.pk), "geometry": geometry, "properties": properties}
            )
        json.dump({"type": "FeatureCollection", "features": features}, handle, ensure_ascii=False)
        count = len(features)
    else:
        raise ValueError(f"format d'export inconnu : {fmt}")
    return count
