"""The ANCT list of France Services (data/places/france_services_2024-08-01.csv).

Hours are given per weekday in free form ("09:00 - 12:00 / 13:30 - 17:00"); they become OSM
`opening_hours` ("Mo-Fr 09:00-12:00,13:30-17:00; PH off": France Services close on public holidays).
"""

import re

from django.utils.translation import gettext as _

from .mednum import repair_optional_fields

SOURCE = "ANCT — structures France services (2024-08-01)"
DAYS = [
    ("h_lundi", "Mo"),
    ("h_mardi", "Tu"),
    ("h_mercredi", "We"),
    ("h_jeudi", "Th"),
    ("h_vendredi", "Fr"),
    ("h_samedi", "Sa"),
]
REQUIRED = [
    "id",
    "nom",
    "adresse",
    "code_postal",
    "code_insee_actuel",
    "latitude",
    "longitude",
    *[d for d, _ in DAYS],
]
_RANGE = re.compile(r"^(\d{1,2})[:hH](\d{2})?\s*-\s*(\d{1,2})[:hH](\d{2})?$")


class HoursError(ValueError):
    pass


def day_ranges(text):
    """ "09:00 - 12:00 / 13:30 - 17:00" → ["09:00-12:00", "13:30-17:00"]; HoursError when unreadable."""
    ranges = []
    for part in re.split(r"\s*[/;,]\s*|\s+et\s+", text.strip()):
        if not part:
            continue
        match = _RANGE.match(part.strip())
        if not match:
            raise HoursError(part)
        h1, m1, h2, m2 = match.groups()
        start, end = (int(h1), int(m1 or 0)), (int(h2), int(m2 or 0))
        if start == end == (0, 0):  # "00:00 - 00:00" is how the source writes "closed"
            continue
        if not (start < end <= (24, 0)) or start[1] > 59 or end[1] > 59:
            raise HoursError(part)
        ranges.append(f"{start[0]:02d}:{start[1]:02d}-{end[0]:02d}:{end[1]:02d}")
    return ranges


CLOSED_MARKERS = {"00:00 - 00:00", "00:00-00:00", "fermé", "ferme"}


def weekly_hours(row, warnings=None):
    """OSM opening_hours from the per-weekday columns, consecutive identical days grouped."""
    per_day = []
    for column, day in DAYS:
        text = row.get(column, "").strip()
        if text.lower() in CLOSED_MARKERS:
            if warnings is not None:
                warnings.append(
                    _("horaires « %(hours)s » le %(day)s : compris comme fermé ce jour-là.")
                    % {"hours": text, "day": column[2:]}
                )
            text = ""
        per_day.append((day, ",".join(day_ranges(text)) if text else ""))
    rules, i = [], 0
    while i < len(per_day):
        day, hours = per_day[i]
        j = i
        while j + 1 < len(per_day) and per_day[j + 1][1] == hours:
            j += 1
        if hours:
            span = day if j == i else (f"{day},{per_day[j][0]}" if j == i + 1 else f"{day}-{per_day[j][0]}")
            rules.append(f"{span} {hours}")
        i = j + 1
    return "; ".join(rules + ["PH off"]) if rules else ""


def row_to_data(row, book, errors, warnings, lookup):
    try:
        hours = weekly_hours(row, warnings)
        hours_notes = ""
    except HoursError as exc:
        warnings.append(
            _("horaires illisibles (« %(hours)s ») : conservés en précision sur les horaires.")
            % {"hours": exc}
        )
        hours = ""
        hours_notes = " ; ".join(f"{day} {row.get(col, '')}" for col, day in DAYS if row.get(col))
    itinerant = row.get("format_fs", "") in {"Itinérante", "Bus_équivalent"}
    name = row.get("nom", "")
    data = {
        "source": SOURCE,
        "source_id": row.get("id", ""),
        "name": name,
        "address": row.get("adresse", ""),
        "address_complement": row.get("complement_adresse", ""),
        "postal_code": row.get("code_postal", ""),
        "code_insee": row.get("code_insee_actuel") or row.get("code_insee", ""),
        "commune_name": row.get("commune", ""),
        "latitude": row.get("latitude", ""),
        "longitude": row.get("longitude", ""),
        "phone": row.get("telephone", ""),
        "emails": [row["courriel"]] if row.get("courriel") else [],
        "opening_hours": hours,
        "opening_hours_notes": hours_notes[:500],
        "description": row.get("commentaire", ""),
        "access_conditions": "Prise de rendez-vous possible." if row.get("prise_rdv") == "Oui" else "",
        "parent_organisation": row.get("groupe_fs", ""),
        "data_updated_on": "2024-08-01",
        "typologies": ["FRANCE_SERVICES"],
        "labels": ["FRANCE_SERVICES"],
        "services": ["DEMARCHES", "ACCES_INTERNET"],
        "publics": ["TOUS"],
        "fees": ["GRATUIT"],
        "access_modes": ["SE_PRESENTER", "TELEPHONER"],
        "itinerancy": ["ITINERANT"] if itinerant else ["FIXE"],
        "legal_form": "",
    }
    if row.get("type_fs") == "Antenne" and "antenne" not in name.lower():
        data["summary"] = "Antenne France services."
    if not data["code_insee"]:
        warnings.append(_("code INSEE absent de la source."))
    repair_optional_fields(data, warnings, lookup)
    return data
