"""`manage.py remind_stale_places`: e-mails to the managers of places whose data is six months old."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from relais.places.models import PlaceStatus
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
STALE = datetime.date(2026, 3, 1)
FRESH = datetime.date(2026, 9, 1)


# French counts 0 as singular; until the French catalog carries the plural forms, gettext falls back to the
# English rule (0 is plural): the zero cases accept both.
NOTHING_SENT = re.compile(r"0 lieux? rappelés?, 0 e-mails? envoyés?\.")


def committed():
    """Run what the command leaves for after its commits: the e-mails' background task (in production
    the command runs in autocommit; here the test's own transaction never commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def run(*args, today=TODAY):
    out = io.StringIO()
    with committed():
        call_command("remind_stale_places", f"--today={today.isoformat()}", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_each_manager_of_each_stale_place_gets_one_email_and_the_date_is_noted():
    first, second = UserFactory(), UserFactory()
    stale = PlaceFactory(name="La Grange", data_updated_on=STALE, managers=[first, second])
    other = PlaceFactory(name="Le Fournil", data_updated_on=STALE, managers=[first])
    fresh = PlaceFactory(data_updated_on=FRESH, managers=[first])

    output = run("--base-url=https://relais.exemple.fr")

    assert output.strip() == "2 lieux rappelés, 3 e-mails envoyés."
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (first.email, "[Relais] Les informations de « La Grange » sont-elles à jour ?"),
            (second.email, "[Relais] Les informations de « La Grange » sont-elles à jour ?"),
            (first.email, "[Relais] Les informations de « Le Fournil » sont-elles à jour ?"),
        ]
    )
    body = next(m.body for m in mail.outbox if "La Grange" in m.subject)
    assert "n'ont pas été confirmées depuis le 1 mars 2026" in body
    assert f"https://relais.exemple.fr/lieux/{stale.pk}/" in body
    assert "Je confirme que les données sont à jour" in body
    for place in (stale, other, fresh):
        place.refresh_from_db()
    assert stale.reminder_sent_on == other.reminder_sent_on == TODAY
    assert fresh.reminder_sent_on is None


def test_no_reminder_again_within_30_days_then_again_if_still_stale():
    place = PlaceFactory(data_updated_on=STALE, managers=[UserFactory()])
    run()
    mail.outbox.clear()

    assert NOTHING_SENT.match(run(today=TODAY + datetime.timedelta(days=29)))
    assert mail.outbox == []
    run(today=TODAY + datetime.timedelta(days=30))
    assert len(mail.outbox) == 1
    place.refresh_from_db()
    assert place.reminder_sent_on == TODAY + datetime.timedelta(days=30)


def test_a_confirmed_place_is_not_reminded():
    place = PlaceFactory(data_updated_on=STALE, managers=[UserFactory()])
    run()
    mail.outbox.clear()
    place.data_updated_on = TODAY + datetime.timedelta(days=40)
    place.save()

    run(today=TODAY + datetime.timedelta(days=60))

    assert mail.outbox == []


def test_dry_run_sends_and_records_nothing():
    place = PlaceFactory(name="La Grange", data_updated_on=STALE, managers=[UserFactory(), UserFactory()])

    output = run("--dry-run")

    assert "Simulation : 1 lieu à rappeler, 2 e-mails seraient envoyés ; rien n'a été envoyé" in output
    assert "La Grange (données du 01/03/2026)" in output
    assert mail.outbox == []
    place.refresh_from_db()
    assert place.reminder_sent_on is None


def test_the_age_is_a_number_of_months():
    PlaceFactory(data_updated_on=datetime.date(2026, 7, 1), managers=[UserFactory()])

    assert NOTHING_SENT.match(run())
    assert run("--months=3").startswith("1 lieu rappelé, 1 e-mail envoyé.")
    with pytest.raises(CommandError, match="--months doit être au moins 1"):
        run("--months=0")


def test_places_without_a_reachable_manager_are_listed_and_not_marked():
    lonely = PlaceFactory(name="Lieu sans gérant", data_updated_on=STALE)
    silent = PlaceFactory(name="Gérant sans e-mail", data_updated_on=STALE, managers=[UserFactory(email="")])

    output = run()

    assert "2 lieux sans gérant joignable par e-mail : Gérant sans e-mail, Lieu sans gérant" in output
    assert mail.outbox == []
    for place in (lonely, silent):
        place.refresh_from_db()
        assert place.reminder_sent_on is None


def test_closed_and_demo_places_are_left_alone():
    PlaceFactory(data_updated_on=STALE, status=PlaceStatus.CLOSED, managers=[UserFactory()])
    PlaceFactory(data_updated_on=STALE, is_demo=True, managers=[UserFactory()])

    assert NOTHING_SENT.match(run())
    assert mail.outbox == []


def test_today_defaults_to_the_local_date(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    place = PlaceFactory(data_updated_on=STALE, managers=[UserFactory()])
    out = io.StringIO()

    with committed():
        call_command("remind_stale_places", stdout=out)

    place.refresh_from_db()
    assert place.reminder_sent_on == TODAY
    assert len(mail.outbox) == 1


def test_a_bad_date_is_a_french_error():
    with pytest.raises(CommandError, match="date « demain » invalide"):
        call_command("remind_stale_places", "--today=demain")
