"""The team's configuration pages: resources (durations with units, equipment lines, hours in words, a
preview of the week), prices in euros, closures, qualifications — who may, what is stored, what is audited."""

import datetime
import html

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.privacy.models import AuditEvent
from relais.spaces.models import Closure, PriceRule, Qualification, Resource, UserQualification
from relais.testing import (
    MemberFactory,
    PlaceFactory,
    QualificationFactory,
    ResourceFactory,
    UserFactory,
    assert_french,
    resource_data,
)

from .conftest import PARIS


def text(response):
    return html.unescape(response.content.decode())


def errors_of(response, field):
    form = response.context["form"]
    messages = form.errors.get(field, [])
    for message in messages:
        assert_french(message)
    return messages


@pytest.fixture
def staff(place):
    user = UserFactory(first_name="Sam", last_name="Accueil")
    PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.STAFF)
    return user


@pytest.fixture
def other_manager(db):
    user = UserFactory()
    PlaceRole.objects.create(user=user, place=PlaceFactory(), role=PlaceRole.Role.MANAGER)
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def qualification(place):
    return QualificationFactory(place=place, name="Découpe laser")


@pytest.fixture
def rule(room):
    return PriceRule.objects.create(resource=room, unit="hour", amount_cents=500)


@pytest.fixture
def closure(place):
    return Closure.objects.create(
        place=place,
        start=datetime.datetime(2030, 8, 1, tzinfo=PARIS),
        end=datetime.datetime(2030, 8, 16, tzinfo=PARIS),
        reason="congés d'été",
    )


def all_pages(place, room, rule, closure, qualification):
    return [
        reverse("spaces:config", args=[place.pk]),
        reverse("spaces:config-resources", args=[place.pk]),
        reverse("spaces:config-resource-new", args=[place.pk]) + "?type=machine",
        reverse("spaces:config-resource", args=[place.pk, room.public_id]),
        reverse("spaces:config-price-new", args=[place.pk, room.public_id]),
        reverse("spaces:config-price", args=[place.pk, room.public_id, rule.public_id]),
        reverse("spaces:config-closures", args=[place.pk]),
        reverse("spaces:config-closure", args=[place.pk, closure.public_id]),
        reverse("spaces:config-qualifications", args=[place.pk]),
        reverse("spaces:config-qualification", args=[place.pk, qualification.public_id]),
    ]


# --- Who may ----------------------------------------------------------------------------------------------


def test_every_page_opens_for_a_manager(manager_client, place, room, rule, closure, qualification):
    for url in all_pages(place, room, rule, closure, qualification):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert "Europe/Paris" in text(response) or "fermetures" not in url, url


def test_anyone_else_gets_a_404_and_the_anonymous_the_login(
    client, place, room, rule, closure, qualification, other_manager, member
):
    pages = all_pages(place, room, rule, closure, qualification)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/connexion/" in response.url, url
    for user in (other_manager, member):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(pages[3], resource_data()).status_code == 404


def test_a_network_admin_is_not_the_team(client, place, room):
    admin = UserFactory(is_network_admin=True)
    client.force_login(admin)
    assert client.get(reverse("spaces:config-resources", args=[place.pk])).status_code == 404


def test_staff_grant_qualifications_but_do_not_configure(
    client, place, staff, room, rule, closure, qualification
):
    """Staff may what spaces/apps.py gives their group: who holds a qualification (and members)."""
    client.force_login(staff)
    assert client.get(reverse("spaces:config", args=[place.pk])).status_code == 200
    qualification_page = reverse("spaces:config-qualification", args=[place.pk, qualification.public_id])
    page = client.get(qualification_page)
    assert page.status_code == 200
    assert page.context["grant_form"] is not None and page.context["edit_form"] is None
    for url in all_pages(place, room, rule, closure, qualification)[1:8]:
        assert client.get(url).status_code == 404, url
    # No creating or renaming a qualification.
    create = client.post(reverse("spaces:config-qualifications", args=[place.pk]), {"name": "Soudure"})
    assert create.status_code == 404
    rename = client.post(qualification_page, {"action": "modifier", "name": "Autre"})
    assert rename.status_code == 404
    assert not Qualification.objects.filter(name__in=["Soudure", "Autre"]).exists()
    # Granting does work.
    known = MemberFactory(place=place).user
    response = client.post(
        qualification_page,
        {"action": "accorder", "accorder-user": known.username, "accorder-granted_on": "2026-03-02"},
    )
    assert response.status_code == 302
    assert UserQualification.objects.get(qualification=qualification).granted_by == staff


