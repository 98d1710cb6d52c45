"""Properties of the spoken helpers over many numbers: they always speak, in agreement, and only in words."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from voice.numerals import plural_index
from voice.spoken import LANGUAGES, digits, money, number, spoken_date, spoken_time

amounts = st.decimals(min_value=Decimal(0), max_value=Decimal("999999999999.99"), places=2)


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), st.sampled_from(LANGUAGES))
def test_every_integer_is_spoken_in_words_only(n: int, lang: str) -> None:
    words = number(n, lang)
    assert words and not re.search(r"\d", words) and "  " not in words and words == words.strip()


@given(amounts, st.sampled_from(LANGUAGES), st.sampled_from(["EUR", "USD", "RUB", "KZT"]))
def test_every_amount_is_spoken(amount: Decimal, lang: str, currency: str) -> None:
    words = money(amount, currency, lang)
    assert words and not re.search(r"\d", words)


@given(st.integers(min_value=1, max_value=10**9))
def test_russian_rubles_agree_with_their_number(n: int) -> None:
    words = money(n, "RUB", "ru").split()
    assert words[-1] == ("рубль", "рубля", "рублей")[plural_index(n)]
    if n % 10 == 2 and n % 100 != 12:
        assert words[-2] == "два"  # рубль is masculine
    assert money(Decimal(n % 100) / 100 or Decimal("0.01"), "RUB", "ru").split()[0] not in ("один", "два")


@given(st.integers(min_value=1, max_value=10**9))
def test_spanish_never_says_uno_before_a_noun(n: int) -> None:
    words = money(n, "EUR", "es")
    assert not re.search(r"\buno (euros?|mil|millones|millón)\b", words)
    assert not re.search(r"\bveintiuno (euros|mil|millones)\b", words)


@given(st.dates())
def test_every_date_is_spoken(day: object) -> None:
    for lang in LANGUAGES:
        words = spoken_date(day, lang)
        assert words and not re.search(r"\d", words)


@given(st.times())
def test_every_time_is_spoken(moment: object) -> None:
    for lang in LANGUAGES:
        words = spoken_time(moment, lang)
        assert words and not re.search(r"\d", words)


@given(st.integers(min_value=1, max_value=10**9 - 1), st.integers(min_value=0, max_value=999))
def test_a_thousand_after_a_larger_scale_keeps_its_one(millions: int, rest: int) -> None:
    n = millions * 10**6 + 1000 + rest
    assert not re.search(r"(миллион|миллиард|триллион)\w* тысяча", number(n, "ru"))
    assert not re.search(r"(миллион|миллиард|триллион) мың", number(n, "kk"))


@given(st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=9).filter(lambda d: d % 1 != 0))
def test_russian_fractions_agree_with_whole_and_share(value: Decimal) -> None:
    words = number(value, "ru").split()
    whole, numerator = int(abs(value)), int(format(abs(value) % 1, "f").partition(".")[2].rstrip("0"))
    assert ("целая" if plural_index(whole) == 0 else "целых") in words
    assert words[-1].endswith("ая" if plural_index(numerator) == 0 else "ых")


@given(st.integers(min_value=0, max_value=10**30), st.sampled_from(LANGUAGES))
def test_digits_read_every_digit_of_a_whole_number(n: int, lang: str) -> None:
    assert len(digits(n, lang).split()) == len(str(n))
