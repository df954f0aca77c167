"""Prices of a booking: the resource's rules for members or not, the cheapest mix of units."""

import math

from relais.members import services as members

from ..enums import Audience, PriceUnit

# Minutes covered by each price unit.
PRICE_UNIT_MINUTES = {PriceUnit.HOUR: 60, PriceUnit.HALF_DAY: 240, PriceUnit.DAY: 480}


def quote(resource, start, end, *, is_member=False):
    """Price in cents of [start, end) for a member or not: the cheapest mix of hours (pro rata to the
    minute: 1 h 30 at 10 € is 15 €), half-days and days (whole blocks, even when partly used).

    None when the resource has no price for that audience (the place has not said).
    """
    return priced(resource, start, end, is_member=is_member)[0]


def priced(resource, start, end, *, is_member=False):
    """(price in cents or None, audience of the rules that made it: `Audience` value, "" without price).

    The audience is the member one when a rule kept for members priced it, the non-member one when such a
    rule did, else "everybody" (the public price)."""
    audience = Audience.MEMBER if is_member else Audience.NON_MEMBER
    rules, audiences = {}, {}
    for rule in resource.price_rules.all():
        # A rule for the precise audience beats the one for everybody.
        if rule.audience in (audience, Audience.ALL) and (
            rule.unit not in rules or rule.audience == audience
        ):
            rules[rule.unit] = rule.amount_cents
            audiences[rule.unit] = rule.audience
    if not rules:
        return None, ""
    if PriceUnit.FREE in rules:
        return 0, audiences[PriceUnit.FREE]
    minutes = -(-int((end - start).total_seconds()) // 60)
    step = math.gcd(minutes, 60) or 1
    steps = minutes // step
    # Costs in cents × 60 (an hour's price times minutes), integers until the final rounding; `used[k]`
    # is the (previous step, unit) of the cheapest mix up to step k.
    cost = [0] + [None] * steps
    used = [None] * (steps + 1)
    for k in range(1, steps + 1):
        options = []
        if PriceUnit.HOUR in rules:
            options.append((cost[k - 1] + rules[PriceUnit.HOUR] * step, k - 1, PriceUnit.HOUR))
        for unit in (PriceUnit.HALF_DAY, PriceUnit.DAY):
            if unit in rules:
                back = max(0, k - PRICE_UNIT_MINUTES[unit] // step)
                options.append((cost[back] + rules[unit] * 60, back, unit))
        cost[k], back, unit = min(options, key=lambda option: option[0])
        used[k] = (back, unit)
    units, k = set(), steps
    while k > 0:
        k, unit = used[k]
        units.add(unit)
    chosen = {audiences[unit] for unit in units}
    for candidate in (Audience.MEMBER, Audience.NON_MEMBER):
        if candidate in chosen:
            return (cost[steps] + 30) // 60, candidate
    return (cost[steps] + 30) // 60, Audience.ALL


def member_rate_applies(membership, start, tz):
    """The member rate applies when the person's membership covers the (local) day of the booking."""
    return members.covers(membership, start.astimezone(tz).date())
