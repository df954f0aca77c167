"""Authentication of the JSON API: `Authorization: Bearer <token>`, a token of the person's account page,
limited to its scopes and until its expiry."""

from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from relais.core.errors import Forbidden

from .models import ApiToken, Scope


class TokenAuth(HttpBearer):
    """A valid token carrying `scope`; a valid token without it is a 403 that names the missing scope."""

    def __init__(self, scope):
        super().__init__()
        self.scope = Scope(scope)

    def authenticate(self, request, token):
        found = ApiToken.find(token)
        if found is None:
            return None
        if not found.allows(self.scope):
            raise Forbidden(
                _("Ce jeton n'a pas la portée « %(scope)s » (%(label)s) : créez-en un qui l'a.")
                % {"scope": self.scope.value, "label": self.scope.label},
                code="scope",
            )
        found.mark_used()
        request.user = found.user
        request.auth_token = found
        return found.user
