"""Domain errors shared by every app.

Domain operations raise `DomainError` with a French message meant for people; views turn it into a form
error (`relais.core.forms.add_domain_error`), the API into a 4xx JSON body (`relais.core.api_errors`: one
mapping, one `ErrorOut` schema), commands into a non-zero exit with the message.

The kind of error decides the HTTP answer, never its `code` (a finer reason, e.g. "members_only", that
clients may read): NotFound 404, Forbidden 403, Conflict 409, ValidationFailed 422, TooManyRequests 429, any
other 400.
"""


class DomainError(Exception):
    def __init__(self, message, *, field=None, code="invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self):
        # str(): a message may be lazy (gettext_lazy in a model's guard); __str__ must return a str.
        if self.field:
            return f"{self.field} : {self.message}"
        return str(self.message)


class NotFound(DomainError):
    def __init__(self, message, *, field=None):
        super().__init__(message, field=field, code="not_found")


class Forbidden(DomainError):
    """The person may not do this (their role, their membership, a qualification they lack)."""

    def __init__(self, message, *, field=None, code="forbidden"):
        super().__init__(message, field=field, code=code)


class Conflict(DomainError):
    """The request is valid but the state of things refuses it (a slot taken, a status that moved on)."""

    def __init__(self, message, *, field=None, code="conflict"):
        super().__init__(message, field=field, code=code)


class TooManyRequests(DomainError):
    """Too many attempts in a short time (failed tokens, e-mails asked for): try again later."""

    def __init__(self, message, *, field=None, code="too_many"):
        super().__init__(message, field=field, code=code)


class ValidationFailed(DomainError):
    """Several fields are wrong at once: `errors` maps each field to its French messages."""

    def __init__(self, errors):
        self.errors = {field: list(messages) for field, messages in errors.items()}
        summary = " ; ".join(f"{field} : {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(summary, code="invalid")

    def __str__(self):
        return self.message
