"""The `id` column of the national standard: unique across the sources of the registry.

The standard's `id` is "a unique local identifier" and the primary key of its Table Schema. Relais gathers
several sources whose identifiers are unique only within each source (in the 2022 list, `di-1003` is both
a Hinaura place and a siao one). So an exported id is the place's id in its source, qualified by that
source — `di-1003@mediation-numerique-2022-siao` — when another source of the registry uses the same id
(or when the plain id would equal such a qualified one). The qualifier is the source's slug, followed by
a short digest of the source's name when two sources of the registry share a slug.

Ids are computed over the whole registry, so an export of part of it gives the same ids. The import
reverses them: a row whose id ends with its own source's qualifier gets its id in the source back, so that
re-importing an export updates the same places and never merges two of them.
"""

import hashlib

from django.db.models import Count
from django.utils.text import slugify

from ..models import Place

SEPARATOR = "@"
QUERY_CHUNK = 1000


def qualifiers(source):
    """The two qualifiers a source can have: its slug, and its slug with a digest of its name."""
    slug = slugify(source) or "relais"
    return slug, f"{slug}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"


def source_id_from(exported_id, source):
    """The id in the source of a row of the standard (`exported_id` less its source's qualifier)."""
    for qualifier in qualifiers(source or ""):
        suffix = SEPARATOR + qualifier
        if len(exported_id) > len(suffix) and exported_id.endswith(suffix):
            return exported_id[: -len(suffix)]
    return exported_id


class ExportIds:
    """Exported ids of the registry's places; `of(place)` for each place exported."""

    def __init__(self):
        slugs = {}
        for source in Place.objects.order_by().values_list("source", flat=True).distinct():
            slugs.setdefault(qualifiers(source)[0], []).append(source)
        self.qualifier = {
            source: qualifiers(source)[len(same) > 1] for same in slugs.values() for source in same
        }
        shared = (
            Place.objects.order_by()
            .values("source_id")
            .annotate(sources=Count("source", distinct=True))
            .filter(sources__gt=1)
            .values_list("source_id", flat=True)
        )
        self.qualified = {}
        pending = set(shared)
        while pending:  # qualified ids may in turn equal plain ids: qualify those too, until none does
            new = {}
            pending = sorted(pending)
            for start in range(0, len(pending), QUERY_CHUNK):
                keys = Place.objects.filter(source_id__in=pending[start : start + QUERY_CHUNK])
                for key in keys.values_list("source", "source_id"):
                    if key not in self.qualified:
                        new[key] = f"{key[1]}{SEPARATOR}{self.qualifier[key[0]]}"
            self.qualified.update(new)
            pending = set(new.values())

    def of(self, place):
        return self.qualified.get((place.source, place.source_id), place.source_id)
