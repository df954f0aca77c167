from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "relais.places"
    verbose_name = "Registre des lieux"
