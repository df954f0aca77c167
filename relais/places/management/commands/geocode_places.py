from django.core.management.base import BaseCommand, CommandError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.progress import Progress

from relais.core.errors import DomainError
from relais.places.geocoding import RESULT_TYPES, get_geocoder
from relais.places.geocoding.placing import (
    MAX_KM,
    MIN_SCORE,
    REFUSALS,
    SCORE_BUCKETS,
    geocode_places,
    select_places,
)
from relais.privacy.audit import Actor


def _codes(value):
    return [code.strip() for code in value.split(",") if code.strip()]


class Command(BaseCommand):
    help = (
        "Géocode l'adresse des lieux dont la position n'est que le centre de leur commune (tous les lieux "
        "qui ont une adresse avec --all), par la Base Adresse Nationale ou le géocodeur du réglage "
        "RELAIS_GEOCODER. Une position n'est acceptée que si son score atteint le seuil (--min-score), si "
        "elle est dans la commune du lieu (ou l'un de ses arrondissements) et à moins de --max-km de son "
        "centre. Jamais une position placée par l'équipe du lieu, jamais un lieu fermé. Simulation par "
        "défaut (rien n'est écrit) ; --wet-run enregistre, lot par lot, au journal de chaque lieu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run", action="store_true", help="enregistrer les positions acceptées (sinon : simulation)"
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="tous les lieux qui ont une adresse, pas seulement les positions approximatives",
        )
        parser.add_argument(
            "--commune", type=_codes, action="extend", default=[], help="codes INSEE des communes (répétable)"
        )
        parser.add_argument(
            "--department",
            type=_codes,
            action="extend",
            default=[],
            help="codes des départements (répétable)",
        )
        parser.add_argument(
            "--min-score",
            type=float,
            default=MIN_SCORE,
            help=f"score minimal (0 à 1) d'une adresse trouvée (défaut : {MIN_SCORE})",
        )
        parser.add_argument(
            "--max-km",
            type=float,
            default=MAX_KM,
            help=f"distance maximale au centre de la commune, en km (défaut : {MAX_KM})",
        )

    def handle(
        self, *args, wet_run, everything, commune, department, min_score, max_km, verbosity=1, **options
    ):
        if not 0 <= min_score <= 1:
            raise CommandError(
                _("--min-score doit être compris entre 0 et 1 (reçu : %(value)s).") % {"value": min_score}
            )
        if max_km <= 0:
            raise CommandError(_("--max-km doit être positif (reçu : %(value)s).") % {"value": max_km})
        places = select_places(everything=everything, communes=commune, departments=department)
        try:
            with Progress(disable=verbosity == 0, transient=True) as progress:
                task = progress.add_task(_("Géocodage"), total=places.count())
                run = geocode_places(
                    get_geocoder(),
                    places,
                    Actor(channel="command", label="géocodage"),
                    min_score=min_score,
                    max_km=max_km,
                    dry_run=not wet_run,
                    progress=lambda done: progress.update(task, advance=done),
                )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self._report(run)

    def _report(self, run):
        write = self.stdout.write
        number = formats.number_format
        counts = [
            ngettext("%(count)s lieu à géocoder", "%(count)s lieux à géocoder", run.selected)
            % {"count": run.selected},
            ngettext("%(count)s adresse trouvée", "%(count)s adresses trouvées", run.found)
            % {"count": run.found},
            ngettext("%(count)s position acceptée", "%(count)s positions acceptées", run.accepted)
            % {"count": run.accepted},
            ngettext("%(count)s lieu déplacé", "%(count)s lieux déplacés", run.written)
            % {"count": run.written},
        ]
        write(", ".join(counts) + ".")
        write(
            _(
                "Une position est acceptée si son score atteint %(score)s, si elle est dans la commune du "
                "lieu et à %(km)s km au plus de son centre."
            )
            % {
                "score": number(run.min_score, 2),
                "km": number(run.max_km, 0 if float(run.max_km).is_integer() else 1),
            }
        )
        if run.found:
            write(_("Scores des adresses trouvées :"))
            upper = "1"
            for bound in SCORE_BUCKETS:
                write(f"  {number(bound, 2)} – {upper} : {run.scores.get(bound, 0)}")
                upper = number(bound, 2)
            write(_("Précision des adresses trouvées :"))
            for kind, count in run.types.most_common():
                write(f"  {RESULT_TYPES.get(kind, kind)} : {count}")
        if run.refused:
            write(_("Refusées :"))
            for reason, count in run.refused.most_common():
                write(f"  {REFUSALS[reason]} : {count}")
            write(_("Exemples :"))
            for name, code, reason, detail in run.samples:
                write(f"  - {name} ({code}) : {reason}" + (f" — {detail}" if detail else ""))
        if run.dry_run:
            write(_("Simulation : rien n'a été écrit ; --wet-run enregistre les positions acceptées."))
        write(
            f"selected={run.selected} found={run.found} accepted={run.accepted} written={run.written} "
            f"dry_run={int(run.dry_run)}"
        )
