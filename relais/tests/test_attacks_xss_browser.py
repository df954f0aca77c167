"""Cross-site scripting in a real browser (headless chromium): a place named with the payloads, on its page,
on the directory's list and map (its popup), on its commune's page and in the widget. No payload runs:
`window.__xss` is never set, no dialog opens, and nothing is even tried against the Content-Security-Policy
(`relais.testing.chromium_page` fails the test on any CSP violation: a payload turned into a script would be
one, even though the policy would stop it).
"""

import re

import pytest
from playwright.sync_api import expect

from relais.testing import PlaceFactory

from .test_attacks_xss import PAYLOAD

pytestmark = pytest.mark.browser

WATCH = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__dialogs.push([name, String(args[0])]); };
}
"""


@pytest.fixture
def nasty(transactional_db):
    PlaceFactory(name="Le Relais d'Arpajon", latitude=44.9031, longitude=2.4579)
    return PlaceFactory(name=PAYLOAD, summary=PAYLOAD, description=PAYLOAD, address=PAYLOAD)


def watched(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH)
    return dialogs


def assert_nothing_ran(page, dialogs):
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("window.__dialogs") == []
    assert dialogs == []
    assert page.errors == []


def test_the_place_page_and_the_directory_map_show_the_payload_as_text(live_server, browser_page, nasty):
    page = browser_page
    dialogs = watched(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/lieux/{nasty.pk}/")
    expect(page.locator("h1")).to_have_text(PAYLOAD)
    page.wait_for_load_state("networkidle")
    assert page.locator("img[src='x']").count() == 0
    assert_nothing_ran(page, dialogs)

    page.goto(live_server.url + "/lieux/?where=Aurillac")
    page.wait_for_selector("#results-map[data-ready='1']")
    entry = page.locator("#results > li", has_text="window.__xss")
    expect(entry.locator("h3")).to_have_text(PAYLOAD)
    entry.get_by_role("button", name=re.compile("Voir sur la carte")).click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(PAYLOAD)
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
    assert_nothing_ran(page, dialogs)


def test_the_commune_page_and_the_widget_show_the_payload_as_text(live_server, browser_page, nasty):
    page = browser_page
    dialogs = watched(page)
    page.goto(f"{live_server.url}/territoires/commune/15014/")
    expect(page.get_by_text(PAYLOAD).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_nothing_ran(page, dialogs)

    page.goto(f"{live_server.url}/territoires/widget/commune/15014/")
    expect(page.get_by_text(PAYLOAD).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_nothing_ran(page, dialogs)
