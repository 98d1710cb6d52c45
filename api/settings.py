"""API settings, read from the environment by `Settings.from_env()` or given directly (tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from persistence.db import database_url
from persistence.dial_hours import DefaultHours
from persistence.phone_numbers import default_country
from persistence.retention import RetentionPolicy

DEFAULT_DESIGNER_DIST = Path(__file__).resolve().parent.parent / "designer_ui" / "dist"
DEFAULT_TOKEN_MAX_DAYS = 90


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    admin_user: str | None = None
    admin_password: str | None = None
    migrate_on_start: bool = True
    designer_dist: Path | None = DEFAULT_DESIGNER_DIST
    cookie_secure: bool = False  # set behind HTTPS so the session cookie never travels in clear
    version_poll_seconds: float = 2.0
    media_root: Path | None = None  # None: the voice package's setting (IVRGRAPH_MEDIA_ROOT)
    # ISO 3166 code (IVRGRAPH_DEFAULT_COUNTRY): national numbers compare as its numbers (persistence.phone_numbers)
    default_country: str | None = None
    # IVRGRAPH_RETAIN_CALLS, _TRACES, _CALLBACKS, _CAMPAIGNS, _AUDIT: how long each is kept (persistence.retention);
    # each is kept for ever unless set, as before retention existed.
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    # IVRGRAPH_TOKEN_MAX_DAYS: the longest an API token made from now on may work (a request without `expires_at`
    # gets it); 0 lifts the limit. Tokens made before keep their expiry, or none.
    token_max_days: int = DEFAULT_TOKEN_MAX_DAYS
    # IVRGRAPH_DIAL_DEFAULT_HOURS, _TIMEZONE: the hours an API job whose request names none is called in
    # (persistence.dial_hours): every day 09:00-21:00 UTC unless set, never at night.
    dial_hours: DefaultHours = field(default_factory=DefaultHours)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        dist = env.get("IVRGRAPH_DESIGNER_DIST")
        return cls(
            database_url=database_url(env),
            admin_user=env.get("IVRGRAPH_ADMIN_USER") or None,
            admin_password=env.get("IVRGRAPH_ADMIN_PASSWORD") or None,
            designer_dist=Path(dist) if dist else DEFAULT_DESIGNER_DIST,
            cookie_secure=env.get("IVRGRAPH_COOKIE_SECURE", "").lower() in ("1", "true", "yes"),
            default_country=default_country(env),
            retention=RetentionPolicy.from_env(env),
            token_max_days=_token_max_days(env.get("IVRGRAPH_TOKEN_MAX_DAYS", "")),
            dial_hours=DefaultHours.from_env(env),
        )

    @property
    def token_max_lifetime(self) -> timedelta | None:
        """How long a new API token may work; None: no limit (IVRGRAPH_TOKEN_MAX_DAYS=0)."""
        return timedelta(days=self.token_max_days) if self.token_max_days > 0 else None


def _token_max_days(text: str) -> int:
    """IVRGRAPH_TOKEN_MAX_DAYS; ValueError naming the variable, as a bad retention period is (the commands say it in
    one line)."""
    if not text.strip():
        return DEFAULT_TOKEN_MAX_DAYS
    try:
        days = int(text.strip())
    except ValueError:
        days = -1
    if not 0 <= days <= 36_500:
        raise ValueError(f"IVRGRAPH_TOKEN_MAX_DAYS: {text!r} is not a whole number of days from 0 (no limit) to 36500")
    return days
