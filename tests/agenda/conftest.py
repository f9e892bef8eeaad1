"""Fixtures: the bot with its reminder job stopped, as for the volunteer tests."""

from __future__ import annotations

from tests.volunteers.conftest import both, sbot

__all__ = ["both", "sbot"]
