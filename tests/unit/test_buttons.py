"""Button families: unique prefixes, callback data within Telegram's 64 bytes for the largest
ids and the longest codes, parse(pack(x)) == x, every family routed and declared in the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from pes21_bot import access, buttons
from pes21_bot.app import build_application
from pes21_bot.buttons import MAX_CALLBACK_BYTES, MAX_ID, Button, Code
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.domain.forms import FORMS


def test_prefixes_are_unique_and_none_is_a_prefix_of_another_pattern() -> None:
    prefixes = [f.prefix for f in buttons.FAMILIES]
    assert len(prefixes) == len(set(prefixes)) and len(prefixes) >= 36
    assert all(":" not in p for p in prefixes)


@pytest.mark.parametrize("family", buttons.FAMILIES, ids=lambda f: f.prefix)
def test_the_longest_data_fits_and_round_trips(family: Button) -> None:
    longest = family.longest()
    assert len(longest.encode()) <= MAX_CALLBACK_BYTES, longest
    values = family.parse(longest)
    assert values is not None and family.pack(*values) == longest
    assert family.parse(f"{longest}:extra") is None
    assert family.parse(longest.replace(family.prefix, f"{family.prefix}x", 1)) is None


def test_ids_beyond_64_bits_and_forged_words_do_not_parse() -> None:
    assert buttons.CLAIM.parse(f"claim:{MAX_ID}") == (MAX_ID,)
    assert buttons.CLAIM.parse(f"claim:{MAX_ID + 1}") is None
    assert buttons.CLAIM.parse("claim:-1") is None
    assert buttons.REVIEW.parse("rv:explode:1") is None
    with pytest.raises(ValueError, match="does not fit"):
        buttons.ERASE.pack("maybe")


def _field_of(family: Button, index: int) -> Code:
    field = family.fields[index]
    assert isinstance(field, Code)
    return field


def test_every_code_of_config_and_contenus_fits_its_field(config: Config, content: Content) -> None:
    question = _field_of(buttons.ANSWER, 1)
    value = _field_of(buttons.ANSWER, 2)
    for questionnaire in content.questionnaires.values():
        for item in questionnaire.questions:
            assert question.parse(item.id), item.id
            assert all(value.parse(v) for v in item.choices), item.id
    for spec in FORMS.values():
        for field in spec.questions:
            assert _field_of(buttons.FORM_ANSWER, 1).parse(field.id), field.id
    for name in (
        "volunteer_missions",
        "weekdays",
        "review_situations",
        "outcomes",
        "job_contracts",
    ):
        assert all(_field_of(buttons.FORM_ANSWER, 2).parse(v) for v in content.lists[name]), name
    milestones = {m for ms in config.accompaniment.milestones.values() for m in ms}
    assert all(_field_of(buttons.ACC_MILESTONE, 1).parse(m) for m in milestones)
    assert all(_field_of(buttons.CLOSE, 1).parse(r) for r in content.lists["close_reasons"])
    assert all(_field_of(buttons.REDIRECT, 1).parse(p) for p in config.programmes)
    for path in content.questionnaires:
        assert _field_of(buttons.MENU, 0).parse(path) and _field_of(buttons.CONSENT, 0).parse(path)


def _walk(handlers: list[Any]) -> list[Any]:
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            found += _walk(list(handler.entry_points) + list(handler.fallbacks))
            for state in handler.states.values():
                found += _walk(list(state))
        else:
            found.append(handler)
    return found


def test_every_registered_command_and_button_is_in_the_table(
    config: Config, content: Content, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    app = build_application(
        config, content, make_session_factory(engine), token="1:T", rate_limiter=False
    )
    handlers = _walk([h for group in app.handlers.values() for h in group])
    commands = {c for h in handlers if isinstance(h, CommandHandler) for c in h.commands}
    assert commands <= set(access.COMMANDS)
    assert set(access.COMMANDS) == commands
    patterns = [h.pattern for h in handlers if isinstance(h, CallbackQueryHandler) and h.pattern]
    for family in buttons.FAMILIES:
        assert family.prefix in access.BUTTONS
        assert any(p.match(family.longest()) for p in patterns), family.prefix  # type: ignore[union-attr]
    assert set(access.BUTTONS) == {f.prefix for f in buttons.FAMILIES}
