"""Validation and normalisation of place fields, with French messages that say what is wrong and where."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.places.validators import (
    check_coordinates,
    clean_emails,
    clean_opening_hours,
    clean_phone,
    clean_rna,
    clean_siret,
    clean_url,
    clean_urls,
    format_phone,
)

PROPERTIES = settings(max_examples=100, derandomize=True, database=None, deadline=None)
APPLE_FRANCE = "73282932000074"
LA_POSTE = "35600000049837"  # La Poste: digits add up to a multiple of 5 instead of the Luhn rule


def luhn_check_digit(digits):
    """The digit that makes `digits + digit` pass the Luhn rule (an oracle independent of stdnum)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


def messages(exc_info):
    return " ".join(exc_info.value.messages)


# --- SIRET and RNA ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (APPLE_FRANCE, APPLE_FRANCE),
        ("732 829 320 00074", APPLE_FRANCE),
        ("732.829.320.00074", APPLE_FRANCE),
        (LA_POSTE, LA_POSTE),
        ("", ""),
        (None, ""),
    ],
)
def test_it_accepts_a_valid_siret_and_keeps_its_digits_only(text, expected):
    assert clean_siret(text) == expected


def test_it_refuses_an_invalid_siret():
    with pytest.raises(ValidationError) as caught:
        clean_siret("73282932000075")
    assert messages(caught) == "le SIRET « 73282932000075 » est invalide (clé de contrôle incorrecte)."


@pytest.mark.parametrize("text", ["7328293200007", "732829320000745", "ABCDEFGHIJKLMN", "7328293200007A"])
def test_it_refuses_a_siret_that_is_not_fourteen_digits(text):
    with pytest.raises(ValidationError, match="doit comporter 14 chiffres") as caught:
        clean_siret(text)
    assert f"« {text} »" in messages(caught)


@PROPERTIES
@given(st.integers(min_value=0, max_value=13), st.integers(min_value=1, max_value=9))
def test_it_refuses_a_siret_with_any_single_digit_mistyped(position, shift):
    digits = list(APPLE_FRANCE)
    digits[position] = str((int(digits[position]) + shift) % 10)
    with pytest.raises(ValidationError, match="clé de contrôle incorrecte"):
        clean_siret("".join(digits))


@PROPERTIES
@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
def test_it_accepts_every_siret_whose_siren_and_whole_number_pass_the_luhn_rule(siren_body, nic_body):
    siren = siren_body + luhn_check_digit(siren_body)
    siret = siren + nic_body + luhn_check_digit(siren + nic_body)
    assert clean_siret(siret) == siret


def test_it_normalises_an_rna_number_and_refuses_a_malformed_one():
    assert clean_rna(" w123456789 ") == "W123456789"
    assert clean_rna("") == ""
    with pytest.raises(ValidationError, match="doit être de la forme W123456789"):
        clean_rna("W12345")


# --- Phone numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04 71 45 46 00", "+33471454600"),
        ("04.71.45.46.00", "+33471454600"),
        ("+33 4 71 45 46 00", "+33471454600"),
        ("0033 4 71 45 46 00", "+33471454600"),
        ("06 12 34 56 78", "+33612345678"),
        ("0800 123 456", "+33800123456"),
    ],
)
def test_it_gives_the_e164_form_of_a_metropolitan_number(text, expected):
    assert clean_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe
        ("0690 12 34 56", "+590690123456"),
        ("0596 71 90 50", "+596596719050"),  # Martinique
        ("0696 12 34 56", "+596696123456"),
        ("0594 12 34 56", "+594594123456"),  # Guyane
        ("0694 12 34 56", "+594694123456"),
        ("0262 40 40 40", "+262262404040"),  # La Réunion
        ("0692 12 34 56", "+262692123456"),
        ("0269 63 63 00", "+262269636300"),  # Mayotte
        ("0639 00 12 34", "+262639001234"),
        ("+262 262 40 40 40", "+262262404040"),
    ],
    ids=["gp-fixed", "gp-mobile", "mq-fixed", "mq-mobile", "gf-fixed", "gf-mobile", "re-fixed", "re-mobile"]
    + ["yt-fixed", "yt-mobile", "re-international"],
)
def test_it_gives_the_e164_form_of_an_overseas_number_with_its_own_country_code(text, expected):
    assert clean_phone(text) == expected


@pytest.mark.parametrize("text", ["12", "06 12", "04 71 45 46 00 00", "téléphone", "3939"])
def test_it_refuses_an_invalid_phone_number_in_french(text):
    with pytest.raises(ValidationError) as caught:
        clean_phone(text)
    assert messages(caught) == f"le numéro de téléphone « {text} » n'est pas valide."


def test_an_empty_phone_number_is_allowed():
    assert clean_phone("") == clean_phone(None) == clean_phone("   ") == ""


