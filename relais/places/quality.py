"""How complete a place's data is: a weighted checklist, a score out of 100 and what is left to fill in.

Shown to the place's managers (place page, dashboard) so that they know what to complete; plain functions
on a place (its vocabularies are read with `.all()`: prefetch them for lists of places).
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .hours import parsed_hours
from .models import Accessibility

# A place's data is considered current when confirmed within this many months.
FRESH_MONTHS = 6


def months_ago(today, months):
    """The same day `months` months before `today` (the last day of the month when it has fewer days)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Check:
    code: str
    label: str  # what to fill in, in French, for the place's managers
    weight: int


@dataclass(frozen=True)
class Completeness:
    score: int  # 0 to 100
    missing: list  # Check, heaviest first
    done: list  # Check

    @property
    def is_complete(self):
        return not self.missing


def _has_precise_position(place, today):
    return place.latitude is not None and place.longitude is not None and not place.location_approximate


def _has_address(place, today):
    return bool(place.address.strip() and place.postal_code)


def _has_valid_hours(place, today):
    if not place.opening_hours:
        return False
    tz = place.timezone
    return parsed_hours(place.opening_hours, tz) is not None


def _has_phone_or_email(place, today):
    return bool(place.phone or place.emails)


def _has_website_or_booking(place, today):
    return bool(place.websites or place.booking_url)


def _has_services(place, today):
    return bool(place.services.all())


def _has_publics(place, today):
    return bool(place.publics.all())


def _has_accessibility(place, today):
    return bool(
        place.wheelchair != Accessibility.UNKNOWN or place.accessibility_notes or place.accessibility_url
    )


def _has_presentation(place, today):
    return bool(place.summary.strip() or place.description.strip())


def _has_typology(place, today):
    return bool(place.typologies.all())


def _is_recent(place, today):
    return place.data_updated_on is not None and place.data_updated_on >= months_ago(today, FRESH_MONTHS)


# (check, test); the weights add up to 100.
CHECKLIST = [
    (
        Check(
            "position", _("une position précise sur la carte (coordonnées du lieu, pas de la commune)"), 15
        ),
        _has_precise_position,
    ),
    (Check("address", _("l'adresse postale (voie et code postal)"), 10), _has_address),
    (Check("hours", _("des horaires d'ouverture lisibles"), 15), _has_valid_hours),
    (Check("contact", _("un téléphone ou une adresse e-mail"), 10), _has_phone_or_email),
    (Check("website", _("un site web ou un lien de prise de rendez-vous"), 5), _has_website_or_booking),
    (Check("services", _("les services proposés"), 10), _has_services),
    (Check("publics", _("les publics accueillis"), 5), _has_publics),
    (
        Check("accessibility", _("l'accessibilité (fauteuil roulant, précisions ou fiche Acceslibre)"), 10),
        _has_accessibility,
    ),
    (Check("presentation", _("une présentation du lieu"), 10), _has_presentation),
    (Check("typology", _("la typologie du lieu"), 5), _has_typology),
    (Check("recent", _("une confirmation des données depuis moins de six mois"), 5), _is_recent),
]


def completeness(place, today=None):
    """Score (0–100) and missing items of a place's data."""
    today = today or timezone.localdate()
    missing, done = [], []
    for check, test in CHECKLIST:
        (done if test(place, today) else missing).append(check)
    score = sum(c.weight for c in done)
    return Completeness(score=score, missing=sorted(missing, key=lambda c: -c.weight), done=done)
