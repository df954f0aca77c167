"""A place's documents (its rules, a price list…), uploaded by its team, public or for the team only.

The files are checked and stored by `relais.core.uploads` (random names under MEDIA_ROOT/places/); the
operations are in `places/documents.py`. Imported by `places/models.py`, so that Django finds the model.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from relais.core import uploads
from relais.privacy.inventory import DataCategory, personal_data

from .tenancy import PlaceOwnedQuerySet


class DocumentVisibility(models.TextChoices):
    PUBLIC = "public", _("public : visible sur la page du lieu")
    TEAM = "team", _("équipe du lieu seulement")


class PlaceDocumentQuerySet(PlaceOwnedQuerySet):
    person_paths = ("uploaded_by",)

    def public(self):
        return self.filter(visibility=DocumentVisibility.PUBLIC)


@personal_data(
    "place_documents",
    # A document is the place's, but what it holds is free: a list of names, a contact, minutes…
    personal=["file", "original_name", "title"],
    actors=["uploaded_by"],
    by_user=["uploaded_by"],
    categories=[DataCategory.FREE_TEXT, DataCategory.TRACE],
)
class PlaceDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="documents", verbose_name=_("lieu")
    )
    title = models.CharField(_("titre"), max_length=150)
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=DocumentVisibility.choices, default=DocumentVisibility.TEAM
    )
    # The stored name (places/<uuid>.<ext>, the extension from the content), never the uploaded one.
    file = models.FileField(_("fichier"), max_length=100, editable=False)
    original_name = models.CharField(_("nom du fichier envoyé"), max_length=150, blank=True)
    size = models.PositiveIntegerField(_("taille en octets"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    uploaded_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    objects = PlaceDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document du lieu")
        verbose_name_plural = _("documents du lieu")
        ordering = ["title", "uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["place", "title"], name="unique_place_document_title"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.visibility == DocumentVisibility.PUBLIC

    @property
    def kind(self):
        return uploads.kind_of(self.file.name)

    @property
    def url(self):
        return uploads.url_of(self.file.name)

    @property
    def download_name(self):
        kind = self.kind
        return uploads.download_name(self.original_name or self.title, kind) if kind else ""


@receiver(post_delete, sender=PlaceDocument, dispatch_uid="place_document_file")
def _document_deleted(sender, instance, **kwargs):
    # Also when a place's deletion cascades to its documents: the file goes once the deletion commits.
    uploads.delete_on_commit(instance.file.name)


@receiver(post_delete, sender="places.Place", dispatch_uid="place_logo_file")
def _place_deleted(sender, instance, **kwargs):
    uploads.delete_on_commit(instance.logo.name)
