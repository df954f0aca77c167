"""Who works for which place, and what each role sees: the one home of tenancy.

A `Place` is the unit of isolation. Every private record (member, booking, invoice, beneficiary, request…)
belongs to a place; a query for a person goes through the place-owned QuerySet methods below
(`for_team(user)`, `for_person_or_team(user)`) and fetching one record by URL through `get_for_team_or_404`,
which answers 404 — never 403 — for a record of another place.

Roles in a place (`accounts.PlaceRole.Role`):
- manager: runs the place (configuration, its registry entry, its team's records);
- staff: the team's day-to-day work on people's records;
- volunteer: only what is assigned to them (a model names its `assignee_path`);
- partner: an operator who publishes appointment slots in the place, sees no one's file;
- dpo: the GDPR tools of the place, no operational records beyond what a request needs.
A network admin (`User.is_network_admin`) edits the registry and sees aggregates and public data, not
people's files. Each app declares what its team groups may do in the Django admin in its AppConfig
(`team_permissions`, collected by `accounts.access`).

The team of a place acts for the people *known to the place* only (`known_people`): its members, its team,
and whoever has a record there — each app names those records in its AppConfig (`place_people`, e.g.
`[("spaces.Booking", "person", "place")]`: model, field to the account, lookup to the place). It never looks
up the instance's accounts: an account that exists but is unknown to the place gets the same answer as one
that does not exist.
"""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.http import Http404

from relais.accounts.models import PlaceRole

Role = PlaceRole.Role
MANAGER, STAFF, VOLUNTEER, PARTNER, DPO = Role.MANAGER, Role.STAFF, Role.VOLUNTEER, Role.PARTNER, Role.DPO

# The team of a place: who handles its people's records.
TEAM = (MANAGER, STAFF)
# Roles that configure the place (its resources, prices, registry entry).
MANAGERS = (MANAGER,)
ALL_ROLES = (MANAGER, STAFF, VOLUNTEER, PARTNER, DPO)


def _place_model():
    return apps.get_model("places", "Place")


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False)


def _as_roles(roles):
    return (roles,) if isinstance(roles, str) else tuple(roles)


# Roles read once per account object and place (a page asks for each row it shows); any change of a role in
# this process invalidates every such memo (`_roles_changed`).
_generation = [0]


def _roles_changed(**kwargs):
    _generation[0] += 1


post_save.connect(_roles_changed, sender="accounts.PlaceRole", dispatch_uid="tenancy_roles_saved")
post_delete.connect(_roles_changed, sender="accounts.PlaceRole", dispatch_uid="tenancy_roles_deleted")


def roles_in(user, place):
    """The roles the user holds in `place` (a Place or its id), as a frozenset of role codes."""
    if not _authenticated(user) or place is None:
        return frozenset()
    place_id = getattr(place, "pk", place)
    generation, memo = getattr(user, "_tenancy_roles", (None, None))
    if generation != _generation[0]:
        memo = {}
        user._tenancy_roles = (_generation[0], memo)
    if place_id not in memo:
        memo[place_id] = frozenset(
            PlaceRole.objects.filter(user=user, place_id=place_id).values_list("role", flat=True)
        )
    return memo[place_id]


def works_for(user, place, roles=TEAM):
    """The user holds one of `roles` in `place` (a Place or its id)."""
    return bool(roles_in(user, place) & set(_as_roles(roles)))


def places_of(user, roles=TEAM):
    """The places where the user holds one of `roles`."""
    Place = _place_model()
    if not _authenticated(user):
        return Place.objects.none()
    return Place.objects.filter(
        pk__in=PlaceRole.objects.filter(user=user, role__in=_as_roles(roles)).values("place_id")
    )


def editable_places(user):
    """Registry entries the user may edit: every place for network admins, their own for managers."""
    Place = _place_model()
    if not _authenticated(user):
        return Place.objects.none()
    if user.is_network_admin:
        return Place.objects.all()
    return places_of(user, MANAGERS)


def is_network_admin(user):
    return _authenticated(user) and bool(user.is_network_admin or user.is_superuser)


def known_people(place):
    """Accounts known to `place`: its roles, and the people of the records the apps declare."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    place_id = getattr(place, "pk", place)
    condition = Q(pk__in=PlaceRole.objects.filter(place_id=place_id).values("user_id"))
    for config in apps.get_app_configs():
        for label, person_field, place_path in getattr(config, "place_people", ()):
            model = apps.get_model(label)
            condition |= Q(
                pk__in=model._default_manager.filter(
                    **{place_path: place_id, f"{person_field}__isnull": False}
                ).values(person_field)
            )
    return User.objects.filter(condition, is_active=True)


def find_known_person(value, place):
    """The one account known to `place` whose identifier or e-mail is `value` (any case), else None."""
    value = (value or "").strip()
    if not value or place is None:
        return None
    matches = list(known_people(place).filter(Q(username__iexact=value) | Q(email__iexact=value))[:2])
    return matches[0] if len(matches) == 1 else None


class PlaceOwnedQuerySet(models.QuerySet):
    """A QuerySet of records that belong to a place.

    A model sets, on its QuerySet subclass, `place_path` (the lookup to its place, "place" by default),
    `person_paths` (lookups to the accounts the record is about or was made by, for
    `for_person_or_team`) and `assignee_path` (the account it is assigned to, which volunteers see).
    """

    place_path = "place"
    person_paths = ()
    assignee_path = None

    def in_places(self, places):
        return self.filter(**{f"{self.place_path}__in": places})

    def _team_filter(self, user, roles):
        condition = Q(**{f"{self.place_path}__in": places_of(user, roles)})
        if self.assignee_path:
            condition |= Q(**{f"{self.place_path}__in": places_of(user, VOLUNTEER), self.assignee_path: user})
        return condition

    def for_team(self, user, roles=TEAM):
        """Records of the places whose team the user belongs to (volunteers: those assigned to them)."""
        if not _authenticated(user):
            return self.none()
        return self.filter(self._team_filter(user, roles))

    def for_person_or_team(self, user, roles=TEAM):
        """The user's own records, and those of the places whose team they belong to."""
        if not _authenticated(user):
            return self.none()
        condition = self._team_filter(user, roles)
        for path in self.person_paths:
            condition |= Q(**{path: user})
        return self.filter(condition)


def get_for_team_or_404(queryset, user, *, roles=TEAM, person=False, **lookup):
    """The record matching `lookup` among those the user may reach (their places' records; with
    `person=True`, their own too), or 404 — the same answer for a record that does not exist and for one
    of another place, so that identifiers reveal nothing."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    scoped = queryset.for_person_or_team(user, roles) if person else queryset.for_team(user, roles)
    obj = scoped.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def get_place_for_team_or_404(user, place_id, roles=TEAM):
    """A place the user works for in one of `roles`, or 404."""
    place = places_of(user, roles).filter(pk=place_id).select_related("commune").first()
    if place is None:
        raise Http404
    return place


def get_editable_place_or_404(user, place_id):
    """A registry entry the user may edit (network admin, or manager of the place), or 404."""
    place = editable_places(user).filter(pk=place_id).first()
    if place is None:
        raise Http404
    return place
