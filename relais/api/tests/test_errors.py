"""One mapping from errors to JSON answers for the whole API: every 4xx is JSON in French, including a body
too large for the server; the kinds of domain errors decide the status."""

import json

import pytest
from django.conf import settings

from relais.accounts.models import ApiToken
from relais.core.api_errors import status_of
from relais.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from relais.testing import UserFactory, assert_french

pytestmark = pytest.mark.django_db


def test_each_kind_of_domain_error_has_one_status():
    assert status_of(NotFound("x")) == 404
    assert status_of(Forbidden("x", code="members_only")) == 403
    assert status_of(Conflict("x", code="overlap")) == 409
    assert status_of(ValidationFailed({"name": ["x"]})) == 422
    assert status_of(DomainError("x")) == 400


def test_a_body_too_large_gets_a_json_413_in_french(client):
    _token, raw = ApiToken.issue(UserFactory(network_admin=True), "outil")
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "code_insee": "15014"})
    response = client.post(
        "/api/places", body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert_french(response.json()["detail"])


def test_every_answer_declared_in_the_schema_uses_the_one_error_schema(client):
    schema = client.get("/api/openapi.json").json()
    refs = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                if status.startswith("4"):
                    content = answer.get("content", {}).get("application/json", {})
                    refs.add(content.get("schema", {}).get("$ref"))
    assert refs == {"#/components/schemas/ErrorOut"}
    properties = schema["components"]["schemas"]["ErrorOut"]["properties"]
    assert set(properties) == {"detail", "field", "code", "errors"}
