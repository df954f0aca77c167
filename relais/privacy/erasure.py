"""A person's erasure and rectification (GDPR art. 16 and 17), driven by the personal-data inventory.

`erase(subject, actor, dry_run=...)` walks every declared model's records of the person (an account, a
membership, or both) and applies the end action of its processing: the records are deleted, or anonymised
(their personal fields take a neutral value), or kept when a legal duty requires it. A record where the
person only acted for a place (a booking a team member made for someone else) loses only the link to that
person. The account itself is deactivated and anonymised last: a unique non-personal username, no e-mail
address, an unusable password (its sessions, tokens and second factors are deleted with its records). The
audit trail is append-only (privacy/chain.py): its rows are kept, and reported as such.

Everything runs in one transaction; a dry run does the same work and rolls it back, so that its report says
exactly what the real run would do. Apps above privacy refuse an erasure through `register_guard` (the
accounts app: the last manager of a place), never through an import here.

`rectify(subject, changes, actor)` corrects a person's name or e-mail address, on the account or membership
and on the records that copy them (`copies` in the declarations: a booking's `person_name`).
"""

import dataclasses
import uuid
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils.translation import gettext as _

from relais.core.errors import Conflict, DomainError

from . import inventory as default_inventory
from .audit import AuditAction, build_event
from .inventory import EndAction, Subject
from .models import AuditEvent

# Text fields that name someone: anonymised to ANONYMOUS rather than emptied (a list still reads).
NAME_FIELDS = {"name", "person_name", "first_name", "last_name", "by_label", "actor_label", "object_repr"}

# Rows never changed nor deleted here: the audit trail is append-only (its retention is a separate job).
APPEND_ONLY = {AuditEvent._meta.label}
# Kept through an erasure: the proof that the person's requests were answered (GDPR art. 5.2), deleted at
# the end of their own retention.
KEPT_AS_PROOF = {"privacy.SubjectRequest", "privacy.SubjectRequestTransition"}

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)

_guards: list[Callable] = []


def anonymous_label():
    return _("personne anonymisée")


def register_guard(guard):
    """`guard(subject) -> [French reason]`: why `subject` cannot be erased now (and what to do), or []."""
    if guard not in _guards:
        _guards.append(guard)
    return guard


@dataclasses.dataclass
class ModelCount:
    label: str
    name: str
    anonymised: int = 0
    deleted: int = 0
    kept: int = 0
    note: str = ""

    @property
    def total(self):
        return self.anonymised + self.deleted + self.kept


@dataclasses.dataclass
class ErasureReport:
    dry_run: bool
    counts: list

    def as_json(self):
        return {"dry_run": self.dry_run, "models": [dataclasses.asdict(c) for c in self.counts]}

    def count_for(self, label):
        return next((c for c in self.counts if c.label == label), None)


class _DryRun(Exception):
    """Raised to roll a dry run's transaction back."""


def blockers(subject):
    """The French reasons that refuse the erasure of `subject` now ([] : none)."""
    default_inventory.declarations()  # the apps' processings (and their guards) are imported
    return [reason for guard in _guards for reason in guard(subject)]


def erase(subject, actor, *, dry_run, inventory=None):
    """Erase `subject`'s records (see the module's docstring); returns the `ErasureReport`. Raises a
    `Conflict` saying what to do when a guard refuses."""
    if subject.user is None and subject.member is None:
        raise DomainError(_("Choisissez le compte ou l'adhésion de la personne à effacer."), field="person")
    reasons = blockers(subject)
    if reasons:
        raise Conflict(
            _("L'effacement est impossible : %(reasons)s") % {"reasons": " ".join(reasons)}, code="erasure"
        )
    inventory = inventory or default_inventory.inventory
    eraser = _Eraser(subject, actor, inventory)
    try:
        with transaction.atomic():
            eraser.run()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return ErasureReport(dry_run=dry_run, counts=eraser.counts)


