from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from relais.core.errors import DomainError
from relais.places.opendata.importer import FORMATS, ImportRejected, group_problems, import_places
from relais.privacy.audit import Actor


class Command(BaseCommand):
    help = (
        "Importe des lieux depuis un fichier (standard national des lieux de médiation numérique, CSV "
        "ou JSON, GeoJSON, CSV Relais, liste France Services, export médiation numérique 2022). Chaque "
        "ligne est validée ; sans --skip-invalid, une seule ligne invalide fait tout refuser "
        "(rien n'est écrit). "
        "Un lieu déjà importé (même source et même identifiant) est mis à jour, jamais dupliqué. "
        "Le fichier (CSV, ODS, JSON, gzip ou non, 100 Mo au plus) est lu ligne à ligne."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="format du fichier (deviné si absent)")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="importer les lignes valides, ignorer les autres"
        )
        parser.add_argument(
            "--source", default="", help="source à indiquer quand la colonne « source » est vide"
        )
        parser.add_argument(
            "--demo", action="store_true", help="marquer les lieux importés comme démonstration"
        )
        parser.add_argument("--dry-run", action="store_true", help="valider sans rien écrire")
        parser.add_argument("--show", type=int, default=20, help="nombre de problèmes détaillés à afficher")

    def handle(
        self,
        *args,
        file,
        format=None,
        skip_invalid=False,
        source="",
        demo=False,
        dry_run=False,
        show=20,
        verbosity=1,
        **options,
    ):
        try:
            with Progress(disable=verbosity == 0, transient=True) as progress:
                task = progress.add_task("Import", total=None)
                report = import_places(
                    file,
                    fmt=format,
                    skip_invalid=skip_invalid,
                    actor=Actor(channel="command", label="import"),
                    progress=lambda advance, total: progress.update(task, advance=advance, total=total),
                    default_source=source,
                    is_demo=True if demo else None,
                    dry_run=dry_run,
                )
        except ImportRejected as exc:
            self._problems("Lignes rejetées", exc.report.rejected, exc.report.rejected_count, show)
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if verbosity:
            self._problems("Lignes ignorées", report.rejected, report.rejected_count, show)
            self._problems(
                "Anomalies (lignes importées, corrigées ou complétées)",
                report.warnings,
                report.warnings_count,
                show,
            )
            for line in report.repair_lines():
                self.stdout.write(f"Réparation : {line}")
        self.stdout.write(report.summary() + (" dry_run=1" if dry_run else ""))

    def _problems(self, title, problems, count, show):
        """The first `show` problems, then the others grouped by message (of the first ones kept)."""
        if not count:
            return
        self.stderr.write(f"{title} : {count}")
        for problem in problems[:show]:
            self.stderr.write(f"  {problem}")
        if count > show:
            self.stderr.write(f"  … et {count - show} autres. Par motif :")
            for message, lines in sorted(group_problems(problems).items(), key=lambda kv: -len(kv[1]))[:show]:
                self.stderr.write(f"  {len(lines):>5} × {message}")
