"""A person's erasure (relais/privacy/erasure.py): every declared record of theirs is deleted or anonymised as
its processing says, what a legal duty requires is kept, the others' records are left alone; rectification."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from relais.core.errors import Conflict, DomainError
from relais.privacy import erasure, inventory
from relais.privacy.audit import Actor
from relais.privacy.inventory import Subject
from relais.privacy.models import AuditEvent
from relais.privacy.tests.test_subject_export import (
    BUILDERS,
    HOUR,
    START,
    _booking,
    installed_personal_labels,
)
from relais.testing import MemberFactory, PlaceFactory, PlaceRoleFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

DPO = Actor(channel="web", label="dpo@exemple.fr")


def _alice():
    return UserFactory(
        username="alice.martin", email="alice.martin@exemple.fr", first_name="Alice", last_name="Martin"
    )


def _values_of(record, declaration):
    """The personal values of a record, as text, and the accounts and members it links to."""
    texts, links = [], set()
    for name in declaration.personal_fields:
        field = record._meta.get_field(name)
        if field.is_relation:
            value = getattr(record, field.attname)
            if value is not None:
                links.add((field.related_model._meta.label, value))
            continue
        value = getattr(record, name)
        texts.append(value if isinstance(value, str) else json.dumps(value, default=str))
    return " ".join(texts).lower(), links


def _traces(alice, needles, member_pks=()):
    """[(model label, pk, what)] of every personal value of alice left in a declared field."""
    found = []
    person = {(get_user_model()._meta.label, alice.pk)} | {("members.Member", pk) for pk in member_pks}
    for label, declaration in inventory.declarations().items():
        if not declaration.processing or label in erasure.APPEND_ONLY | erasure.KEPT_AS_PROOF:
            continue
        for record in declaration.model._default_manager.all():
            text, links = _values_of(record, declaration)
            found += [(label, record.pk, n) for n in needles if n in text]
            if label != get_user_model()._meta.label:
                found += [(label, record.pk, link) for link in links & person]
    return found


def _build_everything(alice, client):
    """A record of each declared model for alice (test_subject_export.py fails when a builder is missing)."""
    labels = sorted(installed_personal_labels() & set(BUILDERS))
    return {label: BUILDERS[label](alice, client) for label in labels}


def test_erasure_leaves_no_personal_value_of_the_person_in_any_declared_model(client):
    alice = _alice()
    built = _build_everything(alice, client)
    member_pks = [built["members.Member"].pk]
    bob = UserFactory(username="bob", email="bob@exemple.fr", first_name="Bob", last_name="Durand")
    bobs_booking = _booking(bob, None)
    bobs_member = MemberFactory(user=bob)
    shared_place = PlaceFactory(emails=[alice.email, "accueil@lieu.fr"])
    booked_for_bob = _booking(bob, None)
    booked_for_bob.booked_by = alice
    booked_for_bob.save()
    needles = ["alice.martin", "alice martin"]  # her username and address hold the first, her name the other
    assert _traces(alice, needles, member_pks), "the builders give alice records to erase"
    events_before = AuditEvent.objects.count()

    report = erasure.erase(Subject(user=alice), DPO, dry_run=False)

    assert _traces(alice, needles, member_pks) == []
    alice.refresh_from_db()
    assert not alice.is_active and not alice.has_usable_password()
    assert alice.username.startswith("anonyme-") and alice.email == "" and alice.get_full_name() == ""
    assert not Session.objects.exists()
    for label in (
        "otp_totp.TOTPDevice",
        "otp_static.StaticDevice",
        "accounts.ApiToken",
        "spaces.CalendarFeedToken",
    ):
        if label in built:
            assert not type(built[label])._default_manager.filter(pk=built[label].pk).exists(), label
    # The records of others stay whole; a shared list loses only her address.
    bobs_booking.refresh_from_db()
    booked_for_bob.refresh_from_db()
    shared_place.refresh_from_db()
    assert bobs_booking.person == bob and bobs_member.__class__.objects.filter(pk=bobs_member.pk).exists()
    assert booked_for_bob.person == bob and booked_for_bob.booked_by is None
    assert shared_place.emails == ["accueil@lieu.fr"]
    # Her own booking is kept for the place's figures, without her.
    booking = type(built["spaces.Booking"]).objects.get(pk=built["spaces.Booking"].pk)
    assert booking.person is None and booking.person_name == "personne anonymisée" and booking.notes == ""
    # The audit trail is kept (append-only), and the erasure's own entries hold none of her values.
    assert AuditEvent.objects.filter(pk=built["privacy.AuditEvent"].pk).exists()
    new_events = AuditEvent.objects.order_by("id")[events_before:]
    assert new_events
    for event in new_events:
        text = json.dumps([event.target_label, event.changes]).lower()
        assert not any(n in text for n in needles), text
    counts = {c.label: c for c in report.counts}
    assert counts["privacy.AuditEvent"].kept >= 1 and counts["members.Member"].deleted == 1
    assert counts["spaces.Booking"].anonymised == 3  # her two (one logged), the one she booked for Bob
    assert counts["accounts.User"].anonymised == 1
    # Her requests to the DPO are the proof they were answered: kept.
    assert counts["privacy.SubjectRequest"].kept >= 1


def test_a_dry_run_reports_the_same_and_changes_nothing(client):
    alice = _alice()
    _build_everything(alice, client)
    events = AuditEvent.objects.count()
    sessions = Session.objects.count()

    dry = erasure.erase(Subject(user=alice), DPO, dry_run=True)

    alice.refresh_from_db()
    assert alice.is_active and alice.username == "alice.martin"
    assert AuditEvent.objects.count() == events and Session.objects.count() == sessions
    assert _traces(alice, ["alice.martin"], [])
    wet = erasure.erase(Subject(user=alice), DPO, dry_run=False)
    assert dry.dry_run and not wet.dry_run
    assert dry.as_json()["models"] == wet.as_json()["models"]


def test_the_last_manager_of_a_place_is_refused_with_what_to_do():
    alice = _alice()
    place = PlaceFactory(name="La Fabrique")
    PlaceRoleFactory(user=alice, place=place, role="manager")

    with pytest.raises(Conflict) as refused:
        erasure.erase(Subject(user=alice), DPO, dry_run=True)

    assert "La Fabrique" in refused.value.message and "nommez un autre gérant" in refused.value.message
    PlaceRoleFactory(user=UserFactory(), place=place, role="manager")
    assert erasure.erase(Subject(user=alice), DPO, dry_run=False).count_for("accounts.PlaceRole").deleted == 1


def test_a_member_without_account_loses_membership_and_the_bookings_the_team_made_for_them():
    staff = UserFactory()
    resource = ResourceFactory()
    member = MemberFactory(place=resource.place, user=None, name="Jeanne Petit", contact="06 12 34 56 78")
    from relais.spaces.models import Booking

    booking = Booking.objects.create(
        resource=resource,
        place=resource.place,
        person_name="Jeanne Petit",
        person_contact="06 12 34 56 78",
        booked_by=staff,
        start=START,
        end=START + HOUR,
    )
    other = Booking.objects.create(
        resource=resource,
        place=resource.place,
        person_name="Paul",
        person_contact="07",
        start=START,
        end=START + HOUR,
    )

    report = erasure.erase(Subject(member=member), DPO, dry_run=False)

    assert not type(member).objects.filter(pk=member.pk).exists()
    booking.refresh_from_db()
    other.refresh_from_db()
    assert booking.person_name == "personne anonymisée" and booking.person_contact == ""
    assert booking.booked_by == staff  # who of the team booked is the team's data, not hers
    assert other.person_name == "Paul"
    assert report.count_for("spaces.Booking").anonymised == 1


def test_records_kept_for_a_legal_duty_are_kept_and_said_so():
    alice = _alice()
    member = MemberFactory(user=alice)
    books = inventory.Inventory()
    books.register(
        inventory.Processing(
            code="accounting",
            purpose="pièces comptables",
            legal_basis=inventory.LegalBasis.LEGAL_OBLIGATION,
            people=(inventory.PersonCategory.MEMBERS,),
            recipients=(),
            retention=inventory.Retention(
                120, "la clôture", inventory.EndAction.KEEP, "Code de commerce, L123-22"
            ),
        )
    )
    books.declare("members.Member", "accounting", personal=["user", "name"], by_user=["user"])

    report = erasure.erase(Subject(user=alice), DPO, dry_run=False, inventory=books)

    assert type(member).objects.filter(pk=member.pk, user=alice).exists()
    assert report.count_for("members.Member").kept == 1
    assert report.count_for("members.Member").note == "Code de commerce, L123-22"


def test_an_erasure_needs_an_account_or_a_membership():
    with pytest.raises(DomainError) as refused:
        erasure.erase(Subject(email="x@exemple.fr"), DPO, dry_run=True)
    assert refused.value.field == "person"


def test_rectification_changes_the_account_and_the_copies_of_its_name_and_address():
    alice = _alice()
    resource = ResourceFactory()
    copied = _booking(alice, None, resource)
    copied.person_name, copied.person_contact = "Alice Martin", alice.email
    copied.save()
    typed_otherwise = _booking(alice, None, resource)
    typed_otherwise.person_name = "Mme Martin (sa fille)"
    typed_otherwise.save()

    changed = erasure.rectify(Subject(user=alice), {"last_name": "Bernard", "email": "alice@neuf.fr"}, DPO)

    alice.refresh_from_db()
    copied.refresh_from_db()
    typed_otherwise.refresh_from_db()
    assert (alice.last_name, alice.email) == ("Bernard", "alice@neuf.fr")
    assert (copied.person_name, copied.person_contact) == ("Alice Bernard", "alice@neuf.fr")
    assert typed_otherwise.person_name == "Mme Martin (sa fille)"
    assert changed == {"accounts.User": 1, "spaces.Booking": 1}
    event = AuditEvent.objects.for_object(alice).get()
    assert event.changes["last_name"] == ["Martin", "Bernard"]


def test_rectification_of_a_member_follows_the_bookings_found_by_their_old_name():
    resource = ResourceFactory()
    member = MemberFactory(place=resource.place, user=None, name="Jeanne Petit", contact="06 12")
    from relais.spaces.models import Booking

    booking = Booking.objects.create(
        resource=resource,
        place=resource.place,
        person_name="Jeanne Petit",
        person_contact="06 12",
        start=START,
        end=START + HOUR,
    )

    erasure.rectify(Subject(member=member), {"name": "Jeanne Petit-Roux"}, DPO)

    booking.refresh_from_db()
    member.refresh_from_db()
    assert member.name == booking.person_name == "Jeanne Petit-Roux"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "pas une adresse"}, "email"),
        ({"first_name": " "}, "first_name"),
        ({"is_staff": True}, "is_staff"),
    ],
)
def test_rectification_refuses_bad_values_naming_the_field(changes, field):
    with pytest.raises(DomainError) as refused:
        erasure.rectify(Subject(user=_alice()), changes, DPO)
    assert refused.value.field == field


def test_rectification_refuses_an_address_another_account_uses():
    UserFactory(email="pris@exemple.fr")
    with pytest.raises(DomainError) as refused:
        erasure.rectify(Subject(user=_alice()), {"email": "PRIS@exemple.fr"}, DPO)
    assert refused.value.field == "email"
