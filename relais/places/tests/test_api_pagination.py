"""GET /api/places pages its results by `page_size`, or by `limit`, its other name, within 1 to 100."""

import pytest

from relais.places import search
from relais.testing import PlaceFactory, assert_french

pytestmark = pytest.mark.django_db

URL = "/api/places"


@pytest.fixture
def five_places():
    return [PlaceFactory(name=f"Lieu {letter}") for letter in "ABCDE"]


def test_limit_sets_the_number_of_places_of_a_page(client, five_places):
    body = client.get(URL, {"limit": 2}).json()

    assert body["count"] == 5
    assert body["page_size"] == 2
    assert [p["name"] for p in body["results"]] == ["Lieu A", "Lieu B"]


def test_limit_pages_like_page_size(client, five_places):
    by_limit = client.get(URL, {"limit": 2, "page": 2}).json()
    by_page_size = client.get(URL, {"page_size": 2, "page": 2}).json()

    assert [p["name"] for p in by_limit["results"]] == ["Lieu C", "Lieu D"]
    assert by_limit == by_page_size


def test_page_size_still_works_and_both_may_be_given_with_the_same_value(client, five_places):
    assert len(client.get(URL, {"page_size": 3}).json()["results"]) == 3
    assert len(client.get(URL, {"page_size": 3, "limit": 3}).json()["results"]) == 3


def test_the_largest_limit_is_accepted(client, five_places):
    response = client.get(URL, {"limit": search.MAX_PAGE_SIZE})

    assert response.status_code == 200
    assert response.json()["page_size"] == search.MAX_PAGE_SIZE


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"limit": 0}, 422, "trop petite (minimum 1)"),
        ({"limit": -5}, 422, "trop petite"),
        ({"limit": search.MAX_PAGE_SIZE + 1}, 422, f"trop grande (maximum {search.MAX_PAGE_SIZE})"),
        ({"limit": "deux"}, 422, "nombre entier"),
        ({"limit": 2, "page_size": 3}, 400, "autre nom de page_size"),
    ],
)
def test_a_wrong_limit_gets_a_french_error_naming_it(client, five_places, params, status, words):
    response = client.get(URL, params)

    assert response.status_code == status
    detail = response.json()["detail"]
    assert detail.startswith("limit : ")
    assert words in detail
    assert_french(detail)


def test_the_openapi_schema_documents_limit_with_its_bounds(client):
    parameters = client.get("/api/openapi.json").json()["paths"]["/api/places"]["get"]["parameters"]
    by_name = {p["name"]: p for p in parameters}

    for name in ("limit", "page_size"):
        schema = by_name[name]["schema"]
        bounds = schema.get("anyOf", [schema])[0]
        assert (bounds["minimum"], bounds["maximum"]) == (1, search.MAX_PAGE_SIZE)
        assert str(search.MAX_PAGE_SIZE) in by_name[name]["description"]
