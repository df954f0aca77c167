"""The bookings API: resources of a place, their availability, one's bookings (and the place's, for its
team), booking, changing and cancelling. Every endpoint needs a token (`Authorization: Bearer …`).

Tenancy: a booking is only ever seen by the person it is for, whoever booked it and the team of its place;
anything else answers 404, as if it did not exist. Refusals of the domain rules propagate to the API's
handlers (`relais.core.api_errors`): 400 (a rule), 403 (`Forbidden`: not allowed) or 409 (`Conflict`: the
slot is taken, or the booking's state forbids it), with the French message, the field and the code.
"""

import datetime
import uuid

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from relais.accounts.api_auth import TokenAuth
from relais.core.api_errors import error_responses
from relais.core.errors import NotFound
from relais.members.models import Member
from relais.places import tenancy
from relais.places.models import Place
from relais.privacy.audit import Actor

from . import services
from .enums import BookingStatus, ResourceKind
from .models import Booking, Resource
from .services.bounds import check_day

# Reading needs spaces:read (or spaces:write); every write operation asks for spaces:write.
router = Router(tags=["espaces"], auth=TokenAuth("spaces:read"))
WRITE = TokenAuth("spaces:write")

MAX_AVAILABILITY_DAYS = 31
MAX_BOOKINGS = 500

# --- Schemas ----------------------------------------------------------------------------------------


class PriceOut(Schema):
    audience: str
    unit: str
    amount_cents: int


class ResourceOut(Schema):
    id: uuid.UUID
    place_id: uuid.UUID
    name: str
    kind: str
    kind_label: str
    description: str
    capacity: int
    people_capacity: int | None
    equipment: list[str]
    required_qualification: str | None
    booking_policy: str = Field(
        description="qui réserve en ligne : public, members (adhérents), staff (équipe)"
    )
    bookable_hours: str = Field(description="horaires de réservation (syntaxe OpenStreetMap)")
    min_duration_minutes: int
    max_duration_minutes: int
    granularity_minutes: int
    min_notice_minutes: int
    max_horizon_days: int
    cancellation_deadline_minutes: int
    prices: list[PriceOut]


class SlotOut(Schema):
    start: datetime.datetime
    end: datetime.datetime
    free: int


class AvailabilityOut(Schema):
    resource_id: uuid.UUID
    timezone: str
    capacity: int
    start: datetime.date
    days: int
    slots: list[SlotOut]


class AvailabilityQuery(Schema):
    start: datetime.date | None = Field(None, description="premier jour (AAAA-MM-JJ), aujourd'hui par défaut")
    days: int = Field(7, ge=1, le=MAX_AVAILABILITY_DAYS, description="nombre de jours")


class BookingOut(Schema):
    id: uuid.UUID
    resource_id: uuid.UUID
    resource: str
    place_id: uuid.UUID
    place: str
    start: datetime.datetime
    end: datetime.datetime
    quantity: int
    status: str
    status_label: str
    person_id: uuid.UUID | None
    person: str
    price_cents: int | None
    member_rate: bool
    price_audience: str = Field(
        description="public du tarif qui a fait le prix : member, non_member, all ; vide : inconnu"
    )
    price_label: str
    series_id: uuid.UUID | None
    created_at: datetime.datetime
    cancelled_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None


class BookingFilters(Schema):
    place: uuid.UUID | None = Field(None, description="les réservations de ce lieu (son équipe seulement)")
    start: datetime.date | None = Field(None, description="à partir de ce jour (AAAA-MM-JJ)")
    end: datetime.date | None = Field(None, description="jusqu'à ce jour inclus (AAAA-MM-JJ)")
    status: BookingStatus | None = None


class BookingIn(Schema):
    resource: uuid.UUID
    start: datetime.datetime = Field(description="ISO 8601 avec décalage ; sans décalage : heure du lieu")
    end: datetime.datetime
    quantity: int = Field(1, ge=1, le=1000)
    person: uuid.UUID | None = Field(
        None,
        description="équipe du lieu : réserver pour ce compte, une personne connue du lieu",
    )
    person_name: str = Field("", max_length=200, description="équipe du lieu : personne sans compte")
    person_contact: str = Field("", max_length=200)
    member: uuid.UUID | None = Field(None, description="équipe du lieu : réserver pour cet adhérent du lieu")
    notes: str = Field("", max_length=500)
    extra_seats: bool = Field(
        False,
        description="des places en plus de celles que la personne a déjà à ce moment-là (sinon : refus 409)",
    )


