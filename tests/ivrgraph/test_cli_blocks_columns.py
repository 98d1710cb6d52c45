"""`ivrgraph blocks` as a table: a plugin author's review (2026-12-06) found `crm_ticket_create` running past the type
column (sized for the built-ins' names), so its title and exits sat out of line with every other row."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from ivrgraph import cli
from tests.agi_server.conftest import registry_with


class CrmTicketCreate(BlockType):
    type = "crm_ticket_create"
    title = "CRM ticket create (helpdesk)"
    category = "Connect"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


def test_every_row_lines_up_whatever_the_longest_type_and_title(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "default_registry", lambda: registry_with(CrmTicketCreate))
    assert cli.cmd_blocks(argparse.Namespace(json=False)) == 0
    rows = capsys.readouterr().out.splitlines()
    blocks = rows[0::2]
    assert any(row.split()[1] == "crm_ticket_create" for row in blocks)
    # Each block's title and its exits start in the same column in every row, and the "from" line under it too.
    assert len({row.index(" exits: ") for row in blocks}) == 1
    assert len({row.index("from ") for row in rows[1::2]}) == 1
    (crm,) = [row for row in blocks if " crm_ticket_create " in row]
    assert {row.index("from ") for row in rows[1::2]} == {crm.index("CRM ticket create (helpdesk)")}
