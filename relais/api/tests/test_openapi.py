"""/api/openapi.json is a valid OpenAPI 3 document; /api/docs works without any third-party host."""

import json
import re

import pytest
from jsonschema.validators import Draft202012Validator

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_it_is_an_openapi_3_document_with_title_and_version(schema):
    assert re.fullmatch(r"3\.\d+\.\d+", schema["openapi"])
    assert schema["info"]["title"] == "API Relais"
    assert schema["info"]["version"]


def test_it_lists_every_endpoint_with_its_methods(schema):
    paths = {path: {m for m in ops if m in HTTP_METHODS} for path, ops in schema["paths"].items()}
    assert paths == {
        "/api/places": {"get", "post"},
        "/api/places/{place_id}": {"get", "patch"},
        "/api/places/nearest": {"get"},
        "/api/places/proposals": {"get"},
        "/api/places/proposals/{proposal_id}/accept": {"post"},
        "/api/places/proposals/{proposal_id}/reject": {"post"},
        "/api/places/{place_id}/claim": {"post"},
        "/api/coverage": {"get"},
        "/api/communes": {"get"},
        "/api/spaces/places/{place_id}/resources": {"get"},
        "/api/spaces/resources/{resource_id}/availability": {"get"},
        "/api/spaces/bookings": {"get", "post"},
        "/api/spaces/bookings/{booking_id}": {"patch"},
        "/api/spaces/bookings/{booking_id}/cancel": {"post"},
    }


def test_each_operation_has_an_id_a_summary_and_responses(schema):
    operation_ids = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if method not in HTTP_METHODS:
                continue
            assert op.get("summary"), (method, path)
            assert op.get("responses"), (method, path)
            assert all(re.fullmatch(r"[1-5]\d\d|default", code) for code in op["responses"])
            operation_ids.append(op["operationId"])
    assert len(operation_ids) == len(set(operation_ids))


def test_writes_require_the_bearer_token_and_reads_do_not(schema):
    schemes = schema["components"]["securitySchemes"]
    assert any(s == {"type": "http", "scheme": "bearer"} for s in schemes.values())
    ops = schema["paths"]
    assert ops["/api/places"]["post"]["security"]
    assert ops["/api/places/{place_id}"]["patch"]["security"]
    assert "security" not in ops["/api/places"]["get"]
    assert "security" not in ops["/api/communes"]["get"]
    # Bookings are people's data: every spaces endpoint asks for the token.
    for path, methods in ops.items():
        if path.startswith("/api/spaces/"):
            assert all(op["security"] for m, op in methods.items() if m in HTTP_METHODS), path


def test_every_reference_points_to_an_existing_component(schema):
    refs = re.findall(r'"\$ref":\s*"([^"]+)"', json.dumps(schema))
    assert refs
    for ref in refs:
        assert ref.startswith("#/")
        node = schema
        for part in ref[2:].split("/"):
            assert part in node, f"référence cassée : {ref}"
            node = node[part]


def test_every_component_schema_is_valid_json_schema(schema):
    # OpenAPI 3.1 schemas are JSON Schema 2020-12.
    components = schema["components"]["schemas"]
    assert {"PlaceOut", "PlaceDetail", "PlacePage", "PlaceIn", "CommuneOut", "ErrorOut"} <= set(components)
    for component in components.values():
        Draft202012Validator.check_schema(component)


def test_the_list_parameters_are_documented(schema):
    params = {p["name"] for p in schema["paths"]["/api/places"]["get"]["parameters"]}
    assert {"q", "lat", "lon", "radius_km", "typology", "service", "label", "public"} <= params
    assert {"department", "region", "commune", "open_now", "accessible", "page", "page_size"} <= params


def test_the_docs_page_answers(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert "API Relais" in response.content.decode()


def test_the_docs_page_loads_its_assets_from_the_app_itself(client):
    html = client.get("/api/docs").content.decode()

    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"ressource hors du site : {url}"
        asset = client.get(url)
        asset.close()  # a file response: close its file
        assert asset.status_code == 200, url
    assert "cdn" not in html.lower()


def test_the_docs_page_does_not_call_the_online_validator(client):
    html = client.get("/api/docs").content.decode()

    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/openapi.json"
