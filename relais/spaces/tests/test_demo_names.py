"""Each demo place's meeting room bears its own commune's name, never another place's; loading the demo
again over an older one renames its room rather than adding a second."""

import pytest

from relais.spaces.demo import DEMO_RESOURCES, load_demo_resources
from relais.spaces.models import PriceRule, Resource
from relais.testing import ResourceFactory, place_in

pytestmark = pytest.mark.django_db


def test_each_meeting_room_is_named_after_its_own_place():
    basse_terre, fort_de_france = place_in("97105"), place_in("97209")
    assert load_demo_resources([basse_terre, fort_de_france]) == 2 * len(DEMO_RESOURCES)
    rooms = Resource.objects.filter(kind="meeting_room").select_related("place__commune")
    assert {r.place_id: r.name for r in rooms} == {
        basse_terre.pk: "Salle de réunion — Basse-Terre",
        fort_de_france.pk: "Salle de réunion — Fort-de-France",
    }
    assert not Resource.objects.filter(name__contains="Le Puy").exists()
    for room in rooms:  # the room's prices follow its new name
        assert PriceRule.objects.filter(resource=room).count() == 3


def test_loading_again_renames_the_room_of_an_older_demo():
    place = place_in("97105")
    old = ResourceFactory(place=place, name="Salle de réunion Le Puy", kind="meeting_room")
    load_demo_resources([place])
    old.refresh_from_db()
    assert old.name == "Salle de réunion — Basse-Terre"
    assert Resource.objects.filter(place=place, kind="meeting_room").count() == 1
