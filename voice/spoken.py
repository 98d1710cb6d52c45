"""Helpers templates call to have numbers, money and dates spoken right: `{{ money(balance, "EUR", language) }}`.

Pure functions (no I/O). Languages: English, Spanish, Russian, Kazakh (a region such as `es-MX` speaks as its
language). Input may be a number or the text of one (what a SQL row or a caller's digits give), and dates may
be `date`, `datetime` or ISO text. A value that cannot be spoken raises ValueError, which the template engine
turns into the block's error exit; the refusals an analyst meets most (not a number, an ambiguous number, not a
date, not a time) raise its UnusableValue, which names the reason so the designer can say it in their language.

    number(1234, "es")                 -> mil doscientos treinta y cuatro
    money(1234.5, "EUR", "es")         -> mil doscientos treinta y cuatro euros con cincuenta céntimos
    money(21, "RUB", "ru")             -> двадцать один рубль
    spoken_date("2026-03-05", "ru")    -> пятое марта две тысячи двадцать шестого года
    spoken_date("2026-03-05", "ru", "genitive") -> пятого марта две тысячи двадцать шестого года (до ...)
    spoken_time("14:30", "en")         -> two thirty p.m.
    spoken_time("01:00", "es", "at")   -> a la una en punto
    digits("+7 701 555", "en")         -> plus seven seven zero one five five five
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import ModuleType
from typing import Any, Final

from graph_engine.errors import UnusableValue
from graph_engine.number_text import AmbiguousNumber, is_ambiguous
from voice.numerals import Gender, en, es, kk, ru

_LANGUAGES: dict[str, ModuleType] = {"en": en, "es": es, "ru": ru, "kk": kk}
LANGUAGES = tuple(_LANGUAGES)
CURRENCIES = ("EUR", "USD", "RUB", "KZT")
_LIMIT = 10**15  # a quadrillion: more than any amount an IVR reads out


def _language(lang: str) -> ModuleType:
    base = str(lang).split("-", 1)[0].split("_", 1)[0].lower()
    try:
        return _LANGUAGES[base]
    except KeyError:
        raise ValueError(f"numbers cannot be spoken in {lang!r}; languages: {', '.join(LANGUAGES)}") from None


_PLACES = 9  # decimal places a number is read with


# Digits in groups of three after a first group of one to three (not starting with 0: "0,500" is a decimal).
_GROUPED: Final = {mark: re.compile(rf"^[+-]?[1-9]\d{{0,2}}(\{mark}\d{{3}})+$") for mark in ",."}
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")  # spaces, no-break and thin spaces group digits too


def _number_text(text: str, lang: str) -> str:
    """A number written as text, made plain for `Decimal`, or ValueError when it cannot be read one way only.

    "1,234.5" and "1.234,5" are both 1234.5: with both marks the last is the decimal mark and the other must
    group thousands. One comma is a decimal comma ("12,5", as es, ru and kk write it), except where English
    groups thousands with it ("1,234"); several commas or dots must group thousands ("1.234.567").

    One dot or comma followed by exactly three digits, after one to three ("12.000", "1,234"), is refused: it is a
    thousand group where the text was likely written (Spain, Russia) and a decimal mark elsewhere, and a call
    list refuses the same cell for the same reason, so a template never says twelve where the list would not have
    read a number at all. Refused rather than read either way: the block's error exit is seen in the call
    register, an amount a thousand times off is heard by the client. English keeps "1,234" as one thousand two
    hundred thirty-four (an English CRM's grouping, review of 2026-12-05); "0.500" and "12.5" read as ever."""
    text = text.strip().translate(_SPACES)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group = "." if decimal_mark == "," else ","
        whole, _, fraction = text.rpartition(decimal_mark)
        if not (_GROUPED[group].match(whole) and fraction.isdigit()):
            raise ValueError(f"not a number: {text!r}")
        return f"{whole.replace(group, '')}.{fraction}"
    for mark in ",.":
        if text.count(mark) > 1:  # several of one mark can only group thousands
            if not _GROUPED[mark].match(text):
                raise ValueError(f"not a number: {text!r}")
            return text.replace(mark, "")
    if lang.lower().startswith("en") and _GROUPED[","].match(text):  # English groups thousands with a comma
        return text.replace(",", "")
    # One mark and three digits after one to three ("12.000", "1,234"): the engine's rule (graph_engine.number_text),
    # which a call list's cell follows too: read as 12 in Russian, "12.000" was a debt a thousand times smaller than
    # the CRM meant (review of a Russian contact centre).
    if is_ambiguous(text):
        raise AmbiguousNumber(text)
    return text.replace(",", ".")


def _decimal(value: Any, lang: str = "", *, round_to: int = _PLACES) -> Decimal:
    if isinstance(value, bool):
        raise UnusableValue("a yes/no value is not a number", reason="not_a_number", value=value)
    try:
        number = (
            Decimal(_number_text(value, lang))
            if isinstance(value, str)
            else Decimal(value if isinstance(value, (int, Decimal)) else str(value))
        )
    except AmbiguousNumber:
        raise
    except (InvalidOperation, TypeError, ValueError):
        raise UnusableValue(f"not a number: {value!r}", reason="not_a_number", value=value) from None
    if not number.is_finite():
        raise ValueError(f"not a number that can be spoken: {value!r}")
    if abs(number) >= _LIMIT:
        raise ValueError(f"number too large to speak: {value!r}")
    if number.as_tuple().exponent < -round_to:  # type: ignore[operator]  # finite: the exponent is an int
        # No one listens to more decimals, and 1e-999999 would be a million words: rounded first.
        number = number.quantize(Decimal(1).scaleb(-round_to), rounding=ROUND_HALF_UP)
    return number


def _gender(gender: str) -> Gender:
    if gender not in ("m", "f", "n"):
        raise ValueError("gender is 'm', 'f' or 'n'")
    return gender  # type: ignore[return-value]  # checked above


def number(value: Any, lang: str, gender: str = "m") -> str:
    """A number in words. Fractions are read after the language's decimal word (2.5 -> "two point five"), or as
    a common fraction where the language says them so (Russian, Kazakh: `decimal()` in its module)."""
    module = _language(lang)
    amount = _decimal(value, lang)
    sign = f"{module.MINUS} " if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    words: str = module.cardinal(whole, _gender(gender))
    fraction = format(amount - whole, "f").partition(".")[2].rstrip("0")
    if fraction and hasattr(module, "decimal"):  # read as a common fraction: две целых пять сотых
        words = module.decimal(whole, fraction)
    elif fraction:
        # Leading zeros must be heard (2.05 is not 2.5), so the fraction is read digit by digit when it has any,
        # and always where the language reads decimals so (English: 3.75 is "three point seven five").
        by_digit = fraction.startswith("0") or getattr(module, "DECIMALS_BY_DIGIT", False)
        tail = " ".join(module.DIGITS[d] for d in fraction) if by_digit else module.cardinal(int(fraction))
        words = f"{words} {module.POINT} {tail}"
    return sign + words


def ordinal(value: Any, lang: str, gender: str = "m") -> str:
    """An ordinal in words (first, primero, первый, бірінші); Spanish from 1 to 99."""
    amount = _decimal(value, lang)
    if amount != amount.to_integral_value() or amount <= 0:
        raise ValueError(f"an ordinal needs a positive whole number, not {value!r}")
    result: str = _language(lang).ordinal(int(amount), _gender(gender))
    return result


def money(amount: Any, currency: str, lang: str) -> str:
    """An amount of money in words, rounded to the cent, with the currency's units in the right form."""
    module = _language(lang)
    code = str(currency).upper()
    if code not in CURRENCIES:
        raise ValueError(f"currency {currency!r} cannot be spoken; currencies: {', '.join(CURRENCIES)}")
    value = _decimal(amount, lang, round_to=2)  # rounded once, to the cent: 0.0049999999995 is no cent
    sign = f"{module.MINUS} " if value < 0 else ""
    cents = int(abs(value) * 100)
    whole, minor = divmod(cents, 100)
    result: str = module.money(whole, minor, code)
    return sign + result


# A one-digit hour, as people type a morning time and Excel's h:mm CSV export writes it ("9:30"), alone or after
# an ISO date; ISO text wants two digits ("09:30").
_ONE_DIGIT_HOUR: Final = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}[T ])?([0-9]:[0-9]{2})")


