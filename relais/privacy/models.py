from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import chain


class AppendOnly(Exception):
    """The audit trail is never changed nor deleted: rows are only appended (and chained, see chain.py)."""


class AuditAction(models.TextChoices):
    CREATE = "create", _("création")
    UPDATE = "update", _("modification")
    DELETE = "delete", _("suppression")
    VIEW = "view", _("consultation")
    IMPORT = "import", _("import")


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))

    def bulk_create(self, objs, *args, **kwargs):
        """Chain the rows in the order given, then insert them (in that order: their ids follow it)."""
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise AppendOnly("audit rows are inserted, never merged")
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.lock_chain(self.db)
            chain.seal(objs, chain.head(self.model, self.db))
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise AppendOnly("audit rows are never updated")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("audit rows are never updated")

    def delete(self):
        raise AppendOnly("audit rows are never deleted")


class AuditEvent(models.Model):
    """Who did what to which record, when, from where, with the values before and after."""

    # Set when the event is built (not at save, as auto_now_add would): the hash is computed from it.
    at = models.DateTimeField(_("date"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    # Kept even if the account is deleted later, and names non-human actors ("import", "api").
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200, blank=True)
    channel = models.CharField(_("canal"), max_length=20, blank=True)  # web, api, command, admin
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    target_type = models.CharField(_("type d'objet"), max_length=100)
    target_id = models.CharField(_("identifiant"), max_length=64)
    target_label = models.CharField(_("objet"), max_length=300, blank=True)
    place = models.ForeignKey(
        "places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    changes = models.JSONField(_("changements"), default=dict, blank=True)  # {field: [before, after]}
    # The chain (chain.py): the previous row's hash, and this row's over its content and that link.
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64, unique=True, editable=False)
    hash = models.CharField(_("empreinte"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        # The instance's DPO: the person given this permission (the DPO of a place has PlaceRole dpo).
        permissions = [("search_auditevent", _("Peut rechercher dans le journal d'audit (DPO)"))]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.target_label}"

    def save(self, *args, **kwargs):
        """Insert the row at the end of the chain; an existing row is never saved again."""
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnly("audit rows are never updated")
        kwargs["force_insert"] = True
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            chain.lock_chain(using)
            chain.seal([self], chain.head(type(self), using))
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit rows are never deleted")


# --- Data-subject requests (GDPR art. 12 to 22) -----------------------------------------------------------
# Imported here, below the audit trail, so that the block stays apart from it.
from relais.core import workflow  # noqa: E402
from relais.core.models import PublicId  # noqa: E402

from .inventory import DataCategory, personal_data, personal_transitions  # noqa: E402

# GDPR art. 12.3: answered within one month of receipt, extended by two further months at most.
ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


class SubjectRequestKind(models.TextChoices):
    ACCESS = "access", _("accès à ses données (art. 15 et 20)")
    RECTIFICATION = "rectification", _("rectification (art. 16)")
    ERASURE = "erasure", _("effacement (art. 17)")
    OBJECTION = "objection", _("opposition (art. 21)")


class SubjectRequestChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    POST = "post", _("courrier")
    FORM = "form", _("formulaire en ligne")
    DESK = "desk", _("sur place, à l'accueil d'un lieu")
    PHONE = "phone", _("téléphone")


class SubjectRequestStatus(models.TextChoices):
    RECEIVED = "received", _("reçue")
    IN_PROGRESS = "in_progress", _("en cours")
    ANSWERED = "answered", _("répondue")
    REFUSED = "refused", _("refusée")


OPEN_REQUEST_STATUSES = (SubjectRequestStatus.RECEIVED, SubjectRequestStatus.IN_PROGRESS)


class SubjectRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def overdue(self, now=None):
        """Open requests whose deadline (extended or not) has passed."""
        now = now or timezone.now()
        return self.open().filter(
            models.Q(extended_to__isnull=True, due_at__lt=now) | models.Q(extended_to__lt=now)
        )


@personal_data(
    "subject_requests",
    personal=[
        "user",
        "member",
        "person_name",
        "person_contact",
        "identity_check",
        "extension_reason",
        "actions",
    ],
    actors=["received_by"],
    by_user=["user", "received_by"],
    by_member=["member"],
    by_email=["person_contact"],
    categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.FREE_TEXT, DataCategory.TRACE],
    retention_date="answered_at",
)
class SubjectRequest(PublicId):
    """A person's request about their data, received by the DPO, answered within the legal deadline."""

    kind = models.CharField(_("demande"), max_length=20, choices=SubjectRequestKind.choices)
    channel = models.CharField(_("reçue par"), max_length=10, choices=SubjectRequestChannel.choices)
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lieu concerné"),
    )
    # The person: an account, a membership, or only the name and contact they gave.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte de la personne"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adhésion de la personne"),
    )
    person_name = models.CharField(_("nom de la personne"), max_length=200, blank=True)
    person_contact = models.CharField(
        _("adresse e-mail ou téléphone de la personne"), max_length=200, blank=True
    )
    identity_checked = models.BooleanField(_("identité vérifiée"), default=False)
    identity_check = models.CharField(_("vérification faite"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("réponse due le"))
    extended_to = models.DateTimeField(_("délai prolongé jusqu'au"), null=True, blank=True)
    extension_reason = models.CharField(_("motif de la prolongation"), max_length=500, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=SubjectRequestStatus.choices, default=SubjectRequestStatus.RECEIVED
    )
    # What was run for it: [{"kind": "erasure" | "export", "at", "by", "dry_run", "report"}].
    actions = models.JSONField(_("opérations effectuées"), default=list, blank=True)
    answered_at = models.DateTimeField(_("réponse envoyée le"), null=True, blank=True)

    objects = SubjectRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'exercice de droits")
        verbose_name_plural = _("demandes d'exercice de droits")
        ordering = ["due_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.received_at:%Y-%m-%d}"

    @property
    def deadline(self):
        return self.extended_to or self.due_at

    @property
    def is_open(self):
        return self.status in OPEN_REQUEST_STATUSES

    def is_overdue(self, now=None):
        return self.is_open and (now or timezone.now()) > self.deadline


SubjectRequest.workflow = workflow.Workflow(
    workflow.Transition(
        "start", sources=[SubjectRequestStatus.RECEIVED], target=SubjectRequestStatus.IN_PROGRESS
    ),
    workflow.Transition("answer", sources=OPEN_REQUEST_STATUSES, target=SubjectRequestStatus.ANSWERED),
    workflow.Transition("refuse", sources=OPEN_REQUEST_STATUSES, target=SubjectRequestStatus.REFUSED),
    log="privacy.SubjectRequestTransition",
)


@personal_transitions("subject_requests", by_user=["request__user"], retention_date="request__answered_at")
class SubjectRequestTransition(workflow.TransitionLog):
    subject_field = "request"
    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'une demande d'exercice de droits")
        verbose_name_plural = _("changements d'état des demandes d'exercice de droits")
