from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "relais.spaces"
    verbose_name = _("espaces et réservations")
