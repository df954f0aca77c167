"""The whole demo (`manage.py load_demo`, `make run`): each app's demo data, from the bottom layer up."""

from django.db import transaction

from relais.accounts.models import User
from relais.places import demo as places_demo
from relais.spaces import demo as spaces_demo


def load_demo(out=print, progress=None):
    """The registry and its demo places, the bookable resources of two of them, then (DEBUG only) the demo
    accounts, the member one being a member of both places, bookings of both places (the member's, some
    taken by the team for people without an account, a weekly series, a waiting list) and place proposals
    for the network admin to review. One line of `out` for each step."""
    places_demo.load_demo(out=out, progress=progress)
    sites = places_demo.demo_sites()
    resources = spaces_demo.load_demo_resources(sites)
    out(f"ressources réservables de démonstration : created={resources}")
    accounts = _load_demo_accounts(sites)
    if accounts:
        out(f"comptes de démonstration : {', '.join(accounts)} (mot de passe : {places_demo.DEMO_PASSWORD})")
        codes = places_demo.DEMO_SECOND_FACTOR_CODES
        out(f"codes de connexion de admin et gerant (double authentification) : {codes[0]} à {codes[-1]}")
        bookings = spaces_demo.load_demo_bookings(
            sites,
            User.objects.get(username=places_demo.DEMO_MEMBER),
            User.objects.get(username="gerant"),
        )
        out(f"réservations de démonstration (fictives) : created={bookings}")
        proposals = places_demo.load_demo_proposals()
        who = places_demo.DEMO_PROPOSER
        out(f"propositions de lieux de démonstration (compte {who}) : created={proposals}")


@transaction.atomic
def _load_demo_accounts(sites):
    accounts = places_demo.load_demo_accounts(sites)
    if accounts:
        spaces_demo.load_demo_members(sites, User.objects.get(username=places_demo.DEMO_MEMBER))
    return accounts
