"""Membership questions asked by the other apps (bookings' rules and rates); no HTTP here."""

from .models import Member


def membership_days(place, user):
    """The (joined_on, ends_on) periods of `user` at `place` (none without an account)."""
    if user is None or not getattr(user, "pk", None):
        return []
    return list(Member.objects.filter(place=place, user=user).values_list("joined_on", "ends_on"))


def covers(periods, day):
    """Does one of the periods from `membership_days` cover `day`?"""
    return any(joined <= day and (ends is None or ends >= day) for joined, ends in periods)


def is_member(place, user, day):
    return covers(membership_days(place, user), day)


def active_members(place, day):
    return Member.objects.filter(place=place).active_on(day).select_related("user")
