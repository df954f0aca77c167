"""Domain errors shown on forms: one helper for every app's pages."""

from .errors import ValidationFailed


def add_domain_error(form, error, field_map=None):
    """Put a `DomainError` on `form`: under its field when the form has it (renamed through `field_map`,
    e.g. {"commune": "code_insee"}), otherwise at the top of the form. A `ValidationFailed` puts each of its
    fields' messages."""
    field_map = field_map or {}
    if isinstance(error, ValidationFailed):
        items = [(field, message) for field, messages in error.errors.items() for message in messages]
    else:
        items = [(error.field, error.message)]
    for field, message in items:
        name = field_map.get(field, field)
        form.add_error(name if name in form.fields else None, message)
