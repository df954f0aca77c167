from django.core.management.base import BaseCommand

from relais.places.dedup import dedupe_registry
from relais.places.dedup_core import SURE, UNSURE
from relais.privacy.audit import Actor


class Command(BaseCommand):
    help = (
        "Cherche les lieux présents plusieurs fois dans le registre : fusionne les doublons sûrs "
        f"(score ≥ {SURE}) et met les paires incertaines (score ≥ {UNSURE}) en attente d'examen par un "
        "administrateur du réseau. Une paire déclarée distincte n'est jamais reproposée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="compte ce qui serait fusionné et examiné, sans rien écrire",
        )
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            help="seulement les paires dont un lieu vient d'une source dont le nom contient ce texte "
            "(répétable)",
        )

    def handle(self, *args, dry_run, source, **options):
        run = dedupe_registry(
            Actor(channel="command", label="dédoublonnage"), dry_run=dry_run, sources=source
        )
        prefix = "simulation : " if dry_run else ""
        self.stdout.write(
            f"{prefix}paires comparées={run.compared} sûres={run.sure} incertaines={run.unsure} "
            f"fusionnés={run.merged} à examiner={run.queued} refusés={len(run.refused)} "
            f"durée={run.seconds:.1f} s"
        )
        for pair, message in run.refused[:20]:
            self.stdout.write(f"  fusion refusée ({pair.a} / {pair.b}) : {message}")
