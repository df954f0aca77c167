"""The personal-data inventory: which models hold data about a person, for which processing, and how to find a
given person's records.

Each app declares its processings once, in its `processings.py` (found by `autodiscover_modules`), with
`inventory.register(Processing(...))`: the purpose, the legal basis (GDPR art. 6), the categories of people,
the recipients, the retention and what happens at its end. Each model that holds personal data says so next
to its class, in the app's models.py:

    @personal_data(
        "bookings",
        personal=["person", "person_name", "person_contact"],
        sensitive=["notes"],
        actors=["booked_by"],
        by_user=["person", "booked_by"],
        categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.ACTIVITY],
        not_personal={"price_audience": "which price list applied, not about the person"},
    )
    class Booking(models.Model): ...

- `personal`: fields about the person the record is about; `sensitive`: personal fields that are sensitive
  (GDPR art. 9, social situation, free notes about a person); `secret`: personal fields never exported
  (password hashes); `actors`: fields naming the account that acted on the record (a team member who
  booked, the author of a transition): personal data of that account, shown to it alone in an export;
- `by_user` / `by_member` / `by_email`: lookup paths from the record to the person's account, membership or
  e-mail address; `subject`: a function `subject(Subject) -> Q | None` for the other cases;
- `not_personal`: fields that look personal (a name, an address…) but are not, each with the reason;
- `retention_date`: the lookup path to the date of the processing's start event for this model ("end" of a
  booking, "user__last_login" of a token), read by the retention job (privacy/retention.py); empty when the
  app records no such date (the records are then left to the app, and the job's report says so);
- `copies`: fields that copy the person's identity ({"person_name": "name", "person_contact": "contact"}),
  updated by a rectification (privacy/erasure.py); `neutral`: the value a personal field takes when the
  record is anonymised, when the derived one ("" / None / « personne anonymisée ») does not fit.

`@personal_transitions(processing, ...)` declares a concrete `core.workflow.TransitionLog` (its author and
reason), `@not_personal(name="...")` a model that holds nothing personal though a field looks so.

Models one cannot decorate (Django's own, the reference geography, which sits on the layer of privacy) are
declared by label with `inventory.declare("sessions.Session", ...)` from the privacy app's processings.
`check()` lists what is missing: a link to a person or a field that looks personal left undeclared, a
declared field that does not exist (relais/privacy/tests/test_inventory.py runs it on every model).
`records_of(user=..., member=..., email=...)` gives the querysets of a person's records.
"""

import dataclasses
import re
import threading
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class LegalBasis(models.TextChoices):
    """The lawful bases of GDPR art. 6.1."""

    CONSENT = "consent", _("consentement de la personne (art. 6.1.a)")
    CONTRACT = "contract", _("exécution d'un contrat ou mesures précontractuelles (art. 6.1.b)")
    LEGAL_OBLIGATION = "legal_obligation", _("obligation légale (art. 6.1.c)")
    VITAL_INTERESTS = "vital_interests", _("sauvegarde des intérêts vitaux (art. 6.1.d)")
    PUBLIC_TASK = "public_task", _("mission d'intérêt public (art. 6.1.e)")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("intérêt légitime (art. 6.1.f)")


class EndAction(models.TextChoices):
    """What happens to the records when their retention period ends."""

    DELETE = "delete", _("suppression")
    ANONYMISE = "anonymise", _("anonymisation")
    KEEP = "keep", _("conservation au titre d'une obligation légale")


class PersonCategory(models.TextChoices):
    """The categories of people whose data is processed (GDPR art. 30.1.c)."""

    ACCOUNT_HOLDERS = "account_holders", _("titulaires d'un compte")
    TEAMS = "teams", _("équipes des lieux (gérants, salariés, bénévoles, partenaires)")
    NETWORK_ADMINS = "network_admins", _("administrateurs du réseau")
    MEMBERS = "members", _("adhérents des lieux")
    USERS = "users", _("usagers des lieux (réservations, liste d'attente)")
    PUBLIC = "public", _("visiteurs de l'annuaire qui écrivent au réseau")
    STRUCTURE_CONTACTS = "structure_contacts", _("contacts des structures (dont entrepreneurs individuels)")


