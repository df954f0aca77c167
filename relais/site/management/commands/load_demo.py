from django.core.management import call_command
from django.core.management.base import BaseCommand

from relais.site.demo import load_demo
from relais.territory.models import Commune


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : géographie de référence (si absente), listes ouvertes réelles "
        "de data/places/ (France Services 2024, médiation numérique 2022 ; lignes invalides signalées et "
        "ignorées), lieux fictifs étiquetés « [Démo] » et, en mode DEBUG, deux comptes de démonstration. "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reload-territory", action="store_true", help="recharger la géographie")

    def handle(self, *args, reload_territory=False, verbosity=1, **options):
        if reload_territory or not Commune.objects.exists():
            call_command("load_territory", verbosity=verbosity)
        load_demo(out=self.stdout.write)
