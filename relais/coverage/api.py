from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from relais.core.api_errors import error_responses

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
    approximations: str


@router.get("", response={200: CoverageOut, **error_responses(400, 404, 422)}, summary="Analyser le maillage")
def coverage(request, filters: Query[CoverageFilters]):
    """Population couverte à 5, 10, 20 km et rayon choisi, distance moyenne, zones blanches ; agrégats par
    EPCI, département et région ; population par tranche de distance (`bands`) ; distance au lieu le plus
    proche de chaque typologie de tiers-lieux (`by_typology`, tous les lieux ouverts de la typologie,
    quels que soient les filtres) ; avec `recommend`, les communes où ouvrir des lieux et une borne
    prouvée. Rien n'est enregistré."""
    params = CoverageParams(**filters.dict())
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
        "approximations": _(
            "distances à vol d'oiseau ; distance routière estimée = %(detour)s × vol d'oiseau, "
            "temps estimé à %(speed)s km/h (approximations)"
        )
        % {"detour": f"{params.detour_factor:g}", "speed": f"{params.speed_kmh:g}"},
    }
