"""French by default, English on request; the English catalog is complete and its compiled .mo is current."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from relais.testing import PlaceFactory

HOME = reverse("home")
SET_LANGUAGE = reverse("set_language")
FRENCH_TITLE = "Trouver un lieu et un service près de chez soi"
ENGLISH_TITLE = "Find a place and a service near you"
# Every language offered besides the one the source strings are written in has its own catalog.
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.fixture(autouse=True)
def _restore_active_language():
    # LocaleMiddleware activates the request's language in the thread and never deactivates it: without
    # this, code tested outside a request after these tests would speak English.
    with translation.override(translation.get_language()):
        yield


@pytest.mark.django_db
class TestLanguageOfThePages:
    def test_french_by_default(self, client):
        html = client.get(HOME).content.decode()

        assert '<html lang="fr">' in html
        assert FRENCH_TITLE in html
        assert "Aller au contenu" in html
        assert ENGLISH_TITLE not in html

    @pytest.mark.parametrize("accept_language", ["en", "en-GB,en;q=0.9,fr;q=0.5"])
    def test_english_when_the_browser_asks_for_it(self, client, accept_language):
        PlaceFactory()

        html = client.get(HOME, headers={"accept-language": accept_language}).content.decode()

        assert '<html lang="en">' in html
        assert ENGLISH_TITLE in html
        assert "Skip to content" in html
        assert "1 place in the registry." in html
        assert FRENCH_TITLE not in html
        assert "Aller au contenu" not in html

    def test_unknown_languages_fall_back_to_french(self, client):
        html = client.get(HOME, headers={"accept-language": "de-DE,de;q=0.9"}).content.decode()

        assert '<html lang="fr">' in html
        assert FRENCH_TITLE in html

    def test_the_switcher_changes_the_language_and_returns_to_the_page(self, client):
        response = client.post(SET_LANGUAGE, {"language": "en", "next": "/lieux/?q=grange"})

        assert response.status_code == 302
        assert response["Location"] == "/lieux/?q=grange"
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        html = client.get(HOME).content.decode()
        assert '<html lang="en">' in html
        assert ENGLISH_TITLE in html

        client.post(SET_LANGUAGE, {"language": "fr", "next": HOME})

        assert FRENCH_TITLE in client.get(HOME).content.decode()

    def test_the_chosen_language_wins_over_the_browser_one(self, client):
        client.post(SET_LANGUAGE, {"language": "fr", "next": HOME})

        html = client.get(HOME, headers={"accept-language": "en"}).content.decode()

        assert FRENCH_TITLE in html

    def test_the_switcher_is_an_accessible_form_in_every_page(self, client):
        html = client.get(reverse("places:list"), {"q": "grange"}).content.decode()

        assert f'<form class="language-switcher" method="post" action="{SET_LANGUAGE}">' in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert '<input type="hidden" name="next" value="/lieux/?q=grange">' in html
        assert '<label class="visually-hidden" for="language-switcher">Langue</label>' in html
        assert '<option value="fr" lang="fr" selected>français</option>' in html
        assert '<option value="en" lang="en">English</option>' in html
        assert '<button type="submit" class="link">Changer de langue</button>' in html

    def test_the_switcher_marks_english_as_selected_in_english(self, client):
        html = client.get(HOME, headers={"accept-language": "en"}).content.decode()

        assert '<option value="en" lang="en" selected>English</option>' in html
        assert '<option value="fr" lang="fr">français</option>' in html
        assert "Change language" in html


# --- The catalogs -------------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural form index → text (0 when singular)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self):
        """How gettext names the message in a compiled catalog."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def read_po(path):
    """A small .po reader: enough for what makemessages writes (no dependency for one test)."""
    entries, entry, current = [], None, None
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            entry = None
            continue
        if entry is None:
            entry = Entry()
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current(ast.literal_eval(line))
        else:
            keyword, _space, value = line.partition(" ")
            current = _setter(entry, keyword)
            current(ast.literal_eval(value))
    return entries


def _setter(entry, keyword):
    match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
    if match:
        index = int(match.group(1) or 0)
        entry.msgstr.setdefault(index, "")

        def append(text):
            entry.msgstr[index] += text

        return append
    if keyword not in ("msgid", "msgid_plural", "msgctxt"):
        raise ValueError(f"mot-clé inattendu dans le catalogue : {keyword}")
    setattr(entry, keyword, "")

    def append(text):
        setattr(entry, keyword, getattr(entry, keyword) + text)

    return append


def catalog_path(language, extension):
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"django.{extension}"


def messages(language):
    """The catalog's messages, the header left out."""
    return [entry for entry in read_po(catalog_path(language, "po")) if entry.msgid or entry.msgctxt]


def placeholders(text):
    return sorted(re.findall(r"%\(\w+\)[sd]|\{\{.*?\}\}", text))


def test_the_po_reader_understands_what_makemessages_writes():
    # A sanity check of the reader on a real multi-line, plural entry: the tests below rely on it.
    entries = {entry.msgid: entry for entry in messages("en")}

    plural = entries["%(counter)s lieu au registre."]
    assert plural.msgid_plural == "%(counter)s lieux au registre."
    assert plural.msgstr == {
        0: "%(counter)s place in the registry.",
        1: "%(counter)s places in the registry.",
    }
    long = entries[
        "Syntaxe OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off »."
    ]
    assert long.msgstr == {
        0: "OpenStreetMap syntax, for example “Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off”."
    }


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = read_po(catalog_path(language, "po"))
    header = entries[0]

    assert header.msgid == "" and f"Language: {language}\n" in header.msgstr[0]
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if e.obsolete] == []
    untranslated = [e.msgid for e in entries[1:] if not e.msgstr or not all(e.msgstr.values())]
    assert untranslated == []
    assert len(entries) > 200  # the whole interface, not a stub


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders(language):
    for entry in messages(language):
        assert placeholders(entry.msgstr[0]) == placeholders(entry.msgid), entry.msgid
        if entry.msgid_plural is not None:
            for text in list(entry.msgstr.values())[1:]:
                assert placeholders(text) == placeholders(entry.msgid_plural), entry.msgid_plural


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_compiled_catalog_is_up_to_date(language):
    expected = {}
    for entry in messages(language):
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, n): text for n, text in entry.msgstr.items()})

    with catalog_path(language, "mo").open("rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)
    compiled.pop("", None)  # the header: its dates change at every makemessages

    assert compiled == expected, "django.mo is stale: run `manage.py compilemessages` and commit it"


def test_french_counts_zero_and_one_as_singular():
    """French is the source language; its catalog exists for the plurals only (scripts/french_plurals.py):
    without it gettext would apply the English rule and write « 0 lieux »."""
    with translation.override("fr"):
        texts = [
            translation.ngettext("%(count)s lieu rappelé", "%(count)s lieux rappelés", n) % {"count": n}
            for n in (0, 1, 2)
        ]  # a message of remind_stale_places
    assert texts == ["0 lieu rappelé", "1 lieu rappelé", "2 lieux rappelés"]


def test_every_plural_message_has_its_french_forms():
    french = {e.msgid: e for e in read_po(catalog_path("fr", "po"))[1:] if not e.obsolete}
    for entry in messages("en"):
        if entry.msgid_plural is not None:
            assert entry.msgid in french, f"run `make messages`: {entry.msgid}"
            assert list(french[entry.msgid].msgstr.values()) == [entry.msgid, entry.msgid_plural], entry.msgid
