import datetime
import uuid

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from relais.accounts.api_auth import TokenAuth
from relais.core.api_errors import ErrorOut, error_responses
from relais.core.errors import DomainError, NotFound
from relais.privacy.audit import Actor
from relais.territory import timezones

from . import proposals, search, services, tenancy
from .hours import STATE_NOT_STATED, STATE_OPEN, state_at
from .index import Entry
from .models import PlaceProposal

router = Router(tags=["lieux"])
PAGE_SIZE = 20


class PlaceFilters(Schema):
    q: str = Field("", description="texte cherché dans le nom, la commune et le réseau")
    lat: float | None = Field(None, description="latitude du point de recherche (WGS84)")
    lon: float | None = Field(None, description="longitude du point de recherche (WGS84)")
    radius_km: float | None = Field(None, description="rayon autour du point, 10 km par défaut, 200 au plus")
    typology: str = ""
    service: str = ""
    label: str = ""
    public: str = ""
    department: str = Field("", description="code du département")
    region: str = Field("", description="code de la région")
    commune: str = Field("", description="code INSEE de la commune")
    open_now: bool = False
    accessible: bool = Field(False, description="accessible en fauteuil roulant")
    include_closed: bool = False
    page: int = Field(1, ge=1, description="numéro de la page, à partir de 1")
    page_size: int = Field(
        PAGE_SIZE,
        ge=1,
        le=search.MAX_PAGE_SIZE,
        description=f"nombre de lieux par page, de 1 à {search.MAX_PAGE_SIZE} ({PAGE_SIZE} par défaut)",
    )
    limit: int | None = Field(
        None,
        ge=1,
        le=search.MAX_PAGE_SIZE,
        description=f"autre nom de `page_size` (de 1 à {search.MAX_PAGE_SIZE}) ; n'en donnez qu'un des deux",
    )


class CommuneRef(Schema):
    code_insee: str
    name: str
    department: str


class PlaceOut(Schema):
    id: uuid.UUID
    name: str
    status: str
    latitude: float | None
    longitude: float | None
    location_approximate: bool
    commune: CommuneRef
    postal_code: str
    address: str
    typologies: list[str]
    services: list[str]
    labels: list[str]
    opening_hours: str
    open_now: bool | None = Field(
        description="ouvert en ce moment ; null si on ne sait pas (pas d'horaires, horaires illisibles, "
        "ou jour férié dont les horaires ne parlent pas : voir open_now_state)"
    )
    open_now_state: str | None = Field(
        None,
        description="« open » (ouvert), « closed » (fermé), « not_stated » (jour férié : horaires des jours "
        "fériés non précisés) ou null (horaires absents ou illisibles)",
    )
    wheelchair: str
    distance_km: float | None = None


class PlaceDetail(PlaceOut):
    warnings: list[str] = Field([], description="points à vérifier relevés lors d'une écriture")
    publics: list[str]
    other_labels: str
    specific_support: list[str]
    fees: list[str]
    access_modes: list[str]
    accompaniment_modes: list[str]
    itinerancy: list[str]
    access_conditions: str
    summary: str
    description: str
    opening_hours_notes: str
    address_complement: str
    accessibility_notes: str
    accessibility_url: str
    phone: str
    emails: list[str]
    websites: list[str]
    booking_url: str
    legal_form: str
    siret: str
    rna: str
    parent_organisation: str
    source: str
    source_id: str
    source_url: str
    data_updated_on: datetime.date
    is_demo: bool
    updated_at: datetime.datetime


class PlacePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PlaceOut]


class PlaceIn(Schema):
    """Données d'un lieu ; en modification (PATCH), seuls les champs fournis changent."""

    name: str | None = None
    status: str | None = None
    typologies: list[str] | None = None
    services: list[str] | None = None
    publics: list[str] | None = None
    labels: list[str] | None = None
    other_labels: str | None = None
    specific_support: list[str] | None = None
    fees: list[str] | None = None
    access_modes: list[str] | None = None
    accompaniment_modes: list[str] | None = None
    itinerancy: list[str] | None = None
    access_conditions: str | None = None
    summary: str | None = None
    description: str | None = None
    opening_hours: str | None = None
    opening_hours_notes: str | None = None
    address: str | None = None
    address_complement: str | None = None
    postal_code: str | None = None
    code_insee: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    wheelchair: str | None = None
    accessibility_notes: str | None = None
    accessibility_url: str | None = None
    phone: str | None = None
    emails: list[str] | None = None
    websites: list[str] | None = None
    booking_url: str | None = None
    legal_form: str | None = None
    siret: str | None = None
    rna: str | None = None
    parent_organisation: str | None = None
    data_updated_on: datetime.date | None = None


