"""Dates after a word that governs the genitive. Review, 2026-12-12: a debt reminder said "Оплатите до пятое
марта" (the nominative) where Russian says "до пятого марта"; `spoken_date(d, 'ru', 'genitive')` says the day's
ordinal in the genitive (the month and year are in it already). English and Spanish have no case to change."""

from __future__ import annotations

from datetime import date

import pytest

from graph_engine import templates
from voice.spoken import spoken_date
from voice.templating import install_template_functions


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2026-03-05", "пятого марта две тысячи двадцать шестого года"),
        ("2026-03-03", "третьего марта две тысячи двадцать шестого года"),
        ("2026-03-21", "двадцать первого марта две тысячи двадцать шестого года"),
        ("2000-01-01", "первого января двухтысячного года"),
        (date(1990, 8, 23), "двадцать третьего августа тысяча девятьсот девяностого года"),
        ("2026-12-30", "тридцатого декабря две тысячи двадцать шестого года"),
        ("2026-05-11", "одиннадцатого мая две тысячи двадцать шестого года"),
    ],
)
def test_a_russian_date_in_the_genitive(value: object, words: str) -> None:
    assert spoken_date(value, "ru", "genitive") == words


def test_the_nominative_is_still_the_default() -> None:
    assert spoken_date("2026-03-05", "ru") == spoken_date("2026-03-05", "ru", "nominative")
    assert spoken_date("2026-03-05", "ru") == "пятое марта две тысячи двадцать шестого года"


def test_a_debt_reminder_says_until_the_fifth() -> None:
    install_template_functions()
    template = "Оплатите до {{ spoken_date(due, language, 'genitive') }}."
    assert templates.render(template, {"due": "2026-03-05", "language": "ru"}) == (
        "Оплатите до пятого марта две тысячи двадцать шестого года."
    )


@pytest.mark.parametrize("lang", ["en", "es", "es-419"])
def test_english_and_spanish_dates_have_no_case_to_change(lang: str) -> None:
    assert spoken_date("2026-03-05", lang, "genitive") == spoken_date("2026-03-05", lang)


def test_a_form_the_helper_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="'genitive'"):
        spoken_date("2026-03-05", "ru", "dative")


def test_a_kazakh_date_is_not_said_in_a_genitive_it_lacks() -> None:
    with pytest.raises(ValueError, match="'kk'"):
        spoken_date("2026-03-05", "kk", "genitive")
