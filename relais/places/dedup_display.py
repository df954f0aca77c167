"""What the review queue of possible duplicates shows: the two records field by field, as the place page
writes them (hours as a week, phones in their national form), and the message after a merge.

Plain functions over places and a `dedup.MergeResult`, no HTTP: `dedup_views` renders them.
"""

from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.templatetags.relais_text import semicolon

from .dedup_sources import field_name
from .hours import place_hours
from .validators import format_phone

COMPARED = [
    ("name", gettext_lazy("Nom")),
    ("status", gettext_lazy("Statut")),
    ("address", gettext_lazy("Adresse")),
    ("postal_code", gettext_lazy("Code postal")),
    ("commune", gettext_lazy("Commune")),
    ("position", gettext_lazy("Position")),
    ("phone", gettext_lazy("Téléphone")),
    ("emails", gettext_lazy("E-mails")),
    ("websites", gettext_lazy("Sites web")),
    ("opening_hours", gettext_lazy("Horaires")),
    ("siret", gettext_lazy("SIRET")),
    ("typologies", gettext_lazy("Typologies")),
    ("labels", gettext_lazy("Labels")),
    ("source", gettext_lazy("Source")),
    ("data_updated_on", gettext_lazy("Données à jour au")),
]


@dataclass
class Shown:
    """One record's value of a field: the lines a person reads, and the raw value when it differs from
    them (OSM hours, an E.164 phone number), for the network admin who wants the stored data."""

    lines: list = field(default_factory=list)
    raw: str = ""


def hours_lines(place):
    """The place's ordinary week as the place page reads it, consecutive days of the same hours together:
    ["du lundi au vendredi : 9 h 00 – 12 h 00, 14 h 00 – 17 h 00", "samedi et dimanche : Fermé"]; [] when
    the hours cannot be read (the raw expression is shown instead)."""
    hours = place_hours(place) if place.commune_id else None
    if hours is None or not hours.valid:
        return []
    runs = []  # [first day, last day, text]
    for day in hours.regular_days:
        text = day.ordinary_text
        if runs and runs[-1][2] == text:
            runs[-1][1] = day
        else:
            runs.append([day, day, text])
    lines = []
    for first, last, text in runs:
        if first is last:
            days = first.weekday
        elif last.date.weekday() - first.date.weekday() == 1:
            days = _("%(first)s et %(last)s") % {"first": first.weekday, "last": last.weekday}
        else:
            days = _("du %(first)s au %(last)s") % {"first": first.weekday, "last": last.weekday}
        lines.append(_("%(days)s : %(hours)s") % {"days": capfirst(days), "hours": text})
    return lines


def _shown(place, name):
    if name == "status":
        return Shown([place.get_status_display()])
    if name == "commune":
        return Shown([place.commune.name] if place.commune_id else [])
    if name == "position":
        if place.latitude is None:
            return Shown()
        text = f"{place.latitude:.5f}, {place.longitude:.5f}"
        return Shown([text + (" " + _("(approximative)") if place.location_approximate else "")])
    if name in ("emails", "websites"):
        return Shown(list(getattr(place, name) or []))
    if name in ("typologies", "labels"):
        names = ", ".join(t.name for t in getattr(place, name).all())
        return Shown([names] if names else [])
    if name == "data_updated_on":
        return Shown([place.data_updated_on.strftime("%d/%m/%Y")] if place.data_updated_on else [])
    if name == "phone":
        shown = format_phone(place.phone)
        return Shown([shown] if shown else [], place.phone if place.phone != shown else "")
    if name == "opening_hours":
        if not place.opening_hours:
            return Shown()
        return Shown(hours_lines(place) or [place.opening_hours], place.opening_hours)
    value = str(getattr(place, name) or "")
    return Shown([value] if value else [])


def _key(shown):
    """What is compared: the stored value when there is one, else what is read (case and spaces aside)."""
    return (shown.raw or " ".join(shown.lines)).strip().lower()


def compared_rows(a, b):
    """The rows of the side-by-side table: label, each record's `Shown` value, whether they differ."""
    rows = []
    for name, label in COMPARED:
        va, vb = _shown(a, name), _shown(b, name)
        rows.append({"name": name, "label": label, "a": va, "b": vb, "differs": _key(va) != _key(vb)})
    return rows


def _source_name(record):
    """Where a kept value comes from: « la liste « X » », or the Relais record itself."""
    if record is None or not record.source:
        return _("la fiche Relais")
    return _("la liste « %(source)s »") % {"source": record.source}


def _conflict_value(place, conflict):
    value = conflict["kept"]
    if conflict["field"] == "latitude" and isinstance(value, float) and place.longitude is not None:
        return f"{value:.5f}, {place.longitude:.5f}"
    if conflict["field"] == "phone":
        return format_phone(value)
    if conflict["field"] == "opening_hours" and value == place.opening_hours:
        return " / ".join(hours_lines(place)) or str(value)
    if conflict["field"] == "status":
        return place.get_status_display()
    return str(value)


def _conflict_label(name):
    if name == "latitude":
        return _("position")
    return field_name(name)


def merge_message(result):
    """What the network admin reads after a merge: one record now, the name it has and where that name
    comes from (and the name set aside), and the value kept wherever the two records disagreed, with its
    source. The place chosen « to keep » keeps its address and its team, but its data is the newest
    confirmed one field by field: the name may well be the other record's."""
    place = result.place
    values = {"name": place.name, "source": _source_name(result.provenance.get("name"))}
    others = [str(v) for c in result.conflicts if c["field"] == "name" for _label, v in c["others"]]
    if others:
        values["other"] = others[0]
        text = _(
            "Fusion faite : les deux fiches sont réunies en une, nommée « %(name)s » (nom donné par "
            "%(source)s, plutôt que « %(other)s »)."
        )
    else:
        text = _(
            "Fusion faite : les deux fiches sont réunies en une, nommée « %(name)s » (nom donné par "
            "%(source)s)."
        )
    text = (text % values) + " " + _("Chaque champ garde la donnée confirmée le plus récemment.")
    kept = [
        _("%(field)s : « %(value)s » (de %(source)s)")
        % {
            "field": capfirst(_conflict_label(c["field"])),
            "value": _conflict_value(place, c),
            "source": _source_name(result.provenance.get(c["field"])),
        }
        for c in result.conflicts
        if c["field"] != "name"
    ]
    if kept:
        text += " " + _("Valeurs retenues là où les fiches différaient : %(values)s.") % {
            "values": semicolon().join(kept)
        }
    return text