class DataCategory(models.TextChoices):
    """The categories of personal data (GDPR art. 30.1.c)."""

    IDENTITY = "identity", _("état civil, identité")
    CONTACT = "contact", _("coordonnées")
    ACCOUNT = "account", _("compte et authentification")
    ROLES = "roles", _("rôles et habilitations")
    ACTIVITY = "activity", _("vie de l'adhésion et réservations")
    FREE_TEXT = "free_text", _("texte libre (messages, remarques, motifs)")
    CONNECTION = "connection", _("données de connexion (adresse IP, sessions, tentatives)")
    TRACE = "trace", _("traces des actions (qui a fait quoi, quand)")


@dataclasses.dataclass(frozen=True)
class Retention:
    """How long the records are kept (`months`, counted from the event `starts`) and what then happens."""

    months: int
    starts: str
    end: str = EndAction.DELETE
    legal_reference: str = ""  # the text that obliges to keep them (EndAction.KEEP)

    def __post_init__(self):
        if self.months <= 0:
            raise ValueError("a retention lasts at least one month")
        if self.end not in EndAction.values:
            raise ValueError(f"unknown end action {self.end!r}")
        if self.end == EndAction.KEEP and not self.legal_reference:
            raise ValueError("a retention that keeps the records names the legal duty (legal_reference)")

    @property
    def duration_label(self):
        if self.months % 12 == 0:
            years = self.months // 12
            return ngettext("%(count)d an", "%(count)d ans", years) % {"count": years}
        return ngettext("%(count)d mois", "%(count)d mois", self.months) % {"count": self.months}


@dataclasses.dataclass(frozen=True)
class Processing:
    """A processing of personal data, as the GDPR art. 30 register describes it."""

    code: str
    purpose: str
    legal_basis: str
    people: tuple
    recipients: tuple
    retention: Retention
    transfers: tuple = ()  # transfers outside the EU (none unless said)

    def __post_init__(self):
        if self.legal_basis not in LegalBasis.values:
            raise ValueError(f"{self.code}: unknown legal basis {self.legal_basis!r}")
        unknown = set(self.people) - set(PersonCategory.values)
        if unknown or not self.people:
            raise ValueError(f"{self.code}: categories of people {sorted(unknown) or 'missing'}")


@dataclasses.dataclass(frozen=True)
class Subject:
    """The person whose records are looked for: an account, a membership, an e-mail address (any of them)."""

    user: object = None
    member: object = None
    email: str = ""


@dataclasses.dataclass(frozen=True)
class Declaration:
    """What one model holds about people (see the module's docstring); `processing` None: nothing personal."""

    label: str
    processing: str | None = None
    personal: tuple = ()
    sensitive: tuple = ()
    secret: tuple = ()
    actors: tuple = ()
    not_personal: dict = dataclasses.field(default_factory=dict)
    by_user: tuple = ()
    by_member: tuple = ()
    by_email: tuple = ()
    subject: Callable | None = None
    categories: tuple = ()
    is_person: bool = False  # the model stands for a person: a link to it is a link to a person
    retention_date: str = ""  # the lookup path to the date the retention starts from (see the docstring)
    copies: dict = dataclasses.field(default_factory=dict)  # {field: "name" | "contact"} copied identity
    neutral: dict = dataclasses.field(default_factory=dict)  # {field: value once anonymised}
    model_class: type | None = dataclasses.field(default=None, compare=False, repr=False)  # when decorated

    @property
    def model(self):
        return self.model_class or apps.get_model(self.label)

    @property
    def installed(self):
        if self.model_class is not None:
            return True
        try:
            apps.get_model(self.label)
        except LookupError:
            return False
        return True

    @property
    def personal_fields(self):
        """Every personal field, in declaration order: about the person, sensitive, secret, of the actors."""
        return tuple(dict.fromkeys((*self.personal, *self.sensitive, *self.secret, *self.actors)))

    @property
    def declared_fields(self):
        return (*self.personal_fields, *self.not_personal)

    def lookup(self, subject, *, actors=True):
        """The Q selecting `subject`'s records (through the actor fields too unless `actors` is False), or
        None when this model cannot hold records of such a subject."""
        conditions = []
        actor_roots = set(self.actors)
        if subject.user is not None:
            conditions += [
                _is(path, subject.user)
                for path in self.by_user
                if actors or path.split("__")[0] not in actor_roots
            ]
        if subject.member is not None:
            conditions += [_is(path, subject.member) for path in self.by_member]
        if subject.email:
            conditions += [self._email_condition(path, subject.email) for path in self.by_email]
        if self.subject is not None:
            extra = self.subject(subject)
            if extra is not None:
                conditions.append(extra)
        if not conditions:
            return None
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        return combined

    def actor_lookup(self, subject):
        """The Q selecting the records where `subject`'s account acted (None if it cannot)."""
        paths = [p for p in self.by_user if p.split("__")[0] in set(self.actors)]
        if subject.user is None or not paths:
            return None
        combined = _is(paths[0], subject.user)
        for path in paths[1:]:
            combined |= _is(path, subject.user)
        return combined

    def _email_condition(self, path, email):
        field = _field_at(self.model, path)
        if isinstance(field, models.JSONField):
            # The JSON text holds the address as a whole string value, between quotes: ["a@b.fr"] or
            # {"email": "a@b.fr"} (so that "xa@b.fr" is not taken for "a@b.fr").
            return Q(**{f"{path}__icontains": f'"{email}"'})
        return Q(**{f"{path}__iexact": email})


