"""How the operations write: in one transaction serialised on the resource's row, with an audit snapshot
of each booking, and its status moved by `Booking.workflow` (`transition`: logged, audited).

PostgreSQL queues the writers on the resource row lock (`select_for_update`); SQLite takes its write lock
at BEGIN (transaction_mode IMMEDIATE, see settings) and `serialised` retries what escapes its busy timeout.
"""

import random
import time

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from relais.core import workflow
from relais.core.errors import Conflict

from ..enums import BookingStatus
from ..models import Booking, Resource
from .access import acting_user
from .pricing import member_rate_applies, priced


def locked_resource(resource):
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("place__commune", "required_qualification")
        .get(pk=resource.pk)
    )


def serialised(operation):
    """Run `operation` in a write transaction; on SQLite, try again while the database stays locked.

    PostgreSQL queues the writers on the resource row lock. SQLite takes its write lock at BEGIN
    (transaction_mode IMMEDIATE) and waits up to its busy timeout; what escapes it (shared-cache in-memory
    databases answer « locked » at once) is retried, with jitter, for as long as that timeout. Nothing is
    written before the commit, so running the operation again is safe.
    """
    deadline = None
    while True:
        try:
            with transaction.atomic():
                return operation()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or connection.in_atomic_block:
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
            if now > deadline:
                raise Conflict(
                    _(
                        "le service est très sollicité : la réservation n'a pas pu être enregistrée, "
                        "réessayez dans un instant."
                    ),
                    code="busy",
                ) from exc
            time.sleep(random.uniform(0.002, 0.02))


def snapshot(booking):
    return {
        "resource": str(booking.resource),
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "quantity": booking.quantity,
        "status": booking.status,
        "person": booking.person_id,
        "person_name": booking.person_name,
        "person_contact": booking.person_contact,
        "price_cents": booking.price_cents,
    }


def check_state(booking, name):
    """Refuse, in the booking's words, a transition of `Booking.workflow` that its state does not allow."""
    move = Booking.workflow[name]
    if not move.allows_from(booking.status):
        raise Conflict(
            # Translators: %(from)s and %(to)s are booking states, e.g. « Confirmée », « Annulée »
            _("une réservation « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": BookingStatus(booking.status).label, "to": BookingStatus(move.target).label},
            field="status",
            code="status",
        )


def transition(booking, name, actor, *, reason="", at=None, **fields):
    """Apply transition `name` of `Booking.workflow` (state and guard checked, logged, audited once, by
    `workflow.apply`); returns the saved booking."""
    check_state(booking, name)
    return workflow.apply(booking, name, actor, reason=reason, at=at, **fields)


def log_creation(booking, actor):
    workflow.log_transition(booking, "book", "", booking.status, actor)


def new_booking(locked, req, actor, who, *, membership, tz, notes="", series=None):
    """An unsaved booking of `req` on the locked resource, priced (member rate when the membership covers
    its day); `who` is (person, person_name, person_contact)."""
    person, person_name, person_contact = who
    is_member = member_rate_applies(membership, req.start, tz)
    price_cents, price_audience = priced(locked, req.start, req.end, is_member=is_member)
    return Booking(
        resource=locked,
        place_id=locked.place_id,
        person=person,
        person_name=person_name,
        person_contact=person_contact,
        booked_by=acting_user(actor),
        start=req.start,
        end=req.end,
        quantity=req.quantity,
        series=series,
        price_cents=price_cents,
        price_audience=price_audience,
        member_rate=is_member,
        notes=notes[:500],
    )
