from django.core.management.base import BaseCommand
from rich.progress import Progress

from relais.territory.services import load_territory


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) les régions, départements, EPCI, communes, codes postaux, codes de "
        "passage et arrondissements municipaux (Paris, Lyon, Marseille) depuis les fichiers de référence "
        "livrés dans data/. Idempotent : une nouvelle exécution met à jour sans dupliquer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", help="dossier des fichiers de référence (par défaut : data/)")

    def handle(self, *args, data_dir=None, verbosity=1, **options):
        with Progress(disable=verbosity == 0, transient=True) as progress:
            task = progress.add_task("Communes", total=None)

            def tick(step, advance, total):
                progress.update(task, advance=advance, total=total)

            report = load_territory(data_dir, progress=tick)
        self.stdout.write(
            f"regions={report.regions} departments={report.departments} epcis={report.epcis} "
            f"communes={report.communes} postal_codes={report.postal_codes} aliases={report.aliases} "
            f"arrondissements={report.arrondissements} "
            f"communes_without_coordinates={report.without_coordinates}"
        )
