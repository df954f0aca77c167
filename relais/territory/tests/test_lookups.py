import pytest

from relais.core.errors import DomainError, NotFound
from relais.territory.services import communes_for_postal_code, get_commune, resolve_commune, search_communes

pytestmark = pytest.mark.django_db


def test_saint_etienne_typed_without_accents_finds_the_prefecture_first():
    results = search_communes("saint etienne")
    assert results[0].code_insee == "42218"


def test_abbreviated_saint_finds_the_same_commune():
    assert search_communes("st-etienne")[0].code_insee == "42218"


def test_postal_code_shared_by_several_communes_lists_them_by_population():
    communes = communes_for_postal_code("15300")
    assert len(communes) > 1
    assert [c.population for c in communes] == sorted((c.population for c in communes), reverse=True)


def test_arrondissement_code_leads_to_the_current_commune():
    assert get_commune("75101").code_insee == "75056"


def test_unknown_insee_code_is_reported_in_french():
    with pytest.raises(NotFound, match="code INSEE inconnu"):
        get_commune("99999")


def test_postal_code_that_does_not_match_the_commune_is_refused():
    with pytest.raises(DomainError, match="ne correspond pas à la commune Aurillac"):
        resolve_commune(code_insee="15014", postal_code="75001")
