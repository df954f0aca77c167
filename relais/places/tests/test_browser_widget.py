"""In a real browser: a town hall's page embeds the widget with its script; the commune page fits 320 px."""

import pytest
from django.db import connections
from playwright.sync_api import expect

from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.browser

TOWN_HALL = "http://mairie.example/"


@pytest.fixture
def browser_context(live_server, chromium):
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    yield context
    context.close()
    connections.close_all()


def test_town_hall_page_embeds_the_widget_with_the_script_tag(live_server, browser_context):
    arpajon = Commune.objects.get(pk="15012")
    PlaceFactory(name="Fablab d'Aurillac")
    PlaceFactory(
        name="Atelier d'Arpajon", commune=arpajon, latitude=arpajon.latitude, longitude=arpajon.longitude
    )
    page = browser_context.new_page()
    page.route(
        TOWN_HALL,
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=(
                '<!doctype html><html lang="fr"><head><title>Mairie</title></head><body><h1>Mairie</h1>'
                f'<script src="{live_server.url}/territoires/widget.js" data-commune="15014" '
                'data-n="1" async></script><p>Pied de page</p></body></html>'
            ),
        ),
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(TOWN_HALL)

    frame_element = page.locator("iframe")
    expect(frame_element).to_have_attribute("title", "Lieux proches de votre commune (Relais)")
    # Inserted right after the script tag, before the rest of the page.
    assert (
        page.evaluate("document.querySelector('script[data-commune]').nextElementSibling.tagName") == "IFRAME"
    )
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Lieux proches : Aurillac")
    link = frame.get_by_role("link", name="Fablab d'Aurillac")
    expect(link).to_have_attribute("target", "_blank")
    expect(frame.get_by_text("Atelier d'Arpajon")).to_have_count(0)  # data-n="1"
    # Nothing requested from a third party: the town hall's page, then Relais only.
    assert all(url.startswith((TOWN_HALL, live_server.url)) for url in requested), requested


def test_commune_page_fits_a_320_pixel_screen(live_server, browser_context):
    for i in range(3):
        PlaceFactory(name=f"Tiers-lieu au nom particulièrement long numéro {i}", typologies=["FABLAB", "EPN"])
    page = browser_context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/territoires/commune/15014/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aurillac")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _town_hall_page(page, live_server, attributes=""):
    page.route(
        TOWN_HALL,
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=(
                '<!doctype html><html lang="fr"><head><title>Mairie</title></head><body><h1>Mairie</h1>'
                f'<script src="{live_server.url}/territoires/widget.js" data-commune="15014" {attributes}'
                "async></script><p>Pied de page</p></body></html>"
            ),
        ),
    )
    page.goto(TOWN_HALL)


def test_the_frame_grows_to_its_content_at_420_pixels(live_server, browser_context):
    for i in range(6):
        PlaceFactory(name=f"Tiers-lieu au nom assez long numéro {i}", typologies=["FABLAB", "EPN"])
    page = browser_context.new_page()
    page.set_viewport_size({"width": 420, "height": 800})
    _town_hall_page(page, live_server)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("listitem")).to_have_count(5)
    last_link = frame.get_by_role("link", name="Tous les lieux au service de la commune")
    expect(last_link).to_be_visible()
    inner = page.frame(url=lambda url: "/widget/commune/" in url)
    # The frame grew (it starts at 420 px) until its content fits: nothing to scroll inside it.
    page.wait_for_function(
        "() => document.querySelector('iframe').getBoundingClientRect().height > 420", timeout=5_000
    )
    page.wait_for_timeout(200)
    frame_height = page.evaluate("document.querySelector('iframe').clientHeight")
    assert inner.evaluate("document.documentElement.scrollHeight") <= frame_height
    bottom = inner.evaluate(
        "document.querySelector('.more a').getBoundingClientRect().bottom + window.scrollY"
    )
    assert bottom <= frame_height
    assert inner.evaluate("window.scrollY") == 0


def test_the_frame_ignores_height_messages_from_another_origin(live_server, browser_context):
    PlaceFactory(name="Fablab d'Aurillac")
    page = browser_context.new_page()
    _town_hall_page(page, live_server, 'data-n="1" ')
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("link", name="Fablab d'Aurillac")).to_be_visible()
    page.wait_for_timeout(300)
    before = page.evaluate("document.querySelector('iframe').clientHeight")
    # The town hall's own page (another origin) posts a message that looks like the widget's.
    page.evaluate("window.postMessage({type: 'relais-widget-height', height: 3000}, '*')")
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('iframe').clientHeight") == before


def test_a_fixed_height_stays_fixed(live_server, browser_context):
    for i in range(5):
        PlaceFactory(name=f"Lieu {i}")
    page = browser_context.new_page()
    _town_hall_page(page, live_server, 'data-hauteur="300" ')
    expect(page.frame_locator("iframe").get_by_role("listitem")).to_have_count(5)
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('iframe').clientHeight") == 300