def _iso_hour(text: str) -> str:
    """`text` with a one-digit hour written with two: "9:30" -> "09:30", "2026-11-30 9:30" -> "2026-11-30 09:30".
    The rest is left to ISO: "9:75" or "9:30pm" is still not a time."""
    return _ONE_DIGIT_HOUR.sub(r"\g<1>0\g<2>", text, count=1)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(_iso_hour(value.strip())).date()
        except ValueError:
            pass
    message = f"not a date: {value!r} (use a date or ISO text such as 2026-03-05)"
    raise UnusableValue(message, reason="not_a_date", value=value)


# The grammatical cases a date is said in: alone, or after a word that governs the genitive (Russian "до").
DATE_FORMS: Final = ("nominative", "genitive")


def spoken_date(value: Any, lang: str, form: str = "nominative") -> str:
    """A calendar date in words, the way it is said in the language.

    `form` "genitive" says it after a word that governs that case: Russian "до {{ spoken_date(d, 'ru',
    'genitive') }}" is "до пятого марта ...", not "до пятое марта ...". English and Spanish dates have no case
    and are said as they are; a Kazakh date is spoken in the nominative only, and refused in the genitive."""
    if form not in DATE_FORMS:
        raise ValueError(f"a date is spoken as {' or '.join(map(repr, DATE_FORMS))}, not {form!r}")
    day = _as_date(value)
    module = _language(lang)
    say = module.date if form == "nominative" else getattr(module, "date_genitive", None)
    if say is None:
        raise ValueError(f"a date is not spoken in the {form} in language {lang!r}; leave out {form!r}")
    result: str = say(day)
    return result