def test_a_resource_of_another_place_is_not_reached_through_ones_own(manager_client, place):
    elsewhere = ResourceFactory()
    url = reverse("spaces:config-resource", args=[place.pk, elsewhere.public_id])
    assert manager_client.get(url).status_code == 404
    other_rule = PriceRule.objects.create(resource=elsewhere, unit="hour", amount_cents=100)
    own = ResourceFactory(place=place)
    url = reverse("spaces:config-price", args=[place.pk, own.public_id, other_rule.public_id])
    assert manager_client.get(url).status_code == 404
    other_closure = Closure.objects.create(
        place=elsewhere.place,
        start=datetime.datetime(2030, 1, 1, tzinfo=PARIS),
        end=datetime.datetime(2030, 1, 2, tzinfo=PARIS),
    )
    assert (
        manager_client.get(
            reverse("spaces:config-closure", args=[place.pk, other_closure.public_id])
        ).status_code
        == 404
    )
    assert (
        manager_client.post(
            reverse("spaces:config-closure-delete", args=[place.pk, other_closure.public_id])
        ).status_code
        == 404
    )
    assert Closure.objects.filter(pk=other_closure.pk).exists()


# --- Resources --------------------------------------------------------------------------------------------


def test_creating_a_resource_stores_minutes_and_equipment_lines_and_is_audited(
    manager_client, place, manager
):
    url = reverse("spaces:config-resource-new", args=[place.pk])
    response = manager_client.post(
        url, resource_data(equipment="Vidéoprojecteur\n\n  Tableau   blanc \nVisio")
    )
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get(name="Salle du Puy")
    assert resource.place == place
    assert resource.cancellation_deadline_minutes == 1440
    assert resource.max_duration_minutes == 480
    assert resource.buffer_minutes == 15
    assert resource.equipment == ["Vidéoprojecteur", "Tableau blanc", "Visio"]
    event = AuditEvent.objects.for_object(resource).get()
    assert event.action == "create" and event.actor == manager and event.place_id == place.pk
    assert event.changes["cancellation_deadline_minutes"] == [None, "1440"]

    page = manager_client.get(response.url)
    assert page.status_code == 200
    form = page.context["form"]
    # Shown back in its unit, equipment one per line.
    assert 'value="24"' in form["cancellation_deadline_minutes"].as_widget()
    assert "Vidéoprojecteur\nTableau blanc\nVisio" in text(page)


def test_a_new_resource_starts_from_its_kinds_rules(manager_client, place):
    page = manager_client.get(reverse("spaces:config-resource-new", args=[place.pk]) + "?type=meeting_room")
    form = page.context["form"]
    assert form.initial["kind"] == "meeting_room"
    assert form.initial["cancellation_deadline_minutes"] == 1440
    widget = form["cancellation_deadline_minutes"].as_widget()
    assert 'value="24"' in widget and 'value="heures" selected' in widget
    assert 'aria-label="unité de « Annulation possible jusqu' in html.unescape(widget)
    # Rules the kind does not set start from the model's defaults (0 minutes' notice).
    assert 'name="min_notice_minutes_0" value="0"' in text(page)
    assert 'value="minutes" selected' in form["min_notice_minutes"].as_widget()


def test_changing_a_resource_is_audited_with_before_and_after(manager_client, place, room):
    url = reverse("spaces:config-resource", args=[place.pk, room.public_id])
    response = manager_client.post(
        url, resource_data(name="Salle Cantal", cancellation_deadline_minutes_0="2")
    )
    assert response.status_code == 302, response.context["form"].errors
    room.refresh_from_db()
    assert room.cancellation_deadline_minutes == 120
    event = AuditEvent.objects.for_object(room).get(action="update")
    assert event.changes["cancellation_deadline_minutes"] == ["0", "120"]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"granularity_minutes_0": "7"}, "granularity_minutes", "doit diviser une journée"),
        (
            {"min_duration_minutes_0": "9", "min_duration_minutes_1": "heures"},
            "min_duration_minutes",
            "dépasse",
        ),
        ({"min_duration_minutes_0": "douze"}, "min_duration_minutes", "nombre entier"),
        ({"cancellation_deadline_minutes_0": "-3"}, "cancellation_deadline_minutes", "négative"),
        ({"bookable_hours": "lundi de 9h à 12h"}, "bookable_hours", ""),
        ({"capacity": "3"}, "capacity", "capacité 1"),
        ({"kind": "machine"}, "required_qualification", "habilitation"),
        ({"name": ""}, "name", ""),
    ],
)
def test_a_bad_value_gets_a_french_message_next_to_its_field(manager_client, place, changes, field, fragment):
    response = manager_client.post(
        reverse("spaces:config-resource-new", args=[place.pk]), resource_data(**changes)
    )
    assert response.status_code == 200
    messages = errors_of(response, field)
    assert messages and fragment in " ".join(messages), response.context["form"].errors
    assert f'id="id_{field}_error"' in text(response)  # next to the field, which points to it
    assert not Resource.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_qualification_of_another_place_cannot_be_required(manager_client, place):
    foreign = QualificationFactory()
    response = manager_client.post(
        reverse("spaces:config-resource-new", args=[place.pk]),
        resource_data(kind="machine", required_qualification=str(foreign.pk)),
    )
    assert errors_of(response, "required_qualification")


