"""The history of a place (/lieux/<id>/historique/): its changes with before/after, for its managers only."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from relais.accounts.models import PlaceRole
from relais.places import proposals, services
from relais.places.models import Accessibility, PlaceStatus
from relais.privacy.audit import Actor, AuditAction
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(place):
    return reverse("places:history", args=[place.pk])


def events_text(response):
    """Each event of the page as the text people read (tags removed, spaces collapsed)."""
    assert response.status_code == 200
    html = response.content.decode()
    if '<ol class="place-history"' not in html:
        return []
    history = html.split('<ol class="place-history"', 1)[1].split("</ol>", 1)[0]
    return [" ".join(strip_tags(part).split()) for part in history.split('<li class="event">')[1:]]


@pytest.fixture
def manager():
    return UserFactory(username="camille")


@pytest.fixture
def place(manager):
    place = PlaceFactory(name="La Grange", managers=[manager])
    services.update_place(
        place,
        {"opening_hours": "Tu-Sa 10:00-18:00", "typologies": ["COWORKING", "FABLAB"]},
        Actor(user=manager, channel="web", ip_address="192.0.2.7"),
    )
    return place


def test_it_shows_each_change_with_its_author_and_the_values_before_and_after(client, manager, place):
    client.force_login(manager)

    response = client.get(url(place))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Historique de « La Grange »" in html
    assert "Auteur : camille" in html
    assert "Fiche modifiée" in html
    assert (
        '<dt>horaires d&#x27;ouverture</dt>\n      <dd><span class="visually-hidden">avant : </span>'
        "<del>Mo-Fr 09:00-12:00,14:00-18:00; PH off</del>"
    ) in html
    assert "<ins>Tu-Sa 10:00-18:00</ins>" in html
    # Vocabulary terms by their names, not their codes.
    assert "<ins>Espace de coworking, Fablab / atelier de fabrication numérique</ins>" in html
    assert "COWORKING" not in html


def test_the_most_recent_change_comes_first(client, manager, place):
    services.update_place(place, {"summary": "Dernier changement."}, Actor(user=manager))
    client.force_login(manager)

    html = client.get(url(place)).content.decode()

    assert html.index("Dernier changement.") < html.index("Tu-Sa 10:00-18:00")


def test_it_shows_only_the_changes_of_this_place(client, manager, place):
    other = PlaceFactory(name="Ailleurs", managers=[manager])
    services.update_place(other, {"summary": "Changement ailleurs."}, Actor(user=manager))
    client.force_login(manager)

    assert "Changement ailleurs." not in client.get(url(place)).content.decode()


def test_a_place_never_changed_says_so(client, manager):
    untouched = PlaceFactory(managers=[manager])
    client.force_login(manager)

    assert "Aucune modification enregistrée." in client.get(url(untouched)).content.decode()


def test_a_network_admin_sees_the_history_of_any_place(client, place):
    client.force_login(UserFactory(network_admin=True))

    response = client.get(url(place))

    assert response.status_code == 200
    assert "Tu-Sa 10:00-18:00" in response.content.decode()


def test_a_manager_of_another_place_gets_404(client, place):
    client.force_login(UserFactory())

    response = client.get(url(place))

    assert response.status_code == 404
    assert "Tu-Sa 10:00-18:00" not in response.content.decode()


def test_staff_of_the_place_gets_404(client, place):
    staff = UserFactory()
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
    client.force_login(staff)

    assert client.get(url(place)).status_code == 404


def test_anonymous_people_are_sent_to_the_login_page(client, place):
    response = client.get(url(place))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url(place)}"


def test_the_ip_address_of_a_change_is_shown_to_network_admins_only(client, manager, place):
    client.force_login(manager)
    assert "192.0.2.7" not in client.get(url(place)).content.decode()

    client.force_login(UserFactory(network_admin=True))
    assert "192.0.2.7" in client.get(url(place)).content.decode()


# --- A creation is one event; changes read like the place's page (walkthrough defects) -----------------

NEW_PLACE = {
    "name": "Le Hangar",
    "code_insee": "15014",
    "address": "2 rue des Forges",
    "opening_hours": "Mo-Fr 09:00-17:00",
    "typologies": ["FABLAB"],
    "fees": ["GRATUIT"],
}


def test_a_new_place_has_one_creation_event_with_its_initial_values_only(client, manager):
    place = services.create_place(NEW_PLACE, Actor(user=manager, channel="web"), manager=manager)
    client.force_login(manager)

    response = client.get(url(place))
    events = events_text(response)
    html = response.content.decode()

    assert len(events) == 1
    assert events[0].startswith("Fiche créée")
    assert "Auteur : camille (site)" in events[0]
    assert "<del>" not in html and "—" not in events[0] and "→" not in events[0]
    assert "<details>" in html  # the initial values are folded
    values = events[0]
    assert "nom Le Hangar" in values
    assert "statut ouvert" in values
    assert "commune Aurillac (15014)" in values
    assert "typologies Fablab / atelier de fabrication numérique" in values
    assert "frais à charge Gratuit" in values
    assert (
        values.index("nom Le Hangar") < values.index("statut ouvert") < values.index("adresse")
    )  # form order
    # Empty fields and unset flags are left out; no raw codes.
    assert "téléphone" not in values
    assert "lieu de démonstration" not in values
    assert " open" not in values and "GRATUIT" not in values


def test_values_are_shown_with_their_labels_not_their_codes(client, manager, place):
    services.update_place(
        place,
        {
            "status": PlaceStatus.CLOSED,
            "wheelchair": Accessibility.YES,
            "fees": ["GRATUIT", "PAYANT"],
            "emails": ["contact@grange.fr", "accueil@grange.fr"],
        },
        Actor(user=manager),
    )
    client.force_login(manager)

    latest = events_text(client.get(url(place)))[0]

    assert "statut avant : ouvert →, après : fermé définitivement" in latest
    assert "après : accessible en fauteuil roulant" in latest
    assert "après : Gratuit, Payant" in latest
    assert "après : contact@grange.fr, accueil@grange.fr" in latest
    assert "closed" not in latest and "PAYANT" not in latest


def test_booleans_read_oui_or_non(client, manager, place):
    services.update_place(place, {"latitude": None, "longitude": None}, Actor(user=manager))
    AuditEvent.objects.create(
        actor=manager,
        actor_label="camille",
        action=AuditAction.UPDATE,
        target_type="places.place",
        target_id=str(place.pk),
        changes={"location_approximate": [False, True]},
    )
    client.force_login(manager)

    latest = events_text(client.get(url(place)))[0]

    assert "position approximative (centre de la commune) avant : non →, après : oui" in latest


def test_a_change_skips_the_fields_empty_before_and_after(client, manager, place):
    AuditEvent.objects.create(
        actor=manager,
        actor_label="camille",
        action=AuditAction.UPDATE,
        target_type="places.place",
        target_id=str(place.pk),
        changes={"summary": [None, ""], "emails": [[], None], "phone": ["", "+33471000000"]},
    )
    client.force_login(manager)

    latest = events_text(client.get(url(place)))[0]

    assert "téléphone avant : — →, après : +33471000000" in latest
    assert "présentation courte" not in latest
    assert "adresses e-mail" not in latest
    assert latest.count("→") == 1  # one row: no « — → — » for the fields empty on both sides


def test_a_place_proposed_then_accepted_names_who_proposed_and_who_accepted(client):
    proposer = UserFactory(username="dominique")
    admin = UserFactory(username="admin", network_admin=True)
    proposal = proposals.propose_place(NEW_PLACE, Actor(user=proposer, channel="api"))
    proposal = proposals.accept(proposal, Actor(user=admin, channel="web"))
    client.force_login(proposer)  # the author is now its manager

    events = events_text(client.get(url(proposal.place)))

    assert len(events) == 1
    assert "Auteur : proposée par dominique (API), acceptée par admin (site)" in events[0]
    assert "Auteur : admin" not in events[0]


def test_an_import_is_named_as_such_not_as_a_person(client, manager):
    place = services.create_place(NEW_PLACE, Actor(channel="command", label="import"), manager=manager)
    client.force_login(manager)

    creation = events_text(client.get(url(place)))[0]

    assert "Auteur : import de données ouvertes (commande)" in creation


def test_more_than_200_events_are_paged(client, manager, place):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=manager,
            actor_label="camille",
            action=AuditAction.UPDATE,
            target_type="places.place",
            target_id=str(place.pk),
            changes={"summary": [f"Version {n}", f"Version {n + 1}"]},
        )
        for n in range(205)
    )
    client.force_login(manager)

    first = client.get(url(place))
    second = client.get(url(place), {"page": 2})

    assert len(events_text(first)) == 200
    assert "Page 1 sur 2 (206 événements)." in first.content.decode()
    assert 'href="?page=2">Modifications plus anciennes</a>' in first.content.decode()
    assert len(events_text(second)) == 6
    assert 'href="?page=1">Modifications plus récentes</a>' in second.content.decode()
    assert "Tu-Sa 10:00-18:00" in events_text(second)[-1]  # the oldest change comes last
    assert len(events_text(client.get(url(place), {"page": "n'importe quoi"}))) == 200
