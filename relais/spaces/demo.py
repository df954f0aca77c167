"""Demonstration resources, prices and members for the demo places (what `make run` shows on the booking
pages)."""

import datetime

from relais.members.models import Member

from .models import PriceRule, Qualification, Resource

DEMO_RESOURCES = [
    # (kind, name, capacity, extra fields)
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
        "Salle de réunion Le Puy",
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
    ("Salle de réunion Le Puy", "non_member", "hour", 2000),
    ("Salle de réunion Le Puy", "member", "hour", 1000),
    ("Salle de réunion Le Puy", "non_member", "half_day", 6000),
    ("Découpe laser", "member", "hour", 500),
    ("Ordinateurs portables (lot de 4)", "member", "free", 0),
    ("Permanence France Services", "all", "free", 0),
]


def load_demo_resources(places):
    """The same five resources in each place (idempotent: by place and name)."""
    created = 0
    for place in places:
        qualification, _ = Qualification.objects.get_or_create(
            place=place, name="Formation découpe laser", defaults={"description": "Une séance de 2 heures."}
        )
        for kind, name, capacity, extra in DEMO_RESOURCES:
            fields = {"kind": kind, "capacity": capacity, "max_horizon_days": 120, **extra}
            if kind == "machine":
                fields["required_qualification"] = qualification
            resource, was_created = Resource.objects.get_or_create(place=place, name=name, defaults=fields)
            created += was_created
            if was_created:
                for price_name, audience, unit, cents in DEMO_PRICES:
                    if price_name == name:
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
