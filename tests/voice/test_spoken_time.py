# ruff: noqa: RUF001, RUF003  -- the expected Russian and Kazakh words are Cyrillic on purpose
"""Times of day in words at the edges where numerals must agree: the hour and minute one, two-to-four, five-to-
twenty and twenty-one; midnight and noon. Each language is pinned as a clock reading ("una en punto") and as the
language's "at" phrase, whose article or case the helper must choose because the template cannot: Spanish says
"a la una" but "a las dos", Russian "в двадцать одну минуту" (accusative), Kazakh "сағат бірде" (locative)."""

from __future__ import annotations

import re
from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_engine import templates
from voice.numerals import plural_index
from voice.spoken import LANGUAGES, spoken_time
from voice.templating import install_template_functions

EDGES = ("00:00", "01:00", "01:01", "01:21", "02:02", "05:05", "11:11", "12:00", "13:00", "21:21", "22:22", "23:59")

# The clock reading of each edge time, in the order of EDGES. The choices of each language are kept as they were:
# English the 12-hour clock with a.m./p.m. (noon and midnight named); Spanish, Russian and Kazakh the 24-hour one
# (Spanish "en punto" on the hour, minutes after "y" with "minuto" understood: "y uno", "y veintiuno"; Russian
# "один час", not the colloquial "час"; Kazakh minutes under ten as "нөл бес").
CLOCK = {
    "en": ("twelve midnight", "one a.m.", "one oh one a.m.", "one twenty-one a.m.", "two oh two a.m.",
           "five oh five a.m.", "eleven eleven a.m.", "twelve noon", "one p.m.", "nine twenty-one p.m.",
           "ten twenty-two p.m.", "eleven fifty-nine p.m."),
    "es": ("cero en punto", "una en punto", "una y uno", "una y veintiuno", "dos y dos", "cinco y cinco",
           "once y once", "doce en punto", "trece en punto", "veintiuna y veintiuno", "veintidós y veintidós",
           "veintitrés y cincuenta y nueve"),
    "ru": ("ноль часов", "один час", "один час одна минута", "один час двадцать одна минута",
           "два часа две минуты", "пять часов пять минут", "одиннадцать часов одиннадцать минут",
           "двенадцать часов", "тринадцать часов", "двадцать один час двадцать одна минута",
           "двадцать два часа двадцать две минуты", "двадцать три часа пятьдесят девять минут"),
    "kk": ("сағат нөл", "сағат бір", "сағат бір нөл бір", "сағат бір жиырма бір", "сағат екі нөл екі",
           "сағат бес нөл бес", "сағат он бір он бір", "сағат он екі", "сағат он үш",
           "сағат жиырма бір жиырма бір", "сағат жиырма екі жиырма екі", "сағат жиырма үш елу тоғыз"),
}  # fmt: skip

# The same times after the language's "at": Spanish "a la" before una only (RAE: la una, las dos... las cero);
# Russian "в" with the accusative (одна минута -> одну минуту; the other forms are as the nominative) and one
# o'clock "в час", as Russians say it, not "в один час" (review of a Russian contact centre); Kazakh
# the locative ending on the last word (-да/-де after vowels and voiced consonants, -та/-те after voiceless).
AT = {
    "en": tuple(f"at {words}" for words in CLOCK["en"]),
    "es": ("a las cero en punto", "a la una en punto", "a la una y uno", "a la una y veintiuno", "a las dos y dos",
           "a las cinco y cinco", "a las once y once", "a las doce en punto", "a las trece en punto",
           "a las veintiuna y veintiuno", "a las veintidós y veintidós", "a las veintitrés y cincuenta y nueve"),
    "ru": ("в ноль часов", "в час", "в час одну минуту", "в час двадцать одну минуту",
           "в два часа две минуты", "в пять часов пять минут", "в одиннадцать часов одиннадцать минут",
           "в двенадцать часов", "в тринадцать часов", "в двадцать один час двадцать одну минуту",
           "в двадцать два часа двадцать две минуты", "в двадцать три часа пятьдесят девять минут"),
    "kk": ("сағат нөлде", "сағат бірде", "сағат бір нөл бірде", "сағат бір жиырма бірде", "сағат екі нөл екіде",
           "сағат бес нөл бесте", "сағат он бір он бірде", "сағат он екіде", "сағат он үште",
           "сағат жиырма бір жиырма бірде", "сағат жиырма екі жиырма екіде", "сағат жиырма үш елу тоғызда"),
}  # fmt: skip


