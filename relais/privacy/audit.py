"""The audit trail: recording who changed or viewed what, with the values before and after."""

from dataclasses import dataclass

from django.conf import settings

from .models import AuditAction, AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts, and through which channel: built once per request or command run."""

    user: object = None
    channel: str = "web"
    ip_address: str | None = None
    label: str = ""

    @property
    def display(self):
        if self.label:
            return self.label
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return self.user.get_username()
        return "anonyme"

    @classmethod
    def from_request(cls, request, channel="web"):
        ip = request.META.get("REMOTE_ADDR")
        # X-Forwarded-For is written by the client unless a reverse proxy the operator trusts overwrites it:
        # read it only when told so, taking the address the proxy appended (the last one).
        if settings.USE_X_FORWARDED_FOR:
            forwarded = [
                a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
            ]
            ip = forwarded[-1] if forwarded else ip
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        return cls(user=user, channel=channel, ip_address=ip or None)


SYSTEM = Actor(channel="command", label="système")


def build_event(actor, action, obj, *, changes=None, place=None):
    return AuditEvent(
        actor=actor.user if actor.user is not None and actor.user.is_authenticated else None,
        actor_label=actor.display,
        channel=actor.channel,
        ip_address=actor.ip_address,
        action=action,
        target_type=obj._meta.label_lower,
        target_id=str(obj.pk),
        target_label=str(obj)[:300],
        place=place,
        changes=changes or {},
    )


def record(actor, action, obj, *, changes=None, place=None):
    event = build_event(actor, action, obj, changes=changes, place=place)
    event.save()
    return event


def record_transition(sender, obj, transition, from_state, actor, reason="", **kwargs):
    """Every applied life-cycle transition (`core.workflow.apply`) goes to the audit trail."""
    from relais.core.workflow import place_of

    changes = {"status": [from_state, transition.target]}
    if reason:
        changes["reason"] = [None, reason]
    return record(actor or SYSTEM, AuditAction.UPDATE, obj, changes=changes, place=place_of(obj))


def diff(before, after):
    """{field: [before, after]} for the keys whose values differ between two snapshots."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


__all__ = ["SYSTEM", "Actor", "AuditAction", "build_event", "diff", "record", "record_transition"]
