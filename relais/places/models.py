import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from relais.core import uploads
from relais.core.text import normalize_name
from relais.privacy.inventory import DataCategory, not_personal, personal_data
from relais.territory.timezones import PARIS, timezone_of

from . import validators
from . import vocabularies as voc


class VocabularyTerm(models.Model):
    """A term of a controlled vocabulary (typology, service, public, label)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    mednum_value = models.CharField(_("valeur dans le standard national"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


@not_personal(name="the name of a term of a vocabulary")
class Typology(VocabularyTerm):
    is_tiers_lieu = models.BooleanField(_("typologie de tiers-lieu"), default=False)

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("typologie")
        verbose_name_plural = _("typologies")


@not_personal(name="the name of a term of a vocabulary")
class Service(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")


@not_personal(name="the name of a term of a vocabulary")
class Public(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("public")
        verbose_name_plural = _("publics")


@not_personal(name="the name of a term of a vocabulary")
class Label(VocabularyTerm):
    mednum_field = models.CharField(_("colonne du standard national"), max_length=40, blank=True)

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("label ou programme")
        verbose_name_plural = _("labels et programmes")


class PlaceStatus(models.TextChoices):
    PROJECT = "project", _("en projet")
    OPEN = "open", _("ouvert")
    CLOSED = "closed", _("fermé définitivement")


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("association")
    SCIC = "scic", _("SCIC")
    SCOP = "scop", _("SCOP")
    COMPANY = "company", _("société commerciale (SAS, SARL…)")
    COMMUNE = "commune", _("commune")
    EPCI = "epci", _("EPCI")
    DEPARTMENT = "department", _("département")
    REGION = "region", _("région")
    PUBLIC_BODY = "public_body", _("établissement public")
    GIP = "gip", _("groupement d'intérêt public")
    STATE = "state", _("service de l'État")
    OTHER = "other", _("autre")


class PositionSource(models.TextChoices):
    """Where a place's coordinates come from (`Place.location_approximate` iff COMMUNE)."""

    SOURCE = "source", _("donnée par la liste source")
    GEOCODED = "geocoded", _("géocodée depuis l'adresse")
    COMMUNE = "commune", _("centre de la commune")
    TEAM = "team", _("placée par l'équipe du lieu")


class Accessibility(models.TextChoices):
    UNKNOWN = "", _("non renseigné")
    YES = "yes", _("accessible en fauteuil roulant")
    PARTIAL = "partial", _("partiellement accessible")
    NO = "no", _("non accessible")


@deconstructible
class ChoicesListValidator:
    """Checks that a JSON list holds only codes of a closed list (`vocabularies.<name>`)."""

    def __init__(self, vocabulary, label):
        self.vocabulary = vocabulary
        self.label = label

    def __call__(self, value):
        allowed = {code for code, _name in getattr(voc, self.vocabulary)}
        if not isinstance(value, list):
            raise ValidationError(_("%(field)s : une liste est attendue.") % {"field": self.label})
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValidationError(
                ngettext(
                    "%(field)s : valeur inconnue %(unknown)s ; valeurs possibles : %(allowed)s.",
                    "%(field)s : valeurs inconnues %(unknown)s ; valeurs possibles : %(allowed)s.",
                    len(unknown),
                )
                % {
                    "field": self.label,
                    "unknown": ", ".join(map(str, unknown)),
                    "allowed": ", ".join(sorted(allowed)),
                }
            )

    def __eq__(self, other):
        return isinstance(other, ChoicesListValidator) and other.vocabulary == self.vocabulary


class PlaceQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Places `user` may edit: all for network admins, their own for managers (`tenancy`)."""
        from .tenancy import editable_places

        return self.filter(pk__in=editable_places(user).values("pk"))

    def visible(self):
        return self.exclude(status=PlaceStatus.CLOSED)

    def within_box(self, south, north, west, east):
        return self.filter(latitude__range=(south, north), longitude__range=(west, east))

    def with_relations(self):
        return self.select_related("commune__department__region").prefetch_related(
            "typologies", "services", "publics", "labels"
        )


@personal_data(
    "registry",  # see places/processings.py: a structure's contact may be a person's
    personal=["phone", "emails"],
    by_email=["emails"],
    categories=[DataCategory.CONTACT],
    not_personal={
        "name": "the name of a structure",
        "address": "the address of the premises, published",
        "address_complement": "the address of the premises, published",
        "opening_hours_notes": "notes on the opening hours of the place",
        "accessibility_notes": "notes on the accessibility of the premises",
        "source_url": "the address of a data source",
    },
)
class Place(models.Model):
    """A tiers-lieu, an EPN, a France Services… : what the national registry of places carries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("nom"), max_length=250)
    status = models.CharField(
        _("statut"), max_length=10, choices=PlaceStatus.choices, default=PlaceStatus.OPEN
    )

    typologies = models.ManyToManyField(
        Typology, blank=True, related_name="places", verbose_name=_("typologies")
    )
    services = models.ManyToManyField(Service, blank=True, related_name="places", verbose_name=_("services"))
    publics = models.ManyToManyField(
        Public, blank=True, related_name="places", verbose_name=_("publics spécifiquement accueillis")
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="places", verbose_name=_("labels et programmes")
    )
    other_labels = models.CharField(_("autres labels et formations"), max_length=500, blank=True)
    specific_support = models.JSONField(
        _("prise en charge spécifique"),
        default=list,
        blank=True,
        validators=[ChoicesListValidator("SPECIFIC_SUPPORT", "prise en charge spécifique")],
    )
    fees = models.JSONField(
        _("frais à charge"),
        default=list,
        blank=True,
        validators=[ChoicesListValidator("FEES", "frais à charge")],
    )
    access_modes = models.JSONField(
        _("modalités d'accès"),
        default=list,
        blank=True,
        validators=[ChoicesListValidator("ACCESS_MODES", "modalités d'accès")],
    )
    accompaniment_modes = models.JSONField(
        _("modalités d'accompagnement"),
        default=list,
        blank=True,
        validators=[ChoicesListValidator("ACCOMPANIMENT_MODES", "modalités d'accompagnement")],
    )
    itinerancy = models.JSONField(
        _("itinérance"),
        default=list,
        blank=True,
        validators=[ChoicesListValidator("ITINERANCY", "itinérance")],
    )
    access_conditions = models.TextField(_("conditions d'accès"), blank=True)

    summary = models.CharField(_("présentation courte"), max_length=280, blank=True)
    description = models.TextField(_("présentation détaillée"), blank=True)
    # Stored by relais.core.uploads (places/<uuid>.<ext>, re-encoded, no metadata); set by documents.set_logo.
    logo = models.FileField(_("logo"), max_length=100, blank=True, editable=False)

    opening_hours = models.CharField(
        _("horaires d'ouverture"),
        max_length=1000,
        blank=True,
        help_text=_("Syntaxe OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; PH off »."),
        validators=[validators.clean_opening_hours],
    )
    opening_hours_notes = models.CharField(_("précisions sur les horaires"), max_length=500, blank=True)

    address = models.CharField(_("adresse"), max_length=250, blank=True)
    address_complement = models.CharField(_("complément d'adresse"), max_length=250, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, related_name="places", verbose_name=_("commune")
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_approximate = models.BooleanField(
        _("position approximative (centre de la commune)"), default=False
    )
    position_source = models.CharField(
        _("origine de la position"),
        max_length=10,
        choices=PositionSource.choices,
        default=PositionSource.SOURCE,
        blank=True,
    )
    # The geocoder's own confidence (0–1) in the address it matched, kept with a geocoded position.
    geocode_score = models.FloatField(_("score du géocodage"), null=True, blank=True)
    geocoded_at = models.DateTimeField(_("géocodée le"), null=True, blank=True)

    wheelchair = models.CharField(
        _("accessibilité en fauteuil roulant"), max_length=10, choices=Accessibility.choices, blank=True
    )
    accessibility_notes = models.CharField(_("précisions sur l'accessibilité"), max_length=500, blank=True)
    accessibility_url = models.URLField(_("fiche Acceslibre"), max_length=500, blank=True)

    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    emails = models.JSONField(_("adresses e-mail"), default=list, blank=True)
    websites = models.JSONField(_("sites web"), default=list, blank=True)
    booking_url = models.URLField(_("lien de prise de rendez-vous"), max_length=500, blank=True)

    legal_form = models.CharField(_("forme juridique"), max_length=20, choices=LegalForm.choices, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True)
    parent_organisation = models.CharField(_("structure parente ou réseau"), max_length=250, blank=True)

    source = models.CharField(_("source des données"), max_length=200, blank=True)
    source_id = models.CharField(_("identifiant dans la source"), max_length=200)
    source_url = models.URLField(_("adresse de la source"), max_length=500, blank=True)
    data_updated_on = models.DateField(_("date de mise à jour des données"), default=timezone.localdate)
    # When the managers were last reminded to confirm the data (remind_stale_places): never twice in 30 days.
    reminder_sent_on = models.DateField(_("dernier rappel de mise à jour envoyé le"), null=True, blank=True)
    is_demo = models.BooleanField(_("lieu de démonstration"), default=False)

    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="unique_place_source_id"),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="place_lat_lon")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.source_id:
            self.source_id = str(self.id)
        self.search_text = self.build_search_text()
        # The flag and the origin say the same thing: a commune centre is approximate, nothing else is.
        if self.location_approximate:
            self.position_source = PositionSource.COMMUNE
        elif self.position_source == PositionSource.COMMUNE:
            self.position_source = PositionSource.SOURCE
        super().save(*args, **kwargs)

    @property
    def timezone(self):
        """The place's local time zone (overseas départements have their own)."""
        return timezone_of(self.commune.department_id) if self.commune_id else PARIS

    def build_search_text(self):
        commune_name = self.commune.name if self.commune_id else ""
        return normalize_name(" ".join(filter(None, [self.name, commune_name, self.parent_organisation])))

    def clean(self):
        try:
            validators.check_coordinates(self.latitude, self.longitude)
        except ValidationError as exc:
            raise ValidationError({"latitude": exc.messages}) from None
        if self.siret:
            try:
                self.siret = validators.clean_siret(self.siret)
            except ValidationError as exc:
                raise ValidationError({"siret": exc.messages}) from None

    @property
    def pivot(self):
        """Identifier of the structure in the national standard: SIRET, else RNA."""
        return self.siret or self.rna

    @property
    def phone_display(self):
        return validators.format_phone(self.phone)

    @property
    def logo_url(self):
        """The logo's address (/fichiers/places/<uuid>/, public), "" without a logo."""
        return uploads.url_of(self.logo.name)


class RegistryVersion(models.Model):
    """A token that changes with every write to the registry, in the same transaction.

    Each process keeps an in-memory index of the places (search.py) and rebuilds it when the token it was
    built from is no longer the current one: a random token (not a counter) so that a rolled-back write
    can never come back with the token of other data.
    """

    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("version du registre")

    def __str__(self):
        return str(self.token)

    @classmethod
    def current(cls):
        token = cls.objects.filter(pk=1).values_list("token", flat=True).first()
        if token is None:
            token = cls.objects.get_or_create(pk=1)[0].token
        return token

    @classmethod
    def bump(cls):
        if not cls.objects.filter(pk=1).update(token=uuid.uuid4(), changed_at=timezone.now()):
            cls.objects.get_or_create(pk=1)


# The app's other models, in their own modules (the classes are defined there, against `Place` above).
from .contribution_models import (  # noqa: E402, F401
    ErrorReport,
    ErrorReportTransition,
    PlaceProposal,
    PlaceProposalTransition,
)
from .dedup_models import DuplicateCandidate, DuplicateCandidateTransition, PlaceSourceRecord  # noqa: E402, F401
from .document_models import DocumentVisibility, PlaceDocument  # noqa: E402, F401
