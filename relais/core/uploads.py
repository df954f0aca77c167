"""Uploaded files (logos, documents): checked, stored and served the one way every app uses.

A use declares an `UploadPolicy` (its folder, its size limit, the kinds it accepts); `check(upload,
policy)` reads the file and decides by its *content*, never by its name or by the type the browser sent:
- the size first (refused above the policy's limit, the message gives both sizes);
- the kind from the magic bytes: PNG, JPEG, WebP images, PDF documents. SVG is refused (it may carry
  script), and so is anything else (HTML, GIF/JS polyglots…);
- images are decoded with Pillow (`verify()`, then a full load), their dimensions capped before any pixel is
  decoded (decompression bombs), and re-encoded: no metadata survives (a photo's EXIF GPS position is
  personal data);
- PDFs must start with their header, be read by pypdf (at least one page), and carry neither a password nor
  JavaScript.
The extension of the stored file comes from the content; the stored name is random
(`<folder>/<uuid>.<ext>` under MEDIA_ROOT, outside the static root); the uploaded name is only kept,
sanitised, for display (`CheckedFile.original_name`).

`stored(checked, policy)` writes the file and removes it again if the block that records it in the database
fails, so that no orphan file stays; `delete_on_commit(name)` removes a replaced or deleted file once the
transaction that forgot it has committed. (A rollback of an *enclosing* transaction after the block has
succeeded cannot be seen by Django 5.2, which has no rollback hook: such a file stays, unreferenced.)

Serving (`relais/core/views_files.py`, /fichiers/<app>/<uuid>/): the app that owns the files names, in its
AppConfig, a function `served_files = "dotted.path"` taking (user, file id) and returning a `ServedFile` when
that user may read it, None otherwise (answered 404).
"""

import io
import logging
import re
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .errors import DomainError

logger = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """A kind of file accepted somewhere: its extension (from the content), its HTTP type, its name."""

    extension: str
    content_type: str
    label: str
    pillow_format: str = ""  # images: the format Pillow decodes and re-encodes

    @property
    def is_image(self):
        return bool(self.pillow_format)


PNG = Kind("png", "image/png", "PNG", "PNG")
JPEG = Kind("jpg", "image/jpeg", "JPEG", "JPEG")
WEBP = Kind("webp", "image/webp", "WebP", "WEBP")
PDF = Kind("pdf", "application/pdf", "PDF")
KINDS = {kind.extension: kind for kind in (PNG, JPEG, WEBP, PDF)}
IMAGES = (PNG, JPEG, WEBP)
DOCUMENTS = (PDF, PNG, JPEG, WEBP)


@dataclass(frozen=True)
class UploadPolicy:
    """What one use accepts: `folder` under MEDIA_ROOT (the app's label), the size limit in bytes, the
    kinds, and for images the longest side in pixels (4096: an A4 page scanned at 300 dpi fits, and decoding
    it takes at most 64 MB of memory)."""

    folder: str
    max_bytes: int
    kinds: tuple
    max_side: int = 4096


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed `check`: the bytes to store (re-encoded for an image), their kind, the
    sanitised original name (for display only)."""

    content: bytes
    kind: Kind
    original_name: str

    @property
    def size(self):
        return len(self.content)

    @property
    def download_name(self):
        return download_name(self.original_name, self.kind)


@dataclass(frozen=True)
class ServedFile:
    """What the serving view streams: the stored name, whether anyone may read it (else: private cache,
    as an attachment), and the name offered for download."""

    name: str
    public: bool
    download_name: str = ""
    attachment: bool = False

    @property
    def kind(self):
        return kind_of(self.name)


class UploadRefused(DomainError):
    """The upload is refused: its message says why, in French, naming the field."""


# --- Checking -------------------------------------------------------------------------------------------


def _size(n):
    return filesizeformat(n).replace("\xa0", " ")


def _kinds_text(kinds):
    return ", ".join(kind.label for kind in kinds)


def sniff(head):
    """The kind of a file from its first bytes (None: not a kind Relais knows), by its signature."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def looks_like_svg(head):
    """An XML or SVG text with an <svg> element near its start (refused: SVG may carry script)."""
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and b"<svg" in text


def check(upload, policy, *, field="file"):
    """The `CheckedFile` of an uploaded file (a Django `UploadedFile` or any file object with a `name`),
    or `UploadRefused` with a French message for `field`."""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > policy.max_bytes:
        raise _too_big(declared, policy, field)
    upload.seek(0)
    content = upload.read(policy.max_bytes + 1)
    if len(content) > policy.max_bytes:
        raise _too_big(max(len(content), declared or 0), policy, field)
    if not content:
        raise UploadRefused(_("Le fichier est vide."), field=field)
    kind = sniff(content[:16])
    if kind is None:
        if looks_like_svg(content):
            message = _(
                "Les images SVG ne sont pas acceptées : elles peuvent contenir du code. Types acceptés : "
                "%(kinds)s."
            )
        else:
            message = _(
                "Ce fichier n'est pas d'un type accepté (son contenu a été vérifié, pas seulement son nom). "
                "Types acceptés : %(kinds)s."
            )
        raise UploadRefused(message % {"kinds": _kinds_text(policy.kinds)}, field=field)
    if kind not in policy.kinds:
        raise UploadRefused(
            _("Un fichier %(kind)s n'est pas accepté ici. Types acceptés : %(kinds)s.")
            % {"kind": kind.label, "kinds": _kinds_text(policy.kinds)},
            field=field,
        )
    if kind.is_image:
        content = _clean_image(content, kind, policy, field)
    else:
        _check_pdf(content, field)
    return CheckedFile(content=content, kind=kind, original_name=sanitize_name(getattr(upload, "name", "")))


