from ninja.security import HttpBearer

from relais.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are issued to managers from their account page."""

    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user
