from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "relais.privacy"
    verbose_name = "Confidentialité et traçabilité"
