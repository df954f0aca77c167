from django import template
from django.utils import formats

register = template.Library()


@register.filter
def price(cents):
    """12,50 € from 1250 (cents), in the active language's number format."""
    if cents is None:
        return ""
    return f"{formats.number_format(cents / 100, 2)} €"