@pytest.mark.parametrize("text", ["04 71 45 46 00", "0596 71 90 50", "0262 40 40 40", "0269 63 63 00"])
def test_a_cleaned_number_is_shown_in_its_national_form_and_cleans_to_itself(text):
    e164 = clean_phone(text)
    assert clean_phone(e164) == e164
    assert format_phone(e164) == text


# --- E-mail addresses and web addresses ------------------------------------------------------------------


def test_it_lowercases_emails_and_drops_empty_ones():
    assert clean_emails(["Contact@Exemple.FR", " ", "autre@exemple.fr "]) == [
        "contact@exemple.fr",
        "autre@exemple.fr",
    ]


@pytest.mark.parametrize("text", ["contact@", "a@b", "jean dupont@exemple.fr", "exemple.fr"])
def test_it_refuses_an_invalid_email_in_french(text):
    with pytest.raises(ValidationError) as caught:
        clean_emails(["bon@exemple.fr", text])
    assert messages(caught) == f"l'adresse e-mail « {text} » n'est pas valide."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exemple.fr", "https://exemple.fr"),
        ("www.exemple.fr/lieu", "https://www.exemple.fr/lieu"),
        ("http://exemple.fr/page?x=1", "http://exemple.fr/page?x=1"),
        ("HTTPS://EXEMPLE.FR", "HTTPS://EXEMPLE.FR"),
        ("  https://exemple.fr  ", "https://exemple.fr"),
        ("", ""),
    ],
)
def test_it_accepts_web_addresses_and_adds_the_missing_scheme(text, expected):
    assert clean_url(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pas une adresse",
        "ftp://exemple.fr",
        "javascript:alert(1)",
        "mailto:contact@exemple.fr",
        "https://exemple",
    ],
)
def test_it_refuses_what_is_not_a_web_address_quoting_what_was_typed(text):
    with pytest.raises(ValidationError) as caught:
        clean_url(text, "le lien de rendez-vous")
    assert messages(caught) == f"le lien de rendez-vous « {text} » n'est pas valide."


def test_it_cleans_a_list_of_web_addresses():
    assert clean_urls(["exemple.fr", "", "http://autre.fr"]) == ["https://exemple.fr", "http://autre.fr"]


# --- Opening hours ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 09:00-12:00,14:00-18:00; PH off", "Mo-Fr 09:00-12:00,14:00-18:00; PH off"),
        ("  Mo-Fr   09:00-12:00 ;  Sa 10:00-12:00 ", "Mo-Fr 09:00-12:00 ; Sa 10:00-12:00"),
        ("24/7", "24/7"),
        ("Tu-Sa 10:00-19:00; Su,PH off", "Tu-Sa 10:00-19:00; Su,PH off"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_accepts_openstreetmap_opening_hours_with_spaces_collapsed(text, expected):
    assert clean_opening_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "position", "near"),
    [
        ("Mo-Fr 9h-12h", 7, "9h-12h"),
        ("lundi 9-12", 1, "lundi 9-12"),
        ("Mo-Fr 09:00-12:00; fermé", 20, "fermé"),
        ("Mo-Fr 09:00-12:00,14:00-18:00 PH off", 31, "PH off"),
        ("Mo-Fr 09:00-1200", 13, "1200"),
        ("Mo-Fr 09:00-12:00;", 19, "(fin)"),
    ],
)
def test_invalid_opening_hours_message_says_the_position_and_what_is_there(text, position, near):
    with pytest.raises(ValidationError) as caught:
        clean_opening_hours(text)
    message = messages(caught)
    assert message.startswith(
        f"horaires invalides « {text} » : erreur à la position {position}, près de « {near}"
    )
    assert "syntaxe OpenStreetMap attendue" in message


# --- Coordinates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon"), [(44.93032, 2.44495), (-20.87897, 55.44863), (41.93, 8.74), (None, None)]
)
def test_it_accepts_coordinates_in_france_or_none(lat, lon):
    check_coordinates(lat, lon)


@pytest.mark.parametrize(
    ("lat", "lon"), [(2.44495, 44.93032), (55.44863, -20.87897)], ids=["aurillac", "reunion"]
)
def test_swapped_latitude_and_longitude_are_refused_with_a_french_hint(lat, lon):
    with pytest.raises(ValidationError) as caught:
        check_coordinates(lat, lon)
    message = messages(caught)
    assert f"les coordonnées ({lat}, {lon}) sont hors de France" in message
    assert "Latitude et longitude sont-elles inversées ?" in message


def test_coordinates_abroad_are_refused():
    with pytest.raises(ValidationError, match="hors de France"):
        check_coordinates(40.42, -3.70)  # Madrid


def test_impossible_coordinates_are_refused():
    with pytest.raises(ValidationError, match=r"coordonnées impossibles \(95.0, 2.0\)"):
        check_coordinates(95.0, 2.0)


@pytest.mark.parametrize(("lat", "lon"), [(44.93, None), (None, 2.44)])
def test_a_latitude_without_a_longitude_is_refused(lat, lon):
    with pytest.raises(ValidationError, match="la latitude et la longitude vont ensemble"):
        check_coordinates(lat, lon)
