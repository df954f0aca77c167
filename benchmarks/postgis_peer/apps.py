from django.apps import AppConfig


class PostgisPeerConfig(AppConfig):
    name = "postgis_peer"
    verbose_name = "PostGIS peer (benchmarks)"
    default_auto_field = "django.db.models.BigAutoField"
