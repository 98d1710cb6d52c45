"""The XLSX export's cost (figures, not pass/fail): `api.xlsx_export.zoned_xlsx` writing `--rows` call-register
rows (100,000 by default) as `GET /api/calls.xlsx?tz=Europe/Madrid` writes them: the register's columns, its four
times on Madrid's clock, `started_at (UTC)` beside the local start.

    .venv/bin/python bench/xlsx_export.py [--rows 100000] [--module PATH]

Prints the seconds from the first row to the finished file (what a reverse proxy's read timeout must outlast:
nothing is sent before) and the CPU seconds among them (steadier on a shared machine), the file's size, and the
process's peak resident memory while writing against what it held before (the peak is started over then, so the
imports' is left out). The rows are made as they are read, as the database hands them over, so the peak is the
writer's. The database's own reading is left out (bench/api_bench.py and bench/call_reports.py time queries).

`--module` times another implementation of `zoned_xlsx` instead, loaded from its file: an older copy of
api/xlsx_export.py kept outside the tree, to compare before and after a change. One implementation a run, so each
peak is its own.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api import xlsx_export
from api.routes.calls import CSV_COLUMNS, CSV_TIMES

ZONE = ZoneInfo("Europe/Madrid")
START = datetime(2026, 10, 19, 22, 0, tzinfo=UTC)
NAMES = ("Ana García", "Пётр Иванов", "JOHN SMITH", None, None, "María de los Ángeles")
OUTCOMES = ("hung_up", "transferred", "caller_hangup", "ended")
RESULTS = ("sale", "info", "complaint", "callback", "paid", "promised", None, None)


def register_rows(count: int) -> Iterator[list[object]]:
    """`count` rows of `CSV_COLUMNS` with the types the register gives (text, whole numbers, times, empty cells),
    made one at a time."""
    rng = random.Random(7)
    for n in range(count):
        started = START + timedelta(seconds=n * 6)
        answered = started + timedelta(seconds=2) if rng.random() > 0.03 else None
        ended = started + timedelta(seconds=rng.randrange(5, 600))
        values: dict[str, object] = {
            "id": f"1764{n:08d}.{n % 977}",
            "scenario": ("hotline", "billing", "missed-call", "survey")[n % 4],
            "version": 1 + n % 7,
            "status": "completed",
            "outcome": rng.choice(OUTCOMES),
            "result": (result := rng.choice(RESULTS)),
            # The words the scenario gives the code (the register's `result_label`), a column since its export had it.
            "result_label": result and result.capitalize(),
            "caller_id": f"+3460{rng.randrange(10**7):07d}",
            "caller_name": rng.choice(NAMES),
            "dialed_number": "0034910000000",
            "started_at": started,
            "answered_at": answered,
            "ended_at": ended,
            "duration_ms": int((ended - started).total_seconds() * 1000),
            "last_node": ("menu", "sales", "goodbye")[n % 3],
            "hangup_during": "read_digits" if n % 10 == 0 else None,
            "transfer_outcome": ("answered", "busy", None)[n % 3],
            "origin_call_id": None,
            "callback_job_id": None,
            "asterisk_uniqueid": f"1764{n:08d}.{n % 977}",
            "recorded_at": ended + timedelta(milliseconds=250),
            "channel": f"PJSIP/trunk-{n:08x}",
            "scheduled_job_ids": "",
            "error_steps": 1 if n % 20 == 0 else 0,
        }
        yield [values[column] for column in CSV_COLUMNS]


def implementation(path: str | None) -> ModuleType:
    if path is None:
        return xlsx_export
    spec = importlib.util.spec_from_file_location("xlsx_export_compared", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # where its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rss_mib(field: str) -> float:
    """`VmRSS` (resident now) or `VmHWM` (its peak) of this process, from Linux's /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    raise SystemExit(f"no {field} in /proc/self/status: Linux only")


def reset_peak() -> None:
    """Start the peak over from what is resident now (Linux 4.0+), so the imports' own peak is not the figure."""
    Path("/proc/self/clear_refs").write_text("5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--module", help="another api/xlsx_export.py to time (an older copy, outside the tree)")
    asked = parser.parse_args()
    module = implementation(asked.module)
    zoned_xlsx: Callable[..., Any] = module.zoned_xlsx
    before = rss_mib("VmRSS")
    reset_peak()
    began, cpu_began = time.perf_counter(), time.process_time()
    book = zoned_xlsx(CSV_COLUMNS, register_rows(asked.rows), times=CSV_TIMES, zone=ZONE, in_utc_too="started_at",
                      title="calls")  # fmt: skip
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    size = book.size
    for _chunk in book.chunks():
        pass
    print(f"{module.__file__}: {asked.rows:,} register rows ({len(CSV_COLUMNS) + 1} columns) in {seconds:.1f} s "
          f"({cpu:.1f} s of CPU), "
          f"{size / 2**20:.1f} MiB; peak RSS {rss_mib('VmHWM'):.0f} MiB ({before:.0f} MiB before writing)")  # fmt: skip


if __name__ == "__main__":
    main()
