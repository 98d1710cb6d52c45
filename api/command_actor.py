"""Who a command run from a shell acts as, for the audit log: the account that ran it, and the command.

The account is the process's effective user as the system's user database names it, not LOGNAME or USER, which
whoever runs the command sets as they like (`getpass.getuser()` reads them first): `LOGNAME="admin" + 95 spaces`
was recorded as the web user admin, the command cut off (security review). Spaces and characters that do not print
are dropped from the name, and only the name is cut to fit, so the command always shows after it."""

from __future__ import annotations

import os
import pwd
from typing import Final

ACTOR_LENGTH: Final = 100  # persistence.models.AuditEvent.actor


def command_user(command: str) -> str:
    """`"<login> (<command>)"`, e.g. `"alice (ivrgraph dialling resume)"`: the account's name, else its user id (a
    container's user without one). At most ACTOR_LENGTH characters, the login cut to leave the command whole."""
    login = "".join(char for char in (_login() or "") if char.isprintable() and not char.isspace())
    suffix = f" ({command})"
    name = login or f"uid {os.geteuid()}"
    return name[: max(ACTOR_LENGTH - len(suffix), 1)] + suffix


def _login() -> str | None:
    """The name of the account the process runs as, None when the user database has none for it."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return None
