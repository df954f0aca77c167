"""Domain operations on places, shared by the pages, the API, the importer and the commands.

A place is described by plain data (a dict of field → value, vocabularies as lists of codes, the commune
as an INSEE code) so that every channel validates it the same way.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from relais.core.errors import DomainError, NotFound, ValidationFailed
from relais.privacy.audit import AuditAction, build_event, diff
from relais.privacy.models import AuditEvent
from relais.territory.geo import haversine_km
from relais.territory.services import DbCommuneLookup, resolve_commune

from . import validators
from . import vocabularies as voc
from .models import (
    Accessibility,
    Label,
    LegalForm,
    Place,
    PlaceProposal,
    PlaceStatus,
    PositionSource,
    Public,
    Service,
    Typology,
)

VOCABULARY_MODELS = {"typologies": Typology, "services": Service, "publics": Public, "labels": Label}
LIST_FIELDS = {
    "specific_support": voc.SPECIFIC_SUPPORT,
    "fees": voc.FEES,
    "access_modes": voc.ACCESS_MODES,
    "accompaniment_modes": voc.ACCOMPANIMENT_MODES,
    "itinerancy": voc.ITINERANCY,
}
TEXT_FIELDS = {
    "name": 250,
    "other_labels": 500,
    "access_conditions": 5000,
    "summary": 280,
    "description": 20000,
    "opening_hours_notes": 500,
    "address": 250,
    "address_complement": 250,
    "accessibility_notes": 500,
    "parent_organisation": 250,
    "source": 200,
    "source_id": 200,
}
# Fields a place's data is made of, in the order of a snapshot (audit trail, round-trip tests).
SNAPSHOT_FIELDS = [
    "name",
    "status",
    *VOCABULARY_MODELS,
    "other_labels",
    *LIST_FIELDS,
    "access_conditions",
    "summary",
    "description",
    "opening_hours",
    "opening_hours_notes",
    "address",
    "address_complement",
    "postal_code",
    "code_insee",
    "latitude",
    "longitude",
    "location_approximate",
    "wheelchair",
    "accessibility_notes",
    "accessibility_url",
    "phone",
    "emails",
    "websites",
    "booking_url",
    "legal_form",
    "siret",
    "rna",
    "parent_organisation",
    "source",
    "source_id",
    "source_url",
    "data_updated_on",
    "is_demo",
]
# Beyond this distance from its commune's reference point, a place's position is reported as suspicious.
FAR_FROM_COMMUNE_KM = 30
# `resolve_commune` names the parts of an address as the open-data formats do; errors are reported under
# the name of the field of the place's data.
COMMUNE_ERROR_FIELDS = {"code_postal": "postal_code"}


class Vocabularies:
    """Code → term maps of the four vocabularies, loaded once per operation."""

    def __init__(self):
        self.by_kind = {
            kind: {t.code: t for t in model.objects.all()} for kind, model in VOCABULARY_MODELS.items()
        }

    def terms(self, kind, codes):
        known = self.by_kind[kind]
        unknown = [c for c in codes if c not in known]
        if unknown:
            label = VOCABULARY_MODELS[kind]._meta.verbose_name
            raise ValidationError(
                ngettext(
                    "%(label)s : code inconnu %(unknown)s (codes possibles : %(known)s).",
                    "%(label)s : codes inconnus %(unknown)s (codes possibles : %(known)s).",
                    len(unknown),
                )
                % {"label": label, "unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        return [known[c] for c in dict.fromkeys(codes)]


@dataclass
class CleanedPlace:
    values: dict  # model field → value (commune as a Commune object)
    terms: dict  # vocabulary kind → list of terms
    warnings: list = field(default_factory=list)


def _as_list(value):
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    return [v for v in value if v not in (None, "")]


def _float_or_none(value, name):
    if value is None or value == "":
        return None
    try:
        result = float(str(value).replace(",", "."))
    except ValueError:
        raise ValidationError(
            _("%(name)s « %(value)s » n'est pas un nombre.") % {"name": name, "value": value}
        ) from None
    if result != result:  # NaN
        raise ValidationError(_("%(name)s n'est pas un nombre.") % {"name": name})
    return result


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError(
            _("date « %(value)s » invalide (format attendu : AAAA-MM-JJ).") % {"value": value}
        ) from None


def clean_place_data(data, *, vocabularies=None, partial_of=None, commune_lookup=None):
    """Validate and normalise plain place data. Raises ValidationFailed listing every faulty field.

    With `partial_of` (an existing place), missing keys keep the place's current values.
    """
    vocabularies = vocabularies or Vocabularies()
    current = snapshot(partial_of) if partial_of is not None else {}
    get = (
        (lambda key, default=None: data[key] if key in data else current.get(key, default))
        if current
        else (lambda key, default=None: data.get(key, default))
    )
    errors, values, terms, warnings = {}, {}, {}, []

    def guard(name, fn):
        try:
            return fn()
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
        except DomainError as exc:
            field_name = COMMUNE_ERROR_FIELDS.get(exc.field, exc.field) or name
            errors.setdefault(field_name, []).append(exc.message)
        return None

    for name, max_length in TEXT_FIELDS.items():
        value = (
            " ".join(str(get(name) or "").split()) if name != "description" else str(get(name) or "").strip()
        )
        if len(value) > max_length:
            errors.setdefault(name, []).append(
                _("%(length)s caractères, %(max)s au plus.") % {"length": len(value), "max": max_length}
            )
        values[name] = value
    if not values["name"]:
        errors.setdefault("name", []).append(_("le nom est obligatoire."))

    status = get("status") or PlaceStatus.OPEN
    if status not in PlaceStatus.values:
        errors.setdefault("status", []).append(
            _("statut « %(status)s » inconnu (%(allowed)s).")
            % {"status": status, "allowed": ", ".join(PlaceStatus.values)}
        )
    values["status"] = status
    for name, choices in (("wheelchair", Accessibility), ("legal_form", LegalForm)):
        value = get(name) or ""
        if value and value not in choices.values:
            errors.setdefault(name, []).append(
                _("valeur « %(value)s » inconnue (%(allowed)s).")
                % {"value": value, "allowed": ", ".join(filter(None, choices.values))}
            )
        values[name] = value

    for kind in VOCABULARY_MODELS:
        terms[kind] = guard(kind, lambda kind=kind: vocabularies.terms(kind, _as_list(get(kind)))) or []
    for name, choices in LIST_FIELDS.items():
        allowed = [code for code, _label in choices]
        codes = list(dict.fromkeys(_as_list(get(name))))
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            errors.setdefault(name, []).append(
                ngettext(
                    "valeur inconnue %(unknown)s (%(allowed)s).",
                    "valeurs inconnues %(unknown)s (%(allowed)s).",
                    len(unknown),
                )
                % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
            )
        values[name] = codes

    values["opening_hours"] = (
        guard("opening_hours", lambda: validators.clean_opening_hours(get("opening_hours"))) or ""
    )
    values["siret"] = guard("siret", lambda: validators.clean_siret(get("siret"))) or ""
    values["rna"] = guard("rna", lambda: validators.clean_rna(get("rna"))) or ""
    values["phone"] = guard("phone", lambda: validators.clean_phone(get("phone"))) or ""
    values["emails"] = guard("emails", lambda: validators.clean_emails(_as_list(get("emails")))) or []
    values["websites"] = guard("websites", lambda: validators.clean_urls(_as_list(get("websites")))) or []
    for name, label in (
        ("booking_url", _("le lien de rendez-vous")),
        ("accessibility_url", _("la fiche Acceslibre")),
        ("source_url", _("l'adresse de la source")),
    ):
        values[name] = (
            guard(name, lambda name=name, label=label: validators.clean_url(get(name), label)) or ""
        )
    values["data_updated_on"] = (
        guard("data_updated_on", lambda: _date(get("data_updated_on"))) or datetime.date.today()
    )
    if values["data_updated_on"] > datetime.date.today() + datetime.timedelta(days=1):
        errors.setdefault("data_updated_on", []).append(_("la date de mise à jour est dans le futur."))
    values["is_demo"] = bool(get("is_demo", False))

    postal_code = str(get("postal_code") or "").strip()
    if postal_code and not (len(postal_code) == 5 and postal_code.isdigit()):
        errors.setdefault("postal_code", []).append(
            _("« %(code)s » n'est pas un code postal (5 chiffres).") % {"code": postal_code}
        )
        postal_code = ""
    values["postal_code"] = postal_code
    commune = guard(
        "code_insee",
        lambda: resolve_commune(
            code_insee=get("code_insee") or "",
            postal_code=postal_code,
            name=get("commune_name") or "",
            lookup=commune_lookup,
        ),
    )
    if commune is not None:
        values["commune"] = commune
        if not postal_code:
            codes = sorted((commune_lookup or DbCommuneLookup()).postal_codes(commune))
            values["postal_code"] = codes[0] if len(codes) == 1 else ""

    latitude = guard("latitude", lambda: _float_or_none(get("latitude"), _("la latitude")))
    longitude = guard("longitude", lambda: _float_or_none(get("longitude"), _("la longitude")))
    if "latitude" not in errors and "longitude" not in errors:
        guard("latitude", lambda: validators.check_coordinates(latitude, longitude))
    approximate = bool(get("location_approximate", False))
    if approximate and current and "location_approximate" not in data and "latitude" not in errors:
        # The flag describes the position it was set with: new coordinates are the place's own, and a
        # commune centre follows the place to its new commune.
        if (latitude, longitude) != (current.get("latitude"), current.get("longitude")):
            approximate = False
        elif commune is not None and commune.code_insee != current.get("code_insee"):
            latitude = longitude = None
            approximate = False
    if commune is not None and "latitude" not in errors:
        if latitude is None and commune.latitude is not None:
            latitude, longitude, approximate = commune.latitude, commune.longitude, True
            warnings.append(
                _("pas de coordonnées : position approximative au centre de %(commune)s.")
                % {"commune": commune.name}
            )
        elif latitude is not None and commune.latitude is not None and not approximate:
            distance = float(haversine_km(latitude, longitude, commune.latitude, commune.longitude))
            if distance > FAR_FROM_COMMUNE_KM:
                warnings.append(
                    _("position à %(distance).0f km du centre de %(commune)s (%(code)s) : à vérifier.")
                    % {"distance": distance, "commune": commune.name, "code": commune.code_insee}
                )
    values.update(latitude=latitude, longitude=longitude, location_approximate=approximate)
    if "latitude" not in errors:
        values.update(guard("position_source", lambda: _position_origin(data, partial_of, values)) or {})
    if errors:
        raise ValidationFailed(errors)
    return CleanedPlace(values=values, terms=terms, warnings=warnings)


def _position_origin(data, place, values):
    """Where the cleaned position comes from, and the geocoder's score when it was geocoded.

    An unchanged position keeps its origin; a new one has the origin the data states (`position_source`:
    the team's form, the geocoder), else it is the source list's; a commune centre is always COMMUNE.
    """
    stated = data.get("position_source") or ""
    if stated and stated not in PositionSource.values:
        raise ValidationError(
            _("origine « %(value)s » inconnue (%(allowed)s).")
            % {"value": stated, "allowed": ", ".join(PositionSource.values)}
        )
    position = (values["latitude"], values["longitude"])
    kept = place is not None and position == (place.latitude, place.longitude)
    if values["latitude"] is None:
        origin = ""
    elif values["location_approximate"]:
        origin = PositionSource.COMMUNE
    elif kept and place.position_source not in ("", PositionSource.COMMUNE):
        origin = place.position_source
    else:  # a commune centre is said by `location_approximate`, not stated
        origin = stated if stated in (PositionSource.GEOCODED, PositionSource.TEAM) else PositionSource.SOURCE
    score, geocoded_at = None, None
    if origin == PositionSource.GEOCODED and stated == PositionSource.GEOCODED:
        score = _float_or_none(data.get("geocode_score"), _("le score du géocodage"))
        if score is not None and not 0 <= score <= 1:
            raise ValidationError(_("le score du géocodage doit être compris entre 0 et 1."))
        geocoded_at = data.get("geocoded_at") or timezone.now()
    elif origin == PositionSource.GEOCODED:
        score, geocoded_at = place.geocode_score, place.geocoded_at
    return {"position_source": origin, "geocode_score": score, "geocoded_at": geocoded_at}


def position_facts(place):
    """What the audit trail records of a position's origin, beside its coordinates (`snapshot`)."""
    return {"position_source": place.position_source, "geocode_score": place.geocode_score}


def keep_known_position(place, cleaned):
    """A source list that only knows the commune does not undo a position geocoded or set by the team: the
    importer keeps it while the place stays in its commune."""
    values = cleaned.values
    if (
        values.get("position_source") == PositionSource.COMMUNE
        and place.position_source in (PositionSource.GEOCODED, PositionSource.TEAM)
        and values["commune"].pk == place.commune_id
    ):
        for name in ("latitude", "longitude", "location_approximate", *position_facts(place), "geocoded_at"):
            values[name] = getattr(place, name)


def snapshot(place):
    """Plain data of a place (the same shape `clean_place_data` takes)."""
    data = {}
    for name in SNAPSHOT_FIELDS:
        if name in VOCABULARY_MODELS:
            data[name] = sorted(t.code for t in getattr(place, name).all())
        elif name == "code_insee":
            data[name] = place.commune_id
        elif name == "data_updated_on":
            data[name] = place.data_updated_on.isoformat() if place.data_updated_on else None
        else:
            data[name] = getattr(place, name)
    return data


def _apply(place, cleaned):
    """Write cleaned data to the place; its warnings stay on it (`place.warnings`) for the caller to show."""
    place.warnings = list(cleaned.warnings)
    for name, value in cleaned.values.items():
        setattr(place, name, value)
    place.save()
    for kind, terms in cleaned.terms.items():
        getattr(place, kind).set(terms)


@transaction.atomic
def create_place(data, actor, *, manager=None):
    cleaned = clean_place_data(data)
    place = Place()
    _apply(place, cleaned)
    if manager is not None:
        from relais.accounts.models import PlaceRole

        PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    build_event(actor, AuditAction.CREATE, place, changes=diff({}, snapshot(place)), place=place).save()
    return place


@transaction.atomic
def update_place(place, data, actor):
    """Apply a (partial) change to a place under a row lock, and record it with its before/after values."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    before = {**snapshot(place), **position_facts(place)}
    cleaned = clean_place_data(data, partial_of=place)
    _apply(place, cleaned)
    changes = diff(before, {**snapshot(place), **position_facts(place)})
    if changes:
        build_event(actor, AuditAction.UPDATE, place, changes=changes, place=place).save()
    return place


@transaction.atomic
def delete_place(place, actor):
    build_event(actor, AuditAction.DELETE, place, changes=diff(snapshot(place), {}), place=None).save()
    place.delete()


def get_place(place_id):
    try:
        return Place.objects.with_relations().get(pk=place_id)
    except (Place.DoesNotExist, ValidationError, ValueError):
        raise NotFound(_("lieu introuvable.")) from None


def sync_vocabularies(models=None):
    """Create or update the vocabulary terms shipped with Relais (idempotent; custom terms are kept).

    `models` maps "typologies"/"services"/"publics"/"labels" to model classes (historical ones in a
    data migration); the current models by default.
    """
    models = models or VOCABULARY_MODELS

    def upsert(model, rows, extra=None, offset=0):
        for position, row in enumerate(rows):
            code, name, mednum = row[:3]
            defaults = {"name": name, "mednum_value": mednum, "position": offset + position}
            model.objects.update_or_create(code=code, defaults={**defaults, **(extra(row) if extra else {})})

    # Standard codes that a tiers-lieu typology stands for on its own (RFS is "France Services").
    own = {row[0] for row in voc.TIERS_LIEUX_TYPOLOGIES} | {"RFS"}
    upsert(models["typologies"], voc.TIERS_LIEUX_TYPOLOGIES, lambda row: {"is_tiers_lieu": True})
    upsert(
        models["typologies"],
        [(code, name, code) for code, name in voc.MEDNUM_TYPOLOGIES if code not in own],
        offset=len(own),
    )
    upsert(models["services"], voc.SERVICES)
    upsert(models["publics"], voc.PUBLICS)
    upsert(models["labels"], voc.LABELS, lambda row: {"mednum_field": row[3]})


# --- The history of a place: its audit events, as people read them ------------------------------------

HISTORY_PAGE_SIZE = 200
CHANNELS = {
    "web": gettext_lazy("site"),
    "api": gettext_lazy("API"),
    "command": gettext_lazy("commande"),
    "admin": gettext_lazy("administration"),
}
# Actor labels that name a process, not a person (see the `Actor(label=…)` of the commands and importer).
GENERIC_AUTHORS = {
    "import": gettext_lazy("import de données ouvertes"),
    "démonstration": gettext_lazy("données de démonstration"),
    "système": gettext_lazy("traitement automatique"),
    "anonyme": gettext_lazy("personne non connectée"),
}
EVENT_TITLES = {
    AuditAction.CREATE: gettext_lazy("Fiche créée"),
    AuditAction.UPDATE: gettext_lazy("Fiche modifiée"),
    AuditAction.DELETE: gettext_lazy("Fiche supprimée"),
}
CHOICE_FIELDS = {
    "status": PlaceStatus,
    "wheelchair": Accessibility,
    "legal_form": LegalForm,
    "position_source": PositionSource,
}


@dataclass
class HistoryRow:
    label: str
    before: str
    after: str


@dataclass
class HistoryEvent:
    at: datetime.datetime
    action: str
    title: str
    author: str
    channel: str
    ip_address: str | None
    rows: list
    values_title: str = ""  # a creation (or deletion) lists its values under this title, not as changes


@dataclass
class HistoryPage:
    events: list
    number: int
    pages: int
    count: int


def place_history(place):
    return AuditEvent.objects.filter(
        target_type=Place._meta.label_lower, target_id=str(place.pk)
    ).select_related("actor")


def place_history_page(place, page=1, per_page=HISTORY_PAGE_SIZE):
    """One page of the place's history (most recent first): one event per creation, change or deletion,
    each with the fields it changed under their French names and their values as the pages show them."""
    current = Paginator(place_history(place), per_page).get_page(page)
    events = list(current.object_list)
    readable = _Readable(events)
    proposal = _accepted_proposal(place) if any(e.action == AuditAction.CREATE for e in events) else None
    return HistoryPage(
        events=[_history_event(event, readable, proposal) for event in events],
        number=current.number,
        pages=current.paginator.num_pages,
        count=current.paginator.count,
    )


def _accepted_proposal(place):
    return (
        PlaceProposal.objects.filter(
            place=place, kind=PlaceProposal.Kind.NEW, status=PlaceProposal.Status.ACCEPTED
        )
        .select_related("proposed_by")
        .first()
    )


def _is_empty(value):
    return value is None or value == "" or value == []


def _history_event(event, readable, proposal):
    snapshot_of = {AuditAction.CREATE: 1, AuditAction.DELETE: 0}.get(event.action)
    rows = []
    order = {name: position for position, name in enumerate(SNAPSHOT_FIELDS)}
    for name, (before, after) in sorted(event.changes.items(), key=lambda c: order.get(c[0], len(order))):
        if snapshot_of is not None:
            value = (before, after)[snapshot_of]
            if not _is_empty(value) and value is not False:  # a new place's defaults ("non") say nothing
                rows.append(HistoryRow(readable.label(name), "", readable.value(name, value)))
        elif not (_is_empty(before) and _is_empty(after)):
            rows.append(
                HistoryRow(readable.label(name), readable.value(name, before), readable.value(name, after))
            )
    author, channel = _author(event), str(CHANNELS.get(event.channel, event.channel))
    if event.action == AuditAction.CREATE and proposal is not None:
        # Recorded under the network admin who accepted: the place is the proposer's work, reviewed.
        proposer, proposed_through = proposal.proposed_by.get_username(), _proposal_channel(proposal)
        author = _("proposée par %(proposer)s, acceptée par %(reviewer)s") % {
            "proposer": f"{proposer} ({proposed_through})" if proposed_through else proposer,
            "reviewer": f"{author} ({channel})" if channel else author,
        }
        channel = ""
    values_title = ""
    if snapshot_of is not None:
        values_title = _("Valeurs initiales") if snapshot_of else _("Dernières valeurs")
    return HistoryEvent(
        at=event.at,
        action=event.action,
        title=str(EVENT_TITLES.get(event.action, event.get_action_display())),
        author=author,
        channel=channel,
        ip_address=event.ip_address,
        rows=rows,
        values_title=values_title,
    )


def _author(event):
    """The person when known; a process (an import…) by an honest name, never as if it were someone."""
    person = event.actor.get_username() if event.actor is not None else ""
    generic = GENERIC_AUTHORS.get(event.actor_label)
    if generic is None:
        return event.actor_label or person or _("auteur inconnu")
    return f"{person} ({generic})" if person else str(generic)


def _proposal_channel(proposal):
    channel = (
        AuditEvent.objects.for_object(proposal)
        .filter(action=AuditAction.CREATE)
        .values_list("channel", flat=True)
        .first()
    )
    return str(CHANNELS.get(channel, channel or ""))


class _Readable:
    """Field names and values of audit events as people read them: French names, choices' labels, terms'
    names, communes' names, oui/non, lists joined."""

    def __init__(self, events):
        fields = [*Place._meta.concrete_fields, *Place._meta.many_to_many]
        self.names = {field.name: str(field.verbose_name) for field in fields}
        self.names.update({"code_insee": self.names["commune"], "reason": _("motif")})
        self.choices = {name: dict(choices.choices) for name, choices in CHOICE_FIELDS.items()}
        self.choices.update({name: dict(options) for name, options in LIST_FIELDS.items()})
        names = set().union(*(event.changes for event in events)) if events else set()
        for kind, model in VOCABULARY_MODELS.items():
            if kind in names:
                self.choices[kind] = dict(model.objects.values_list("code", "name"))
        if "code_insee" in names:
            from relais.territory.models import Commune

            codes = {v for e in events for v in e.changes.get("code_insee", ()) if v}
            communes = Commune.objects.filter(pk__in=codes).values_list("pk", "name")
            self.choices["code_insee"] = {code: f"{name} ({code})" for code, name in communes}

    def label(self, name):
        return self.names.get(name, name)

    def value(self, name, value):
        if _is_empty(value):
            return "—"
        if isinstance(value, bool):
            return _("oui") if value else _("non")
        names = self.choices.get(name, {})
        if isinstance(value, list):
            return ", ".join(str(names.get(v, v)) for v in value)
        if name == "data_updated_on":
            try:
                return formats.date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
            except ValueError:
                return str(value)
        if isinstance(value, float):
            return formats.localize(value)
        return str(names.get(value, value))
