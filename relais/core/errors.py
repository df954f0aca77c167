"""Domain errors shared by every app.

Domain operations raise `DomainError` with a French message meant for people; views turn it into a form
error, the API into a 4xx JSON body, commands into a non-zero exit with the message.
"""


class DomainError(Exception):
    def __init__(self, message, *, field=None, code="invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self):
        if self.field:
            return f"{self.field} : {self.message}"
        return self.message


class NotFound(DomainError):
    def __init__(self, message, *, field=None):
        super().__init__(message, field=field, code="not_found")


class ValidationFailed(DomainError):
    """Several fields are wrong at once: `errors` maps each field to its French messages."""

    def __init__(self, errors):
        self.errors = {field: list(messages) for field, messages in errors.items()}
        summary = " ; ".join(f"{field} : {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(summary, code="invalid")

    def __str__(self):
        return self.message
