import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from relais.places.quality import FRESH_MONTHS
from relais.places.upkeep import REMINDER_INTERVAL_DAYS, send_reminders


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"date « {value} » invalide (format attendu : AAAA-MM-JJ).") from None


class Command(BaseCommand):
    help = (
        "Écrit aux gérants des lieux dont les données n'ont pas été confirmées depuis six mois (un e-mail "
        f"par gérant et par lieu, jamais deux fois en {REMINDER_INTERVAL_DAYS} jours). À lancer chaque jour "
        "ou chaque semaine (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="dit ce qui serait envoyé, sans rien envoyer ni enregistrer",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=FRESH_MONTHS,
            help=f"ancienneté des données, en mois, à partir de laquelle écrire (défaut : {FRESH_MONTHS})",
        )
        parser.add_argument("--today", type=_date, help="date du jour (AAAA-MM-JJ ; défaut : aujourd'hui)")
        parser.add_argument(
            "--base-url",
            default="",
            help="adresse du site pour les liens des e-mails, par exemple https://relais.exemple.fr",
        )

    def handle(self, *args, dry_run, months, today, base_url, **options):
        if months < 1:
            raise CommandError(f"--months doit être au moins 1 (reçu : {months}).")
        today = today or timezone.localdate()
        run = send_reminders(today, months, dry_run=dry_run, base_url=base_url)
        count = len(run.places)
        if dry_run:
            places = ngettext(
                "Simulation : %(count)s lieu à rappeler", "Simulation : %(count)s lieux à rappeler", count
            ) % {"count": count}
            emails = ngettext(
                "%(count)s e-mail serait envoyé ; rien n'a été envoyé ni enregistré.",
                "%(count)s e-mails seraient envoyés ; rien n'a été envoyé ni enregistré.",
                run.emails,
            ) % {"count": run.emails}
            self.stdout.write(f"{places}, {emails}")
            for place in run.places:
                self.stdout.write(f"  - {place.name} (données du {place.data_updated_on:%d/%m/%Y})")
        else:
            places = ngettext("%(count)s lieu rappelé", "%(count)s lieux rappelés", count) % {"count": count}
            emails = ngettext("%(count)s e-mail envoyé.", "%(count)s e-mails envoyés.", run.emails) % {
                "count": run.emails
            }
            self.stdout.write(f"{places}, {emails}")
        if run.unreachable:
            self.stdout.write(
                ngettext(
                    "%(count)s lieu sans gérant joignable par e-mail : %(names)s",
                    "%(count)s lieux sans gérant joignable par e-mail : %(names)s",
                    len(run.unreachable),
                )
                % {"count": len(run.unreachable), "names": ", ".join(p.name for p in run.unreachable)}
            )
        if run.failed:
            self.stderr.write(
                ngettext(
                    "%(count)s lieu dont les e-mails n'ont pas pu partir (nouvel essai au prochain "
                    "passage) : %(names)s",
                    "%(count)s lieux dont les e-mails n'ont pas pu partir (nouvel essai au prochain "
                    "passage) : %(names)s",
                    len(run.failed),
                )
                % {"count": len(run.failed), "names": ", ".join(p.name for p in run.failed)}
            )
