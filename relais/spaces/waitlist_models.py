"""The waiting lists of full slots and the calendar feeds' tokens: part of the spaces app's models
(`models.py` imports them; they refer to its models by name, so that the modules do not import each
other in a circle)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relais.core import workflow
from relais.core.models import PublicId
from relais.privacy.inventory import DataCategory, personal_data, personal_transitions

from . import guards
from .enums import WaitlistStatus
from .person_fields import PERSON_COPIES, PersonFields
from .processings import paths_to_person, person_of
from .querysets import WaitlistQuerySet


@personal_data(
    "waiting_list",
    personal=["person", "person_name", "person_contact"],
    actors=[],
    by_user=["person"],
    by_email=["person_contact"],
    subject=person_of(),
    categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.ACTIVITY],
    retention_date="start",
    copies=PERSON_COPIES,
)
class WaitlistEntry(PublicId, PersonFields):
    """Someone waits for a slot of a resource that is full; offered the slot when a booking is cancelled."""

    resource = models.ForeignKey(
        "spaces.Resource", on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("ressource")
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("lieu")
    )
    start = models.DateTimeField(_("début souhaité"))
    end = models.DateTimeField(_("fin souhaitée"))
    quantity = models.PositiveSmallIntegerField(_("nombre de places"), default=1)
    status = models.CharField(
        _("état"), max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(_("inscrite le"), auto_now_add=True)
    offered_at = models.DateTimeField(_("place proposée le"), null=True, blank=True)
    freed_by = models.ForeignKey(
        "spaces.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("libérée par l'annulation de"),
    )

    objects = WaitlistQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription en liste d'attente")
        verbose_name_plural = _("liste d'attente")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="waitlist_end_after_start")
        ]
        indexes = [models.Index(fields=["resource", "status", "start"], name="waitlist_resource_status")]

    def __str__(self):
        return f"{self.person_display} — {self.resource} — {self.start:%Y-%m-%d %H:%M} UTC"


# The life cycle of a waiting-list entry: a freed slot is offered to it (by the service, for nobody in
# particular); the person leaves it (or the team withdraws it).
WaitlistEntry.workflow = workflow.Workflow(
    workflow.Transition("offer", sources=[WaitlistStatus.WAITING], target=WaitlistStatus.OFFERED),
    workflow.Transition(
        "leave",
        sources=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
        target=WaitlistStatus.WITHDRAWN,
        guard=guards.may_leave_waitlist,
    ),
    log="spaces.WaitlistTransition",
)


@personal_transitions("waiting_list", **paths_to_person("entry__"), retention_date="entry__start")
class WaitlistTransition(workflow.TransitionLog):
    """One move of a waiting-list entry's status (its creation included: transition "join", from "")."""

    subject_field = "entry"
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'une inscription en liste d'attente")
        verbose_name_plural = _("changements d'état des inscriptions en liste d'attente")

    def __str__(self):
        return f"{self.entry_id} : {self.from_status or '∅'} → {self.to_status}"


@personal_data(
    "bookings",
    personal=["user", "last_used_at"],
    secret=["key_hash"],
    by_user=["user"],
    categories=[DataCategory.ACCOUNT],
)
class CalendarFeedToken(models.Model):
    """The secret of a person's calendar feed (`/espaces/calendrier/<secret>.ics`): only its SHA-256 is
    stored; issuing a new one revokes the previous one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
        verbose_name=_("personne"),
    )
    key_hash = models.CharField(_("empreinte"), max_length=64, unique=True)
    prefix = models.CharField(_("début du secret"), max_length=8)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresse d'abonnement au calendrier")
        verbose_name_plural = _("adresses d'abonnement au calendrier")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} — {self.prefix}…"
