"""Users, roles, passwords (argon2id), bearer tokens and login sessions (only SHA-256 digests of secrets are stored).

Seeing callers' and clients' personal data unmasked is a permission of its own beside the role
(`User.sees_personal_data`, api.personal_data): a supervisor with the viewer role may need it, an editor drawing flows
may not. New users are made without it unless given it; an admin always has it (they grant it, and answer subject
access requests, which show everything). A user's sessions read it from the user at every use; an API token reads it
only while its user may, and never when made without it (a wallboard's token, `token_reads_personal_data`).

User names are one whatever their case (`persistence.models.fold_username`, a unique index on the folded name):
`Ana` cannot be made beside `ana`, and `ana` signs in as `ANA` too; the name is kept and shown as it was typed.
A user's live API tokens have names of their own, so that a list tells them apart and the right one is revoked."""

from __future__ import annotations

import enum
import functools
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from persistence.db import hold_sqlite_writes
from persistence.errors import (
    AlreadyExists,
    InvalidApiToken,
    InvalidCredentials,
    LastAdmin,
    NotFound,
    RequestRefused,
    TokenNameTaken,
    UsernameTaken,
    WrongPassword,
)
from persistence.models import ApiToken, User, fold_username, utcnow

SESSION_LIFETIME = timedelta(hours=12)
# Passwords are hashed as argon2-cffi does by default: argon2id with RFC 9106's low-memory option (3 passes over
# 64 MiB, 4 lanes), a tenth of a second of a core per hash or check. A test suite signs thousands of users in, so
# with this variable set to 1 it gets argon2-cffi's cheapest parameters, its profile for tests. A stored hash names
# the parameters it was made with: either way checks any hash, and the next sign-in without the variable rehashes
# the password at full strength (`authenticate`).
CHEAP_HASHES_ENV = "IVRGRAPH_TEST_ONLY_CHEAP_PASSWORD_HASHES"


def cheap_password_hashes() -> bool:
    """Whether this process hashes passwords the test suite's cheap way (a server says so as it starts)."""
    return os.environ.get(CHEAP_HASHES_ENV) == "1"


@functools.cache
def password_hasher() -> PasswordHasher:
    if cheap_password_hashes():
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown user as slow as one with a wrong password. Made when a
    server starts (`prepare_sign_ins`), not at import: every CLI command imports this module and most sign nobody in."""
    return password_hasher().hash("not a password anyone has")


def prepare_sign_ins() -> None:
    """Make the dummy hash now, as a server starts: made at the first login of an unknown user instead, that login
    would take a hash longer than a wrong password's and so tell that the name is unknown."""
    _dummy_hash()


class Role(enum.IntEnum):
    """Each role can do everything the roles below it can."""

    VIEWER = 1
    EDITOR = 2  # edits drafts
    PUBLISHER = 3  # publishes and rolls back
    ADMIN = 4  # users, data sources, settings

    @classmethod
    def parse(cls, name: str) -> Role:
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


