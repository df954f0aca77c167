from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from relais.privacy.retention import apply_retention


class Command(BaseCommand):
    @property
    def help(self):  # translated when the parser is built (argparse takes no lazy text)
        return _(
            "Applique les durées de conservation de l'inventaire des données personnelles : pour chaque "
            "traitement, les enregistrements dont la durée est écoulée sont supprimés, anonymisés ou "
            "conservés (obligation légale), par lots, une transaction par modèle, une entrée du journal "
            "d'audit par modèle. Sans --wet-run, simule : affiche le rapport et ne modifie rien."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run",
            action="store_true",
            help=_("applique vraiment les suppressions et les anonymisations"),
        )

    def handle(self, *args, wet_run, **options):
        report = apply_retention(dry_run=not wet_run)
        for line in report.lines():
            self.stdout.write(line)
