"""Errors of the persistence layer. The API maps each to one HTTP status in a single exception handler.

PersistenceError
 ├── NotFound                 no row with that key (scenario, version, user, call, data source...)
 ├── Conflict                 the request collides with the stored state
 │    ├── AlreadyExists       the slug / username / name is taken
 │    │    ├── SlugTaken       an import's slug is taken; names the option to replace that scenario's draft
 │    │    ├── UsernameTaken   a user has the name, whatever its case; names that user
 │    │    └── TokenNameTaken  the maker has a live API token of that name; names it
 │    ├── LastAdmin           the change would leave no active admin
 │    ├── StaleRevision       the draft changed since the client read it; carries the current one
 │    ├── PublishedMeanwhile  another publish of the scenario landed first (SQLite has no row lock)
 │    ├── InUse               the row is referred to (Go To Scenario, pending callback); names who refers
 │    ├── KeyReused           an Idempotency-Key sent again with another request (body or endpoint)
 │    ├── NotCancellable      a callback job being dialled or over; carries its status
 │    └── CampaignStopped     a pause or resume of a campaign stopped for good; names it
 ├── Refused                  the data is understood but not acceptable
 │    ├── InvalidDocument     the document breaks the format's structure; carries JSON paths
 │    │    └── RequestRefused  a request refused for what it holds, said in words (not the format's fault)
 │    │         ├── InvalidCallList   a call list (file or rows) cannot be called; names each bad client
 │    │         ├── InvalidCallback   a callback's window, or its scenario, rules it out
 │    │         ├── InvalidDataSource a data source's name or URL cannot be used
 │    │         └── InvalidApiToken   an API token's role above its maker's, or a life past the limit
 │    └── PublishBlocked      validation errors or failing scenario tests; carries both
 ├── InvalidCredentials       wrong username/password or unknown token
 └── WrongPassword            a signed-in user's own change without their current password
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any


class PersistenceError(Exception):
    """Base of every error raised by persistence."""


class NotFound(PersistenceError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} does not exist")
        self.kind = kind
        self.key = key


class Conflict(PersistenceError):
    """The request collides with the stored state. `problems` name what of the request collides as a refusal's do
    (a JSON path, a stable `code` and its `params`); empty where the kind says it all."""

    problems: Sequence[Mapping[str, Any]] = ()


class NothingToPublish(Conflict):
    def __init__(self, slug: str, version: int) -> None:
        super().__init__(f"nothing to publish: calls to {slug!r} already run this document as version {version}")
        self.version = version


class AlreadyExists(Conflict):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} already exists")
        self.kind = kind
        self.key = key


class SlugTaken(AlreadyExists):
    """An imported scenario's slug is another scenario's already. The file may be the next draft of that scenario
    (moved from staging: the dialplan dials the slug, so a copy under another one would never answer), or a copy:
    the message names both ways, and `name` is the imported scenario's, for a client to name a copy after it."""

    def __init__(self, slug: str, *, name: str) -> None:
        super().__init__("scenario", slug)
        self.args = (
            f"scenario {slug!r} already exists: send replace_draft=true to make this document its draft (its "
            "published versions stay; the next publish makes it live), or another slug to import it as a copy",
        )
        self.name = name


class UsernameTaken(AlreadyExists):
    """A user has the name already, or one that differs from it in case only: user names are one whatever their
    case (persistence.users). Names that user as stored, whose sign-in the new name would also be."""

    def __init__(self, username: str, *, existing_username: str, existing_id: int) -> None:
        super().__init__("user", username)
        if existing_username != username:
            self.args = (
                f"user {username!r} already exists as {existing_username!r}: user names are the same whatever "
                "their case",
            )
        params = {"username": username, "existing_username": existing_username, "existing_id": existing_id}
        self.problems = [{"path": "$.username", "code": "username_taken", "message": str(self), "params": params}]


class TokenNameTaken(AlreadyExists):
    """The maker has a live API token (not revoked, not expired) of that name: two in a list could not be told
    apart, nor the right one revoked. Names that token."""

    def __init__(self, name: str, *, token_id: int) -> None:
        super().__init__("API token", name)
        self.args = (
            f"you have an API token named {name!r} already (id {token_id}): choose another name, or revoke that "
            "token first",
        )
        params = {"name": name, "token_id": token_id}
        self.problems = [{"path": "$.name", "code": "token_name_taken", "message": str(self), "params": params}]


class LastAdmin(Conflict):
    """Demoting or deactivating the last active admin: nobody could manage users any more. `path` is the field that
    would do it, `$.role` or `$.active`."""

    def __init__(self, username: str, *, path: str) -> None:
        super().__init__("the last active admin cannot be demoted or deactivated: make another admin first")
        params = {"username": username}
        self.problems = [{"path": path, "code": "last_admin", "message": str(self), "params": params}]


