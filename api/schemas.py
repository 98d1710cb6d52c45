"""Request and response bodies (pydantic): the contract the designer's generated client is built from."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic reads typing's own only from Python 3.12

from blocks.builtin.sql import SOURCE_NAME_PATTERN
from graph_engine.channel import TRANSFER_OUTCOMES
from persistence.phone_numbers import phone_number
from persistence.scenarios import SLUG_PATTERN
from persistence.users import ROLE_NAMES

# No NUL: PostgreSQL text cannot hold it, so it is refused at the door with a 422 instead of failing later.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=5000)]
Name = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,100}$")]
Password = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=8, max_length=200)]
RoleName = Literal["viewer", "editor", "publisher", "admin"]
Document = dict[str, Any]
FIRST_YEAR, LAST_YEAR = 1900, 9000


def in_calendar(moment: datetime) -> datetime:
    """Moments are stored in UTC, and one at the calendar's very ends (year 1 at +01:00, 9999-12-31 at -05:00)
    has no UTC form: converting it failed deep in the database layer as a 500. No call or callback is that far."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment


_NUMERIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def no_unix_time(value: object) -> object:
    """Pydantic reads a number, or a string of digits, as Unix time: `since=20261206` (a date without its dashes)
    was 1970-08-23 and listed every call, and a callback `"due": 20261210` was rung at once (review, 2026-12-06).
    Nobody writes a moment so in a form or a CRM field: refused, naming the form wanted."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMERIC.fullmatch(value.strip())):
        raise PydanticCustomError(
            "datetime_number",
            "a number is not read as a date-time (nor as Unix time): write an ISO 8601 date-time such as "
            "2026-12-06T09:00:00+01:00",
        )
    return value


# A moment in a request: with its UTC offset, within `in_calendar`'s years, never a number.
Moment = Annotated[AwareDatetime, BeforeValidator(no_unix_time), AfterValidator(in_calendar)]
# A moment that may come without an offset (then the endpoint says how it reads it); never a number either.
LooseMoment = Annotated[datetime, BeforeValidator(no_unix_time), AfterValidator(in_calendar)]

assert set(ROLE_NAMES) == {"viewer", "editor", "publisher", "admin"}


class RequestModel(BaseModel):
    """Every request body's base: a field it does not know is refused (422 naming it, `$.scope`), never ignored.
    Ignored, a misspelt `scope` gave an admin's token instead of a viewer's, a misspelt `revison` dropped the
    stale-draft guard of a publish, and `is_active: false` left a user active (review, 2026-12-06)."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details; extra members depend on the problem (see each endpoint)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str


class ProblemItem(BaseModel):
    """One thing wrong in a refused request or document. Some carry more (a scenario's `node` and `severity`)."""

    model_config = ConfigDict(extra="allow")
    path: str = Field(description="JSON path of what is wrong: $.number, $.rows[3].phone, $.nodes[2].config.text")
    message: str = Field(description="In English, for people; a client tells problems apart by `code`.")
    code: str = Field(
        description="Stable, snake_case. A request the schema refuses (`invalid-request`): pydantic's error type "
        "(missing, extra_forbidden, string_too_long, ...). A callback or call list refused: the call list codes "
        "(emergency_number, impossible_number, not_published, not_a_date, ..., and a job's window_ends_first, "
        "due_past, hours_never_open, unknown_timezone). A scenario's structure: structure. A search by a caller's "
        "name for a user who reads names masked: personal_data_hidden (403). Users and tokens: "
        "username_taken (409, with "
        "existing_username and existing_id), last_admin (409), admin_sees_personal_data, token_name_taken (409, "
        "with token_id), token_role_above_yours, token_personal_data_above_yours, token_lifetime_too_long, "
        "token_expiry_past, and "
        "wrong_current_password (403). Others without a code of their own: the problem's type in snake_case "
        "(request_refused, ...)."
    )
    params: dict[str, Any] | None = Field(
        default=None, description="The values `message` is built from (value, reason, max_length...), by name."
    )


class RefusalProblem(Problem):
    """A 400 or 422 problem; `problems` lists each thing wrong when there are several to name."""

    problems: list[ProblemItem] | None = None


class ScenarioReferrer(BaseModel):
    """A scenario with a block naming the one being deleted (Go To Scenario, Callback)."""

    kind: Literal["scenario"]
    slug: str
    name: str
    where: Literal["draft", "published", "both"] = Field(
        description="Which of its documents names it: its draft, its published version (what its calls run), or both."
    )


class CallbacksReferrer(BaseModel):
    """The callback jobs waiting to ring clients into the scenario being deleted (pending, or being dialled)."""

    kind: Literal["callbacks"]
    count: int = Field(ge=1)


Referrer = Annotated[ScenarioReferrer | CallbacksReferrer, Field(discriminator="kind")]


class ConflictProblem(Problem):
    """A 409 problem. Its `type` tells which: stale-revision, published-meanwhile, nothing-to-publish, in-use,
    already-exists, idempotency-key-reused (an Idempotency-Key sent again with another request), job-not-cancellable
    (with `job_status`), or conflict for any other. `problems` names what collided where there is a field to name
    (a user name taken: `username_taken`; the last admin: `last_admin`; a token's name: `token_name_taken`)."""

    problems: list[ProblemItem] | None = None
    referred_by: list[str] | None = Field(
        default=None,
        description='in-use: who still needs it, in English words ("scenario sales", "3 pending callback(s)"). A '
        "scenario's refused delete has them as data in `referrers` too.",
    )
    referrers: list[Referrer] | None = Field(
        default=None,
        description="in-use of a scenario delete: who still needs the scenario, as data to say in any language: "
        "each scenario naming it (`kind` scenario, by slug, with where it names it), then the callback jobs "
        "waiting to ring into it (`kind` callbacks, their count; left out when there are none).",
    )
    job_id: str | None = Field(default=None, description="job-not-cancellable: the job asked to be cancelled.")
    job_status: str | None = Field(
        default=None,
        description="job-not-cancellable: the job's status now, one of a job's `status` but `pending`: `dialing` "
        "(the call goes on; cancel again before its retry), `done`, `failed`, `expired` or `cancelled`; "
        "`cancelled` tells a retried cancel that its first try went through.",
    )


class TooLargeProblem(Problem):
    """A 413 `payload-too-large`: the request's body is over the limit every operation has (the largest audio
    upload and its form), or the smaller one of an operation whose body is a few fields (sign-in, a password change,
    a new API token or user), refused before it is read whole."""

    limit_bytes: int = Field(description="The most a request's body may hold, in bytes.")


# -- auth and users ----------------------------------------------------------------------------


_SEES_PERSONAL_DATA = (
    "Reads callers' and clients' personal data unmasked: phone numbers, CallerID names, a call's variables, keys "
    "and trace, callback jobs' variables, the columns of a call list's report. Without it they are masked "
    "(`+34*******56`, `[hidden]`, `[hidden: 4 characters]`), whatever the role. An admin always has it; its API "
    "tokens read it from the user at every use."
)


class UserPublic(BaseModel):
    id: int
    username: str
    role: RoleName
    active: bool = True
    sees_personal_data: bool = Field(default=False, description=_SEES_PERSONAL_DATA)


class LoginIn(RequestModel):
    username: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=100)]
    password: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=200)]


class PasswordChange(RequestModel):
    current_password: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=200)]
    new_password: Password
    revoke_tokens: bool = Field(
        default=False,
        description="Also revoke every API token of yours (a password that leaked may have made some). Left out: "
        "they keep working, as integrations need.",
    )


class SessionOut(BaseModel):
    user: UserPublic
    csrf_token: str | None = Field(description="Send it back as X-CSRF-Token on unsafe requests (cookie sessions).")
    token: TokenPublic | None = Field(
        default=None,
        description="GET /api/auth/me with an API token: that token (its id, name, role, whether it reads personal "
        "data, and `expires_at`: when to make the next one). Null for a signed-in session.",
    )


class PasswordChanged(SessionOut):
    tokens_revoked: int = Field(description="How many of your API tokens the change revoked (`revoke_tokens`)")
    tokens_live: int = Field(description="How many of your API tokens still work (not revoked, not expired)")


class UserCreate(RequestModel):
    username: Username
    password: Password
    role: RoleName = "viewer"
    sees_personal_data: bool | None = Field(
        default=None,
        description="Whether the user reads personal data unmasked. Left out: an admin does, any other role does not "
        "(give it to whoever needs it). An admin without it is refused (422 naming `$.sees_personal_data`).",
    )


class UserUpdate(RequestModel):
    role: RoleName | None = None
    password: Password | None = None
    active: bool | None = None
    sees_personal_data: bool | None = Field(
        default=None,
        description="Give or take away reading personal data unmasked; left out, it stays as it is (a user made an "
        "admin is given it). An admin cannot be without it (422 naming `$.sees_personal_data`).",
    )


