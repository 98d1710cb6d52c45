"""FastAGI runtime: Asterisk calls `AGI(agi://host/<slug>)` and this package walks the published scenario.

`protocol` holds the pure wire functions, `connection` the one-command-at-a-time session, `channel` the
engine's `Channel` over AGI, and `server` the asyncio listener with routing, limits, call records and metrics.
"""
