"""The public directory in a real browser: search, "around me", filters, map and list, keyboard, a11y."""

import gzip
import re
import urllib.request

import pytest
from django.db import connections
from playwright.sync_api import expect

from relais.places.models import Accessibility
from relais.testing import PlaceFactory, axe_violations, chromium_page

pytestmark = pytest.mark.browser

AURILLAC = {"latitude": 44.92812, "longitude": 2.44166}


@pytest.fixture
def places(transactional_db):
    return [
        PlaceFactory(name="La Grange numérique", typologies=["FABLAB"], wheelchair=Accessibility.YES),
        PlaceFactory(
            name="Le Relais d'Arpajon", latitude=44.9031, longitude=2.4579, typologies=["COWORKING"]
        ),
        PlaceFactory(name="Espace Ytrac", latitude=44.9116, longitude=2.3647, labels=["FRANCE_SERVICES"]),
        PlaceFactory(name="Loin au nord", latitude=45.2, longitude=2.44),
    ]


def result_names(page):
    return page.locator("#results > li h3").all_inner_texts()


def assert_only_own_host(page, live_server):
    outside = [url for url in page.requested_urls if not url.startswith(live_server.url)]
    assert outside == [], f"requêtes vers un autre hôte : {outside}"


def test_a_search_by_commune_then_a_filter_then_back(live_server, browser_page, places):
    page = browser_page
    page.goto(live_server.url + "/")
    page.get_by_label("Où ?").fill("Aurillac")
    page.get_by_role("button", name="Rechercher").click()

    expect(page.locator("#results-title")).to_contain_text("3 lieux à moins de 10 km — Aurillac (15)")
    assert result_names(page) == ["La Grange numérique", "Le Relais d'Arpajon", "Espace Ytrac"]
    expect(page.locator("#results > li").first).to_contain_text("à 0,0 km")
    assert "where=Aurillac" in page.url

    # A filter: the URL holds the whole search, so it can be shared and the back button undoes it.
    page.locator("summary", has_text="Filtres").click()
    page.get_by_label("Accessible en fauteuil roulant").check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.locator("#results-title")).to_contain_text("1 lieu à moins de 10 km")
    assert "accessible=1" in page.url
    shared_url = page.url

    page.go_back()
    expect(page.locator("#results-title")).to_contain_text("3 lieux")
    page.go_forward()
    expect(page.locator("#results-title")).to_contain_text("1 lieu")
    page.goto(shared_url)
    assert result_names(page) == ["La Grange numérique"]
    assert page.errors == []
    assert_only_own_host(page, live_server)


def test_around_me_uses_the_browsers_position(live_server, chromium, places):
    with chromium_page(chromium, geolocation=AURILLAC, permissions=["geolocation"]) as page:
        page.goto(live_server.url + "/lieux/")
        page.get_by_role("button", name="Autour de moi").click()
        expect(page.locator("#results-title")).to_contain_text("autour de votre position")
        assert result_names(page)[0] == "La Grange numérique"
        # The position went into the URL rounded to about 100 m.
        assert re.search(r"lat=44\.928&lon=2\.442", page.url)
    connections.close_all()


def test_around_me_refused_says_what_to_do_instead(live_server, chromium, places):
    with chromium_page(chromium, permissions=[]) as page:
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="Autour de moi").click()
        expect(page.locator("#around-me-status")).to_contain_text(
            "indiquez votre commune ou votre code postal"
        )
        expect(page.get_by_label("Où ?")).to_be_focused()
    connections.close_all()


