"""What the public page of a merged place says of its sources (open data, shown to everyone): each list
with the date its data was current and what it gave, what was changed on Relais since, and what the lists
disagree on with the value kept. The records are dedup.py's `PlaceSourceRecord` rows; the disagreements
are those `dedup_core.merge_values` finds, as the last merge did."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import dedup_core as core
from . import services
from .dedup import _candidates, _readable_conflicts
from .models import Place, PlaceSourceRecord


@dataclass
class SourceLine:
    source: str
    source_id: str
    confirmed_on: datetime.date | None
    fields: list  # French names of the place's fields whose current value this source gave


@dataclass
class PlaceSources:
    lines: list  # SourceLine, newest confirmed first
    edited: list  # French names of the fields changed on Relais since a source gave them
    conflicts: list  # {"field", "kept", "kept_from", "others": [(source name, value)]}, values as text


def with_source_flag(queryset):
    """`queryset` with `has_source_records` on each place (whether it was merged from several sources), so
    that the place page asks for the sources of merged places only (no query more for the others)."""
    records = PlaceSourceRecord.objects.filter(place=OuterRef("pk"))
    return queryset.annotate(has_source_records=Exists(records))


def field_name(name):
    """The French name of a field of a place (its verbose name)."""
    try:
        return str(Place._meta.get_field("commune" if name == "code_insee" else name).verbose_name)
    except FieldDoesNotExist:
        return name


def _shown(name, value):
    if name == "status":
        return str(dict(Place._meta.get_field("status").choices).get(value, value))
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, float):
        return f"{value:.5f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _still_given(name, given, now):
    """Whether the place's value `now` is still what a source gave (`given`), whatever the cleaning did to
    its spelling; a list (typologies, e-mails…) still holds every item the source gave."""
    if isinstance(given, list) and isinstance(now, list):
        return {core.fold(str(v)) for v in given} <= {core.fold(str(v)) for v in now}
    if name == "phone":
        return core.clean_phone(given) == core.clean_phone(now)
    return core._same(given, now)


def place_sources(place):
    """The sources of a merged place for its public page (they are open data: shown to everyone): each
    source with the date its data was current and what it gave (fields taken together named once:
    position, address, hours), what was changed on Relais since, and what the sources disagree on with the
    value kept. None for a place of one source (no query when `place` comes from `with_source_flag`, one
    otherwise)."""
    if getattr(place, "has_source_records", True) is False:
        return None
    records = list(PlaceSourceRecord.objects.filter(place=place))
    if not records:
        return None
    current = services.snapshot(place)
    lines, edited = [], []
    for r in records:  # the model's order: newest confirmed first
        fields = []
        for name in r.fields_kept:
            if name in UNSHOWN_FIELDS:
                continue
            shown = _part_name(name)
            if not _still_given(name, r.data.get(name), current.get(name)):
                edited.append(shown)
            elif shown not in fields:
                fields.append(shown)
        lines.append(SourceLine(r.source or "Relais", r.source_id, r.confirmed_on, fields))
    candidates = _candidates(place, records)
    data_of = {c.label: c.data for c in candidates}
    merged = core.merge_values(candidates)
    names = _readable_conflicts(merged.conflicts, records)
    conflicts = []
    for raw, readable in zip(merged.conflicts, names, strict=True):
        name = raw["field"]
        if name in UNSHOWN_FIELDS:
            continue
        kept = _shown_value(name, raw["kept"], merged.values)
        others = [
            (label, _shown_value(name, value, data_of.get(raw_label, {})))
            for (raw_label, value), (label, _value) in zip(raw["others"], readable["others"], strict=True)
        ]
        conflicts.append(
            {"field": _part_name(name), "kept": kept, "kept_from": readable["kept_from"], "others": others}
        )
    return PlaceSources(lines=lines, edited=list(dict.fromkeys(edited)), conflicts=conflicts)


# Fields of the place's data that tell nothing to a visitor about where its information comes from.
UNSHOWN_FIELDS = frozenset({"data_updated_on", "status", "location_approximate"})
PART_NAMES = {"position": gettext_lazy("position"), "address": gettext_lazy("adresse")}


def _part_name(name):
    """A field's French name, or the name of the fields it is taken together with (position, address)."""
    for group, members in core.FIELD_GROUPS.items():
        if name in members and group in PART_NAMES:
            return str(PART_NAMES[group])
    return field_name(name)


def _shown_value(name, value, data):
    if name == "latitude":  # a position is its two coordinates
        longitude = data.get("longitude")
        return f"{value:.5f}, {longitude:.5f}" if isinstance(longitude, float) else _shown(name, value)
    return _shown(name, value)
