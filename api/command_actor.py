"""Who a command run from a shell acts as, for the audit log: the login that ran it, and the command."""

from __future__ import annotations

import getpass
import os


def command_user(command: str) -> str:
    """`"<login> (<command>)"`: the login name, else the user id (a container without one), e.g.
    `"alice (ivrgraph dialling resume)"`. At most 100 characters, as an audit event's actor."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = f"uid {os.getuid()}"
    return f"{login} ({command})"[:100]
