"""What people type in « Où ? », in a real browser: an arrondissement, a commune with its département."""

import pytest
from playwright.sync_api import expect

from relais.testing import place_in

pytestmark = pytest.mark.browser


@pytest.fixture
def paris_places(transactional_db):
    return [
        place_in("75056", name="Voltaire", latitude=48.8576, longitude=2.3801, postal_code="75011"),
        place_in("75056", name="Louvre", latitude=48.8606, longitude=2.3376, postal_code="75001"),
        place_in("15138", name="Le Relais de Murat"),
    ]


def test_typing_an_arrondissement_or_a_commune_with_its_departement(live_server, browser_page, paris_places):
    page = browser_page
    page.goto(live_server.url + "/lieux/")
    page.get_by_label("Où ?").fill("Paris 11e")
    page.get_by_role("button", name="Rechercher").click()

    expect(page.locator("#results-title")).to_contain_text(
        "2 lieux à moins de 10 km — Paris 11e arrondissement"
    )
    assert page.locator("#results > li h3").all_inner_texts() == ["Voltaire", "Louvre"]

    page.get_by_label("Où ?").fill("Murat, Cantal")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#results-title")).to_contain_text("1 lieu à moins de 10 km — Murat (15)")
    assert page.errors == []
