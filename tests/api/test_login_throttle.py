"""Failed sign-ins slow a guesser down (review, 2026-12-04: 100 wrong passwords in a row all got a plain 401)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from api.login_throttle import LoginThrottle, TooManySignIns
from api.settings import Settings
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, _designer_dist, serve_api


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_pair_waits_after_its_failures_and_the_wait_ends_with_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(per_pair=3, per_address=10, window=60, clock=clock)
    for _ in range(3):
        throttle.attempt("ana", "10.0.0.1")  # each a failure unless it says otherwise
        clock.now += 1
    try:
        throttle.attempt("ANA", "10.0.0.1")  # usernames compare case-insensitively
    except TooManySignIns as refused:
        assert refused.retry_after == 57  # until the first failure leaves the window
    else:
        raise AssertionError("a fourth try was let through")
    throttle.attempt("ana", "10.0.0.2").succeeded()  # the same user elsewhere is not locked out
    throttle.attempt("bob", "10.0.0.1").succeeded()  # nor another user from here
    clock.now += 57
    throttle.attempt("ana", "10.0.0.1")


def test_an_address_guessing_many_usernames_waits_too() -> None:
    throttle = LoginThrottle(per_pair=3, per_address=5, window=60, clock=Clock())
    for n in range(5):
        throttle.attempt(f"user{n}", "10.0.0.9")
    try:
        throttle.attempt("someone-else", "10.0.0.9")
    except TooManySignIns:
        pass
    else:
        raise AssertionError("the address was not slowed down")


def test_success_clears_the_pair_and_is_not_counted_against_the_address() -> None:
    throttle = LoginThrottle(per_pair=2, per_address=3, window=60, clock=Clock())
    throttle.attempt("ana", "10.0.0.1")
    throttle.attempt("ana", "10.0.0.1").succeeded()
    throttle.attempt("ana", "10.0.0.1")
    throttle.attempt("bob", "10.0.0.1").succeeded()  # the address has 2 failures, not 4
    throttle.attempt("ana", "10.0.0.1").succeeded()


def test_attempts_in_flight_count_before_their_password_is_checked() -> None:
    """A burst sent at once: each attempt is counted as it starts, so the sixth waits even though none of the
    five has failed yet (review, 2026-12-05: 12 parallel guesses were all checked against the hash)."""
    throttle = LoginThrottle(per_pair=5, per_address=20, window=60, clock=Clock())
    in_flight = [throttle.attempt("root", "10.0.0.1") for _ in range(5)]
    try:
        throttle.attempt("root", "10.0.0.1")
    except TooManySignIns:
        pass
    else:
        raise AssertionError("a sixth attempt started while five were in flight")
    in_flight[0].abandoned()  # its check never ran (the database failed): it gives its place back
    throttle.attempt("root", "10.0.0.1")


def test_a_checked_password_is_counted_only_when_it_was_wrong() -> None:
    throttle = LoginThrottle(per_pair=1, per_address=10, window=60, clock=Clock())

    class WrongPassword(Exception):
        pass

    with throttle.checking("ana", "10.0.0.1", wrong_password=WrongPassword):
        pass  # right: the attempt is withdrawn
    try:
        with throttle.checking("ana", "10.0.0.1", wrong_password=WrongPassword):
            raise OSError("the database failed")
    except OSError:
        pass  # nothing was checked: withdrawn too
    try:
        with throttle.checking("ana", "10.0.0.1", wrong_password=WrongPassword):
            raise WrongPassword
    except WrongPassword:
        pass  # counted: the pair's one failure
    try:
        throttle.attempt("ana", "10.0.0.1")
    except TooManySignIns:
        pass
    else:
        raise AssertionError("the wrong password was not counted")


def _own_server(tmp_path: Path) -> Iterator[str]:
    """A server of the test's own: the failures here must not slow down the other API tests, which share
    127.0.0.1."""
    (tmp_path / "dist").mkdir()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", admin_user=ADMIN,
                        admin_password=ADMIN_PASSWORD, designer_dist=_designer_dist(tmp_path / "dist"),
                        media_root=tmp_path / "media")  # fmt: skip
    yield from serve_api(settings, PublishHub())


def test_over_http_the_sixth_try_waits_even_with_the_right_password(tmp_path: Path) -> None:
    for base_url in _own_server(tmp_path):
        with Client(base_url=base_url, timeout=30) as client:
            answers = [client.login(ADMIN, "wrong password").status_code for _ in range(5)]
            assert answers == [401] * 5
            refused = client.login(ADMIN, ADMIN_PASSWORD)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["Retry-After"]) <= 300
            assert refused.json()["type"].endswith("/too-many-sign-ins")


def test_over_http_parallel_guesses_are_held_to_the_limit(tmp_path: Path) -> None:
    for base_url in _own_server(tmp_path):

        def guess(n: int, url: str = base_url) -> int:
            with Client(base_url=url, timeout=60) as client:
                return client.login(ADMIN, f"guess {n}").status_code

        with ThreadPoolExecutor(12) as pool:
            answers = sorted(pool.map(guess, range(12)))
        assert answers == [401] * 5 + [429] * 7  # five passwords checked against the hash, as one at a time