class TokenCreate(RequestModel):
    name: Name
    expires_at: Moment | None = Field(
        default=None,
        description="When the token stops working: in the future, at most IVRGRAPH_TOKEN_MAX_DAYS (90 unless set) "
        "from now; a moment already past, or later, is refused (422 naming `$.expires_at`). Left out: that longest "
        "time.",
    )
    role: RoleName | None = Field(
        default=None,
        description="The most the token may do: your own role or one below it (default: your role as it is now).",
    )
    sees_personal_data: bool | None = Field(
        default=None,
        description="Whether the token reads callers' and clients' personal data (numbers, names, a call's "
        "variables) unmasked, and only while you may. False: masked, whatever you read (a wallboard, a BI pull). Left "
        "out: as you do at each use, as tokens did before they had a say (the designer sends false unless ticked). "
        "True when you read it masked is refused (422 naming `$.sees_personal_data`, code "
        "`token_personal_data_above_yours`), as is false for an admin token (code `admin_sees_personal_data`).",
    )


class TokenPublic(BaseModel):
    id: int
    name: str
    role: RoleName = Field(
        description="What the token may do now: the role it was made with, or its user's current role when that is "
        "lower (a demoted user's tokens are demoted with them). A token made before tokens had a role of their own "
        "acts with its user's role."
    )
    sees_personal_data: bool = Field(
        description="Whether the token reads personal data unmasked now: its user may, and it was not made without it "
        "(one made without saying, or before tokens had a say, reads as its user)."
    )
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="The secret. Shown once; only a digest is stored.")


# -- blocks ------------------------------------------------------------------------------------


class ExitsIn(RequestModel):
    config: dict[str, Any] = Field(default_factory=dict)


class ExitsOut(BaseModel):
    exits: list[str]


class BrokenPlugin(BaseModel):
    """A block plugin installed but left out as the server loaded it: none of its blocks is in the catalog."""

    plugin: str = Field(description="The plugin: its entry point, and the distribution it comes from when known")
    reason: str = Field(description="What is wrong with it, e.g. `cannot be imported: ModuleNotFoundError: ...`")
    type: str | None = Field(
        description="The block type it would have provided, which no installed block provides now: scenarios "
        "using it fail validation. Null when another block has that type name (e.g. a built-in's)."
    )


class BlockReadiness(BaseModel):
    """Whether this server can run a block (graph_engine.block.BlockType.readiness), whatever its config."""

    ready: bool = Field(
        description="False when this server's plugin services leave the block unable to run here (a gateway not "
        "configured, say): publishing a scenario that uses it is refused (`block_not_ready`), and a call reaching "
        "it takes its `error` exit. True on a server that does not ask (no plugin services built)."
    )
    reasons: list[str] = Field(
        description="Why it cannot run here, for an administrator, e.g. `the SMS gateway is not configured: set "
        "IVRGRAPH_SMS_GATEWAY_URL`; empty when it is ready"
    )


class BlockTexts(TypedDict, total=False, extra_items=str):
    """A block's texts in one language of the designer (graph_engine.block.BlockType.translations): its `title` and
    `description`, and by key `fields.<name>.title`, `fields.<name>.description`, `fields.<name>.enum.<value>` (a
    choice's name), `exits.<name>` (an exit's label) and `issues.<code>` (a `check` problem's message, `{param}`
    filled from its params); graph_engine/translations.py."""

    title: str
    description: str


class BlockCatalogEntry(BaseModel):
    """A block as the designer builds its palette and forms from it: `type`, `title`, `config_schema`,
    `exit_rules`... (graph_engine.block.BlockType.describe, and the `plugin` it comes from), and its readiness."""

    model_config = ConfigDict(extra="allow")  # the rest of `describe()`, which plugins' blocks shape alike

    type: str = Field(description="The block type: what a node's `type` names")
    readiness: BlockReadiness = Field(description="Whether this server can run the block, and if not why")
    translations: dict[Literal["en", "es", "ru"], BlockTexts] = Field(
        default_factory=dict,
        description="The block's texts in the designer's languages (its title and description, its fields' titles, "
        "help and choice names, its exits' labels, its problems), as its plugin gives them "
        "(`BlockType.translations`, docs/blocks.md); a text missing is the English one. The built-ins give their "
        "titles (and the IVR menu its prompts' titles), which exports name them by too; their other words are the "
        "designer's own.",
    )


# -- scenarios ---------------------------------------------------------------------------------


class Issue(BaseModel):
    severity: Literal["error", "warning"]
    code: str
    message: str
    node: str | None = None
    path: str = "$"
    params: dict[str, str | int] = Field(
        default_factory=dict,
        description="The values the message is built from, by stable name (label, exit, variable, limit...), "
        "so a client can say it in another language; see docs/scenario-format.md.",
    )


class ScenarioSummary(BaseModel):
    slug: str
    name: str
    description: str
    draft_revision: int
    updated_at: datetime
    updated_by: str
    latest_version: int | None
    missing_block_types: list[str] = Field(
        description="Block types the live version (`latest_version`) uses that are not installed on this server "
        "(a plugin uninstalled, or left out as broken), sorted: its calls fail at those blocks. Empty when every "
        "type is installed, or nothing is published"
    )


class ScenarioList(BaseModel):
    items: list[ScenarioSummary]
    total: int


class ResultName(BaseModel):
    """A declared call result as a picker offers it: the code calls record, the words reports show for it."""

    code: str
    label: str


class ScenarioName(BaseModel):
    """A scenario as a picker offers it: no document, no draft."""

    slug: str
    name: str
    latest_version: int | None = Field(description="Its published version (the live one); null while unpublished")
    results: list[ResultName] = Field(
        default_factory=list,
        description="The call results its published version declares (the document's `results`), in its order: "
        "what the call register's answer filter offers. Empty while unpublished, or when it declares none.",
    )


class ScenarioCreate(RequestModel):
    slug: Slug
    name: Name
    document: Document | None = Field(default=None, description="A scenario document; a blank one when omitted.")


class ScenarioImport(RequestModel):
    slug: Slug | None = Field(
        default=None,
        description="Defaults to the slug the export names (`document.meta.exported_from.slug`); one of the two "
        "is needed.",
    )
    name: Name | None = Field(
        default=None, description="Defaults to the name the export names, else the document's name."
    )
    document: Document
    replace_draft: bool = Field(
        default=False,
        description="When the slug is taken: make the document that scenario's draft (its published versions "
        "stay; the next publish makes it live). Without it a taken slug is a 409 naming the slug.",
    )


class ScenarioRename(RequestModel):
    name: Name


class ScenarioDuplicate(RequestModel):
    slug: Slug
    name: Name


class Draft(BaseModel):
    document: Document
    revision: int
    updated_at: datetime
    updated_by: str
    scenario_created_at: datetime = Field(
        description="When the scenario was created. With `revision` it names this draft: send both back, as "
        "received, when saving or publishing it, so that a scenario deleted and created again under the same "
        "slug (whose revisions start at 1 again) is not taken for the one you opened."
    )


class ScenarioDetail(BaseModel):
    slug: str
    name: str
    description: str
    draft: Draft
    latest_version: int | None


class ImportedRecording(BaseModel):
    id: str
    name: str
    outcome: Literal["restored", "already_there"] = Field(
        description="`restored`: stored under its own id; `already_there`: this installation had the same audio "
        "under that id"
    )


class ScenarioImported(ScenarioDetail):
    replaced_draft: bool = Field(description="The slug was taken and the document is now that scenario's draft")
    recordings: list[ImportedRecording] = Field(
        default_factory=list, description="The recordings a bundle brought, each under the id its prompts name"
    )


# What a client sends back to name the draft it holds (`Draft.scenario_created_at`); optional, so clients that
# send the revision alone keep working (persistence.scenarios.save_draft says why the stamp).
ScenarioStamp = Annotated[
    Moment | None,
    Field(
        description="The `scenario_created_at` of the draft this request started from, as received. Send it: "
        "without it, only `revision` is checked, and a scenario deleted and created again since is not noticed."
    ),
]


class DraftUpdate(RequestModel):
    """The draft as `Draft` reads it may be sent back whole, its document changed (a PUT of what a GET gave, as
    integrations and our own tests do): its two read-only fields are taken and ignored, any other field refused."""

    revision: int = Field(ge=1, le=2**31 - 1, description="The draft revision this edit started from.")
    scenario_created_at: ScenarioStamp = None
    document: Document
    updated_at: Moment | None = Field(
        default=None, description="Ignored (the server sets it): `Draft.updated_at`, sent back as received."
    )
    updated_by: Text | None = Field(
        default=None, description="Ignored (the server sets it): `Draft.updated_by`, sent back as received."
    )


