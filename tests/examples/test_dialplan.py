"""examples/asterisk/extensions.conf: every AGI() that reaches ivrgraph handles a node that is down or full."""

from __future__ import annotations

import re
from pathlib import Path

DIALPLAN = Path(__file__).resolve().parents[2] / "examples" / "asterisk" / "extensions.conf"


def test_every_agi_call_falls_back_when_no_node_answers_or_the_node_is_full() -> None:
    """A node at --max-calls sets IVRGRAPH_STATUS=OVERLOADED and closes cleanly, so AGISTATUS is SUCCESS: a
    dialplan that only checks FAILURE hangs up on the caller in silence (review of 2026-12-05, the Gosub path)."""
    lines = [line.strip() for line in DIALPLAN.read_text().splitlines() if line.strip() and not line.startswith(";")]
    agi_lines = [index for index, line in enumerate(lines) if re.search(r"\bAGI\((h?agi)://", line)]
    assert len(agi_lines) >= 4
    for index in agi_lines:
        after = " ".join(lines[index + 1 : index + 3])
        assert '"${AGISTATUS}" = "FAILURE"' in after, lines[index]
        assert '"${IVRGRAPH_STATUS}" = "OVERLOADED"' in after, lines[index]


def test_values_reach_ivrgraph_in_the_query_encoded_never_as_agi_arguments() -> None:
    """README: text passed as the last AGI() argument cannot be told from further arguments, so caller data goes in
    the URL's query through ${URIENCODE()}. The example passed ${CALLERID(num)} as an argument (review of
    2026-12-05)."""
    lines = [line.strip() for line in DIALPLAN.read_text().splitlines() if not line.startswith(";")]
    for line in lines:
        call = re.search(r"\b(?:AGI\(h?agi://[^,)]*|Gosub\(ivrgraph-run,s,1\([^)]*)", line)
        if call is None:
            continue
        assert not re.match(r"AGI\(h?agi://[^)]*,", line[call.start() :]), f"an AGI() argument: {line}"
        plain = re.sub(r"\$\{URIENCODE\(\$\{[^}]*\}\)\}", "", line)
        assert not re.search(r"\$\{(CALLERID|CONNECTEDLINE|CDR)", plain), f"caller data not encoded: {line}"
