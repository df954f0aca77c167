"""« Sources de cette fiche » on the public page of a place merged from several open lists."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.places import dedup, services
from relais.privacy.audit import SYSTEM
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

NEW_LIST, OLD_LIST = "ANCT — structures France services (2024-08-01)", "Médiation numérique 2022 — Hinaura"


def merged_place():
    """The same France Services in the 2024 list and in the 2022 list (other name, phone only in 2022)."""
    new = PlaceFactory(
        name="France services Aurillac",
        source=NEW_LIST,
        source_id="fs-1",
        phone="",
        data_updated_on=datetime.date(2024, 8, 1),
        labels=["FRANCE_SERVICES"],
    )
    old = PlaceFactory(
        name="Maison France Services d'Aurillac",
        source=OLD_LIST,
        source_id="di-7",
        phone="0471000000",
        latitude=44.93068,
        data_updated_on=datetime.date(2022, 5, 9),
        labels=["FRANCE_SERVICES"],
    )
    return dedup.merge(new, old, SYSTEM).place


def page(client, place):
    response = client.get(reverse("places:detail", args=[place.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def sources_section(text):
    start = text.index('<section aria-labelledby="sources"')
    return text[start : text.index("</section>", start)]


def test_a_merged_place_shows_each_source_its_date_its_fields_and_the_conflicts_to_everyone(client):
    place = merged_place()

    section = sources_section(page(client, place))  # an anonymous visitor: sources are open data

    assert "Sources de cette fiche" in section
    new_line, old_line = section.split("<li>")[1:3]  # newest confirmed first
    assert NEW_LIST in new_line and "données à jour au 1 août 2024" in new_line
    assert OLD_LIST in old_line and "données à jour au 9 mai 2022" in old_line
    kept_new = new_line.split("Informations retenues de cette source :")[1]
    kept_old = old_line.split("Informations retenues de cette source :")[1]
    assert "nom" in kept_new.split(", ") and "nom" not in kept_old.split(", ")
    assert "téléphone" in kept_old  # only the 2022 list had it
    assert (
        "Nom : « France services Aurillac » retenu (ANCT — structures France services (2024-08-01) (fs-1))"
        " ; « Maison France Services d'Aurillac » selon Médiation numérique 2022 — Hinaura (di-7)"
    ) in section


def test_a_field_changed_on_relais_since_the_merge_is_no_longer_credited_to_its_source(client):
    place = merged_place()
    services.update_place(place, {"name": "France services du Pays d'Aurillac"}, SYSTEM)

    section = sources_section(page(client, place))

    assert "Modifié depuis sur Relais : nom." in section
    new_line = section.split("<li>")[1]
    assert "nom" not in new_line.split("Informations retenues de cette source :")[1].split(", ")


def test_a_place_of_one_source_has_no_sources_section_and_asks_nothing_more(client):
    place = PlaceFactory(name="Le Fablab", source=NEW_LIST, source_id="fs-9")
    merged = merged_place()
    page(client, place)  # warm-up (caches, sessions) before counting
    with CaptureQueriesContext(connection) as single:
        text = page(client, place)
    assert 'aria-labelledby="sources"' not in text
    with CaptureQueriesContext(connection) as with_sources:
        page(client, merged)
    assert len(with_sources) == len(single) + 1  # the records of the merged place, in one query