class DraftSaved(BaseModel):
    revision: int = Field(
        description="The draft's revision now: the next one, or the one sent when the document sent is the draft "
        "stored already (key order aside), which saves nothing: no new revision, no `updated_at`."
    )
    problems: list[Issue] = Field(description="Validation problems; the draft saved regardless.")


class ValidateIn(RequestModel):
    # RequestModel refuses extras: a document posted without its {"document": ...} wrapper must not quietly
    # validate the stored draft instead.
    document: Document | None = Field(default=None, description="Validate this instead of the stored draft.")


class ValidateOut(BaseModel):
    problems: list[Issue]


class PublishIn(RequestModel):
    message: Text = ""
    revision: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The draft revision to publish: the one the publisher reviewed, which the last save "
        "returned. Send it: if the draft has moved on since (a colleague's save), the publish is refused with "
        "409 `stale-revision` and the current draft, as a save is, instead of publishing what someone else saved. "
        "Without it, the draft as stored when the request lands is published.",
    )
    scenario_created_at: ScenarioStamp = None
    despite_failing_tests: bool = Field(
        default=False,
        description="Publish even though tests fail (its own, or those of a scenario that continues in it): "
        "validation errors still block. Recorded, with each failing test, in the audit log and in the version's "
        "`validation_summary.despite_failing_tests`.",
    )


class RollbackIn(RequestModel):
    message: Text = ""
    despite_failing_tests: bool = Field(default=False, description="As for publishing (PublishIn)")
    reset_draft: bool = Field(
        default=False,
        description="Also make the rolled-back document the draft, so that the next publish does not ship the "
        "change rolled back again (the designer sends it). The draft replaced is recoverable: its revision comes "
        "back in `draft_reset`, its document in the `reset_draft` audit event (unless a published version holds it, or "
        "it is above 256 KB serialized: then only its size and hash; `draft_reset.replaced_kept` says which). "
        "Without it the draft stays as it is.",
    )
    revision: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="With `reset_draft`: the draft revision the client holds. If the draft has moved on since, the "
        "rollback is refused with 409 `stale-revision` (as a save is) and nothing is published. Without it, the "
        "draft stored when the request lands is the one replaced.",
    )
    scenario_created_at: ScenarioStamp = None


class TestStep(BaseModel):
    scenario: str | None = Field(description="The slug of the scenario a Go To Scenario took the call to; null for "
                                 "the tested scenario's own blocks")  # fmt: skip
    node: str
    exit: str | None = Field(description="The exit the block took; null where the call stopped in it")


class TestFailure(BaseModel):
    code: str = Field(description="Stable: docs/scenario-format.md lists the codes and their params")
    params: dict[str, Any] = Field(description="The values `text` is made of, to say it in another language")
    text: str = Field(description="In English, as in `failures`")


class TestOutcome(BaseModel):
    scenario: str | None = Field(default=None, description="The slug of the scenario the test belongs to: null for "
                                 "the published one's own, else one that continues in it by Go To Scenario, whose "
                                 "test ran with the document being published")  # fmt: skip
    name: str
    passed: bool
    failures: list[str] = Field(description="Why it failed, in English")
    # A factory, not a default, as `steps`: the designer's type has it optional (an older server sends none).
    failure_details: list[TestFailure] = Field(
        default_factory=list, description="`failures` as data, in their order: each one's code, params and text"
    )
    story: list[str]
    steps: list[TestStep] = Field(default_factory=list, description="The blocks the test call went through, in order")
    call: dict[str, Any] | None = Field(
        default=None,
        description="The test call's trace, as a test call's `result` (graph_engine.trace.CallResult as data): "
        "given by running the tests (POST /api/scenarios/{slug}/tests), null in a publish's outcomes and for a "
        "test that did not run",
    )
    # A factory, not a default, as `steps`: the schema then lists no default, so the designer's type has it optional.
    already_failing: bool = Field(
        default_factory=lambda: False,
        description="A publish's test of another scenario (`scenario` set) that fails with the live version of the "
        "published one too: this publish did not break it, so it is reported but does not block, and is no override "
        "of failing tests (the version's `validation_summary.already_failing` lists it). Never true for the "
        "published scenario's own tests",
    )


class ScenarioTestsIn(RequestModel):
    # As ValidateIn: an unwrapped document is refused (RequestModel), not ignored.
    document: Document | None = Field(
        default=None, description="Run this document's `meta.tests` on it instead of the stored draft's."
    )


class ScenarioTestsOut(BaseModel):
    tests: list[TestOutcome] = Field(description="One per test of `meta.tests`, in their order")
    total: int
    passed: int
    failed: int


class ShippedFailingTest(BaseModel):
    scenario: str = Field(description="The slug of the scenario the test belongs to: the published one, or one that "
                          "continues in it by Go To Scenario")  # fmt: skip
    test: str = Field(description="The test's name")
    failures: list[str] = Field(description="Its first failures (up to 3), in English")
    # A factory, as TestOutcome's: a version published before they were recorded has none (the designer's type says
    # it may be missing), and `failures` alone says why.
    failure_details: list[TestFailure] = Field(
        default_factory=list, description="`failures` as data, in their order: each one's code, params and text"
    )
    failure_count: int | None = Field(
        default=None,
        description="How many failures the test had in all, of which `failures` lists the first; null for a version "
        "recorded before the count was",
    )


@with_config(ConfigDict(extra="allow"))
class ValidationSummary(TypedDict, total=False):
    """What publishing a version found, as stored with it (persistence.publishing.publish): its counts and codes
    (`warnings`, `tests_passed`, `codes`...) as they are, and the tests a publisher published it despite."""

    despite_failing_tests: list[ShippedFailingTest]


class VersionSummary(BaseModel):
    number: int
    message: str
    created_at: datetime
    created_by: str
    rolled_back_to: int | None = Field(
        description="A rollback: the number of the version whose document this one published again (its `message`, "
        "when the publisher gave none, says so in English); null for a publish, and for a rollback stored before "
        "this field with a message of its publisher's.",
    )
    # A dict typed where a client reads it: only the keys a version was stored with are listed (no nulls added).
    validation_summary: ValidationSummary


class VersionDetail(VersionSummary):
    document: Document


class DraftReset(BaseModel):
    """What a rollback with `reset_draft` did to the draft."""

    revision: int = Field(description="The draft's revision now: send it with the next save")
    replaced_revision: int = Field(description="The revision of the draft replaced (its document is in the audit log)")
    replaced_kept: Literal["document", "version", "too_large"] = Field(
        default="document",
        description="What the `reset_draft` audit event keeps of the draft replaced: `document`, the document itself "
        "(`GET /api/audit/{id}`); `version`, nothing lost: it is a published version's document "
        "(`replaced_is_version`); `too_large`, above 256 KB serialized: only its size and SHA-256",
    )


class PublishOut(BaseModel):
    version: VersionSummary
    diff: dict[str, Any] = Field(description="Semantic diff against the previous version (graph_engine.diff).")
    tests: list[TestOutcome]
    problems: list[Issue] = Field(default_factory=list, description="Warnings (errors block publishing).")
    draft_reset: DraftReset | None = Field(
        default=None, description="A rollback's with `reset_draft`: the draft is the rolled-back document now"
    )


class DiffOut(BaseModel):
    from_version: int | None
    to_version: int | None = Field(description="None: the current draft")
    diff: dict[str, Any]


def _with_offset(moment: datetime) -> datetime:
    """A test call's moment: without its offset it was read as UTC, an hour or more off the moment meant."""
    if moment.utcoffset() is None:
        raise PydanticCustomError("datetime_without_offset", "needs a UTC offset, e.g. 2026-11-23T18:30:00+01:00")
    return moment


def _transfer_outcome(outcome: str) -> str:
    """A test call's transfer outcome: "bussy" was taken, and failed the Transfer block with a ValueError."""
    if outcome not in TRANSFER_OUTCOMES:
        raise PydanticCustomError(
            "transfer_outcome", "'{outcome}' is no transfer outcome; they are {outcomes}",
            {"outcome": outcome, "outcomes": ", ".join(TRANSFER_OUTCOMES)},
        )  # fmt: skip
    return outcome


