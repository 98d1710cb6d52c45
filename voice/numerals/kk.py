# ruff: noqa: RUF001, RUF002, RUF003  -- Cyrillic words are the point of this module, not look-alike Latin letters
"""Kazakh number words. Nouns after a numeral stay singular (бес теңге); ordinals take -ыншы/-інші/-ншы/-нші."""

from __future__ import annotations

from datetime import date as Date

from voice.numerals import Gender

_UNITS = "нөл бір екі үш төрт бес алты жеті сегіз тоғыз".split()
_TENS = "_ он жиырма отыз қырық елу алпыс жетпіс сексен тоқсан".split()
_SCALES = [(10**12, "триллион"), (10**9, "миллиард"), (10**6, "миллион"), (1000, "мың")]
# Ordinal of each word that can end a numeral (suffix by vowel harmony; жиырма and қырық are irregular).
_ORDINALS = {
    "бір": "бірінші", "екі": "екінші", "үш": "үшінші", "төрт": "төртінші", "бес": "бесінші", "алты": "алтыншы",
    "жеті": "жетінші", "сегіз": "сегізінші", "тоғыз": "тоғызыншы", "он": "оныншы", "жиырма": "жиырмасыншы",
    "отыз": "отызыншы", "қырық": "қырқыншы", "елу": "елуінші", "алпыс": "алпысыншы", "жетпіс": "жетпісінші",
    "сексен": "сексенінші", "тоқсан": "тоқсаныншы", "жүз": "жүзінші", "мың": "мыңыншы",
    "миллион": "миллионыншы", "миллиард": "миллиардыншы", "триллион": "триллионыншы",
}  # fmt: skip
MONTHS = "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан".split()
DIGITS = {**{str(i): _UNITS[i] for i in range(10)}, "*": "жұлдызша", "#": "тор", "+": "плюс"}
MINUS = "минус"
POINT = "бүтін"
# A decimal fraction is read as a common one: 2,5 -> екі бүтін оннан бес (two whole, of ten five).
_DENOMINATORS = ("оннан", "жүзден", "мыңнан", "он мыңнан", "жүз мыңнан", "миллионнан", "он миллионнан",
                 "жүз миллионнан", "миллиардтан")  # fmt: skip
# currency -> (unit, minor unit); never inflected after a numeral
CURRENCIES = {
    "KZT": ("теңге", "тиын"),
    "EUR": ("еуро", "цент"),
    "USD": ("доллар", "цент"),
    "RUB": ("рубль", "тиын"),
}


def _below_thousand(n: int) -> list[str]:
    words = []
    hundreds, n = divmod(n, 100)
    if hundreds:
        words += ([_UNITS[hundreds]] if hundreds > 1 else []) + ["жүз"]  # жүз, екі жүз
    if n >= 10:
        words.append(_TENS[n // 10])
    if n % 10:
        words.append(_UNITS[n % 10])
    return words


def cardinal(n: int, gender: Gender = "m") -> str:
    if n == 0:
        return "нөл"
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count == 1 and scale == 1000 and not words:
            words.append("мың")  # мың екі жүз, as "жүз" for a hundred; but "бір миллион бір мың"
        elif count:
            words += [cardinal(count), name]
    words += _below_thousand(n)
    return " ".join(words)


def ordinal(n: int, gender: Gender = "m") -> str:
    if n <= 0:
        raise ValueError("Kazakh ordinals are spoken here for positive numbers")
    head, _, last = cardinal(n).rpartition(" ")
    return f"{head} {_ORDINALS[last]}" if head else _ORDINALS[last]


def decimal(whole: int, fraction: str) -> str:
    """`whole` and the digits after the comma: (2, "05") -> екі бүтін жүзден бес."""
    return f"{cardinal(whole)} {POINT} {_DENOMINATORS[len(fraction) - 1]} {cardinal(int(fraction))}"


def date(d: Date) -> str:
    """As "2026 жылғы 5 наурыз" is read: екі мың жиырма алтыншы жылғы бесінші наурыз."""
    return f"{ordinal(d.year)} жылғы {ordinal(d.day)} {MONTHS[d.month - 1]}"


def clock(hour: int, minute: int) -> str:
    """14:30 -> сағат он төрт отыз; 09:00 -> сағат тоғыз; 09:05 -> сағат тоғыз нөл бес."""
    words = f"сағат {cardinal(hour)}"
    if minute:
        words += f" нөл {cardinal(minute)}" if minute < 10 else f" {cardinal(minute)}"
    return words


# The locative ("at") of every word that can end an hour or a minute (0-59): -да/-де after a vowel or a voiced
# consonant, -та/-те after a voiceless one, back or front by the word's vowels.
_LOCATIVES = {
    "нөл": "нөлде", "бір": "бірде", "екі": "екіде", "үш": "үште", "төрт": "төртте", "бес": "бесте",
    "алты": "алтыда", "жеті": "жетіде", "сегіз": "сегізде", "тоғыз": "тоғызда", "он": "онда",
    "жиырма": "жиырмада", "отыз": "отызда", "қырық": "қырықта", "елу": "елуде",
}  # fmt: skip


def clock_at(hour: int, minute: int) -> str:
    """The last word takes the locative: сағат тоғызда, сағат он төрт отызда, сағат тоғыз нөл бесте."""
    head, _, last = clock(hour, minute).rpartition(" ")
    return f"{head} {_LOCATIVES[last]}"


def money(whole: int, minor: int, currency: str) -> str:
    unit, minor_unit = CURRENCIES[currency]
    parts = []
    if whole or not minor:
        parts.append(f"{cardinal(whole)} {unit}")
    if minor:
        parts.append(f"{cardinal(minor)} {minor_unit}")
    return " ".join(parts)
