from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: what assembles several apps (the home page, « Mon espace », the whole demo). No app
    imports it."""

    name = "relais.site"
    verbose_name = "Site"
