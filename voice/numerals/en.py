"""English number words (American style: no "and" inside numbers)."""

from __future__ import annotations

from datetime import date as Date

from voice.numerals import Gender

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]
_ORDINAL_WORDS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                  "nine": "ninth", "twelve": "twelfth"}  # fmt: skip
MONTHS = "January February March April May June July August September October November December".split()
DIGITS = {**{str(i): _ONES[i] for i in range(10)}, "*": "star", "#": "pound", "+": "plus"}
MINUS = "minus"
POINT = "point"
DECIMALS_BY_DIGIT = True  # 3.75 is "three point seven five"
# currency -> (one unit, many units, one minor, many minors)
CURRENCIES = {
    "EUR": ("euro", "euros", "cent", "cents"),
    "USD": ("dollar", "dollars", "cent", "cents"),
    "RUB": ("ruble", "rubles", "kopeck", "kopecks"),
    "KZT": ("tenge", "tenge", "tiyn", "tiyn"),
}


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_ONES[n])
    return words


def cardinal(n: int, gender: Gender = "m") -> str:
    if n == 0:
        return "zero"
    words: list[str] = []
    for scale, name in _SCALES:
        if n >= scale:
            words += [*_below_thousand(n // scale), name] if n // scale < 1000 else [cardinal(n // scale), name]
            n %= scale
    words += _below_thousand(n)
    return " ".join(words)


def ordinal(n: int, gender: Gender = "m") -> str:
    words = cardinal(n)
    head, _, last = words.rpartition(" ")
    stem, hyphen, unit = last.rpartition("-")
    if unit in _ORDINAL_WORDS:
        unit = _ORDINAL_WORDS[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return f"{head} " * bool(head) + stem + hyphen + unit


def year(y: int) -> str:
    """2026 -> twenty twenty-six, 2005 -> two thousand five, 1905 -> nineteen oh five, 1900 -> nineteen hundred."""
    if y < 1000 or 2000 <= y <= 2009 or y % 1000 == 0:
        return cardinal(y)
    high, low = divmod(y, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {cardinal(low)}"
    return f"{cardinal(high)} {cardinal(low)}"


def date(d: Date) -> str:
    return f"{MONTHS[d.month - 1]} {ordinal(d.day)}, {year(d.year)}"


# English dates have no case: after "until" a date is said as it is.
date_genitive = date


def clock(hour: int, minute: int) -> str:
    """14:30 -> two thirty p.m., 09:05 -> nine oh five a.m., 12:00 -> twelve noon, 00:00 -> twelve midnight."""
    if minute == 0 and hour in (0, 12):
        return "twelve midnight" if hour == 0 else "twelve noon"
    suffix = "a.m." if hour < 12 else "p.m."
    words = cardinal(hour % 12 or 12)
    if minute:
        words += f" oh {cardinal(minute)}" if minute < 10 else f" {cardinal(minute)}"
    return f"{words} {suffix}"


def clock_at(hour: int, minute: int) -> str:
    """at two thirty p.m., at twelve noon."""
    return f"at {clock(hour, minute)}"


def money(whole: int, minor: int, currency: str) -> str:
    one, many, minor_one, minor_many = CURRENCIES[currency]
    parts = []
    if whole or not minor:
        parts.append(f"{cardinal(whole)} {one if whole == 1 else many}")
    if minor:
        parts.append(f"{cardinal(minor)} {minor_one if minor == 1 else minor_many}")
    return " and ".join(parts)
