from django.test import RequestFactory

from relais.privacy.audit import Actor


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_a_forged_forwarded_for_header_is_ignored_by_default(settings):
    settings.USE_X_FORWARDED_FOR = False
    assert Actor.from_request(request_from("203.0.113.9", "10.0.0.1")).ip_address == "203.0.113.9"


def test_behind_a_trusted_proxy_the_address_it_appended_is_recorded(settings):
    settings.USE_X_FORWARDED_FOR = True
    actor = Actor.from_request(request_from("127.0.0.1", "10.0.0.1, 198.51.100.4"))
    assert actor.ip_address == "198.51.100.4"


def test_an_anonymous_request_has_no_user_and_reads_as_anonymous():
    request = request_from("127.0.0.1")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    actor = Actor.from_request(request)
    assert actor.user is None
    assert actor.display == "anonyme"
