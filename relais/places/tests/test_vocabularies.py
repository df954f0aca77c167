"""The controlled vocabularies shipped with Relais: loaded by a data migration, kept in step idempotently."""

import pytest

from relais.places import vocabularies as voc
from relais.places.models import Label, Public, Service, Typology
from relais.places.services import sync_vocabularies

pytestmark = pytest.mark.django_db

MODELS = (Typology, Service, Public, Label)


def _terms():
    """Every term of every vocabulary with all its columns."""
    return {
        model.__name__: sorted(
            model.objects.values_list(*[f.attname for f in model._meta.concrete_fields if f.name != "id"])
        )
        for model in MODELS
    }


def test_the_migration_loaded_every_service_public_and_label():
    assert set(Service.objects.values_list("code", flat=True)) == {row[0] for row in voc.SERVICES}
    assert set(Public.objects.values_list("code", flat=True)) == {row[0] for row in voc.PUBLICS}
    assert set(Label.objects.values_list("code", "mednum_field")) == {(row[0], row[3]) for row in voc.LABELS}


def test_the_migration_loaded_the_typologies_tiers_lieux_first():
    tiers_lieux = [row[0] for row in voc.TIERS_LIEUX_TYPOLOGIES]
    codes = list(Typology.objects.order_by("position", "code").values_list("code", flat=True))
    assert codes[: len(tiers_lieux)] == tiers_lieux
    assert list(
        Typology.objects.filter(is_tiers_lieu=True).values_list("code", flat=True).order_by("position")
    ) == (tiers_lieux)
    standard = {code for code, _name in voc.MEDNUM_TYPOLOGIES}
    assert set(codes[len(tiers_lieux) :]) <= standard
    # Most of the standard's structure types are offered as they are.
    assert len(codes) - len(tiers_lieux) >= len(standard) - 3


def test_terms_carry_their_names_and_their_values_in_the_national_standard():
    service = Service.objects.get(code="DEMARCHES")
    assert (service.name, service.mednum_value) == (
        "Aide aux démarches administratives",
        "Aide aux démarches administratives",
    )
    assert Service.objects.get(code="POSTE_TRAVAIL").mednum_value == ""
    assert Label.objects.get(code="CONSEILLER_NUMERIQUE").mednum_value == "Conseillers numériques"
    assert Typology.objects.get(code="FABLAB").mednum_value == "FABLAB"


def test_services_keep_the_order_of_the_vocabulary():
    assert list(Service.objects.order_by("position").values_list("code", flat=True)) == [
        row[0] for row in voc.SERVICES
    ]


def test_running_the_sync_again_changes_nothing():
    before = _terms()
    sync_vocabularies()
    sync_vocabularies()
    assert _terms() == before


def test_the_sync_restores_shipped_terms_and_keeps_custom_ones():
    before = _terms()
    Service.objects.filter(code="DEMARCHES").update(name="Démarches (renommé)", position=99)
    Typology.objects.filter(code="FABLAB").update(is_tiers_lieu=False)
    Service.objects.create(code="PRET_VELOS", name="Prêt de vélos", position=200)
    sync_vocabularies()
    after = _terms()
    assert Service.objects.get(code="DEMARCHES").name == "Aide aux démarches administratives"
    assert Typology.objects.get(code="FABLAB").is_tiers_lieu
    assert Service.objects.filter(code="PRET_VELOS").exists()
    assert after["Service"] == sorted([*before["Service"], ("PRET_VELOS", "Prêt de vélos", "", 200)])
    assert {k: v for k, v in after.items() if k != "Service"} == {
        k: v for k, v in before.items() if k != "Service"
    }
