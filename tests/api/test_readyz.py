"""`/readyz` on a database that froze (chaos review: a proxy in front of PostgreSQL accepting and never answering):
`curl -m 10 /readyz` got no answer at all for 10 s, while docs/operations.md promises a 503 when SELECT 1 does not
answer. The probe now answers 503 at its deadline (api.app.READY_TIMEOUT), and however often it is asked, one thread
waits on the frozen database."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.app import READY_TIMEOUT
from api.settings import Settings
from persistence.migrate import upgrade
from persistence.publishing import PublishHub
from tests.api.conftest import serve_api
from tests.persistence import pg
from tests.persistence.outage import OutageProxy, outage_proxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def frozen_api() -> Iterator[tuple[OutageProxy, str]]:
    """The API on a PostgreSQL database reached through a proxy that can freeze; its base URL."""
    with pg.throwaway_database("readyz") as url, outage_proxy(url) as (proxy, proxied):
        upgrade(url)
        settings = Settings(database_url=proxied, migrate_on_start=False, admin_user="root",
                            admin_password="root-password-1")  # fmt: skip
        with contextlib.contextmanager(serve_api)(settings, PublishHub()) as base_url:
            try:
                yield proxy, base_url
            finally:
                proxy.thaw()  # the held probe ends, and the server stops without waiting on it


def _probe_threads() -> int:
    return sum(thread.name == "readiness probe" for thread in threading.enumerate())


def test_readyz_answers_503_at_its_deadline_while_the_database_is_frozen(
    frozen_api: tuple[OutageProxy, str],
) -> None:
    proxy, base_url = frozen_api
    with httpx.Client(base_url=base_url, timeout=8.0) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        proxy.freeze()
        started = time.monotonic()
        answer = client.get("/readyz")  # the old probe gave no answer within these 8 s (10-15 s: ping, connect)
        took = time.monotonic() - started
        assert (answer.status_code, answer.json()) == (503, {"status": "database unavailable"})
        assert READY_TIMEOUT <= took < READY_TIMEOUT + 1.0, took

        # A prober asking again and again, several at once, while the database stays frozen: each gets its 503 in
        # time, and all of them wait on the one probe still held by the database.
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: client.get("/readyz").status_code, range(4)))
        assert answers == [503] * 4
        assert _probe_threads() == 1

        proxy.thaw()  # what the frozen database held goes through: the held probe ends, the next one answers
        deadline = time.monotonic() + 10
        while (answer := client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, answer.text
            time.sleep(0.1)
        assert answer.json() == {"status": "ready"}
