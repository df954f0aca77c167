import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from relais.core import workflow
from relais.core.text import normalize_name
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


class Typology(VocabularyTerm):
    is_tiers_lieu = models.BooleanField(_("typologie de tiers-lieu"), default=False)

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("typologie")
        verbose_name_plural = _("typologies")


class Service(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")


class Public(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("public")
        verbose_name_plural = _("publics")


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
                _("%(field)s : valeur(s) inconnue(s) %(unknown)s ; valeurs possibles : %(allowed)s.")
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


class ErrorReport(models.Model):
    """Someone tells a place's managers that part of its public data is wrong.

    The reporter's e-mail address is optional, kept only to answer them, and shown only to the managers
    of that place and to network admins.
    """

    class Kind(models.TextChoices):
        HOURS = "hours", _("horaires")
        ADDRESS = "address", _("adresse")
        CONTACT = "contact", _("contact")
        SERVICES = "services", _("services")
        CLOSED = "closed", _("lieu fermé définitivement")
        OTHER = "other", _("autre")

    class Status(models.TextChoices):
        OPEN = "open", _("à traiter")
        RESOLVED = "resolved", _("traité")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="error_reports", verbose_name=_("lieu")
    )
    kind = models.CharField(_("ce qui est inexact"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message"), max_length=2000)
    reporter_email = models.EmailField(_("e-mail de la personne qui signale"), blank=True)
    created_at = models.DateTimeField(_("signalé le"), auto_now_add=True, db_index=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traité par"),
    )
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement d'erreur")
        verbose_name_plural = _("signalements d'erreur")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place", "status"], name="errorreport_place_status")]

    def __str__(self):
        return f"{self.place} — {self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


def _edits_the_place(record, actor, at):
    from .tenancy import editable_places, is_network_admin

    user = getattr(actor, "user", None)
    if is_network_admin(user) or editable_places(user).filter(pk=record.place_id).exists():
        return
    raise workflow.Forbidden(_("Seuls les gérants du lieu et les administrateurs du réseau le peuvent."))


ErrorReport.workflow = workflow.Workflow(
    workflow.Transition(
        "resolve",
        sources=[ErrorReport.Status.OPEN],
        target=ErrorReport.Status.RESOLVED,
        guard=_edits_the_place,
    ),
    log="places.ErrorReportTransition",
)


class ErrorReportTransition(workflow.TransitionLog):
    subject_field = "report"
    report = models.ForeignKey(ErrorReport, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'un signalement")
        verbose_name_plural = _("changements d'état des signalements")


class PlaceProposal(models.Model):
    """Someone who is not a network admin proposes a new place, or claims to run an existing one. Nothing
    is published and no one becomes a manager until a network admin accepts it."""

    class Kind(models.TextChoices):
        NEW = "new", _("nouveau lieu")
        CLAIM = "claim", _("demande de gestion d'un lieu")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("en attente")
        ACCEPTED = "accepted", _("acceptée")
        REJECTED = "rejected", _("refusée")
        WITHDRAWN = "withdrawn", _("retirée")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    place = models.ForeignKey(
        Place,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("lieu"),
        help_text=_("Le lieu demandé (gestion), ou celui créé quand la proposition est acceptée."),
    )
    data = models.JSONField(_("fiche proposée"), default=dict, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="place_proposals",
        verbose_name=_("proposée par"),
    )
    created_at = models.DateTimeField(_("proposée le"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("examinée le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("examinée par"),
    )

    class Meta:
        verbose_name = _("proposition de lieu")
        verbose_name_plural = _("propositions de lieux")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposed_by", "place"],
                condition=models.Q(status="proposed", kind="claim"),
                name="one_pending_claim_per_person_and_place",
            )
        ]

    def __str__(self):
        name = self.place.name if self.place_id else self.data.get("name", "")
        return f"{self.get_kind_display()} : {name}"

    @property
    def name(self):
        return self.place.name if self.place_id else self.data.get("name", "")

    @property
    def review_reason(self):
        """The reason a network admin gave with their decision (refusals), from the transition log."""
        if self.status not in (self.Status.REJECTED, self.Status.ACCEPTED):
            return ""
        last = self.transitions.exclude(reason="").order_by("-at", "-id").first()
        return last.reason if last is not None else ""


def _reviewer(proposal, actor, at):
    from .tenancy import is_network_admin

    if not is_network_admin(getattr(actor, "user", None)):
        raise workflow.Forbidden(_("Seul un administrateur du réseau examine les propositions."))


def _proposer(proposal, actor, at):
    user = getattr(actor, "user", None)
    if user is None or user.pk != proposal.proposed_by_id:
        raise workflow.Forbidden(_("Seule la personne qui a fait la proposition peut la retirer."))


_pending = [PlaceProposal.Status.PROPOSED]
PlaceProposal.workflow = workflow.Workflow(
    workflow.Transition("accept", sources=_pending, target=PlaceProposal.Status.ACCEPTED, guard=_reviewer),
    workflow.Transition("reject", sources=_pending, target=PlaceProposal.Status.REJECTED, guard=_reviewer),
    workflow.Transition("withdraw", sources=_pending, target=PlaceProposal.Status.WITHDRAWN, guard=_proposer),
    log="places.PlaceProposalTransition",
)


class PlaceProposalTransition(workflow.TransitionLog):
    subject_field = "proposal"
    proposal = models.ForeignKey(PlaceProposal, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'une proposition de lieu")
        verbose_name_plural = _("changements d'état des propositions de lieux")


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


# --- Deduplication of the registry (dedup.py) -----------------------------------------------------------


class PlaceSourceRecord(models.Model):
    """What one source said of a place, kept when places are merged: every field of the merged place is
    traced to the record it comes from (`fields_kept`), and the record's (source, source_id) is an alias, so
    that re-importing that source updates the kept place instead of re-creating the duplicate."""

    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="source_records", verbose_name=_("lieu")
    )
    source = models.CharField(_("source des données"), max_length=200, blank=True)
    source_id = models.CharField(_("identifiant dans la source"), max_length=200)
    data = models.JSONField(_("données de la source"), default=dict, blank=True)
    confirmed_on = models.DateField(_("données de la source à jour au"), null=True, blank=True)
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)
    fields_kept = models.JSONField(_("champs du lieu venant de cette source"), default=list, blank=True)

    class Meta:
        verbose_name = _("données d'une source pour un lieu")
        verbose_name_plural = _("données des sources pour les lieux")
        ordering = ["-confirmed_on", "source", "source_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="unique_place_source_record"),
        ]

    def __str__(self):
        return f"{self.source} : {self.source_id}"


class DuplicateCandidate(models.Model):
    """Two places of the registry that may be the same one, waiting for a network admin's decision (or
    merged at once by `dedupe_places` when sure). A pair kept apart is never proposed again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à examiner")
        MERGED = "merged", _("fusionnés")
        KEPT_APART = "kept_apart", _("lieux distincts")

    place_a = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, related_name="duplicates_as_a", verbose_name=_("lieu A")
    )
    place_b = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, related_name="duplicates_as_b", verbose_name=_("lieu B")
    )
    name_a = models.CharField(_("nom du lieu A"), max_length=250, blank=True)
    name_b = models.CharField(_("nom du lieu B"), max_length=250, blank=True)
    score = models.SmallIntegerField(_("score"), default=0)
    reasons = models.JSONField(_("raisons du score"), default=list, blank=True)
    conflicts = models.JSONField(_("valeurs en conflit"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("doublon possible")
        verbose_name_plural = _("doublons possibles")
        ordering = ["-score", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place_a", "place_b"], name="unique_duplicate_pair"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_status_score")]

    def __str__(self):
        return f"{self.name_a} / {self.name_b} ({self.score})"


def _dedup_reviewer(candidate, actor, at):
    from .tenancy import is_network_admin

    user = getattr(actor, "user", None)
    if user is None and getattr(actor, "channel", "") == "command":
        return  # dedupe_places merging the sure matches
    if not is_network_admin(user):
        raise workflow.Forbidden(_("Seul un administrateur du réseau décide des doublons."))


_undecided = [DuplicateCandidate.Status.PENDING]
DuplicateCandidate.workflow = workflow.Workflow(
    workflow.Transition(
        "merge", sources=_undecided, target=DuplicateCandidate.Status.MERGED, guard=_dedup_reviewer
    ),
    workflow.Transition(
        "keep_apart", sources=_undecided, target=DuplicateCandidate.Status.KEPT_APART, guard=_dedup_reviewer
    ),
    log="places.DuplicateCandidateTransition",
    place_path="place_a",
)


class DuplicateCandidateTransition(workflow.TransitionLog):
    subject_field = "candidate"
    candidate = models.ForeignKey(DuplicateCandidate, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("décision sur un doublon possible")
        verbose_name_plural = _("décisions sur les doublons possibles")