def test_the_resource_page_reads_the_hours_and_previews_the_week(manager_client, place, room):
    room.bookable_hours = "Mo-Fr 09:00-12:00"
    room.save()
    page = text(manager_client.get(reverse("spaces:config-resource", args=[place.pk, room.public_id])))
    assert "Syntaxe OpenStreetMap" in page
    assert "9 h 00 – 12 h 00" in page  # the typed hours, in words
    assert "14 h 00 – 18 h 00" in page  # the place's hours
    assert "Aperçu des 7 prochains jours" in page
    assert "libre" in page and "Europe/Paris" in page


def test_unreadable_hours_are_said_so_in_the_rendering(manager_client, place, room):
    url = reverse("spaces:config-resource", args=[place.pk, room.public_id])
    response = manager_client.post(url, resource_data(bookable_hours="Mo-Fr 9-12 heures"))
    assert errors_of(response, "bookable_hours")
    assert "ne se lisent pas" in text(response)


def test_deactivating_a_resource(manager_client, place, room):
    url = reverse("spaces:config-resource-active", args=[place.pk, room.public_id])
    assert manager_client.post(url, {"actif": "0"}).status_code == 302
    room.refresh_from_db()
    assert not room.is_active
    assert AuditEvent.objects.for_object(room).get().changes == {"is_active": ["True", "False"]}
    assert manager_client.get(url).status_code == 405
    manager_client.post(url, {"actif": "1"})
    room.refresh_from_db()
    assert room.is_active


# --- Prices -----------------------------------------------------------------------------------------------


def test_a_price_with_a_decimal_comma_is_stored_in_cents(manager_client, place, room):
    url = reverse("spaces:config-price-new", args=[place.pk, room.public_id])
    response = manager_client.post(url, {"audience": "all", "unit": "hour", "amount": "3,50"})
    assert response.status_code == 302
    rule = PriceRule.objects.get(resource=room)
    assert rule.amount_cents == 350
    assert AuditEvent.objects.for_object(rule).get().action == "create"
    page = text(manager_client.get(reverse("spaces:config-resource", args=[place.pk, room.public_id])))
    assert "3,50 € à l'heure" in page

    edit = reverse("spaces:config-price", args=[place.pk, room.public_id, rule.public_id])
    assert 'value="3,50"' in text(manager_client.get(edit))
    manager_client.post(edit, {"audience": "member", "unit": "hour", "amount": "2.5 €"})
    rule.refresh_from_db()
    assert (rule.amount_cents, rule.audience) == (250, "member")
    assert AuditEvent.objects.for_object(rule).get(action="update").changes["amount_cents"] == ["350", "250"]


@pytest.mark.parametrize("amount", ["trois euros", "3,505", "-2"])
def test_an_unreadable_price_is_refused_next_to_its_field(manager_client, place, room, amount):
    url = reverse("spaces:config-price-new", args=[place.pk, room.public_id])
    response = manager_client.post(url, {"audience": "all", "unit": "hour", "amount": amount})
    assert response.status_code == 200
    assert errors_of(response, "amount")
    assert not PriceRule.objects.exists()


def test_a_second_price_for_the_same_audience_and_unit_is_refused(manager_client, place, room, rule):
    url = reverse("spaces:config-price-new", args=[place.pk, room.public_id])
    response = manager_client.post(url, {"audience": "all", "unit": "hour", "amount": "4"})
    assert errors_of(response, "unit")
    free = manager_client.post(url, {"audience": "member", "unit": "free", "amount": ""})
    assert free.status_code == 302
    assert PriceRule.objects.get(unit="free").amount_cents == 0


