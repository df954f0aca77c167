"""Calendar months: the GDPR counts a request's deadline (art. 12.3) and the inventory its retentions in
months, from a date to the same day of another month (the last day when that month is shorter)."""

import calendar


def add_months(value, months):
    """`value` (a date or datetime) moved by `months` calendar months, forward or back."""
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)
