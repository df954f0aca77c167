"""The privacy notice: public, linked from the sign-up page and every footer, and saying every processing the
inventory declares, in words."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from relais.privacy import inventory
from relais.testing import assert_french

pytestmark = pytest.mark.django_db


def test_anyone_reads_every_processing_with_its_basis_and_retention(client):
    response = client.get(reverse("privacy-notice"))
    assert response.status_code == 200
    html = response.content.decode()
    for processing in inventory.processings().values():
        assert f'id="traitement-{processing.code}"' in html
        assert escape(str(inventory.LegalBasis(processing.legal_basis).label)) in html
        assert escape(str(processing.retention.duration_label)) in html
    assert "cnil.fr" in html and "Mon espace" in html
    assert_french(html)


def test_the_sign_up_page_and_the_footer_link_to_it(client):
    notice = reverse("privacy-notice")
    assert f'href="{notice}"' in client.get(reverse("accounts:signup")).content.decode()
    assert f'href="{notice}"' in client.get(reverse("home")).content.decode()


def test_it_speaks_english_too(client):
    html = client.get(reverse("privacy-notice"), headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in html
