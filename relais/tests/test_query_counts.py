"""Query counts of the pages people use most, pinned: the count does not grow with the number of rows shown
(no query per row), and stays under a ceiling measured when it was written. A logged-in page counts the
session, the user and, since the second factor, the session's verified device (django-otp)."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.places.models import ErrorReport, RegistryVersion
from relais.privacy.audit import Actor
from relais.spaces import services
from relais.testing import PlaceFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=PARIS)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_directory_and_a_place_page(client):
    for n in range(3):
        PlaceFactory(name=f"Tiers-lieu {n}")
    RegistryVersion.bump()
    client.get("/lieux/?q=tiers")  # the in-memory index is built once per registry version
    few = queries(client, "/lieux/?q=tiers")
    for n in range(3, 15):
        PlaceFactory(name=f"Tiers-lieu {n}")
    RegistryVersion.bump()
    client.get("/lieux/?q=tiers")
    many = queries(client, "/lieux/?q=tiers")
    assert many == few
    assert many <= 1  # the page is served from the in-memory index

    place = PlaceFactory(name="Le Fablab", opening_hours="Mo-Fr 09:00-18:00")
    # The place, its four vocabularies, whether it has managers (who receives an error report: the form says
    # so), whether it has bookable resources, and its public documents.
    assert queries(client, reverse("places:detail", args=[place.pk])) <= 8


def _team_with_bookings(count):
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off")
    manager = UserFactory()
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    rooms = [ResourceFactory(place=place, name=f"Salle {n}") for n in range(3)]
    for n in range(count):
        person = UserFactory()
        # All on the day shown: 3 rooms × up to 4 hours.
        hour = (9, 10, 11, 14)[n // 3]
        start = datetime.datetime(2026, 3, 3, hour, 0, tzinfo=PARIS)
        services.book(Actor(user=person), rooms[n % 3], start, start + datetime.timedelta(hours=1), now=NOW)
    return place, manager


@pytest.mark.parametrize("page", ["place-bookings", "availability"])
def test_the_team_s_day_and_the_availability_do_not_query_per_booking(client, page):
    counts = []
    for count in (3, 12):
        place, manager = _team_with_bookings(count)
        client.force_login(manager)
        url = reverse(f"spaces:{page}", args=[place.pk]) + "?jour=2026-03-03"
        counts.append(queries(client, url))
    assert counts[0] == counts[1]
    assert counts[1] <= {"place-bookings": 18, "availability": 13}[page]


def test_my_bookings_do_not_query_per_booking(client):
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off")
    rooms = [ResourceFactory(place=place, name=f"Salle {n}") for n in range(3)]
    person = UserFactory()
    counts = []
    # Book 3, measure, book 9 more, measure.
    client.force_login(person)
    made = 0
    for total in (3, 12):
        while made < total:
            start = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=PARIS) + datetime.timedelta(days=7 * made)
            services.book(
                Actor(user=person), rooms[made % 3], start, start + datetime.timedelta(hours=1), now=NOW
            )
            made += 1
        counts.append(queries(client, reverse("spaces:my-bookings")))
    assert counts[0] == counts[1]
    assert counts[1] <= 7


def _measure_dashboard(client, user, make_place, sizes, params=None):
    counts, made = [], 0
    client.force_login(user)
    for size in sizes:
        while made < size:
            make_place(made)
            made += 1
        counts.append(queries(client, reverse("accounts:dashboard") + (params or "")))
    return counts


@pytest.mark.parametrize("params", ["", "?q=lieu&page=2"])
def test_a_network_admin_s_dashboard_does_not_query_per_place(client, params):
    """A page of 20 short rows, whatever the number of places: no query per place or per report. 10
    queries: session, user, its device, the places' count (paginator), the page of places, the open
    reports and their count, the pending proposals, one's own proposals, one's roles; a search adds the
    count of all places (11)."""
    admin = UserFactory(network_admin=True)

    def make_place(n):
        place = PlaceFactory(name=f"Lieu {n:02d}", managers=[UserFactory()])
        ErrorReport.objects.create(place=place, kind=ErrorReport.Kind.HOURS, message="Fermé le lundi.")

    counts = _measure_dashboard(client, admin, make_place, (25, 60), params)
    assert counts[0] == counts[1]
    assert counts[1] <= {"": 10, "?q=lieu&page=2": 11}[params]


def test_a_manager_s_dashboard_does_not_query_per_card(client):
    """Up to 20 cards with their completeness: 11 queries — session, user, its device, the
    places (21 at most, to know
    whether they fit in cards), their typologies, services and publics, the open reports and their count,
    one's own proposals, one's roles (with their place: no query per role for the bookings links)."""
    manager = UserFactory()

    def make_place(n):
        place = PlaceFactory(name=f"Lieu {n:02d}", managers=[manager], typologies=["FABLAB"])
        ErrorReport.objects.create(place=place, kind=ErrorReport.Kind.HOURS, message="Fermé le lundi.")

    counts = _measure_dashboard(client, manager, make_place, (2, 12))
    assert counts[0] == counts[1]
    assert counts[1] <= 11
