"""A place's logo and documents: uploaded by the right people through the checks of relais/core/uploads.py,
served only after the owner's permission check (/fichiers/places/<uuid>/), audited, and never leaving a file
without its row nor a row without its file."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.core import uploads
from relais.core.tests import samples
from relais.places import documents
from relais.places.models import DocumentVisibility, Place, PlaceDocument
from relais.privacy.audit import SYSTEM, Actor
from relais.privacy.inventory import inventory
from relais.privacy.models import AuditAction, AuditEvent
from relais.testing import PlaceFactory, PlaceRoleFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def place(manager):
    return PlaceFactory(name="La Grange", managers=[manager])


@pytest.fixture
def staff(place):
    return PlaceRoleFactory(place=place, role=PlaceRole.Role.STAFF).user


@pytest.fixture
def other_team():
    """The manager of place B: a team, but not place A's."""
    user = UserFactory()
    PlaceFactory(name="Le Fournil", managers=[user])
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


def stored_files(media_root):
    return sorted(p.name for p in media_root.rglob("*") if p.is_file())


def add(
    place, content=None, *, title="Règlement intérieur", visibility=DocumentVisibility.TEAM, name="r.pdf"
):
    upload = samples.upload(samples.pdf() if content is None else content, name)
    return documents.add_document(place, title=title, visibility=visibility, upload=upload, actor=SYSTEM)


def file_url(name):
    return uploads.url_of(name)


# --- Serving: who may read what -------------------------------------------------------------------


