"""Fixtures for the fake Telegram Bot API tests."""

from __future__ import annotations

import pytest

from pes21_bot.fake_telegram import FakeBotApi, Limits

from .fake_api_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """A manual clock injected into the API."""
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    """A fake API with flood control on and a manual clock."""
    return FakeBotApi(clock=clock)


@pytest.fixture
def free_api() -> FakeBotApi:
    """A fake API without flood control."""
    return FakeBotApi(limits=Limits(flood_control=False))
