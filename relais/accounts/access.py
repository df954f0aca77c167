"""The team of a place configures it in the Django admin (resources, closures, members…): a role in a place
that opens the admin (`ADMIN_ROLES`) gives the person the permissions of that role; the admin pages
then show the rows of their own places only (`relais.places.admin_scope`). Losing the last such role closes
it again.

Each app declares what each role's group may do with its models, in its AppConfig:

    team_permissions = {"manager": {"resource": ALL, …}, "staff": {"booking": ("view",), …}}

Kept in step by signals (a role saved or deleted) and at each login, for roles given before this existed.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import PlaceRole

ALL = ("add", "change", "delete", "view")

Role = PlaceRole.Role
GROUP_OF_ROLE = {
    Role.MANAGER: "Gérants de lieu",
    Role.STAFF: "Équipes de lieu",
    Role.VOLUNTEER: "Bénévoles de lieu",
    Role.PARTNER: "Partenaires de lieu",
    Role.DPO: "Délégués à la protection des données de lieu",
}
# Roles that open the Django admin (the operator's back office) on the rows of their places.
ADMIN_ROLES = {Role.MANAGER, Role.STAFF}
TEAM_GROUPS = set(GROUP_OF_ROLE.values())


def declared_permissions(role):
    """[(app_label, codename)] that the apps' `team_permissions` give to `role`."""
    wanted = []
    for config in apps.get_app_configs():
        for model, actions in getattr(config, "team_permissions", {}).get(role, {}).items():
            wanted += [(config.label, f"{action}_{model}") for action in actions]
    return wanted


def team_group(role):
    """The group of a role with its permissions (created, or put right, on first use)."""
    group, _created = Group.objects.get_or_create(name=GROUP_OF_ROLE[role])
    wanted = declared_permissions(role)
    permissions = Permission.objects.filter(
        content_type__app_label__in={a for a, _c in wanted}, codename__in={c for _a, c in wanted}
    ).select_related("content_type")
    permissions = [p for p in permissions if (p.content_type.app_label, p.codename) in wanted]
    if set(group.permissions.all()) != set(permissions):
        group.permissions.set(permissions)
    return group


def sync_admin_access(user):
    """Give or take the admin access and the team groups according to the user's roles in places."""
    roles = set(PlaceRole.objects.filter(user=user).values_list("role", flat=True))
    with transaction.atomic():
        for role in GROUP_OF_ROLE:
            group = team_group(role)
            if role in roles:
                user.groups.add(group)
            else:
                user.groups.remove(group)
        should_be_staff = bool(roles & ADMIN_ROLES) or user.is_superuser or user.is_network_admin
        if user.is_staff != should_be_staff:
            user.is_staff = should_be_staff
            user.save(update_fields=["is_staff"])


def on_role_saved(sender, instance, **kwargs):
    transaction.on_commit(lambda: sync_admin_access(instance.user))


def on_role_deleted(sender, instance, **kwargs):
    user = instance.user
    transaction.on_commit(lambda: sync_admin_access(user))


def on_login(sender, request, user, **kwargs):
    if PlaceRole.objects.filter(user=user).exists() or user.groups.filter(name__in=TEAM_GROUPS).exists():
        sync_admin_access(user)