def _as_time(value: Any) -> time:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        text = _iso_hour(value.strip())
        try:
            # A moment as text (a callback's callback_due) is read on its own clock, the offset it carries.
            return datetime.fromisoformat(text).time() if "T" in text or " " in text else time.fromisoformat(text)
        except ValueError:
            pass
    message = f"not a time of day: {value!r} (use a time or text such as 14:30)"
    raise UnusableValue(message, reason="not_a_time", value=value)


# How a time may be said: its clock reading alone, or after the language's "at".
TIME_FORMS: Final = ("clock", "at")


def spoken_time(value: Any, lang: str, form: str = "clock") -> str:
    """A time of day in words, minutes included when not on the hour (seconds are not read). Text may give the
    hour with one digit, as people type it: "9:30" is "09:30".

    `form` "at" says it after the language's "at" (a las nueve en punto, в девять часов, at nine a.m., сағат
    тоғызда). A template cannot write that "at" itself: the words it takes depend on the hour and minute (Spanish
    "a la una" but "a las dos", Russian "в одну минуту" but "в две минуты"), so "a las {{ spoken_time(t) }}"
    says "a las una" at one o'clock."""
    if form not in TIME_FORMS:
        raise ValueError(f"a time is spoken as {' or '.join(map(repr, TIME_FORMS))}, not {form!r}")
    moment = _as_time(value)
    module = _language(lang)
    say = module.clock if form == "clock" else module.clock_at
    result: str = say(moment.hour, moment.minute)
    return result


def digits(value: Any, lang: str) -> str:
    """Read a number digit by digit (phone numbers, codes): keys 0-9, *, # and a leading +; other signs skipped.

    A whole number may come as a number (a float from a spreadsheet column: 79015551234.0 is its eleven
    digits); text with no digit or key to read, a fraction, a yes/no or None is refused."""
    table: dict[str, str] = _language(lang).DIGITS
    if isinstance(value, bool) or value is None:
        raise ValueError(f"no digits to read in {value!r}")
    if isinstance(value, (int, float, Decimal)):
        try:
            whole = Decimal(value if isinstance(value, (int, Decimal)) else str(value))
            if whole != whole.to_integral_value():
                raise ValueError
            text = str(int(whole))  # 1e20 is its twenty-one digits, not "one plus two zero"
        except (ArithmeticError, ValueError):
            raise ValueError(f"only whole numbers and text are read digit by digit, not {value!r}") from None
    else:
        text = str(value).strip()
    sign, rest = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    words = [table["+"]] if sign == "+" else []
    words += [table[ch] for ch in rest if ch in table and ch != "+"]  # a "+" inside is not dialled
    if len(words) == (sign == "+"):
        raise ValueError(f"no digits to read in {value!r}")
    return " ".join(words)


# What a template engine should offer to scenario templates, by name.
TEMPLATE_FUNCTIONS: dict[str, Callable[..., str]] = {
    "number": number,
    "ordinal": ordinal,
    "money": money,
    "spoken_date": spoken_date,
    "spoken_time": spoken_time,
    "digits": digits,
}
