"""The history of a place in a real browser: it fits a 360 px screen, even with long values."""

import pytest
from playwright.sync_api import expect

from relais.places import proposals, services
from relais.privacy.audit import Actor
from relais.testing import UserFactory, axe_violations, give_second_factor

pytestmark = pytest.mark.browser

LONG_URL = "https://www.exemple-de-tiers-lieu-au-nom-tres-long.fr/" + "prise-de-rendez-vous-en-ligne-" * 4
WIDTH = 360


@pytest.fixture
def history(transactional_db):
    """A place proposed through the API, accepted, then changed with values that do not break easily."""
    proposer = UserFactory(username="dominique")
    admin = UserFactory(username="admin", network_admin=True)
    data = {
        "name": "Le Hangar des possibles numériques et solidaires",
        "code_insee": "15014",
        "address": "2 rue des Forges",
        "opening_hours": "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00; PH off",
        "booking_url": LONG_URL,
        "emails": ["accueil.coordination.tiers-lieu@exemple-de-tiers-lieu-au-nom-tres-long.fr"],
        "typologies": ["FABLAB", "COWORKING"],
        "fees": ["GRATUIT_SOUS_CONDITION"],
    }
    proposal = proposals.propose_place(data, Actor(user=proposer, channel="api"))
    place = proposals.accept(proposal, Actor(user=admin, channel="web")).place
    services.update_place(
        place,
        {"booking_url": LONG_URL + "nouvelle-adresse", "opening_hours": "Mo-Sa 08:30-19:30; PH off"},
        Actor(user=proposer, channel="web"),
    )
    return place, proposer


def _overflowing(page):
    return page.evaluate(
        f"[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > {WIDTH + 1})"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )


def test_the_history_fits_a_360_px_screen(live_server, browser_page, history):
    place, proposer = history
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 740})
    page.goto(f"{live_server.url}/comptes/connexion/?next=/lieux/{place.pk}/historique/")
    page.get_by_label("Identifiant").fill(proposer.username)
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    give_second_factor(page, proposer)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historique de « {place.name} »")

    events = page.locator(".place-history > li")
    expect(events).to_have_count(2)
    expect(events.first).to_contain_text("Fiche modifiée")
    expect(events.first.locator("ins").filter(has_text="nouvelle-adresse")).to_have_count(1)
    creation = events.last
    expect(creation).to_contain_text("Fiche créée")
    expect(creation).to_contain_text("proposée par dominique (API), acceptée par admin (site)")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, _overflowing(page)

    # The initial values, folded at first, fit too once opened.
    creation.locator("summary").click()
    expect(creation.locator("dd").filter(has_text="prise-de-rendez-vous")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, _overflowing(page)
    assert axe_violations(page) == []
    assert page.errors == []
