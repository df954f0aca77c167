import sys

from django.core.management.base import BaseCommand
from rich.progress import Progress

from relais.places.opendata.exporter import FORMATS, export_places


class Command(BaseCommand):
    help = (
        "Exporte tous les lieux du registre : standard national (mednum-csv, mednum-json ; identifiants "
        "uniques entre les sources), GeoJSON, ou CSV Relais complet (csv, séparateur « ; », UTF-8 avec BOM "
        "dans un fichier). Ne modifie rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument(
            "--output", required=True, help="fichier à écrire (« - » pour la sortie standard)"
        )

    def handle(self, *args, format, output, verbosity=1, **options):
        if output == "-":
            count = export_places(sys.stdout, format)
        else:
            with (
                open(output, "w", encoding="utf-8", newline="") as handle,
                Progress(disable=verbosity == 0, transient=True) as progress,
            ):
                task = progress.add_task("Export", total=None)
                count = export_places(
                    handle,
                    format,
                    progress=lambda a, t: progress.update(task, advance=a, total=t),
                    bom=True,  # Relais' CSV in a file: spreadsheets read its UTF-8 thanks to the BOM
                )
            self.stdout.write(f"format={format} places={count} output={output}")