def place_out(place, distance_km=None, at=None, detail=False):
    data = entry_out(Entry.from_place(place), distance_km, at)
    if detail:
        data.update(services_snapshot(place))
    return data


def entry_out(entry, distance_km, at):
    """What a list shows of a place (an entry of the in-memory index, or of a place object)."""
    state = state_at(entry.opening_hours, entry.department, at)
    return {
        "id": entry.id,
        "name": entry.name,
        "status": entry.status,
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "location_approximate": entry.location_approximate,
        "commune": {
            "code_insee": entry.commune_code,
            "name": entry.commune_name,
            "department": entry.department,
        },
        "postal_code": entry.postal_code,
        "address": entry.address,
        "typologies": list(entry.typologies),
        "services": list(entry.services),
        "labels": list(entry.labels),
        "opening_hours": entry.opening_hours,
        "open_now": None if state in (None, STATE_NOT_STATED) else state == STATE_OPEN,
        "open_now_state": state,
        "wheelchair": entry.wheelchair,
        "distance_km": distance_km,
    }


def services_snapshot(place):
    data = services.snapshot(place)
    data.pop("code_insee")
    data["updated_at"] = place.updated_at
    return data


def _page_size(filters, page_size, limit):
    """`limit` is another name of `page_size`: either one, or both with the same value."""
    if limit is None:
        return page_size
    if "page_size" in filters.model_fields_set and page_size != limit:
        raise DomainError(
            _("limit est un autre nom de page_size : donnez l'un ou l'autre, pas deux valeurs différentes."),
            field="limit",
        )
    return limit


@router.get("", response={200: PlacePage, **error_responses(400, 422)}, summary="Chercher des lieux")
def list_places(request, filters: Query[PlaceFilters]):
    """Lieux filtrés ; avec `lat` et `lon`, ceux à moins de `radius_km` triés par distance."""
    params = filters.dict()
    page, page_size = params.pop("page"), _page_size(filters, params.pop("page_size"), params.pop("limit"))
    query = search.PlaceQuery(**params)
    result = search.search_places(query)
    at = timezones.now_paris()
    results = [entry_out(e, result.distances.get(e.id), at) for e in result.page_entries(page, page_size)]
    return {"count": result.count, "page": page, "page_size": page_size, "results": results}


class NearestFilters(Schema):
    lat: float = Field(..., description="latitude du point (WGS84)")
    lon: float = Field(..., description="longitude du point (WGS84)")
    k: int = Field(10, description="nombre de lieux voulus (1 à 100)")
    typology: str = ""
    service: str = ""
    label: str = ""
    public: str = ""
    open_now: bool = False
    accessible: bool = False


@router.get("/nearest", response={200: list[PlaceOut], 400: ErrorOut}, summary="Les lieux les plus proches")
def nearest_places(request, filters: Query[NearestFilters]):
    """Les `k` lieux les plus proches du point (filtres facultatifs), du plus proche au plus lointain,
    jusqu'à 200 km."""
    params = filters.dict()
    lat, lon, k = params.pop("lat"), params.pop("lon"), params.pop("k")
    result = search.nearest_places(lat, lon, k, search.PlaceQuery(**params))
    at = timezones.now_paris()
    return [entry_out(e, result.distances.get(e.id), at) for e in result.page_entries(1, k)]


def _managed_place(request, place_id):
    place = tenancy.editable_places(request.user).filter(pk=place_id).first()
    if place is None:
        # Same answer whether the place does not exist or is not the caller's: no information leak.
        raise NotFound(_("lieu introuvable, ou que vous ne gérez pas."))
    return place


class ProposalOut(Schema):
    id: uuid.UUID
    kind: str
    status: str
    name: str
    place_id: uuid.UUID | None = None
    message: str = ""
    created_at: datetime.datetime
    detail: str = ""


class ClaimIn(Schema):
    message: str = Field(
        "", max_length=2000, description="qui vous êtes pour ce lieu (2 000 caractères au plus)"
    )


class ReviewIn(Schema):
    reason: str = Field("", max_length=300, description="motif, pour un refus (300 caractères au plus)")


