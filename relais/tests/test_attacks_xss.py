"""Cross-site scripting: what people type (public forms, sign-up, the open-data import, the manager's and the
team's forms, booking notes) comes back on every page that shows it as text, never as markup.

Each value carries the payloads at once: a script element, an attribute break-out with an event handler,
the end of a script element (for the JSON-LD and json_script blocks), a template expression and quotes.
Each page is parsed with the standard HTML parser: no element or attribute may come from a payload (no
`on…` attribute — the pages have none, the CSP forbids them —, no inline script, no `javascript:` address),
each JSON block still parses as JSON, and the value is found back as text where the page shows it. JSON
answers must give the value back exactly, as JSON. URL fields refuse `javascript:` addresses, with a French
message naming the field.
"""

import csv
import datetime
import io
import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from relais.accounts.models import ApiToken, PlaceRole, User
from relais.members.models import Member
from relais.places.models import ErrorReport, Place, PlaceProposal
from relais.places.opendata.importer import ImportRejected, import_places
from relais.places.opendata.mednum import COLUMNS
from relais.spaces.models import Booking, Closure, Qualification, Resource
from relais.testing import (
    PlaceFactory,
    ResourceFactory,
    UserFactory,
    VerifiedClient,
    assert_french,
    close_response,
    form_data,
    resource_data,
)

from .attack_world import PARIS, all_routes, example_row, make_world, url_of
from .markup import JSON_TYPES, injections

pytestmark = pytest.mark.django_db

# All the payloads in one value (each field gets it; the longest fields take 250 characters).
PAYLOAD = (
    '<script>window.__xss=1</script>"><img src=x onerror=window.__xss=1>'
    "</script><script>window.__xss=1</script>{{7*7}}'\""
)
# A shorter one for fields of 150 characters (sign-up names) and under.
SHORT = "\"><img src=x onerror=window.__xss=1></script><script>window.__xss=1</script>{{7*7}}'"
JS_URL = "javascript:alert(1)"


def assert_shows_as_text(response, value, shown=True):
    """The page is safe; `shown`: `value` is part of its text, an attribute or a JSON block."""
    assert response.status_code == 200, response.status_code
    content = response.content.decode()
    found, probe = injections(content)
    assert found == [], found
    if shown:
        texts = "".join(probe.text)
        attributes = [v for _, attrs in probe.elements for v in attrs.values() if v]
        blocks = [
            json.dumps(json.loads(b), ensure_ascii=False)
            for a, b in probe.scripts
            if a.get("type") in JSON_TYPES
        ]
        assert (
            value in texts
            or any(value in v for v in attributes)
            or any(json.dumps(value)[1:-1] in b for b in blocks)
        ), "the value is not shown: the page tested nothing"


def test_the_probe_finds_what_a_hole_would_let_through():
    # The checker of every test below, on markup where the payload was NOT escaped, and where it was.
    import django.utils.html

    block = f'<script type="application/ld+json">{{"name": "{PAYLOAD}"}}</script>'
    raw = f'<p title="{PAYLOAD}">{PAYLOAD}</p>{block}'
    found, _ = injections(raw)
    assert any("onerror" in f for f in found) and any("inline script" in f for f in found)
    assert any("JSON block" in f for f in found)
    assert injections(f'<a href="{JS_URL}">x</a><a href=" JAVA\tSCRIPT:alert(1)">y</a>')[0] != []
    escaped = django.utils.html.escape(PAYLOAD)
    assert injections(f'<p title="{escaped}">{escaped}</p>')[0] == []


def walk_json(data):
    if isinstance(data, dict):
        for v in data.values():
            yield from walk_json(v)
    elif isinstance(data, list):
        for v in data:
            yield from walk_json(v)
    elif isinstance(data, str):
        yield data


def assert_json_gives_back(response, value):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(("application/json", "application/geo+json"))
    assert response.get("X-Content-Type-Options") == "nosniff"
    strings = list(walk_json(json.loads(response.content)))
    assert any(value in s for s in strings), "the value is not in the JSON answer"