class SimulateIn(RequestModel):
    # As ValidateIn: an unwrapped document is refused (RequestModel), not ignored.
    document: Document | None = Field(default=None, description="Simulate this instead of the stored draft.")
    keys: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list, max_length=500)
    # No made-up number by default (it was a Spanish one): a test call without a caller ID, as an anonymous call.
    caller_id: Annotated[str, StringConstraints(max_length=80)] = ""
    caller_name: Annotated[str, StringConstraints(max_length=80)] = ""
    at: Annotated[LooseMoment, AfterValidator(_with_offset)] | None = Field(
        default=None,
        description="The call's moment, with its UTC offset (2026-11-23T18:30:00+01:00); without it, Monday "
        "2026-01-05T10:00:00+00:00.",
    )
    variables: dict[str, Any] = Field(default_factory=dict)
    data_rows: dict[Annotated[str, StringConstraints(max_length=200)], list[dict[str, Any]]] = Field(
        default_factory=dict,
        max_length=200,  # as a scenario test's (graph_engine.scenario_test_format.MAX_DATA_ROWS_KEYS)
        description="The rows each data source returns, by its name; rows under `#id` (an SQL block's node id) are "
        "that block's own and win over its source's. At most 200 names, each of at most 200 characters.",
    )
    transfers: list[Annotated[str, StringConstraints(max_length=30), AfterValidator(_transfer_outcome)]] = Field(
        default_factory=list,
        max_length=100,
        description="Each Transfer's outcome in turn: answered, busy, no_answer or failed; one past them is answered.",
    )
    # A scenario test's `exits`, its `set` apart (graph_engine.scenario_test_reach.forced_exits checks both).
    exits: dict[Annotated[str, StringConstraints(max_length=200)], Annotated[str, StringConstraints(max_length=64)]] = (
        Field(
            default_factory=dict,
            max_length=200,
            description="The exit a block that does not run for real in a test call (a plugin's: an SMS, a CRM "
            "lookup) takes without running, by node id (`slug:id` in another scenario), as a scenario test's "
            "`exits`. An unknown node, a built-in block, an exit the block has not and an exit on which the block "
            "sets variables given neither in `set` nor in `variables` are refused (422 naming `$.exits[...]`).",
        )
    )
    forced_variables: dict[Annotated[str, StringConstraints(max_length=200)], dict[str, Any]] = Field(
        default_factory=dict,
        max_length=200,
        alias="set",
        description="The variables a block of `exits` sets as it leaves by its forced exit, by node id: a scenario "
        "test's `{'exit': ..., 'set': {...}}`. For a node whose exit is not forced, refused.",
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SimulateOut(BaseModel):
    result: dict[str, Any] = Field(description="graph_engine.trace.CallResult as data: steps, outcome, variables")
    story: list[str]
    callbacks: list[dict[str, Any]] = Field(default_factory=list)


# -- calls -------------------------------------------------------------------------------------

# A moment with its offset's + left as a space: `since=2026-12-07T00:00:00+01:00` written as is in a URL, where a
# query's + reads as a space. Pydantic's own 422 said only "unexpected extra characters".
_OFFSET_AS_SPACE = re.compile(r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}(?::?\d{2})?)")


def _no_offset_as_space(value: object) -> object:
    if isinstance(value, str) and (found := _OFFSET_AS_SPACE.fullmatch(value)):
        raise PydanticCustomError(
            "offset_plus_as_space",
            "a space where the UTC offset's + was (a + in a URL's query reads as a space): write the + as %2B, "
            "as in {written}, or leave the offset out and name the clock with tz (e.g. tz=Europe/Madrid)",
            {"written": f"{found[1]}%2B{found[2]}"},
        )
    return value


# A moment in a call-register query: without an offset it is read on the clock the route's `tz` names.
QueryMoment = Annotated[LooseMoment, BeforeValidator(_no_offset_as_space)]

# persistence.calls.STATUSES. `abandoned_waiting`: the caller hung up while a transfer rang or queued for an operator;
# `abandoned_in_menu`: before the scenario's end anywhere else, in a menu or not (its old code kept: stored, filtered).
CallStatus = Literal[
    "answered", "missed", "abandoned_in_menu", "abandoned_waiting", "transferred", "failed", "callback_scheduled"
]


_MASKED = "Masked for a user without `sees_personal_data`"

_RANG_BACK_FOR = (
    "The callback job this call rang back for: it is one of the job's attempts, placed by the dialer (a callback "
    "or a call list's client); null for a call that came in. Not the jobs the call scheduled: `scheduled_job_ids`"
)


# The words `hangup_during` records (agi_server.channel's operations; agi_server.walk_patrol's `block:` prefix).
_HANGUP_DURING = (
    "What the call was doing when the caller hung up: `answer`; `play`, a prompt; `read_digits`, a prompt that asks "
    "for keys (a menu's) or the wait for them; `transfer`, while it rang or queued or during the bridge; "
    "`get_variable` or `set_variable`, a channel variable read or set; `block:` and the block's type (`block:sql`, "
    "a database lookup) when the caller hung up while a block worked off the channel, the line silent (a lookup, a "
    "phrase being synthesised). Null when the caller did "
    "not hang up, or the line was lost on our side"
)


class CallSummary(BaseModel):
    id: str
    # In the list too, as `?uniqueid=` takes it: an integration matching CDRs read each call's detail (a review).
    asterisk_uniqueid: str = Field(
        description="Asterisk's UNIQUEID of the call's channel (`agi_uniqueid`), as its CDR and CEL show it: "
        "`?uniqueid=` finds the call by it. Empty for a call recorded before it was kept (migration 0009)"
    )
    scenario: str
    version: int | None
    caller_id: str = Field(description=f"Who called. {_MASKED}: `+34*******56`, the last two digits kept")
    caller_name: str = Field(description=f"Their CallerID name. {_MASKED}: `[hidden]` (empty stays empty)")
    dialed_number: str = Field(description=f"The number the call rang (a callback's client). {_MASKED}, as `caller_id`")
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_ms: int
    outcome: str
    result: str | None = Field(default=None, description="The `result` variable the flow recorded, if any")
    result_label: str | None = Field(
        default=None,
        description="What the call's scenario calls its `result` (the document's `results`), as the scenario's "
        "latest published version declares it; null when there is no result or it does not declare it",
    )
    status: CallStatus  # derived when the call is written: only ever one of these (persistence.calls.derive_status)
    last_node: str | None = Field(
        description="The id of the scenario's block the call was at when it ended (a step of the flow, as the "
        "trace names it), not a server: `node` names the FastAGI server that took the call"
    )
    # In the list too, as `?node=` takes it: which server took which calls, on several nodes (operations review).
    node: str = Field(
        description="The FastAGI server (node) that took the call: its `--node-id`, the host's name and FastAGI port "
        "by default. `?node=` finds its calls",
    )
    # In the list too: "where did callers hang up" took one call's detail per call (a supervisor's review).
    hangup_during: str | None = Field(default=None, description=_HANGUP_DURING)
    transfer_outcome: str | None = Field(
        default=None,
        description="What the call's last transfer came to: answered, busy, no_answer, failed, or caller_hangup "
        "(the caller hung up while it rang or queued); None when the call made no transfer",
    )
    origin_call_id: str | None = Field(
        description="For a call placed for a callback job: the call that scheduled the job (`GET /api/calls?"
        "origin_call_id=` lists the attempts of the jobs a call scheduled)"
    )
    recorded_at: datetime = Field(
        description="When the record was stored: as the call ended, or later when a node kept it while the "
        "database was away. `order=recorded` pulls in this order."
    )
    # A call's two links to callback jobs, named apart: a review took the one for the other.
    callback_job_id: str | None = Field(default=None, description=_RANG_BACK_FOR)
    scheduled_job_ids: list[str] | None = Field(
        default=None,
        description="The callback jobs this call asked for: those its Callback blocks scheduled, and one a request "
        "joined because a callback was already waiting for the number (`merged` in the trace), each once, in the "
        "order asked; [] when it asked for none. Null when not known: a call recorded before they were kept "
        "(migration 0022) whose trace retention had already stripped. `scheduled_job_id=` finds them",
    )
    error_steps: int | None = Field(
        default=None,
        description="How many of the call's steps took their block's error exit (a data source refusing its "
        "login, a scheduler down), whether the flow went on from there, by that exit or the scenario's fallback, "
        "or the call failed; 0 when none did. Null when not known (as `scheduled_job_ids`). `with_errors=` "
        "finds them",
    )


class CallDetail(CallSummary):
    channel: str = Field(
        description="Asterisk's channel name (`PJSIP/trunk-0000046b`), as its full log names it. "
        f"{_MASKED}: the numbers in it as `caller_id` (a Local channel names the number it dialled)"
    )
    error: str | None = Field(description=f"Why the call failed, in English. {_MASKED}: `[hidden: N characters]`")
    callback_job_id: str | None = Field(description=_RANG_BACK_FOR)
    campaign_id: str | None = Field(
        default=None,
        description="The campaign whose call list holds that callback job (`GET /api/callbacks?campaign=` lists its "
        "clients); null for a call placed for no campaign, and when its job is no longer kept",
    )
    campaign_name: str | None = Field(default=None, description="That campaign's name, as its list and reports show it")
    variables: dict[str, Any] = Field(
        description=f"The call's variables at its end. {_MASKED}: each value as the engine masks a sensitive one "
        "(`[hidden: 4 characters]`), a number as `caller_id`, `channel` as the field above; `call_id`, `language`, "
        "`channel_language` and `result` as they are"
    )
    trace: dict[str, Any] = Field(
        description=f"Every step: node, exit, keys, prompts, variables changed, events, error. {_MASKED}: the keys "
        "pressed, the texts said, the values set, what the events noted of the caller and the errors"
    )


