"""The permission matrix: every URL of the site and every operation of the API, for every role, with the
answer each one must get.

The URLs come from the resolver and the operations from the OpenAPI schema, so a new view or operation
that is not in the tables below fails the suite ("add the new view to the matrix") instead of going
unchecked. The world (`permission_world.py`) has place A and place B with their whole teams; a URL's
parameters are place A's objects, so place B's team meets place A's records and must not see them.

The answers, as the handbook says: a forbidden object is a 404 (never a 403, which would tell it exists);
anonymous on a login-required page is a redirect to the login page (« login »); a state-changing view
refuses before it validates, so an empty POST by a role that may not use it gets that same refusal.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from relais.testing import VerifiedClient, close_response

from .permission_world import ROLES, build_world

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page, with `next`
REDIRECT = "redirect"  # a redirect elsewhere (a form's or an action's success)


def classify(response):
    """The answer as the matrix states it: a status code, LOGIN or REDIRECT."""
    if response.status_code in (301, 302, 303):
        target = response["Location"].split("?", 1)[0]
        return LOGIN if target == resolve_url(settings.LOGIN_URL) else REDIRECT
    return response.status_code


# --- Enumerating the URLs ------------------------------------------------------------------------


def _walk(patterns, namespace=None, converters=(), route="/"):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                # The Django admin's own pages: the operator's support staff's tool, guarded by Django's
                # `is_staff` check and tested by each app's test_admin.py, not by the team's roles.
                continue
            inner = pattern.namespace if namespace is None else f"{namespace}:{pattern.namespace}"
            yield from _walk(
                pattern.url_patterns,
                inner if pattern.namespace else namespace,
                (*converters, *getattr(pattern.pattern, "converters", {})),
                route + str(pattern.pattern),
            )
        elif isinstance(pattern, URLPattern):
            # Static files are not in the resolver (whitenoise serves them), so nothing else is skipped.
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield (
                name,
                (*converters, *getattr(pattern.pattern, "converters", {})),
                route + str(pattern.pattern),
            )


def enumerate_urls():
    """(URL name, its parameters' names, its route) of every URL of the site but the Django admin's."""
    return list(_walk(get_resolver().url_patterns))


def url_for(name, parameters, world):
    """The URL `name` with its parameters filled from the world (place A's objects), with its query."""
    overrides = PARAMS.get(name, {})
    missing = [key for key in parameters if key not in overrides and key not in world.params]
    assert not missing, f"{name} : paramètres sans valeur dans le monde de la matrice : {missing}"
    kwargs = {key: overrides.get(key, world.params.get(key)) for key in parameters}
    query = QUERIES.get(name)
    return reverse(name, kwargs=kwargs) + (f"?{query(world)}" if query else "")


# Parameters that are not place A's objects, by URL name.
PARAMS = {
    # Links of e-mails that were never sent: their pages say the link is invalid or expired.
    "accounts:activate": {"uidb64": "MTIzNDU2", "token": "lien-invalide"},
    "accounts:password_reset_confirm": {"uidb64": "MTIzNDU2", "token": "lien-invalide"},
    "territory:department": {"code": "15"},
    "territory:region": {"code": "84"},
    # A file that does not exist: the same 404 for everyone (who may read a real one is the owning app's
    # rule, relais/core/uploads.py, tested with it).
    "file": {"folder": "documents", "file_id": "00000000-0000-4000-8000-000000000001"},
    # Refusing a request needs a reason: the empty form comes back (400) for who may act on it.
    "privacy:request-action": {"action": "refuser"},
}
# Query strings, by URL name (a function of the world).
QUERIES = {
    # Place A's member, as a DPO asks for her: place B's DPO must not find her.
    "privacy:account": lambda w: f"compte={w.users['member_A'].public_id}",
    "privacy:account-csv": lambda w: f"compte={w.users['member_A'].public_id}",
    "privacy:person": lambda w: f"fiche={w.objects['member'].public_id}",
    "privacy:person-csv": lambda w: f"fiche={w.objects['member'].public_id}",
    "spaces:occupancy_export_csv": lambda w: "du=2026-03-01&au=2026-03-31",
    "spaces:occupancy_export_ods": lambda w: "du=2026-03-01&au=2026-03-31",
    # A département rather than all of France: the same views, a smaller computation.
    "coverage:page": lambda w: "territory=dep:15",
    "coverage:map-data": lambda w: "territory=dep:15",
    "coverage:export": lambda w: "territory=dep:15",
}


# --- The table ------------------------------------------------------------------------------------


def answers(default, **by_role):
    """The answer of every role: `default`, but for the roles named."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"rôles inconnus : {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


def signed_in(default, **by_role):
    """A login-required view: anonymous goes to the login page, the others get `default` unless named."""
    return answers(default, **({"anonymous": LOGIN} | by_role))


PUBLIC = answers(200)
NOBODY = answers(404)
TEAM_A = {"staff_A": 200, "manager_A": 200}  # place A's team (manager and staff)
MANAGER_A = {"manager_A": 200}
TEAM_A_DONE = {"staff_A": REDIRECT, "manager_A": REDIRECT}
MANAGER_A_DONE = {"manager_A": REDIRECT}
# The booked person (place A's member) and place A's team.
BOOKING_A = {"member_A": 200, **TEAM_A}
BOOKING_A_DONE = {"member_A": REDIRECT, **TEAM_A_DONE}
REGISTRY_A = {"manager_A": 200, "network_admin": 200}  # who edits place A's registry entry
REGISTRY_A_DONE = {"manager_A": REDIRECT, "network_admin": REDIRECT}

# URL name → {method: {role: answer}}. GET for pages; POST (empty body) for what changes something: the
# answer of a role that may not use the view is its refusal, before any validation of the body.
MATRIX = {
    # --- Public pages and files ---
    "home": {"GET": PUBLIC},
    "department-outline": {"GET": PUBLIC},
    "basemap": {"GET": NOBODY},  # no basemap file in the tests (conftest): a 404 for everyone
    "health": {"GET": PUBLIC},
    "set_language": {"POST": answers(REDIRECT)},
    "file": {"GET": NOBODY},
    "privacy-notice": {"GET": PUBLIC},
    # --- Accounts: pages anyone may open ---
    "accounts:login": {"GET": PUBLIC, "POST": PUBLIC},  # the empty form comes back with its errors
    # Success and failure both lead to the login page, with a message that does not say whether the
    # account exists.
    "accounts:resend-activation": {"POST": answers(LOGIN)},
    "accounts:logout": {"POST": answers(REDIRECT)},
    # Someone signed in has an account already: sent to « Mon espace ».
    "accounts:signup": {"GET": answers(REDIRECT, anonymous=200), "POST": answers(REDIRECT, anonymous=200)},
    "accounts:signup-sent": {"GET": PUBLIC},
    "accounts:activate": {"GET": answers(LOGIN)},  # an invalid link: the login page says so
    "accounts:password_reset": {"GET": PUBLIC, "POST": PUBLIC},
    "accounts:password_reset_done": {"GET": PUBLIC},
    "accounts:password_reset_confirm": {"GET": PUBLIC, "POST": PUBLIC},
    "accounts:password_reset_complete": {"GET": PUBLIC},
    # --- Accounts: one's own account (each acts on the signed-in person's account only) ---
    "accounts:second-factor-setup": {"GET": signed_in(200), "POST": signed_in(200)},
    "accounts:second-factor-verify": {"GET": signed_in(REDIRECT), "POST": signed_in(REDIRECT)},  # verified
    "accounts:second-factor-codes": {"POST": signed_in(200)},
    "accounts:second-factor-disable": {"POST": signed_in(REDIRECT)},
    "accounts:tokens": {"GET": signed_in(200), "POST": signed_in(200)},
    "accounts:revoke-token": {"POST": signed_in(404, member_A=REDIRECT)},  # the member's own token
    "accounts:dashboard": {"GET": signed_in(200)},
    "accounts:my-data": {"GET": signed_in(200), "POST": signed_in(200)},
    "accounts:resolve-report": {"POST": signed_in(404, **REGISTRY_A_DONE)},
    "accounts:review-proposal": {"POST": signed_in(404, network_admin=REDIRECT)},
    # --- The registry ---
    "places:list": {"GET": PUBLIC},
    "places:map": {"GET": PUBLIC},
    "places:detail": {"GET": PUBLIC},
    "places:sheet": {"GET": PUBLIC},
    "places:report": {"GET": PUBLIC, "POST": PUBLIC},  # anyone reports an error; the empty form comes back
    "places:edit": {"GET": signed_in(404, **REGISTRY_A), "POST": signed_in(404, **REGISTRY_A)},
    "places:history": {"GET": signed_in(404, **REGISTRY_A)},
    "places:confirm": {"POST": signed_in(404, **REGISTRY_A_DONE)},
    "places:documents": {
        "GET": signed_in(404, **TEAM_A, network_admin=200),
        "POST": signed_in(404, **TEAM_A),
    },
    "places:document-delete": {"POST": signed_in(404, **TEAM_A_DONE)},  # a team document of place A
    "places:logo": {"POST": signed_in(404, **REGISTRY_A)},
    "places:logo-remove": {"POST": signed_in(404, **REGISTRY_A_DONE)},
    # The duplicates queue is the network admins' only: a 404 for anyone else, anonymous included (the
    # stricter answer: the page's existence is not told, as its own tests already require).
    "places:duplicates": {"GET": answers(404, network_admin=200)},
    "places:duplicate-decide": {"POST": answers(404, network_admin=REDIRECT)},
    # --- Coverage analytics: public (a kept analysis needs an account) ---
    "coverage:page": {"GET": PUBLIC},
    "coverage:map-data": {"GET": PUBLIC},
    "coverage:export": {"GET": PUBLIC},
    "coverage:keep": {"POST": signed_in(REDIRECT)},
    # --- Spaces: public pages ---
    "spaces:index": {"GET": PUBLIC},
    "spaces:availability": {"GET": PUBLIC},
    # --- Spaces: one's own bookings (the resource is open to anyone's booking) ---
    "spaces:book": {"GET": signed_in(200), "POST": signed_in(200)},
    "spaces:my-bookings": {"GET": signed_in(200)},
    "spaces:my-calendar": {"GET": signed_in(200), "POST": signed_in(REDIRECT)},  # one's own feed address
    "spaces:change": {"GET": signed_in(404, **BOOKING_A), "POST": signed_in(404, **BOOKING_A)},
    "spaces:cancel": {"GET": signed_in(404, **BOOKING_A), "POST": signed_in(404, **BOOKING_A_DONE)},
    "spaces:check-in": {"POST": signed_in(404, **BOOKING_A_DONE)},  # the person checks in, or the team
    "spaces:no-show": {"POST": signed_in(404, **TEAM_A_DONE)},
    "spaces:undo-check-in": {"POST": signed_in(404, **TEAM_A_DONE)},
    "spaces:leave-waitlist": {"POST": signed_in(404, **BOOKING_A_DONE)},
    # Calendar feeds: the secret in the address is the key (place A's staff's secret here), whoever asks.
    "spaces:personal_feed": {"GET": PUBLIC},
    "spaces:resource_feed_secret": {"GET": PUBLIC},
    "spaces:resource_feed": {"GET": signed_in(404, **TEAM_A)},
    # --- Spaces: the team's pages ---
    "spaces:place-bookings": {"GET": signed_in(404, **TEAM_A)},
    "spaces:availability_export_csv": {"GET": signed_in(404, **TEAM_A)},
    "spaces:availability_export_ods": {"GET": signed_in(404, **TEAM_A)},
    "spaces:occupancy_export_csv": {"GET": signed_in(404, **TEAM_A)},
    "spaces:occupancy_export_ods": {"GET": signed_in(404, **TEAM_A)},
    # The configuration: the manager configures; the staff sees the home page, grants qualifications and
    # registers members (what spaces/apps.py and members/apps.py declare for each group).
    "spaces:config": {"GET": signed_in(404, **TEAM_A)},
    "spaces:config-resources": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-resource-new": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-resource": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-resource-active": {"POST": signed_in(404, **MANAGER_A_DONE)},
    "spaces:config-price-new": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-price": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-price-delete": {"POST": signed_in(404, **MANAGER_A_DONE)},
    "spaces:config-closures": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-closure": {"GET": signed_in(404, **MANAGER_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-closure-delete": {"POST": signed_in(404, **MANAGER_A_DONE)},
    "spaces:config-qualifications": {"GET": signed_in(404, **TEAM_A), "POST": signed_in(404, **MANAGER_A)},
    "spaces:config-qualification": {"GET": signed_in(404, **TEAM_A), "POST": signed_in(404, **TEAM_A)},
    "spaces:config-qualification-delete": {"POST": signed_in(404, **MANAGER_A_DONE)},
    "spaces:config-qualification-revoke": {"POST": signed_in(404, **TEAM_A_DONE)},
    "spaces:config-members": {"GET": signed_in(404, **TEAM_A), "POST": signed_in(404, **TEAM_A)},
    "spaces:config-member-new": {"GET": signed_in(404, **TEAM_A), "POST": signed_in(404, **TEAM_A)},
    "spaces:config-member": {"GET": signed_in(404, **TEAM_A), "POST": signed_in(404, **TEAM_A)},
    "spaces:config-member-end": {"POST": signed_in(404, **TEAM_A)},  # the empty form comes back
    # --- Territory pages and the widget: public ---
    "territory:commune": {"GET": PUBLIC},
    "territory:department": {"GET": PUBLIC},
    "territory:region": {"GET": PUBLIC},
    "territory:widget": {"GET": PUBLIC},
    "territory:widget-js": {"GET": PUBLIC},
    # --- Privacy: the DPOs' tools. Place B's DPO has the tools, but does not find place A's member. ---
    "privacy:dpo": {"GET": signed_in(404, dpo_A=200, dpo_B=200)},
    "privacy:account": {"GET": signed_in(404, dpo_A=200)},
    "privacy:account-csv": {"GET": signed_in(404, dpo_A=200)},
    "privacy:person": {"GET": signed_in(404, dpo_A=200)},
    "privacy:person-csv": {"GET": signed_in(404, dpo_A=200)},
    # Data-subject requests: the DPOs' (each sees their places' requests: place A's one is place A's DPO's).
    "privacy:requests": {"GET": signed_in(404, dpo_A=200, dpo_B=200)},
    "privacy:request-create": {
        "GET": signed_in(404, dpo_A=200, dpo_B=200),
        "POST": signed_in(404, dpo_A=200, dpo_B=200),  # the empty form comes back with its errors
    },
    "privacy:request": {"GET": signed_in(404, dpo_A=200)},
    "privacy:request-action": {"POST": signed_in(404, dpo_A=400)},
    # --- The API's own pages (its operations: API_MATRIX below, from the schema) ---
    "api:openapi-json": {"GET": PUBLIC},
    "api:openapi-view": {"GET": PUBLIC},
    "api:api-root": {"GET": NOBODY},
}

# "METHOD path" of each operation of the OpenAPI schema → {role: status}. Each role calls with its own
# token (every scope); anonymous calls without one (401 where a token is needed). POST and PATCH send `{}`.
WITH_TOKEN = {"anonymous": 401}
API_MATRIX = {
    "GET /api/places": PUBLIC,
    "GET /api/places/nearest": PUBLIC,
    "GET /api/places/{place_id}": PUBLIC,
    "GET /api/communes": PUBLIC,
    "GET /api/coverage": PUBLIC,
    # Anyone with a token proposes a place (an empty one is refused by its validation); a network admin
    # creates it (same validation).
    "POST /api/places": answers(422, **WITH_TOKEN),
    "GET /api/places/proposals": answers(200, **WITH_TOKEN),
    "PATCH /api/places/{place_id}": answers(404, **WITH_TOKEN, manager_A=200, network_admin=200),
    # Only a network admin reviews; the proposer sees her own proposal (GET /proposals lists it), so she gets
    # the workflow's 403 that says why, where anyone else gets the 404 of a proposal they cannot see.
    "POST /api/places/proposals/{proposal_id}/accept": answers(
        404, **WITH_TOKEN, member_A=403, network_admin=200
    ),
    "POST /api/places/proposals/{proposal_id}/reject": answers(
        404, **WITH_TOKEN, member_A=403, network_admin=200
    ),
    # Anyone may ask to manage a place; its manager already does, the member already asked.
    "POST /api/places/{place_id}/claim": answers(202, **WITH_TOKEN, member_A=409, manager_A=409),
    "GET /api/spaces/places/{place_id}/resources": answers(200, **WITH_TOKEN),
    "GET /api/spaces/resources/{resource_id}/availability": answers(200, **WITH_TOKEN),
    # With `place`: place A's bookings, for its team only.
    "GET /api/spaces/bookings": answers(404, **WITH_TOKEN, staff_A=200, manager_A=200),
    "POST /api/spaces/bookings": answers(422, **WITH_TOKEN),
    "PATCH /api/spaces/bookings/{booking_id}": answers(
        404, **WITH_TOKEN, member_A=200, staff_A=200, manager_A=200
    ),
    "POST /api/spaces/bookings/{booking_id}/cancel": answers(
        404, **WITH_TOKEN, member_A=200, staff_A=200, manager_A=200
    ),
}
# Query strings of the operations, by "METHOD path" (a function of the world).
API_QUERIES = {
    "GET /api/places/nearest": lambda w: "lat=44.93&lon=2.44",
    "GET /api/communes": lambda w: "q=Aurillac",
    "GET /api/coverage": lambda w: "territory=dep:15",
    "GET /api/spaces/bookings": lambda w: f"place={w.place_a.pk}",
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def api_operations():
    """("METHOD path", path) of every operation of the OpenAPI schema."""
    from relais.api.api import api

    schema = api.get_openapi_schema()
    return [
        (f"{method.upper()} {path}", path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    ]


def api_url(path, world):
    values = {
        "place_id": world.place_a.pk,
        "proposal_id": world.objects["proposal"].pk,
        "resource_id": world.objects["resource"].public_id,
        "booking_id": world.objects["booking"].public_id,
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"{path} : paramètre sans valeur dans le monde de la matrice"
    return path


# --- The tests ------------------------------------------------------------------------------------


def _route_as_openapi(route):
    """/api/places/<place_id> → /api/places/{place_id}"""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


API_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root"}


def test_every_url_is_in_the_matrix():
    operations = api_operation_names()
    names = {name for name, _params, _route in enumerate_urls() if name not in operations}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"ajoutez la nouvelle vue à la matrice (MATRIX) : {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"vues de la matrice qui n'existent plus : {stale}"
    for name, methods in MATRIX.items():
        for method, expected in methods.items():
            assert method in ("GET", "POST") and set(expected) == set(ROLES), (name, method)


def api_operation_names():
    """The URL names of the API's operations (each is checked by the API matrix, from the schema)."""
    return {name for name, _params, _route in enumerate_urls() if name.startswith("api:")} - API_PAGES


def test_every_api_route_is_an_operation_of_the_schema_and_in_the_api_matrix():
    operations = api_operation_names()
    routes = {_route_as_openapi(route) for name, _params, route in enumerate_urls() if name in operations}
    schema_paths = {path for _key, path in api_operations()}
    # A route outside the schema would escape both matrices.
    assert routes == schema_paths
    keys = {key for key, _path in api_operations()}
    missing = sorted(keys - set(API_MATRIX))
    assert not missing, f"ajoutez la nouvelle opération à la matrice (API_MATRIX) : {missing}"
    assert not set(API_MATRIX) - keys, "opérations de la matrice qui n'existent plus"
    assert all(set(expected) == set(ROLES) for expected in API_MATRIX.values())


def _clients(world):
    clients = {}
    for role in ROLES:
        user = world.users[role]
        # Anonymous: the plain test client; the others give both factors (relais.testing.VerifiedClient).
        clients[role] = Client() if user is None else VerifiedClient()
        if user is not None:
            clients[role].force_login(user)
    return clients


def _answer(client, method, url, **extra):
    """What `client` gets, the database and the client's cookies as they were before (so that a request
    that succeeds — a cancellation, a log-out — changes nothing for the next one)."""
    for cache in caches.all():  # rate limits and lock-outs count per client address: each request alone
        cache.clear()
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    savepoint = transaction.savepoint()
    try:
        response = getattr(client, method.lower())(url, **extra)
        answer = classify(response)
        close_response(response)
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies
    return answer


def _mismatches(expected, observed):
    return {role: (expected[role], observed[role]) for role in ROLES if expected[role] != observed[role]}


def test_every_role_gets_the_expected_answer_on_every_url():
    world = build_world()
    clients = _clients(world)
    failures = {}
    for name, parameters, _route in enumerate_urls():
        if name not in MATRIX:
            continue  # test_every_url_is_in_the_matrix says so
        url = url_for(name, parameters, world)
        for method, expected in MATRIX[name].items():
            observed = {role: _answer(clients[role], method, url) for role in ROLES}
            if wrong := _mismatches(expected, observed):
                failures[f"{method} {name} ({url})"] = wrong
    assert not failures, "rôle : (attendu, obtenu)\n" + "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_every_role_gets_the_expected_answer_on_every_api_operation():
    world = build_world()
    tokens = {role: world.token(role) for role in ROLES}
    client = Client()
    failures = {}
    for key, path in api_operations():
        if key not in API_MATRIX:
            continue  # test_every_api_route_is_an_operation_of_the_schema_and_in_the_api_matrix says so
        method = key.split()[0]
        query = API_QUERIES.get(key)
        url = api_url(path, world) + (f"?{query(world)}" if query else "")
        observed = {}
        for role in ROLES:
            extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if tokens[role] else {}
            if method in ("POST", "PATCH"):
                extra |= {"data": "{}", "content_type": "application/json"}
            observed[role] = _answer(client, method, url, **extra)
        if wrong := _mismatches(API_MATRIX[key], observed):
            failures[f"{key} ({url})"] = wrong
    assert not failures, "rôle : (attendu, obtenu)\n" + "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_place_b_teams_calendar_secret_opens_none_of_place_a_resources():
    world = build_world()
    url = reverse(
        "spaces:resource_feed_secret",
        kwargs={"token": world.feed_secrets["staff_B"], "resource_id": world.objects["resource"].public_id},
    )
    assert _answer(Client(), "GET", url) == 404
    # Nor does a secret of place A's member, who is no team of it.
    url = url.replace(world.feed_secrets["staff_B"], world.feed_secrets["member_A"])
    assert _answer(Client(), "GET", url) == 404


def test_the_booked_person_can_neither_note_her_absence_nor_undo_a_check_in():
    """Only the place's team may: the person gets the 404 of a page she may not use, and nothing changes
    (she used to get the workflow's refusal as a message, after the booking was fetched for her)."""
    world = build_world()
    booking = world.objects["booking"]
    client = VerifiedClient()
    client.force_login(world.users["member_A"])
    for name in ("spaces:no-show", "spaces:undo-check-in"):
        response = client.post(reverse(name, args=[booking.public_id]), {"motif": "erreur"})
        assert response.status_code == 404, name
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.transitions.count() == 0


def test_the_network_admin_gets_the_logo_form_but_not_the_teams_documents():
    """A network admin gets the documents page (the logo is the registry's), without the documents."""
    world = build_world()
    url = reverse("places:documents", args=[world.place_a.pk])
    title = world.objects["document"].title
    for role, sees in (("network_admin", False), ("staff_A", True)):
        client = VerifiedClient()
        client.force_login(world.users[role])
        response = client.get(url)
        assert response.status_code == 200
        assert (title in response.content.decode()) is sees, role
