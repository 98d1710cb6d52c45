"""Errors of the outbound side: the AMI client and the callback dialer.

    AmiError
     ├── AmiProtocolError          bytes from the peer are not AMI (no banner, a header without ':', oversized)
     ├── AmiEncodingError          an action cannot be sent safely (CR/LF/NUL in a header, bad name, line too long)
     ├── AmiAuthenticationError    Login answered "Authentication failed" (wrong user or secret: Asterisk
     │                             cannot tell which); a configuration error, never retried on its own
     └── AmiConnectionError        no session: connect refused or timed out, or the session dropped while an
          │                        action was waiting for its Response
          └── AmiTimeoutError      the session is up but an action got no Response in time

Kept apart from the FastAGI errors module (another engineer's) so each side owns its tree.
Expected outcomes of a dial attempt (answered, busy, no answer, failed, and an Originate that
Asterisk refused with "Response: Error") are named results (`DialOutcome`), never exceptions.
"""

from __future__ import annotations


class AmiError(Exception):
    """Base of every error raised by the AMI client and the dialer."""


class AmiProtocolError(AmiError):
    """The peer sent bytes that are not AMI; the session cannot continue."""


class AmiEncodingError(AmiError, ValueError):
    """An action was refused before any byte reached the wire (injection or size limit)."""


class AmiAuthenticationError(AmiError):
    """Asterisk refused the Login. It answers after a deliberate 1 s delay and closes the connection."""

    def __init__(self, username: str, message: str) -> None:
        super().__init__(f"AMI login as {username!r} refused: {message}")
        self.username = username
        self.message = message


class AmiConnectionError(AmiError, ConnectionError):
    """No AMI session is available, or it was lost while an action waited for its Response."""


class AmiTimeoutError(AmiConnectionError):
    """An action got no Response within its deadline."""