_LISTS = {"personal", "sensitive", "secret", "actors", "by_user", "by_member", "by_email", "categories"}


class Inventory:
    """The processings and the declarations of the models. The project's is `inventory` below; a test builds
    its own."""

    def __init__(self, discover=False):
        self._processings = {}
        self._declarations = {}
        self._discover = discover
        self._lock = threading.RLock()

    def _discovered(self):
        """The inventory, once every app's `processings.py` is imported (the first time it is read)."""
        if self._discover:
            with self._lock:
                if self._discover:
                    autodiscover_modules("processings")
                    self._discover = False
        return self

    def register(self, *processings):
        for processing in processings:
            known = self._processings.get(processing.code)
            if known is not None and known != processing:
                raise ValueError(f"processing {processing.code!r} declared twice")
            self._processings[processing.code] = processing

    def declare(self, label, processing=None, **kwargs):
        """Declare the model `label` ("app_label.ModelName"); see the module's docstring for the arguments."""
        values = {key: tuple(value) if key in _LISTS else value for key, value in kwargs.items()}
        declaration = Declaration(label=label, processing=processing, **values)
        self._declarations[label] = declaration
        return declaration

    def personal_data(self, processing, **kwargs):
        """Class decorator: the model holds personal data for `processing` (a code)."""

        def decorate(model):
            self.declare(model._meta.label, processing, model_class=model, **kwargs)
            return model

        return decorate

    def personal_transitions(self, processing, *, by_user=(), **kwargs):
        """Class decorator for a concrete `core.workflow.TransitionLog`: its author (`by`, `by_label`) and the
        reason given are personal; the records are found through the author and the paths given to the
        person of the logged record (`by_user`, `by_email`, `subject`)."""
        return self.personal_data(
            processing,
            personal=["reason"],
            actors=["by", "by_label"],
            by_user=["by", *by_user],
            categories=[DataCategory.FREE_TEXT, DataCategory.TRACE],
            **kwargs,
        )

    def not_personal(self, **reasons):
        """Class decorator: the model holds nothing personal; `reasons` say why each field that looks
        personal is not (name="the name of a room")."""

        def decorate(model):
            self.declare(model._meta.label, None, not_personal=reasons, model_class=model)
            return model

        return decorate

    def processings(self):
        return dict(self._discovered()._processings)

    def declarations(self):
        """{label: Declaration} of the installed models (a declaration for an app that is not installed, such
        as a third-party one left out, is kept aside)."""
        return {label: d for label, d in self._discovered()._declarations.items() if d.installed}

    def declaration_for(self, model):
        return self.declarations().get(model._meta.label)

    def records_of(self, user=None, member=None, email=None):
        """{model: queryset} of the records of a person — by account, membership or e-mail address — for
        every declared model that can hold such records (lazy querysets, possibly empty)."""
        subject = Subject(user=user, member=member, email=(email or "").strip())
        found = {}
        for declaration in self.declarations().values():
            if declaration.processing is None:
                continue
            condition = declaration.lookup(subject)
            if condition is not None:
                model = declaration.model
                found[model] = model._default_manager.filter(condition)
        return found

    def check(self, models_to_check=None):
        """What is missing or wrong in the declarations of `models_to_check` (every installed model by
        default), one French line per problem naming the model and the field."""
        declarations = self.declarations()
        processings = self.processings()
        person_labels = {_label(settings.AUTH_USER_MODEL)} | {
            label for label, d in declarations.items() if d.is_person
        }
        problems = []
        for model in models_to_check if models_to_check is not None else apps.get_models():
            label = model._meta.label
            declaration = declarations.get(label)
            fields = {f.name: f for f in model_fields(model)}
            declared = set(declaration.declared_fields) if declaration else set()
            if declaration is not None:
                problems += _declaration_problems(declaration, model, fields, processings)
            for name, field in fields.items():
                if name in declared:
                    continue
                target = _label(field.related_model) if field.is_relation and field.related_model else None
                if target in person_labels:
                    problems.append(
                        f"{label}.{name} : lien vers une personne ({target}) non déclaré dans l'inventaire"
                    )
                elif looks_personal(field):
                    problems.append(
                        f"{label}.{name} : champ qui semble personnel, ni déclaré personnel ni marqué non "
                        "personnel avec sa raison"
                    )
        return problems


