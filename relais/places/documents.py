"""A place's logo and documents: the operations (checked by `relais.core.uploads`, audited), and who may
read each stored file (`served_file`, named by the app's config for the /fichiers/places/<uuid>/ view).

- The logo is public (it is shown on the place's page and in the directory); managers of the place and
  network admins change it, like the rest of the registry entry.
- A document is public (listed on the place's page) or for the team only (manager, staff); the team adds
  and deletes them. A team document is read by that team only: anyone else gets a 404.
The file is written before the database row and removed again when the row cannot be saved; a replaced
logo or a deleted document loses its file once the transaction has committed.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.core import uploads
from relais.core.errors import Conflict, ValidationFailed
from relais.privacy.audit import AuditAction, record

from . import tenancy
from .document_models import DocumentVisibility, PlaceDocument
from .models import Place

FOLDER = "places"  # MEDIA_ROOT/places/<uuid>.<ext>: the app's label, which the serving view asks
LOGO = uploads.UploadPolicy(folder=FOLDER, max_bytes=2 * uploads.MB, kinds=uploads.IMAGES, max_side=2048)
DOCUMENT = uploads.UploadPolicy(folder=FOLDER, max_bytes=10 * uploads.MB, kinds=uploads.DOCUMENTS)
TITLE_MAX = PlaceDocument._meta.get_field("title").max_length


def set_logo(place, upload, actor):
    """Check `upload` and make it the place's logo (the former one is removed after commit)."""
    checked = uploads.check(upload, LOGO, field="logo")
    with uploads.stored(checked, LOGO) as name, transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        former = place.logo.name
        place.logo = name
        place.save(update_fields=["logo", "updated_at"])
        record(actor, AuditAction.UPDATE, place, changes={"logo": [former or None, name]}, place=place)
        uploads.delete_on_commit(former)
    return place


def remove_logo(place, actor):
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place.pk)
        former = place.logo.name
        if not former:
            return place
        place.logo = ""
        place.save(update_fields=["logo", "updated_at"])
        record(actor, AuditAction.UPDATE, place, changes={"logo": [former, None]}, place=place)
        uploads.delete_on_commit(former)
    return place


def add_document(place, *, title, visibility, upload, actor):
    """A new document of `place`; `ValidationFailed` (title, visibility, file) or `Conflict` (a title taken)
    with French messages."""
    title = " ".join((title or "").split())
    errors = {}
    if not title:
        errors["title"] = [_("Donnez un titre au document.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Le titre est trop long (%(max)d caractères au plus).") % {"max": TITLE_MAX}]
    if visibility not in DocumentVisibility.values:
        errors["visibility"] = [_("Choisissez qui peut voir le document.")]
    try:
        checked = uploads.check(upload, DOCUMENT, field="file") if upload is not None else None
    except uploads.UploadRefused as exc:
        errors["file"] = [exc.message]
    else:
        if checked is None:
            errors["file"] = [_("Choisissez le fichier à envoyer.")]
    if errors:
        raise ValidationFailed(errors)
    try:
        with uploads.stored(checked, DOCUMENT) as name, transaction.atomic():
            document = PlaceDocument.objects.create(
                place=place,
                title=title,
                visibility=visibility,
                file=name,
                original_name=checked.original_name,
                size=checked.size,
                uploaded_by=actor.user,
            )
            record(
                actor,
                AuditAction.CREATE,
                document,
                changes={"title": [None, title], "visibility": [None, visibility], "file": [None, name]},
                place=place,
            )
    except IntegrityError:  # the database decides, so that two uploads at once cannot both take a title
        raise Conflict(
            _("Un document de ce lieu porte déjà le titre « %(title)s ».") % {"title": title}, field="title"
        ) from None
    return document


def delete_document(document, actor):
    with transaction.atomic():
        record(
            actor,
            AuditAction.DELETE,
            document,
            changes={"title": [document.title, None], "file": [document.file.name, None]},
            place=document.place,
        )
        document.delete()  # its file goes after commit (document_models: post_delete)


def documents_for(user, place):
    """The documents of `place` that `user` sees: all of them for its team, the public ones otherwise."""
    documents = PlaceDocument.objects.filter(place=place)
    return documents if tenancy.works_for(user, place) else documents.public()


def served_file(user, file_id):
    """Who may read the stored file `file_id` of this app (see relais/core/uploads.py): a place's logo,
    anyone; a public document, anyone; a team document, the place's team. None: a 404."""
    names = uploads.candidate_names(FOLDER, file_id)
    place = Place.objects.filter(logo__in=names).only("pk", "logo").first()
    if place is not None:
        return uploads.ServedFile(name=place.logo.name, public=True)
    document = PlaceDocument.objects.filter(file__in=names).first()
    if document is None:
        return None
    if not document.is_public and not tenancy.works_for(user, document.place_id):
        return None
    return uploads.ServedFile(
        name=document.file.name,
        public=document.is_public,
        download_name=document.download_name,
        attachment=True,
    )