class _Eraser:
    def __init__(self, subject, actor, inventory):
        self.user = subject.user
        self.member = subject.member
        self.actor = actor
        self.inventory = inventory
        self.needles = _needles(subject)
        self.people = {(get_user_model()._meta.label, self.user.pk)} if self.user is not None else set()
        if self.member is not None:
            self.people.add((self.member._meta.label, self.member.pk))
        self.counts = []
        self.events = []

    def run(self):
        email = self.user.email if self.user is not None else ""
        own = Subject(user=self.user, member=self.member)
        by_email = Subject(email=email) if email else None
        account = None
        processings = self.inventory.processings()
        declarations = [d for d in self.inventory.declarations().values() if d.processing]
        for declaration in sorted(declarations, key=dependents_first):
            model = declaration.model
            retention = processings[declaration.processing].retention
            count = ModelCount(declaration.label, str(model._meta.verbose_name))
            if self.user is not None and model is type(self.user):
                account = (declaration, count)
                continue
            own_q = declaration.lookup(own, actors=False)
            email_q = declaration.lookup(by_email, actors=False) if by_email else None
            actor_q = declaration.actor_lookup(own)
            manager = model._default_manager
            own_pks, email_pks, actor_pks = (_pks(manager, q) for q in (own_q, email_q, actor_q))
            email_pks -= own_pks
            actor_pks -= own_pks | email_pks
            if not (own_pks or email_pks or actor_pks):
                continue
            self.counts.append(count)
            if declaration.label in APPEND_ONLY:
                count.kept = len(own_pks | email_pks | actor_pks)
                count.note = _(
                    "journal d'audit en ajout seul : ses lignes suivent sa propre durée de conservation"
                )
                continue
            if declaration.label in KEPT_AS_PROOF:
                count.kept = len(own_pks | email_pks | actor_pks)
                count.note = _("preuve de la réponse aux demandes de la personne (RGPD art. 5.2)")
                continue
            if retention.end == EndAction.KEEP:
                count.kept = len(own_pks | email_pks)
                count.note = retention.legal_reference
                self._apply(declaration, manager.filter(pk__in=actor_pks), count, self._actor_fields)
                continue
            if retention.end == EndAction.DELETE:
                self._delete(declaration, manager.filter(pk__in=own_pks | email_pks), count)
                self._apply(declaration, manager.filter(pk__in=actor_pks), count, self._actor_fields)
                continue
            self._apply(declaration, manager.filter(pk__in=own_pks), count, self._own_fields)
            self._apply(declaration, manager.filter(pk__in=email_pks), count, self._scrubbed_fields)
            self._apply(declaration, manager.filter(pk__in=actor_pks), count, self._actor_fields)
        if account is not None:
            self._anonymise_account(*account)
        AuditEvent.objects.bulk_create(self.events)

    # --- What each record becomes -----------------------------------------------------------------------

    def _own_fields(self, declaration, record):
        """{field: neutral value} for a record about the person, or None when it must go (a link to the
        person that cannot be emptied)."""
        values = {}
        for name in declaration.personal_fields:
            field = record._meta.get_field(name)
            if name in declaration.actors:
                actor_values = self._actor_value(field, record)
                if actor_values is None:
                    return None
                values.update(actor_values)
                continue
            if field.is_relation and not field.many_to_many and not field.null:
                if self._is_person(field, getattr(record, field.attname)):
                    return None
                continue
            if not field.null and not isinstance(
                field, (models.CharField, models.TextField, models.JSONField)
            ):
                continue  # a required date or number says nothing of who once held the record
            values[name] = declaration.neutral.get(name, neutral_value(field))
        return values

    def _scrubbed_fields(self, declaration, record):
        """A record that only mentions the person's address (a structure's list of e-mails): the person's
        values are taken out, the others' kept."""
        values = {}
        for name in declaration.personal_fields:
            field = record._meta.get_field(name)
            if field.is_relation:
                continue
            value = getattr(record, name)
            scrubbed = _scrub(value, self.needles, neutral_value(field))
            if scrubbed != value:
                values[name] = scrubbed
        return values

    def _actor_fields(self, declaration, record):
        values = {}
        for name in declaration.actors:
            found = self._actor_value(record._meta.get_field(name), record)
            if found is None:
                return None
            values.update(found)
        return values

    def _actor_value(self, field, record):
        if field.is_relation:
            if not self._is_person(field, getattr(record, field.attname)):
                return {}
            return None if not field.null else {field.name: None}
        value = getattr(record, field.name)
        if isinstance(value, str) and value.strip().lower() in self.needles:
            return {field.name: neutral_value(field)}
        return {}

    def _is_person(self, field, value):
        return value is not None and (field.related_model._meta.label, value) in self.people

    # --- Writing ----------------------------------------------------------------------------------------

    def _apply(self, declaration, queryset, count, values_of):
        for record in queryset.order_by("pk"):
            values = values_of(declaration, record)
            if values is None:
                self._delete_one(record, count)
                continue
            changed = [name for name, value in values.items() if getattr(record, name) != value]
            if not changed:
                count.kept += 1
                continue
            for name in changed:
                setattr(record, name, values[name])
            record.save(update_fields=changed)
            count.anonymised += 1
            self._audit(AuditAction.UPDATE, record, {name: [None, _shown(values[name])] for name in changed})

    def _delete(self, declaration, queryset, count):
        for record in queryset.order_by("pk"):
            self._delete_one(record, count)

    def _delete_one(self, record, count):
        self._audit(AuditAction.DELETE, record, {"erasure": [None, "delete"]})
        record.delete()
        count.deleted += 1

    def _anonymise_account(self, declaration, count):
        user = type(self.user)._default_manager.select_for_update().get(pk=self.user.pk)
        changes = anonymise_account(user, declaration)
        count.anonymised = 1
        self.counts.append(count)
        self._audit(AuditAction.UPDATE, user, changes)

    def _audit(self, action, record, changes):
        event = build_event(self.actor, action, record, changes=changes)
        # Never the erased values: the label names the kind of record and its id only.
        event.target_label = f"{record._meta.verbose_name} {record.pk}"[:300]
        place = _place_id(record)
        if place is not None:
            event.place_id = place
        self.events.append(event)


