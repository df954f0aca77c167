from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Log in with one's identifier or one's e-mail address (when exactly one account has it)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username or "@" not in username:
            return user
        User = get_user_model()
        matches = list(User.objects.filter(email__iexact=username.strip())[:2])
        if len(matches) != 1:
            User().set_password(password)  # the same work as for a known account (timing)
            return None
        candidate = matches[0]
        if candidate.check_password(password) and self.user_can_authenticate(candidate):
            return candidate
        return None
