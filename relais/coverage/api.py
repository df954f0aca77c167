from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from relais.core.api_errors import error_responses

from .candidates import (
    MAX_CANDIDATE_COMMUNES,
    MAX_CANDIDATE_MIN_POPULATION,
    MAX_CANDIDATE_TEXT_CHARS,
    split_communes,
)
from .services import MAX_RADIUS_KM, CoverageParams, run_coverage

router = Router(tags=["maillage"])


class CoverageFilters(Schema):
    territory: str = Field("", description="dep:15, reg:84 ou epci:SIREN ; vide : France entière")
    # The limits are checked by CoverageParams.validate (a 400 naming the field); stated here for the schema.
    radius_km: float = Field(
        10.0,
        description="distance de couverture, 200 km au plus",
        json_schema_extra={"exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM},
    )
    recommend: int = Field(
        0, description="nombre de sites à recommander (0 : aucun)", json_schema_extra={"minimum": 0}
    )
    typology: str = Field("", description="ne compter que les lieux de cette typologie (code)")
    service: str = Field("", description="ne compter que les lieux offrant ce service (code)")
    label: str = Field("", description="ne compter que les lieux ayant ce label (code)")
    min_spacing_km: float | None = None
    exact: bool = Field(
        False, description="chercher l'optimum prouvé (plus long ; repli sur la réponse rapide)"
    )
    time_limit_s: float = Field(
        60.0,
        description="durée maximale du calcul exact, 600 s au plus",
        json_schema_extra={"minimum": 1, "maximum": 600},
    )
    candidate_min_population: int = Field(
        0,
        description="avec recommend : ne recommander que des communes d'au moins cette population municipale",
        json_schema_extra={"minimum": 0, "maximum": MAX_CANDIDATE_MIN_POPULATION},
    )
    candidate_communes: str = Field(
        "",
        description=(
            "avec recommend : ne recommander que parmi ces communes du territoire, codes INSEE ou noms "
            f"séparés par des virgules ou des retours à la ligne ({MAX_CANDIDATE_COMMUNES} au plus) ; "
            "vide : toutes"
        ),
        json_schema_extra={"maxLength": MAX_CANDIDATE_TEXT_CHARS},
    )
    candidate_exclude_covered: bool = Field(
        False,
        description="avec recommend : exclure les communes déjà à moins de radius_km d'un lieu",
    )


class CoverageOut(Schema):
    run: int | None = Field(
        None,
        description="toujours null : l'API n'enregistre pas d'analyse (la page le fait pour une personne "
        "connectée qui le demande, la commande `coverage` à chaque fois)",
    )
    territory: str
    radius_km: float
    place_count: int
    commune_count: int
    excluded_communes: list[str]
    summary: list[dict]
    recommended: list[dict]
    recommendation: dict
    bands: list[dict]
    by_typology: list[dict]
    population: dict = Field(
        description="population du territoire (toutes ses communes, celle des pages des territoires), part "
        "mesurée (communes avec coordonnées), part exclue, source et millésime"
    )
    approximations: str


@router.get("", response={200: CoverageOut, **error_responses(400, 404, 422)}, summary="Analyser le maillage")
def coverage(request, filters: Query[CoverageFilters]):
    """Population couverte à 5, 10, 20 km et rayon choisi, distance moyenne, zones blanches ; agrégats par
    EPCI, département et région ; population par tranche de distance (`bands`) ; distance au lieu le plus
    proche de chaque typologie de tiers-lieux (`by_typology`, tous les lieux ouverts de la typologie,
    quels que soient les filtres ; `places_in_territory`, `places_nearby`, et `few` quand ils sont moins
    de 5 : distances peu significatives) ; avec `recommend`, les communes où ouvrir des lieux et une borne
    prouvée (les `candidate_*` restreignent les communes candidates ; la borne vaut pour ce choix
    restreint). Rien n'est enregistré."""
    values = filters.dict()
    values["candidate_communes"] = split_communes(values["candidate_communes"])
    params = CoverageParams(**values)
    result = run_coverage(params)
    return {
        "run": None,
        "territory": result.territory.label,
        "radius_km": params.radius_km,
        "place_count": result.place_count,
        "commune_count": len(result.communes),
        "excluded_communes": result.excluded,
        "summary": result.summary,
        "recommended": result.recommended,
        "recommendation": result.recommendation,
        "bands": result.bands,
        "by_typology": result.by_typology,
        "population": result.population,
        "approximations": _(
            "distances à vol d'oiseau ; distance routière estimée = %(detour)s × vol d'oiseau, "
            "temps estimé à %(speed)s km/h (approximations)"
        )
        % {"detour": f"{params.detour_factor:g}", "speed": f"{params.speed_kmh:g}"},
    }
