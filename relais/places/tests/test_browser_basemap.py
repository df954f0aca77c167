"""The maps' default basemap in a real browser: the vector tiles come from Relais itself by range requests
to /carte/fond.pmtiles, drawn by protomaps-leaflet; no request leaves the instance."""

import json

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from relais.territory.vectortiles import Place, build_basemap
from relais.testing import PlaceFactory

pytestmark = pytest.mark.browser

CANTAL = [
    Place("Aurillac", 44.93032, 2.44495, 25_000, 2),
    Place("Arpajon-sur-Cère", 44.9031, 2.4579, 6_300),
    Place("Ytrac", 44.9116, 2.3647, 4_500),
    Place("Saint-Flour", 45.0339, 3.0931, 6_500),
    Place("Clermont-Ferrand", 45.7797, 3.0869, 147_000, 1),
]


@pytest.fixture(scope="module")
def basemap_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("basemap") / "basemap.pmtiles"
    contours = json.loads((django_settings.RELAIS_DATA_DIR / "departements-contours.geojson").read_text())
    contours["features"] = [f for f in contours["features"] if f["properties"]["code"] in {"15", "63", "43"}]
    build_basemap(
        path, contours, {"15": "84", "63": "84", "43": "84"}, {"84": "Auvergne-Rhône-Alpes"}, CANTAL
    )
    return path


@pytest.fixture
def basemap(settings, basemap_file):
    settings.RELAIS_BASEMAP_PATH = basemap_file
    return basemap_file


def record_responses(page):
    seen = []
    page.on(
        "response",
        lambda response: seen.append((response.url, response.status, response.request.headers.get("range"))),
    )
    return seen


def basemap_ranges(seen, live_server):
    return [
        (status, byte_range)
        for url, status, byte_range in seen
        if url == live_server.url + "/carte/fond.pmtiles"
    ]


def assert_only_own_host(page, live_server):
    outside = [url for url in page.requested_urls if not url.startswith(live_server.url + "/")]
    assert outside == [], f"requêtes vers un autre hôte : {outside}"


def test_the_directory_map_draws_relais_own_vector_tiles(
    live_server, browser_page, transactional_db, basemap
):
    PlaceFactory(name="La Grange numérique")
    page = browser_page
    seen = record_responses(page)
    page.set_viewport_size({"width": 360, "height": 740})  # a small phone
    page.goto(live_server.url + "/lieux/?where=Aurillac")
    page.wait_for_selector("#results-map[data-ready='1']")

    # The header and directory, then tiles: all by range requests answered 206.
    page.wait_for_function("() => document.querySelectorAll('#results-map canvas.leaflet-tile').length > 0")
    for _ in range(50):
        if len(basemap_ranges(seen, live_server)) >= 2:
            break
        page.wait_for_timeout(100)
    ranges = basemap_ranges(seen, live_server)
    assert len(ranges) >= 2, ranges
    assert all(status == 206 and byte_range.startswith("bytes=") for status, byte_range in ranges), ranges
    assert ranges[0][1] == "bytes=0-16383"  # the PMTiles header and root directory
    # The vector basemap replaces the outline; the markers stay on top of it.
    assert not any(url.endswith("/carte/departements.geojson") for url in page.requested_urls)
    expect(page.locator(".leaflet-marker-icon[title='La Grange numérique']")).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Licence Ouverte")
    assert page.errors == []
    assert_only_own_host(page, live_server)


def test_a_place_page_shows_where_the_place_is(live_server, browser_page, transactional_db, basemap):
    place = PlaceFactory(name="La Grange numérique")
    page = browser_page
    seen = record_responses(page)
    page.goto(f"{live_server.url}/lieux/{place.pk}/")

    page.wait_for_selector("#place-map[data-ready='1']")
    expect(page.locator("#place-map .leaflet-marker-icon[title='La Grange numérique']")).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('#place-map canvas.leaflet-tile').length > 0")
    assert basemap_ranges(seen, live_server)
    assert page.errors == []
    assert_only_own_host(page, live_server)


def test_a_territory_page_maps_its_places(live_server, browser_page, transactional_db, basemap):
    PlaceFactory(name="La Grange numérique")
    PlaceFactory(name="Le Relais d'Arpajon", latitude=44.9031, longitude=2.4579)
    page = browser_page
    seen = record_responses(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/territoires/commune/15014/")

    page.wait_for_selector("#territory-map[data-ready='1']")
    expect(page.locator("#territory-map .leaflet-marker-icon")).to_have_count(2)
    # Drawn on the instance's own basemap, not on an outline nor on someone else's tiles.
    page.wait_for_function("() => document.querySelectorAll('#territory-map canvas.leaflet-tile').length > 0")
    assert basemap_ranges(seen, live_server)
    page.locator('#territory-map .leaflet-marker-icon[title="Le Relais d\'Arpajon"]').click()
    expect(page.locator("#territory-map .leaflet-popup-content a")).to_have_text("Le Relais d'Arpajon")
    assert page.errors == []
    assert_only_own_host(page, live_server)


def test_the_coverage_map_shows_the_existing_places_on_the_basemap(
    live_server, browser_page, transactional_db, basemap
):
    PlaceFactory(name="La Grange numérique")
    page = browser_page
    seen = record_responses(page)
    page.goto(live_server.url + "/maillage/?territory=dep:15&radius_km=10")

    page.wait_for_selector("#coverage-map[data-places='ready']")
    expect(page.locator("#coverage-map .leaflet-marker-icon[title='La Grange numérique']")).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('#coverage-map canvas.leaflet-tile').length > 0")
    assert basemap_ranges(seen, live_server)
    assert page.errors == []
    assert_only_own_host(page, live_server)


def test_zooming_and_panning_the_directory_map_still_asks_only_the_instance(
    live_server, browser_page, transactional_db, basemap
):
    PlaceFactory(name="La Grange numérique")
    page = browser_page
    seen = record_responses(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/lieux/?where=Aurillac")
    page.wait_for_selector("#results-map[data-ready='1']")
    page.wait_for_function("() => document.querySelectorAll('#results-map canvas.leaflet-tile').length > 0")
    before = len(basemap_ranges(seen, live_server))

    # New zoom levels and a pan: the tiles they need come by new range requests to the instance.
    zoom_in = page.locator("#results-map .leaflet-control-zoom-in")
    for _ in range(2):
        zoom_in.click()
        page.wait_for_timeout(400)
    map_box = page.locator("#results-map").bounding_box()
    middle = (map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] - 120, middle[1] - 60, steps=8)
    page.mouse.up()
    for _ in range(50):
        if len(basemap_ranges(seen, live_server)) > before:
            break
        page.wait_for_timeout(100)
    ranges = basemap_ranges(seen, live_server)
    assert len(ranges) > before, ranges
    assert all(status == 206 for status, _range in ranges), ranges
    assert page.errors == []
    assert_only_own_host(page, live_server)
