from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.progress import Progress

from relais.core.errors import DomainError
from relais.coverage import engine
from relais.coverage.candidates import split_communes
from relais.coverage.exports import write_exports
from relais.coverage.services import CoverageParams, run_coverage
from relais.coverage.weights import read_weights


class Command(BaseCommand):
    help = (
        "Analyse le maillage : distance de chaque commune au lieu le plus proche, population à moins "
        "de 5, 10 et 20 km, zones blanches, agrégats par EPCI, département et région ; "
        "avec --recommend K, les K communes où ouvrir un lieu couvrirait le plus d'habitants non "
        "couverts (avec une borne prouvée de l'optimum ; --exact cherche l'optimum prouvé avec CBC). "
        "Avec --weights FICHIER.csv, la demande est pondérée par ce fichier (colonnes code_insee;weight) "
        "au lieu de la population. Écrit communes.csv, summary.csv, recommended.csv, coverage.ods et "
        "communes.geojson dans --output ; enregistre l'analyse (une analyse de maillage conservée)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--territory", default="", help="dep:15, reg:84 ou epci:SIREN (France entière sinon)"
        )
        parser.add_argument("--radius-km", type=float, default=10.0)
        parser.add_argument("--recommend", type=int, default=0, metavar="K")
        parser.add_argument("--typology", default="", help="ne compter que les lieux de cette typologie")
        parser.add_argument("--service", default="", help="ne compter que les lieux offrant ce service")
        parser.add_argument("--label", default="", help="ne compter que les lieux ayant ce label")
        parser.add_argument("--min-spacing-km", type=float, default=None)
        parser.add_argument("--exact", action="store_true", help="chercher l'optimum prouvé (plus long)")
        parser.add_argument(
            "--time-limit", type=float, default=60.0, help="durée maximale du calcul exact (s)"
        )
        parser.add_argument(
            "--exact-budget",
            type=float,
            default=engine.EXACT_BUDGET_S,
            metavar="S",
            help=(
                "sans --exact : durée du calcul exact qui suit la réponse rapide quand son écart prouvé "
                "dépasse 0,1 %% et que le problème est petit (0 : jamais)"
            ),
        )
        parser.add_argument(
            "--weights",
            metavar="FICHIER.csv",
            help=(
                "poids de la demande par commune au lieu de la population : CSV UTF-8 avec l'en-tête "
                "code_insee;weight ; les communes absentes du fichier pèsent 0"
            ),
        )
        parser.add_argument(
            "--candidate-min-population",
            type=int,
            default=0,
            metavar="N",
            help="avec --recommend : ne recommander que des communes d'au moins N habitants",
        )
        parser.add_argument(
            "--candidate-communes",
            default="",
            metavar="LISTE",
            help=(
                "avec --recommend : ne recommander que parmi ces communes du territoire (codes INSEE ou "
                "noms, séparés par des virgules ou des retours à la ligne)"
            ),
        )
        parser.add_argument(
            "--candidate-exclude-covered",
            action="store_true",
            help="avec --recommend : exclure les communes déjà à moins de --radius-km d'un lieu",
        )
        parser.add_argument("--output", required=True, help="dossier où écrire les fichiers")

    def handle(self, *args, output, verbosity=1, **options):
        weights = None
        if options.get("weights"):
            try:
                weights = read_weights(options["weights"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
        try:
            candidate_communes = split_communes(options["candidate_communes"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        params = CoverageParams(
            territory=options["territory"],
            radius_km=options["radius_km"],
            recommend=options["recommend"],
            typology=options["typology"],
            service=options["service"],
            label=options["label"],
            min_spacing_km=options["min_spacing_km"],
            exact=options["exact"],
            time_limit_s=options["time_limit"],
            exact_budget_s=options["exact_budget"],
            weights=weights,
            weights_source=Path(options["weights"]).name if weights is not None else "",
            candidate_min_population=options["candidate_min_population"],
            candidate_communes=candidate_communes,
            candidate_exclude_covered=options["candidate_exclude_covered"],
        )
        try:
            with Progress(disable=verbosity == 0, transient=True) as progress:
                task = progress.add_task(_("Maillage"), total=None)
                result = run_coverage(
                    params, save=True, progress=lambda step: progress.update(task, description=step)
                )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        files = write_exports(result, output)
        head = result.summary[0]
        radius = f"{params.radius_km:g}"
        demand = f"weight={head['weight']}" if weights is not None else f"population={head['population']}"
        self.stdout.write(
            f"territory={result.territory.label} communes={len(result.communes)} places={result.place_count} "
            f"{demand} covered_{radius}km={head[f'share_{radius}km']:.2%} "
            f"mean_km={head['mean_km']} excluded_communes={len(result.excluded)} run={result.run.pk}"
        )
        figure = result.population
        self.stdout.write(
            f"territory_population={figure['total']} analysed_population={figure['analysed']} "
            f'excluded_population={figure["excluded"]} population_source="{figure["source"]}"'
        )
        if weights is not None:
            report = result.weights
            self.stdout.write(
                f"weights={report['source']} communes_without_weight={report['communes_without_weight']} "
                f"ignored_codes={report['ignored_codes']}"
            )
            if report["communes_without_weight"]:
                self.stderr.write(
                    ngettext(
                        "%(count)s commune analysée absente de %(file)s : poids 0.",
                        "%(count)s communes analysées absentes de %(file)s : poids 0.",
                        report["communes_without_weight"],
                    )
                    % {"count": report["communes_without_weight"], "file": report["source"]}
                )
            if report["ignored_codes"]:
                self.stderr.write(
                    ngettext(
                        "%(count)s code de %(file)s hors du territoire analysé (ou sans coordonnées) : "
                        "ignoré.",
                        "%(count)s codes de %(file)s hors du territoire analysé (ou sans coordonnées) : "
                        "ignorés.",
                        report["ignored_codes"],
                    )
                    % {"count": report["ignored_codes"], "file": report["source"]}
                )
        if result.recommendation:
            rec = result.recommendation
            self.stdout.write(
                f"recommended={len(result.recommended)} covered_before={rec['covered_before']} "
                f"covered_after={rec['covered_after']} upper_bound={rec['upper_bound']} gap={rec['gap']:.2%} "
                f"gap_added={rec['gap_added']:.2%} candidates={rec['candidates']} "
                f"proven_optimal={int(rec['proven_optimal'])}"
                + (f" solver={rec['solver']}" if "solver" in rec else "")
            )
        if result.excluded:
            self.stderr.write(
                _("Communes sans coordonnées, exclues : %(codes)s") % {"codes": ", ".join(result.excluded)}
            )
        self.stdout.write("files=" + ",".join(str(f) for f in files))
