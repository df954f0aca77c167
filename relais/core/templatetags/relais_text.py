"""Punctuation that follows the active language, and the error summaries' lines.

French puts a space before « : » and writes « guillemets »; English does neither. Templates write the
separator with `{% colon %}` (the catalogs give each language its own) rather than a hard-coded " : ", and
an error summary lists its fields' errors with `{% error_items form %}`: each line names the field once, even
when the message itself starts with the field's label (« Typologies : valeur inconnue… »).
"""

import re

from django import template
from django.utils.translation import pgettext

register = template.Library()

# What may sit between a label and a colon: a space, a non-breaking or a narrow non-breaking one, or nothing.
_SPACES = " \u00a0\u202f\t"


@register.simple_tag
def colon():
    """The separator between a label and its text: « : » in French, ": " in English."""
    return pgettext("between a label and its text", " : ")


@register.simple_tag
def semicolon():
    """The separator between two items of a list: « ; » in French, "; " in English."""
    return pgettext("between two items of a list", " ; ")


def without_label(message, label):
    """`message` without a leading « label : » (any case, any space before the colon), else unchanged.

    The label may carry a note in brackets that the message leaves out (« Adresse e-mail (facultatif) »).

    >>> without_label("Téléphone : numéro invalide.", "Téléphone")
    'numéro invalide.'
    >>> without_label("Adresse e-mail : adresse invalide.", "Adresse e-mail (facultatif)")
    'adresse invalide.'
    >>> without_label("numéro invalide.", "Téléphone")
    'numéro invalide.'
    """
    text, name = str(message), " ".join(str(label or "").split()).casefold()
    match = re.match(rf"\s*([^:]+?)[{_SPACES}]*:\s*", text)
    if not name or not match or not text[match.end() :].strip():
        return text
    lead = " ".join(match.group(1).split()).casefold()
    if lead == name or name.startswith(lead + " ("):
        return text[match.end() :]
    return text


register.filter("without_label", without_label)


@register.inclusion_tag("core/_error_items.html")
def error_items(form):
    """The `<li>` lines of a form's field errors: a link to the field, its label once, then the message."""
    items = [
        {"id": field.id_for_label, "label": field.label, "message": without_label(error, field.label)}
        for field in form
        for error in field.errors
    ]
    return {"items": items}
