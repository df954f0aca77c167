from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import DomainError
from relais.coverage.runs import prune_runs


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
        latest = ngettext(
            "%(count)s la plus récente de ses paramètres",
            "%(count)s les plus récentes de leurs paramètres",
            report.kept_latest,
        ) % {"count": report.kept_latest}
        if dry_run:
            deleted = ngettext("%(count)s serait supprimée", "%(count)s seraient supprimées", report.deleted)
        else:
            deleted = ngettext("%(count)s supprimée", "%(count)s supprimées", report.deleted)
        self.stdout.write(
            _(
                "Analyses de maillage : %(total)s au total, %(deleted)s, %(kept)s "
                "(%(recent)s de moins de %(days)s jours, %(latest)s)."
            )
            % {
                "total": report.total,
                "deleted": deleted % {"count": report.deleted},
                "kept": ngettext("%(count)s conservée", "%(count)s conservées", kept) % {"count": kept},
                "recent": report.kept_recent,
                "days": keep_days,
                "latest": latest,
            }
        )
        if dry_run:
            self.stdout.write(_("Simulation (--dry-run) : rien n'a été supprimé."))
