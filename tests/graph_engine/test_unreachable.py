"""Blocks no call reaches: one warning per cut-off branch, at its head, with the count of the blocks after it.

One warning per block said "no connection leads to it" of blocks that an unreachable block does lead to, and
buried the few blocks to connect under hundreds of lines (review with 800-block scenarios)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.issues import Issue, Severity
from graph_engine.registry import BlockRegistry
from graph_engine.validation import validate
from tests.conftest import make_document

MENU = {"prompt": {"text": "Pulse"}, "options": [{"key": "1"}, {"key": "2"}, {"key": "3"}]}
KEYS = ("1", "2", "3")


def _say(node_id: str) -> dict[str, Any]:
    return {"id": node_id, "type": "say_phrase", "label": node_id.capitalize(), "config": {"text": "Hola"}}


def _unreachable(registry: BlockRegistry, document: dict[str, Any]) -> list[Issue]:
    return [issue for issue in validate(document, registry) if issue.code == "unreachable"]


def _chain(ids: list[str]) -> list[tuple[str, str, str]]:
    return [(a, "next", b) for a, b in pairwise(ids)]


def test_a_chain_cut_in_the_middle_is_one_problem_counting_the_blocks_after_the_cut(registry):
    ids = ["start", "a", "b", "c", "d", "e", "f"]
    cut = ("b", "next", "c")
    document = make_document([{"id": "start", "type": "start"}, *map(_say, ids[1:])],
                             [edge for edge in _chain(ids) if edge != cut])  # fmt: skip
    (issue,) = _unreachable(registry, document)
    assert (issue.node, issue.severity, issue.path) == ("c", Severity.WARNING, "$.nodes[3]")
    assert issue.params == {
        "block_type": "say_phrase", "block_title": "Say Phrase", "label": "C", "count": 3, "reason": "no_connection"
    }  # fmt: skip
    assert (
        issue.message == 'Say Phrase "C" can never be reached, nor can the 3 blocks after it: no connection leads to it'
    )


def test_one_block_cut_off_alone_keeps_the_words_it_had(registry):
    document = make_document([{"id": "start", "type": "start"}, _say("a"), _say("lost")], [("start", "next", "a")])
    (issue,) = _unreachable(registry, document)
    assert (issue.node, issue.params["count"], issue.params["reason"]) == ("lost", 0, "no_connection")
    assert issue.message == 'Say Phrase "Lost" can never be reached: no connection leads to it'


def test_a_cut_off_loop_is_one_problem_at_its_first_block_on_the_canvas(registry):
    loop = [("x", "next", "y"), ("y", "next", "z"), ("z", "next", "x"), ("z", "hangup", "after")]
    nodes = [{"id": "start", "type": "start"}, _say("a"), _say("after"), _say("z"), _say("x"), _say("y")]
    document = make_document(nodes, [("start", "next", "a"), *loop])
    (issue,) = _unreachable(registry, document)
    assert (issue.node, issue.params["count"], issue.params["reason"]) == ("z", 3, "loop")
    assert issue.message == (
        'Say Phrase "Z" can never be reached, nor can the 3 blocks after it: no connection leads into the loop it is in'
    )
    reordered = make_document(
        [nodes[0], nodes[1], nodes[4], nodes[5], nodes[3], nodes[2]], [("start", "next", "a"), *loop]
    )
    assert [issue.node for issue in _unreachable(registry, reordered)] == ["x"]


def test_a_block_that_only_leads_to_itself_is_a_loop_of_one(registry):
    document = make_document([{"id": "start", "type": "start"}, _say("a"), _say("self")],
                             [("start", "next", "a"), ("self", "next", "self")])  # fmt: skip
    (issue,) = _unreachable(registry, document)
    assert (issue.node, issue.params["count"], issue.params["reason"]) == ("self", 0, "loop")
    assert issue.message == 'Say Phrase "Self" can never be reached: no connection leads into the loop it is in'


def test_two_separate_cut_off_branches_are_two_problems_in_canvas_order(registry):
    nodes = [{"id": "start", "type": "start"}, *map(_say, ["a", "q", "r", "s", "m", "n"])]
    edges = [("start", "next", "a"), *_chain(["q", "r", "s"]), *_chain(["m", "n"])]
    found = _unreachable(registry, make_document(nodes, edges))
    assert [(issue.node, issue.params["count"]) for issue in found] == [("q", 2), ("m", 1)]
    assert (
        found[1].message == 'Say Phrase "M" can never be reached, nor can the block after it: no connection leads to it'
    )


def test_a_block_reached_from_the_flow_and_from_a_cut_off_block_is_not_reported(registry):
    nodes = [{"id": "start", "type": "start"}, _say("a"), _say("lost"), {"id": "bye", "type": "hangup"}]
    edges = [("start", "next", "a"), ("a", "next", "bye"), ("lost", "next", "bye")]
    (issue,) = _unreachable(registry, make_document(nodes, edges))
    assert (issue.node, issue.params["count"]) == ("lost", 0)


def test_two_cut_off_branches_that_meet_each_count_the_blocks_they_share(registry):
    """Each count is what connecting that head brings back: a shared tail (the usual common goodbye) is in both."""
    nodes = [{"id": "start", "type": "start"}, *map(_say, ["a", "p", "q", "tail"]), {"id": "bye", "type": "hangup"}]
    edges = [("start", "next", "a"), ("p", "next", "tail"), ("q", "next", "tail"), ("tail", "next", "bye")]
    found = _unreachable(registry, make_document(nodes, edges))
    assert [(issue.node, issue.params["count"]) for issue in found] == [("p", 2), ("q", 2)]


def test_the_fallback_and_what_it_leads_to_are_reached(registry):
    nodes = [{"id": "start", "type": "start"}, _say("a"), _say("sorry"), {"id": "bye", "type": "hangup"}]
    document = make_document(nodes, [("start", "next", "a"), ("sorry", "next", "bye")], fallback="sorry")
    assert _unreachable(registry, document) == []


# -- any graph: every unreachable block is a head or after one, and each head is the first of its loop ------------

_IDS = [f"n{i}" for i in range(9)]
_graphs = st.dictionaries(
    st.tuples(st.sampled_from(["start", *_IDS]), st.sampled_from(KEYS)),  # one connection per exit
    st.sampled_from(_IDS),
    max_size=20,
).map(lambda edges: {(s, "next" if s == "start" else key): target for (s, key), target in edges.items()})


def _after(edges: dict[tuple[str, str], str], origin: str, within: set[str]) -> set[str]:
    """Blocks reached from `origin` through blocks of `within` (origin itself only when a loop comes back)."""
    seen: set[str] = set()
    todo = [origin]
    while todo:
        here = todo.pop()
        for (source, _key), target in edges.items():
            if source == here and target in within and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@settings(max_examples=300, deadline=None)
@given(_graphs)
def test_any_graph_reports_each_cut_off_branch_once_at_its_head(registry, edges):
    nodes = [{"id": "start", "type": "start"}] + [{"id": i, "type": "ivr", "config": MENU} for i in _IDS]
    document = make_document(nodes, [(source, key, target) for (source, key), target in edges.items()])
    every = set(_IDS)
    lost = every - _after(edges, "start", every)
    found = {issue.node: issue for issue in _unreachable(registry, document)}
    assert set(found) <= lost
    covered: set[str] = set()
    for head, issue in found.items():
        after = _after(edges, head, lost)
        assert issue.params["count"] == len(after - {head})
        assert issue.params["reason"] == ("loop" if head in after else "no_connection")
        into = {source for (source, _key), target in edges.items() if target == head and source in lost}
        assert into <= after, f"{head} is reached from {into - after}, which is not after it: not a head"
        covered |= {head} | after
    assert covered == lost  # no unreachable block goes unsaid
    for head in found:  # one head per loop: the first of its blocks on the canvas (n0, n1... in document order)
        loop = {other for other in _after(edges, head, lost) if head in _after(edges, other, lost)} | {head}
        assert head == min(loop) and not (loop - {head}) & set(found)