class CallPage(BaseModel):
    items: list[CallSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page: older calls, None on the last page; with `order=recorded` "
        "records stored later, given on every page, the last included: where the next pull starts."
    )


# -- flow statistics ---------------------------------------------------------------------------
# persistence.path_counts: counted as the calls are recorded, by the UTC hour each call started.


class FlowStatsNode(BaseModel):
    node: str
    visits: int = Field(description="Steps at the node: a call that came back to it (a menu loop) counts each time")
    calls: int = Field(description="Calls that reached the node, each once")
    hangups: int = Field(description="Calls whose caller hung up at the node")
    ended: int = Field(
        description="Calls whose path on this canvas ended at the node; for a call that went on in another "
        "scenario, its Go To Scenario node"
    )


class FlowStatsExit(BaseModel):
    node: str
    exit: str
    visits: int = Field(description="Times a call left the node by this exit")
    calls: int = Field(description="Calls that left the node by this exit, each once")


class FlowStats(BaseModel):
    scenario: str
    version: int | None = Field(description="The version counted; None: every version of the scenario")
    since: datetime | None = Field(description="Calls started from this whole UTC hour; None: from the first")
    until: datetime | None = Field(description="... up to this whole UTC hour, not included; None: to the last")
    calls: int = Field(description="Calls counted")
    nodes: list[FlowStatsNode] = Field(description="Each node calls reached, by node id")
    exits: list[FlowStatsExit] = Field(description="Each exit calls took, by node id and exit")


# -- data sources and audit --------------------------------------------------------------------


class DataSourceCreate(RequestModel):
    name: Annotated[str, StringConstraints(pattern=SOURCE_NAME_PATTERN)]  # what the SQL block may name
    url: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=1, max_length=2000)] = Field(
        description="SQLAlchemy URL with credentials; stored, never returned."
    )
    read_only: bool = True
    description: Text = ""
    tries_allowed: bool | None = Field(
        default=None,
        description='Whether editors may "Try query" on it; by default when read-only (a writable source\'s '
        "account may read what editors should not)",
    )


class DataSourceUpdate(RequestModel):
    url: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=1, max_length=2000)] | None = None
    read_only: bool | None = None
    description: Text | None = None
    tries_allowed: bool | None = None


class DataSourcePublic(BaseModel):
    id: int
    name: str
    target: str = Field(description="Backend, host and database only: no user, password or options.")
    read_only: bool
    tries_allowed: bool = Field(description='Whether editors may "Try query" on it (an admin\'s choice)')
    description: str
    created_at: datetime
    updated_at: datetime


class DataSourceCheckRequest(RequestModel):
    url: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=1, max_length=2000)] = Field(
        description="SQLAlchemy URL with credentials, as it would be saved; never stored by a check."
    )


DataSourceCheckCode = Literal["unreachable", "auth_failed", "unknown_database", "driver_missing", "timeout", "bad_url"]


class DataSourceCheck(BaseModel):
    """Whether the URL reached its database (persistence.datasource_check): connected and ran a trivial query."""

    ok: bool
    code: DataSourceCheckCode | None = Field(
        default=None,
        description="Why not, when not ok: no server there (`unreachable`), login refused (`auth_failed`), no such "
        "database (or SQLite file) on it (`unknown_database`), no driver for the URL's scheme (`driver_missing`), "
        "no answer within the check's few seconds (`timeout`), not a usable URL (`bad_url`)",
    )
    server: str | None = Field(default=None, description="What answered, when ok: `MariaDB 10.11.19`")
    message: str = Field(description="The driver's own words when not ok (never the URL's password); empty when ok")
    elapsed_ms: int


class DataSourceSaved(DataSourcePublic):
    check: DataSourceCheck | None = Field(
        default=None,
        description="The connection check of the URL just saved, a warning only: a source is saved even when its "
        "database is down at the moment. Null when the URL did not change.",
    )


class DataSourceTryRequest(BaseModel):
    """A SQL block's query, tried once on a configured source with values typed for its `:params`."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=10000, description="As the block has it: `:name` for each value")
    params: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="A value for each `:name` of the query; bound, never written into the SQL"
    )


class DataSourceTryFailure(BaseModel):
    code: str = Field(
        description="`sql_try_not_allowed` (an admin has not allowed tries on the source, or there is no such "
        "source: the same answer), `sql_try_rate_limited` (`seconds` until the next), `sql_try_writes` (only a "
        "reading query is tried), `sql_try_unknown_statement` (the query's first word, `word`, is no SQL statement; "
        "`suggestion`: the SQL verb close to it, if any), `sql_try_params_missing` (`names`), or the "
        "SQL block's own: sql_query_failed (`detail`: the database's words), sql_query_refused, data_source_timeout, "
        "data_source_unreachable, data_source_login_refused, data_source_no_database, data_source_not_configured, ..."
    )
    params: dict[str, Any] = Field(
        description="What the words need: `source`, `detail`, `names`, `seconds`, `word`, `suggestion`"
    )
    message: str = Field(description="In English; the designer words `code` in the interface language")


class DataSourceTry(BaseModel):
    """What the query answered, or why it did not: every outcome is a 200, as a connection check's is."""

    ok: bool
    columns: list[str] | None = Field(
        default=None, description="The result's column names, from its first row: null when no row came back"
    )
    rows: list[dict[str, Any]] = Field(
        default_factory=list,
        description="At most 5; each value cut at 1,000 characters (`…(N more characters)`) and the whole answer at "
        "100,000",
    )
    failure: DataSourceTryFailure | None = None
    elapsed_ms: int


class AuditVia(BaseModel):
    token_id: int = Field(description="The API token's id, as GET /api/tokens lists it (and DELETE revokes it)")
    token_name: str = Field(description="Its name, as given when it was made")


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="The user who acted, whether signed in or with one of their API tokens")
    action: str
    target: str
    details: dict[str, Any] = Field(description="What the action did; `via` (as below) when taken with an API token")
    via: AuditVia | None = Field(
        default=None,
        description="The API token the action was taken with (its integration); null when the user was signed in "
        "(the designer), or for events recorded before tokens were named",
    )


class Health(BaseModel):
    status: str


# -- audio -------------------------------------------------------------------------------------


class AudioAssetOut(BaseModel):
    id: str
    name: str
    language: str
    media_name: str = Field(description="Put this in a prompt's `audio` field.")
    duration_ms: int | None
    format: str = Field(description="Container of the original upload")
    created_at: datetime


class AudioAssetList(BaseModel):
    items: list[AudioAssetOut]


class TtsPreviewIn(RequestModel):
    text: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", min_length=1, max_length=2000)]
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    voice: Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=100)] | None = None
    engine: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{1,40}$")] | None = None
    variables: dict[str, Any] = Field(
        default_factory=dict,
        description="Values for the names `text` reads, as a call would have them: the scenario's declared defaults "
        "and test values. `language` is the preview's `language` unless set here. A name read without a value is a "
        "422 `missing-variables` naming them in `missing_variables`.",
    )


class TtsPreviewText(BaseModel):
    text: str = Field(description="What the preview speaks: the template rendered with the values sent.")


# -- callbacks ---------------------------------------------------------------------------------

JobStatus = Literal["pending", "dialing", "done", "failed", "expired", "cancelled"]


def dialable(typed: str) -> str:
    """A number as people type it, to the form it is dialled in: the rule of a call list's rows (`phone_number`)."""
    number = phone_number(typed)
    if number is None:
        raise ValueError("not a phone number: + and 2 to 20 digits (spaces, dashes, dots, slashes, brackets dropped)")
    return number


PhoneNumber = Annotated[
    str,
    StringConstraints(max_length=80),
    AfterValidator(dialable),
    Field(
        description="As people type it, as a call list's rows: spaces, dashes, dots, slashes and brackets are "
        "dropped (`+34 600 111 222` is stored `+34600111222`); then `+` and 2 to 20 digits.",
        examples=["+34 600 111 222"],
    ),
]


# The zone a callback's or a call list's hours and holidays are read in: one declaration for both requests.
DialTimezone = Annotated[
    str | None,
    Field(
        pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$",
        max_length=64,
        description="IANA zone the hours and holidays are read in; none: this node's "
        "(IVRGRAPH_DIAL_DEFAULT_TIMEZONE, UTC unless set).",
    ),
]


