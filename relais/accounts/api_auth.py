"""Authentication of the JSON API: `Authorization: Bearer <token>`, a token of the person's account page,
limited to its scopes and until its expiry."""

import datetime

from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from relais.core import ratelimit
from relais.core.errors import Forbidden, TooManyRequests

from .models import ApiToken, Scope
from .security import client_ip

# Failed tokens from one client address before it is refused for the rest of the window (a token is 32
# random bytes: this stops a scanner, not a guess).
FAILED_TOKENS_LIMIT = 20
FAILED_TOKENS_WINDOW = datetime.timedelta(minutes=15)


class TokenAuth(HttpBearer):
    """A valid token carrying `scope`; a valid token without it is a 403 that names the missing scope."""

    def __init__(self, scope):
        super().__init__()
        self.scope = Scope(scope)

    def authenticate(self, request, token):
        ip = client_ip(request) or "inconnue"
        if ratelimit.count("api-token-failed", ip, per=FAILED_TOKENS_WINDOW) >= FAILED_TOKENS_LIMIT:
            raise TooManyRequests(
                _("Trop de jetons invalides depuis votre adresse : réessayez dans %(minutes)s minutes.")
                % {"minutes": int(FAILED_TOKENS_WINDOW.total_seconds() // 60)}
            )
        found = ApiToken.find(token)
        if found is None:
            ratelimit.hit("api-token-failed", ip, per=FAILED_TOKENS_WINDOW)
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
