import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from relais.spaces.notifications import enqueue_reminders


def _moment(value):
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"moment « {value} » invalide (format attendu : AAAA-MM-JJTHH:MM).") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Met en file le rappel par e-mail des réservations confirmées qui commencent demain (à l'heure du "
        "lieu), une seule fois par réservation ; les e-mails partent par le worker des tâches "
        "(`manage.py db_worker`). À lancer chaque jour (cron), par exemple à 10 h."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="dit ce qui serait envoyé, sans rien mettre en file"
        )
        parser.add_argument(
            "--now",
            type=_moment,
            help="moment présent (AAAA-MM-JJTHH:MM, heure de Paris ; défaut : maintenant)",
        )

    def handle(self, *args, dry_run, now, **options):
        bookings = enqueue_reminders(now or timezone.now(), dry_run=dry_run)
        if dry_run:
            message = ngettext(
                "Simulation : %(count)s rappel serait mis en file ; rien n'a été fait.",
                "Simulation : %(count)s rappels seraient mis en file ; rien n'a été fait.",
                len(bookings),
            )
        else:
            message = ngettext(
                "%(count)s rappel mis en file.", "%(count)s rappels mis en file.", len(bookings)
            )
        self.stdout.write(message % {"count": len(bookings)})
        for booking in bookings:
            self.stdout.write(f"  - {booking.place.name} : réservation n° {booking.pk}")
