"""A manager gives the place a logo and a document in a real browser, on a 360 px screen, under the strict
Content-Security-Policy; the public page then shows both."""

import pytest
from playwright.sync_api import expect

from relais.core.tests import samples
from relais.places.models import PlaceDocument
from relais.spaces.tests.browsing import log_in
from relais.testing import PlaceFactory, UserFactory, axe_violations

pytestmark = pytest.mark.browser
WIDTH = 360


@pytest.fixture
def place(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = UserFactory(username="gerante")
    return PlaceFactory(name="La Grange aux savoirs partagés de la vallée", managers=[manager])


def _overflowing(page, selector="body *"):
    return page.evaluate(
        f"[...document.querySelectorAll('{selector}')]"
        f".filter(e => e.getBoundingClientRect().right > {WIDTH + 1})"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )


def test_a_manager_adds_a_logo_and_a_document_on_a_small_screen(live_server, browser_page, place, tmp_path):
    page = browser_page
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": WIDTH, "height": 740})
    log_in(page, live_server, "gerante")
    logo = tmp_path / "logo de la grange.png"
    logo.write_bytes(samples.png(300, 120))
    rules = tmp_path / "Règlement intérieur.pdf"
    rules.write_bytes(samples.pdf())

    page.goto(f"{live_server.url}/lieux/{place.pk}/documents/")
    page.get_by_label("Nouveau logo").set_input_files(str(logo))
    page.get_by_role("button", name="Enregistrer le logo").click()
    expect(page.get_by_text("Le logo du lieu est enregistré.")).to_be_visible()
    shown = page.locator("img.place-logo")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.naturalWidth") == 300  # served by /fichiers/, allowed by the CSP

    page.get_by_label("Titre").fill("Règlement intérieur")
    page.get_by_label("public : visible sur la page du lieu").check()
    page.get_by_label("Fichier").set_input_files(str(rules))
    page.get_by_role("button", name="Envoyer le document").click()
    expect(page.get_by_text("Le document « Règlement intérieur » est enregistré.")).to_be_visible()
    expect(page.locator(".place-documents").get_by_role("link", name="Règlement intérieur")).to_be_visible()
    assert _overflowing(page) == []
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/lieux/{place.pk}/")
    expect(page.locator("img.place-logo")).to_be_visible()
    document = PlaceDocument.objects.get()
    with page.expect_download() as download:
        page.get_by_role("link", name="Règlement intérieur").click()
    assert download.value.suggested_filename == "Règlement intérieur.pdf"
    assert document.is_public
    assert _overflowing(page, ".place-logo, .place-documents, .place-documents *") == []  # the map aside
    assert problems == []
