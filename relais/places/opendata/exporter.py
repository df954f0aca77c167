"""Exporting places: national standard (CSV and JSON), GeoJSON, and Relais' own CSV (`;`, UTF-8).

Places are read by chunks and written one by one (relais.core.tables): memory stays flat whatever the
size of the registry. In the standard, the `id` column is unique across sources (see identifiers.py).
"""

import json
from dataclasses import replace

from relais.core import tables

from ..models import Place
from . import mednum, relais_csv
from .identifiers import ExportIds

FORMATS = ["mednum-csv", "mednum-json", "geojson", "csv"]
# Relais' CSV is for spreadsheets (`;`) and for round trips: its values are written as text already.
RELAIS_CSV = replace(tables.SPREADSHEET, decimal_comma=False)


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


def _json_list(handle, items):
    """A JSON list written one object per line; returns the count."""
    handle.write("[")
    count = 0
    for item in items:
        handle.write(("," if count else "") + "\n" + json.dumps(item, ensure_ascii=False))
        count += 1
    handle.write("\n]\n")
    return count


def _geojson_feature(place):
    properties = relais_csv.place_to_row(place)
    properties.pop("id")
    lat, lon = properties.pop("latitude"), properties.pop("longitude")
    return tables.point_feature(
        float(lon) if lat else None, float(lat) if lat else None, properties, id=str(place.pk)
    )


def export_places(handle, fmt, queryset=None, progress=None, *, bom=False):
    """Write the places of `queryset` (all by default) to the text stream `handle`; returns the count.

    `bom` starts Relais' CSV with a byte-order mark, for the spreadsheets that need it to read UTF-8 (the
    export command sets it when it writes a file); the standard's CSV never has one."""
    queryset = export_queryset(queryset)
    places = _iterate(queryset, progress)
    if fmt in ("mednum-csv", "mednum-json"):
        book, ids = mednum.Codebook(), ExportIds()
        rows = (mednum.place_to_row(place, book, ids) for place in places)
        if fmt == "mednum-csv":
            return tables.write_csv(handle, rows, mednum.COLUMNS, tables.OPEN_DATA)
        return _json_list(handle, (mednum.row_to_json(row) for row in rows))
    if fmt == "csv":
        rows = (relais_csv.place_to_row(place) for place in places)
        return tables.write_csv(handle, rows, relais_csv.COLUMNS, replace(RELAIS_CSV, bom=bom))
    if fmt == "geojson":
        return tables.write_geojson(handle, (_geojson_feature(place) for place in places))
    raise ValueError(f"format d'export inconnu : {fmt}")