def _table(phrases: dict[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
    return [(lang, clock, words) for lang, row in phrases.items() for clock, words in zip(EDGES, row, strict=True)]


@pytest.mark.parametrize(("lang", "clock", "words"), _table(CLOCK))
def test_a_time_is_read_with_its_numerals_in_agreement(lang: str, clock: str, words: str) -> None:
    assert spoken_time(clock, lang) == words


@pytest.mark.parametrize(("lang", "clock", "words"), _table(AT))
def test_at_a_time_takes_the_article_or_case_of_its_hour(lang: str, clock: str, words: str) -> None:
    """Review: "a las {{ spoken_time(t, language) }}" said "a las una en punto" at 01:00; only the helper knows
    the hour, so it says the "at" too."""
    assert spoken_time(clock, lang, "at") == words


@pytest.mark.parametrize(
    ("clock", "lang", "words"),
    [
        ("03:04", "ru", "три часа четыре минуты"),
        ("04:22", "ru", "четыре часа двадцать две минуты"),
        ("14:14", "ru", "четырнадцать часов четырнадцать минут"),  # 11-14 take the "many" form
        ("20:00", "ru", "двадцать часов"),
        ("23:31", "ru", "двадцать три часа тридцать одна минута"),
        ("21:00", "es", "veintiuna en punto"),  # la hora is feminine: las veintiuna
        ("00:01", "es", "cero y uno"),
        ("00:01", "en", "twelve oh one a.m."),
        ("12:01", "en", "twelve oh one p.m."),
    ],
)
def test_more_numerals_in_agreement(clock: str, lang: str, words: str) -> None:
    assert spoken_time(clock, lang) == words


@pytest.mark.parametrize(
    ("clock", "lang", "words"),
    [
        ("13:01", "es", "a las trece y uno"),  # the 24-hour clock: one in the afternoon is trece, plural
        ("01:30", "es-MX", "a la una y treinta"),
        ("03:41", "ru", "в три часа сорок одну минуту"),
        ("11:11", "ru", "в одиннадцать часов одиннадцать минут"),  # одиннадцать is not один: no одну
        ("14:30", "kk", "сағат он төрт отызда"),
        ("16:40", "kk", "сағат он алты қырықта"),
        ("10:00", "kk", "сағат онда"),
        ("09:50", "kk", "сағат тоғыз елуде"),
        ("06:06", "kk", "сағат алты нөл алтыда"),
        ("07:07", "kk", "сағат жеті нөл жетіде"),
        ("08:08", "kk", "сағат сегіз нөл сегізде"),
        ("03:03", "kk", "сағат үш нөл үште"),
        ("04:04", "kk", "сағат төрт нөл төртте"),
        (time(2, 0), "kk", "сағат екіде"),
    ],
)
def test_more_times_after_at(clock: object, lang: str, words: str) -> None:
    assert spoken_time(clock, lang, "at") == words


@given(st.times())
def test_every_time_after_at_is_spoken_in_words(moment: time) -> None:
    for lang in LANGUAGES:
        words = spoken_time(moment, lang, "at")
        assert words and not re.search(r"\d", words) and "  " not in words


@given(st.times())
def test_spanish_says_la_before_una_and_las_before_every_other_hour(moment: time) -> None:
    article = "la" if moment.hour == 1 else "las"
    assert spoken_time(moment, "es", "at").startswith(f"a {article} ")
    assert not re.search(r"\blas una\b|\bla (?!una\b)", spoken_time(moment, "es", "at"))


@given(st.times())
def test_russian_at_puts_the_minutes_in_the_accusative(moment: time) -> None:
    words = spoken_time(moment, "ru", "at")
    clock = spoken_time(moment, "ru").replace("одна минута", "одну минуту")
    assert words == "в " + (clock.removeprefix("один ") if moment.hour == 1 else clock)  # "в час", not "в один час"
    if moment.minute:
        assert words.split()[-1] == ("минуту", "минуты", "минут")[plural_index(moment.minute)]


def test_at_is_asked_for_from_a_scenario_template() -> None:
    install_template_functions()
    template = "Le llamaremos {{ spoken_time(due, language, 'at') }}."
    assert templates.render(template, {"due": "2026-11-24T01:00:00+01:00", "language": "es"}) == (
        "Le llamaremos a la una en punto."
    )
    assert (
        templates.render(template, {"due": "13:05", "language": "ru"}) == "Le llamaremos в тринадцать часов пять минут."
    )


def test_a_form_the_helper_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="'at'"):
        spoken_time("09:00", "es", "on")
