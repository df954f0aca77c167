"""Cross-site request forgery: no page changes anything on a POST without the CSRF token, no GET changes
anything, and the JSON API (exempt from the CSRF check, since it takes bearer tokens) is not opened by a
session cookie alone.

Which routes accept POST? Not guessed: every route of the resolver (walked recursively, relais.tests.
attack_world) is posted to, a superset of those that accept POST. The CSRF middleware checks the token before
any view runs, so a route refused here is refused whatever its view would have done; the refusal is told apart
from a 403 for a missing role by a CSRF failure view of the tests that marks its answers. The person posting
holds the role the route is for (the member for their bookings, the place's manager — also network admin and
the operator's staff — for the rest), logged in with both factors.

Exemptions: the API's routes only (django-ninja marks its views exempt; the API authenticates by
`Authorization: Bearer`, which a cross-site form cannot send). The tests below check that the exempt list is
exactly the API, and that a session cookie opens none of its writes.
"""

import json

import pytest
from django.test import Client

from relais.api.api import api
from relais.places.models import ErrorReport
from relais.testing import VerifiedClient, close_response

from . import attack_world
from .attack_world import all_routes, changes, make_world, state, url_of

pytestmark = pytest.mark.django_db

# Routes for a member about their own bookings and data; the others are posted by the manager.
MEMBER_ROUTES = {
    "spaces:book",
    "spaces:change",
    "spaces:cancel",
    "spaces:leave-waitlist",
    "spaces:my-bookings",
    "spaces:my-calendar",
    "accounts:my-data",
}


@pytest.fixture
def world(settings):
    settings.CSRF_FAILURE_VIEW = "relais.tests.attack_world.csrf_refused"
    world = make_world()
    manager = world.a.manager
    manager.is_network_admin = manager.is_staff = manager.is_superuser = True
    manager.save()
    return world


def logged_in(user, **options):
    client = VerifiedClient(**options)
    client.force_login(user)
    return client


def user_for(route, world):
    return world.a.member_user if route.name in MEMBER_ROUTES else world.a.manager


def test_the_routes_are_all_reachable_by_the_attack_tests():
    routes = all_routes()
    assert attack_world.missing_arguments(routes) == []
    # The walk finds the team pages, the public forms and the API: a broken walk would test nothing.
    names = {r.name for r in routes}
    assert {
        "places:report",
        "spaces:config-closure-delete",
        "accounts:review-proposal",
        "api:create_place",
    } <= names


def test_every_page_refuses_a_post_without_the_csrf_token(world):
    clients = {}
    accepted = []
    for route in all_routes():
        if route.is_api:
            continue
        user = user_for(route, world)
        client = clients.get(user.pk) or clients.setdefault(
            user.pk, logged_in(user, enforce_csrf_checks=True)
        )
        url = url_of(route, world)
        response = client.post(url, {"decision": "merge", "name": "Piège", "message": "Piège"})
        close_response(response)
        if response.status_code != 403 or "X-Test-Csrf-Refused" not in response:
            accepted.append(f"{route.name or route.pattern} {url} → {response.status_code}")
    assert accepted == []


def test_the_same_post_with_the_token_goes_through(world):
    # The control of the test above: with the token of the page, the check lets the post in.
    client = Client(enforce_csrf_checks=True)
    url = url_of(next(r for r in all_routes() if r.name == "places:report"), world)
    client.get(url)
    data = {"kind": "hours", "message": "Fermé le lundi.", "email": "", "website": ""}
    response = client.post(url, data, headers={"X-CSRFToken": client.cookies["csrftoken"].value})

    assert "X-Test-Csrf-Refused" not in response
    assert ErrorReport.objects.filter(place=world.a.place, message="Fermé le lundi.").exists()


def test_only_the_api_is_exempt_from_the_csrf_check():
    exempt = [r for r in all_routes() if getattr(r.callback, "csrf_exempt", False)]

    assert [r.pattern for r in exempt if not r.is_api] == []
    assert exempt, "the API's routes are exempt (bearer tokens): the walk must see them"


def api_operations():
    """(method, path, has security) of every operation of the API's schema."""
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, bool(operation.get("security"))


def api_path(path, world):
    for argument, fill in attack_world.ROUTE_ARGUMENTS.items():
        path = path.replace("{" + argument + "}", str(fill(world)))
    assert "{" not in path, path
    return path


def test_a_session_cookie_alone_opens_no_write_of_the_api(world):
    writes = [(m, p) for m, p, _ in api_operations() if m in ("POST", "PATCH", "PUT", "DELETE")]
    assert len(writes) >= 7  # places: create, update, claim, accept, reject; spaces: book, change, cancel
    body = {
        "name": "Lieu pirate",
        "code_insee": "15014",
        "start": "2031-03-03T11:00",
        "end": "2031-03-03T12:00",
    }
    opened = []
    for user in (world.a.manager, world.a.member_user):
        # A cross-site form post carries the person's cookie but neither a bearer token nor a CSRF token.
        client = logged_in(user, enforce_csrf_checks=True)
        for method, path in writes:
            before = state()
            response = client.generic(
                method, api_path(path, world), json.dumps(body), content_type="application/json"
            )
            changed = changes(before, state())
            if response.status_code != 401 or changed:
                opened.append(f"{user.username} {method} {path} → {response.status_code} {changed}")
    assert opened == []


def test_a_session_cookie_alone_reads_nothing_private_through_the_api(world):
    protected = [(m, p) for m, p, secured in api_operations() if secured and m == "GET"]
    assert protected  # the proposals, the bookings
    client = logged_in(world.a.manager)
    answers = {p: client.get(api_path(p, world)).status_code for _, p in protected}

    assert set(answers.values()) == {401}, answers


# The one page that writes on a GET, and why it may: the set-up page of the second factor makes the person's
# own *unconfirmed* TOTP application to show its QR code (kept in the session); only a POST with its code,
# CSRF-checked, confirms it. What it may change is checked below (no confirmed device touched).
GET_WRITES = {"accounts:second-factor-setup": ["otp_totp.TOTPDevice"]}


def test_no_page_changes_anything_on_a_get(world):
    clients = {}
    changed = []
    for route in all_routes():
        if route.is_api or route.is_admin:
            continue
        user = user_for(route, world)
        client = clients.get(user.pk) or clients.setdefault(user.pk, logged_in(user))
        before = state()
        response = client.get(url_of(route, world))
        close_response(response)
        after = state()
        if changes(before, after) != GET_WRITES.get(route.name, []):
            changed.append(f"{route.name} → {response.status_code}: {changes(before, after)}")
        if route.name in GET_WRITES:
            confirmed = [d for d in after["otp_totp.TOTPDevice"] if d["confirmed"]]
            assert confirmed == [d for d in before["otp_totp.TOTPDevice"] if d["confirmed"]]
    assert changed == []
