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
    response = client.post(URL, {"action": "issue"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]  # post/redirect/get: reloading issues nothing new
    address = response.context["address"]
    assert address.startswith("http://testserver/espaces/calendrier/") and address.endswith(".ics")
    page = response.content.decode()
    assert address in page and "webcal://testserver/espaces/calendrier/" in page

    later = client.get(URL).content.decode()
    assert address not in later and "Une adresse est active depuis le" in later
    feed = client.get(address.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert icalendar.Calendar.from_ical(feed.content)["PRODID"] == "-//Relais//FR"


def test_a_new_address_ends_the_old_one_and_revoking_ends_all(client):
    user = UserFactory()
    client.force_login(user)
    first = client.post(URL, {"action": "issue"}, follow=True).context["address"]
    second = client.post(URL, {"action": "issue"}, follow=True).context["address"]
    first, second = (a.removeprefix("http://testserver") for a in (first, second))

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(URL, {"action": "revoke"})
    assert client.get(second).status_code == 404
    assert feeds.user_for_feed_token(second.split("/")[-1].removesuffix(".ics")) is None


def test_it_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_the_team_gets_a_feed_per_resource_for_its_calendar_application(client):
    from relais.accounts.models import PlaceRole
    from relais.testing import PlaceFactory, ResourceFactory

    place = PlaceFactory()
    ResourceFactory(place=place, name="Salle Cantal")
    elsewhere = ResourceFactory(name="Salle d'ailleurs")
    user = UserFactory()
    PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.STAFF)
    client.force_login(user)
    page = client.post(URL, {"action": "issue"}, follow=True)
    feeds_shown = {r.name: url for r, url in page.context["resource_feeds"]}
    assert list(feeds_shown) == ["Salle Cantal"]
    path = feeds_shown["Salle Cantal"].removeprefix("http://testserver")
    client.logout()  # a calendar application has no session
    response = client.get(path)
    assert response.status_code == 200 and b"Salle Cantal" in response.content
    secret = path.split("/")[3]
    assert (
        client.get(reverse("spaces:resource_feed_secret", args=[secret, elsewhere.public_id])).status_code
        == 404
    )
    PlaceRole.objects.filter(user=user).delete()  # left the team: the feed closes
    assert client.get(path).status_code == 404
