"""The list says how it is sorted, truthfully: by distance only around a point, else by name."""

import pytest
from django.urls import reverse

from relais.places import directory
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

ALPHABETICAL = "Lieux classés par ordre alphabétique du nom."


def outcome(**data):
    params, errors = directory.parse_params(data)
    return directory.run(params, errors)


def test_an_area_search_over_several_pages_does_not_say_nearest_first(client):
    PlaceFactory.create_batch(directory.PAGE_SIZE + 1)
    for where in ("Cantal", "Auvergne-Rhône-Alpes"):
        html = client.get(reverse("places:list"), {"where": where}).content.decode()
        assert "Page 1 sur 2." in html
        assert ALPHABETICAL in html
        assert "plus proches" not in html


def test_each_kind_of_search_says_its_order():
    PlaceFactory(name="Fablab")
    assert outcome(q="Fablab").order_text == ALPHABETICAL
    assert outcome(where="Cantal").order_text == ALPHABETICAL
    assert outcome(where="Aurillac").order_text == (
        "Les plus proches d'abord : distances à vol d'oiseau depuis le centre de la commune, Aurillac (15)."
    )
    assert outcome(lat="44.93", lon="2.44").order_text == (
        "Les plus proches d'abord : distances à vol d'oiseau depuis votre position."
    )


def test_an_area_search_is_indeed_alphabetical():
    for name in ("Zèbre", "Abeille", "Marmotte"):
        PlaceFactory(name=name)
    assert [i.entry.name for i in outcome(where="Cantal").items] == ["Abeille", "Marmotte", "Zèbre"]


def test_a_single_page_also_says_its_order(client):
    PlaceFactory()
    html = client.get(reverse("places:list"), {"where": "Aurillac"}).content.decode()
    assert "Les plus proches d&#x27;abord : distances à vol d&#x27;oiseau" in html