class StaleRevision(Conflict):
    def __init__(
        self,
        slug: str,
        *,
        current_revision: int,
        document: Mapping[str, Any],
        scenario_created_at: datetime | None = None,
    ) -> None:
        super().__init__(
            f"the draft of {slug!r} was changed by someone else (now at revision {current_revision}); "
            "reload it and apply your change again"
        )
        self.current_revision = current_revision
        self.document = document
        # With the revision, names the draft there is now (persistence.scenarios.save_draft says why).
        self.scenario_created_at = scenario_created_at


class PublishedMeanwhile(Conflict):
    def __init__(self, slug: str, version: int) -> None:
        super().__init__(
            f"another publish of {slug!r} landed first as version {version}; reload the scenario and publish again"
        )
        self.version = version


class InUse(Conflict):
    def __init__(self, kind: str, key: object, referred_by: Sequence[str]) -> None:
        super().__init__(f"{kind} {key!r} is still used by: {', '.join(referred_by)}")
        self.referred_by = list(referred_by)


class KeyReused(Conflict):
    """The key came with another request than the one it was first sent with (another body or endpoint)."""

    def __init__(self, key: str, endpoint: str) -> None:
        super().__init__(
            f"the Idempotency-Key {key!r} was used for another request ({endpoint}) within 24 hours: send a new key "
            "for a new request"
        )


class NotCancellable(Conflict):
    """A job that is not waiting: being dialled now (that call goes on), or over. `status` is its status now, for
    a client retrying a cancel to tell its first try's success (`cancelled`) from a late one without the words."""

    def __init__(self, job_id: str, status: str) -> None:
        if status == "dialing":
            reason = "is being dialled now: the call is in progress and goes on; cancel it again after this attempt, "
            reason += "before its retry"
        else:
            reason = f"is already {status}: only a waiting job is cancelled"
        super().__init__(f"callback job {job_id!r} {reason}")
        self.job_id = job_id
        self.status = status


class CampaignStopped(Conflict):
    """A pause or a resume of a campaign that was stopped (`POST .../cancel`): its clients waiting were cancelled
    for good, so there is nothing left to hold, and nothing a resume could call again."""

    def __init__(self, campaign_id: str, *, action: str) -> None:
        super().__init__(
            f"campaign {campaign_id!r} was stopped: its clients not yet called were cancelled for good, so it cannot "
            f"be {action}d; import the clients again as a new list to call them"
        )
        params = {"campaign_id": campaign_id, "action": action}
        self.problems = [{"path": "$", "code": "campaign_stopped", "message": str(self), "params": params}]


class Refused(PersistenceError):
    """The data is understood but not acceptable."""


class InvalidDocument(Refused):
    def __init__(self, problems: Sequence[Mapping[str, Any]]) -> None:
        first = problems[0] if problems else {"path": "$", "message": "invalid"}
        super().__init__(f"the document breaks the scenario format: {first['path']}: {first['message']}")
        self.problems = [dict(problem) for problem in problems]


class RequestRefused(InvalidDocument):
    """A request refused for what it holds, with problems named as a document's are (path and message), and a
    message that says what could not be done instead of blaming the scenario format. A problem may carry a stable
    `code` and its `params` too (a call list's do); the API gives one without them a generic code."""

    refusal = "the request cannot be carried out"

    def __init__(self, problems: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(problems)
        first = self.problems[0] if self.problems else {"path": "$", "message": "invalid"}
        self.args = (f"{self.refusal}: {first['message']}",)


class InvalidCallList(RequestRefused):
    """A call list that cannot be called: its problems name the file's fault or each bad client."""

    refusal = "the call list cannot be called"


class InvalidCallback(RequestRefused):
    """A callback job that cannot be scheduled: its window, or a scenario that is not published."""

    refusal = "the callback cannot be scheduled"


class InvalidDataSource(RequestRefused):
    """A data source's settings that cannot be saved: its name or URL."""

    refusal = "the data source cannot be saved"


class InvalidApiToken(RequestRefused):
    """An API token that cannot be made: a role above its maker's (a token never does more than its user), or an
    expiry past the longest a token may work (IVRGRAPH_TOKEN_MAX_DAYS)."""

    refusal = "the token cannot be made"


class PublishBlocked(Refused):
    def __init__(self, *, problems: Sequence[Mapping[str, Any]], tests: Sequence[Mapping[str, Any]]) -> None:
        failed = [test for test in tests if not test.get("passed", False)]
        errors = [problem for problem in problems if problem.get("severity") == "error"]
        super().__init__(f"publishing is blocked: {len(errors)} validation error(s), {len(failed)} failing test(s)")
        self.problems = [dict(problem) for problem in problems]
        self.tests = [dict(test) for test in tests]


class InvalidCredentials(PersistenceError):
    def __init__(self) -> None:
        super().__init__("wrong username or password")


class WrongPassword(PersistenceError):
    """A signed-in user's own password change that did not give their current password. Not a 401: they are
    still signed in, and a client must not take it for an expired session."""

    def __init__(self) -> None:
        super().__init__("the current password is wrong")
        self.problems = [{"path": "$.current_password", "code": "wrong_current_password", "message": str(self)}]
