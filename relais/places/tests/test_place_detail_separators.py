"""The place page's contact lines write their separator with `{% colon %}`: French « Téléphone : », English
"Phone: " (never a French space before the colon hard-coded around a translated label)."""

import re

import pytest
from django.urls import reverse

from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def contact_section(response):
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"<[^>]+>", "", html.split('id="contact"')[1].split("</section>")[0])


@pytest.fixture
def place(db):
    return PlaceFactory(
        phone="+33471000000", emails=["accueil@example.org"], websites=["https://lieu.example.org/"]
    )


def test_the_contact_lines_in_french(client, place):
    text = contact_section(client.get(reverse("places:detail", args=[place.pk])))
    assert "Téléphone : 04 71 00 00 00" in text
    assert "E-mail : accueil@example.org" in text
    assert "Site web : https://lieu.example.org/" in text


def test_the_contact_lines_in_english(client, place):
    url = reverse("places:detail", args=[place.pk])
    text = contact_section(client.get(url, headers={"accept-language": "en"}))
    assert "Phone: 04 71 00 00 00" in text
    assert "Email: accueil@example.org" in text
    assert "Website: https://lieu.example.org/" in text
    assert not re.search(r"\w :", text), text
