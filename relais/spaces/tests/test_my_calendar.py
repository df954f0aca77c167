"""A person subscribes their calendar to their bookings, and can stop sharing it."""

import icalendar
import pytest
from django.urls import reverse

from relais.spaces import feeds
from relais.testing import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("spaces:my-calendar")


def test_the_address_is_shown_once_and_gives_the_persons_feed(client):
    user = UserFactory()
    client.force_login(user)

    assert "Aucune adresse n'est active." in client.get(URL).content.decode()
    response = client.post(URL, {"action": "issue"})
    address = response.context["address"]
    assert address.startswith("http://testserver/espaces/calendrier/") and address.endswith(".ics")
    assert address in response.content.decode()

    later = client.get(URL).content.decode()
    assert address not in later and "Une adresse est active depuis le" in later
    feed = client.get(address.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert icalendar.Calendar.from_ical(feed.content)["PRODID"] == "-//Relais//FR"


def test_a_new_address_ends_the_old_one_and_revoking_ends_all(client):
    user = UserFactory()
    client.force_login(user)
    first = client.post(URL, {"action": "issue"}).context["address"].removeprefix("http://testserver")
    second = client.post(URL, {"action": "issue"}).context["address"].removeprefix("http://testserver")

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(URL, {"action": "revoke"})
    assert client.get(second).status_code == 404
    assert feeds.user_for_feed_token(second.split("/")[-1].removesuffix(".ics")) is None


def test_it_needs_a_login(client):
    assert client.get(URL).status_code == 302
