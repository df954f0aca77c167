"""Unescape the HTML entities that earlier imports left in the places' texts ("Clic' &amp; Ressources")."""

import html
import re

from django.db import migrations
from django.db.models import Q

from relais.core.text import normalize_name

TEXT_FIELDS = (
    "name",
    "address",
    "address_complement",
    "summary",
    "description",
    "access_conditions",
    "opening_hours_notes",
    "accessibility_notes",
    "other_labels",
    "parent_organisation",
)
BATCH_SIZE = 500
MAX_ROUNDS = 5  # "&amp;amp;eacute;" needs three


# Entities ending with their ";" only (as the importer decodes them, opendata/repairs.py): "&copy" in a
# text is left alone.
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_until_stable(text):
    for _round in range(MAX_ROUNDS):
        unescaped = ENTITY.sub(lambda match: html.unescape(match.group()), text)
        if unescaped == text:
            break
        text = unescaped
    return text


def unescape_places(apps, schema_editor=None):
    """Unescape the texts of the places that contain "&" and ";"; the number of places changed."""
    place_model = apps.get_model("places", "Place")
    candidates = Q()
    for name in TEXT_FIELDS:
        candidates |= Q(**{f"{name}__contains": "&"}) & Q(**{f"{name}__contains": ";"})
    rows = place_model.objects.filter(candidates).order_by("pk")
    changed, last = 0, None
    while True:
        page = rows.filter(pk__gt=last) if last is not None else rows
        batch = list(page.select_related("commune").only("pk", "commune__name", *TEXT_FIELDS)[:BATCH_SIZE])
        if not batch:
            return changed
        for place in batch:
            values = {}
            for name in TEXT_FIELDS:
                text = getattr(place, name)
                if text and "&" in text and ";" in text:
                    unescaped = unescape_until_stable(text)
                    if unescaped != text:
                        values[name] = unescaped
            if values:
                name = values.get("name", place.name)
                parent = values.get("parent_organisation", place.parent_organisation)
                commune = place.commune.name if place.commune_id else ""
                values["search_text"] = normalize_name(" ".join(filter(None, [name, commune, parent])))
                place_model.objects.filter(pk=place.pk).update(**values)
                changed += 1
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0005_proposals_and_workflow"),
    ]

    operations = [
        migrations.RunPython(unescape_places, migrations.RunPython.noop),
    ]
