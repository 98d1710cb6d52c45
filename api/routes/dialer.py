"""The callback dialer's state on this node: whether callbacks and call lists are being dialled, and if not why.

Review: with dialling paused for a trunk outage the designer still showed a campaign "in progress, next call 22:35"
at 22:38, and a server without AMI settings checked and scheduled lists in green that nobody would ever call.

The state is this node's, kept in memory by its dialer (`agi_server.dialer.DialerStatus`): every node with AMI
settings runs a dialer of its own, with its own AMI session and trunk watch, so there is no one state of "the"
dialer to store for all nodes; the API answers with what the dialer beside it (`ivrgraph serve`) knows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from agi_server.dialer import NOT_CONFIGURED, DialerReason, DialerState, DialerStatus
from api.deps import Viewer
from api.routes import AUTHED

router = APIRouter(prefix="/api/dialer", tags=["dialer"], responses=AUTHED)

DialerStatusSource = Callable[[], DialerStatus]


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
        "the dialer's calls (its context or permissions); trunk_down: calls in a row met congestion",
    )
    paused_until: datetime | None = Field(
        default=None, description="When dialling resumes (trunk_down: when one call probes the trunk), if known"
    )
    congested_calls: int = Field(default=0, description="trunk_down: the calls in a row that met congestion")
    node: str | None = Field(default=None, description="The dialling node (IVRGRAPH_DIAL_NODE_ID); null when off")


def attach(app: FastAPI, status: DialerStatusSource) -> None:
    """Let the API report the dialer running in its process (`api.serve`); without one it reports off."""
    app.state.dialer_status = status


@router.get("", response_model=DialerPublic)
def dialer_state(_user: Viewer, request: Request) -> DialerPublic:
    """Whether this node's callback dialer dials now: running, paused (and why, until when), or off (no AMI
    settings, or it stopped). The designer shows it beside call lists and campaigns: a paused or absent dialer is
    why a campaign's next call is late.

    The state is this node's, in memory: each node with AMI settings runs its own dialer and trunk watch, so with
    several nodes sharing a database this answers for the one serving the API (another node may be dialling when
    this one is off, or paused while another dials)."""
    source: DialerStatusSource | None = getattr(request.app.state, "dialer_status", None)
    status = source() if source is not None else NOT_CONFIGURED
    return DialerPublic(
        state=status.state,
        reason=status.reason,
        paused_until=status.paused_until,
        congested_calls=status.congested_calls,
        node=status.node,
    )
