"""The public directory of places (/lieux/): search, typology filter, pagination, escaping."""

import pytest
from django.urls import reverse

from relais.places.models import PlaceStatus
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

URL = reverse("places:list")


def listed(response):
    assert response.status_code == 200
    return [place.name for place in response.context["places"]]


def test_it_is_public_and_in_french(client):
    PlaceFactory(name="La Grange")

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Lieux du registre" in html
    assert "1 lieu trouvé." in html
    assert "La Grange" in html


def test_closed_places_are_not_listed(client):
    PlaceFactory(name="Ouvert")
    PlaceFactory(name="Fermé", status=PlaceStatus.CLOSED)

    assert listed(client.get(URL)) == ["Ouvert"]


def test_the_search_finds_a_place_by_name_or_commune_ignoring_accents(client):
    PlaceFactory(name="La Grange numérique")
    PlaceFactory(name="Autre lieu")

    assert listed(client.get(URL, {"q": "grange NUMERIQUE"})) == ["La Grange numérique"]
    assert sorted(listed(client.get(URL, {"q": "aurillac"}))) == ["Autre lieu", "La Grange numérique"]


def test_the_typology_filter_keeps_only_that_kind_of_place(client):
    PlaceFactory(name="Le Fablab", typologies=["FABLAB"])
    PlaceFactory(name="Le Coworking", typologies=["COWORKING"])

    response = client.get(URL, {"typology": "FABLAB"})

    assert listed(response) == ["Le Fablab"]
    assert '<option value="FABLAB" selected>' in response.content.decode()


def test_a_hostile_query_is_escaped_not_reflected(client):
    response = client.get(URL, {"q": '"><script>alert(1)</script>'})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_hostile_place_name_is_escaped(client):
    PlaceFactory(name="<img src=x onerror=alert(1)>")

    html = client.get(URL).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_results_come_30_per_page_with_links_keeping_the_search(client):
    for number in range(31):
        PlaceFactory(name=f"Lieu {number:02d}")

    first = client.get(URL, {"q": "lieu"})
    second = client.get(URL, {"q": "lieu", "page": 2})

    assert len(listed(first)) == 30
    assert listed(second) == ["Lieu 30"]
    assert "Page 1 sur 2" in first.content.decode()
    assert "?q=lieu&amp;typology=&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999"])
def test_an_odd_page_number_shows_a_page_instead_of_failing(client, page):
    PlaceFactory(name="Seul lieu")

    assert listed(client.get(URL, {"page": page})) == ["Seul lieu"]


def test_it_only_answers_get(client):
    assert client.post(URL).status_code == 405