def logged_in(user):
    client = VerifiedClient()
    client.force_login(user)
    return client


# --- A place edited by its manager ------------------------------------------------------------------


@pytest.fixture
def manager():
    return UserFactory(username="gerante")


@pytest.fixture
def place(manager):
    return PlaceFactory(name="La Grange", typologies=["COWORKING"], managers=[manager])


@pytest.fixture
def nasty_place(place, manager):
    """The manager types the payloads into every text field of the place's form."""
    client = logged_in(manager)
    url = reverse("places:edit", args=[place.pk])
    form = client.get(url).context["form"]
    texts = dict.fromkeys(
        (
            "name",
            "summary",
            "description",
            "opening_hours_notes",
            "address",
            "address_complement",
            "accessibility_notes",
            "access_conditions",
            "parent_organisation",
        ),
        PAYLOAD,
    )
    response = client.post(url, form_data(form, **texts))
    assert response.status_code == 302, response.context["form"].errors
    place.refresh_from_db()
    assert place.name == PAYLOAD and place.description == PAYLOAD
    return place


def test_url_fields_of_the_place_form_refuse_javascript_addresses(place, manager):
    client = logged_in(manager)
    url = reverse("places:edit", args=[place.pk])
    form = client.get(url).context["form"]
    for field in ("websites", "booking_url", "accessibility_url"):
        for value in (
            JS_URL,
            " JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            JS_URL + SHORT,
        ):
            response = client.post(url, form_data(form, **{field: value}))
            assert response.status_code == 200, (field, value)
            # The refusal quotes what was typed: as text.
            assert injections(response.content.decode())[0] == [], (field, value)
            messages = response.context["form"].errors.get(field)
            assert messages, (field, value)
            for message in messages:
                assert_french(message)
    place.refresh_from_db()
    assert not place.booking_url and not place.websites and not place.accessibility_url


def test_the_place_s_public_pages_show_the_payloads_as_text(nasty_place, manager):
    client = Client()
    place = nasty_place
    for name in ("places:detail", "places:sheet"):
        assert_shows_as_text(client.get(reverse(name, args=[place.pk])), PAYLOAD)
    assert_shows_as_text(client.get(reverse("places:list"), {"ou": "Aurillac"}), PAYLOAD)
    assert_shows_as_text(client.get(reverse("territory:commune", args=["15014"])), PAYLOAD)
    assert_shows_as_text(client.get(reverse("territory:department", args=["15"])), PAYLOAD, shown=False)
    assert_shows_as_text(client.get(reverse("territory:widget", args=["15014"])), PAYLOAD)
    assert_shows_as_text(client.get(reverse("home")), PAYLOAD, shown=False)
    assert_shows_as_text(client.get(reverse("coverage:page"), {"departement": "15"}), PAYLOAD, shown=False)
    # The manager's own pages.
    team = logged_in(manager)
    assert_shows_as_text(team.get(reverse("accounts:dashboard")), PAYLOAD)
    assert_shows_as_text(team.get(reverse("places:edit", args=[place.pk])), PAYLOAD)
    assert_shows_as_text(team.get(reverse("places:history", args=[place.pk])), PAYLOAD)


def test_the_json_ld_of_the_place_page_keeps_the_payload_inside_its_string(nasty_place):
    content = Client().get(reverse("places:detail", args=[nasty_place.pk])).content.decode()
    _, probe = injections(content)
    blocks = [json.loads(b) for a, b in probe.scripts if a.get("type") == "application/ld+json"]
    assert blocks and blocks[0]["name"] == PAYLOAD
    assert "</script><script>" not in content


def test_the_map_data_and_the_api_give_the_payload_back_as_json(nasty_place):
    client = Client()
    assert_json_gives_back(client.get(reverse("places:map"), {"ou": "Aurillac"}), PAYLOAD)
    assert_json_gives_back(client.get(f"/api/places/{nasty_place.pk}"), PAYLOAD)
    assert_json_gives_back(client.get("/api/places"), PAYLOAD)


