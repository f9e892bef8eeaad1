"""Forged callback data for every button family (derived from the registry), pressed by someone
the role table lets use it: answered as an expired button, never an error or a false alert."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from pes21_bot import access, buttons, texts
from pes21_bot.buttons import SEPARATOR, Button, Id
from pes21_bot.services.people import Role
from tests.harness import HOLDER_ID, Harness
from tests.volunteers.helpers import CAMILLE, seed_volunteer

pytestmark = pytest.mark.e2e

REMI = 6011
ADMIN = 1001
# Who presses: the first of these the family's rule allows (with every volunteer mission).
PRESSERS = (
    (HOLDER_ID, {Role.HOLDER}),
    (CAMILLE, {Role.HOLDER, Role.STAFF}),
    (ADMIN, {Role.HOLDER, Role.ADMIN}),
    (REMI, {Role.HOLDER, Role.VOLUNTEER}),
)
MISSIONS = ("reviews", "welcoming", "co_accompaniment")


def forged(family: Button) -> list[str]:
    """Data the family never produces: "²" in each number field, a field too many or too few."""
    longest = [field.longest() for field in family.fields]
    datas = [SEPARATOR.join([family.prefix, *longest, "1"]), SEPARATOR.join(family.prefix.split())]
    for index, field in enumerate(family.fields):
        if isinstance(field, Id):
            texts_ = list(longest)
            texts_[index] = "²"
            datas.append(SEPARATOR.join([family.prefix, *texts_]))
    return datas


def presser(family: Button) -> int:
    rule = access.BUTTONS[family.prefix]
    return next(
        telegram_id
        for telegram_id, roles in PRESSERS
        if access.allows(rule, roles, set(MISSIONS) if Role.VOLUNTEER in roles else set())
    )


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[_Errors]:
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


async def test_every_family_answers_forged_data_as_an_expired_button(
    sqlite_bot: Harness, errors: _Errors
) -> None:
    bot = sqlite_bot
    await seed_volunteer(bot, REMI, "Rémi", MISSIONS)
    bot.holder()
    expired = bot.content.render(texts.STALE_BUTTON)
    wrong: list[str] = []
    for family in buttons.FAMILIES:
        user = bot.api.user(presser(family))
        for data in forged(family):
            before = len(bot.api.messages(user.id))
            update = user.press_raw(data)
            toast = await bot.button_answer(update)
            if toast == expired:
                continue

            def said(user_id: int = user.id, before: int = before) -> bool:
                return any(m.text == expired for m in bot.api.messages(user_id)[before:])

            try:  # some handlers answer the press silently, then say it in the chat
                await bot.until(said, "the expired-button message", timeout=2.0)
            except AssertionError:
                wrong.append(f"{data!r} by {user.id}: {toast!r}")
    assert not wrong, "\n".join(wrong)
    assert not errors.records, [r.getMessage() for r in errors.records]