ROLE_NAMES = tuple(role.label for role in Role)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the user, their role, and (for a cookie session) the CSRF token the session expects;
    `sees_personal_data`: their user's permission to read callers' data unmasked, as it is now."""

    user_id: int
    username: str
    role: Role
    csrf_token: str | None = None  # None for bearer tokens: no cookie, no CSRF risk
    sees_personal_data: bool = False

    def may(self, role: Role) -> bool:
        return self.role >= role


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    token_id: int
    secret: str  # shown to its owner once; only its digest is stored
    csrf_token: str | None = None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    session: Session, *, username: str, password: str, role: str, sees_personal_data: bool | None = None
) -> User:
    """A new user. `sees_personal_data`: None gives it to an admin only (least privilege: an admin ticks it for
    whoever needs it); an admin made without it is refused (`RequestRefused`). A name another user has, whatever
    its case, is refused (`UsernameTaken` naming that user)."""
    parsed = Role.parse(role)
    sees = parsed is Role.ADMIN if sees_personal_data is None else sees_personal_data
    _admin_sees(parsed, sees)
    user = User(
        username=username,
        password_hash=password_hasher().hash(password),
        role=parsed.label,
        active=True,
        sees_personal_data=sees,
    )
    # The unique indexes decide, also between two admins making `ana` and `Ana` at once; in a savepoint, so that
    # the session can still read who has the name.
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as error:
        taken = session.scalar(select(User).where(User.username_folded == fold_username(username)))
        if taken is None:
            raise AlreadyExists("user", username) from error
        raise UsernameTaken(username, existing_username=taken.username, existing_id=taken.id) from error
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def _admin_sees(role: Role, sees_personal_data: bool) -> None:
    """An admin grants the permission and reads every subject's data (`GET /api/privacy/subject`): one without it
    would be a mask over nothing, and a setting that says what it does not do."""
    if role is Role.ADMIN and not sees_personal_data:
        message = "an admin always sees personal data: give the user a lower role to take it away"
        raise RequestRefused([{"path": "$.sees_personal_data", "code": "admin_sees_personal_data", "message": message}])


def reads_personal_data(user: User) -> bool:
    """Whether `user` reads callers' data unmasked now (an admin always does, also one stored without the flag by
    hand)."""
    return bool(user.sees_personal_data) or user.role == Role.ADMIN.label


@dataclass(frozen=True)
class DroppedToken:
    id: int
    name: str
    reason: str  # as a `revoke_token` audit event says why: `user_deactivated`, `password_reset`...


@dataclass(frozen=True)
class UserChange:
    """What `change_user` did, for the audit log: each field it changed as `{"from": ..., "to": ...}` (the
    password only as `"changed"`: never it nor its hash), and the API tokens a reset or a deactivation took (their
    rows are gone: what an event says of them is kept here)."""

    user: User
    changes: dict[str, Any]
    tokens_dropped: list[DroppedToken]


def update_user(
    session: Session,
    *,
    user_id: int,
    role: str | None = None,
    password: str | None = None,
    active: bool | None = None,
    sees_personal_data: bool | None = None,
) -> User:
    """Change what is given (None: left as it is); see `change_user`."""
    return change_user(session, user_id=user_id, role=role, password=password, active=active,
                       sees_personal_data=sees_personal_data).user  # fmt: skip


def change_user(
    session: Session,
    *,
    user_id: int,
    role: str | None = None,
    password: str | None = None,
    active: bool | None = None,
    sees_personal_data: bool | None = None,
) -> UserChange:
    """Change what is given (None: left as it is). Made an admin, a user is given `sees_personal_data`; demoted, they
    keep what they had unless the same request takes it away. A password set here is an admin's reset: account
    recovery, so the user's sessions and API tokens all end (`password_reset`)."""
    user = get_user(session, user_id=user_id)
    before = {"role": user.role, "active": user.active, "sees_personal_data": bool(user.sees_personal_data)}
    dropped: list[DroppedToken] = []
    new_role = Role.parse(role) if role is not None else Role.parse(user.role)
    if sees_personal_data is not None:
        _admin_sees(new_role, sees_personal_data)
    demoted = role is not None and Role.parse(role) is not Role.ADMIN
    losing_an_admin = user.role == Role.ADMIN.label and user.active and (demoted or active is False)
    if losing_an_admin and _active_admins(session, hold=True) <= 1:
        raise LastAdmin(user.username, path="$.role" if demoted else "$.active")
    if role is not None:
        user.role = new_role.label
    if sees_personal_data is not None:
        user.sees_personal_data = sees_personal_data
    elif new_role is Role.ADMIN:
        user.sees_personal_data = True
    if password is not None:
        # Whoever took over the account with the old password may have made tokens with it: they go too.
        dropped += _set_password(session, user, password, revoke_api_tokens=True, reason="password_reset")
    if active is not None:
        user.active = active
        if not active:  # a deactivated user is signed out everywhere, API tokens too
            dropped += [DroppedToken(t.id, t.name, "user_deactivated") for t in _drop_tokens(session, user)
                        if t.kind == "api"]  # fmt: skip
    session.flush()
    after = {"role": user.role, "active": user.active, "sees_personal_data": bool(user.sees_personal_data)}
    changes: dict[str, Any] = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if password is not None:
        changes["password"] = "changed"
    return UserChange(user=user, changes=changes, tokens_dropped=dropped)


