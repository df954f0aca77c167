"""Relais' own CSV: every field of a place, codes for vocabularies, `|` between list values.

It round-trips exactly (export, then import into an empty registry, gives the same places back, ids
included), which the national standard cannot do for what it does not describe.
"""

from ..services import LIST_FIELDS, SNAPSHOT_FIELDS, VOCABULARY_MODELS, snapshot

COLUMNS = ["id", *SNAPSHOT_FIELDS]
LIST_COLUMNS = {*VOCABULARY_MODELS, *LIST_FIELDS, "emails", "websites"}
REQUIRED = ["name", "code_insee", "source_id"]


def place_to_row(place):
    data = snapshot(place)
    row = {"id": str(place.pk)}
    for name in SNAPSHOT_FIELDS:
        value = data[name]
        if name in LIST_COLUMNS:
            row[name] = "|".join(value)
        elif isinstance(value, bool):
            row[name] = "1" if value else "0"
        elif value is None:
            row[name] = ""
        elif isinstance(value, float):
            row[name] = repr(value)
        else:
            row[name] = str(value)
    return row


def row_to_data(row):
    data = {}
    for name in SNAPSHOT_FIELDS:
        if name not in row:
            continue
        value = row[name]
        if name in LIST_COLUMNS:
            data[name] = [v for v in value.split("|") if v]
        elif name in ("location_approximate", "is_demo"):
            data[name] = value.strip().lower() in {"1", "true", "oui", "vrai"}
        else:
            data[name] = value
    return data
