"""The process settings a node that serves calls needs: an open-file limit its calls fit in
(`calls_within_open_file_limit`) and a garbage collector tuned for serving (`tune_collector_for_serving`).

Its warning keeps the FastAGI server's logger, `agi_server.server`, which it was always written under.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import Final

log = logging.getLogger("agi_server.server")

# Descriptors a node needs besides its calls' sockets: listening sockets, the database pool, AMI, the metrics
# server, log files, the speech engines' pipes, and the sockets of calls being turned away over the cap.
SPARE_FILES: Final = 128


def calls_within_open_file_limit(max_calls: int) -> int:
    """Raise the process's soft open-file limit toward what `max_calls` calls need (as far as the hard limit
    lets it) and return how many calls the limit allows. Each call is a socket, and a node out of descriptors
    cannot accept() at all: a stock limit of 1,024 left callers past it waiting in silence in the listen queue,
    never refused with IVRGRAPH_STATUS, while every accept attempt was logged (review of 2026-12-05)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not a POSIX system
        return max_calls
    unlimited, wanted = resource.RLIM_INFINITY, max_calls + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != unlimited and soft < wanted:
        raised = wanted if hard == unlimited else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == unlimited or soft >= wanted:
        return max_calls
    allowed = max(1, soft - SPARE_FILES)
    log.warning(
        "the open-file limit (%d) allows %d calls at once, not the %d of --max-calls: calls past it are refused "
        "as over the cap; raise the limit (ulimit -n, systemd's LimitNOFILE=) to take more",
        soft,
        allowed,
        max_calls,
    )
    return allowed


# Allocations between young-generation collections while serving calls (CPython's default is 700). A call
# allocates thousands of short-lived objects, nearly all freed by reference counting; at 700 the collector ran
# ~100 times per 1,000 calls and took ~16 us of CPU per AGI command (bench/agi_load.py). Higher is cheaper but
# every collection walks the young objects of all the calls in progress: at 2,000 calls a threshold of 10,000
# paused the loop for up to 24 ms (young) and 60 ms (middle generation) and the p99 added latency went from
# ~3 ms to 35-45 ms whenever one fell in the measured window. 3,000 keeps the p99 at 2.7-4.4 ms there with no
# CPU difference the benchmark can see.
SERVING_GC_THRESHOLD: Final = 3_000


def tune_collector_for_serving() -> None:
    """Set the cyclic garbage collector up for a process that serves calls from here on.

    What start-up built (modules, schemas, the block registry, templates) moves out of the collector's reach
    (`gc.freeze`): its full passes otherwise walk all of it again and again, pausing every call in flight, and
    it is never garbage. The young generation is collected less often (`SERVING_GC_THRESHOLD`).
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(SERVING_GC_THRESHOLD, middle, old)
