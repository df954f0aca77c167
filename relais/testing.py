"""Factories shared by the test suites (factory_boy, traits rather than subclasses), and browser helpers."""

import contextlib
import datetime

import factory
from django.conf import settings
from django.test import Client

from relais.accounts.models import PlaceRole, User
from relais.places.models import Place, PlaceStatus
from relais.territory.models import Commune


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    password = factory.PostGenerationMethodCall("set_password", "mot de passe de test")

    class Params:
        network_admin = factory.Trait(is_network_admin=True)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PlaceFactory(factory.django.DjangoModelFactory):
    """A place in Aurillac (15014) unless told otherwise; the commune must exist (reference data loaded)."""

    class Meta:
        model = Place
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Tiers-lieu numéro {n}")
    status = PlaceStatus.OPEN
    commune = factory.LazyFunction(lambda: Commune.objects.get(code_insee="15014"))
    postal_code = "15000"
    address = "1 place de la Mairie"
    latitude = 44.93032
    longitude = 2.44495
    opening_hours = "Mo-Fr 09:00-12:00,14:00-18:00; PH off"

    @factory.post_generation
    def typologies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.typologies.set(_terms("Typology", extracted))

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.services.set(_terms("Service", extracted))

    @factory.post_generation
    def labels(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.labels.set(_terms("Label", extracted))

    @factory.post_generation
    def managers(obj, create, extracted, **kwargs):
        for user in extracted or []:
            PlaceRole.objects.create(user=user, place=obj, role=PlaceRole.Role.MANAGER)


def place_in(code, **kwargs):
    """A place at the reference point of commune `code` (INSEE)."""
    commune = Commune.objects.get(pk=code)
    kwargs.setdefault("latitude", commune.latitude)
    kwargs.setdefault("longitude", commune.longitude)
    kwargs.setdefault("postal_code", "")
    return PlaceFactory(commune=commune, **kwargs)


def _terms(model_name, codes):
    from django.apps import apps

    model = apps.get_model("places", model_name)
    return list(model.objects.filter(code__in=codes))


# Fragments of the English messages Django, pydantic and django-ninja produce when nobody translated them.
ENGLISH_FRAGMENTS = (
    "Input should",
    "Field required",
    "field required",
    "Not Found",
    "Cannot parse",
    "Unauthorized",
    "This field",
    "Enter a",
    "is not a valid",
)


def assert_french(text):
    """The message is meant for people: French, not one of the frameworks' English defaults."""
    assert text, "message vide"
    for fragment in ENGLISH_FRAGMENTS:
        assert fragment not in text, f"message en anglais : {text!r}"


def form_data(form, **changes):
    """What a browser would post back for an unbound form as rendered (its initial values), with changes."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, (list, tuple)):
            data[field.name] = [str(v) for v in value]
        else:
            data[field.name] = "" if value is None else str(value)
    data.update(changes)
    return data


# --- Real browser (headless Debian chromium driven by Playwright) ---------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # A page answered by the browser itself (a town hall's page embedding the widget, in the tests) counts as
    # public: its checks of requests from public pages to the loopback address (the live server) are off.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
    "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults",
]
AXE_SCRIPT = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@contextlib.contextmanager
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def chromium_page(browser, **context_options):
    """A page in a fresh context of `browser`; `page.requested_urls` and `page.errors` record what
    happened. Anything the Content-Security-Policy blocked fails the test at the end: a script, a style or
    a request the policy refuses is a broken page for its users."""
    options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.requested_urls = []
    page.errors = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and page.csp_violations.append(message.text)
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not page.csp_violations, page.csp_violations


def axe_violations(page, impacts=("serious", "critical")):
    """Accessibility violations of the page at these impacts, by axe-core (from npm), WCAG 2.1 A and AA."""
    # Evaluated by the browser's automation channel, which the page's Content-Security-Policy does not
    # govern (a <script> tag with its content inline would be refused, rightly).
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:200] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


class PlaceRoleFactory(factory.django.DjangoModelFactory):
    """A role in a place (manager by default)."""

    class Meta:
        model = "accounts.PlaceRole"

    user = factory.SubFactory(UserFactory)
    place = factory.SubFactory(PlaceFactory)
    role = "manager"


class MemberFactory(factory.django.DjangoModelFactory):
    """A member of a place with an account (`user=None, name=…, contact=…` for one without)."""

    class Meta:
        model = "members.Member"

    place = factory.SubFactory(PlaceFactory)
    user = factory.SubFactory(UserFactory)
    joined_on = factory.LazyFunction(lambda: datetime.date(2025, 1, 1))


# --- Spaces: resources and bookings --------------------------------------------------------------


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "spaces.Qualification"

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Habilitation {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    """A meeting room bookable in 30-minute steps, from 30 minutes to 8 hours, within the place's hours."""

    class Meta:
        model = "spaces.Resource"

    place = factory.SubFactory(PlaceFactory)
    kind = "meeting_room"
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 1
    people_capacity = 8
    max_horizon_days = 365
    booking_policy = "public"

    class Params:
        pool = factory.Trait(kind="desk_pool", name=factory.Sequence(lambda n: f"Open space {n}"), capacity=3)
        machine = factory.Trait(
            kind="machine",
            name=factory.Sequence(lambda n: f"Découpe laser {n}"),
            required_qualification=factory.SubFactory(
                QualificationFactory, place=factory.SelfAttribute("..place")
            ),
        )


def login_request():
    """A request for `client.login(request=login_request(), …)`: the lock-out (django-axes) counts every
    attempt against the client's address, so an authentication always comes with its request."""
    from django.test import RequestFactory

    return RequestFactory().post("/comptes/connexion/")


def totp_device(user):
    """The user's confirmed TOTP application (created when missing): what a person sets up on first login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="application", confirmed=True)


def totp_code(device):
    """The code the person's application shows now for `device`."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


class VerifiedClient(Client):
    """The test client whose `force_login` logs in as a person who gave both factors: the account gets a
    TOTP application and a verified session, as after the code page. Tests of the second factor itself use
    `django.test.Client`."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY

        # Every account, also one that gets a team role only after logging in (a member may turn the second
        # factor on: a verified session is what any account has after the code page).
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()


def give_second_factor(page, user):
    """In a browser just past the password: type the code of the user's application when the site asks for
    it (set up beforehand when missing, as on the person's first login), as a person would."""
    page.wait_for_url(lambda url: "/connexion/" not in url)
    if "/double-authentification/" not in page.url:
        return
    if isinstance(user, str):
        user = User.objects.get(username=user)
    device = totp_device(user)
    if "/code/" not in page.url:  # the set-up page: the application already exists, go to the code page
        page.goto(page.url.replace("/double-authentification/", "/double-authentification/code/", 1))
    page.get_by_label("Code à 6 chiffres").fill(totp_code(device))
    page.get_by_role("button", name="Valider").click()


def close_response(response):
    """Close a test response (a streamed file left unread) without closing the test's database connection:
    `HttpResponse.close()` sends `request_finished`, whose `close_old_connections` would close a PostgreSQL
    connection held inside the test's transaction (the test client itself disconnects it around its own
    close)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def resource_data(**changes):
    """The team's form of a resource, filled as a manager would (relais/spaces/config_forms.py)."""
    data = {
        "kind": "meeting_room",
        "name": "Salle du Puy",
        "description": "",
        "booking_policy": "members",
        "capacity": "1",
        "people_capacity": "8",
        "equipment": "",
        "required_qualification": "",
        "bookable_hours": "",
        "min_duration_minutes_0": "30",
        "min_duration_minutes_1": "minutes",
        "max_duration_minutes_0": "8",
        "max_duration_minutes_1": "heures",
        "granularity_minutes_0": "30",
        "granularity_minutes_1": "minutes",
        "min_notice_minutes_0": "0",
        "min_notice_minutes_1": "minutes",
        "max_horizon_days": "90",
        "buffer_minutes_0": "15",
        "buffer_minutes_1": "minutes",
        "cancellation_deadline_minutes_0": "24",
        "cancellation_deadline_minutes_1": "heures",
        "is_active": "on",
    }
    data.update(changes)
    return data
