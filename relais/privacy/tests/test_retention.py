"""The retention job (relais/privacy/retention.py, `manage.py apply_retention`): records past the retention of
their processing are anonymised or deleted, the others kept; a dry run writes nothing; one audit entry per
model and run; a French report."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from relais.privacy import inventory, retention
from relais.privacy.dates import add_months
from relais.privacy.models import AuditEvent
from relais.testing import MemberFactory, PlaceFactory, PlaceRoleFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 15, 12))


def _booking(resource, end, **kwargs):
    from relais.spaces.models import Booking

    return Booking.objects.create(
        resource=resource,
        place=resource.place,
        start=end - datetime.timedelta(hours=1),
        end=end,
        **{"person_name": "Jeanne Petit", "person_contact": "06 12", "notes": "fauteuil", **kwargs},
    )


@pytest.fixture
def records():
    resource = ResourceFactory()
    old, recent = NOW - datetime.timedelta(days=400), NOW - datetime.timedelta(days=100)
    place = resource.place
    return {
        "old_booking": _booking(resource, old, person=UserFactory()),
        "recent_booking": _booking(resource, recent),
        "old_member": MemberFactory(
            place=place, joined_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2022, 1, 1)
        ),
        "ongoing_member": MemberFactory(place=place, joined_on=datetime.date(2020, 1, 1), ends_on=None),
        "recent_member": MemberFactory(
            place=place, joined_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2026, 1, 1)
        ),
        "idle_account": UserFactory(last_login=NOW - datetime.timedelta(days=4 * 365)),
        "active_account": UserFactory(last_login=NOW - datetime.timedelta(days=30)),
    }


def test_records_past_retention_are_anonymised_or_deleted_and_the_others_kept(records):
    report = retention.apply_retention(dry_run=False, now=NOW)

    old, recent = records["old_booking"], records["recent_booking"]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.person, old.person_name, old.person_contact, old.notes) == (
        None,
        "personne anonymisée",
        "",
        "",
    )
    assert (old.start, old.end) == (records["old_booking"].start, records["old_booking"].end)  # figures kept
    assert recent.person_name == "Jeanne Petit"
    Member = type(records["old_member"])
    assert not Member.objects.filter(pk=records["old_member"].pk).exists()
    assert (
        Member.objects.filter(pk__in=[records["ongoing_member"].pk, records["recent_member"].pk]).count() == 2
    )
    idle, active = records["idle_account"], records["active_account"]
    idle.refresh_from_db()
    active.refresh_from_db()
    assert not idle.is_active and idle.username.startswith("anonyme-") and idle.email == ""
    assert active.is_active
    assert report.count_for("spaces.Booking").anonymised == 1
    assert report.count_for("members.Member").deleted == 1
    assert report.count_for("accounts.User").anonymised == 1


def test_a_second_run_finds_nothing_left(records):
    retention.apply_retention(dry_run=False, now=NOW)
    again = retention.apply_retention(dry_run=False, now=NOW)
    assert again.count_for("spaces.Booking").found == 0
    assert again.count_for("accounts.User").found == 0


def test_a_dry_run_reports_what_would_be_done_and_writes_nothing(records):
    events = AuditEvent.objects.count()

    dry = retention.apply_retention(dry_run=True, now=NOW)

    assert AuditEvent.objects.count() == events
    records["old_booking"].refresh_from_db()
    assert records["old_booking"].person_name == "Jeanne Petit"
    assert type(records["old_member"]).objects.filter(pk=records["old_member"].pk).exists()
    wet = retention.apply_retention(dry_run=False, now=NOW)
    assert [c.line() for c in dry.counts] == [c.line() for c in wet.counts]
    assert dry.lines()[0].startswith("Simulation")


def test_each_model_with_records_past_retention_gets_one_audit_entry_per_run(records):
    resource = records["old_booking"].resource
    for _ in range(3):
        _booking(resource, NOW - datetime.timedelta(days=500))
    events = AuditEvent.objects.count()

    retention.apply_retention(dry_run=False, now=NOW)

    new = list(AuditEvent.objects.order_by("id")[events:])
    bookings = [e for e in new if e.target_type == "spaces.booking"]
    assert len(bookings) == 1
    assert bookings[0].target_id == "retention" and bookings[0].actor_label == "système"
    assert bookings[0].changes["retention"][1]["anonymised"] == 4
    assert "Jeanne" not in str([e.changes for e in new]) + str([e.target_label for e in new])
    assert not [e for e in new if e.target_type == "spaces.waitlistentry"]  # nothing was past retention there


def test_the_only_manager_of_a_place_is_kept_and_the_report_says_why():
    idle = UserFactory(last_login=NOW - datetime.timedelta(days=4 * 365))
    PlaceRoleFactory(user=idle, place=PlaceFactory(name="La Fabrique"), role="manager")

    report = retention.apply_retention(dry_run=False, now=NOW)

    idle.refresh_from_db()
    assert idle.is_active
    count = report.count_for("accounts.User")
    assert count.kept == 1 and "La Fabrique" in count.note


def test_the_audit_trail_is_counted_and_kept():
    with timezone.override("UTC"):
        event = AuditEvent.objects.create(
            action="view", target_type="x", target_id="1", at=NOW - datetime.timedelta(days=800)
        )

    report = retention.apply_retention(dry_run=False, now=NOW)

    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert report.count_for("privacy.AuditEvent").kept >= 1


def test_every_declared_retention_date_is_a_date():
    from django.db import models

    for label, declaration in inventory.declarations().items():
        if declaration.retention_date:
            field = inventory._field_at(declaration.model, declaration.retention_date)
            assert isinstance(field, models.DateField), label


def test_a_model_without_a_start_date_is_named_in_the_report():
    report = retention.apply_retention(dry_run=True, now=NOW)
    role = report.count_for("accounts.PlaceRole")
    assert role.cutoff == "" and "aucune date de début" in role.line()


def test_the_command_simulates_unless_told_wet_run(records):
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    records["old_booking"].refresh_from_db()
    assert records["old_booking"].person_name == "Jeanne Petit"
    assert "Simulation" in out.getvalue() and "réservation" in out.getvalue()

    out = io.StringIO()
    call_command("apply_retention", "--wet-run", stdout=out)
    records["old_booking"].refresh_from_db()
    assert records["old_booking"].person_name == "personne anonymisée"
    assert "Conservation appliquée" in out.getvalue()


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 3, 15), -12, datetime.date(2025, 3, 15)),
        (datetime.date(2024, 2, 29), -1, datetime.date(2024, 1, 29)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
    ],
)
def test_months_are_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_records_hanging_on_others_are_handled_first_and_counted_where_they_are():
    from relais.places.models import ErrorReport, ErrorReportTransition

    report = ErrorReport.objects.create(
        place=PlaceFactory(),
        kind="hours",
        message="Fermé le lundi",
        reporter_email="jeanne@exemple.fr",
        resolved_at=NOW - datetime.timedelta(days=400),
    )
    ErrorReportTransition.objects.create(report=report, to_status="resolved", by_label="camille")
    kept = ErrorReport.objects.create(place=PlaceFactory(), kind="hours", message="Récent", resolved_at=NOW)

    done = retention.apply_retention(dry_run=False, now=NOW)

    assert list(ErrorReport.objects.all()) == [kept]
    assert done.count_for("places.ErrorReportTransition").deleted == 1
    assert done.count_for("places.ErrorReport").deleted == 1


def test_an_anonymised_log_names_no_author_where_a_process_acted(records):
    from relais.spaces.models import BookingTransition

    booking = records["old_booking"]
    by_process = BookingTransition.objects.create(booking=booking, to_status="confirmed", by_label="")
    by_person = BookingTransition.objects.create(
        booking=booking, to_status="cancelled", by_label="camille", reason="à sa demande"
    )

    retention.apply_retention(dry_run=False, now=NOW)

    by_process.refresh_from_db()
    by_person.refresh_from_db()
    assert by_process.by_label == ""
    assert (by_person.by_label, by_person.reason) == ("personne anonymisée", "")


def test_the_task_queue_runs_the_same_job_and_returns_its_report(records):
    dry = retention.apply_retention_task.call()
    records["old_booking"].refresh_from_db()
    assert dry["dry_run"] and records["old_booking"].person_name == "Jeanne Petit"
    wet = retention.apply_retention_task.call(wet_run=True)
    bookings = next(m for m in wet["models"] if m["label"] == "spaces.Booking")
    assert not wet["dry_run"] and bookings["anonymised"] >= 1