def test_the_map_shows_the_results_and_stays_in_sync_with_the_list(live_server, browser_page, places):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/lieux/?where=Aurillac")
    page.wait_for_selector("#results-map[data-ready='1']")

    # The base layer is the outline of the départements served by Relais (no tile server configured).
    assert any(url.endswith("/carte/departements.geojson") for url in page.requested_urls)
    expect(page.locator("#results-map .leaflet-overlay-pane path").first).to_be_attached()

    # List → map: "see on the map" opens the marker's popup.
    second = page.locator("#results > li").nth(1)
    second.get_by_role("button", name=re.compile("Voir sur la carte")).click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Le Relais d'Arpajon")
    expect(second).to_have_class(re.compile("is-active"))

    # Map → list: choosing a marker highlights its entry in the list.
    page.locator(".leaflet-popup-close-button").click()
    marker = page.locator(".leaflet-marker-icon[title='Espace Ytrac']")
    page.locator("#results > li").nth(2).get_by_role("button", name=re.compile("Voir sur la carte")).click()
    expect(marker).to_be_visible()
    page.locator("#results > li").first.get_by_role("button", name=re.compile("Voir sur la carte")).click()
    marker.click()
    expect(page.locator("#results > li").nth(2)).to_have_class(re.compile("is-active"))

    # Moving the map offers a new search over the area shown, as a new URL.
    # (The popup opened above sits in the middle of the map: close it and drag from a corner, where a
    # drag moves the map and not a popup or a marker.)
    for close in page.locator(".leaflet-popup-close-button").all():
        if close.is_visible():
            close.click()
    box = page.locator("#results-map").bounding_box()
    x, y = box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.9
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y - 40, steps=5)
    page.mouse.up()
    page.get_by_role("button", name="Rechercher dans cette zone").click()
    expect(page.locator("#results-title")).to_contain_text("autour de votre position")
    assert "lat=" in page.url and "where=" not in page.url
    assert page.errors == []
    assert_only_own_host(page, live_server)


def test_a_place_page_opens_from_the_list(live_server, browser_page, places):
    page = browser_page
    page.goto(live_server.url + "/lieux/?where=Aurillac")
    page.get_by_role("link", name="Le Relais d'Arpajon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le Relais d'Arpajon")


def test_the_keyboard_alone_reaches_the_search_and_a_result(live_server, browser_page, places):
    page = browser_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    # From the content, the first fields are "what" then "where".
    page.keyboard.press("Tab")
    expect(page.get_by_label("Quoi ?")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Où ?")).to_be_focused()
    page.keyboard.type("Aurillac")
    page.keyboard.press("Enter")
    expect(page.locator("#results-title")).to_contain_text("3 lieux")

    # Tab moves forward until the first result's link, and Enter opens it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "La Grange numérique":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("La Grange numérique")


def test_a_misspelt_commune_offers_choices_in_the_browser(live_server, browser_page, places):
    page = browser_page
    page.goto(live_server.url + "/lieux/?where=aurilac")
    expect(page.get_by_role("heading", name=re.compile("Vouliez-vous dire"))).to_be_visible()
    page.get_by_role("link", name="Aurillac").click()
    expect(page.locator("#results-title")).to_contain_text("Aurillac (15)")


@pytest.mark.parametrize("path", ["/", "/lieux/?where=Aurillac", "place", "/lieux/?where=15130"])
def test_no_serious_or_critical_accessibility_violation(live_server, browser_page, places, path):
    page = browser_page
    if path == "place":
        path = f"/lieux/{places[0].pk}/"
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/lieux/?where=Aurillac", "place"])
def test_usable_at_320_px_without_horizontal_scrolling(live_server, browser_page, places, path):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    if path == "place":
        path = f"/lieux/{places[0].pk}/"
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_results_page_weighs_less_than_300_kb_compressed(live_server, browser_page, places):
    page = browser_page
    page.goto(live_server.url + "/lieux/?where=Aurillac")
    page.wait_for_selector("#results-map[data-ready='1']")
    page.wait_for_load_state("networkidle")
    total = 0
    for url in set(page.requested_urls):
        with urllib.request.urlopen(url) as response:  # noqa: S310 (the live server)
            total += len(gzip.compress(response.read()))
    assert 0 < total < 300_000, f"{total} octets compressés"