class CallbackCreate(RequestModel):
    # RequestModel: a misspelt field (`window_ends`) is refused, not ignored.
    number: PhoneNumber
    scenario: Slug
    due: Moment = Field(
        description="When to call. A moment more than 5 minutes past is refused (422 naming `$.due`), as a wrong "
        "date would have the client rung at once; one within them is called now (clocks differ a little)."
    )
    window_end: Moment | None = Field(default=None, description="Give up dialing after this moment.")
    hours: list[OpeningHours] = Field(
        default_factory=list,
        max_length=50,
        description="Call only inside these hours, in `timezone`; a retry that would fall after they close moves "
        "to their next opening. None sent (or an empty list): this node's default hours "
        "(IVRGRAPH_DIAL_DEFAULT_HOURS, every day 09:00-21:00 unless set), never at night; the job answers the hours "
        "it keeps. To call at any time, send every day from 00:00 to 00:00.",
    )
    timezone: DialTimezone = None
    holidays: list[date] = Field(default_factory=list, max_length=400, description="Days without calls.")
    variables: dict[str, Any] = Field(
        default_factory=dict,
        description="Given to the scenario when answered. One its published version declares is converted to its "
        "type as a call list's cell is (a date `30.12.2026` is `2026-12-30`, a number `1 234,56` is 1234.56), and "
        "one that cannot be is refused (422, `$.variables.<name>`); others are kept as sent.",
    )
    max_attempts: int = Field(default=3, ge=1, le=20)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
ListCell = str | int | float | bool
MAX_LIST_ROWS = 20_000


class OpeningHours(RequestModel):
    """One row of opening hours, as the Callback block writes them (a range may cross midnight)."""

    model_config = ConfigDict(populate_by_name=True)  # and extras refused, as RequestModel's
    days: list[Weekday] = Field(min_length=1)
    from_: ClockTime = Field(alias="from")
    to: ClockTime


class CallListOut(BaseModel):
    """A call list file read into rows: a row's empty cells are left out."""

    columns: list[str]
    rows: list[dict[str, ListCell]]
    sheet: str | None = Field(description="The XLSX sheet read (the first); null for CSV.")
    row_numbers: list[int] = Field(
        default_factory=list,
        description="The row of the file each client was read from (the header and empty rows counted): send them "
        "with the rows to POST /api/callbacks/batch, and its problems name these rows.",
    )
    warnings: list[CallListProblem] = Field(
        default_factory=list,
        description="How the file was read, which does not stop it: a CSV that is not UTF-8 read as Windows-1251 "
        "(read_as_windows_1251), as a Russian Excel saves 'CSV (разделители — запятые)', or as Windows-1252 "
        "(read_as_windows_1252), as a Spanish, French or German Excel saves 'CSV'; slash dates read by the order "
        "the column or IVRGRAPH_DEFAULT_COUNTRY proves (slash_dates_read); an XLSX's cells holding formulas read as "
        "the values the file saved for them, once a column (formula_value_read, with `column` its letter, `row` "
        "the first, `count`).",
    )
    variables: list[ListVariableOut] = Field(
        default_factory=list,
        description="With `scenario`: what its published version reads from a list (`contact.name`, `debt_amount`), "
        "for the analyst to choose the column that fills each (CallbackBatchIn.columns). Empty without one.",
    )


class ListVariableOut(BaseModel):
    """What a scenario reads from a call list, which a column of the list may fill."""

    variable: str = Field(description="As the scenario reads it, as CallbackBatchIn.columns names it: contact.name.")
    column: str = Field(description="The column that fills it unless another is chosen: the one named like it.")
    required: bool = Field(description="The scenario gives no default: a list no column of which fills it is refused.")
    default: Any = Field(default=None, description="The scenario's default for it, heard when no column fills it.")


class CallListProblem(BaseModel):
    """Why a call list (its file, a client's row, or the campaign's settings) cannot be called."""

    path: str = Field(description="$.file, $.rows[3].phone (the row's place in `rows`), $.until, $.hours...")
    message: str = Field(description="In English, naming the row and column ('row 5, due_date: ...').")
    code: str | None = Field(
        default=None,
        description="Stable: no_number, not_a_phone_number, impossible_number, emergency_number, duplicate_number, "
        "not_a_number, not_a_whole_number, ambiguous_number (1.000: a thousand or one; `reason` either_way or "
        "column_has_both, `as_decimal`, `as_thousands`, `with_decimals`), not_yes_or_no, not_a_date, "
        "ambiguous_date, cell_required (a row's empty cell for what the scenario reads without a default: `column`, "
        "`reads`), more_problems, campaign_over, "
        "campaign_ends_first, hours_never_open, unknown_timezone, not_published, columns_missing, unknown_variable "
        "and unknown_column (CallbackBatchIn.columns: `variable`, `variables` or `column`, `columns`), and the file's: "
        "empty_file, other_spreadsheet, not_a_list_file, not_utf8, csv_unreadable, xlsx_damaged, xlsx_too_big, "
        "xlsx_unreadable, no_rows, no_clients, too_many_rows, too_many_columns, column_name_too_long, "
        "column_twice, cell_without_column, cell_too_long, formula_cell (an XLSX cell holding a formula whose "
        "value the file does not hold: `row`, `column` its letter, `formula`), file_too_big, list_too_large. "
        "Warnings (CallbackBatchOut.warnings): columns_defaulted, already_waiting, duplicate_skipped (a row left "
        "out for its number: `row` and `first`, the row called), more_duplicates_skipped (`count`), thousands_read "
        "(numbers such as 1.000 read as the column or IVRGRAPH_DEFAULT_COUNTRY says: `column`, `value`, `row`, "
        "`read`, `group`, `by`, `proof`, `country`); (CallListOut.warnings): "
        "read_as_windows_1251, read_as_windows_1252, slash_dates_read, formula_value_read. None on a request its "
        "schema refused (invalid-request).",
    )
    params: dict[str, str | int] = Field(
        default_factory=dict,
        description="What the message is built from, by stable name: `row` (the file's row) or `client` (the place "
        "in `rows`, without row_numbers), `column`, `value` (the cell, cut at 40 characters), `type` (the "
        "variable's), `first`, `count`, `limit`; for columns_missing and columns_defaulted `missing` (the columns "
        "wanted, quoted), `reads` (what the scenario reads: contact.name, debt_amount), `columns` (the list's), "
        "`defaults`, `chosen` (with CallbackBatchIn.columns: those chosen, `debt_amount = 'Сумма долга'`); for "
        "already_waiting `count`, `campaign` (its name, maybe empty), `campaign_id`, `created_at`; "
        "for impossible_number `reason` (too_short, too_long, invalid_length, unknown_country_code)"
        "..., so a client can say it in another language.",
    )


class CallListRefused(Problem):
    """A 422 for a call list: every problem found (at most 50, then one `more_problems` counting the rest)."""

    problems: list[CallListProblem]


# The format characters that join letters, as Persian words and Indic scripts are spelt (ZERO WIDTH NON-JOINER,
# ZERO WIDTH JOINER): part of a name, reordering nothing.
_JOINERS = frozenset("\u200c\u200d")


def _no_format_character(text: str) -> str:
    """A campaign's name names its reports' files: an invisible format character (category Cf) in it, a
    RIGHT-TO-LEFT OVERRIDE (U+202E), shows what follows it backwards, the file's extension among it (security
    review). Refused, naming the first such character; the joiners of a script's spelling are kept."""
    found = next((char for char in text if unicodedata.category(char) == "Cf" and char not in _JOINERS), None)
    if found is not None:
        raise PydanticCustomError(
            "format_character", "holds an invisible format character ({character} {name}): take it out",
            {"character": f"U+{ord(found):04X}", "name": unicodedata.name(found, "")},
        )  # fmt: skip
    return text


