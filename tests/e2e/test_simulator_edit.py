"""The simulator's !modifier: editing an earlier typed answer, as Telegram's "Modifier" does."""

from __future__ import annotations

from pathlib import Path

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.simulator import run_simulator
from tests.e2e.test_simulator import _script


async def test_modifier_corrects_an_earlier_answer(
    config: Config, content: Content, tmp_path: Path
) -> None:
    output: list[str] = []
    script = [
        "/start",
        "1",  # J'ai une idée de projet
        "1",  # J'accepte
        "Alex Dupond",
        "alex@example.org",
        "!modifier 2 Alex Dupont",  # the name, two messages back
        "!modifier 9 rien",  # not that many messages: said so, nothing sent
        "!quitter",
    ]
    database = tmp_path / "s.db"
    assert await run_simulator(config, content, _script(script), output.append, database) == 0
    transcript = "".join(output)
    assert "C'est corrigé : réponse « Nom » → Alex Dupont" in transcript
    assert "Vous avez écrit 2 message(s)" in transcript
