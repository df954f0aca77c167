"""GET /api/communes: communes by name (as people type it), INSEE code or postal code."""

import pytest

from relais.testing import assert_french

pytestmark = pytest.mark.django_db

URL = "/api/communes"


def codes(response):
    assert response.status_code == 200, response.content
    return [c["code_insee"] for c in response.json()]


def test_saint_etienne_typed_without_accents_nor_hyphen_comes_first_with_its_department(client):
    response = client.get(URL, {"q": "saint etienne"})

    first = response.json()[0]
    assert first["code_insee"] == "42218"
    assert first["name"] == "Saint-Étienne"
    assert first["department"] == "42"
    assert first["department_name"] == "Loire"
    assert first["region"] == "84"
    assert first["population"] > 150_000
    assert "42000" in first["postal_codes"]
    assert first["latitude"] == pytest.approx(45.44, abs=0.05)


def test_homonyms_and_longer_names_follow_the_exact_match(client):
    results = client.get(URL, {"q": "saint etienne"}).json()
    assert len(results) > 1
    assert all("etienne" in r["name"].lower().replace("é", "e") for r in results)


def test_abbreviated_saint_finds_the_same_commune(client):
    assert codes(client.get(URL, {"q": "St-Étienne"}))[0] == "42218"


def test_a_postal_code_lists_its_communes_biggest_first(client):
    results = client.get(URL, {"q": "15000"}).json()

    assert [r["code_insee"] for r in results] == ["15014", "15267"]  # Aurillac, Ytrac
    assert all("15000" in r["postal_codes"] for r in results)
    assert results[0]["population"] > results[1]["population"]


def test_an_insee_code_finds_its_commune(client):
    assert codes(client.get(URL, {"q": "42218"}))[0] == "42218"


def test_limit_caps_the_number_of_answers(client):
    assert len(codes(client.get(URL, {"q": "saint", "limit": 3}))) == 3


def test_an_unknown_name_answers_an_empty_list(client):
    assert codes(client.get(URL, {"q": "Zzyzxville"})) == []


def test_a_query_shorter_than_2_characters_is_refused_in_french(client):
    response = client.get(URL, {"q": " a "})

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "q"
    assert body["detail"] == "q : la recherche demande au moins 2 caractères."


def test_a_missing_query_is_refused_in_french(client):
    response = client.get(URL)

    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["champ obligatoire."]}
    assert_french(response.json()["detail"])
