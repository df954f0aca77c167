"""The team of a place configures it in the Django admin (resources, closures, members…): a role in a place
opens the admin to the person, with the permissions of their role; the admin pages then show the rows of
their own places only (`relais.places.admin_scope`). Losing the last role closes it again.

Kept in step by signals (a role saved or deleted) and at each login, for roles given before this existed.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import PlaceRole

ALL = ("add", "change", "delete", "view")

# Group name → {app_label: {model: actions}}.
TEAM_GROUPS = {
    "Gérants de lieu": {
        "spaces": {
            "resource": ALL,
            "pricerule": ALL,
            "closure": ALL,
            "qualification": ALL,
            "userqualification": ALL,
            "booking": ("view",),
            "bookingseries": ("view",),
            "waitlistentry": ("view", "change"),
        },
        "members": {"member": ALL},
    },
    "Équipes de lieu": {
        "spaces": {
            "userqualification": ALL,
            "booking": ("view",),
            "bookingseries": ("view",),
            "waitlistentry": ("view", "change"),
        },
        "members": {"member": ("add", "change", "view")},
    },
}
GROUP_OF_ROLE = {PlaceRole.Role.MANAGER: "Gérants de lieu", PlaceRole.Role.STAFF: "Équipes de lieu"}


def team_group(name):
    """The group with its permissions (created, or put right, on first use)."""
    group, _created = Group.objects.get_or_create(name=name)
    wanted = []
    for app_label, models in TEAM_GROUPS[name].items():
        for model, actions in models.items():
            wanted += [(app_label, f"{action}_{model}") for action in actions]
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
        for role, name in GROUP_OF_ROLE.items():
            group = team_group(name)
            if role in roles:
                user.groups.add(group)
            else:
                user.groups.remove(group)
        should_be_staff = bool(roles) or user.is_superuser or user.is_network_admin
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
