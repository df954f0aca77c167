from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "relais.territory"
    verbose_name = "Territoires"
