"""The DPO's searches in the audit trail: what an account did, and who viewed or changed a person's records.

Who may search (`scope_for`): the instance's DPO (the `privacy.search_auditevent` permission) and superusers
see the whole trail; the DPO of a place (`PlaceRole` dpo) sees the events of their places only; anyone else
gets None (the views answer 404). The records of a person come from the personal-data inventory
(`inventory.records_of`): each app declares its models there, this module names none of them.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from . import inventory
from .models import AuditEvent

# accounts.PlaceRole.Role.DPO: the accounts app sits above privacy, so the role is named here, not imported.
DPO_ROLE = "dpo"
SEARCH_PERMISSION = "privacy.search_auditevent"


@dataclass(frozen=True)
class Scope:
    """The audit events one may search; `places` None: the whole instance, else a queryset of place ids."""

    events: models.QuerySet
    places: object = None

    @property
    def whole_instance(self):
        return self.places is None


def scope_for(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser or user.has_perm(SEARCH_PERMISSION):
        return Scope(AuditEvent.objects.all())
    places = user.place_roles.filter(role=DPO_ROLE).values("place_id")
    if not places.exists():
        return None
    return Scope(AuditEvent.objects.filter(place_id__in=places), places)


# --- Who is searched -----------------------------------------------------------------------------------


def _label(model):
    return model._meta.label_lower


def _targets(model, queryset):
    """Q of the events whose target is one of the rows of `queryset` (ids compared as text)."""
    pk = model._meta.pk
    if isinstance(pk, (models.AutoField, models.BigAutoField, models.IntegerField)):
        ids = queryset.annotate(_audit_id=Cast("pk", models.CharField())).values("_audit_id")
    else:  # UUIDs: as text they differ between engines (SQLite stores them without dashes), so in Python
        ids = [str(pk_value) for pk_value in queryset.values_list("pk", flat=True)]
    return Q(target_type=_label(model), target_id__in=ids)


def person_records(user=None, member=None):
    """{model: queryset} of the records of a person (an account, a membership, or both), from the inventory;
    the audit trail itself left out (an audit event is never the target of another)."""
    found = inventory.records_of(user=user, member=member)
    return {model: qs for model, qs in found.items() if model is not AuditEvent}


def _person_models():
    return [
        d.model for d in inventory.declarations().values() if d.is_person and d.model is not get_user_model()
    ]


def _people(scope, subjects):
    """The records standing for a person in a place (a member…) that the scope may see, for any of the
    inventory's `subjects`: the person's own records, not those their account only handled."""
    found = []
    for model in _person_models():
        declaration = inventory.declaration_for(model)
        conditions = [c for c in (declaration.lookup(s, actors=False) for s in subjects) if c is not None]
        if not conditions:
            continue
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        rows = _visible_people(scope, model._default_manager.filter(combined))
        found += list(rows.order_by("pk")[:50])
    return found


def _visible_accounts(scope, accounts):
    if scope.whole_instance:
        return list(accounts)
    # A place's DPO finds only the accounts their places know: a person there (a member…), an author or a
    # target of their places' trail.
    return [
        a
        for a in accounts
        if _people(scope, [inventory.Subject(user=a)])
        or account_events(scope, a).exists()
        or scope.events.filter(target_type=_label(type(a)), target_id=str(a.pk)).exists()
    ]


def find_accounts(scope, term):
    """The accounts whose e-mail address or username is `term` (case ignored), that the scope may see."""
    term = (term or "").strip()
    if not term:
        return []
    accounts = (
        get_user_model().objects.filter(Q(email__iexact=term) | Q(username__iexact=term)).order_by("pk")
    )
    return _visible_accounts(scope, accounts[:20])


def account_by_id(scope, public_id):
    accounts = get_user_model().objects.filter(public_id=public_id)
    found = _visible_accounts(scope, accounts)
    return found[0] if found else None


def _visible_people(scope, queryset):
    if scope.whole_instance:
        return queryset
    if not any(f.name == "place" for f in queryset.model._meta.get_fields()):
        return queryset.none()
    return queryset.filter(place_id__in=scope.places)


def find_people(scope, term):
    """Who `term` (an e-mail address, a username, a phone number as recorded) may be: the accounts, and the
    records standing for a person in a place (a member…) with that contact or that account, as
    [(account, None)] + [(None, person record)]."""
    term = (term or "").strip()
    if not term:
        return []
    accounts = find_accounts(scope, term)
    subjects = [inventory.Subject(email=term)] + [inventory.Subject(user=a) for a in accounts]
    return [(account, None) for account in accounts] + [(None, row) for row in _people(scope, subjects)]


def person_by_id(scope, public_id):
    """A record standing for a person (a member…) by its public id, if the scope may see it."""
    for model in _person_models():
        if any(f.name == "public_id" for f in model._meta.get_fields()):
            row = _visible_people(scope, model._default_manager.filter(public_id=public_id)).first()
            if row is not None:
                return row
    return None


# --- The events -------------------------------------------------------------------------------------


def _filtered(events, since=None, until=None, action=None, tz=None):
    tz = tz or datetime.UTC
    if since:
        events = events.filter(at__gte=datetime.datetime.combine(since, datetime.time.min, tz))
    if until:
        next_day = until + datetime.timedelta(days=1)
        events = events.filter(at__lt=datetime.datetime.combine(next_day, datetime.time.min, tz))
    if action:
        events = events.filter(action=action)
    return events.select_related("place").order_by("-at", "-pk")


def account_events(scope, account, **filters):
    """What `account` did, most recent first (dates `since`/`until` are days in `tz`, both included)."""
    return _filtered(scope.events.filter(actor=account), **filters)


def person_events(scope, user=None, member=None, **filters):
    """Who viewed or changed the records of a person: the events whose target is one of them."""
    condition = Q(pk__in=[])
    if user is not None:
        condition |= Q(target_type=_label(type(user)), target_id=str(user.pk))
    if member is not None:
        condition |= Q(target_type=_label(type(member)), target_id=str(member.pk))
    for model, queryset in person_records(user=user, member=member).items():
        condition |= _targets(model, queryset)
    return _filtered(scope.events.filter(condition), **filters)


# --- Export ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "date",
    "auteur",
    "canal",
    "adresse_ip",
    "action",
    "type_objet",
    "identifiant",
    "objet",
    "lieu",
)


def csv_rows(events, tz):
    for event in events.iterator(chunk_size=2000):
        yield {
            "date": event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            "auteur": event.actor_label,
            "canal": event.channel,
            "adresse_ip": event.ip_address or "",
            "action": event.get_action_display(),
            "type_objet": event.target_type,
            "identifiant": event.target_id,
            "objet": event.target_label,
            "lieu": event.place.name if event.place_id else "",
        }