class CallbackBatchIn(RequestModel):
    """A call list to call: one callback job per row, all created or none."""

    scenario: Slug
    rows: list[dict[str, ListCell]] = Field(min_length=1, max_length=MAX_LIST_ROWS)
    number_column: str = Field(default="phone", min_length=1, max_length=100)
    due: Moment | None = Field(
        default=None,
        description="The first call; now if not given, or if already past (the designer sends the moment its form "
        "was opened, which is past by the time the analyst schedules).",
    )
    until: Moment | None = Field(default=None, description="No call after this moment.")
    hours: list[OpeningHours] = Field(
        default_factory=list,
        max_length=50,
        description="Call only inside these hours, in `timezone`. None sent (or an empty list): this node's default "
        "hours (IVRGRAPH_DIAL_DEFAULT_HOURS, every day 09:00-21:00 unless set), never at night; the answer and the "
        "campaign's settings name the hours used. To call at any time, send every day from 00:00 to 00:00.",
    )
    timezone: DialTimezone = None
    holidays: list[date] = Field(default_factory=list, max_length=400)
    max_attempts: int = Field(default=3, ge=1, le=20)
    retry_hung_up_early: bool = Field(
        default=False,
        description="Call again a client who hangs up before the message ends (the call's caller hung up and no "
        "step set `result`): the job is due again after the dialer's no-answer interval, within `max_attempts` and "
        "the hours; its attempt's outcome is `hung_up_early`. Kept in the campaign's settings.",
    )
    dry_run: bool = Field(default=False, description="Check the list and show the jobs; create nothing.")
    duplicates: Literal["refuse", "skip"] | None = Field(
        default=None,
        description="A row whose number an earlier row has (0034600111222 and +34 600 111 222 are one): `refuse` "
        "(or none sent) stops the list (duplicate_number); `skip` leaves the row out, calls the earlier one, and "
        "names each row skipped in a warning (duplicate_skipped), in the audit event and (counted) in the "
        "campaign's settings.",
    )
    columns: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(min_length=1, max_length=100)]] | None = (
        Field(
            default=None,
            max_length=100,
            description="The list's column that fills each thing the scenario reads from it (CallListOut.variables: "
            '`{"contact.name": "ФИО", "debt_amount": "Сумма долга"}`); one column may fill several. '
            "What it leaves out is filled as without it: by the column named like it, if any. A variable the "
            "scenario does not read from a list (unknown_variable) or a column no row has (unknown_column) is "
            'refused, `$.columns["<variable>"]` (the key JSON-quoted). Sent, even empty, columns_missing and '
            "columns_defaulted say to choose a column (their `chosen` param names those chosen) instead of renaming "
            "one in the file.",
        )
    )
    row_numbers: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        max_length=MAX_LIST_ROWS,
        description="From POST /api/callbacks/lists, one per row: problems name the file's row ('row 5') instead "
        "of the row's place in `rows` ('client 3').",
    )
    name: Annotated[str, AfterValidator(_no_format_character)] = Field(
        default="",
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="What the campaign is called in lists and reports, e.g. the list's file name; its reports' file "
        "name. Without control characters, nor invisible format ones (Unicode's category Cf, e.g. U+202E "
        "RIGHT-TO-LEFT OVERRIDE: 422 `format_character`) but the joiners a script is spelt with (U+200C, U+200D).",
    )

    @model_validator(mode="after")
    def _one_row_number_per_row(self) -> CallbackBatchIn:
        if self.row_numbers is not None and len(self.row_numbers) != len(self.rows):
            raise ValueError(f"row_numbers holds {len(self.row_numbers)} numbers for {len(self.rows)} rows")
        return self


class PlannedJobOut(BaseModel):
    number: str
    due: datetime
    window_end: datetime | None
    variables: dict[str, Any]


class CallbackBatchOut(BaseModel):
    jobs: int = Field(description="Jobs created, or that would be on a dry run.")
    created: bool
    campaign_id: str | None = Field(description="The list's campaign, to follow and report it; null on a dry run.")
    job_ids: list[str]
    preview: list[PlannedJobOut] = Field(description="The first few jobs, as the dialer will see them.")
    hours: list[OpeningHours] = Field(
        default_factory=list,
        description="The hours the clients are called in, in `timezone`: those sent, or this node's default "
        "(IVRGRAPH_DIAL_DEFAULT_HOURS) for a request that sent none.",
    )
    timezone: str = Field(default="UTC", description="The zone `hours` and `holidays` are read in.")
    warnings: list[CallListProblem] = Field(
        default_factory=list,
        description="What the analyst should know before scheduling, which does not stop it: the scenario reads "
        "what no column fills and hears its default instead (columns_defaulted), clients already waiting in "
        "another campaign of the scenario (already_waiting, one per campaign), rows left out as duplicates "
        "(duplicate_skipped, with duplicates=skip), numbers such as 1.000 read one way (thousands_read).",
    )


class CampaignOut(BaseModel):
    """One imported call list: its jobs counted by status, and (for one campaign) by what the clients answered."""

    campaign_id: str
    scenario: str
    name: str = Field(description="As given when it was started; empty when none was.")
    created_by: str | None = Field(description="Who started it; null when nobody is known.")
    created_at: datetime
    jobs: int
    statuses: dict[str, int]
    results: dict[str, int] = Field(
        description="What the clients reached answered: their last call's `result` values, whatever the clients "
        "stand now (one promised a callback answered, and waits). Empty in the list of campaigns."
    )
    result_labels: dict[str, str] = Field(
        default_factory=dict,
        description="What the campaign's scenario calls the answers in `results` (code -> label; the document's "
        "`results`), as its latest published version declares them, as a call's `result_label`: an answer it "
        "does not declare is left out, and shown by its code. Empty in the list of campaigns.",
    )
    reached: int | None = Field(
        default=None,
        description="Clients a call reached (the scenario ran for them and did not fail), whatever they stand now: "
        "those reached without an answer are `reached` less the sum of `results`. Null in the list of campaigns.",
    )
    failed_calls: int | None = Field(
        default=None,
        description="Clients whose last call failed (the scenario broke off with an error: they heard an apology "
        "or silence): not in `reached` nor `results`. Null in the list of campaigns.",
    )
    hung_up_early: int | None = Field(
        default=None,
        description="Of `reached`, the clients who hung up before the scenario was done with them: their last call "
        "ended with the caller's hangup (`caller_hangup`) and no step of it set `result`, so the `result` counted "
        "for them in `results` is the scenario's default, nothing they chose. Null in the list of campaigns.",
    )
    dialled: int = Field(
        default=0, description="Clients rung at least once, whatever came of it (a busy line waiting for a retry too)."
    )
    spared: int = Field(default=0, description="Clients a stop cancelled before any of their calls was made.")
    next_due: datetime | None = Field(description="When the next client waiting is due; null when nobody waits.")
    settings: dict[str, Any] = Field(
        description="When and how it is called, as started: due, until, hours, timezone, holidays, max_attempts, "
        "retry_hung_up_early; duplicates_skipped, the list's rows left out for a number an earlier row had, when any; "
        "chosen_columns, the list's column chosen for each thing the scenario reads (CallbackBatchIn.columns), when "
        "any were: the XLSX report types each by its variable. Empty for lists imported before campaigns kept them."
    )
    cancelled_at: datetime | None = Field(
        description="When it was stopped; null while it runs. A client whose phone rang then is not called again."
    )
    awaiting_retry: int | None = Field(
        default=None,
        description="Clients waiting (`pending`) who were rung at least once: a retry after a busy line, or a "
        "callback their call promised. They are in `dialled` too; the clients over are those of `statuses` done, "
        "failed, expired and cancelled. Null in the list of campaigns.",
    )
    paused: bool = Field(
        default=False,
        description="Held by POST .../pause: no node's dialer claims its clients until POST .../resume. Calls "
        "ringing when it was paused end as usual; clients whose window ends meanwhile expire as they would.",
    )
    paused_at: datetime | None = Field(default=None, description="When it was paused; null while it calls.")
    paused_by: str | None = Field(default=None, description="Who paused it; null while it calls.")


# What a dial or a job came to. Listed, not enforced: a job stored by an older version, or written to the table by
# an integration, may hold another word, and must still be read.
_JOB_OUTCOMES = (
    "`answered`, `busy`, `no_answer`, `failed` (the call failed), `unreached` (answered, but no scenario ran), "
    "`hung_up_early` (answered, but the client hung up before the scenario set a result, and its campaign calls "
    "them again), `refused` (by Asterisk: this server's dialer settings), `trunk_down`, `cancelled` (a dial this "
    "node hung up as it stopped; a job stopped with its campaign before its first dial), `cancelled_by_api`, "
    "`already_reached` "
    "(another call of the job reached the client), `window_closed`, `emergency_number` and `impossible_number` "
    "(never dialled), `scenario_unavailable`, `lost` (the node dialling it went away: the attempt counts, its outcome "
    "unknown). An older job may hold another word."
)


class CallbackAttemptOut(BaseModel):
    at: datetime
    outcome: str = Field(description=f"What the dial came to: {_JOB_OUTCOMES}")
    call_id: str | None


class CallbackJobOut(BaseModel):
    id: str
    number: str = Field(description=f"The number dialled. {_MASKED}: `+34*******56`")
    scenario: str
    due: datetime
    window_end: datetime | None
    variables: dict[str, Any] = Field(
        description=f"What the scenario is given (a call list's row as `contact`). {_MASKED}: each value as "
        "`[hidden: N characters]`; each field of `contact`, and a variable a column filled, as `[hidden]` (empty "
        "stays empty)"
    )
    attempts: int
    max_attempts: int
    status: JobStatus
    outcome: str | None = Field(description=f"What the job came to, null before its first dial: {_JOB_OUTCOMES}")
    last_attempt_at: datetime | None
    reached_at: datetime | None = Field(
        default=None, description="When a FastAGI call named the job: the callee heard its scenario."
    )
    origin_call_id: str | None
    # Which node dials the job now: an operator of several nodes could not tell (operations review).
    locked_by: str | None = Field(
        default=None,
        description="The node dialling the job now (its `--node-id`, as a call's `node` names it), while "
        "`status` is `dialing`; null when no node holds it. Read-only.",
    )
    lock_until: datetime | None = Field(
        default=None,
        description="When that node's lease on the job runs out; null when no node holds it. One in the past: the "
        "node stopped renewing it (it died mid-dial), and any node may take the job over. Read-only.",
    )
    hours: list[OpeningHours] | None = Field(
        default=None,
        description="The hours it is called in, in `timezone`, never on `holidays`: those sent, this node's default "
        "for a request that sent none, or its Callback block's. Null: none kept (a job made before the API gave "
        "one), dialled at any time between `due` and `window_end`.",
    )
    timezone: str | None = Field(default=None, description="The zone `hours` are read in; null without hours.")
    holidays: list[str] = Field(default_factory=list, description="Days without calls (YYYY-MM-DD).")
    history: list[CallbackAttemptOut] = Field(default_factory=list)


