"""The personal-data inventory: every model of the project (and of Django and the third-party apps) is
declared, the check catches what a new model forgets, and `records_of` finds a person's records."""

import datetime

import pytest
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from relais.privacy import inventory
from relais.privacy.inventory import (
    DataCategory,
    EndAction,
    Inventory,
    LegalBasis,
    PersonCategory,
    Processing,
    Retention,
)
from relais.testing import MemberFactory, PlaceFactory, ResourceFactory, UserFactory


def test_every_installed_model_is_declared_where_it_holds_or_looks_like_personal_data():
    problems = inventory.check()

    assert problems == [], "inventaire des données personnelles incomplet :\n" + "\n".join(problems)


def test_every_processing_is_used_by_a_model_and_every_declared_processing_exists():
    used = {d.processing for d in inventory.declarations().values() if d.processing}

    assert used == set(inventory.processings())


def test_the_declarations_carry_what_the_register_needs():
    for processing in inventory.processings().values():
        assert str(processing.purpose).strip()
        assert processing.legal_basis in LegalBasis.values
        assert processing.people and processing.recipients
        assert processing.retention.months > 0 and str(processing.retention.starts).strip()


def test_the_person_models_are_the_account_and_the_membership():
    persons = {label for label, d in inventory.declarations().items() if d.is_person}

    assert persons == {"accounts.User", "members.Member"}


# --- The check catches what a new model forgets ---------------------------------------------------------


def small_inventory():
    """An inventory of its own (the project's is left alone) with one processing."""
    made = Inventory()
    made.register(
        Processing(
            code="trial",
            purpose="essai",
            legal_basis=LegalBasis.CONTRACT,
            people=(PersonCategory.USERS,),
            recipients=("l'équipe",),
            retention=Retention(12, "la fin de l'essai"),
        )
    )
    return made


@isolate_apps("relais.privacy")
def test_an_undeclared_email_field_is_reported_naming_model_and_field():
    made = small_inventory()

    class Newsletter(models.Model):  # noqa: DJ008 (a throwaway model)
        email = models.EmailField("adresse")
        topic = models.CharField("sujet", max_length=20)

    assert made.check([Newsletter]) == [
        "privacy.Newsletter.email : champ qui semble personnel, ni déclaré personnel ni marqué non personnel "
        "avec sa raison"
    ]


@isolate_apps("relais.privacy")
def test_a_field_whose_verbose_name_only_looks_personal_is_reported():
    made = small_inventory()

    class Visit(models.Model):  # noqa: DJ008 (a throwaway model)
        remarks = models.CharField("téléphone du visiteur", max_length=20)
        zip_code = models.CharField("code", max_length=5)  # "zip" is not "ip"
        number = models.PositiveIntegerField("nombre de personnes")  # "nombre" is not "nom"

    assert [p.split(" : ")[0] for p in made.check([Visit])] == ["privacy.Visit.remarks"]


@isolate_apps("relais.privacy")
def test_an_undeclared_link_to_an_account_or_a_member_is_reported():
    made = small_inventory()
    made.declare("members.Member", "trial", personal=["name"], by_member=["pk"], is_person=True)

    class Loan(models.Model):  # noqa: DJ008 (a throwaway model)
        borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        member = models.ForeignKey("members.Member", on_delete=models.CASCADE)

    assert made.check([Loan]) == [
        "privacy.Loan.borrower : lien vers une personne (accounts.User) non déclaré dans l'inventaire",
        "privacy.Loan.member : lien vers une personne (members.Member) non déclaré dans l'inventaire",
    ]


@isolate_apps("relais.privacy")
def test_a_declared_model_passes_and_a_wrong_declaration_is_reported():
    made = small_inventory()

    @made.personal_data(
        "trial",
        personal=["email", "phone"],
        sensitive=["notes"],
        by_email=["email"],
        categories=[DataCategory.CONTACT],
        not_personal={"name": "the name of a room"},
    )
    class Room(models.Model):  # noqa: DJ008 (a throwaway model)
        name = models.CharField("nom", max_length=20)
        email = models.EmailField("e-mail")
        notes = models.TextField("remarques")

    @made.personal_data("unknown", personal=["email"], categories=["hobbies"])
    class Guest(models.Model):  # noqa: DJ008 (a throwaway model)
        email = models.EmailField("e-mail")

    @made.not_personal(name="")
    class Shelf(models.Model):  # noqa: DJ008 (a throwaway model)
        name = models.CharField("nom", max_length=20)

    assert made.check([Room, Guest, Shelf]) == [
        "privacy.Room.phone : champ déclaré dans l'inventaire mais inexistant",
        "privacy.Guest : traitement « unknown » non déclaré",
        "privacy.Guest : aucun moyen de retrouver les enregistrements d'une personne",
        "privacy.Guest : catégories de données manquantes ou inconnues",
        "privacy.Shelf.name : marqué non personnel sans raison",
    ]


