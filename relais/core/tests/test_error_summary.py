"""The error summaries name each field once, even when the message starts with the field's label."""

import html
import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from relais.core.templatetags.relais_text import without_label
from relais.testing import PlaceFactory


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="Téléphone",
        error_messages={"required": "Téléphone : indiquez un numéro (10 chiffres)."},
    )
    name = forms.CharField(label="Nom", error_messages={"required": "indiquez un nom."})


def summary_lines(page, summary_id):
    block = page.split(f'id="{summary_id}"', 1)[1].split("</ul>", 1)[0]
    return [
        " ".join(html.unescape(strip_tags(li)).split())
        for li in re.findall(r"<li>(.*?)</li>", block, flags=re.S)
    ]


class TestWithoutLabel:
    @pytest.mark.parametrize(
        "message",
        [
            "Téléphone : numéro invalide.",
            "Téléphone\u00a0: numéro invalide.",
            "Téléphone\u202f: numéro invalide.",
            "téléphone: numéro invalide.",
        ],
    )
    def test_it_strips_a_leading_label_and_its_colon(self, message):
        assert without_label(message, "Téléphone") == "numéro invalide."

    def test_labels_ending_with_a_question_mark_are_stripped_too(self):
        message = "Qu'est-ce qui est inexact ? : choisissez une réponse de la liste."

        assert without_label(message, "Qu'est-ce qui est inexact ?") == "choisissez une réponse de la liste."

    @pytest.mark.parametrize(
        "message",
        [
            "numéro invalide.",
            "Le téléphone : numéro invalide.",  # the label is not at the start
            "Téléphones : numéros invalides.",  # another word
            "Téléphone :",  # nothing would be left
        ],
    )
    def test_other_messages_are_kept_whole(self, message):
        assert without_label(message, "Téléphone") == message

    def test_a_missing_label_keeps_the_message(self):
        assert without_label("Téléphone : numéro invalide.", "") == "Téléphone : numéro invalide."


class TestTheSharedSummary:
    def test_the_spaces_summary_names_the_field_once(self):
        form = PhoneForm(data={})
        assert not form.is_valid()

        html = render_to_string("spaces/_errors.html", {"form": form})

        assert summary_lines(html, "erreurs") == [
            "Téléphone : indiquez un numéro (10 chiffres).",
            "Nom : indiquez un nom.",
        ]
        assert '<a href="#id_phone">Téléphone</a>' in html

    def test_the_separator_follows_the_language(self):
        form = PhoneForm(data={})
        form.is_valid()

        with translation.override("en"):
            html = render_to_string("spaces/_errors.html", {"form": form})

        assert summary_lines(html, "erreurs")[0] == "Téléphone: indiquez un numéro (10 chiffres)."

    @pytest.mark.django_db
    def test_the_error_report_summary_does_not_repeat_the_labels(self, client):
        place = PlaceFactory()

        response = client.post(
            reverse("places:report", args=[place.pk]),
            {"kind": "", "message": " ", "email": "pas-une-adresse", "website": ""},
        )

        assert response.status_code == 200
        lines = summary_lines(response.content.decode(), "erreurs-signalement")
        assert lines == [
            "Qu'est-ce qui est inexact ? : choisissez une réponse (horaires, adresse…).",
            "Votre message : décrivez ce qui est inexact.",
            "Votre adresse e-mail (facultatif) : adresse invalide (exemple : prenom.nom@exemple.fr).",
        ]
        # Under the fields, the messages stay whole.
        assert "Votre message : décrivez ce qui est inexact." in response.content.decode()

    @pytest.mark.django_db
    def test_the_signup_summary_links_to_each_field(self, client):
        response = client.post(
            reverse("accounts:signup"),
            {"first_name": "Camille", "last_name": "", "email": "pas-une-adresse", "website": ""},
        )

        assert response.status_code == 200
        lines = summary_lines(response.content.decode(), "erreurs")
        assert lines[0] == "Nom de famille : Ce champ est obligatoire."
        assert any(line.startswith("Adresse e-mail : ") for line in lines)
        assert '<a href="#id_last_name">Nom de famille</a>' in response.content.decode()
