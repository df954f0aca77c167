"""The public directory page (/lieux/) and its map data (/lieux/carte.json), without JavaScript."""

import gzip
import json

import pytest
from django.urls import reverse

from relais.places.models import PlaceStatus
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

URL = reverse("places:list")
MAP_URL = reverse("places:map")


def listed(response):
    assert response.status_code == 200
    return [item.entry.name for item in response.context["outcome"].items]


def test_it_is_public_and_in_french(client):
    PlaceFactory(name="La Grange")

    response = client.get(URL)

    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Trouver un lieu et un service près de chez soi" in html
    assert "1 lieu" in html
    assert listed(response) == ["La Grange"]


def test_a_search_by_commune_lists_the_places_around_with_their_distance(client):
    PlaceFactory(name="La Grange")
    PlaceFactory(name="Plus loin", latitude=44.99, longitude=2.44)

    response = client.get(URL, {"where": "Aurillac"})

    html = response.content.decode()
    assert listed(response) == ["La Grange", "Plus loin"]
    assert "2 lieux à moins de 10 km — Aurillac (15)" in html
    assert 'href="/territoires/commune/15014/"' in html
    assert "à 0,0 km" in html and "à 6,6 km" in html
    assert "Ouvert en ce moment" in html or "Fermé en ce moment" in html
    # The list works without JavaScript: each place links to its page.
    assert reverse("places:detail", args=[response.context["outcome"].items[0].entry.id]) in html


def test_closed_places_are_not_listed(client):
    PlaceFactory(name="Ouvert")
    PlaceFactory(name="Fermé", status=PlaceStatus.CLOSED)

    assert listed(client.get(URL)) == ["Ouvert"]


def test_a_shared_postal_code_asks_which_commune_with_links_keeping_the_search(client):
    response = client.get(URL, {"where": "15130", "open_now": "1"})

    html = response.content.decode()
    assert "Le code postal 15130 est partagé par" in html
    assert "?where=Carlat&amp;commune=15028&amp;open_now=1" in html
    assert response.context["outcome"].searched is False


def test_a_misspelt_commune_offers_did_you_mean(client):
    html = client.get(URL, {"where": "st etiene"}).content.decode()

    assert "Aucune commune ne s&#x27;appelle « st etiene ». Vouliez-vous dire :" in html
    assert "Saint-Étienne" in html


def test_an_unknown_commune_is_an_error_next_to_the_field(client):
    html = client.get(URL, {"where": "Zzyzxville"}).content.decode()

    assert 'role="alert"' in html
    assert 'id="id_where_error"' in html
    assert 'aria-invalid="true" aria-describedby="id_where_error"' in html
    assert "Commune inconnue : « Zzyzxville »" in html


def test_no_result_offers_a_wider_radius_and_the_nearest_places(client):
    PlaceFactory(name="Au nord", latitude=45.2, longitude=2.44)

    html = client.get(URL, {"where": "Aurillac", "radius": "5"}).content.decode()

    assert "Aucun lieu ne correspond à moins de 5 km." in html
    assert "radius=20" in html
    assert "Les lieux les plus proches malgré tout" in html
    assert "Au nord" in html


def test_the_filters_are_kept_in_the_form_and_the_links(client):
    for n in range(21):
        PlaceFactory(name=f"Lieu {n:02d}", wheelchair="yes")

    response = client.get(URL, {"where": "Aurillac", "accessible": "1", "radius": "20"})

    html = response.content.decode()
    assert 'name="accessible" value="1" id="id_accessible" checked' in html
    assert '<option value="20" selected>' in html
    assert "?where=Aurillac&amp;radius=20&amp;accessible=1&amp;page=2" in html


def test_a_hostile_query_is_escaped_not_reflected(client):
    hostile = '"><script>alert(1)</script>'
    response = client.get(URL, {"q": hostile, "where": hostile})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_hostile_place_name_is_escaped(client):
    PlaceFactory(name="<img src=x onerror=alert(1)>")

    html = client.get(URL).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999"])
def test_an_odd_page_number_shows_a_page_instead_of_failing(client, page):
    PlaceFactory(name="Seul lieu")

    assert listed(client.get(URL, {"page": page})) == ["Seul lieu"]


def test_it_only_answers_get(client):
    assert client.post(URL).status_code == 405


def test_the_map_data_is_the_same_search_compressed(client):
    for n in range(5):  # (Django leaves bodies under 200 bytes uncompressed)
        PlaceFactory(name=f"La Grange {n}", latitude=44.93 + n * 0.01)
    PlaceFactory(name="Ailleurs", commune_id="42218", postal_code="42000", latitude=45.43, longitude=4.39)

    response = client.get(MAP_URL, {"where": "Aurillac"}, headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(response.content))
    assert data["count"] == 5
    assert [point[3] for point in data["points"]] == [f"La Grange {n}" for n in range(5)]
    assert data["centre"] == [44.93032, 2.44495, 10]
    assert data["errors"] == {}


def test_the_map_data_reports_errors_in_french(client):
    data = client.get(MAP_URL, {"where": "Zzyzxville"}).json()
    assert data["count"] == 0
    assert data["errors"]["where"].startswith("Commune inconnue")