class BookingChangeIn(Schema):
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    quantity: int | None = Field(None, ge=1, le=1000)


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


# --- Helpers ----------------------------------------------------------------------------------------


def resource_out(resource):
    return {
        "id": resource.public_id,
        "place_id": resource.place_id,
        "name": resource.name,
        "kind": resource.kind,
        "kind_label": str(ResourceKind(resource.kind).label),
        "description": resource.description,
        "capacity": resource.capacity,
        "people_capacity": resource.people_capacity,
        "equipment": resource.equipment or [],
        "required_qualification": (
            resource.required_qualification.name if resource.required_qualification_id else None
        ),
        "booking_policy": resource.booking_policy,
        "bookable_hours": resource.hours_expression,
        "min_duration_minutes": resource.min_duration_minutes,
        "max_duration_minutes": resource.max_duration_minutes,
        "granularity_minutes": resource.granularity_minutes,
        "min_notice_minutes": resource.min_notice_minutes,
        "max_horizon_days": resource.max_horizon_days,
        "cancellation_deadline_minutes": resource.cancellation_deadline_minutes,
        "prices": [
            {"audience": p.audience, "unit": p.unit, "amount_cents": p.amount_cents}
            for p in resource.price_rules.all()
        ],
    }


def booking_out(booking):
    tz = booking.place.timezone
    return {
        "id": booking.public_id,
        "resource_id": booking.resource.public_id,
        "resource": booking.resource.name,
        "place_id": booking.place_id,
        "place": booking.place.name,
        "start": booking.start.astimezone(tz),
        "end": booking.end.astimezone(tz),
        "quantity": booking.quantity,
        "status": booking.status,
        "status_label": str(BookingStatus(booking.status).label),
        "person_id": booking.person.public_id if booking.person_id else None,
        "person": booking.person_display,
        "price_cents": booking.price_cents,
        "member_rate": booking.member_rate,
        "price_audience": booking.price_audience,
        "price_label": str(booking.price_label),
        "series_id": booking.series.public_id if booking.series_id else None,
        "created_at": booking.created_at,
        "cancelled_at": booking.cancelled_at,
        "checked_in_at": booking.checked_in_at,
    }


def _bookings():
    return Booking.objects.select_related("resource", "place__commune", "person", "series")


def _public_place(place_id):
    place = Place.objects.select_related("commune").filter(pk=place_id).first()
    if place is None:
        raise NotFound(_("lieu introuvable."), field="place_id")
    return place


def _bookable_resource(resource_id, *, field="resource"):
    resource = (
        Resource.objects.active()
        .select_related("place__commune", "required_qualification")
        .filter(public_id=resource_id)
        .first()
    )
    if resource is None:
        raise NotFound(_("ressource introuvable ou non réservable."), field=field)
    return resource


def _own_or_team_booking(request, booking_id):
    """The booking if the caller is its person, who booked it, or the team of its place; else 404."""
    try:
        return tenancy.get_for_team_or_404(_bookings(), request.user, person=True, public_id=booking_id)
    except Http404:
        raise NotFound(_("réservation introuvable."), field="booking") from None


# --- Endpoints --------------------------------------------------------------------------------------


@router.get(
    "/places/{place_id}/resources",
    response={200: list[ResourceOut], **error_responses(401, 403, 404)},
    summary="Les ressources réservables d'un lieu",
)
def list_resources(request, place_id: uuid.UUID):
    place = _public_place(place_id)
    resources = (
        Resource.objects.active()
        .filter(place=place)
        .select_related("place", "required_qualification")
        .prefetch_related("price_rules")
    )
    return [resource_out(r) for r in resources]


