"""How the designer's built files are answered across an upgrade (ops review): what a browser may keep, and for
how long, and which missing file is a 404 rather than the single-page app's index.html.

`vite build` names every chunk under `assets/` after its contents (`CallsPage-CbWJpB54.js`): a name never
changes meaning, so a browser keeps such a file for a year without asking again. index.html names the chunks of
its release: it is asked anew on every open (`no-cache`: kept, but revalidated), or a browser that cached it
heuristically (it carries Last-Modified) loaded the release before from its cache after an upgrade. So does any
other file whose name does not change with it (public/'s favicon, a file put there by hand).

A tab opened on the release before asks for its chunks by their old names: those are gone, and the answer must
be a 404 the designer can recognise, not index.html, which the browser then failed to run as a module. That 404 is
`no-store`: kept (heuristically, as any answer without Cache-Control may be), it hid a chunk that came back, a node
rolled back or a release deployed late, from whoever asked too early.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

NO_CACHE: Final = "no-cache"
NO_STORE: Final = "no-store"  # a missing file's 404
IMMUTABLE: Final = "public, max-age=31536000, immutable"

ASSETS: Final = "assets/"
# vite's `[name]-[hash].[ext]`, the hash 8 characters of base64url; `.js.map` and `.css` too.
_HASHED: Final = re.compile(r"assets/[^/]+-[A-Za-z0-9_-]{8}\.[^/]+")


def cache_control(path: str) -> str:
    """The Cache-Control of the designer's file at `path` (relative to the dist folder, as asked)."""
    return IMMUTABLE if _HASHED.fullmatch(path) else NO_CACHE


def is_asset(path: str) -> bool:
    """A path in the build's chunk folder: a file there that is missing is a 404, never index.html."""
    return path.startswith(ASSETS)


def page_address(path: str, query: str) -> str:
    """Where a path below the designer's root that is no file is sent: the designer at its root, with the path as its
    hash route (`/s/sales` to `/#/s/sales`, `/calls?page=2` to `/#/calls?page=2`). The designer routes by the hash
    alone, and index.html names its chunks relative to itself (vite's `base: "./"`, so any prefix a proxy puts the
    designer under works): served at `/scenarios/sales`, it asked for `/scenarios/assets/…`, got index.html in their
    place and showed a blank page. The address is relative (`../` for each folder of `path`), for that prefix, and
    starts with `.`, so it never leaves the site, whatever the path."""
    root = "../" * path.count("/") or "./"
    route = quote(path, safe="/:@!$&'()*+,;=-._~")
    return f"{root}#/{route}" + (f"?{query}" if query else "")
