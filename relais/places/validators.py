"""Validation and normalisation of place fields, with French messages that say what is wrong and where."""

import re

import opening_hours
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.fr import siret as stdnum_siret

from relais.territory.geo import FRANCE_BOXES, is_in_france

# Regions whose numbers French places use: metropolitan France and the overseas départements.
PHONE_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF")
RNA_RE = re.compile(r"^W\d{9}$")


def clean_siret(value):
    """Digits of a valid SIRET (spaces allowed on input), or ValidationError."""
    digits = re.sub(r"[\s.]", "", value or "")
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) != 14:
        raise ValidationError(
            _("le SIRET « %(value)s » doit comporter 14 chiffres.") % {"value": value}, code="siret"
        )
    # La Poste's establishments share SIREN 356000000 and do not follow the Luhn rule; stdnum knows it.
    if not stdnum_siret.is_valid(digits):
        raise ValidationError(
            _("le SIRET « %(value)s » est invalide (clé de contrôle incorrecte).") % {"value": value},
            code="siret",
        )
    return digits


def clean_rna(value):
    value = (value or "").strip().upper()
    if value and not RNA_RE.match(value):
        raise ValidationError(
            _("le numéro RNA « %(value)s » doit être de la forme W123456789.") % {"value": value}, code="rna"
        )
    return value


# The overseas départements dial their numbers in the French national form (0596…, 0269…) but have their
# own country codes; the French metadata also accepts some of them as +33 numbers, which they are not.
OVERSEAS_COUNTRY_CODES = (590, 596, 594, 262)
_LOCAL_NUMBER_TYPES = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _overseas_reading(number):
    """The same national number as a fixed or mobile number of an overseas département, if it is one."""
    for country_code in OVERSEAS_COUNTRY_CODES:
        candidate = phonenumbers.PhoneNumber(
            country_code=country_code, national_number=number.national_number
        )
        if (
            phonenumbers.is_valid_number(candidate)
            and phonenumbers.number_type(candidate) in _LOCAL_NUMBER_TYPES
        ):
            return candidate
    return None


def clean_phone(value):
    """E.164 form of a French (metropolitan or overseas) phone number, or ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(value, region, keep_raw_input=True)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            if (
                number.country_code == 33
                and number.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
            ):
                number = _overseas_reading(number) or number
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValidationError(
        _("le numéro de téléphone « %(value)s » n'est pas valide.") % {"value": value}, code="phone"
    )


def format_phone(value):
    """National display form ("04 50 56 87 49") of an E.164 number."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def clean_emails(values):
    cleaned = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            _email(value)
        except ValidationError:
            raise ValidationError(
                _("l'adresse e-mail « %(value)s » n'est pas valide.") % {"value": value}, code="email"
            ) from None
        cleaned.append(value.lower())
    return cleaned


DEFAULT_URL_LABEL = gettext_lazy("l'adresse web")


def clean_url(value, label=DEFAULT_URL_LABEL):
    typed = value = (value or "").strip()
    if not value:
        return ""
    invalid = ValidationError(
        _("%(label)s « %(value)s » n'est pas valide.") % {"label": label, "value": typed}, code="url"
    )
    if not re.match(r"^https?://", value, re.I):
        # Another scheme ("mailto:", "javascript:", "ftp://"…) is refused, not turned into "https://mailto:…".
        if re.match(r"^[a-z][a-z0-9+.-]*:(?!\d)", value, re.I):
            raise invalid
        value = "https://" + value
    try:
        _url(value)
    except ValidationError:
        raise invalid from None
    return value


def clean_urls(values):
    return [url for url in (clean_url(v) for v in values) if url]


def parse_opening_hours(value):
    """An OpeningHours object; ValidationError saying where the expression is malformed."""
    try:
        return opening_hours.OpeningHours(value)
    except (opening_hours.ParserError, SyntaxError) as exc:
        raise ValidationError(
            _("horaires invalides « %(value)s » : %(error)s")
            % {"value": value, "error": _describe_parser_error(value, str(exc))},
            code="opening_hours",
        ) from None


def _describe_parser_error(value, message):
    match = re.search(r"-->\s*\d+:(\d+)", message)
    if not match:
        return _("syntaxe OpenStreetMap attendue, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; PH off ».")
    column = int(match.group(1))
    near = value[column - 1 : column + 9] or "(fin)"
    return _(
        "erreur à la position %(column)s, près de « %(near)s » "
        "(syntaxe OpenStreetMap attendue, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; PH off »)."
    ) % {"column": column, "near": near}


def clean_opening_hours(value):
    value = " ".join((value or "").split())
    if value:
        parse_opening_hours(value)
    return value


def check_coordinates(latitude, longitude):
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            _("la latitude et la longitude vont ensemble : renseignez les deux."), code="coordinates"
        )
    if latitude is None:
        return
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(
            _("coordonnées impossibles (%(lat)s, %(lon)s).") % {"lat": latitude, "lon": longitude},
            code="coordinates",
        )
    if not is_in_france(latitude, longitude):
        raise ValidationError(
            _(
                "les coordonnées (%(lat)s, %(lon)s) sont hors de France (métropole et DROM : "
                "%(boxes)s). Latitude et longitude sont-elles inversées ?"
            )
            % {"lat": latitude, "lon": longitude, "boxes": ", ".join(FRANCE_BOXES)},
            code="coordinates",
        )
