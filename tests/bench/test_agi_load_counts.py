"""`bench/agi_load.py --instructions` reads cachegrind's summaries: the server's, not the resource tracker's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.agi_load import COUNTERS, _counted

# The summary cachegrind 3.19 writes with --cache-sim=yes (the layout of a real run's log, numbers shortened).
SERVER_LOG = """==8159== Cachegrind, a cache and branch-prediction profiler
==8159== Command: /work/main/.venv/bin/python -c from multiprocessing.spawn import spawn_main
==8159==
==8159== I   refs:      514,955,945
==8159== I1  misses:     15,220,114
==8159== LLi misses:         40,377
==8159== I1  miss rate:        2.96%
==8159== LLi miss rate:        0.01%
==8159==
==8159== D   refs:      238,418,002  (158,032,517 rd   + 80,385,485 wr)
==8159== D1  misses:     10,070,313  (  7,412,866 rd   +  2,657,447 wr)
==8159== LLd misses:        904,771  (    544,513 rd   +    360,258 wr)
==8159== D1  miss rate:         4.2% (        4.7%     +        3.3%  )
==8159==
==8159== LL refs:        25,290,427  ( 22,632,980 rd   +  2,657,447 wr)
==8159== LL misses:         945,148  (    584,890 rd   +    360,258 wr)
"""
TRACKER_LOG = "==8158== I   refs:      142,452,111\n==8158== I1  misses:      1,000\n"


def test_takes_the_server_log_and_every_counter(tmp_path: Path) -> None:
    (tmp_path / "vg.8158").write_text(TRACKER_LOG)
    (tmp_path / "vg.8159").write_text(SERVER_LOG)
    counted = _counted(str(tmp_path))
    assert counted == {
        "I refs": 514_955_945,
        "I1 misses": 15_220_114,
        "LLi misses": 40_377,
        "D refs": 238_418_002,
        "D1 misses": 10_070_313,
        "LLd misses": 904_771,
    }
    assert set(counted) == set(COUNTERS)


def test_no_counts_is_an_error_not_a_zero(tmp_path: Path) -> None:
    (tmp_path / "vg.1").write_text("==1== valgrind: failed to start tool 'cachegrind'\n")
    with pytest.raises(RuntimeError, match="no counts"):
        _counted(str(tmp_path))
