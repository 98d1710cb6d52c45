"""A deliberate goodbye (review of an Oktell administrator): a Message whose «Далее» is left unconnected at the end of
the flow. Its warning said only that the exit leads nowhere, as of a fault; it now says how to mark such an end as
meant: connect the exit to a Hang Up block, which ends the call the same way and leaves no warning. The call's
recorded outcome (`ended`) is not changed: reports count it."""

from __future__ import annotations

from graph_engine.registry import BlockRegistry
from graph_engine.validation import validate
from tests.conftest import make_document

HINT = "to end the call here on purpose, connect it to a Hang Up block"


def _goodbye(*, wired: bool) -> dict[str, object]:
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "bye", "type": "message", "label": "Goodbye", "config": {"audio": "goodbye"}},
        {"id": "end", "type": "hangup", "label": "End"},
    ]
    edges = [("start", "next", "bye")] + ([("bye", "next", "end")] if wired else [])
    return make_document(nodes if wired else nodes[:2], edges)


def test_an_unwired_next_says_how_to_mark_the_end_as_meant(registry: BlockRegistry) -> None:
    (issue,) = [i for i in validate(_goodbye(wired=False), registry) if i.code == "unwired_exit"]
    assert issue.message == (
        f'Message "Goodbye": Next leads nowhere: the caller hears the message and the call ends; {HINT}'
    )
    assert issue.params["exit"] == "next"


def test_wired_to_hang_up_it_is_no_problem(registry: BlockRegistry) -> None:
    assert [i for i in validate(_goodbye(wired=True), registry) if i.code == "unwired_exit"] == []


def test_an_unwired_key_is_said_as_before(registry: BlockRegistry) -> None:
    """Only `next`, the way on after a block has done its part, is a likely end: a key or a failure's exit is not."""
    menu = {"prompt": {"text": "x"}, "options": [{"key": "1"}, {"key": "3"}]}
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "menu", "type": "ivr", "label": "Main menu", "config": menu},
         {"id": "end", "type": "hangup"}],
        [("start", "next", "menu"), ("menu", "1", "end"), ("menu", "max_tries", "end")],
    )  # fmt: skip
    (issue,) = [i for i in validate(doc, registry) if i.code == "unwired_exit"]
    assert HINT not in issue.message
