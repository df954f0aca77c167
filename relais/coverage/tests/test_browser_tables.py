"""On a 360 px phone, the coverage page's tables scroll inside their own focusable region, not the page."""

import pytest
from playwright.sync_api import expect

from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.browser

WIDTH = 360


def _overflowing(page):
    return page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => !e.closest('.map, .table-scroll'))"
        f".filter(e => e.getBoundingClientRect().right > {WIDTH + 1})"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_tables_of_a_computed_run_fit_a_phone(live_server, browser_page, language):
    for code in ("15014", "15187"):
        commune = Commune.objects.get(code_insee=code)
        PlaceFactory(
            commune=commune, latitude=commune.latitude, longitude=commune.longitude, typologies=["FABLAB"]
        )
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 740})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(live_server.url + "/maillage/?territory=dep:15&radius_km=10&recommend=3&typology=FABLAB")

    expect(page.locator("html")).to_have_attribute("lang", language)
    regions = page.locator(".table-scroll")
    expect(regions.first).to_be_visible()
    assert regions.count() >= 4  # bands, recommended sites, white zones, details (and typologies)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, _overflowing(page)
    for i in range(regions.count()):
        region = regions.nth(i)
        # A region a keyboard can reach and scroll, named by its heading.
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        labelled_by = region.get_attribute("aria-labelledby")
        assert labelled_by and page.locator(f"#{labelled_by}").inner_text().strip()
        assert region.evaluate("e => e.getBoundingClientRect().right") <= WIDTH
    # At least one table is wider than the phone: it scrolls inside its region.
    assert page.evaluate(
        "[...document.querySelectorAll('.table-scroll')].some(e => e.scrollWidth > e.clientWidth)"
    )
    assert page.errors == []
