"""Helpers of the browser tests of the booking flows, the team's pages and the duplicate queue.

axe-core is evaluated through the DevTools protocol rather than added as a <script> tag: the pages'
Content-Security-Policy (scripts only from the instance or with the page's nonce) rightly blocks an inline
tag, and the check must run on the page as people get it, CSP included."""

from relais.testing import AXE_SCRIPT

PASSWORD = "mot de passe de test"  # UserFactory's
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, impacts=("serious", "critical")):
    """Accessibility violations of the page at these impacts, by axe-core (from npm), WCAG 2.1 A and AA."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
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


def fits(page, width=360):
    """No horizontal scrolling at `width`."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def checked(page, width=360):
    """The page fits the screen's width and axe-core finds nothing serious or critical."""
    assert fits(page, width), f"{page.url} déborde de {width} px"
    assert axe_violations(page) == [], page.url


def sized(page, width=360, height=740):
    page.set_viewport_size({"width": width, "height": height})
    return page


def log_in(page, live_server, username, password=PASSWORD):
    """Log in through the login page; an account that must give a second factor (the teams, the network)
    types the code its application shows, as a person would."""
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "connexion" not in url)
    if "/double-authentification/" in page.url:
        from relais.accounts.models import User
        from relais.testing import totp_code, totp_device

        # Set up beforehand (test_second_factor tests the set-up page itself): the code page, then on.
        device = totp_device(User.objects.get(username=username))
        if "/code/" not in page.url:
            page.goto(page.url.replace("/double-authentification/", "/double-authentification/code/"))
        page.get_by_label("Code à 6 chiffres (ou un code de secours)").fill(totp_code(device))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_url(lambda url: "/double-authentification/" not in url)
