"""Whether the built designer `ivrgraph serve` serves is older than its sources, said once at start.

The server serves `designer_ui/dist` as it stands. In a developer's checkout, a pull or an edit changes
`designer_ui/src` without rebuilding `dist`, and the browser then shows yesterday's designer without a word (a
plugin developer's review chased a "bug" fixed a week before). Only a dist inside a source checkout is judged
(`src` beside it): an installed package or a container ships its dist without sources, built as it is meant to be.
The inputs are the ones `make ui-build` rebuilds from (designer_ui/ui.mk), so the warning and make agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

BUILD_COMMAND = "make ui-build"


def stale_designer_warning(dist: Path | None) -> str | None:
    """Why the designer at `dist` is not what its checkout's sources would build, in one line, or None: when it is
    built after every source, or is not in a checkout at all."""
    if dist is None:
        return None
    checkout = dist.parent
    if not (checkout / "src").is_dir():
        return None
    index = dist / "index.html"
    if not index.is_file():
        return f"the designer is not built ({index} is missing): the server answers 404 at / until `{BUILD_COMMAND}`"
    try:
        built = index.stat().st_mtime
        newest = max(((path.stat().st_mtime, path) for path in _build_inputs(checkout)), default=None)
    except OSError:  # a file gone while we looked (a build or a checkout under way): nothing sure to say
        return None
    if newest is None or newest[0] <= built:
        return None
    return (
        f"the designer served from {dist} is older than its sources ({newest[1].relative_to(checkout)} changed after "
        f"the build): browsers get the old designer; run `{BUILD_COMMAND}`"
    )


def _build_inputs(checkout: Path) -> Iterator[Path]:
    for folder in ("src", "public"):
        if (checkout / folder).is_dir():
            yield from (path for path in (checkout / folder).rglob("*") if path.is_file())
    yield from (checkout / name for name in ("index.html",) if (checkout / name).is_file())
    yield from checkout.glob("vite.config.*")
    yield from checkout.glob("tsconfig*.json")
