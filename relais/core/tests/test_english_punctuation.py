"""English pages use English punctuation: no space before « : ; ! ? » and no « guillemets ».

French typography lives in the French strings and in `{% colon %}` / `{% semicolon %}` (relais_text), never
hard-coded around a translated string, so that each language carries its own.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from relais.testing import PlaceFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
# A space (plain, non-breaking or narrow) before a colon, a semicolon, or an exclamation or question mark.
FRENCH_SPACING = re.compile(r"\S[ \u00a0\u202f]+[:;!?](?=\s|$)")
GUILLEMETS = re.compile("[«»]")
SKIPPED = ("script", "style", "template", "select", "datalist")
# Messages given plural forms in French whose English translation is still to be written (the catalog is
# updated apart): on an English page they still show in French, French punctuation included. Explicit and
# short; an entry that the catalog translates fails `test_the_messages_awaiting_translation_still_do`, so
# that it leaves this list.
AWAITING_TRANSLATION = []  # none: the English catalog is complete


class _Text(HTMLParser):
    """The text a person reads or hears: the page's title and body, scripts and styles left out.

    The lists of choices are left out too: their options are the registry's vocabulary, reference data in
    French taken from the national schema (« Formé à « Mon Espace Santé » »), not interface text.
    """

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response):
    assert response.status_code == 200
    parser = _Text()
    parser.feed(response.content.decode())
    # Text nodes glued as the browser shows them ("Day" then ": required" reads "Day: required").
    return " ".join("".join(parser.parts).split())


def _awaiting(text):
    """`text` without the sentences of AWAITING_TRANSLATION (their placeholders standing for any value)."""
    for singular, plural in AWAITING_TRANSLATION:
        for form in (singular, plural):
            pattern = ".+?".join(re.escape(part) for part in re.split(r"%\(\w+\)s", form))
            text = re.sub(pattern, "", text)
    return text


def french_typography(text):
    """Every spot where the text uses French punctuation, with a little context."""
    text = _awaiting(text)
    spots = [text[max(m.start() - 40, 0) : m.end() + 20] for m in FRENCH_SPACING.finditer(text)]
    spots += [text[max(m.start() - 20, 0) : m.end() + 20] for m in GUILLEMETS.finditer(text)]
    return spots


@pytest.fixture(autouse=True)
def _restore_active_language():
    # LocaleMiddleware leaves the request's language active in the thread (see test_i18n.py).
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def place():
    return PlaceFactory(
        name="La Grange",
        phone="0471000000",
        emails=["accueil@lagrange.fr"],
        websites=["https://lagrange.fr"],
        opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off",
    )


def test_the_messages_awaiting_translation_still_do():
    with translation.override("en"):
        for singular, plural in AWAITING_TRANSLATION:
            assert ngettext(singular, plural, 2) == plural, f"traduit : retirez-le de la liste ({singular})"


def test_the_separators_follow_the_language():
    template = Template("{% load relais_text %}Adresse{% colon %}1 rue{% semicolon %}2 rue")
    with translation.override("fr"):
        assert template.render(Context()) == "Adresse : 1 rue ; 2 rue"
    with translation.override("en"):
        assert template.render(Context()).startswith("Adresse: 1 rue")


def test_the_french_pages_keep_their_french_punctuation(client, place):
    text = visible_text(client.get(reverse("places:sheet", args=[place.pk])))

    assert "Téléphone : " in text


@pytest.mark.parametrize("name", ["home", "sheet"])
def test_the_home_page_and_the_place_sheet_in_english(client, place, name):
    url = reverse("home") if name == "home" else reverse("places:sheet", args=[place.pk])

    text = visible_text(client.get(url, headers=ENGLISH))

    assert french_typography(text) == []
    if name == "sheet":
        assert "Phone: " in text


def test_the_booking_page_and_its_error_summary_in_english(client, place):
    room = ResourceFactory(place=place, name="Salle Cantal")
    client.force_login(UserFactory())
    url = reverse("spaces:book", args=[room.public_id])

    page = visible_text(client.get(url, headers=ENGLISH))
    refused = client.post(url, {"date": "", "start_time": "", "end_time": ""}, headers=ENGLISH)

    assert french_typography(page) == []
    text = visible_text(refused)
    assert french_typography(text) == []
    assert re.search(r"\w: ", text)  # the summary's separator, English style


def test_the_availability_page_in_english(client, place):
    ResourceFactory(place=place, name="Salle Cantal")
    client.force_login(UserFactory())
    day = timezone.localdate() + datetime.timedelta(days=7)

    text = visible_text(
        client.get(
            reverse("spaces:availability", args=[place.pk]), {"jour": day.isoformat()}, headers=ENGLISH
        )
    )

    assert french_typography(text) == []


def test_the_coverage_page_with_a_computed_run_in_english(client, place):
    response = client.get(
        "/maillage/", {"territory": "dep:15", "radius_km": "10", "recommend": "3"}, headers=ENGLISH
    )

    assert response.context["result"].recommendation
    assert french_typography(visible_text(response)) == []
