"""Factories shared by the test suites (factory_boy, traits rather than subclasses)."""

import factory

from relais.accounts.models import PlaceRole, User
from relais.places.models import Place, PlaceStatus
from relais.territory.models import Commune


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    password = factory.PostGenerationMethodCall("set_password", "mot de passe de test")

    class Params:
        network_admin = factory.Trait(is_network_admin=True)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PlaceFactory(factory.django.DjangoModelFactory):
    """A place in Aurillac (15014) unless told otherwise; the commune must exist (reference data loaded)."""

    class Meta:
        model = Place
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Tiers-lieu numéro {n}")
    status = PlaceStatus.OPEN
    commune = factory.LazyFunction(lambda: Commune.objects.get(code_insee="15014"))
    postal_code = "15000"
    address = "1 place de la Mairie"
    latitude = 44.93032
    longitude = 2.44495
    opening_hours = "Mo-Fr 09:00-12:00,14:00-18:00; PH off"

    @factory.post_generation
    def typologies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.typologies.set(_terms("Typology", extracted))

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.services.set(_terms("Service", extracted))

    @factory.post_generation
    def labels(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.labels.set(_terms("Label", extracted))

    @factory.post_generation
    def managers(obj, create, extracted, **kwargs):
        for user in extracted or []:
            PlaceRole.objects.create(user=user, place=obj, role=PlaceRole.Role.MANAGER)


def _terms(model_name, codes):
    from django.apps import apps

    model = apps.get_model("places", model_name)
    return list(model.objects.filter(code__in=codes))


# Fragments of the English messages Django, pydantic and django-ninja produce when nobody translated them.
ENGLISH_FRAGMENTS = (
    "Input should",
    "Field required",
    "field required",
    "Not Found",
    "Cannot parse",
    "Unauthorized",
    "This field",
    "Enter a",
    "is not a valid",
)


def assert_french(text):
    """The message is meant for people: French, not one of the frameworks' English defaults."""
    assert text, "message vide"
    for fragment in ENGLISH_FRAGMENTS:
        assert fragment not in text, f"message en anglais : {text!r}"


def form_data(form, **changes):
    """What a browser would post back for an unbound form as rendered (its initial values), with changes."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, (list, tuple)):
            data[field.name] = [str(v) for v in value]
        else:
            data[field.name] = "" if value is None else str(value)
    data.update(changes)
    return data
