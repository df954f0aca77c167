"""The review queue of possible duplicates: network admins only, pairs side by side, the two decisions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.places import dedup
from relais.places.dedup_views import reason_text
from relais.places.models import DuplicateCandidate, Place
from relais.privacy.audit import SYSTEM
from relais.testing import PlaceFactory, PlaceRoleFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db


def pending_pair(n=0):
    a = PlaceFactory(name=f"Centre social Les Tilleuls {n}", source="X", phone="0471000000")
    b = PlaceFactory(name=f"Centre social et culturel Les Tilleuls {n}", source="Y", phone="")
    result = dedup.find_duplicates(Place.objects.filter(pk__in=[a.pk, b.pk]))
    pair = (result.sure + result.unsure)[0]
    return dedup.queue(a, b, pair.score, pair.reasons)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(network_admin=True))
    return client


def test_only_network_admins_see_the_queue(client):
    candidate = pending_pair()
    url = reverse("places:duplicates")
    assert client.get(url).status_code == 404
    manager = UserFactory()
    PlaceRoleFactory(user=manager, place=candidate.place_a)
    client.force_login(manager)
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("places:duplicate-decide", args=[candidate.public_id]), {"decision": "keep_apart"}
        ).status_code
        == 404
    )
    assert DuplicateCandidate.objects.get().status == "pending"


def test_the_pairs_are_side_by_side_with_differences_and_reasons(admin_client):
    candidate = pending_pair()
    response = admin_client.get(reverse("places:duplicates"))
    assert response.status_code == 200
    html = response.content.decode()
    assert candidate.place_a.name in html and candidate.place_b.name in html
    assert "<mark>" in html and "(différent)" in html
    assert "même commune" in html
    assert "Fusionner" in html and "Ce sont deux lieux distincts" in html


def test_the_queue_page_makes_a_bounded_number_of_queries(admin_client):
    pending_pair(1)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("places:duplicates"))
    for n in range(2, 6):
        pending_pair(n)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse("places:duplicates"))
    assert len(many) == len(few) <= 15


def test_merging_from_the_page_keeps_the_chosen_place(admin_client):
    candidate = pending_pair()
    keep = candidate.place_b
    response = admin_client.post(
        reverse("places:duplicate-decide", args=[candidate.public_id]),
        {"decision": "merge", "keep": str(keep.pk)},
    )
    assert response.status_code == 302
    assert list(Place.objects.all()) == [keep]
    candidate.refresh_from_db()
    assert candidate.status == "merged" and candidate.decided_by is not None
    assert candidate.transitions.filter(transition="merge").exists()
    assert Place.objects.get().phone  # taken from the other place


def test_keeping_apart_from_the_page_is_remembered(admin_client):
    candidate = pending_pair()
    admin_client.post(
        reverse("places:duplicate-decide", args=[candidate.public_id]), {"decision": "keep_apart"}
    )
    assert DuplicateCandidate.objects.get().status == "kept_apart"
    assert Place.objects.count() == 2
    assert dedup.dedupe_registry(SYSTEM).queued == 0
    response = admin_client.get(reverse("places:duplicates"))
    assert "Aucun doublon possible à examiner." in response.content.decode()


def test_a_bad_decision_gets_a_french_message(admin_client):
    candidate = pending_pair()
    response = admin_client.post(
        reverse("places:duplicate-decide", args=[candidate.public_id]),
        {"decision": "merge", "keep": "x"},
        follow=True,
    )
    text = [str(m) for m in response.context["messages"]]
    assert text == ["Choisissez le lieu à garder."]
    assert_french(text[0])
    response = admin_client.post(
        reverse("places:duplicate-decide", args=[candidate.public_id]), {"decision": "autre"}, follow=True
    )
    assert "Décision inconnue" in str(list(response.context["messages"])[0])


def test_the_dashboard_links_network_admins_to_the_queue(admin_client):
    assert reverse("places:duplicates") in admin_client.get(reverse("accounts:dashboard")).content.decode()


def test_the_itinerant_reasons_read_as_sentences():
    for code in ("itinerant_review", "itinerant_fixed_same_list"):
        text = reason_text({"code": code, "points": -30, "detail": ""})
        assert text != code and "itinérant" in text
