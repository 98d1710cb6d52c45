"""What an audit event keeps of a draft another document replaced (a rollback's `reset_draft`, an import's
`replace_draft`): drafts keep no history, so the event is where whoever lost work to it finds it again."""

from __future__ import annotations

import hashlib
from typing import Any, Final, Literal

from graph_engine.json_values import canonical_json

# A replaced draft kept in its audit event is at most this big, serialized (`serialized`): the log must not become
# the store of whatever size a draft reaches (review: three rollbacks over a 15 MB draft, which saves although it
# fails validation, made the audit list answer 47 MB). A real scenario is a few KB to a few dozen.
REPLACED_DRAFT_LIMIT: Final = 256 * 1024
# What the event keeps of it: the document, or the number of a version that holds it, or (too large) nothing.
ReplacedKept = Literal["document", "version", "too_large"]


def replaced_draft_details(document: Any, *, held_by_version: int | None) -> tuple[dict[str, Any], ReplacedKept]:
    """The audit details that keep `document`, a draft being replaced, and what they kept of it: its size always
    (`replaced_document_size`, of `serialized`), and
    - `replaced_is_version`, when a published version holds it (`held_by_version`): nothing is lost;
    - else `replaced_document`, the document itself, up to `REPLACED_DRAFT_LIMIT`;
    - else `replaced_document_dropped: "too_large"` and its SHA-256 (`replaced_document_sha256`, of `serialized`):
      not kept, but a copy found elsewhere can be told to be it.
    Kept as plain JSON in the details, so an erasure finds a number in it as in any other detail
    (persistence.privacy)."""
    written = serialized(document)
    details: dict[str, Any] = {"replaced_document_size": len(written)}
    if held_by_version is not None:
        details["replaced_is_version"] = held_by_version
        return details, "version"
    if len(written) <= REPLACED_DRAFT_LIMIT:
        details["replaced_document"] = document
        return details, "document"
    details["replaced_document_dropped"] = "too_large"
    # The hash only of a document not kept: of one kept, it would outlive an erasure's scrubbing of it, and confirm a
    # number guessed in it to whoever holds the rest.
    details["replaced_document_sha256"] = hashlib.sha256(written).hexdigest()
    return details, "too_large"


def serialized(document: Any) -> bytes:
    """`document` as the size and hash of a replaced draft count it: compact, keys sorted, UTF-8."""
    return canonical_json(document).encode()