def _set_password(
    session: Session, user: User, password: str, *, revoke_api_tokens: bool, reason: str
) -> list[DroppedToken]:
    """A new password signs the user out everywhere: whoever had the old one keeps no session. Their API tokens
    (credentials of their own, named, expiring, listed) go too when `revoke_api_tokens`; the ones that went."""
    user.password_hash = password_hasher().hash(password)
    which = () if revoke_api_tokens else (ApiToken.kind == "session",)
    return [DroppedToken(t.id, t.name, reason) for t in _drop_tokens(session, user, *which) if t.kind == "api"]


def _drop_tokens(session: Session, user: User, *which: ColumnElement[bool]) -> list[ApiToken]:
    """Delete the user's sessions and tokens (those matching `which`, when given); the ones deleted."""
    dropped = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, *which).order_by(ApiToken.id)))
    for token in dropped:
        session.delete(token)
    return dropped


def _active_admins(session: Session, *, hold: bool = False) -> int:
    """How many active admins there are; `hold`: and keep them so until this transaction ends, so two admins
    demoting each other at the same moment cannot both pass the last-admin check."""
    admins = (User.role == Role.ADMIN.label, User.active.is_(True))
    if not hold:
        return int(session.scalar(select(func.count()).select_from(User).where(*admins)) or 0)
    if session.get_bind().dialect.name == "sqlite":  # no FOR UPDATE: the writer lock instead
        hold_sqlite_writes(session, User)
        return int(session.scalar(select(func.count()).select_from(User).where(*admins)) or 0)
    return len(session.scalars(select(User.id).where(*admins).with_for_update()).all())


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def authenticate(session: Session, *, username: str, password: str) -> User:
    """The active user `username` names, in any case, if `password` is theirs; `InvalidCredentials` otherwise."""
    user = session.scalar(select(User).where(User.username_folded == fold_username(username)))
    if user is None or not user.active:
        _verify(_dummy_hash(), password)
        raise InvalidCredentials()
    if not _verify(user.password_hash, password):
        raise InvalidCredentials()
    if password_hasher().check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher().hash(password)
    return user


@dataclass(frozen=True)
class PasswordChanged:
    """A user's own change: the session that keeps them signed in, the API tokens it revoked, and how many of
    theirs still work (not expired)."""

    session: IssuedSecret
    tokens_revoked: list[DroppedToken]
    tokens_live: int