def proposal_out(proposal, detail=""):
    return {
        "id": proposal.pk,
        "kind": proposal.kind,
        "status": proposal.status,
        "name": proposal.name,
        "place_id": proposal.place_id,
        "message": proposal.message,
        "created_at": proposal.created_at,
        "detail": detail,
    }


WRITE = TokenAuth("places:write")


@router.post(
    "",
    response={201: PlaceDetail, 202: ProposalOut, **error_responses(400, 401, 403, 422)},
    auth=WRITE,
    summary="Créer ou proposer un lieu",
)
def create_place(request, payload: PlaceIn):
    """Un administrateur du réseau crée le lieu (201). Toute autre personne le **propose** (202) : la fiche
    est vérifiée tout de suite, mais le lieu n'est publié, et son auteur n'en devient gérant, que lorsqu'un
    administrateur du réseau accepte la proposition."""
    data = payload.dict(exclude_unset=True)
    actor = Actor.from_request(request, channel="api")
    if not tenancy.is_network_admin(request.user):
        proposal = proposals.propose_place(data, actor)
        detail = _("Proposition enregistrée : un administrateur du réseau va l'examiner avant publication.")
        return Status(202, proposal_out(proposal, detail))
    place = services.create_place(data, actor)
    return Status(201, place_out(services.get_place(place.pk), detail=True) | {"warnings": place.warnings})


@router.get(
    "/proposals",
    response={200: list[ProposalOut], **error_responses(401, 403)},
    auth=WRITE,
    summary="Propositions de lieux",
)
def list_proposals(request):
    """Les propositions en attente (administrateurs du réseau), ou les siennes (toute autre personne)."""
    if tenancy.is_network_admin(request.user):
        return [proposal_out(p) for p in proposals.pending()]
    mine = PlaceProposal.objects.filter(proposed_by=request.user).select_related("place")
    return [proposal_out(p) for p in mine]


# After /proposals: the first route whose path matches answers.
@router.get("/{place_id}", response={200: PlaceDetail, 404: ErrorOut}, summary="Un lieu")
def get_place(request, place_id: uuid.UUID):
    return place_out(services.get_place(place_id), detail=True)


@router.post(
    "/proposals/{proposal_id}/accept",
    response={200: ProposalOut, **error_responses(401, 403, 404, 409, 422)},
    auth=WRITE,
    summary="Accepter une proposition",
)
def accept_proposal(request, proposal_id: uuid.UUID):
    """Administrateurs du réseau : crée le lieu proposé (son auteur en devient gérant), ou fait gérant du lieu
    la personne qui l'a demandé."""
    proposal = proposals.reviewable_or_404(request.user, proposal_id)
    return proposal_out(proposals.accept(proposal, Actor.from_request(request, channel="api")))


@router.post(
    "/proposals/{proposal_id}/reject",
    response={200: ProposalOut, **error_responses(401, 403, 404, 409, 422)},
    auth=WRITE,
    summary="Refuser une proposition",
)
def reject_proposal(request, proposal_id: uuid.UUID, payload: ReviewIn):
    proposal = proposals.reviewable_or_404(request.user, proposal_id)
    actor = Actor.from_request(request, channel="api")
    return proposal_out(proposals.reject(proposal, actor, reason=payload.reason))


@router.post(
    "/{place_id}/claim",
    response={202: ProposalOut, **error_responses(401, 403, 404, 409, 422)},
    auth=WRITE,
    summary="Demander à gérer un lieu",
)
def claim_place(request, place_id: uuid.UUID, payload: ClaimIn):
    """Vous faites vivre ce lieu : demandez à en gérer la fiche. Un administrateur du réseau examine la
    demande ; l'accepter vous en fait gérant."""
    place = services.get_place(place_id)
    proposal = proposals.claim_place(
        place, Actor.from_request(request, channel="api"), message=payload.message
    )
    detail = _("Demande enregistrée : un administrateur du réseau va l'examiner.")
    return Status(202, proposal_out(proposal, detail))


@router.patch(
    "/{place_id}",
    response={200: PlaceDetail, **error_responses(400, 401, 403, 404, 422)},
    auth=WRITE,
    summary="Modifier un lieu",
)
def update_place(request, place_id: uuid.UUID, payload: PlaceIn):
    place = _managed_place(request, place_id)
    data = payload.dict(exclude_unset=True)
    place = services.update_place(place, data, Actor.from_request(request, channel="api"))
    return place_out(services.get_place(place.pk), detail=True) | {"warnings": place.warnings}
