"""Absolute addresses for links that leave the site (e-mails, calendars): the one builder.

`absolute_url(path)` puts a path of the site (from `reverse()`) on an address someone can follow:

- during a request, on that request's own scheme and host (`request.build_absolute_uri`);
- otherwise (a background task, a command) on `base` when the caller gives one (a command's `--base-url`),
  else on the instance's public address, `settings.RELAIS_BASE_URL`;
- when no address is known at all, it returns "" — never a bare path, which is no link in an e-mail — and
  the templates leave the line with the link out.
"""

from django.conf import settings


def base_url(base=None):
    """The public address links are made on ("" when the operator has not set one), without a final "/"."""
    return (base or getattr(settings, "RELAIS_BASE_URL", "") or "").rstrip("/")


def absolute_url(path, request=None, *, base=None):
    """`path` (e.g. "/lieux/…/", with its query string) as an absolute address; "" when none is known."""
    if request is not None:
        return request.build_absolute_uri(path)
    root = base_url(base)
    return f"{root}{path}" if root else ""