@router.get(
    "/resources/{resource_id}/availability",
    response={200: AvailabilityOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Places libres d'une ressource, créneau par créneau",
)
def resource_availability(request, resource_id: uuid.UUID, filters: Query[AvailabilityQuery]):
    """Chaque créneau (au pas de la ressource, à l'heure du lieu) avec le nombre de places libres ;
    0 hors horaires, fermeture, délai de prévenance ou horizon de réservation. Le premier jour est à dix
    ans d'aujourd'hui au plus."""
    resource = _bookable_resource(resource_id, field="resource_id")
    tz = resource.place.timezone
    today = timezone.localtime(timezone.now(), tz).date()
    if filters.start is not None:
        check_day(filters.start, "start", today=today)
    start = filters.start or today
    end = start + datetime.timedelta(days=filters.days - 1)
    result = services.availability(resource, start, end)
    return {
        "resource_id": resource.public_id,
        "timezone": str(tz),
        "capacity": resource.capacity,
        "start": start,
        "days": filters.days,
        "slots": [
            {"start": s.astimezone(tz), "end": e.astimezone(tz), "free": free}
            for s, e, free in result.slots()
        ],
    }


@router.get(
    "/bookings",
    response={200: list[BookingOut], **error_responses(400, 401, 403, 404, 422)},
    summary="Mes réservations, ou celles d'un lieu pour son équipe",
)
def list_bookings(request, filters: Query[BookingFilters]):
    """Sans `place` : les réservations de l'appelant (pour lui ou faites par lui). Avec `place` : toutes
    celles du lieu, pour son équipe seulement (sinon 404). Les dates sont à dix ans d'aujourd'hui au plus."""
    user = request.user
    for name in ("start", "end"):
        if getattr(filters, name) is not None:
            check_day(getattr(filters, name), name, today=timezone.localdate())
    qs = _bookings()
    if filters.place is not None:
        place = Place.objects.select_related("commune").filter(pk=filters.place).first()
        if place is None or not tenancy.works_for(user, place):
            raise NotFound(
                _("lieu introuvable, ou dont vous ne faites pas partie de l'équipe."), field="place"
            )
        qs = qs.filter(place=place)
        tz = place.timezone
    else:
        qs = qs.of_person(user)
        tz = timezone.get_current_timezone()
    if filters.start is not None:
        qs = qs.filter(end__gt=datetime.datetime.combine(filters.start, datetime.time(), tzinfo=tz))
    if filters.end is not None:
        day_after = filters.end + datetime.timedelta(days=1)
        qs = qs.filter(start__lt=datetime.datetime.combine(day_after, datetime.time(), tzinfo=tz))
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return [booking_out(b) for b in qs.order_by("start", "id")[:MAX_BOOKINGS]]


@router.post(
    "/bookings",
    response={201: BookingOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Réserver",
    auth=WRITE,
)
def create_booking(request, payload: BookingIn):
    """Réserve une ressource pour soi ; l'équipe du lieu peut réserver pour un compte (`person`) ou pour
    une personne sans compte (`person_name` et `person_contact`)."""
    resource = _bookable_resource(payload.resource)
    person = None
    if payload.person is not None:
        # Among the people known to the place only: an account of the instance unknown to the place gets
        # the same answer as an identifier that does not exist (ids cannot be walked).
        person = tenancy.known_people(resource.place).filter(public_id=payload.person).first()
        if person is None:
            raise NotFound(_("personne inconnue du lieu."), field="person")
    member = None
    if payload.member is not None:
        if tenancy.works_for(request.user, resource.place):
            member = Member.objects.filter(public_id=payload.member, place=resource.place).first()
        if member is None:
            raise NotFound(_("adhérent introuvable dans ce lieu."), field="member")
    booking = services.book(
        Actor.from_request(request, channel="api"),
        resource,
        payload.start,
        payload.end,
        person=person,
        person_name=payload.person_name,
        person_contact=payload.person_contact,
        member=member,
        quantity=payload.quantity,
        notes=payload.notes,
        extra_seats=payload.extra_seats,
    )
    return Status(201, booking_out(_bookings().get(pk=booking.pk)))


@router.patch(
    "/bookings/{booking_id}",
    response={200: BookingOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Déplacer ou modifier une réservation",
    auth=WRITE,
)
def change_booking(request, booking_id: uuid.UUID, payload: BookingChangeIn):
    booking = _own_or_team_booking(request, booking_id)
    booking = services.change(
        Actor.from_request(request, channel="api"),
        booking,
        start=payload.start,
        end=payload.end,
        quantity=payload.quantity,
    )
    return booking_out(_bookings().get(pk=booking.pk))


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Annuler une réservation",
    auth=WRITE,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": CancelIn.json_schema()}},
        }
    },
)
def cancel_booking(request, booking_id: uuid.UUID):
    """Annule une réservation confirmée ; corps facultatif : `{"reason": "…"}`."""
    reason = ""
    if request.content_type == "application/json" and request.body.strip():
        try:
            reason = CancelIn.model_validate_json(request.body).reason
        except ValueError:
            return Status(
                422,
                {"detail": _("reason : un texte de 300 caractères au plus est attendu, dans un objet JSON.")},
            )
    booking = _own_or_team_booking(request, booking_id)
    booking = services.cancel(Actor.from_request(request, channel="api"), booking, reason=reason)
    return booking_out(_bookings().get(pk=booking.pk))
