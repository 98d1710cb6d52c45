"""Number words per language, pure and table-driven: English, Spanish, Russian and Kazakh.

Each module offers the same functions: `cardinal(n, gender)`, `ordinal(n, ...)`, `date(d)`, `clock(hour,
minute)`, `clock_at(hour, minute)` (the time after the language's "at"), `money(whole, minor, currency)` and a
`DIGITS` table; Russian and Kazakh also
`decimal(whole, fraction_digits)`. `voice.spoken` chooses the module and parses the inputs.
"""

from typing import Literal

Gender = Literal["m", "f", "n"]


def plural_index(n: int) -> int:
    """Slavic plural class of `n`: 0 one (1, 21), 1 few (2-4, 22-24), 2 many (0, 5-20, 25-30)."""
    if 11 <= n % 100 <= 14:
        return 2
    if n % 10 == 1:
        return 0
    if 2 <= n % 10 <= 4:
        return 1
    return 2
