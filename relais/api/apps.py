from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "relais.api"
    verbose_name = "API"
