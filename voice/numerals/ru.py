# ruff: noqa: RUF001  -- Cyrillic words are the point of this module, not look-alike Latin letters
"""Russian number words with gender (один/одна/одно) and the three plural forms of counted nouns."""

from __future__ import annotations

from datetime import date as Date

from voice.numerals import Gender, plural_index

_UNDER_20 = ("ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать "
             "четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать").split()  # fmt: skip
_TENS = "_ _ двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто".split()
_HUNDREDS = "_ сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split()
_ONE = {"m": "один", "f": "одна", "n": "одно"}
_TWO = {"m": "два", "f": "две", "n": "два"}
# (value, one, few, many, gender of the scale word)
_SCALES: list[tuple[int, tuple[str, str, str], Gender]] = [
    (10**12, ("триллион", "триллиона", "триллионов"), "m"),
    (10**9, ("миллиард", "миллиарда", "миллиардов"), "m"),
    (10**6, ("миллион", "миллиона", "миллионов"), "m"),
    (1000, ("тысяча", "тысячи", "тысяч"), "f"),
]
# Masculine nominative ordinals of every number that can be the last word of a numeral.
_ORDINALS = {
    1: "первый", 2: "второй", 3: "третий", 4: "четвёртый", 5: "пятый", 6: "шестой", 7: "седьмой", 8: "восьмой",
    9: "девятый", 10: "десятый", 11: "одиннадцатый", 12: "двенадцатый", 13: "тринадцатый", 14: "четырнадцатый",
    15: "пятнадцатый", 16: "шестнадцатый", 17: "семнадцатый", 18: "восемнадцатый", 19: "девятнадцатый",
    20: "двадцатый", 30: "тридцатый", 40: "сороковой", 50: "пятидесятый", 60: "шестидесятый", 70: "семидесятый",
    80: "восьмидесятый", 90: "девяностый", 100: "сотый", 200: "двухсотый", 300: "трёхсотый",
    400: "четырёхсотый", 500: "пятисотый", 600: "шестисотый", 700: "семисотый", 800: "восьмисотый",
    900: "девятисотый",
}  # fmt: skip
# Genitive prefixes for round thousands: двухтысячный, пятитысячный.
_THOUSAND_PREFIX = {1: "", 2: "двух", 3: "трёх", 4: "четырёх", 5: "пяти", 6: "шести", 7: "семи", 8: "восьми",
                    9: "девяти"}  # fmt: skip
MONTHS_GENITIVE = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
DIGITS = {**{str(i): _UNDER_20[i] for i in range(10)}, "*": "звёздочка", "#": "решётка", "+": "плюс"}
MINUS = "минус"
POINT = "запятая"
# A decimal fraction is read as a common one, as Russian says it: 2,05 -> две целых пять сотых.
_WHOLE = ("целая", "целых", "целых")
_DENOMINATORS = ("десят", "сот", "тысячн", "десятитысячн", "стотысячн", "миллионн", "десятимиллионн", "стомиллионн",
                 "миллиардн")  # fmt: skip
# currency -> (unit forms, unit gender, minor forms, minor gender)
CURRENCIES: dict[str, tuple[tuple[str, str, str], Gender, tuple[str, str, str], Gender]] = {
    "RUB": (("рубль", "рубля", "рублей"), "m", ("копейка", "копейки", "копеек"), "f"),
    "EUR": (("евро", "евро", "евро"), "m", ("цент", "цента", "центов"), "m"),
    "USD": (("доллар", "доллара", "долларов"), "m", ("цент", "цента", "центов"), "m"),
    "KZT": (("тенге", "тенге", "тенге"), "m", ("тиын", "тиына", "тиынов"), "m"),
}


def plural(n: int, forms: tuple[str, str, str]) -> str:
    return forms[plural_index(n)]


