"""Folding and normalising names so that searches match the way people type them."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.core.text import fold, normalize_name

PROPERTIES = settings(max_examples=150, derandomize=True, database=None, deadline=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Île-d’Yeu", "l ile d yeu"),
        ("Œuvre  ÉCOLE", "oeuvre ecole"),
        ("Lætitia", "laetitia"),
        ("  Aurillac  ", "aurillac"),
        ("Sainte-Foy-lès-Lyon", "sainte foy les lyon"),
        ("Centre social (Bel-Air), bât. B/2", "centre social bel air bat b 2"),
        ("fab_lab", "fab lab"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_lowercases_and_removes_accents_ligatures_and_punctuation(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("St-Étienne", "saint etienne"),
        ("ST ETIENNE", "saint etienne"),
        ("Ste-Marie", "sainte marie"),
        ("Stes-Maries-de-la-Mer", "saintes maries de la mer"),
        ("Sts-Geosmes", "saints geosmes"),
        ("Stains", "stains"),  # not an abbreviation
        ("Rue St. Jean", "rue saint jean"),
        ("Aurillac", "aurillac"),
    ],
)
def test_normalize_name_expands_the_saint_abbreviations_only_as_whole_words(text, expected):
    assert normalize_name(text) == expected


def test_abbreviated_and_full_spellings_normalise_alike():
    assert normalize_name("St-Denis") == normalize_name("saint denis") == normalize_name("SAINT-DENIS")
    assert normalize_name("Ste Foy lès Lyon") == normalize_name("Sainte-Foy-lès-Lyon")


@PROPERTIES
@given(st.text())
def test_fold_is_idempotent_and_leaves_no_accent_capital_or_stray_space(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert not any(unicodedata.combining(c) for c in folded)
    assert folded == folded.lower()


@PROPERTIES
@given(st.text())
def test_normalize_name_is_idempotent(text):
    normalized = normalize_name(text)
    assert normalize_name(normalized) == normalized
    assert " st " not in f" {normalized} "


@PROPERTIES
@given(st.text(alphabet=st.characters(codec="latin-1", categories=["Ll", "Lu"]), min_size=1))
def test_accented_and_plain_latin_words_fold_alike(word):
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    assert fold(word) == fold(plain)
