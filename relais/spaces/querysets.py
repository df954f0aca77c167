"""The query sets of the spaces models: scoped to a place (`tenancy.PlaceOwnedQuerySet`), with the
filters the services and the pages share."""

from django.db.models import Q

from relais.places import tenancy

from .enums import ACTIVE_STATUSES


class ResourceQuerySet(tenancy.PlaceOwnedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class BookingQuerySet(tenancy.PlaceOwnedQuerySet):
    """`for_person_or_team(user)`: the user's own bookings (for them or made by them) and those of the
    places whose team they belong to (network-level roles do not see people's bookings)."""

    person_paths = ("person", "booked_by")

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def of_person(self, user):
        """The user's own bookings only: for them or made by them."""
        return self.filter(Q(person=user) | Q(booked_by=user))


class WaitlistQuerySet(tenancy.PlaceOwnedQuerySet):
    person_paths = ("person",)
