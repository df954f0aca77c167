"""Uploads are judged by their content and size, images re-encoded without metadata, stored under a random
name outside the static root, and never left behind when what records them fails (relais/core/uploads.py)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from relais.core import uploads
from relais.core.tests import samples
from relais.testing import assert_french

LOGO = uploads.UploadPolicy(folder="essais", max_bytes=2 * uploads.MB, kinds=uploads.IMAGES, max_side=2048)
DOCUMENT = uploads.UploadPolicy(folder="essais", max_bytes=10 * uploads.MB, kinds=uploads.DOCUMENTS)
PDF_ONLY = uploads.UploadPolicy(folder="essais", max_bytes=10 * uploads.MB, kinds=(uploads.PDF,))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def refusal(content, policy=LOGO, name="logo.png", field="logo"):
    with pytest.raises(uploads.UploadRefused) as caught:
        uploads.check(samples.upload(content, name), policy, field=field)
    assert caught.value.field == field
    assert_french(caught.value.message)
    return caught.value.message


# --- Size -------------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit():
    content = samples.png() + b"\x00" * (3 * uploads.MB)

    message = refusal(content)

    assert message == "Le fichier pèse 3,0 Mio, au-delà de la limite de 2,0 Mio."


def test_a_file_whose_declared_size_is_small_is_still_measured():
    class Lying(io.BytesIO):
        name = "logo.png"
        size = 10

    with pytest.raises(uploads.UploadRefused, match="au-delà de la limite de 2,0 Mio"):
        uploads.check(Lying(samples.png() + b"\x00" * (2 * uploads.MB)), LOGO, field="logo")


def test_an_empty_file_is_refused():
    assert refusal(b"") == "Le fichier est vide."


# --- Content, not name ----------------------------------------------------------------------------


def test_a_png_named_pdf_is_typed_by_its_content():
    checked = uploads.check(samples.upload(samples.png(), "reglement.pdf", "application/pdf"), DOCUMENT)

    assert checked.kind is uploads.PNG
    assert checked.download_name == "reglement.png"


def test_a_png_named_pdf_is_refused_where_only_pdf_is_accepted():
    message = refusal(samples.png(), PDF_ONLY, name="reglement.pdf", field="file")

    assert message == "Un fichier PNG n'est pas accepté ici. Types acceptés : PDF."


def test_an_html_page_named_logo_png_is_refused():
    message = refusal(samples.HTML_PAGE, name="logo.png")

    assert "n'est pas d'un type accepté" in message
    assert "PNG, JPEG, WebP" in message


def test_a_gif_javascript_polyglot_is_refused():
    message = refusal(samples.GIF_JS_POLYGLOT, name="logo.gif")

    assert "n'est pas d'un type accepté" in message


def test_an_svg_with_a_script_is_refused_and_told_why():
    message = refusal(samples.SVG_WITH_SCRIPT, name="logo.svg")

    assert message.startswith("Les images SVG ne sont pas acceptées : elles peuvent contenir du code.")


def test_a_truncated_png_is_refused():
    whole = samples.png(400, 300, color=(1, 2, 3))
    assert uploads.check(samples.upload(whole, "logo.png"), LOGO).kind is uploads.PNG

    assert refusal(whole[: len(whole) // 2]) == "L'image est illisible ou endommagée."


def test_a_png_of_huge_dimensions_is_refused_before_it_is_decoded():
    bomb = samples.huge_png(30000)  # 900 million pixels in about 100 kB
    assert len(bomb) < 2 * uploads.MB

    message = refusal(bomb)

    assert "au-delà de la limite de 2048 pixels de côté" in message


def test_an_image_over_the_policy_side_gives_its_dimensions():
    message = refusal(samples.png(3000, 10))

    assert message == "L'image mesure 3000 × 10 pixels, au-delà de la limite de 2048 pixels de côté."


def test_jpeg_and_webp_images_are_accepted():
    assert uploads.check(samples.upload(samples.jpeg_with_gps(), "photo.jpeg"), LOGO).kind is uploads.JPEG
    assert uploads.check(samples.upload(samples.webp(), "logo.webp"), LOGO).kind is uploads.WEBP


# --- Images lose their metadata -------------------------------------------------------------------


def test_the_exif_of_a_jpeg_with_its_gps_position_is_stripped():
    original = samples.jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(samples.GPS_IFD)  # the photo says where it was taken

    checked = uploads.check(samples.upload(original, "photo.jpg"), LOGO)

    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"Exif" not in checked.content
    assert b"Fabricant" not in checked.content


def test_the_text_chunks_of_a_png_are_stripped():
    original = samples.png(Author="Jeanne Martin", Comment="chez moi, 3 rue des Lilas")
    assert b"Jeanne Martin" in original

    checked = uploads.check(samples.upload(original, "logo.png"), LOGO)

    assert b"Jeanne Martin" not in checked.content
    assert b"Lilas" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.getpixel((0, 0)) == (200, 30, 30)


# --- PDF --------------------------------------------------------------------------------------------


def test_a_pdf_read_by_pypdf_is_accepted():
    checked = uploads.check(samples.upload(samples.pdf(pages=2), "tarifs.PDF"), DOCUMENT, field="file")

    assert checked.kind is uploads.PDF
    assert checked.content == samples.pdf(pages=2)


def test_a_truncated_pdf_is_refused():
    message = refusal(samples.pdf()[:300], DOCUMENT, name="tarifs.pdf", field="file")

    assert message == "Le document PDF est illisible ou endommagé."


def test_a_pdf_header_on_garbage_is_refused():
    message = refusal(
        b"%PDF-1.7\n" + b"n'importe quoi " * 50 + b"\n%%EOF", DOCUMENT, name="a.pdf", field="file"
    )

    assert message == "Le document PDF est illisible ou endommagé."


def test_a_pdf_running_javascript_is_refused():
    message = refusal(samples.pdf(javascript=True), DOCUMENT, name="tarifs.pdf", field="file")

    assert message == "Le document PDF contient du code ou des fichiers joints : il n'est pas accepté."


# --- Names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\jeanne\\Règlement intérieur.pdf", "Règlement intérieur.pdf"),
        ('tarifs<script>"2027".pdf', "tarifs script 2027.pdf"),
        ("\x00\x1b.", "fichier"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_the_original_name_is_sanitised(uploaded, kept):
    assert uploads.sanitize_name(uploaded) == kept


def test_the_download_name_takes_the_extension_of_the_content():
    assert uploads.download_name("photo.exe", uploads.JPEG) == "photo.jpg"
    assert uploads.download_name("sans extension", uploads.PDF) == "sans extension.pdf"


# --- Storing ----------------------------------------------------------------------------------------


def test_the_stored_name_is_random_and_under_media_root_not_the_static_root(media_root):
    checked = uploads.check(samples.upload(samples.png(), "mon-logo-secret.png"), LOGO)

    with uploads.stored(checked, LOGO) as first, uploads.stored(checked, LOGO) as second:
        pass

    assert first != second
    for name in (first, second):
        assert uploads.kind_of(name) is uploads.PNG
        assert name.startswith("essais/") and name.endswith(".png")
        assert "secret" not in name
        assert uploads.file_id(name) is not None
        path = Path(media_root) / name
        assert path.read_bytes() == checked.content
        assert not path.resolve().is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert first in uploads.candidate_names("essais", uploads.file_id(first))


def test_a_failure_in_the_block_removes_the_file(media_root):
    checked = uploads.check(samples.upload(samples.png(), "logo.png"), LOGO)

    with pytest.raises(RuntimeError), uploads.stored(checked, LOGO) as name:
        assert (Path(media_root) / name).exists()
        raise RuntimeError("the database refused the row")

    assert not (Path(media_root) / name).exists()


def test_a_storage_that_cannot_write_gives_a_french_error(settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker  # MEDIA_ROOT is a file: nothing can be written under it
    checked = uploads.check(samples.upload(samples.png(), "logo.png"), LOGO)
    ran = []

    with pytest.raises(uploads.StorageFailed) as caught, uploads.stored(checked, LOGO):
        ran.append(True)

    assert not ran
    assert caught.value.message == "Le fichier n'a pas pu être enregistré : réessayez plus tard."


@pytest.mark.django_db(transaction=True)
def test_a_file_is_deleted_on_commit_not_before(media_root):
    from django.db import transaction

    checked = uploads.check(samples.upload(samples.png(), "logo.png"), LOGO)
    with uploads.stored(checked, LOGO) as name:
        pass
    path = Path(media_root) / name

    with transaction.atomic():
        uploads.delete_on_commit(name)
        assert path.exists()
    assert not path.exists()


def test_only_names_of_the_stored_shape_have_a_kind_and_an_address():
    assert uploads.kind_of("essais/../../settings.py") is None
    assert uploads.kind_of("essais/0b7e5b2c-2d7c-4b8a-9a4e-6a1f0f3c9d11.html") is None
    assert uploads.url_of("") == ""
    name = "places/0b7e5b2c-2d7c-4b8a-9a4e-6a1f0f3c9d11.png"
    assert uploads.url_of(name) == "/fichiers/places/0b7e5b2c-2d7c-4b8a-9a4e-6a1f0f3c9d11/"
