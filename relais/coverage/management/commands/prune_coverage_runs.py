from django.core.management.base import BaseCommand, CommandError

from relais.core.errors import DomainError
from relais.coverage.services import prune_runs


def _count(n, singular, plural):
    return f"{n} {singular if n <= 1 else plural}"


class Command(BaseCommand):
    help = (
        "Supprime les analyses de maillage enregistrées depuis plus de --keep-days jours, sauf la plus "
        "récente de chaque jeu de paramètres (même territoire, rayon, filtres…), qui reste citable. "
        "Avec --dry-run, compte sans rien supprimer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=90,
            metavar="JOURS",
            help="conserver toutes les analyses de moins de JOURS jours (90 par défaut)",
        )
        parser.add_argument("--dry-run", action="store_true", help="compter sans rien supprimer")

    def handle(self, *args, keep_days, dry_run, **options):
        try:
            report = prune_runs(keep_days, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        kept = report.kept_recent + report.kept_latest
        latest = (
            f"{report.kept_latest} la plus récente de ses paramètres"
            if report.kept_latest == 1
            else f"{report.kept_latest} les plus récentes de leurs paramètres"
        )
        if dry_run:
            deleted = _count(report.deleted, "serait supprimée", "seraient supprimées")
        else:
            deleted = _count(report.deleted, "supprimée", "supprimées")
        self.stdout.write(
            f"Analyses de maillage : {report.total} au total, {deleted}, "
            f"{_count(kept, 'conservée', 'conservées')} "
            f"({report.kept_recent} de moins de {keep_days} jours, {latest})."
        )
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'a été supprimé.")