def change_password(
    session: Session, *, user_id: int, current: str, new: str, revoke_tokens: bool = False, now: datetime | None = None
) -> PasswordChanged:
    """A user's own change: `current` must be their password (`WrongPassword` otherwise). Every session of
    theirs ends, as on an admin's reset, and the new one returned keeps them signed in where they changed it.
    Their API tokens stay (integrations use them) unless `revoke_tokens`."""
    user = session.get(User, user_id)
    if user is None or not user.active or not _verify(user.password_hash, current):
        raise WrongPassword()
    revoked = _set_password(session, user, new, revoke_api_tokens=revoke_tokens, reason="password_changed")
    session.flush()
    now = now or utcnow()
    live = [t for t in list_api_tokens(session, user_id=user.id) if t.expires_at is None or t.expires_at > now]
    return PasswordChanged(start_session(session, user=user, now=now), revoked, len(live))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session, *, user: User, now: datetime | None = None) -> IssuedSecret:
    """A login session for the designer's cookie, with the CSRF token unsafe requests must echo."""
    now = now or utcnow()
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    token = ApiToken(
        user_id=user.id,
        kind="session",
        name="login",
        token_hash=digest(secret),
        csrf_token=csrf,
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(token)
    session.flush()
    return IssuedSecret(token.id, secret, csrf)


def create_api_token(
    session: Session,
    *,
    user_id: int,
    name: str,
    expires_at: datetime | None = None,
    role: str | None = None,
    max_lifetime: timedelta | None = None,
    now: datetime | None = None,
    sees_personal_data: bool | None = None,
) -> IssuedSecret:
    """A bearer token of the user's, acting with `role` (default: the user's own role, kept as it is now: a later
    promotion of the user does not widen it). A role above the user's is refused (`InvalidApiToken`, code
    `token_role_above_yours`).

    `sees_personal_data`: whether the token reads personal data unmasked, only ever while its user may. None: as
    its user does at each use (the API's behaviour before tokens had a say, kept for the scripts written for it;
    the designer asks for False unless ticked). True for a user who reads it masked is refused (`InvalidApiToken`
    naming `$.sees_personal_data`, code `token_personal_data_above_yours`); so is False with the admin role (code
    `admin_sees_personal_data`: an admin's pages show personal data whole, a subject access request for one).

    `max_lifetime` (the API's IVRGRAPH_TOKEN_MAX_DAYS): a token asked for without `expires_at` expires that long from
    `now`, and one asked to outlive it is refused (`InvalidApiToken` naming `$.expires_at`, code
    `token_lifetime_too_long`). None: no limit.

    A name the user's live tokens (not revoked, not expired at `now`) have is refused (`TokenNameTaken`): a list
    could not tell the two apart. The name of a revoked or expired one is free again."""
    now = now or utcnow()
    user = _held_user(session, user_id)
    own = Role.parse(user.role)
    wanted = own if role is None else Role.parse(role)
    # Both said at once: a request asking for too much of each is told of both.
    problems = [*_role_above(wanted, own), *_personal_data_above(sees_personal_data, wanted, user)]
    if problems:
        raise InvalidApiToken(problems)
    expires_at = _expiry(expires_at, max_lifetime=max_lifetime, now=now)
    same_name = _live_token_named(session, user_id=user_id, name=name, now=now)
    if same_name is not None:
        raise TokenNameTaken(name, token_id=same_name.id)
    secret = "ivrg_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, kind="api", name=name, token_hash=digest(secret), expires_at=expires_at,
                     role=wanted.label, sees_personal_data=sees_personal_data)  # fmt: skip
    session.add(token)
    session.flush()
    return IssuedSecret(token.id, secret)


def _role_above(wanted: Role, own: Role) -> list[dict[str, Any]]:
    """The problem with a token asked for with a role above its user's, if it is."""
    if wanted <= own:
        return []
    allowed = ", ".join(r.label for r in Role if r <= own)
    message = f"a token cannot have a role above yours ({own.label}): choose one of {allowed}"
    params = {"role": wanted.label, "own_role": own.label}
    return [{"path": "$.role", "code": "token_role_above_yours", "params": params, "message": message}]


def _personal_data_above(asked: bool | None, role: Role, user: User) -> list[dict[str, Any]]:
    """The problem with a token asked to read personal data its user reads masked, or an admin token asked not to
    read it (as for a user, `_admin_sees`: the admin's pages show it whole), if it is either. None asks for
    neither: the token reads as its user."""
    if asked is True and not reads_personal_data(user):
        message = "a token cannot read personal data you read masked: leave sees_personal_data out or false"
        return [{"path": "$.sees_personal_data", "code": "token_personal_data_above_yours", "message": message}]
    if asked is False and role is Role.ADMIN:
        message = "an admin token always reads personal data: give the token a lower role to take it away"
        return [{"path": "$.sees_personal_data", "code": "admin_sees_personal_data", "message": message}]
    return []


def _held_user(session: Session, user_id: int) -> User:
    """The user, held until the transaction ends (FOR UPDATE, or SQLite's writer lock): two tokens of one name made
    at once by one user are checked one after the other, and the second is refused."""
    if session.get_bind().dialect.name == "sqlite":
        hold_sqlite_writes(session, User)
        return get_user(session, user_id=user_id)
    user = session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("user", user_id)
    return user