def test_a_places_logo_is_served_to_anyone(place):
    place = documents.set_logo(place, samples.upload(samples.png(), "logo.png"), SYSTEM)

    response = Client().get(place.logo_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response.close()


def test_a_team_document_is_a_404_to_anonymous_people_and_to_another_places_team(client, place, other_team):
    document = add(place)

    assert Client().get(document.url).status_code == 404
    assert logged_in(client, other_team).get(document.url).status_code == 404


def test_a_team_document_is_served_to_the_places_team_as_an_attachment(client, place, staff):
    document = add(place, name="C:\\Mes documents\\Règlement <2027>.pdf")

    response = logged_in(client, staff).get(document.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''R%C3%A8glement%202027.pdf" in disposition
    assert b"".join(response.streaming_content) == samples.pdf()
    response.close()


def test_a_network_admin_without_a_role_gets_no_team_document(client, place):
    document = add(place)
    admin = UserFactory(is_network_admin=True)

    assert logged_in(client, admin).get(document.url).status_code == 404


def test_a_public_document_is_served_to_anyone_as_an_attachment(place):
    document = add(place, title="Tarifs", visibility=DocumentVisibility.PUBLIC)

    response = Client().get(document.url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="r.pdf"')
    assert response["Cache-Control"].startswith("public")
    response.close()


def test_unknown_files_and_folders_are_404s(place):
    document = add(place)
    file_id = uploads.file_id(document.file.name)

    assert Client().get("/fichiers/places/0b7e5b2c-2d7c-4b8a-9a4e-6a1f0f3c9d11/").status_code == 404
    assert Client().get(f"/fichiers/accounts/{file_id}/").status_code == 404
    assert Client().get(f"/fichiers/inconnu/{file_id}/").status_code == 404
    assert Client().get(f"/static/../fichiers/places/{file_id}/").status_code == 404
    assert Client().post(document.url).status_code == 405


def test_a_record_whose_file_was_removed_is_a_404_not_a_500(place, media_root):
    document = add(place, visibility=DocumentVisibility.PUBLIC)
    (media_root / document.file.name).unlink()

    assert Client().get(document.url).status_code == 404


# --- The logo -------------------------------------------------------------------------------------


def test_a_manager_uploads_a_logo_shown_on_the_place_page_and_in_the_directory(client, manager, place):
    response = logged_in(client, manager).post(
        reverse("places:logo", args=[place.pk]),
        {"logo": samples.upload(samples.jpeg_with_gps(), "photo.JPG")},
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert re.fullmatch(r"places/[0-9a-f-]{36}\.jpg", place.logo.name)
    page = Client().get(reverse("places:detail", args=[place.pk])).content.decode()
    assert f'src="{place.logo_url}"' in page
    results = Client().get(reverse("places:list"), {"q": "La Grange"}).content.decode()
    assert f'src="{place.logo_url}"' in results
    event = AuditEvent.objects.for_object(place).get(action=AuditAction.UPDATE)
    assert event.changes == {"logo": [None, place.logo.name]}
    assert event.actor == manager


def test_replacing_the_logo_removes_the_former_file_after_commit(
    place, media_root, django_capture_on_commit_callbacks
):
    first = documents.set_logo(place, samples.upload(samples.png(), "a.png"), SYSTEM).logo.name

    with django_capture_on_commit_callbacks(execute=True):
        second = documents.set_logo(place, samples.upload(samples.webp(), "b.webp"), SYSTEM).logo.name
        assert (media_root / first).exists()  # not before the commit

    assert not (media_root / first).exists()
    assert (media_root / second).exists()
    assert Client().get(uploads.url_of(first)).status_code == 404


def test_removing_the_logo_removes_its_file(
    client, manager, place, media_root, django_capture_on_commit_callbacks
):
    name = documents.set_logo(place, samples.upload(samples.png(), "a.png"), SYSTEM).logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, manager).post(reverse("places:logo-remove", args=[place.pk]))

    assert response.status_code == 302
    place.refresh_from_db()
    assert not place.logo
    assert stored_files(media_root) == []
    assert Place.objects.get(pk=place.pk).logo_url == ""
    assert name


def test_a_bad_logo_is_refused_on_the_page_with_a_french_message(client, manager, place, media_root):
    response = logged_in(client, manager).post(
        reverse("places:logo", args=[place.pk]), {"logo": samples.upload(samples.HTML_PAGE, "logo.png")}
    )

    assert response.status_code == 200
    errors = response.context["logo_form"].errors["logo"]
    assert errors == [
        "Ce fichier n'est pas d'un type accepté (son contenu a été vérifié, pas seulement son nom). "
        "Types acceptés : PNG, JPEG, WebP."
    ]
    assert 'href="#id_logo"' in response.content.decode()
    place.refresh_from_db()
    assert not place.logo
    assert stored_files(media_root) == []


def test_staff_and_other_teams_cannot_change_the_logo(client, place, staff, other_team):
    for user in (staff, other_team):
        response = logged_in(client, user).post(
            reverse("places:logo", args=[place.pk]), {"logo": samples.upload(samples.png(), "logo.png")}
        )
        assert response.status_code == 404
    place.refresh_from_db()
    assert not place.logo


def test_a_logo_that_cannot_be_written_leaves_the_place_unchanged(settings, tmp_path, place):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker

    with pytest.raises(uploads.StorageFailed):
        documents.set_logo(place, samples.upload(samples.png(), "logo.png"), SYSTEM)

    place.refresh_from_db()
    assert not place.logo
    assert not AuditEvent.objects.for_object(place).filter(action=AuditAction.UPDATE).exists()


# --- Documents --------------------------------------------------------------------------------------


def test_the_team_adds_a_document_on_its_page(client, staff, place, media_root):
    client = logged_in(client, staff)
    page = client.get(reverse("places:documents", args=[place.pk]))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "Nouveau logo" not in page.content.decode()  # staff: the documents, not the registry entry

    response = client.post(
        reverse("places:documents", args=[place.pk]),
        {"title": "Tarifs 2027", "visibility": "public", "file": samples.upload(samples.pdf(), "tarifs.pdf")},
    )

    assert response.status_code == 302
    document = PlaceDocument.objects.get(place=place)
    assert (document.title, document.visibility, document.original_name) == (
        "Tarifs 2027",
        "public",
        "tarifs.pdf",
    )
    assert document.uploaded_by == staff
    assert document.size == len(samples.pdf())
    assert stored_files(media_root) == [Path(document.file.name).name]
    assert "tarifs" not in document.file.name
    event = AuditEvent.objects.for_object(document).get()
    assert (event.action, event.actor, event.place) == (AuditAction.CREATE, staff, place)
    public_page = Client().get(reverse("places:detail", args=[place.pk])).content.decode()
    assert document.url in public_page and "Tarifs 2027" in public_page


def test_a_team_document_is_not_listed_on_the_public_page(place):
    document = add(place, title="Compte rendu de réunion")

    page = Client().get(reverse("places:detail", args=[place.pk])).content.decode()

    assert document.url not in page
    assert "Compte rendu de réunion" not in page


def test_a_png_named_pdf_is_stored_as_a_png(place):
    document = add(place, samples.png(), name="tarifs.pdf")

    assert document.kind is uploads.PNG
    assert document.file.name.endswith(".png")
    assert document.download_name == "tarifs.png"


def test_an_oversize_document_is_refused_with_both_sizes(client, manager, place, media_root):
    big = samples.pdf() + b"\n" * (11 * uploads.MB)

    response = logged_in(client, manager).post(
        reverse("places:documents", args=[place.pk]),
        {"title": "Gros", "visibility": "team", "file": samples.upload(big, "gros.pdf")},
    )

    assert response.status_code == 200
    assert response.context["document_form"].errors["file"] == [
        "Le fichier pèse 11,0 Mio, au-delà de la limite de 10,0 Mio."
    ]
    assert not PlaceDocument.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (samples.png()[:60], "logo.png", "L'image est illisible ou endommagée."),
        (samples.GIF_JS_POLYGLOT, "image.gif", "n'est pas d'un type accepté"),
        (samples.SVG_WITH_SCRIPT, "plan.svg", "Les images SVG ne sont pas acceptées"),
        (samples.huge_png(30000), "plan.png", "pixels de côté"),
        (samples.HTML_PAGE, "logo.png", "n'est pas d'un type accepté"),
        (samples.pdf(javascript=True), "tarifs.pdf", "contient du code"),
    ],
)
def test_malformed_documents_are_refused_with_french_messages(content, name, expected, place, media_root):
    with pytest.raises(documents.ValidationFailed) as caught:
        add(place, content, name=name)

    [message] = caught.value.errors["file"]
    assert expected in message
    assert_french(message)
    assert not PlaceDocument.objects.exists()
    assert stored_files(media_root) == []


def test_a_missing_title_and_file_are_named(place):
    with pytest.raises(documents.ValidationFailed) as caught:
        documents.add_document(place, title="  ", visibility="partout", upload=None, actor=SYSTEM)

    assert caught.value.errors == {
        "title": ["Donnez un titre au document."],
        "visibility": ["Choisissez qui peut voir le document."],
        "file": ["Choisissez le fichier à envoyer."],
    }


def test_when_the_database_refuses_the_row_no_file_is_left(client, manager, place, media_root):
    add(place, title="Règlement")
    assert len(stored_files(media_root)) == 1

    response = logged_in(client, manager).post(
        reverse("places:documents", args=[place.pk]),
        {
            "title": "Règlement",
            "visibility": "team",
            "file": samples.upload(samples.pdf(pages=3), "autre.pdf"),
        },
    )

    assert response.status_code == 200
    assert response.context["document_form"].errors["title"] == [
        "Un document de ce lieu porte déjà le titre « Règlement »."
    ]
    assert PlaceDocument.objects.count() == 1
    assert len(stored_files(media_root)) == 1  # the second file was removed when its row failed


def test_when_the_file_cannot_be_written_no_row_is_saved(settings, tmp_path, place):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker

    with pytest.raises(uploads.StorageFailed):
        add(place)

    assert not PlaceDocument.objects.exists()
    assert not AuditEvent.objects.filter(target_type="places.placedocument").exists()


def test_the_team_deletes_a_document_and_its_file_goes_after_commit(
    client, staff, place, media_root, django_capture_on_commit_callbacks
):
    document = add(place)
    path = media_root / document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, staff).post(
            reverse("places:document-delete", args=[place.pk, document.pk])
        )
        assert path.exists()

    assert response.status_code == 302
    assert not PlaceDocument.objects.exists()
    assert not path.exists()
    event = AuditEvent.objects.filter(target_type="places.placedocument", action=AuditAction.DELETE).get()
    assert event.changes["title"] == ["Règlement intérieur", None]


