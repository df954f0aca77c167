"""The home page: the search form, how many places the registry holds, the tiers-lieux by typology."""

import pytest
from django.urls import reverse

from relais.places.models import PlaceStatus
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def test_it_counts_the_visible_places_and_the_tiers_lieux_of_each_typology(client):
    PlaceFactory.create_batch(2, typologies=["FABLAB"])
    PlaceFactory(typologies=["COWORKING"])
    PlaceFactory(typologies=["BIB"])  # a structure type of the standard, not a tiers-lieu typology
    PlaceFactory(status=PlaceStatus.CLOSED)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "4 lieux au registre." in html
    assert f'href="{reverse("places:list")}?typology=FABLAB"' in html
    assert html.index("?typology=FABLAB") < html.index("?typology=COWORKING")
    assert "?typology=BIB" not in html
    assert 'name="q"' in html  # the directory's search form
