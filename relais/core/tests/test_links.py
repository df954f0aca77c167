"""`core.links.absolute_url`: the one builder of absolute addresses for links that leave the site."""

from django.test import RequestFactory

from relais.core.links import absolute_url, base_url


def test_during_a_request_the_link_is_on_the_request_s_own_address(settings):
    settings.RELAIS_BASE_URL = "https://relais.exemple.fr"
    settings.ALLOWED_HOSTS = ["tiers-lieux.exemple.org"]
    request = RequestFactory().get("/lieux/", secure=True, headers={"host": "tiers-lieux.exemple.org"})

    assert absolute_url("/comptes/", request) == "https://tiers-lieux.exemple.org/comptes/"


def test_without_a_request_the_link_is_on_the_public_address(settings):
    settings.RELAIS_BASE_URL = "https://relais.exemple.fr/"  # a final "/" is not doubled

    assert absolute_url("/lieux/?q=fablab") == "https://relais.exemple.fr/lieux/?q=fablab"
    assert base_url() == "https://relais.exemple.fr"


def test_a_base_given_by_the_caller_wins_over_the_setting(settings):
    settings.RELAIS_BASE_URL = "https://relais.exemple.fr"

    assert (
        absolute_url("/comptes/", base="https://autre.exemple.org/") == "https://autre.exemple.org/comptes/"
    )
    assert absolute_url("/comptes/", base="") == "https://relais.exemple.fr/comptes/"


def test_without_any_known_address_there_is_no_link(settings):
    settings.RELAIS_BASE_URL = ""

    assert absolute_url("/comptes/") == ""
    assert absolute_url("/comptes/", base=None) == ""
    assert base_url() == ""
