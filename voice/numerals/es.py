"""Spanish number words, with the apocope before nouns (un euro, veintiún euros, veintiún mil) and gender."""

from __future__ import annotations

from datetime import date as Date
from typing import Literal

from voice.numerals import Gender

_UNDER_30 = ("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis "
             "diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro veinticinco "
             "veintiséis veintisiete veintiocho veintinueve").split()  # fmt: skip
_TENS = "_ _ _ treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_HUNDREDS = "_ ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos \
novecientos".split()
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
DIGITS = {**{str(i): _UNDER_30[i] for i in range(10)}, "*": "asterisco", "#": "almohadilla", "+": "más"}
MINUS = "menos"
POINT = "coma"
# currency -> (one, many, minor one, minor many); all masculine, so "un"/"veintiún" before them
CURRENCIES = {
    "EUR": ("euro", "euros", "céntimo", "céntimos"),
    "USD": ("dólar", "dólares", "centavo", "centavos"),
    "RUB": ("rublo", "rublos", "kopek", "kopeks"),
    "KZT": ("tenge", "tenges", "tiyín", "tiyines"),
}
_ORDINAL_UNITS = "_ primero segundo tercero cuarto quinto sexto séptimo octavo noveno".split()
_ORDINAL_TENS = "_ décimo vigésimo trigésimo cuadragésimo quincuagésimo sexagésimo septuagésimo octogésimo \
nonagésimo".split()

# How a final "one" is said: standalone (uno), before a masculine noun or "mil" (un), feminine (una).
OneForm = Literal["uno", "un", "una"]


def _one(word: str, form: OneForm) -> str:
    if not word.endswith("uno") or form == "uno":
        return word
    if form == "una":
        return word[:-1] + "a"
    return "veintiún" if word == "veintiuno" else word[:-1]


def _below_hundred(n: int, form: OneForm) -> str:
    if n < 30:
        return _one(_UNDER_30[n], form)
    word = _TENS[n // 10]
    return f"{word} y {_one(_UNDER_30[n % 10], form)}" if n % 10 else word


def _below_thousand(n: int, form: OneForm, feminine: bool) -> str:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds == 1:
        words.append("cien" if rest == 0 else "ciento")
    elif hundreds:
        word = _HUNDREDS[hundreds]
        words.append(word[:-2] + "as" if feminine else word)  # doscientas libras
    if rest:
        words.append(_below_hundred(rest, form))
    return " ".join(words)


def _below_million(n: int, form: OneForm, feminine: bool) -> str:
    thousands, rest = divmod(n, 1000)
    words = []
    if thousands == 1:
        words.append("mil")
    elif thousands:
        words.append(_below_thousand(thousands, "un", feminine) + " mil")  # veintiún mil, doscientas mil
    if rest:
        words.append(_below_thousand(rest, form, feminine))
    return " ".join(words)


def spell(n: int, form: OneForm = "uno", feminine: bool = False) -> str:
    if n == 0:
        return "cero"
    words = []
    for scale, one, many in ((10**12, "un billón", "billones"), (10**6, "un millón", "millones")):
        count, n = divmod(n, scale)
        if count == 1:
            words.append(one)
        elif count:
            words.append(f"{spell(count, 'un')} {many}")  # millón is masculine: veintiún millones
    if n:
        words.append(_below_million(n, form, feminine))
    return " ".join(words)


def cardinal(n: int, gender: Gender = "m") -> str:
    return spell(n, "una" if gender == "f" else "uno", feminine=gender == "f")


def ordinal(n: int, gender: Gender = "m") -> str:
    if not 1 <= n <= 99:
        raise ValueError("Spanish ordinals are spoken here from 1 to 99")
    tens, units = divmod(n, 10)
    words = ([_ORDINAL_TENS[tens]] if tens else []) + ([_ORDINAL_UNITS[units]] if units else [])
    if gender == "f":
        words = [w[:-1] + "a" for w in words]
    return " ".join(words)


def date(d: Date) -> str:
    # Spain says "uno de enero"; the year is a plain number (dos mil veintiuno).
    return f"{spell(d.day)} de {MONTHS[d.month - 1]} de {spell(d.year)}"


# Spanish dates have no case: after "until" a date is said as it is.
date_genitive = date


def clock(hour: int, minute: int) -> str:
    """The 24-hour reading, without its article (la una, las dos: `clock_at` says it): 14:30 -> catorce y
    treinta, 09:00 -> nueve en punto."""
    hours = spell(hour, "una", feminine=True)  # la hora is feminine: la una, las veintiuna
    return f"{hours} en punto" if minute == 0 else f"{hours} y {spell(minute)}"


def clock_at(hour: int, minute: int) -> str:
    """After "a" and the article of the hour: singular for la una alone, plural for every other hour, las cero
    included (RAE): a la una en punto, a las dos y dos, a las veintiuna y veintiuno. On the 24-hour clock only
    01:xx is una; 13:00 is trece."""
    article = "la" if hour == 1 else "las"
    return f"a {article} {clock(hour, minute)}"


def _amount(n: int, one: str, many: str) -> str:
    if n == 1:
        return f"un {one}"
    # "un millón de euros", but "un millón doscientos euros": "de" only after a round million.
    joiner = " de " if n >= 10**6 and n % 10**6 == 0 else " "
    return f"{spell(n, 'un')}{joiner}{many}"


def money(whole: int, minor: int, currency: str) -> str:
    one, many, minor_one, minor_many = CURRENCIES[currency]
    if whole and minor:
        return f"{_amount(whole, one, many)} con {_amount(minor, minor_one, minor_many)}"
    if minor:
        return _amount(minor, minor_one, minor_many)
    return _amount(whole, one, many)