def anonymise_account(user, declaration):
    """Deactivate and anonymise the account `user` (a fresh, locked row): a unique non-personal username, no
    name nor address, an unusable password, no role; returns the changes for the audit trail (no value
    erased in them)."""
    values = {name: neutral_value(user._meta.get_field(name)) for name in declaration.personal_fields}
    values.pop("date_joined", None)  # when the account was opened says nothing of who held it
    values.pop("password", None)
    values.update(declaration.neutral)
    values["username"] = f"anonyme-{uuid.uuid4().hex[:16]}"
    values["first_name"] = values["last_name"] = values["email"] = ""
    values["is_active"] = False
    for flag in ("is_staff", "is_superuser", "is_network_admin"):
        if hasattr(user, flag):
            values[flag] = False
    for name, value in values.items():
        setattr(user, name, value)
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    changes = {name: [None, _shown(value)] for name, value in values.items()}
    changes["password"] = [None, "unusable"]
    return changes


def neutral_values(declaration, record):
    """{field: neutral value} of every personal field of `record` (a record past its retention), or None
    when it cannot be anonymised (a required link to a person: it is then deleted)."""
    values = {}
    for name in declaration.personal_fields:
        field = record._meta.get_field(name)
        if field.is_relation and not field.many_to_many:
            if not field.null:
                return None
            values[field.attname] = None
            continue
        if not field.null and not isinstance(field, TEXT_FIELDS):
            continue
        if name in declaration.actors and not getattr(record, name):
            continue  # no author named (a process): nothing to anonymise
        values[name] = declaration.neutral.get(name, neutral_value(field))
    return values


def _pks(manager, condition):
    return set(manager.filter(condition).values_list("pk", flat=True)) if condition is not None else set()


def dependents_first(declaration):
    """Records that hang on other declared records (a booking's transitions hang on the booking, which
    hangs on its place) come before them, so that what a cascade would remove is counted where it is."""
    declared = {d.model for d in default_inventory.declarations().values() if d.processing}
    declared.discard(get_user_model())  # the account is handled last, whatever points to it
    return (-_depth(declaration.model, declared, ()), declaration.label)


def _depth(model, declared, seen):
    """The longest chain of foreign keys from `model` through declared models."""
    targets = {
        f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in declared and f.related_model not in seen
    }
    return max((1 + _depth(t, declared, (*seen, model)) for t in targets if t is not model), default=0)


def neutral_value(field):
    """The neutral value of a personal field once anonymised: None where allowed, "" for text (the
    anonymous label for names), the field's default for JSON."""
    if isinstance(field, models.JSONField):
        return field.get_default() if field.has_default() else None
    if isinstance(field, (models.CharField, models.TextField)):
        if field.name in NAME_FIELDS:
            return anonymous_label()[: field.max_length] if field.max_length else anonymous_label()
        return None if field.null else ""
    if field.null:
        return None
    return field.get_default()


def _needles(subject):
    """The person's identifying values, lowercased: e-mail, username, name, contact."""
    values = set()
    if subject.user is not None:
        user = subject.user
        values |= {user.email, user.get_username(), user.get_full_name()}
    if subject.member is not None:
        values |= {getattr(subject.member, "name", ""), getattr(subject.member, "contact", "")}
    return {v.strip().lower() for v in values if v and v.strip()}


def _scrub(value, needles, neutral):
    """`value` with the strings equal to one of `needles` taken out (lists lose them, dicts and strings
    get the neutral value)."""
    if isinstance(value, str):
        return (neutral if neutral is not None else "") if value.strip().lower() in needles else value
    if isinstance(value, list):
        return [
            _scrub(v, needles, "") for v in value if not (isinstance(v, str) and v.strip().lower() in needles)
        ]
    if isinstance(value, dict):
        return {k: _scrub(v, needles, "") for k, v in value.items()}
    return value


