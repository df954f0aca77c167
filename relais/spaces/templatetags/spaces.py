from django import template

from relais.spaces.wording import price_text
from relais.territory.timezones import local_hour_text

register = template.Library()


@register.filter
def price(cents):
    """12,50 € from 1250 (cents), in the active language's number format."""
    if cents is None:
        return ""
    return price_text(cents)


@register.filter
def local_hour(place):
    """« heure de la Guadeloupe » beside the times of a place outside Europe/Paris, else ""."""
    return local_hour_text(place.timezone)


@register.filter
def has_state(rows, state):
    """Whether a slot of the table's `rows` (each {"cells": [cell or None]}) is in `state` ("buffer"…)."""
    return any(cell and cell.get("state") == state for row in rows for cell in row["cells"])
