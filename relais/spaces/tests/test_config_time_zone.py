"""The configuration pages name the place's time zone as people say it, its code in brackets."""

import html

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.territory.timezones import DEPARTMENT_TIMEZONES, PARIS, TIME_ZONE_NAMES, time_zone_text
from relais.testing import UserFactory, place_in

pytestmark = pytest.mark.django_db


def test_every_time_zone_of_a_department_has_a_name():
    for tz in [PARIS, *DEPARTMENT_TIMEZONES.values()]:
        assert str(tz) in TIME_ZONE_NAMES, tz
        assert time_zone_text(tz).endswith(f" ({tz})") and time_zone_text(tz).startswith("de ")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("15014", "fuseau horaire de Paris (Europe/Paris)."),
        ("97105", "fuseau horaire de la Guadeloupe (America/Guadeloupe)."),
        ("97411", "fuseau horaire de La Réunion (Indian/Reunion)."),
    ],
)
def test_the_configuration_pages_name_the_time_zone_of_the_place(client, code, expected):
    place = place_in(code)
    manager = UserFactory()
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    client.force_login(manager)
    for name in ("spaces:config", "spaces:config-closures"):
        page = html.unescape(client.get(reverse(name, args=[place.pk])).content.decode())
        assert f"Les dates et heures sont celles du lieu : {expected}" in page, name
