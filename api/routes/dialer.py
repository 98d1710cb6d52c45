"""The callback dialer's state on this node: whether callbacks and call lists are being dialled, and if not why.

Review: with dialling paused for a trunk outage the designer still showed a campaign "in progress, next call 22:35"
at 22:38, and a server without AMI settings checked and scheduled lists in green that nobody would ever call.

The state is this node's, kept in memory by its dialer (`agi_server.dialer.DialerStatus`): every node with AMI
settings runs a dialer of its own, with its own AMI session and trunk watch, so there is no one state of "the"
dialer to store for all nodes; the API answers with what the dialer beside it (`ivrgraph serve`) knows.

One state is the whole database's: dialling held (persistence.dialling_hold), in a restored backup until an admin
has cancelled the jobs called since the backup, or by an admin's hold. It is read from the database at each request
(`held`), whatever this node's dialer last saw, and an admin holds and resumes it here (`POST /api/dialer/hold`,
`/resume`), audited as the command line's `ivrgraph dialling hold|resume` are (disaster-recovery drill: a restored
node re-dialled, within seconds and unnoticed, every client the lost machine had called after the backup).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from agi_server.dialer import NOT_CONFIGURED, DialerReason, DialerState, DialerStatus
from api.deps import Admin, RuntimeDep, Viewer
from api.routes import AUTHED, problems
from persistence import dialling_hold
from persistence.dialling_hold import Hold

router = APIRouter(prefix="/api/dialer", tags=["dialer"], responses=AUTHED)

DialerStatusSource = Callable[[], DialerStatus]


class DiallingHoldPublic(BaseModel):
    """Dialling held for the whole database: no node calls anybody until an admin resumes it."""

    held_at: datetime = Field(description="Since when")
    held_by: str = Field(description="Who held it: a user, or the command and the login that ran it")
    reason: Literal["backup", "admin"] = Field(
        description="backup: the database is a copy `ivrgraph db backup` made (a restore): cancel the jobs Asterisk "
        "dialled since the backup, then resume; admin: an admin held it"
    )


class DialerPublic(BaseModel):
    """Whether this node dials callbacks now."""

    state: DialerState = Field(
        description="running: dialling; paused: not now, see `reason` and `paused_until`; off: never, until the "
        "node is reconfigured or restarted"
    )
    reason: DialerReason | None = Field(
        default=None,
        description="not_configured: no AMI settings (IVRGRAPH_AMI_HOST unset); stopped: AMI refused the login, "
        "until a restart; ami_unreachable: AMI cannot be reached, tried again; originate_refused: Asterisk refuses "
        "the dialer's calls (its context or permissions); trunk_down: calls in a row met congestion; dialling_held: "
        "dialling is held for the whole database (see `held`) until an admin resumes it",
    )
    paused_until: datetime | None = Field(
        default=None, description="When dialling resumes (trunk_down: when one call probes the trunk), if known"
    )
    congested_calls: int = Field(default=0, description="trunk_down: the calls in a row that met congestion")
    node: str | None = Field(default=None, description="The dialling node (IVRGRAPH_DIAL_NODE_ID); null when off")
    held: DiallingHoldPublic | None = Field(
        default=None,
        description="Dialling held for the whole database (every node), read from it now; null when not held. "
        "Shown with an `off` node's own reason too",
    )


def attach(app: FastAPI, status: DialerStatusSource) -> None:
    """Let the API report the dialer running in its process (`api.serve`); without one it reports off."""
    app.state.dialer_status = status


@router.get("", response_model=DialerPublic)
def dialer_state(_user: Viewer, request: Request, runtime: RuntimeDep) -> DialerPublic:
    """Whether this node's callback dialer dials now: running, paused (and why, until when), or off (no AMI
    settings, or it stopped). The designer shows it beside call lists and campaigns: a paused or absent dialer is
    why a campaign's next call is late.

    The state is this node's, in memory: each node with AMI settings runs its own dialer and trunk watch, so with
    several nodes sharing a database this answers for the one serving the API (another node may be dialling when
    this one is off, or paused while another dials). But for `held`, the whole database's, read from it now: a node
    that dials is then `paused` for reason `dialling_held`."""
    with runtime.database.session() as session:
        held = dialling_hold.current(session)
    return _public(request, held)


@router.post("/hold", response_model=DialerPublic, responses=problems(403))
def hold_dialling(admin: Admin, request: Request, runtime: RuntimeDep) -> DialerPublic:
    """Hold dialling for the whole database: no node claims a job (a campaign's client, a callback) from its next
    pass until `/resume`; a call ringing now ends as usual, and calls are still answered. Admins only; audited
    (`hold_dialling`). Holding a held database changes nothing (the first hold's time, name and reason stay)."""
    with runtime.database.session() as session:
        held, _made = dialling_hold.hold(session, by=admin.username)
    return _public(request, held)


@router.post("/resume", response_model=DialerPublic, responses=problems(403))
def resume_dialling(admin: Admin, request: Request, runtime: RuntimeDep) -> DialerPublic:
    """Let every node dial again, from its next pass: after a restore, once the jobs Asterisk dialled since the
    backup are cancelled (docs/operations.md, "Backups"). Admins only; audited (`resume_dialling`, with the hold
    lifted). Resuming a database not held changes nothing."""
    with runtime.database.session() as session:
        dialling_hold.resume(session, by=admin.username)
    return _public(request, None)


def _public(request: Request, held: Hold | None) -> DialerPublic:
    """This node's dialer as it last saw things, the database's hold as read now: a hold lifted since the
    dialer's last pass no longer pauses it (it dials at its next), and one made since pauses it already."""
    source: DialerStatusSource | None = getattr(request.app.state, "dialer_status", None)
    status = source() if source is not None else NOT_CONFIGURED
    if status.reason == "dialling_held" and held is None:
        status = DialerStatus("running", node=status.node)
    elif held is not None and status.state != "off":
        status = DialerStatus("paused", "dialling_held", node=status.node, held=held)
    return DialerPublic(
        state=status.state,
        reason=status.reason,
        paused_until=status.paused_until,
        congested_calls=status.congested_calls,
        node=status.node,
        held=None
        if held is None
        else DiallingHoldPublic(held_at=held.held_at, held_by=held.held_by, reason=held.reason),
    )
