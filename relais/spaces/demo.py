"""Demonstration resources, prices and members for the demo places (what `make run` shows on the booking
pages)."""

import datetime

from django.db import transaction
from django.utils import timezone

from relais.core.errors import DomainError
from relais.members.models import Member
from relais.privacy.audit import Actor

from . import services
from .models import Booking, PriceRule, Qualification, Resource, UserQualification

# Each place's meeting room is named after the place's commune (« Salle de réunion — Basse-Terre »): the
# demo has places overseas and in the Massif central, and one name for all read as one room booked from afar.
MEETING_ROOM = "Salle de réunion — {commune}"
# Names of the demo loaded before, renamed when it is loaded again (rather than a second room added).
FORMER_NAMES = {"Salle de réunion Le Puy": MEETING_ROOM}

DEMO_RESOURCES = [
    # (kind, name (a template: {commune} is the place's), capacity, extra fields)
    (
        "desk_pool",
        "Open space (12 postes)",
        12,
        {
            "granularity_minutes": 60,
            "min_duration_minutes": 60,
            "max_duration_minutes": 600,
            "booking_policy": "public",
        },
    ),
    (
        "meeting_room",
        MEETING_ROOM,
        1,
        {"people_capacity": 10, "buffer_minutes": 15, "cancellation_deadline_minutes": 1440},
    ),
    ("machine", "Découpe laser", 1, {"max_duration_minutes": 180}),
    (
        "equipment",
        "Ordinateurs portables (lot de 4)",
        4,
        # Lent for up to a week: taken and brought back during opening hours.
        {"granularity_minutes": 60, "min_duration_minutes": 60, "max_duration_minutes": 7 * 24 * 60},
    ),
    ("permanence", "Permanence France Services", 1, {"max_duration_minutes": 60, "booking_policy": "staff"}),
]

# (resource name, audience, unit, cents)
DEMO_PRICES = [
    ("Open space (12 postes)", "all", "hour", 300),
    ("Open space (12 postes)", "all", "day", 1500),
    ("Open space (12 postes)", "member", "day", 800),
    (MEETING_ROOM, "non_member", "hour", 2000),
    (MEETING_ROOM, "member", "hour", 1000),
    (MEETING_ROOM, "non_member", "half_day", 6000),
    ("Découpe laser", "member", "hour", 500),
    ("Ordinateurs portables (lot de 4)", "member", "free", 0),
    ("Permanence France Services", "all", "free", 0),
]


def load_demo_resources(places):
    """The same five resources in each place, the meeting room named after the place's commune (idempotent:
    by place and name)."""
    created = 0
    for place in places:
        qualification, _ = Qualification.objects.get_or_create(
            place=place, name="Formation découpe laser", defaults={"description": "Une séance de 2 heures."}
        )
        commune = place.commune.name if place.commune_id else place.name
        for former, template in FORMER_NAMES.items():
            Resource.objects.filter(place=place, name=former).update(name=template.format(commune=commune))
        for kind, template, capacity, extra in DEMO_RESOURCES:
            fields = {"kind": kind, "capacity": capacity, "max_horizon_days": 120, **extra}
            if kind == "machine":
                fields["required_qualification"] = qualification
            name = template.format(commune=commune)
            resource, was_created = Resource.objects.get_or_create(place=place, name=name, defaults=fields)
            created += was_created
            if was_created:
                for price_name, audience, unit, cents in DEMO_PRICES:
                    if price_name == template:
                        PriceRule.objects.create(
                            resource=resource, audience=audience, unit=unit, amount_cents=cents
                        )
    return created


def load_demo_members(places, user):
    """`user` (the demo member account) and a person without an account are members of the demo places."""
    for place in places:
        Member.objects.get_or_create(
            place=place, user=user, defaults={"joined_on": datetime.date(2026, 1, 5)}
        )
        Member.objects.get_or_create(
            place=place,
            user=None,
            name="Josiane Vidal",
            defaults={"contact": "04 71 00 00 00", "joined_on": datetime.date(2026, 2, 2)},
        )


DEMO_NOTE = "[démo]"


