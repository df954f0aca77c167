from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from relais.core.api_errors import error_responses
from relais.core.errors import DomainError

from .models import Commune

router = Router(tags=["communes"])


class CommuneOut(Schema):
    code_insee: str
    name: str
    department: str
    department_name: str
    region: str
    epci: str | None
    population: int
    postal_codes: list[str]
    latitude: float | None
    longitude: float | None


def commune_out(commune):
    return {
        "code_insee": commune.code_insee,
        "name": commune.name,
        "department": commune.department_id,
        "department_name": commune.department.name,
        "region": commune.region_id,
        "epci": commune.epci_id,
        "population": commune.population,
        "postal_codes": [p.code for p in commune.postal_codes.all()],
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }


class CommuneQuery(Schema):
    # The minimum length is checked below (a 400 naming `q`); `limit` is brought within 1..50.
    q: str = Field(
        description="nom, code INSEE ou code postal (2 caractères au moins)",
        json_schema_extra={"minLength": 2},
    )
    limit: int = Field(
        10,
        description="nombre de communes, ramené entre 1 et 50",
        json_schema_extra={"minimum": 1, "maximum": 50},
    )


@router.get("", response={200: list[CommuneOut], **error_responses(400, 422)}, summary="Chercher une commune")
def list_communes(request, query: Query[CommuneQuery]):
    """Communes par nom (sans tenir compte des majuscules, accents et traits d'union), code INSEE ou code
    postal ; la meilleure d'abord, les homonymes par population décroissante."""
    q, limit = query.q, query.limit
    if len(q.strip()) < 2:
        raise DomainError(_("la recherche demande au moins 2 caractères."), field="q")
    limit = max(1, min(limit, 50))
    communes = Commune.objects.search(q).select_related("department").prefetch_related("postal_codes")[:limit]
    return [commune_out(c) for c in communes]