def _shown(value):
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def _place_id(record):
    for field in record._meta.concrete_fields:
        if field.name == "place" and field.is_relation and field.related_model._meta.label == "places.Place":
            return getattr(record, field.attname)
    return None


# --- Rectification ------------------------------------------------------------------------------------

ACCOUNT_FIELDS = ("first_name", "last_name", "email")
MEMBER_FIELDS = ("name", "contact")


def rectify(subject, changes, actor):
    """Correct the identity of `subject` (account: first_name, last_name, email; membership: name,
    contact) and the records that copy it; audited. Returns {model label: records changed}."""
    allowed = ACCOUNT_FIELDS if subject.user is not None else MEMBER_FIELDS if subject.member else ()
    if not allowed:
        raise DomainError(_("Choisissez le compte ou l'adhésion de la personne."), field="person")
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(
            _("Ces données ne se rectifient pas ici : %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    changes = {k: (v or "").strip() for k, v in changes.items()}
    _validate_identity(changes)
    person = subject.user if subject.user is not None else subject.member
    if subject.user is not None and changes.get("email"):
        others = type(person)._default_manager.exclude(pk=person.pk).filter(email__iexact=changes["email"])
        if others.exists():
            raise DomainError(_("Un autre compte utilise déjà cette adresse e-mail."), field="email")
    before = {"name": _name_of(person), "contact": _contact_of(person)}
    events = []
    changed = {}
    with transaction.atomic():
        # The copies are found before the person changes (a member's bookings are found by name and contact).
        copies = _records_with_copies(subject)
        person = type(person)._default_manager.select_for_update().get(pk=person.pk)
        diff = {k: [getattr(person, k), v] for k, v in changes.items() if getattr(person, k) != v}
        if not diff:
            return {}
        for name, (_old, new) in diff.items():
            setattr(person, name, new)
        person.full_clean(
            validate_unique=True, validate_constraints=False, exclude=_other_fields(person, diff)
        )
        person.save(update_fields=list(diff))
        events.append(build_event(actor, AuditAction.UPDATE, person, changes=diff, place=None))
        changed[person._meta.label] = 1
        after = {"name": _name_of(person), "contact": _contact_of(person)}
        for declaration, queryset in copies:
            for record in queryset:
                update = {
                    field: after[item]
                    for field, item in declaration.copies.items()
                    if before[item]
                    and before[item] != after[item]
                    and (getattr(record, field) or "").strip().lower() == before[item].lower()
                }
                if not update:
                    continue
                record_diff = {f: [getattr(record, f), v] for f, v in update.items()}
                for f, v in update.items():
                    setattr(record, f, v)
                record.save(update_fields=list(update))
                event = build_event(actor, AuditAction.UPDATE, record, changes=record_diff)
                event.place_id = _place_id(record)
                events.append(event)
                changed[declaration.label] = changed.get(declaration.label, 0) + 1
        AuditEvent.objects.bulk_create(events)
    return changed


def _records_with_copies(subject):
    own = Subject(user=subject.user, member=subject.member)
    found = []
    for declaration in default_inventory.declarations().values():
        if not declaration.copies or declaration.processing is None:
            continue
        if declaration.is_person and subject.member is not None and declaration.model is type(subject.member):
            continue  # the membership itself is the person being rectified
        condition = declaration.lookup(own, actors=False)
        if condition is not None:
            pks = list(declaration.model._default_manager.filter(condition).values_list("pk", flat=True))
            found.append((declaration, declaration.model._default_manager.filter(pk__in=pks).order_by("pk")))
    return found


def _validate_identity(changes):
    if "email" in changes:
        try:
            validate_email(changes["email"])
        except ValidationError:
            raise DomainError(_("Saisissez une adresse e-mail valide."), field="email") from None
    for name in ("first_name", "last_name", "name"):
        if name in changes and not changes[name]:
            raise DomainError(_("Le nom ne peut pas être vide."), field=name)
        if name in changes and len(changes[name]) > 150:
            raise DomainError(_("150 caractères au plus."), field=name)
    if "contact" in changes and len(changes["contact"]) > 200:
        raise DomainError(_("200 caractères au plus."), field="contact")


def _other_fields(person, diff):
    return [f.name for f in person._meta.concrete_fields if f.name not in diff]


def _name_of(person):
    if hasattr(person, "get_full_name"):
        return person.get_full_name().strip()
    return (getattr(person, "name", "") or "").strip()


def _contact_of(person):
    if hasattr(person, "get_full_name"):
        return (person.email or "").strip()
    return (getattr(person, "contact", "") or "").strip()


__all__ = [
    "ErasureReport",
    "ModelCount",
    "anonymise_account",
    "blockers",
    "erase",
    "neutral_value",
    "neutral_values",
    "rectify",
    "register_guard",
]
