"""A person's export (relais/privacy/subject_export.py) holds every record of every declared model that
references them, and nothing of the other people those records mention; « Télécharger mes données »."""

import datetime
import io
import json
import uuid
import zipfile

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from relais.privacy import inventory, subject_export
from relais.privacy.models import AuditAction, AuditEvent
from relais.testing import MemberFactory, PlaceFactory, QualificationFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 9))
HOUR = datetime.timedelta(hours=1)


def read_zip(content):
    """{file name: parsed JSON or HTML text} of the archive."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).decode() if name.endswith(".html") else json.loads(archive.read(name))
            for name in archive.namelist()
        }


def exported(files):
    """[(model label, id, role, {field name: value})] of every record in the JSON files."""
    return [
        (r["model"], r["id"], r["role"], {f["name"]: f["value"] for f in r["fields"]})
        for name, data in files.items()
        if name.endswith(".json")
        for r in data["records"]
    ]


# One record of each declared model for `alice` (account `user`, address `email`); each builder returns the
# record, or the identifier the export gives it.
def _user(alice, client):
    return alice


def _place_role(alice, client):
    from relais.accounts.models import PlaceRole

    return PlaceRole.objects.create(user=alice, place=PlaceFactory(), role=PlaceRole.Role.STAFF)


def _api_token(alice, client):
    from relais.accounts.models import ApiToken

    return ApiToken.issue(alice, "script")[0]


def _place(alice, client):
    return PlaceFactory(emails=[alice.email])


def _error_report(alice, client):
    from relais.places.models import ErrorReport

    return ErrorReport.objects.create(
        place=PlaceFactory(), kind="hours", message="Fermé le lundi", reporter_email=alice.email
    )


def _error_report_transition(alice, client):
    from relais.places.models import ErrorReport, ErrorReportTransition

    report = ErrorReport.objects.create(place=PlaceFactory(), kind="other", message="Adresse fausse")
    return ErrorReportTransition.objects.create(report=report, to_status="resolved", by=alice)


def _proposal(alice, client):
    from relais.places.models import PlaceProposal

    return PlaceProposal.objects.create(kind="new", data={"name": "Mon tiers-lieu"}, proposed_by=alice)


def _proposal_transition(alice, client):
    from relais.places.models import PlaceProposal, PlaceProposalTransition

    proposal = PlaceProposal.objects.create(kind="claim", place=PlaceFactory(), proposed_by=UserFactory())
    return PlaceProposalTransition.objects.create(proposal=proposal, to_status="rejected", by=alice)


def _source_record(alice, client):
    from relais.places.models import PlaceSourceRecord

    return PlaceSourceRecord.objects.create(
        place=PlaceFactory(), source="annuaire", source_id="42", data={"courriel": alice.email}
    )


def _document(alice, client):
    from relais.places.models import PlaceDocument

    return PlaceDocument.objects.create(
        place=PlaceFactory(),
        title="Règlement",
        file="places/reglement.pdf",
        original_name="r.pdf",
        uploaded_by=alice,
    )


def _duplicate(alice, client):
    from relais.places.models import DuplicateCandidate

    return DuplicateCandidate.objects.create(place_a=PlaceFactory(), place_b=PlaceFactory(), decided_by=alice)


def _duplicate_transition(alice, client):
    from relais.places.models import DuplicateCandidate, DuplicateCandidateTransition

    candidate = DuplicateCandidate.objects.create(place_a=PlaceFactory(), place_b=PlaceFactory())
    return DuplicateCandidateTransition.objects.create(candidate=candidate, to_status="merged", by=alice)


def _audit_event(alice, client):
    return AuditEvent.objects.create(
        actor=alice, actor_label=alice.username, action=AuditAction.VIEW, target_type="x", target_id="1"
    )


def _coverage_run(alice, client):
    from relais.coverage.models import CoverageRun

    return CoverageRun.objects.create(
        parameters={}, registry_token=uuid.uuid4(), place_count=1, commune_count=1, kept_by=alice
    )


def _member(alice, client):
    return MemberFactory(user=alice)


def _user_qualification(alice, client):
    from relais.spaces.models import UserQualification

    return UserQualification.objects.create(
        user=alice, qualification=QualificationFactory(), granted_on=datetime.date(2026, 1, 5)
    )


def _series(alice, client):
    from relais.spaces.models import BookingSeries

    resource = ResourceFactory()
    return BookingSeries.objects.create(
        resource=resource,
        place=resource.place,
        person=alice,
        first_start=START,
        first_end=START + HOUR,
        until=datetime.date(2026, 4, 30),
    )


def _booking(alice, client, resource=None):
    from relais.spaces.models import Booking

    resource = resource or ResourceFactory()
    return Booking.objects.create(
        resource=resource, place=resource.place, person=alice, start=START, end=START + HOUR, notes="fauteuil"
    )


def _booking_transition(alice, client):
    from relais.spaces.models import BookingTransition

    return BookingTransition.objects.create(booking=_booking(alice, client), to_status="confirmed")


def _waitlist_entry(alice, client, resource=None):
    from relais.spaces.models import WaitlistEntry

    resource = resource or ResourceFactory()
    return WaitlistEntry.objects.create(
        resource=resource, place=resource.place, person=alice, start=START, end=START + HOUR
    )


def _waitlist_transition(alice, client):
    from relais.spaces.models import WaitlistTransition

    return WaitlistTransition.objects.create(entry=_waitlist_entry(alice, client), to_status="waiting")


def _calendar_token(alice, client):
    from relais.spaces.models import CalendarFeedToken

    return CalendarFeedToken.objects.create(user=alice, key_hash="a" * 64, prefix="abcdefgh")


def _session(alice, client):
    client.force_login(alice)
    return ""  # a session is exported without its key


def _admin_log(alice, client):
    from django.contrib.admin.models import ADDITION, LogEntry

    place = PlaceFactory()
    return LogEntry.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(place),
        object_id=str(place.pk),
        object_repr=str(place),
        action_flag=ADDITION,
    )


def _task_result(alice, client):
    model = apps.get_model("django_tasks_database", "DBTaskResult")
    return model.objects.create(
        args_kwargs={"args": [[alice.email], "Votre réservation", "Bonjour"], "kwargs": {}},
        task_path="relais.core.mail.send_email",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


def _axes(label):
    def build(alice, client):
        model = apps.get_model(label)
        extra = (
            {"get_data": "", "post_data": "", "failures_since_start": 1}
            if label == "axes.AccessAttempt"
            else {}
        )
        return model.objects.create(
            username=alice.username,
            ip_address="192.0.2.7",
            user_agent="Firefox",
            http_accept="*/*",
            path_info="/comptes/connexion/",
            **extra,
        )

    return build


def _otp(label):
    def build(alice, client):
        return apps.get_model(label).objects.create(user=alice, name="default")

    return build


def _subject_request(alice, client):
    from relais.privacy.models import SubjectRequest

    return SubjectRequest.objects.create(kind="access", channel="email", user=alice, due_at=START)


def _subject_request_transition(alice, client):
    from relais.privacy.models import SubjectRequestTransition

    request = _subject_request(alice, client)
    return SubjectRequestTransition.objects.create(request=request, to_status="answered", by=alice)


BUILDERS = {
    "accounts.User": _user,
    "accounts.PlaceRole": _place_role,
    "accounts.ApiToken": _api_token,
    "places.Place": _place,
    "places.ErrorReport": _error_report,
    "places.ErrorReportTransition": _error_report_transition,
    "places.PlaceProposal": _proposal,
    "places.PlaceProposalTransition": _proposal_transition,
    "places.PlaceSourceRecord": _source_record,
    "places.DuplicateCandidate": _duplicate,
    "places.PlaceDocument": _document,
    "places.DuplicateCandidateTransition": _duplicate_transition,
    "privacy.AuditEvent": _audit_event,
    "privacy.SubjectRequest": _subject_request,
    "privacy.SubjectRequestTransition": _subject_request_transition,
    "coverage.CoverageRun": _coverage_run,
    "members.Member": _member,
    "spaces.UserQualification": _user_qualification,
    "spaces.BookingSeries": _series,
    "spaces.Booking": _booking,
    "spaces.BookingTransition": _booking_transition,
    "spaces.WaitlistEntry": _waitlist_entry,
    "spaces.WaitlistTransition": _waitlist_transition,
    "spaces.CalendarFeedToken": _calendar_token,
    "sessions.Session": _session,
    "admin.LogEntry": _admin_log,
    "django_tasks_database.DBTaskResult": _task_result,
    "axes.AccessAttempt": _axes("axes.AccessAttempt"),
    "axes.AccessFailureLog": _axes("axes.AccessFailureLog"),
    "axes.AccessLog": _axes("axes.AccessLog"),
    "otp_totp.TOTPDevice": _otp("otp_totp.TOTPDevice"),
    "otp_static.StaticDevice": _otp("otp_static.StaticDevice"),
}


def is_installed(label):
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def installed_personal_labels():
    """The declared models holding personal data whose app is installed."""
    return {
        label
        for label, declaration in inventory.declarations().items()
        if declaration.processing and is_installed(label)
    }


def test_the_export_holds_a_record_of_every_declared_model_that_references_the_person(client):
    alice = UserFactory(first_name="Alice", last_name="Martin")
    assert set(BUILDERS) >= installed_personal_labels(), "ajoutez un constructeur pour chaque modèle déclaré"
    expected = {}
    for label in sorted(installed_personal_labels()):
        built = BUILDERS[label](alice, client)
        expected[label] = (
            built if isinstance(built, str) else str(getattr(built, "public_id", None) or built.pk)
        )

    files = read_zip(subject_export.build_zip(user=alice, email=alice.email))

    found = {(model, identifier) for model, identifier, _role, _fields in exported(files)}
    missing = [label for label, identifier in expected.items() if (label, identifier) not in found]
    assert missing == [], f"absents de l'export : {missing}"
    assert subject_export.SUMMARY_NAME in files


def test_a_booking_made_for_someone_else_shows_only_that_the_person_booked_it(client):
    alice = UserFactory()
    resource = ResourceFactory()
    from relais.spaces.models import Booking

    booking = Booking.objects.create(
        resource=resource,
        place=resource.place,
        person_name="Jeanne Valette",
        person_contact="06 12 34 56 78",
        booked_by=alice,
        start=START,
        end=START + HOUR,
        notes="vient avec son auxiliaire de vie",
    )

    content = subject_export.build_zip(user=alice)

    records = [r for r in exported(read_zip(content)) if r[0] == "spaces.Booking"]
    assert records == [("spaces.Booking", str(booking.public_id), "actor", {"booked_by": str(alice)})]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist())
    for other_person in ("Jeanne", "06 12 34 56 78", "auxiliaire"):
        assert other_person not in text


def test_the_person_s_own_booking_is_exported_whole_but_not_who_of_the_team_booked_it():
    alice, staff = UserFactory(), UserFactory(username="equipiere")
    from relais.spaces.models import Booking

    resource = ResourceFactory()
    Booking.objects.create(
        resource=resource, place=resource.place, person=alice, booked_by=staff, start=START, end=START + HOUR
    )

    [(_model, _id, role, fields)] = [
        r for r in exported(read_zip(subject_export.build_zip(user=alice))) if r[0] == "spaces.Booking"
    ]

    assert role == "subject"
    assert fields["person"] == str(alice)
    assert fields["resource"] == resource.name
    assert fields["start"] == START.isoformat()
    assert "booked_by" not in fields


def test_secrets_are_said_to_exist_and_never_exported(client):
    from relais.accounts.models import ApiToken

    alice = UserFactory()
    token, raw = ApiToken.issue(alice, "script")
    client.force_login(alice)
    session_key = client.session.session_key

    content = subject_export.build_zip(user=alice)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist())
    alice.refresh_from_db()
    for secret in (alice.password, token.key_hash, raw, session_key):
        assert secret not in text
    user_fields = next(f for m, _i, _r, f in exported(read_zip(content)) if m == "accounts.User")
    assert user_fields["password"] == "(secret : présent, non exporté)"
    assert user_fields["email"] == alice.email


def test_a_member_without_account_gets_their_membership_and_the_bookings_the_team_made():
    from relais.spaces.models import Booking

    resource = ResourceFactory()
    jeanne = MemberFactory(place=resource.place, user=None, name="Jeanne", contact="06 12 34 56 78")
    booking = Booking.objects.create(
        resource=resource,
        place=resource.place,
        person_name="Jeanne",
        person_contact="06 12 34 56 78",
        start=START,
        end=START + HOUR,
    )

    files = read_zip(subject_export.build_zip(member=jeanne))

    assert {(m, i) for m, i, _r, _f in exported(files)} == {
        ("members.Member", str(jeanne.public_id)),
        ("spaces.Booking", str(booking.public_id)),
    }
    assert set(files) == {"members.json", "bookings.json", subject_export.SUMMARY_NAME}
    assert files["members.json"]["processing"]["legal_basis"] == "contract"


def test_the_summary_says_in_french_what_each_processing_is_for_and_how_long_it_keeps_data():
    alice = UserFactory()
    MemberFactory(user=alice)

    summary = read_zip(subject_export.build_zip(user=alice))[subject_export.SUMMARY_NAME]

    members = inventory.processings()["members"]
    assert str(members.purpose) in summary
    assert "3 ans à compter de la fin de l&#x27;adhésion, puis suppression" in summary
    assert '<html lang="fr">' in summary
    assert "<dd>1 janvier 2025</dd>" in summary  # the membership's start, in words


# --- « Télécharger mes données » ----------------------------------------------------------------------------

URL = reverse("accounts:my-data")


def test_anonymous_people_are_sent_to_the_login_page(client):
    for response in (client.get(URL), client.post(URL)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_dashboard_links_to_the_page_which_offers_the_download(client):
    client.force_login(UserFactory())

    assert URL in client.get(reverse("accounts:dashboard")).content.decode()
    page = client.get(URL).content.decode()
    assert "Télécharger mes données" in page and 'method="post"' in page


def test_the_download_holds_the_person_s_data_only_and_is_audited(client):
    alice, bob = UserFactory(), UserFactory()
    mine, _bobs = MemberFactory(user=alice), MemberFactory(user=bob)
    client.force_login(alice)

    response = client.post(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    records = exported(read_zip(response.content))
    assert ("members.Member", str(mine.public_id)) in {(m, i) for m, i, _r, _f in records}
    assert not [r for r in records if r[0] == "accounts.User" and r[1] != str(alice.public_id)]
    event = AuditEvent.objects.get(target_type="accounts.user", target_id=str(alice.pk))
    assert event.action == AuditAction.VIEW and event.actor == alice
    assert "members" in event.changes["export"][1]


def test_other_methods_are_refused(client):
    client.force_login(UserFactory())

    assert client.put(URL).status_code == 405
