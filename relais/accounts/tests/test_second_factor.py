"""The second factor: required for the team (site and admin), optional for members, recovery codes."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.security import requires_second_factor
from relais.testing import PlaceFactory, UserFactory, totp_code, totp_device

pytestmark = pytest.mark.django_db
PASSWORD = "mot de passe de test"


@pytest.fixture(autouse=True)
def _no_waiting_between_codes(settings):
    """django-otp makes one wait 1 s, then 2, 4… after a wrong code: these tests type the right one at once
    (the wait itself is tested below)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def log_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data | ({"next": next_url} if next_url else {}))


def test_who_must_use_a_second_factor():
    member = UserFactory()
    manager = UserFactory()
    PlaceFactory(managers=[manager])
    assert not requires_second_factor(member)
    assert requires_second_factor(manager)
    assert requires_second_factor(UserFactory(network_admin=True))
    assert requires_second_factor(UserFactory(is_superuser=True))


def test_a_manager_sets_up_the_application_then_sees_recovery_codes_then_works():
    manager = UserFactory()
    PlaceFactory(managers=[manager])
    client = Client()
    log_in(client, manager)
    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard.status_code == 302 and dashboard.url.startswith(reverse("accounts:second-factor-setup"))
    page = client.get(dashboard.url)
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "otpauth://" not in page.content.decode()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    wrong = client.post(reverse("accounts:second-factor-setup"), {"code": "000000"})
    assert "ce code ne correspond pas" in wrong.content.decode()
    done = client.post(reverse("accounts:second-factor-setup"), {"code": totp_code(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=manager).count() == 10
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_next_time_the_code_is_asked_and_a_recovery_code_works_once():
    manager = UserFactory()
    PlaceFactory(managers=[manager])
    device = totp_device(manager)
    from relais.accounts.two_factor import new_recovery_codes

    (code, *_rest) = new_recovery_codes(manager)
    client = Client()
    log_in(client, manager)
    asked = client.get(reverse("accounts:dashboard"))
    assert asked.url.startswith(reverse("accounts:second-factor-verify"))
    bad = client.post(reverse("accounts:second-factor-verify"), {"code": "123456"})
    assert "il a expiré" in bad.content.decode()
    ok = client.post(reverse("accounts:second-factor-verify"), {"code": code, "next": "/comptes/"})
    assert ok.status_code == 302 and client.get(reverse("accounts:dashboard")).status_code == 200
    assert StaticToken.objects.filter(device__user=manager).count() == 9
    client.logout()
    log_in(client, manager)
    again = client.post(reverse("accounts:second-factor-verify"), {"code": code})
    assert again.status_code == 200  # used once: refused
    ok = client.post(reverse("accounts:second-factor-verify"), {"code": totp_code(device)})
    assert ok.status_code == 302


def test_the_admin_asks_the_second_factor_too():
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    response = client.get("/admin/")
    assert (
        response.status_code == 302
        and response.url.startswith(reverse("accounts:second-factor-verify"))
        or (response.url.startswith(reverse("accounts:second-factor-setup")))
    )
    totp_device(operator)
    response = client.get("/admin/")
    assert response.url.startswith(reverse("accounts:second-factor-verify"))


def test_a_member_is_not_forced_and_may_turn_it_on_and_off():
    member = UserFactory()
    client = Client()
    log_in(client, member)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    client.get(reverse("accounts:second-factor-setup"))
    device = TOTPDevice.objects.get(user=member)
    client.post(reverse("accounts:second-factor-setup"), {"code": totp_code(device)})
    TOTPDevice.objects.filter(user=member).update(last_t=-1)  # a code is used once: as if 30 s had passed
    client.logout()
    log_in(client, member)
    assert client.get(reverse("accounts:dashboard")).url.startswith(reverse("accounts:second-factor-verify"))
    client.post(reverse("accounts:second-factor-verify"), {"code": totp_code(device)})
    client.post(reverse("accounts:second-factor-disable"))
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_a_manager_cannot_turn_it_off():
    manager = UserFactory()
    PlaceFactory(managers=[manager])
    client = Client()
    client.force_login(manager)
    device = totp_device(manager)
    client.post(reverse("accounts:second-factor-verify"), {"code": totp_code(device)})
    response = client.post(reverse("accounts:second-factor-disable"), follow=True)
    assert "ne peut pas être retirée" in response.content.decode()
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_after_wrong_codes_the_person_is_told_to_wait(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    settings.OTP_STATIC_THROTTLE_FACTOR = 1
    manager = UserFactory()
    PlaceFactory(managers=[manager])
    device = totp_device(manager)
    client = Client()
    log_in(client, manager)
    client.post(reverse("accounts:second-factor-verify"), {"code": "000000"})
    response = client.post(reverse("accounts:second-factor-verify"), {"code": totp_code(device)})
    assert "patientez" in response.content.decode()
