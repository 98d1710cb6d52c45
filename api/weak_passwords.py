# ruff: noqa: RUF001  -- Russian passwords are typed in Cyrillic letters, not look-alike Latin ones
"""Passwords anyone would guess first, refused wherever the API sets one (a new user, an admin's reset, a user's
own change), each refusal naming its rule.

Eight characters let `password`, `12345678` and `qwerty123` through, and they are the first an attacker tries: the
sign-in throttle slows guessing per address, not a short list tried from many. So a password equal to its user's
name (in any case), made of one character repeated, or on the short list below (in any case) is refused.

The list is small on purpose: the most common passwords of the public leak lists, in English, Spanish and Russian
(the designer's languages), enough to stop the first guesses without shipping a dictionary. The bootstrap admin of
IVRGRAPH_ADMIN_PASSWORD is not checked: an operator sets it, and test and demo setups give short ones.
"""

from __future__ import annotations

from typing import Any, Final

from persistence.errors import RequestRefused

COMMON_PASSWORDS: Final = frozenset(
    {
        # English, from the most common of the leak lists
        "password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd", "p@ssword",
        "12345678", "123456789", "1234567890", "12345678910", "123123123", "11111111", "00000000", "87654321",
        "987654321", "0987654321", "12341234", "11223344", "12344321", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx",
        "1qazxsw2", "zaq12wsx", "qwerty12", "qwerty123", "qwerty1234", "qwertyui", "qwertyuiop", "asdfghjk",
        "asdfghjkl", "zxcvbnm1", "q1w2e3r4", "q1w2e3r4t5", "abcd1234", "abc12345", "abcdefgh", "iloveyou",
        "iloveyou1", "princess", "sunshine", "football", "baseball", "superman", "starwars", "whatever",
        "trustno1", "letmein1", "welcome1", "welcome123", "dragon123", "monkey123", "michael1", "jennifer",
        "computer", "internet", "corvette", "mercedes", "mustang1", "shadow12", "master12", "admin123",
        "admin1234", "administrator", "changeme", "changeme1", "default1", "secret123", "test1234", "testtest",
        "guest123", "root1234", "login123", "letmein123", "1234qwer", "qwer1234", "a1b2c3d4", "aa123456",
        # Spanish
        "contraseña", "contrasena", "contraseña1", "contrasena1", "contraseña123", "contrasena123", "teamo123",
        "tequiero", "tequiero1", "barcelona", "realmadrid", "españa123", "espana123", "mariposa", "corazon1",
        # Russian, typed in Cyrillic or, as often, on the Latin keys of a Cyrillic layout
        "пароль123", "пароль1234", "пароль12345", "йцукенгш", "йцукен123", "qwertyuiop1", "gfhjkm123",
        "gfhjkm1234", "1q2w3e4r5t6y", "zxcvbnm123", "любовь123", "наташа123",
    }
)  # fmt: skip


def refuse_weak_password(password: str, *, username: str, path: str) -> None:
    """`RequestRefused` (422 `request-refused`) naming `path` and the rule, when `password` breaks one."""
    problem = weak_password_problem(password, username=username, path=path)
    if problem is not None:
        raise RequestRefused([problem])


def weak_password_problem(password: str, *, username: str, path: str) -> dict[str, Any] | None:
    """The rule `password` breaks, as a request's problem naming `path`, or None when it breaks none."""
    folded = password.casefold()
    if folded == username.casefold():
        return _problem(path, "password_is_username", "a password must not be the user name")
    if len(set(password)) == 1:
        return _problem(path, "password_one_character", "a password must not be one character repeated")
    if folded in COMMON_PASSWORDS:
        message = "this password is among the most common ones, which are guessed first: choose another"
        return _problem(path, "password_too_common", message)
    return None


def _problem(path: str, code: str, message: str) -> dict[str, Any]:
    return {"path": path, "code": code, "message": message}
