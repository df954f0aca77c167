from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "relais.places"
    verbose_name = "Registre des lieux"
    # Who may read the files stored under MEDIA_ROOT/places/ (relais/core/uploads.py, views_files.py).
    served_files = "relais.places.documents.served_file"

    def ready(self):
        from . import signals  # noqa: F401
