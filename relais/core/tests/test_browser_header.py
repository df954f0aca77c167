"""The header on a phone: compact, with a « Menu » button; the API link in the footer, not the main menu."""

import pytest
from playwright.sync_api import expect

from relais.testing import axe_violations

pytestmark = pytest.mark.browser


def test_on_a_phone_the_menu_folds_behind_a_button(live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/")

    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80  # it took half the screen (about 370 px) with the menu open

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Lieux")).to_be_focused()
    expect(menu.get_by_role("link", name="API")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()

    footer = page.locator("footer")
    expect(footer.get_by_role("link", name="API pour les développeurs")).to_be_visible()
    assert axe_violations(page) == []


def test_on_a_wide_screen_the_menu_is_always_open(live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Lieux")
    ).to_be_visible()


def test_after_a_search_on_a_phone_the_results_come_into_view(live_server, browser_page):
    from relais.testing import PlaceFactory

    for number in range(12):
        PlaceFactory(name=f"La Grange numérique {number}")
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/lieux/")
    page.locator("#id_q").fill("grange")
    page.get_by_role("button", name="Rechercher", exact=True).click()

    heading = page.locator("#results-title")
    expect(heading).to_be_focused()
    # The first result started 893 px down, below the screen: the page now moves to the results.
    assert page.evaluate("window.scrollY") > 0
    assert -2 <= heading.bounding_box()["y"] < 100
