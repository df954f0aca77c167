from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "relais.accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from . import access, security
        from .models import PlaceRole

        post_save.connect(access.on_role_saved, sender=PlaceRole, dispatch_uid="place_role_saved")
        post_delete.connect(access.on_role_deleted, sender=PlaceRole, dispatch_uid="place_role_deleted")
        user_logged_in.connect(access.on_login, dispatch_uid="team_admin_access_on_login")
        user_logged_in.connect(security.on_login, dispatch_uid="team_session_on_login")
