"""What people send about the registry: error reports on a place, and proposals of new places or of
changes (with their life cycles).
Part of the places app's models: `models.py` imports them (they refer to `Place` by name, so that the
modules do not import each other in a circle)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core import workflow
from relais.privacy.inventory import DataCategory, personal_data, personal_transitions


@personal_data(
    "error_reports",
    personal=["reporter_email", "message"],
    actors=["resolved_by"],
    by_user=["resolved_by"],
    by_email=["reporter_email"],
    categories=[DataCategory.CONTACT, DataCategory.FREE_TEXT, DataCategory.TRACE],
    retention_date="resolved_at",
)
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
        "places.Place", on_delete=models.CASCADE, related_name="error_reports", verbose_name=_("lieu")
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


@personal_transitions(
    "error_reports", by_email=["report__reporter_email"], retention_date="report__resolved_at"
)
class ErrorReportTransition(workflow.TransitionLog):
    subject_field = "report"
    report = models.ForeignKey(ErrorReport, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'un signalement")
        verbose_name_plural = _("changements d'état des signalements")


@personal_data(
    "place_proposals",
    personal=["proposed_by", "data", "message"],
    actors=["reviewed_by"],
    by_user=["proposed_by", "reviewed_by"],
    by_email=["data"],
    categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.FREE_TEXT, DataCategory.TRACE],
    retention_date="reviewed_at",
)
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
        "places.Place",
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


@personal_transitions(
    "place_proposals", by_user=["proposal__proposed_by"], retention_date="proposal__reviewed_at"
)
class PlaceProposalTransition(workflow.TransitionLog):
    subject_field = "proposal"
    proposal = models.ForeignKey(PlaceProposal, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("changement d'état d'une proposition de lieu")
        verbose_name_plural = _("changements d'état des propositions de lieux")