def _free_slots(resource, *, after, days=21, quantity=1, length=None):
    """The free slots (start, end) of `resource` after `after`, `length` long (the minimum by default)."""
    length = datetime.timedelta(minutes=length or max(resource.min_duration_minutes, 60))
    tz = resource.place.timezone
    first = timezone.localtime(after, tz).date()
    grid = services.availability(resource, first, first + datetime.timedelta(days=days))
    starts = {s: f for s, _e, f in grid.slots()}
    step = datetime.timedelta(minutes=resource.granularity_minutes)
    for start, free in starts.items():
        if start <= after or free < quantity:
            continue
        # Every slot of the length must be free.
        moment, ok = start, True
        while moment < start + length:
            if starts.get(moment, 0) < quantity:
                ok = False
                break
            moment += step
        if ok:
            yield start, start + length


@transaction.atomic
def load_demo_bookings(places, member, manager):
    """Bookings to try the booking pages with (idempotent: none is added to a place that has demo ones):
    the demo member's upcoming bookings, one taken by phone for a person without an account, a weekly
    series, a booking of today that the team can check in, and a full slot with a waiting list."""
    created = 0
    as_member = Actor(user=member, channel="command", label="démonstration")
    as_team = Actor(user=manager, channel="command", label="démonstration")
    now = timezone.now()
    for place in places:
        if Booking.objects.filter(place=place, notes__startswith=DEMO_NOTE).exists():
            continue
        resources = {r.kind: r for r in Resource.objects.filter(place=place).select_related("place__commune")}
        tomorrow = now + datetime.timedelta(days=1)
        plans = [
            # (resource kind, actor, extra booking fields, earliest start)
            ("meeting_room", as_member, {}, tomorrow),
            ("desk_pool", as_member, {}, tomorrow + datetime.timedelta(days=1)),
            (
                "desk_pool",
                as_team,
                {"person_name": "Josiane Vidal (démo)", "person_contact": "04 71 00 00 00"},
                tomorrow,
            ),
            (
                "equipment",
                as_team,
                {"person_name": "Marc Durand (démo)", "person_contact": "06 00 00 00 00"},
                now,
            ),
        ]
        for kind, actor, extra, after in plans:
            resource = resources.get(kind)
            slot = next(_free_slots(resource, after=after), None) if resource else None
            if slot is None:
                continue
            try:
                services.book(actor, resource, *slot, notes=f"{DEMO_NOTE} réservation fictive", **extra)
            except DomainError:
                continue
            created += 1
        room = resources.get("meeting_room")
        slot = next(_free_slots(room, after=now + datetime.timedelta(days=3)), None) if room else None
        if slot is not None:
            try:
                result = services.book_series(
                    as_team,
                    room,
                    *slot,
                    (slot[0] + datetime.timedelta(weeks=6)).date(),
                    person_name="Association Les Tricoteuses (démo)",
                    person_contact="tricot@example.org",
                    skip_conflicts=True,
                    notes=f"{DEMO_NOTE} série fictive",
                )
                created += len(result.bookings)
            except DomainError:
                pass
        # The demo member holds the laser cutter's qualification (a training followed) and books it.
        laser = resources.get("machine")
        if laser is not None:
            UserQualification.objects.get_or_create(
                user=member,
                qualification=laser.required_qualification,
                defaults={"granted_on": datetime.date(2026, 1, 12), "granted_by": manager},
            )
            slot = next(_free_slots(laser, after=tomorrow), None)
            if slot is not None:
                try:
                    services.book(as_member, laser, *slot, notes=f"{DEMO_NOTE} découpe laser")
                    created += 1
                except DomainError:
                    pass
        # A full slot of the meeting room, and the demo member on its waiting list.
        slot = next(_free_slots(room, after=now + datetime.timedelta(days=2)), None) if room else None
        if slot is not None:
            try:
                services.book(
                    as_team,
                    room,
                    *slot,
                    person_name="Lucas Martin (démo)",
                    person_contact="07 00 00 00 00",
                    notes=f"{DEMO_NOTE} créneau complet",
                )
                created += 1
                services.join_waitlist(as_member, room, *slot)
            except DomainError:
                pass
    return created
