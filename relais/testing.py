"""Factories shared by the test suites (factory_boy, traits rather than subclasses), and browser helpers."""

import contextlib
import datetime

import factory
from django.conf import settings

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
    happened."""
    options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.requested_urls = []
    page.errors = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def axe_violations(page, impacts=("serious", "critical")):
    """Accessibility violations of the page at these impacts, by axe-core (from npm), WCAG 2.1 A and AA."""
    page.add_script_tag(path=str(AXE_SCRIPT))
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
