"""Demonstration resources for the demo places (what `make run` shows on the booking pages)."""

from .models import Qualification, Resource

DEMO_RESOURCES = [
    # (kind, name, capacity, extra fields)
    (
        "desk_pool",
        "Open space (12 postes)",
        12,
        {"granularity_minutes": 60, "min_duration_minutes": 60, "max_duration_minutes": 600},
    ),
    ("meeting_room", "Salle de réunion « Le Puy »", 1, {"people_capacity": 10, "buffer_minutes": 15}),
    ("machine", "Découpe laser", 1, {"max_duration_minutes": 180}),
    (
        "equipment",
        "Ordinateurs portables (lot de 4)",
        4,
        {"granularity_minutes": 60, "min_duration_minutes": 60},
    ),
    ("permanence", "Permanence France Services", 1, {"max_duration_minutes": 60}),
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
            _, was_created = Resource.objects.get_or_create(place=place, name=name, defaults=fields)
            created += was_created
    return created
