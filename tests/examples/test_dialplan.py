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


def _priorities(context: str) -> dict[str, list[str]]:
    """The dialplan's lines of each extension of `context`, `exten => X,1,...` and its `same => n...` lines."""
    extensions: dict[str, list[str]] = {}
    current: list[str] | None = None
    inside = False
    for raw in DIALPLAN.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            inside, current = line == f"[{context}]", None
            continue
        if not inside:
            continue
        if line.startswith("exten =>"):
            current = extensions.setdefault(line.split("=>", 1)[1].split(",", 1)[0].strip(), [])
        if current is not None:
            current.append(line)
    return extensions


def test_a_call_a_draining_node_turns_away_is_tried_once_more_on_the_cluster_then_falls_back() -> None:
    """Two-node review: a node holding its listener open for its own callees while it stops (`AgiServer.hold_for`)
    turns the others away, and hagi:// fails over on a refused connection only, so they went to [fallback] for the
    whole hold. The node says DRAINING (OVERLOADED stays for a node at its cap): every AGI(hagi://...) line sends it
    to a second AGI() on the cluster, with IVRGRAPH_STATUS cleared first (else a call the second node served ends in
    [fallback]), and that one's DRAINING goes to [fallback]. A single node's agi:// has nowhere else to go."""
    retried = 0
    for context in ("ivr-in", "ivrgraph-run", "ivrgraph-outbound"):
        for extension, lines in _priorities(context).items():
            for index, line in enumerate(lines):
                agi = re.search(r"\bAGI\((h?agi://[^)]*)\)", line)
                if agi is None:
                    continue
                gotos = [later for later in lines[index + 1 :] if "GotoIf(" in later]
                draining = next(goto for goto in gotos if '"${IVRGRAPH_STATUS}" = "DRAINING"' in goto)
                if agi.group(1).startswith("agi://") or "(again)" in lines[index - 1]:
                    assert draining.endswith("?fallback,s,1)"), (context, extension, line)
                    continue
                label = re.search(r"\?(\w+)\)$", draining)
                assert label is not None and label.group(1) == "again", (context, extension, draining)
                [target] = [n for n, later in enumerate(lines) if later.startswith(f"same => n({label.group(1)}),")]
                assert lines[target].endswith("Set(IVRGRAPH_STATUS=)"), lines[target]
                assert f"AGI({agi.group(1)})" in lines[target + 1], (lines[target + 1], agi.group(1))
                retried += 1
    assert retried == 3  # the hotline on the cluster, ivrgraph-run, and the callbacks' ivrgraph-outbound
