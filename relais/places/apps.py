from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "relais.places"
    verbose_name = "Registre des lieux"

    def ready(self):
        from . import signals  # noqa: F401
