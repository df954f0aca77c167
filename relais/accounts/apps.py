from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "relais.accounts"
    verbose_name = "Comptes et rôles"
