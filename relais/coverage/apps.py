from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "relais.coverage"
    verbose_name = "Maillage du territoire"
