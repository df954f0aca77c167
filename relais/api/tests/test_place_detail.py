"""GET /api/places/{id}: every public field of one place; unknown ids answer a French 404."""

import uuid

import pytest

from relais.places.models import PlaceStatus
from relais.testing import PlaceFactory, assert_french

pytestmark = pytest.mark.django_db


def test_it_answers_the_place_with_its_details(client):
    place = PlaceFactory(
        name="La Fabrique du Lot",
        typologies=["FABLAB", "COWORKING"],
        services=["MACHINES_FABLAB"],
        summary="Un atelier ouvert à tous.",
        phone="+33471000000",
        emails=["contact@fabrique.example"],
        websites=["https://fabrique.example"],
        siret="73282932000074",
        fees=["GRATUIT"],
    )

    response = client.get(f"/api/places/{place.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(place.pk)
    assert body["name"] == "La Fabrique du Lot"
    assert body["commune"] == {"code_insee": "15014", "name": "Aurillac", "department": "15"}
    assert sorted(body["typologies"]) == ["COWORKING", "FABLAB"]
    assert body["services"] == ["MACHINES_FABLAB"]
    assert body["summary"] == "Un atelier ouvert à tous."
    assert body["phone"] == "+33471000000"
    assert body["emails"] == ["contact@fabrique.example"]
    assert body["websites"] == ["https://fabrique.example"]
    assert body["siret"] == "73282932000074"
    assert body["fees"] == ["GRATUIT"]
    assert body["opening_hours"] == "Mo-Fr 09:00-12:00,14:00-18:00; PH off"
    assert body["open_now"] in (True, False)
    assert "updated_at" in body and "data_updated_on" in body
    assert "code_insee" not in body  # given once, in "commune"


def test_a_closed_place_still_answers_with_its_status(client):
    place = PlaceFactory(status=PlaceStatus.CLOSED)

    response = client.get(f"/api/places/{place.pk}")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_an_unknown_place_is_a_french_404(client):
    response = client.get(f"/api/places/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "lieu introuvable."


def test_a_malformed_id_is_refused_in_french(client):
    response = client.get("/api/places/pas-un-identifiant")

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == "place_id : identifiant invalide."
    assert_french(detail)
