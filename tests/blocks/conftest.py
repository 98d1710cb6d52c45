"""The FastAGI fixtures (a real server on port 0 fed by the fake Asterisk), for the block tests that check what
a block does with what Asterisk really answers."""

from tests.agi_server.conftest import examples_source, records, start_server  # noqa: F401 (fixtures)