def test_the_widget_script_carries_no_place_data(nasty_place):
    response = Client().get(reverse("territory:widget-js"))
    assert response.status_code == 200
    assert "__xss" not in response.content.decode()


# --- The public forms -------------------------------------------------------------------------------


def test_an_error_report_shows_as_text_to_the_managers(place, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("places:report", args=[place.pk]),
            {"kind": "hours", "message": PAYLOAD, "email": "", "website": ""},
        )
    assert response.status_code in (200, 302)
    assert ErrorReport.objects.get(place=place).message == PAYLOAD
    assert_shows_as_text(logged_in(manager).get(reverse("accounts:dashboard")), PAYLOAD)
    assert mail.outbox, "the managers are told"
    for message in mail.outbox:
        # Plain text only (their templates turn autoescaping off, rightly for text): no HTML part at all.
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
        assert PAYLOAD in message.body


def test_sign_up_names_show_as_text_on_the_team_s_pages(place, manager, django_capture_on_commit_callbacks):
    password = "une phrase de passe assez longue"
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("accounts:signup"),
            {
                "first_name": SHORT,
                "last_name": SHORT,
                "email": "louise@exemple.org",
                "password1": password,
                "password2": password,
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    person = User.objects.get(email="louise@exemple.org")
    assert person.first_name == SHORT
    for message in mail.outbox:
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    person.is_active = True
    person.save()
    Member.objects.create(place=place, user=person)
    resource = Resource.objects.create(
        place=place, name="Salle", kind="meeting_room", booking_policy="public"
    )
    Booking.objects.create(
        resource=resource,
        place=place,
        person=person,
        booked_by=person,
        start=_at(2031, 3, 3, 10),
        end=_at(2031, 3, 3, 11),
    )
    team = logged_in(manager)
    assert_shows_as_text(team.get(reverse("spaces:config-members", args=[place.pk])), SHORT)
    assert_shows_as_text(
        team.get(reverse("spaces:place-bookings", args=[place.pk]), {"jour": "2031-03-03"}),
        SHORT,
        shown=False,
    )
    assert_shows_as_text(logged_in(person).get(reverse("accounts:dashboard")), SHORT, shown=False)


def test_a_place_proposal_shows_as_text_to_the_network_admins():
    proposer = UserFactory()
    raw = ApiToken.issue(proposer, "jeton")[1]
    response = Client().post(
        "/api/places",
        json.dumps({"name": PAYLOAD, "code_insee": "15014", "description": PAYLOAD}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 202, response.content
    assert PlaceProposal.objects.get().data["name"] == PAYLOAD
    admin = UserFactory(network_admin=True)
    assert_shows_as_text(logged_in(admin).get(reverse("accounts:dashboard")), PAYLOAD)


# --- The open-data import ---------------------------------------------------------------------------


def mednum_csv(tmp_path, **values):
    row = {**example_row(), **values}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow({c: row.get(c, "") for c in COLUMNS})
    path = tmp_path / "lieux.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_an_imported_row_shows_as_text_on_every_page(tmp_path):
    path = mednum_csv(tmp_path, nom=PAYLOAD, presentation_resume=PAYLOAD, presentation_detail=PAYLOAD)
    report = import_places(path, fmt="mednum-csv")
    assert report.created == 1
    place = Place.objects.get()
    assert place.name == PAYLOAD
    client = Client()
    assert_shows_as_text(client.get(reverse("places:detail", args=[place.pk])), PAYLOAD)
    code = place.commune.code_insee
    assert_shows_as_text(client.get(reverse("territory:commune", args=[code])), PAYLOAD)
    assert_shows_as_text(client.get(reverse("territory:widget", args=[code])), PAYLOAD)
    assert_json_gives_back(client.get(reverse("places:map")), PAYLOAD)


@pytest.mark.parametrize("column", ["site_web", "prise_rdv", "fiche_acces_libre"])
def test_the_import_refuses_javascript_addresses(tmp_path, column):
    assert column in COLUMNS
    with pytest.raises(ImportRejected) as info:
        import_places(mednum_csv(tmp_path, **{column: JS_URL}), fmt="mednum-csv")
    assert Place.objects.count() == 0
    assert "javascript" in str(info.value.report.rejected).lower()


# --- The team's configuration ------------------------------------------------------------------------


def _at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def test_the_team_s_configuration_shows_the_payloads_as_text(place, manager):
    team = logged_in(manager)
    response = team.post(
        reverse("spaces:config-resource-new", args=[place.pk]),
        resource_data(
            name=PAYLOAD[:200],
            description=PAYLOAD,
            equipment=f"{SHORT}\nVidéoprojecteur",
            booking_policy="public",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get(place=place)
    response = team.post(
        reverse("spaces:config-closures", args=[place.pk]),
        {"resource": "", "start_date": "2031-08-01", "end_date": "2031-08-15", "reason": PAYLOAD},
    )
    assert response.status_code == 302, response.context["form"].errors
    closure = Closure.objects.get(place=place)
    response = team.post(
        reverse("spaces:config-qualifications", args=[place.pk]), {"name": SHORT, "description": PAYLOAD}
    )
    assert response.status_code == 302, response.context["form"].errors
    qualification = Qualification.objects.get(place=place)
    response = team.post(
        reverse("spaces:config-member-new", args=[place.pk]),
        {"user": "", "name": SHORT, "contact": SHORT[:100], "joined_on": "2026-01-15", "ends_on": ""},
    )
    assert response.status_code == 302, response.context["form"].errors
    member = Member.objects.get(place=place)

    pages = {
        reverse("spaces:config", args=[place.pk]): None,
        reverse("spaces:config-resources", args=[place.pk]): PAYLOAD[:200],
        reverse("spaces:config-resource", args=[place.pk, resource.public_id]): PAYLOAD[:200],
        reverse("spaces:config-closures", args=[place.pk]): PAYLOAD,
        reverse("spaces:config-closure", args=[place.pk, closure.public_id]): PAYLOAD,
        reverse("spaces:config-qualifications", args=[place.pk]): SHORT,
        reverse("spaces:config-qualification", args=[place.pk, qualification.public_id]): PAYLOAD,
        reverse("spaces:config-members", args=[place.pk]): SHORT,
        reverse("spaces:config-member", args=[place.pk, member.public_id]): SHORT,
        reverse("spaces:place-bookings", args=[place.pk]): None,
    }
    for url, value in pages.items():
        assert_shows_as_text(team.get(url), value or PAYLOAD, shown=value is not None)
    public = Client()
    assert_shows_as_text(public.get(reverse("spaces:availability", args=[place.pk])), PAYLOAD[:200])
    assert_shows_as_text(public.get(reverse("places:detail", args=[place.pk])), PAYLOAD[:200], shown=False)
    someone = UserFactory()
    assert_shows_as_text(
        logged_in(someone).get(reverse("spaces:book", args=[resource.public_id])), PAYLOAD[:200]
    )
    token = {"Authorization": f"Bearer {ApiToken.issue(someone, 'jeton')[1]}"}
    assert_json_gives_back(
        public.get(f"/api/spaces/places/{place.pk}/resources", headers=token), PAYLOAD[:200]
    )


def test_booking_notes_and_names_show_as_text_to_the_team_and_the_member(place, manager):
    from django.utils import timezone

    person = UserFactory(first_name=SHORT, last_name="Martin")
    resource = ResourceFactory(place=place, name=SHORT)
    import holidays

    # A working day a week ahead or more, not a public holiday (the place's hours say "PH off").
    day = timezone.localdate() + datetime.timedelta(days=8)
    while day.weekday() >= 5 or day in holidays.France(years=day.year):
        day += datetime.timedelta(days=1)
    member = logged_in(person)
    response = member.post(
        reverse("spaces:book", args=[resource.public_id]),
        {"date": day.isoformat(), "start_time": "10:00", "end_time": "11:00", "notes": PAYLOAD},
    )
    assert response.status_code == 302, response.context["form"].errors
    booking = Booking.objects.get(person=person)
    assert booking.notes == PAYLOAD
    # A walk-in the team wrote down by name and contact.
    Booking.objects.create(
        resource=resource,
        place=place,
        person_name=SHORT,
        person_contact=SHORT[:100],
        booked_by=manager,
        start=_at(day.year, day.month, day.day, 14),
        end=_at(day.year, day.month, day.day, 15),
        notes=PAYLOAD,
    )
    team = logged_in(manager)
    assert_shows_as_text(
        team.get(reverse("spaces:place-bookings", args=[place.pk]), {"jour": day.isoformat()}), PAYLOAD
    )
    assert_shows_as_text(member.get(reverse("spaces:my-bookings")), SHORT)
    for name in ("spaces:change", "spaces:cancel"):
        assert_shows_as_text(member.get(reverse(name, args=[booking.public_id])), SHORT)
    raw = ApiToken.issue(person, "jeton")[1]
    response = Client().get("/api/spaces/bookings", headers={"Authorization": f"Bearer {raw}"})
    assert_json_gives_back(response, SHORT)
    assert PlaceRole.objects.filter(user=manager, place=place).exists()


# --- What the address carries (reflected) --------------------------------------------------------------

# Every query parameter a page reads (grep of request.GET and of the directory's and coverage's parameters).
REFLECTED = [
    "q",
    "where",
    "commune",
    "typology",
    "service",
    "label",
    "public",
    "page",
    "open_on",
    "radius",
    "next",
    "jour",
    "semaine",
    "vue",
    "ressource",
    "type",
    "kind",
    "attente",
    "quantite",
    "sur_place",
    "place",
    "compte",
    "fiche",
    "n",
    "rayon",
    "typologie",
    "territory",
    "radius_km",
    "candidate_communes",
    "recommend",
    "du",
    "au",
]


def test_no_page_writes_back_what_its_address_carries_as_markup():
    world = make_world()
    query = dict.fromkeys(REFLECTED, PAYLOAD)
    clients = {
        "public": Client(),
        "manager": logged_in(world.a.manager),
        "member": logged_in(world.a.member_user),
    }
    clients["admin"] = logged_in(world.network_admin)
    holes = []
    for route in all_routes():
        if route.is_admin or route.pattern.endswith((".csv", ".ods", ".ics", ".json", ".js", ".pmtiles")):
            continue
        url = url_of(route, world)
        for label, client in clients.items():
            for params in (query, {**query, "next": JS_URL}):
                response = client.get(url, params)
                kind = response.get("Content-Type", "")
                content = response.content.decode(errors="replace") if "html" in kind else ""
                close_response(response)
                assert response.status_code < 500, (route.name, label, response.status_code)
                found = injections(content)[0] if content else []
                if found:
                    holes.append(f"{label} {route.name}: {found[:2]}")
    assert holes == []
    # The control: the directory does write the search back (in its form), as text.
    assert_shows_as_text(Client().get(reverse("places:list"), {"q": SHORT}), SHORT)  # q: 100 characters


def test_the_api_refuses_javascript_addresses_naming_the_field(place, manager):
    raw = ApiToken.issue(manager, "jeton")[1]
    for field, value in (("booking_url", JS_URL), ("websites", [JS_URL]), ("accessibility_url", JS_URL)):
        response = Client().patch(
            f"/api/places/{place.pk}",
            json.dumps({field: value}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code in (400, 422), (field, response.status_code, response.content)
        body = json.loads(response.content)
        assert field in json.dumps(body), body
        assert_french(body.get("detail") or body.get("message") or json.dumps(body, ensure_ascii=False))
    place.refresh_from_db()
    assert not place.booking_url and not place.websites and not place.accessibility_url