def _declaration_problems(declaration, model, fields, processings):
    label = model._meta.label
    problems = [
        f"{label}.{name} : champ déclaré dans l'inventaire mais inexistant"
        for name in dict.fromkeys(declaration.declared_fields)
        if name not in fields
    ]
    paths = (*declaration.by_user, *declaration.by_member, *declaration.by_email)
    for path in (*paths, *([declaration.retention_date] if declaration.retention_date else [])):
        if _field_at(model, path) is None:
            problems.append(f"{label} : chemin de recherche « {path} » inexistant")
    problems += [
        f"{label}.{name} : valeur d'anonymisation ou copie d'identité pour un champ non personnel"
        for name in (*declaration.neutral, *declaration.copies)
        if name not in declaration.personal_fields
    ]
    problems += [
        f"{label}.{name} : marqué non personnel sans raison"
        for name, reason in declaration.not_personal.items()
        if not str(reason).strip()
    ]
    both = set(declaration.personal_fields) & set(declaration.not_personal)
    problems += [f"{label}.{name} : déclaré à la fois personnel et non personnel" for name in sorted(both)]
    if declaration.processing is None:
        return problems
    if declaration.processing not in processings:
        problems.append(f"{label} : traitement « {declaration.processing} » non déclaré")
    if not declaration.personal_fields:
        problems.append(f"{label} : déclaré pour un traitement sans aucun champ personnel")
    has_lookup = declaration.by_user or declaration.by_member or declaration.by_email or declaration.subject
    if not has_lookup:
        problems.append(f"{label} : aucun moyen de retrouver les enregistrements d'une personne")
    if not declaration.categories or set(declaration.categories) - set(DataCategory.values):
        problems.append(f"{label} : catégories de données manquantes ou inconnues")
    return problems


# Names and verbose names that look like data about a person. Short words must stand alone ("ip", "nom"), the
# others may be part of a longer name (username, ip_address, reporter_email).
PERSONAL_PATTERNS = re.compile(
    r"name|(?<![a-z])nom(?![a-z])|e-?mail|phone|t[ée]l[ée]phone|address|adresse|birth|naissance|notes?"
    r"|comment|message|(?<![a-z])ip(?![a-z])"
)


def looks_personal(field):
    texts = [field.name.lower(), str(getattr(field, "verbose_name", "") or "").lower()]
    return any(PERSONAL_PATTERNS.search(text) for text in texts)


def model_fields(model):
    """The model's own fields: concrete ones and forward many-to-many, not the reverse relations."""
    return [f for f in model._meta.get_fields() if f.concrete or (f.many_to_many and not f.auto_created)]


def _is(path, obj):
    """The condition "the record at `path` is `obj`" ("pk": the record itself)."""
    return Q(pk=obj.pk) if path == "pk" else Q(**{path: obj})


def _label(model):
    return model if isinstance(model, str) else model._meta.label


def _field_at(model, path):
    """The field reached by the lookup path "a__b__c" from `model`, or None if the path is wrong."""
    if path == "pk":
        return model._meta.pk
    field = None
    for part in path.split("__"):
        if model is None or isinstance(model, str):
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    return field


inventory = Inventory(discover=True)
register = inventory.register
declare = inventory.declare
personal_data = inventory.personal_data
personal_transitions = inventory.personal_transitions
not_personal = inventory.not_personal
records_of = inventory.records_of
processings = inventory.processings
declarations = inventory.declarations
declaration_for = inventory.declaration_for
check = inventory.check

__all__ = [
    "DataCategory",
    "Declaration",
    "EndAction",
    "Inventory",
    "LegalBasis",
    "PersonCategory",
    "Processing",
    "Retention",
    "Subject",
    "check",
    "declaration_for",
    "declarations",
    "declare",
    "inventory",
    "not_personal",
    "personal_data",
    "personal_transitions",
    "processings",
    "records_of",
    "register",
]
