"""Any write to a place, its vocabularies or a commune changes the registry version (search index)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from relais.territory.services import territory_loaded

from .models import Place, RegistryVersion


@receiver(post_save, sender=Place)
@receiver(post_delete, sender=Place)
def _place_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        RegistryVersion.bump()


for _relation in (Place.typologies, Place.services, Place.publics, Place.labels):
    m2m_changed.connect(
        lambda sender, action, **kwargs: RegistryVersion.bump() if action.startswith("post_") else None,
        sender=_relation.through,
        weak=False,
    )


@receiver(territory_loaded)
def _territory_loaded(sender, **kwargs):
    RegistryVersion.bump()  # commune names and départements are part of the places' index
