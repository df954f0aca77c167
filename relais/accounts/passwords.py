"""Password rules after the ANSSI's advice: length rather than composition rules, no forced rotation, and a
refusal of passwords that attackers try first.

Django's `CommonPasswordValidator` compares the password as typed with its list of 20,000 passwords most
found in leaked databases; people defeat such a list by adding digits or symbols around a common word
(« motdepasse123 », « Azerty2024! »), which attackers' dictionaries try just as early. This validator compares
the *base* of the password — lower-cased, without accents, with common letter-for-digit swaps undone and the
digits and symbols around it removed — with the same list, and refuses passwords made of one repeated
pattern (« aaaaaaaaaaaa », « 123123123123 »)."""

import re
import unicodedata

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Words that an attacker of this site tries with the common ones.
SITE_WORDS = {"relais", "tierslieu", "tierslieux", "fablab", "coworking", "franceservices"}


def base_of(password):
    """The word a password is built on: « Motdepasse123! » → « motdepasse »."""
    text = unicodedata.normalize("NFKD", password.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    stripped = AROUND.sub("", text)
    if not stripped:  # only digits and symbols: the password itself is its base
        return text
    return re.sub(r"\s+", "", stripped.translate(LEET))


def repeated_pattern(password):
    """True when the password is one short pattern repeated (« abcabcabcabc », « 111111111111 »)."""
    return re.fullmatch(r"(.{1,4})\1+", password.lower()) is not None


class CommonBaseValidator:
    def __init__(self):
        self.common = CommonPasswordValidator().passwords

    def validate(self, password, user=None):
        base = base_of(password)
        if repeated_pattern(password):
            raise ValidationError(
                _("Ce mot de passe répète le même motif : choisissez plutôt une phrase de quelques mots."),
                code="password_repeated",
            )
        if base in self.common or base in SITE_WORDS:
            raise ValidationError(
                _(
                    "Ce mot de passe est bâti sur « %(base)s », l'un des mots de passe les plus essayés par "
                    "les pirates, même avec des chiffres ou des symboles autour : choisissez plutôt une "
                    "phrase de quelques mots."
                ),
                code="password_common_base",
                params={"base": base},
            )

    def get_help_text(self):
        return _("Votre mot de passe ne doit pas être bâti sur un mot de passe courant.")