@isolate_apps("relais.privacy")
def test_a_lookup_path_that_leads_nowhere_is_reported():
    made = small_inventory()

    @made.personal_data(
        "trial", personal=["owner"], by_user=["owner__nickname"], categories=[DataCategory.IDENTITY]
    )
    class Locker(models.Model):  # noqa: DJ008 (a throwaway model)
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    assert made.check([Locker]) == ["privacy.Locker : chemin de recherche « owner__nickname » inexistant"]


def test_a_retention_that_keeps_the_records_names_the_legal_duty():
    with pytest.raises(ValueError, match="legal_reference"):
        Retention(120, "l'émission de la facture", EndAction.KEEP)

    kept = Retention(120, "l'émission de la facture", EndAction.KEEP, "code de commerce, art. L123-22")
    assert kept.duration_label == "10 ans"
    assert Retention(3, "le créneau").duration_label == "3 mois"


def test_a_processing_needs_a_known_legal_basis_and_categories_of_people():
    common = {"code": "x", "purpose": "p", "recipients": ("r",), "retention": Retention(1, "s")}
    with pytest.raises(ValueError, match="legal basis"):
        Processing(legal_basis="because", people=(PersonCategory.USERS,), **common)
    with pytest.raises(ValueError, match="people"):
        Processing(legal_basis=LegalBasis.CONSENT, people=(), **common)


# --- records_of --------------------------------------------------------------------------------------------


def book(resource, start_hour, **person):
    from relais.spaces.models import Booking

    start = timezone.make_aware(datetime.datetime(2026, 3, 2, start_hour))
    return Booking.objects.create(
        resource=resource,
        place=resource.place,
        start=start,
        end=start + datetime.timedelta(hours=1),
        **person,
    )


@pytest.mark.django_db
def test_records_of_an_account_finds_its_own_records_and_no_one_else_s():
    from relais.places.models import ErrorReport
    from relais.spaces.models import Booking

    alice, bob = UserFactory(), UserFactory()
    resource = ResourceFactory()
    mine = book(resource, 9, person=alice)
    book(resource, 10, person=bob)
    booked_for_someone = book(
        resource, 11, person_name="Jeanne", person_contact="06 12 34 56 78", booked_by=alice
    )

    found = inventory.records_of(user=alice)

    assert set(found[Booking]) == {mine, booked_for_someone}
    assert list(found[type(alice)]) == [alice]
    assert ErrorReport not in found or not found[ErrorReport].exists()


@pytest.mark.django_db
def test_records_of_a_member_without_account_finds_the_bookings_the_team_made_for_them():
    from relais.members.models import Member
    from relais.spaces.models import Booking

    resource = ResourceFactory()
    jeanne = MemberFactory(place=resource.place, user=None, name="Jeanne", contact="jeanne@exemple.fr")
    hers = book(resource, 9, person_name="Jeanne", person_contact="jeanne@exemple.fr")
    book(resource, 10, person_name="Jeanne", person_contact="06 00 00 00 00")  # another Jeanne
    elsewhere = ResourceFactory()
    book(elsewhere, 9, person_name="Jeanne", person_contact="jeanne@exemple.fr")  # at another place

    found = inventory.records_of(member=jeanne)

    assert list(found[Booking]) == [hers]
    assert list(found[Member]) == [jeanne]


@pytest.mark.django_db
def test_records_of_an_email_finds_reports_members_and_the_place_contacts_holding_it():
    from relais.members.models import Member
    from relais.places.models import ErrorReport, Place

    place = PlaceFactory(emails=["contact@exemple.fr", "Lea.Martin@Exemple.fr"])
    PlaceFactory(emails=["xlea.martin@exemple.fr"])
    report = ErrorReport.objects.create(
        place=place, kind="hours", message="Fermé le lundi", reporter_email="LEA.MARTIN@exemple.fr"
    )
    member = MemberFactory(place=place, user=None, name="Léa Martin", contact="lea.martin@exemple.fr")

    found = inventory.records_of(email="lea.martin@exemple.fr")

    assert list(found[ErrorReport]) == [report]
    assert list(found[Member]) == [member]
    assert list(found[Place]) == [place]


@pytest.mark.django_db
def test_records_of_an_account_finds_its_sessions(client):
    from django.contrib.sessions.models import Session

    alice, bob = UserFactory(), UserFactory()
    client.force_login(alice)
    other = type(client)()
    other.force_login(bob)

    found = inventory.records_of(user=alice)

    assert [s.get_decoded()["_auth_user_id"] for s in found[Session]] == [str(alice.pk)]


def test_records_of_nobody_finds_nothing():
    assert inventory.records_of() == {}


def test_a_declaration_for_an_app_that_is_not_installed_is_kept_aside():
    made = small_inventory()
    made.declare("nowhere.Thing", "trial", personal=["email"], by_email=["email"], categories=["contact"])

    assert made.declarations() == {}
    assert made.records_of(email="lea@exemple.fr") == {}
