from django import template

from relais.spaces.wording import price_text

register = template.Library()


@register.filter
def price(cents):
    """12,50 € from 1250 (cents), in the active language's number format."""
    if cents is None:
        return ""
    return price_text(cents)
