"""The deduplication of the registry (`dedup.py`): what each source said of a place, and the possible
duplicates with their review.
Part of the places app's models: `models.py` imports them (they refer to `Place` by name, so that the
modules do not import each other in a circle)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core import workflow
from relais.core.models import PublicId
from relais.privacy.inventory import DataCategory, personal_data, personal_transitions

# --- Deduplication of the registry (dedup.py) -----------------------------------------------------------


@personal_data("registry", personal=["data"], by_email=["data"], categories=[DataCategory.CONTACT])
class PlaceSourceRecord(models.Model):
    """What one source said of a place, kept when places are merged: every field of the merged place is
    traced to the record it comes from (`fields_kept`), and the record's (source, source_id) is an alias, so
    that re-importing that source updates the kept place instead of re-creating the duplicate."""

    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="source_records", verbose_name=_("lieu")
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


@personal_data(
    "registry",
    actors=["decided_by"],
    by_user=["decided_by"],
    categories=[DataCategory.TRACE],
    not_personal={
        "name_a": "the name of a place (a structure)",
        "name_b": "the name of a place (a structure)",
    },
)
class DuplicateCandidate(PublicId):
    """Two places of the registry that may be the same one, waiting for a network admin's decision (or
    merged at once by `dedupe_places` when sure). A pair kept apart is never proposed again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à examiner")
        MERGED = "merged", _("fusionnés")
        KEPT_APART = "kept_apart", _("lieux distincts")

    place_a = models.ForeignKey(
        "places.Place",
        on_delete=models.SET_NULL,
        null=True,
        related_name="duplicates_as_a",
        verbose_name=_("lieu A"),
    )
    place_b = models.ForeignKey(
        "places.Place",
        on_delete=models.SET_NULL,
        null=True,
        related_name="duplicates_as_b",
        verbose_name=_("lieu B"),
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


@personal_transitions("registry")
class DuplicateCandidateTransition(workflow.TransitionLog):
    subject_field = "candidate"
    candidate = models.ForeignKey(DuplicateCandidate, on_delete=models.CASCADE, related_name="transitions")

    class Meta(workflow.TransitionLog.Meta):
        verbose_name = _("décision sur un doublon possible")
        verbose_name_plural = _("décisions sur les doublons possibles")