# -- the call report ---------------------------------------------------------------------------
# persistence.call_reports: the register's calls summed up by local day or hour, by scenario, or by both.

ReportGroup = Literal["day", "hour", "scenario", "day_scenario"]


class ResultCount(BaseModel):
    result: str = Field(description="A value of the flow's `result` variable, as the register shows it")
    calls: int
    label: str | None = Field(
        default=None,
        description="What the scenario calls this result (its document's `results`: `will_pay` -> `Pagará`), as "
        "its latest published version declares it; null when none of the calls' scenarios declares it. When the "
        "row's calls with this result belong to scenarios that label it differently, the label of the scenario "
        "most of them belong to (a tie: the slug first in order); a scenario that does not declare it is passed over",
    )


class CallReportCounts(BaseModel):
    calls: int = Field(description="Calls that started in the row's period")
    answered: int = Field(description="Of them, those answered (the register gives them an answer time)")
    statuses: dict[CallStatus, int] = Field(
        description="The calls by their status in the register, every status named (0 when none had it)"
    )
    abandoned: int = Field(
        description="Callers who hung up before the end: `abandoned_in_menu` and `abandoned_waiting`, and a caller "
        "who hung up while the last transfer rang or queued whom the scenario then scheduled a callback for "
        "(`callback_scheduled`, `transfer_outcome` `caller_hangup`)"
    )
    transfers: int = Field(description="Calls whose flow tried a transfer (they have a `transfer_outcome`)")
    with_errors: int = Field(
        default=0,
        description="Calls where a step took its block's error exit (the register's `error_steps` above 0, "
        "`with_errors=true`), whatever their status; calls recorded before that was kept, whose trace retention "
        "had stripped, are not known and not counted",
    )
    transfers_answered: int = Field(description="Of them, those whose last transfer reached someone (`answered`)")
    transfer_outcomes: dict[str, int] = Field(
        description="The calls by what their last transfer came to, as the register's `transfer_outcome`: "
        "answered, busy, no_answer, failed, caller_hangup"
    )
    talk_ms_total: int = Field(description="The answered calls' durations (`duration_ms`, start to end), summed")
    talk_ms_average: int | None = Field(description="The answered calls' mean duration; null when none was answered")
    results: list[ResultCount] = Field(
        description="The most frequent values of the flow's `result` (up to 5), the most frequent first; calls "
        "that recorded none are not counted here"
    )


class CallReportRow(CallReportCounts):
    day: date | None = Field(description="The local date, on the clock `tz` names; null when grouped by scenario")
    hour: int | None = Field(
        description="The local hour, 0-23, when grouped by hour. The hour a clock change repeats is two rows, told "
        "apart by `local_start`'s offset; one it skips is none"
    )
    scenario: str | None = Field(description="The scenario's slug when grouped by scenario; null otherwise")
    start: datetime = Field(description="When the period starts, in UTC, cut to the range")
    end: datetime = Field(
        description="When it ends (not included), in UTC, cut to the range: a day the clock goes back is 25 hours"
    )
    local_start: datetime = Field(description="`start` on the clock `tz` names, with its offset then")


class CallReport(BaseModel):
    since: datetime = Field(description="The range's start, in UTC: calls that started at or after it")
    until: datetime = Field(description="The range's end, in UTC: calls that started before it")
    tz: str = Field(description="The clock the days and hours are read on")
    group: ReportGroup
    scenario: str | None = Field(description="The one scenario counted; null for every scenario")
    rows: list[CallReportRow] = Field(
        description="By day or hour: every one of the range, in order, those without calls too. By scenario: each "
        "scenario with calls, by slug. By day and scenario: each pair with calls, by day then slug"
    )
    totals: CallReportCounts = Field(description="The whole range")


# -- privacy: a data subject's erasure and access (persistence.privacy) ---------------------------------------


class ErasureRequest(RequestModel):
    number: PhoneNumber
    dry_run: bool = Field(description="true: count what would be erased and change nothing. Required: say which.")


class ErasureVersionOut(BaseModel):
    """A published version of a scenario whose tests name the number erased."""

    slug: str
    version: int


class ErasureOut(BaseModel):
    """What an erasure removed (or, on a dry run, would remove), by table; the number itself is named nowhere."""

    subject: str = Field(
        description="The subject's keyed hash: the audit log names them `subject:<hash>`, and shows `[erased <hash>]` "
        "where its events named the number"
    )
    dry_run: bool
    call_records: int = Field(description="Their calls: as the caller, as the number rung, and their jobs' calls")
    callback_jobs: int = Field(description="Jobs that dialled or would dial the number, call lists' rows included")
    callback_attempts: int
    campaign_rows: int = Field(description="Of the jobs, call lists' rows (one per client)")
    campaigns: int = Field(description="Call lists that lost a client (and count one fewer)")
    idempotency_keys: int = Field(description="Stored answers to a retried request that named the number")
    audit_events: int = Field(description="Audit events whose details named the number: redacted, not deleted")
    mentioned_in_callback_jobs: int = Field(
        description="Other clients' callback jobs whose variables named the number (a guarantor, a call list's row): "
        "redacted, not deleted"
    )
    mentioned_in_calls: int = Field(
        description="Other calls whose variables or trace named the number: redacted, not deleted"
    )
    tests_in_drafts: int = Field(
        description="Scenarios' drafts whose tests (`meta.tests`) named the number: each mention given a neutral test "
        "number in its place (its last six digits zeroed), the draft saved as a new revision"
    )
    tests_in_versions: list[ErasureVersionOut] = Field(
        description="Published versions whose tests name the number: versions are never changed, so it stays there "
        "(and in the backups): what is left for the admin to know"
    )


class SubjectJob(CallbackJobOut):
    campaign_id: str | None = Field(description="The call list the job is a row of, or whose call promised it")
    created_at: datetime


class SubjectCampaignRow(BaseModel):
    """A call list's row that holds the number: the client as imported (`variables.contact`)."""

    campaign_id: str
    campaign_name: str
    scenario: str
    job_id: str
    row: int | None = Field(description="The client's place in the list, from 1")
    list_row: int | None = Field(description="The row of the file the client was read from, when it was sent")
    variables: dict[str, Any]
    status: str


class SubjectMention(BaseModel):
    """Another client's callback job or another call that names the number, and where: none of their data."""

    id: str
    paths: list[str] = Field(description="Each place the number is written, as a JSON path (`$.variables.aval`)")


class SubjectScenarioTests(BaseModel):
    """A scenario's tests that name the number (a call saved as a test with its real number), and where."""

    slug: str
    version: int | None = Field(
        description="The published version whose tests name it; null for the draft's. Erasure gives a draft's tests a "
        "test number in its place; a published version is never changed"
    )
    paths: list[str] = Field(description="Each place the number is written, as a JSON path (`$.meta.tests[0].caller`)")


class SubjectAccessOut(BaseModel):
    """Everything kept of one phone number, for a data subject's access request."""

    subject: str = Field(description="The subject's keyed hash, as the audit log names this request")
    forms: list[str] = Field(description="The forms of the number looked for, as the call register compares them")
    calls: list[CallDetail] = Field(description="Their calls, newest first, each with its variables and trace")
    callback_jobs: list[SubjectJob] = Field(description="Jobs dialling the number, newest first, with every attempt")
    campaign_rows: list[SubjectCampaignRow]
    audit_events: list[AuditEventOut] = Field(description="Audit events naming the number, or the subject's hash")
    idempotency_keys: int = Field(description="Stored answers to retried requests naming it (kept a day)")
    mentioned_in_callback_jobs: list[SubjectMention] = Field(
        description="Other clients' callback jobs naming the number in their variables, newest first"
    )
    mentioned_in_calls: list[SubjectMention] = Field(
        description="Other calls naming the number in their variables or trace, newest first"
    )
    scenario_tests: list[SubjectScenarioTests] = Field(
        description="Scenarios' tests naming the number, drafts' and published versions', by slug"
    )
