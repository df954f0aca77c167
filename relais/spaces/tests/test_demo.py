"""The demonstration resources are valid, bookable and loaded once."""

import pytest

from relais.spaces.demo import DEMO_RESOURCES, load_demo_resources
from relais.spaces.models import Resource
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def test_demo_resources_are_valid_and_idempotent():
    places = [PlaceFactory(), PlaceFactory()]
    assert load_demo_resources(places) == 2 * len(DEMO_RESOURCES)
    assert load_demo_resources(places) == 0
    for resource in Resource.objects.all():
        resource.full_clean()
    machine = Resource.objects.filter(kind="machine").first()
    assert machine.required_qualification.place == machine.place