def _below_thousand(n: int, gender: Gender) -> list[str]:
    words = []
    if n >= 100:
        words.append(_HUNDREDS[n // 100])
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        n %= 10
    if n == 1:
        words.append(_ONE[gender])
    elif n == 2:
        words.append(_TWO[gender])
    elif n:
        words.append(_UNDER_20[n])
    return words


def cardinal(n: int, gender: Gender = "m") -> str:
    """Cardinal in the nominative; `gender` is that of the counted noun (одна копейка, два рубля)."""
    if n == 0:
        return "ноль"
    words: list[str] = []
    for scale, forms, scale_gender in _SCALES:
        count, n = divmod(n, scale)
        if count == 1 and scale == 1000 and not words:
            # "тысяча двести", not "одна тысяча двести", as people say it; but "миллион одна тысяча"
            words.append("тысяча")
        elif count:
            words += [cardinal(count, scale_gender), plural(count, forms)]
    words += _below_thousand(n, gender)
    return " ".join(words)


def _inflect(masculine: str, form: str) -> str:
    """An ordinal in another form: `nom_m`, `nom_n` (пятое), `gen` (пятого)."""
    if form == "nom_m":
        return masculine
    if masculine == "третий":
        return "третье" if form == "nom_n" else "третьего"
    stem = masculine[:-2]
    return stem + ("ое" if form == "nom_n" else "ого")


def ordinal(n: int, gender: Gender = "m", *, case: str = "nom") -> str:
    """Ordinal: only the last word changes (две тысячи двадцать шестой). `case` is `nom`, or `gen` (masculine
    and neuter genitive: двадцать шестого)."""
    if n <= 0:
        raise ValueError("Russian ordinals are spoken here for positive numbers")
    form = "gen" if case == "gen" else ("nom_n" if gender == "n" else "nom_m")
    if gender == "f" and case == "nom":
        form = "nom_f"
    if n % 1000 == 0:
        thousands = n // 1000
        prefix = _THOUSAND_PREFIX.get(thousands)
        if prefix is None:
            raise ValueError("Russian ordinals of round thousands are spoken here up to 9000")
        last, head = prefix + "тысячный", 0
    else:
        tail = n % 100
        if tail == 0:
            value = n % 1000
        elif tail < 20 or tail % 10 == 0:
            value = tail
        else:
            value = tail % 10
        last, head = _ORDINALS[value], n - value
    if form == "nom_f":
        word = (last[:-2] + "ья") if last == "третий" else last[:-2] + "ая"
    else:
        word = _inflect(last, form)
    return f"{cardinal(head)} {word}" if head else word


def decimal(whole: int, fraction: str) -> str:
    """`whole` and the digits after the comma: (2, "05") -> две целых пять сотых, (1, "5") -> одна целая пять
    десятых (целая and доля are feminine, so the numbers agree with them)."""
    numerator = int(fraction)
    stem = _DENOMINATORS[len(fraction) - 1]
    denominator = stem + ("ая" if plural_index(numerator) == 0 else "ых")
    return f"{cardinal(whole, 'f')} {plural(whole, _WHOLE)} {cardinal(numerator, 'f')} {denominator}"


def date(d: Date) -> str:
    """пятое марта две тысячи двадцать шестого года."""
    return f"{ordinal(d.day, 'n')} {MONTHS_GENITIVE[d.month - 1]} {ordinal(d.year, case='gen')} года"


def date_genitive(d: Date) -> str:
    """After "до" or "от": пятого марта две тысячи двадцать шестого года. Only the day's ordinal changes; the
    month and the year are in the genitive already."""
    return f"{ordinal(d.day, 'n', case='gen')} {MONTHS_GENITIVE[d.month - 1]} {ordinal(d.year, case='gen')} года"


_HOURS = ("час", "часа", "часов")
_MINUTES = ("минута", "минуты", "минут")
_MINUTES_ACCUSATIVE = ("минуту", "минуты", "минут")


def _clock(hour: int, minute: int, *, accusative: bool) -> str:
    # At one o'clock is "в час", never "в один час" (review of a Russian contact centre), and "в час пятнадцать
    # минут". The clock reading keeps "один час", as a speaking clock says it; 13:00 is "в тринадцать часов", the
    # 24-hour clock every hour is read on here, not the 12-hour "в час дня".
    one_oclock = accusative and hour == 1
    words = _HOURS[0] if one_oclock else f"{cardinal(hour)} {plural(hour, _HOURS)}"
    if minute:
        numeral = cardinal(minute, "f")
        if accusative and plural_index(minute) == 0:  # ends in одна (not одиннадцать): в одну минуту
            numeral = numeral.removesuffix("одна") + "одну"
        words += f" {numeral} {plural(minute, _MINUTES_ACCUSATIVE if accusative else _MINUTES)}"
    return words


def clock(hour: int, minute: int) -> str:
    """14:30 -> четырнадцать часов тридцать минут; 21:01 -> двадцать один час одна минута."""
    return _clock(hour, minute, accusative=False)


def clock_at(hour: int, minute: int) -> str:
    """With "в" and the accusative: в двадцать один час двадцать одну минуту, в час. The inanimate accusative is
    the nominative (в два часа две минуты) except for feminine одна минута, which becomes одну минуту."""
    return "в " + _clock(hour, minute, accusative=True)


def money(whole: int, minor: int, currency: str) -> str:
    unit_forms, unit_gender, minor_forms, minor_gender = CURRENCIES[currency]
    parts = []
    if whole or not minor:
        parts.append(f"{cardinal(whole, unit_gender)} {plural(whole, unit_forms)}")
    if minor:
        parts.append(f"{cardinal(minor, minor_gender)} {plural(minor, minor_forms)}")
    return " ".join(parts)
