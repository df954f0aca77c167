"""The waiting list: people wait for a full slot; a slot freed by a cancellation or a move is offered to
the first of them whose wish now fits."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core import workflow
from relais.core.errors import Conflict, DomainError
from relais.privacy.audit import SYSTEM, AuditAction, record

from .. import notifications, schedule
from ..enums import WaitlistStatus
from ..models import WaitlistEntry
from .access import resolve_person
from .bounds import check_moments
from .hours import aware
from .rules import check_policy, occupancy_of


def join_waitlist(
    actor, resource, start, end, *, person=None, person_name="", person_contact="", member=None, quantity=1
):
    """Wait for a slot of `resource` (normally a full one)."""
    check_moments(timezone.now(), start=start, end=end)
    place = resource.place
    tz = place.timezone
    person, person_name, person_contact, staff, membership = resolve_person(
        actor, place, person, person_name, person_contact, member
    )
    start, end = aware(start, tz), aware(end, tz)
    check_policy(resource, start, tz, staff=staff, membership=membership)
    if end <= start:
        raise DomainError(_("la fin doit suivre le début."), field="end", code="order")
    if not 1 <= quantity <= resource.capacity:
        raise Conflict(
            ngettext(
                "« %(resource)s » n'offre que %(capacity)s place.",
                "« %(resource)s » n'offre que %(capacity)s places.",
                resource.capacity,
            )
            % {"resource": resource, "capacity": resource.capacity},
            field="quantity",
            code="capacity",
        )
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            resource=resource,
            place=place,
            person=person,
            person_name=person_name,
            person_contact=person_contact,
            start=start,
            end=end,
            quantity=quantity,
        )
        workflow.log_transition(entry, "join", "", entry.status, actor)
        record(actor, AuditAction.CREATE, entry, place=place)
    return entry


def offer_freed_slot(freed, *, now=None):
    """Offer the slot freed by `freed` (a cancelled or moved booking) to the first person waiting whose wish
    now fits; records the offer, e-mails it once committed and returns the entry (None if nobody fits)."""
    now = now or timezone.now()
    resource = freed.resource
    candidates = WaitlistEntry.objects.filter(
        resource=resource,
        status=WaitlistStatus.WAITING,
        start__lt=freed.end,
        end__gt=freed.start,
        start__gt=now,
    ).order_by("created_at", "id")
    for entry in candidates:
        occupancy = occupancy_of(resource, entry.start, entry.end)
        lo = schedule.to_minutes(entry.start)
        hi = schedule.to_minutes(entry.end) + resource.buffer_minutes
        if (
            schedule.max_load(occupancy, resource.buffer_minutes, lo, hi) + entry.quantity
            <= resource.capacity
        ):
            # Logged and audited by the workflow, for the process that offers it.
            entry = workflow.apply(entry, "offer", SYSTEM, at=now, offered_at=now, freed_by_id=freed.pk)
            notifications.notify_after_commit("waitlist_offer", entry.pk)
            return entry
    return None


def leave_waitlist(actor, entry, *, now=None):
    """The person no longer waits (or the team withdraws the entry): logged and audited by the workflow."""
    return workflow.apply(entry, "leave", actor, at=now or timezone.now())
