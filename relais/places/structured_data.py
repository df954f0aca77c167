"""What search engines and link previews read on a place page: schema.org JSON-LD and Open Graph.

The JSON goes inside a <script> element: `<`, `>` and `&` are written as \\u escapes so that no value
(a place named "</script><script>…", say) can close the element or open another one.
"""

import json

from django.utils.safestring import mark_safe

from . import hours as hours_module
from . import vocabularies as voc
from .models import Accessibility

SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
DESCRIPTION_MAX = 200


def street_address(place):
    return ", ".join(filter(None, [place.address.strip(), place.address_complement.strip()]))


def description(place):
    """A short description for previews: the summary, else the start of the presentation, else what it is."""
    text = " ".join((place.summary or place.description or "").split())
    if not text:
        kinds = ", ".join(t.name for t in place.typologies.all())
        where = f"{place.commune.name} ({place.commune.department.name})"
        text = f"{kinds} à {where}" if kinds else f"Lieu à {where}"
    if len(text) > DESCRIPTION_MAX:
        text = text[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"
    return text


def json_ld(place, place_hours, page_url):
    """A schema.org LocalBusiness describing the place (a plain dict)."""
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "@id": f"{page_url}#lieu",
        "name": place.name,
        "url": page_url,
        "description": description(place),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": street_address(place),
            "postalCode": place.postal_code,
            "addressLocality": place.commune.name,
            "addressRegion": place.commune.department.region.name,
            "addressCountry": "FR",
        },
    }
    if place.latitude is not None and place.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": place.latitude, "longitude": place.longitude}
    if place.phone:
        data["telephone"] = place.phone
    if place.emails:
        data["email"] = place.emails[0]
    if place.websites:
        data["sameAs"] = list(place.websites)
    specification = hours_module.opening_hours_specification(place_hours)
    if specification:
        data["openingHoursSpecification"] = specification
    special = hours_module.special_opening_hours(place_hours)
    if special:
        data["specialOpeningHoursSpecification"] = special
    if place.fees == ["GRATUIT"]:
        data["isAccessibleForFree"] = True
    services = [s.name for s in place.services.all()]
    if services:
        data["knowsAbout"] = services
    publics = [p.name for p in place.publics.all()]
    if publics:
        data["audience"] = [{"@type": "Audience", "audienceType": name} for name in publics]
    if place.wheelchair in (Accessibility.YES, Accessibility.NO):
        data["amenityFeature"] = [
            {
                "@type": "LocationFeatureSpecification",
                "name": "Accessible en fauteuil roulant",
                "value": place.wheelchair == Accessibility.YES,
            }
        ]
    if place.booking_url:
        data["potentialAction"] = {"@type": "ReserveAction", "target": place.booking_url}
    if place.parent_organisation:
        data["parentOrganization"] = {"@type": "Organization", "name": place.parent_organisation}
    fees = dict(voc.FEES)
    if place.fees:
        data["priceRange"] = ", ".join(fees.get(code, code) for code in place.fees)
    return data


def script_json(data):
    """JSON safe to write between <script> and </script> (for the template, already marked safe)."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(SCRIPT_ESCAPES))


def open_graph(place, page_url):
    """Open Graph properties (property → content), escaped by the template like any attribute."""
    return {
        "og:type": "website",
        "og:site_name": "Relais",
        "og:locale": "fr_FR",
        "og:title": place.name,
        "og:description": description(place),
        "og:url": page_url,
    }
