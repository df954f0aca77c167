import pytest

from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def test_the_coverage_page_shows_a_territory_with_its_white_zones_and_recommendations(client):
    aurillac = Commune.objects.get(code_insee="15014")
    PlaceFactory(commune=aurillac, latitude=aurillac.latitude, longitude=aurillac.longitude)
    response = client.get("/maillage/", {"territory": "dep:15", "radius_km": "10", "recommend": "3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cantal : résumé" in html
    assert "Zones blanches (au-delà de 10 km)" in html
    assert "Où ouvrir de nouveaux lieux" in html
    assert "Murat (15138)" in html or "plus peuplées en zone blanche" in html


def test_the_empty_form_is_shown_first_and_bad_input_gets_a_french_message(client):
    assert "Analyser" in client.get("/maillage/").content.decode()
    html = client.get("/maillage/", {"territory": "dep:15", "radius_km": "900"}).content.decode()
    assert "le rayon doit être compris entre 0 et 200 km" in html