def test_another_places_team_cannot_delete_nor_see_the_documents_page(client, place, other_team):
    document = add(place)
    client = logged_in(client, other_team)

    assert client.post(reverse("places:document-delete", args=[place.pk, document.pk])).status_code == 404
    assert client.get(reverse("places:documents", args=[place.pk])).status_code == 404
    assert PlaceDocument.objects.filter(pk=document.pk).exists()


def test_anonymous_people_are_sent_to_log_in(place):
    response = Client().get(reverse("places:documents", args=[place.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_deleting_a_place_removes_its_files(place, media_root, django_capture_on_commit_callbacks):
    documents.set_logo(place, samples.upload(samples.png(), "logo.png"), SYSTEM)
    add(place)
    assert len(stored_files(media_root)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        Place.objects.filter(pk=place.pk).delete()

    assert stored_files(media_root) == []


# --- Personal data ---------------------------------------------------------------------------------


def test_documents_are_declared_in_the_inventory_and_found_by_their_uploader(place, staff):
    document = documents.add_document(
        place,
        title="Liste des bénévoles",
        visibility="team",
        upload=samples.upload(samples.pdf(), "benevoles.pdf"),
        actor=Actor(user=staff),
    )

    assert inventory.check([PlaceDocument, Place]) == []
    assert list(inventory.records_of(user=staff)[PlaceDocument]) == [document]


def test_the_uploaders_access_export_holds_the_document(place, staff):
    import io
    import json
    import zipfile

    from relais.privacy import subject_export

    documents.add_document(
        place,
        title="Liste des bénévoles",
        visibility="team",
        upload=samples.upload(samples.pdf(), "benevoles.pdf"),
        actor=Actor(user=staff),
    )

    archive = zipfile.ZipFile(io.BytesIO(subject_export.build_zip(user=staff)))

    # The uploader acted on the document (the place's): the export says so, through its actor field.
    exported = json.loads(archive.read("place_documents.json"))
    assert "document du lieu" in json.dumps(exported, ensure_ascii=False)
    assert "uploaded_by" in json.dumps(exported)
