"""In a real browser, the coverage page draws its map and its chart from the app's own files and data."""

import pytest
from playwright.sync_api import expect

from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(browser_page):
    """The shared page (relais/conftest.py), console errors counted as page errors too."""
    browser_page.on("console", lambda msg: _console_error(browser_page, msg))
    return browser_page


def _console_error(page, msg):
    # The browser's own request for /favicon.ico (the site has none) is not the page's error.
    if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
        page.errors.append(msg.text)


def test_the_map_shows_the_communes_and_the_numbered_recommended_sites(live_server, browser_page):
    aurillac = Commune.objects.get(code_insee="15014")
    PlaceFactory(commune=aurillac, latitude=aurillac.latitude, longitude=aurillac.longitude)
    page = browser_page
    page.goto(live_server.url + "/maillage/?territory=dep:15&radius_km=10&recommend=3")

    expect(page.locator("#coverage-map")).to_have_attribute("data-state", "ready")
    expect(page.get_by_role("heading", name="Carte")).to_be_visible()
    # The legend's swatches take the bands' colours.
    swatch = page.locator(".legend-swatch[data-color='#bd0026']")
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(189, 0, 38)"
    # The communes are drawn on a canvas; the three sites are numbered markers with a popup.
    expect(page.locator("#coverage-map canvas")).to_have_count(1)
    picks = page.locator("#coverage-map .coverage-pick")
    expect(picks).to_have_count(3)
    expect(picks.first).to_have_text("1")
    # From the keyboard (markers are focusable; Enter opens the popup): no pointer racing the map's own
    # settling on a loaded machine.
    picks.first.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Site recommandé n° 1 :")
    expect(popup).to_contain_text("habitants nouvellement couverts")

    # The chart is drawn too, the table stays.
    expect(page.locator("#coverage-chart")).to_have_attribute("data-state", "ready")
    expect(page.locator("#coverage-chart-figure")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Habitants avec les sites recommandés")).to_be_visible()

    assert page.errors == []
    outside = [url for url in page.requested_urls if not url.startswith(live_server.url)]
    assert outside == []
    assert any("/maillage/carte.json?" in url for url in page.requested_urls)
