"""Resources of a place (desks, rooms, machines, equipment, permanence slots), their closures and price
rules, the bookings made on them and the waiting list.

The place is the unit of tenancy: every record here belongs to one place (bookings and waiting-list
entries carry it directly so that scoped queries need no join). Times are stored in UTC; the rules
(hours, alignment, weekly series) are read in the place's local time (`Place.timezone`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relais.core import workflow
from relais.core.models import PublicId
from relais.places import tenancy
from relais.places.validators import clean_opening_hours
from relais.privacy.inventory import DataCategory, not_personal, personal_data, personal_transitions

from . import guards
from .enums import (
    ACTIVE_STATUSES,
    Audience,
    BookingPolicy,
    BookingStatus,
    PriceUnit,
    ResourceKind,
)
from .person_fields import PERSON_COPIES, PersonFields  # noqa: F401  (also used by the waiting list)
from .processings import account_of_member, paths_to_person, person_of
from .querysets import BookingQuerySet, ResourceQuerySet

# The rules a new resource starts from, by kind (the team adjusts them): how long, in which steps, how far
# ahead, the preparation time, the cancellation deadline, who books online.
KIND_DEFAULTS = {
    ResourceKind.DESK_POOL: {
        "capacity": 10,
        "granularity_minutes": 60,
        "min_duration_minutes": 60,
        "max_duration_minutes": 600,
        "max_horizon_days": 30,
        "cancellation_deadline_minutes": 120,
        "booking_policy": BookingPolicy.PUBLIC,
    },
    ResourceKind.DEDICATED_DESK: {
        "granularity_minutes": 60,
        "min_duration_minutes": 240,
        "max_duration_minutes": 720,
        "max_horizon_days": 90,
        "cancellation_deadline_minutes": 1440,
        "booking_policy": BookingPolicy.MEMBERS,
    },
    ResourceKind.MEETING_ROOM: {
        "granularity_minutes": 30,
        "min_duration_minutes": 30,
        "max_duration_minutes": 480,
        "max_horizon_days": 90,
        "buffer_minutes": 15,
        "cancellation_deadline_minutes": 1440,
        "booking_policy": BookingPolicy.MEMBERS,
    },
    ResourceKind.MACHINE: {
        "granularity_minutes": 30,
        "min_duration_minutes": 30,
        "max_duration_minutes": 240,
        "max_horizon_days": 30,
        "buffer_minutes": 15,
        "cancellation_deadline_minutes": 240,
        "booking_policy": BookingPolicy.MEMBERS,
    },
    ResourceKind.EQUIPMENT: {
        "capacity": 4,
        "granularity_minutes": 60,
        "min_duration_minutes": 60,
        "max_duration_minutes": 7 * 1440,
        "max_horizon_days": 60,
        "cancellation_deadline_minutes": 1440,
        "booking_policy": BookingPolicy.MEMBERS,
    },
    ResourceKind.PERMANENCE: {
        "granularity_minutes": 30,
        "min_duration_minutes": 30,
        "max_duration_minutes": 60,
        "max_horizon_days": 60,
        "cancellation_deadline_minutes": 120,
        "booking_policy": BookingPolicy.STAFF,
    },
}

# Kinds whose capacity is a number of interchangeable units (seats of an open space, items of a stock);
# every other kind is booked whole, one booking at a time.
POOLED_KINDS = (ResourceKind.DESK_POOL, ResourceKind.EQUIPMENT)


def validate_equipment(value):
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_("équipements : une liste de libellés est attendue."))


@not_personal(name="the name of a qualification (« découpe laser »)")
class Qualification(PublicId):
    """An habilitation a place grants after a training (e.g. « découpe laser »)."""

    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("lieu")
    )
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("habilitation")
        verbose_name_plural = _("habilitations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="unique_qualification_name_per_place")
        ]

    def __str__(self):
        return self.name


@personal_data(
    "qualifications",
    personal=["user", "qualification", "granted_on"],
    actors=["granted_by"],
    by_user=["user", "granted_by"],
    subject=account_of_member("user", "qualification__place"),
    categories=[DataCategory.ROLES, DataCategory.TRACE],
)
class UserQualification(PublicId):
    """A person holds a qualification since a training on `granted_on`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("personne"),
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="holders", verbose_name=_("habilitation")
    )
    granted_on = models.DateField(_("formation suivie le"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accordée par"),
    )

    class Meta:
        verbose_name = _("habilitation d'une personne")
        verbose_name_plural = _("habilitations des personnes")
        constraints = [
            models.UniqueConstraint(fields=["user", "qualification"], name="unique_user_qualification")
        ]

    def __str__(self):
        return f"{self.user} — {self.qualification} ({self.granted_on:%d/%m/%Y})"


@not_personal(name="the name of a resource (« salle Jaune »)")
class Resource(PublicId):
    """Something of a place that people book: with its own hours and booking rules."""

    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="resources", verbose_name=_("lieu")
    )
    kind = models.CharField(_("type"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("réservable"), default=True)
    booking_policy = models.CharField(
        _("qui réserve en ligne"),
        max_length=10,
        choices=BookingPolicy.choices,
        default=BookingPolicy.MEMBERS,
        help_text=_("L'équipe du lieu peut toujours réserver pour quelqu'un."),
    )

    capacity = models.PositiveSmallIntegerField(
        _("capacité"),
        default=1,
        help_text=_(
            "Réservations simultanées possibles : postes d'un open space, exemplaires d'un matériel. "
            "Les autres ressources se réservent en entier (1)."
        ),
    )
    people_capacity = models.PositiveSmallIntegerField(
        _("nombre de personnes"), null=True, blank=True, help_text=_("Pour une salle de réunion.")
    )
    equipment = models.JSONField(_("équipements"), default=list, blank=True, validators=[validate_equipment])
    required_qualification = models.ForeignKey(
        Qualification,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("habilitation requise"),
    )

    bookable_hours = models.CharField(
        _("horaires de réservation"),
        max_length=1000,
        blank=True,
        validators=[clean_opening_hours],
        help_text=_(
            "Syntaxe OpenStreetMap ; vide : les horaires du lieu. Toujours limités aux horaires d'ouverture "
            "du lieu."
        ),
    )
    min_duration_minutes = models.PositiveIntegerField(_("durée minimale (minutes)"), default=30)
    max_duration_minutes = models.PositiveIntegerField(_("durée maximale (minutes)"), default=480)
    granularity_minutes = models.PositiveIntegerField(
        _("pas (minutes)"),
        default=30,
        help_text=_("Les réservations commencent et finissent sur ce pas, compté depuis minuit."),
    )
    min_notice_minutes = models.PositiveIntegerField(_("délai minimal de réservation (minutes)"), default=0)
    max_horizon_days = models.PositiveIntegerField(_("réservable jusqu'à (jours à l'avance)"), default=90)
    buffer_minutes = models.PositiveIntegerField(
        _("temps de préparation entre deux réservations (minutes)"), default=0
    )
    cancellation_deadline_minutes = models.PositiveIntegerField(
        _("annulation possible jusqu'à (minutes avant le début)"), default=0
    )

    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["place", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="resource_capacity_positive"),
            models.CheckConstraint(
                condition=Q(granularity_minutes__gte=1), name="resource_granularity_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def hours_expression(self):
        return self.bookable_hours or self.place.opening_hours

    def clean(self):
        errors = {}
        if self.kind and self.kind not in POOLED_KINDS and self.capacity != 1:
            label = ResourceKind(self.kind).label
            errors["capacity"] = [f"une ressource de type « {label} » se réserve en entier : capacité 1."]
        g = self.granularity_minutes or 0
        if g <= 0 or 1440 % g:
            errors["granularity_minutes"] = [
                f"le pas ({g} min) doit diviser une journée (5, 10, 15, 30, 60, 120… minutes)."
            ]
        if self.min_duration_minutes > self.max_duration_minutes:
            errors["min_duration_minutes"] = ["la durée minimale dépasse la durée maximale."]
        elif g > 0 and (self.min_duration_minutes % g or self.max_duration_minutes % g):
            errors["min_duration_minutes"] = [
                f"les durées minimale et maximale doivent être des multiples du pas ({g} min)."
            ]
        if self.kind == ResourceKind.MACHINE and self.required_qualification_id is None:
            errors["required_qualification"] = ["une machine du fablab demande une habilitation."]
        if (
            self.required_qualification_id
            and self.place_id
            and self.required_qualification.place_id != self.place_id
        ):
            errors["required_qualification"] = ["cette habilitation est celle d'un autre lieu."]
        if errors:
            raise ValidationError(errors)


class PriceRule(PublicId):
    """A price of a resource, in cents (tax included), for an audience and a unit of time."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="price_rules", verbose_name=_("ressource")
    )
    audience = models.CharField(_("public"), max_length=12, choices=Audience.choices, default=Audience.ALL)
    unit = models.CharField(_("unité"), max_length=10, choices=PriceUnit.choices)
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"), default=0)

    class Meta:
        verbose_name = _("tarif")
        verbose_name_plural = _("tarifs")
        constraints = [
            models.UniqueConstraint(fields=["resource", "audience", "unit"], name="unique_price_rule")
        ]

    def __str__(self):
        return f"{self.get_unit_display()} ({self.get_audience_display()}) : {self.amount_cents / 100:.2f} €"


class Closure(PublicId):
    """A resource (or, without one, the whole place) cannot be booked from `start` to `end`."""

    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="closures", verbose_name=_("lieu")
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("ressource"),
        help_text=_("Vide : tout le lieu est fermé."),
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    reason = models.CharField(_("motif"), max_length=300, blank=True)

    objects = tenancy.PlaceOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="closure_end_after_start")
        ]
        indexes = [models.Index(fields=["place", "start"], name="closure_place_start")]

    def __str__(self):
        what = self.resource or self.place
        tz = self.place.timezone
        start, end = self.start.astimezone(tz), self.end.astimezone(tz)
        return f"{what} fermé du {start:%d/%m/%Y %H:%M} au {end:%d/%m/%Y %H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": ["la fin doit suivre le début."]})
        if self.resource_id and self.place_id and self.resource.place_id != self.place_id:
            raise ValidationError({"resource": ["cette ressource est celle d'un autre lieu."]})


# The identity a booking, a series or a waiting-list entry copies from the person (for a rectification).
@personal_data(
    "bookings",
    personal=["person", "person_name", "person_contact"],
    actors=["booked_by"],
    by_user=["person", "booked_by"],
    by_email=["person_contact"],
    subject=person_of(),
    categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.ACTIVITY, DataCategory.TRACE],
    retention_date="until",
    copies=PERSON_COPIES,
)
class BookingSeries(PublicId, PersonFields):
    """A weekly recurring booking: one `Booking` per occurrence, all created together."""

    resource = models.ForeignKey(
        Resource, on_delete=models.RESTRICT, related_name="series", verbose_name=_("ressource")
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("lieu")
    )
    first_start = models.DateTimeField(_("début de la première occurrence"))
    first_end = models.DateTimeField(_("fin de la première occurrence"))
    interval_weeks = models.PositiveSmallIntegerField(_("toutes les (semaines)"), default=1)
    until = models.DateField(_("jusqu'au"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réservée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("série de réservations")
        verbose_name_plural = _("séries de réservations")

    def __str__(self):
        return f"{self.resource} — chaque semaine jusqu'au {self.until:%d/%m/%Y}"


@personal_data(
    "bookings",
    personal=["person", "person_name", "person_contact", "checked_in_at", "cancelled_at"],
    sensitive=["notes"],
    actors=["booked_by"],
    by_user=["person", "booked_by"],
    by_email=["person_contact"],
    subject=person_of(),
    categories=[
        DataCategory.IDENTITY,
        DataCategory.CONTACT,
        DataCategory.ACTIVITY,
        DataCategory.FREE_TEXT,
        DataCategory.TRACE,
    ],
    retention_date="end",
    copies=PERSON_COPIES,
)
class Booking(PublicId, PersonFields):
    resource = models.ForeignKey(
        Resource, on_delete=models.RESTRICT, related_name="bookings", verbose_name=_("ressource")
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="bookings", verbose_name=_("lieu")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réservée par"),
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    quantity = models.PositiveSmallIntegerField(_("nombre de places"), default=1)
    status = models.CharField(
        _("état"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("série"),
    )
    price_cents = models.PositiveIntegerField(_("prix (centimes)"), null=True, blank=True)
    member_rate = models.BooleanField(_("tarif adhérent"), default=False)
    # The audience of the price rules that priced it, at booking time ("" : no price, or booked before).
    price_audience = models.CharField(
        _("tarif appliqué"), max_length=12, choices=Audience.choices, blank=True
    )
    notes = models.CharField(_("remarques"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("présence pointée le"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="booking_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["resource", "start"], name="booking_resource_start"),
            models.Index(fields=["place", "start"], name="booking_place_start"),
        ]

    def __str__(self):
        return f"{self.resource} — {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def price_label(self):
        """Which price rule priced it: « gratuit », « tarif adhérent » or « tarif public » ("" unknown)."""
        if self.price_cents == 0:
            return _("gratuit")
        if self.price_audience == Audience.MEMBER:
            return _("tarif adhérent")
        if self.price_audience in (Audience.ALL, Audience.NON_MEMBER):
            return _("tarif public")
        return ""


# The life cycle of a booking: each move is a named transition, logged in `BookingTransition` and audited.
# A booking is moved or resized only from the states it can be cancelled from (`services.change`).
Booking.workflow = workflow.Workflow(
    workflow.Transition(
        "cancel", sources=[BookingStatus.CONFIRMED], target=BookingStatus.CANCELLED, guard=guards.may_cancel
    ),
    workflow.Transition(
        "check_in",
        sources=[BookingStatus.CONFIRMED, BookingStatus.NO_SHOW],  # a late arrival after an absence
        target=BookingStatus.CHECKED_IN,
        guard=guards.may_check_in,
    ),
    workflow.Transition(
        "no_show",
        sources=[BookingStatus.CONFIRMED],
        target=BookingStatus.NO_SHOW,
        guard=guards.may_mark_no_show,
    ),
    # A mistaken check-in, undone by the team (with a reason, in the log).
    workflow.Transition(
        "undo_check_in",
        sources=[BookingStatus.CHECKED_IN],
        target=BookingStatus.CONFIRMED,
        guard=guards.may_undo_check_in,
    ),
    log="spaces.BookingTransition",
)


@personal_transitions("bookings", **paths_to_person("booking__"), retention_date="booking__end")
class BookingTransition(workflow.TransitionLog):
    """One move of a booking's status (its creation included: transition "book", from "")."""

    subject_field = "booking"
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'une réservation")
        verbose_name_plural = _("changements d'état des réservations")

    def __str__(self):
        return f"{self.booking_id} : {self.from_status or '∅'} → {self.to_status}"


# The app's other models, in their own module (defined there against the classes above).
from .waitlist_models import CalendarFeedToken, WaitlistEntry, WaitlistTransition  # noqa: E402, F401
