"""`manage.py load_demo` loads each app's demo from the bottom layer up and says what it did, in order."""

import io

import pytest
from django.core.management import call_command

from relais.accounts.models import PlaceRole, User
from relais.members.models import Member
from relais.places.demo import DEMO_SOURCE, REAL_LISTS
from relais.places.models import Place
from relais.spaces.demo import DEMO_RESOURCES
from relais.spaces.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_the_real_lists(settings, tmp_path):
    # The real open lists (tens of thousands of rows) are tested in places; here they are absent.
    settings.RELAIS_DATA_DIR = tmp_path


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue().splitlines()


def test_it_loads_the_places_then_their_resources_and_says_so(without_the_real_lists):
    lines = load_demo()

    places = Place.objects.filter(source=DEMO_SOURCE)
    assert lines == [
        *(f"absent : {relative} (ignoré)" for relative, _fmt in REAL_LISTS),
        f"lieux de démonstration : created={places.count()} updated=0",
        f"ressources réservables de démonstration : created={2 * len(DEMO_RESOURCES)}",
    ]
    first_two = list(places.order_by("source_id")[:2])
    assert {r.place for r in Resource.objects.all()} == set(first_two)
    assert not User.objects.exists()  # DEBUG off: no account with a published password


def test_in_debug_the_demo_member_is_a_member_of_the_managed_places(without_the_real_lists, settings):
    settings.DEBUG = True

    lines = load_demo()
    again = load_demo()

    accounts = "comptes de démonstration : admin, gerant, adherent (mot de passe : demo-relais-2026)"
    codes = "codes de connexion de admin et gerant (double authentification) : demo0001 à demo0020"
    assert lines[-4:-2] == [accounts, codes]
    assert again[-5:] == [
        "ressources réservables de démonstration : created=0",
        accounts,
        codes,
        "réservations de démonstration (fictives) : created=0",
        "propositions de lieux de démonstration (compte porteur) : created=0",
    ]
    from django_otp.plugins.otp_static.models import StaticToken

    assert StaticToken.objects.filter(device__user__username="gerant", token="demo0001").count() == 1
    managed = {role.place for role in PlaceRole.objects.filter(user__username="gerant")}
    assert len(managed) == 2
    assert {m.place for m in Member.objects.filter(user__username="adherent")} == managed
    assert Member.objects.filter(user=None, name="Josiane Vidal").count() == 2


def test_in_debug_the_demo_has_bookings_and_proposals_to_try(without_the_real_lists, settings):
    from relais.places.models import PlaceProposal
    from relais.spaces.models import Booking, WaitlistEntry

    settings.DEBUG = True
    lines = load_demo()

    from django_otp.plugins.otp_static.models import StaticToken

    assert StaticToken.objects.filter(device__user__username="gerant", token="demo0001").count() == 1
    managed = {role.place for role in PlaceRole.objects.filter(user__username="gerant")}
    bookings = Booking.objects.filter(place__in=managed)
    assert lines[-2] == f"réservations de démonstration (fictives) : created={bookings.count()}"
    assert bookings.filter(person__username="adherent").exists()
    assert bookings.filter(person=None, person_name__contains="(démo)").exists()  # taken by phone
    assert bookings.exclude(series=None).count() >= 2  # a weekly series
    assert all(b.notes.startswith("[démo]") for b in bookings)
    assert WaitlistEntry.objects.filter(person__username="adherent").exists()
    proposals = PlaceProposal.objects.filter(proposed_by__username="porteur", status="proposed")
    assert {p.kind for p in proposals} == {"new", "claim"}
    assert lines[-1] == "propositions de lieux de démonstration (compte porteur) : created=2"
