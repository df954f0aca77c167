"""« Mes réservations » says in which time a booking's hours are given when the place is overseas
(« heure de la Guadeloupe »), and nothing more for a place in Europe/Paris, the site's own time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.privacy.audit import Actor
from relais.spaces import services
from relais.territory.timezones import DEPARTMENT_TIMEZONES, PARIS, local_hour_text
from relais.testing import PlaceFactory, ResourceFactory, UserFactory, place_in

pytestmark = pytest.mark.django_db


def test_each_overseas_zone_reads_as_its_hour_and_paris_as_nothing():
    assert local_hour_text(PARIS) == ""
    assert local_hour_text(DEPARTMENT_TIMEZONES["971"]) == "heure de la Guadeloupe"
    assert local_hour_text(DEPARTMENT_TIMEZONES["974"]) == "heure de La Réunion"
    for tz in DEPARTMENT_TIMEZONES.values():
        assert local_hour_text(tz).startswith("heure de ") and str(tz) not in local_hour_text(tz)


def book_next_week(person, place, name):
    room = ResourceFactory(place=place, name=name)
    day = timezone.now().astimezone(place.timezone).date() + datetime.timedelta(days=7)
    day += datetime.timedelta(days=-day.weekday() + 7 * (day.weekday() > 0))  # a Monday ahead
    start = datetime.datetime.combine(day, datetime.time(9, 0))
    return services.book(
        Actor(user=person), room, start, start + datetime.timedelta(hours=1), now=timezone.now()
    )


def test_my_bookings_name_the_local_time_of_an_overseas_place(client):
    person = UserFactory()
    book_next_week(person, place_in("97105", opening_hours="Mo-Fr 08:00-12:00"), "Salle Basse-Terre")
    book_next_week(person, PlaceFactory(opening_hours="Mo-Fr 08:00-12:00"), "Salle Aurillac")
    client.force_login(person)
    html = client.get(reverse("spaces:my-bookings")).content.decode()
    lines = {name: html.split(name)[1].split("</li>")[0] for name in ("Salle Basse-Terre", "Salle Aurillac")}
    assert "09:00–10:00 (heure de la Guadeloupe)" in lines["Salle Basse-Terre"]
    assert "09:00–10:00" in lines["Salle Aurillac"] and "heure" not in lines["Salle Aurillac"]