def _too_big(size, policy, field):
    return UploadRefused(
        _("Le fichier pèse %(size)s, au-delà de la limite de %(limit)s.")
        % {"size": _size(size), "limit": _size(policy.max_bytes)},
        field=field,
        code="too_big",
    )


def _clean_image(content, kind, policy, field):
    """The image decoded, checked and re-encoded in its own format without any metadata."""
    from PIL import Image, ImageOps

    damaged = UploadRefused(_("L'image est illisible ou endommagée."), field=field)
    too_big = UploadRefused(
        _("L'image est trop grande : au-delà de la limite de %(max)d pixels de côté.")
        % {"max": policy.max_side},
        field=field,
    )
    try:
        with Image.open(io.BytesIO(content), formats=[kind.pillow_format]) as probe:
            width, height = probe.size  # read from the header: no pixel decoded yet
            if max(width, height) > policy.max_side:
                message = _(
                    "L'image mesure %(width)d × %(height)d pixels, au-delà de la limite de %(max)d pixels "
                    "de côté."
                )
                values = {"width": width, "height": height, "max": policy.max_side}
                raise UploadRefused(message % values, field=field)
            probe.verify()
        # verify() leaves the image unusable: open it again to decode every pixel.
        with Image.open(io.BytesIO(content), formats=[kind.pillow_format]) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF said, drop the rest
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own guard, at opening
        raise too_big from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise damaged from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind is JPEG or not has_alpha:
        image = image.convert("L" if image.mode in ("1", "L") else "RGB")
    else:
        image = image.convert("RGBA")
    image.info = {}  # no text chunk, EXIF, XMP or comment is written back
    out = io.BytesIO()
    options = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}, "PNG": {}}[kind.pillow_format]
    image.save(out, format=kind.pillow_format, **options)
    return out.getvalue()


_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")


def _check_pdf(content, field):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    damaged = UploadRefused(_("Le document PDF est illisible ou endommagé."), field=field)
    if b"%%EOF" not in content[-2048:]:
        raise damaged
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                _("Le document PDF est protégé par un mot de passe : envoyez-le sans protection."),
                field=field,
            )
        if len(reader.pages) == 0:
            raise damaged
        catalog = reader.trailer["/Root"]
        names = catalog.get("/Names")
        active = "/OpenAction" in catalog or "/AA" in catalog or bool(names and "/JavaScript" in names)
    except UploadRefused:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise damaged from None
    if active or _PDF_ACTIVE.search(content):
        raise UploadRefused(
            _("Le document PDF contient du code ou des fichiers joints : il n'est pas accepté."), field=field
        )


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def sanitize_name(name, max_length=150):
    """The uploaded name made harmless for display and download: its last path part, without control or
    reserved characters, at most `max_length` characters (its extension kept)."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if dot and stem:
        name = f"{stem.rstrip(' .')}.{extension.strip()}"
    if len(name) > max_length:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:10] if dot else ""
        name = (stem if dot else name)[: max_length - len(extension) - 1].rstrip(" .") + (
            "." + extension if extension else ""
        )
    return name or _("fichier")


def download_name(original_name, kind):
    """The name offered for download: the sanitised original name with the extension of the content."""
    name = sanitize_name(original_name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or _('fichier')}.{kind.extension}"


# --- Storing --------------------------------------------------------------------------------------------


def storage():
    return storages["default"]


def new_name(policy, kind):
    return f"{policy.folder}/{uuid.uuid4()}.{kind.extension}"


class StorageFailed(DomainError):
    pass


@contextmanager
def stored(checked, policy):
    """Write `checked` under a new random name (yielded); if the block fails, the file is removed again."""
    name = new_name(policy, checked.kind)
    try:
        saved = storage().save(name, ContentFile(checked.content))
    except OSError:
        logger.exception("upload not written: %s", name)
        if _exists(name):  # a partly written file
            storage().delete(name)
        raise StorageFailed(_("Le fichier n'a pas pu être enregistré : réessayez plus tard.")) from None
    try:
        yield saved
    except BaseException:
        storage().delete(saved)
        raise


def _exists(name):
    try:
        return storage().exists(name)
    except OSError:
        return False


def delete_on_commit(name):
    """Remove the stored file `name` once the current transaction has committed (now, outside one)."""
    if not name:
        return

    def delete():
        try:
            storage().delete(name)
        except OSError:
            logger.exception("stored file not removed: %s", name)

    transaction.on_commit(delete)


# --- Finding and serving ----------------------------------------------------------------------------------


_STORED = re.compile(r"^(?P<folder>[a-z_]+)/(?P<id>[0-9a-f-]{36})\.(?P<ext>[a-z]+)$")


def kind_of(name):
    """The kind of a stored file, from the extension `check` derived from its content."""
    match = _STORED.match(name or "")
    return KINDS.get(match["ext"]) if match else None


def file_id(name):
    match = _STORED.match(name or "")
    return uuid.UUID(match["id"]) if match else None


def candidate_names(folder, id_):
    """The stored names a file of `folder` with this id may have (one per kind)."""
    return [f"{folder}/{id_}.{extension}" for extension in KINDS]


def url_of(name):
    """The address of a stored file: /fichiers/<folder>/<uuid>/, the view asks its owner who may read it."""
    match = _STORED.match(name or "")
    if not match:
        return ""
    return reverse("file", kwargs={"folder": match["folder"], "file_id": match["id"]})


def find(user, folder, id_):
    """The `ServedFile` `user` may read, asking the app whose label is `folder`; None otherwise."""
    try:
        config = apps.get_app_config(folder)
    except LookupError:
        return None
    path = getattr(config, "served_files", None)
    if not path:
        return None
    served = import_string(path)(user, id_)
    if served is None or kind_of(served.name) is None or not served.name.startswith(f"{folder}/"):
        return None
    return served