def _expiry(expires_at: datetime | None, *, max_lifetime: timedelta | None, now: datetime) -> datetime | None:
    """When a token asked to expire at `expires_at` does: at most `max_lifetime` from `now` (None: no limit)."""
    if max_lifetime is None:
        return expires_at
    latest = now + max_lifetime
    if expires_at is None:
        return latest
    if expires_at > latest:
        days = max_lifetime.days
        message = (
            f"a token may work for at most {days} days: expires_at must be {latest.isoformat(timespec='seconds')} "
            "or earlier (leave it out for the longest allowed)"
        )
        params = {"max_days": days, "latest": latest.isoformat(timespec="seconds")}
        raise InvalidApiToken([{"path": "$.expires_at", "code": "token_lifetime_too_long", "params": params,
                                "message": message}])  # fmt: skip
    return expires_at


def _live_token_named(session: Session, *, user_id: int, name: str, now: datetime) -> ApiToken | None:
    """The user's API token named `name` (exactly: `CI` and `ci` are told apart) that works at `now`. A revoked
    token is deleted; an expired one stays listed until it is revoked, but no longer works."""
    live = or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)
    query = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.kind == "api", ApiToken.name == name, live)
    return session.scalars(query.order_by(ApiToken.id)).first()


def token_role(token: ApiToken, *, user_role: str) -> Role:
    """What a token may do now: its own role, capped by its user's current one, so that demoting a user demotes
    their tokens at once. A token without a role (a session, or an API token made before tokens had roles) acts
    with the user's role."""
    current = Role.parse(user_role)
    return current if token.role is None else min(Role.parse(token.role), current)


def acting_role(token: ApiToken) -> Role:
    """`token_role` with its user's current role (loaded with the token's user)."""
    return token_role(token, user_role=token.user.role)


def token_reads_personal_data(token: ApiToken, user: User) -> bool:
    """Whether a token reads personal data unmasked now: while its user may, and not if it was made without it. A
    token without a say of its own (a session, one made without saying, or one made before 0025) reads as its
    user."""
    return reads_personal_data(user) and token.sees_personal_data is not False


def list_api_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.kind == "api").order_by(ApiToken.id)
    return list(session.scalars(query))


def revoke_token(session: Session, *, user_id: int, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.kind != "api":
        raise NotFound("token", token_id)
    session.delete(token)


def end_session(session: Session, *, secret: str) -> None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is not None:
        session.delete(token)


def resolve(session: Session, *, secret: str, kind: str, now: datetime | None = None) -> Principal:
    """The principal behind a session cookie or bearer token; `InvalidCredentials` when unknown, expired or its user
    is deactivated. Its role is read now, at every use: a token's own role capped by the user's current one."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.kind == kind)
    ).first()
    if row is None:
        raise InvalidCredentials()
    token, user = row
    if not user.active or (token.expires_at is not None and token.expires_at <= now):
        raise InvalidCredentials()
    # Touch at most once a minute: a busy integration should not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    # Personal data: the user's permission now AND the token's own (a wallboard's token made without it reads
    # masked though its admin reads whole; a user losing the permission takes it from every token of theirs).
    return Principal(
        user.id,
        user.username,
        token_role(token, user_role=user.role),
        token.csrf_token,
        sees_personal_data=token_reads_personal_data(token, user),
    )


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    username: str
    generated_password: str | None  # set when we invented it: print it once


def ensure_admin(session: Session, *, username: str | None, password: str | None) -> BootstrapResult | None:
    """On first start (no users yet) create an admin from the given credentials or a generated password."""
    if count_users(session) > 0:
        return None
    name = username or "admin"
    generated = None if password else secrets.token_urlsafe(12)
    create_user(session, username=name, password=password or generated or "", role="admin")
    return BootstrapResult(name, generated)