def test_deleting_a_price_is_audited(manager_client, place, room, rule):
    rule_pk = rule.pk
    manager_client.post(
        reverse("spaces:config-price-delete", args=[place.pk, room.public_id, rule.public_id])
    )
    assert not PriceRule.objects.exists()
    assert AuditEvent.objects.get(target_type="spaces.pricerule", target_id=str(rule_pk)).action == "delete"


# --- Closures ---------------------------------------------------------------------------------------------


def test_a_closure_of_whole_days_in_the_places_time(manager_client, place, room):
    url = reverse("spaces:config-closures", args=[place.pk])
    response = manager_client.post(
        url,
        {"resource": str(room.pk), "start_date": "2030-08-01", "end_date": "2030-08-15", "reason": "Congés"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.resource == room and closure.place == place
    assert closure.start == datetime.datetime(2030, 8, 1, tzinfo=PARIS)
    assert closure.end == datetime.datetime(2030, 8, 16, tzinfo=PARIS)
    assert AuditEvent.objects.for_object(closure).get().action == "create"
    page = manager_client.get(reverse("spaces:config-closure", args=[place.pk, closure.public_id]))
    assert page.context["form"].initial["end_date"] == datetime.date(2030, 8, 15)
    assert "Europe/Paris" in text(page)


def test_a_closure_ending_before_it_starts_is_refused_next_to_its_last_day(manager_client, place):
    response = manager_client.post(
        reverse("spaces:config-closures", args=[place.pk]),
        {"start_date": "2030-08-10", "start_time": "14:00", "end_date": "2030-08-10", "end_time": "09:00"},
    )
    assert response.status_code == 200
    assert errors_of(response, "end_date")
    assert not Closure.objects.exists()


def test_changing_and_deleting_a_closure(manager_client, place, closure):
    url = reverse("spaces:config-closure", args=[place.pk, closure.public_id])
    manager_client.post(
        url,
        {"start_date": "2030-08-01", "start_time": "12:00", "end_date": "2030-08-15", "reason": "Travaux"},
    )
    closure.refresh_from_db()
    assert closure.start == datetime.datetime(2030, 8, 1, 12, tzinfo=PARIS) and closure.reason == "Travaux"
    assert AuditEvent.objects.for_object(closure).get(action="update").changes["reason"] == [
        "congés d'été",
        "Travaux",
    ]
    manager_client.post(reverse("spaces:config-closure-delete", args=[place.pk, closure.public_id]))
    assert not Closure.objects.exists()
    assert AuditEvent.objects.filter(target_type="spaces.closure", action="delete").count() == 1


# --- Qualifications ---------------------------------------------------------------------------------------


def test_creating_granting_and_revoking_a_qualification(manager_client, place, manager):
    response = manager_client.post(
        reverse("spaces:config-qualifications", args=[place.pk]),
        {"name": " Découpe   laser ", "description": ""},
    )
    qualification = Qualification.objects.get(place=place)
    assert qualification.name == "Découpe laser"
    assert response.url == reverse("spaces:config-qualification", args=[place.pk, qualification.public_id])
    again = manager_client.post(
        reverse("spaces:config-qualifications", args=[place.pk]), {"name": "découpe laser"}
    )
    assert errors_of(again, "name")

    known = MemberFactory(place=place, user=UserFactory(email="camille@example.org")).user
    url = reverse("spaces:config-qualification", args=[place.pk, qualification.public_id])
    granted = manager_client.post(
        url,
        {"action": "accorder", "accorder-user": "CAMILLE@example.org", "accorder-granted_on": "2026-02-20"},
    )
    assert granted.status_code == 302
    grant = UserQualification.objects.get()
    assert (grant.user, grant.granted_on, grant.granted_by) == (known, datetime.date(2026, 2, 20), manager)
    assert AuditEvent.objects.for_object(grant).get().action == "create"
    twice = manager_client.post(
        url, {"action": "accorder", "accorder-user": known.username, "accorder-granted_on": "2026-02-21"}
    )
    assert twice.context["grant_form"].errors["user"]

    manager_client.post(
        reverse(
            "spaces:config-qualification-revoke", args=[place.pk, qualification.public_id, grant.public_id]
        )
    )
    assert not UserQualification.objects.exists()
    assert AuditEvent.objects.filter(target_type="spaces.userqualification", action="delete").count() == 1


def test_a_qualification_is_granted_only_to_people_known_to_the_place(manager_client, place, qualification):
    stranger = UserFactory(email="ailleurs@example.org")
    MemberFactory(user=stranger)  # a member of another place
    response = manager_client.post(
        reverse("spaces:config-qualification", args=[place.pk, qualification.public_id]),
        {"action": "accorder", "accorder-user": "ailleurs@example.org", "accorder-granted_on": "2026-02-20"},
    )
    errors = response.context["grant_form"].errors["user"]
    assert "personne inconnue du lieu" in errors[0]
    assert_french(errors[0])
    assert not UserQualification.objects.exists()


def test_a_qualification_a_resource_requires_is_not_deleted(manager_client, place):
    machine = ResourceFactory(place=place, machine=True)
    qualification = machine.required_qualification
    response = manager_client.post(
        reverse("spaces:config-qualification-delete", args=[place.pk, qualification.public_id])
    )
    assert response.status_code == 302
    assert Qualification.objects.filter(pk=qualification.pk).exists()
    assert not AuditEvent.objects.exists()


# --- Ways in ----------------------------------------------------------------------------------------------


def test_my_space_and_the_places_bookings_link_to_the_pages(manager_client, place):
    config = reverse("spaces:config", args=[place.pk])
    dashboard = text(manager_client.get(reverse("accounts:dashboard")))
    assert config in dashboard and "Configurer les réservations" in dashboard
    bookings = text(manager_client.get(reverse("spaces:place-bookings", args=[place.pk])))
    assert reverse("spaces:config-resources", args=[place.pk]) in bookings
    assert reverse("spaces:config-members", args=[place.pk]) in bookings
    assert "/admin/" not in bookings


def test_staff_see_only_the_links_they_may_follow(client, place, staff):
    client.force_login(staff)
    bookings = text(client.get(reverse("spaces:place-bookings", args=[place.pk])))
    assert reverse("spaces:config-members", args=[place.pk]) in bookings
    assert reverse("spaces:config-qualifications", args=[place.pk]) in bookings
    assert reverse("spaces:config-resources", args=[place.pk]) not in bookings


# --- In a real browser, on a phone ------------------------------------------------------------------------


@pytest.mark.browser
def test_a_manager_creates_a_resource_on_a_360_px_screen(live_server, browser_page, transactional_db):
    from playwright.sync_api import expect

    from relais.testing import axe_violations

    place = PlaceFactory(name="La Grange numérique", opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off")
    manager = UserFactory(username="gerante", first_name="Gérante", last_name="Dulieu")
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})

    def fits():
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
        assert axe_violations(page) == [], page.url

    from .browsing import log_in

    log_in(page, live_server, "gerante")  # with the second factor a team account must give
    page.goto(f"{live_server.url}/comptes/")
    page.get_by_role("link", name="Configurer les réservations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configuration — La Grange numérique")
    expect(page.locator("#fuseau")).to_contain_text("Europe/Paris")
    fits()
    page.get_by_role("link", name="Ressources et tarifs").first.click()
    page.get_by_role("link", name="Salle de réunion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle ressource")
    fits()

    page.locator("#id_name").fill("Salle du Puy")
    page.get_by_label("Équipements").fill("Vidéoprojecteur\nTableau blanc")
    page.get_by_label("Annulation possible jusqu'à :", exact=True).fill("48")
    page.get_by_label("unité de « Annulation possible jusqu'à »").select_option("heures")
    # An error first: a step that does not divide a day, announced in the summary and next to the field.
    page.get_by_label("Pas des réservations :", exact=True).fill("7")
    page.get_by_role("button", name="Créer la ressource").click()
    expect(page.get_by_role("alert")).to_contain_text("doit diviser une journée")
    expect(page.locator("#id_granularity_minutes_error")).to_contain_text("doit diviser une journée")
    expect(page.locator("#erreurs")).to_be_focused()
    fits()

    page.get_by_label("Pas des réservations :", exact=True).fill("30")
    page.get_by_role("button", name="Créer la ressource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurer « Salle du Puy »")
    expect(page.get_by_role("status")).to_contain_text("Ressource créée")
    expect(page.locator("#caption-apercu")).to_contain_text("Salle du Puy")
    fits()
    resource = Resource.objects.get(name="Salle du Puy")
    assert resource.cancellation_deadline_minutes == 2880
    assert resource.equipment == ["Vidéoprojecteur", "Tableau blanc"]

    # The other pages fit the screen and pass axe too.
    config = f"{live_server.url}/espaces/lieux/{place.pk}/configuration/"
    for path in (
        f"ressources/{resource.public_id}/tarifs/nouveau/",
        "ressources/",
        "fermetures/",
        "habilitations/",
        "adherents/",
        "adherents/nouveau/",
    ):
        page.goto(config + path)
        fits()
    assert page.errors == []
