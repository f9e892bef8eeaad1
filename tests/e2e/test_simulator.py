"""The terminal simulator: a person types, sees numbered buttons, switches persona."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.simulator import run_simulator


async def _script(lines: list[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line + "\n"


async def test_simulator_session(config: Config, content: Content, tmp_path: Path) -> None:
    output: list[str] = []
    database = tmp_path / "simulateur.db"
    script = [
        "/start",
        "1",  # J'ai une idée de projet
        "1",  # J'accepte
        "Alex Dupont",
        "!photo",
        "9",  # no such button
        "!persona admin",
        "/orientation_test stage=created time=full_time team_size=2",
        "!persona inconnu",
        "!quitter",
    ]
    assert await run_simulator(config, content, _script(script), output.append, database) == 0
    transcript = "".join(output)
    assert "[1] 💡 J'ai une idée de projet" in transcript
    assert "Acceptez-vous ces conditions ?" in transcript
    assert "Question 2/13" in transcript
    assert "Je ne peux pas lire ce type de message" in transcript
    assert "Pas de bouton avec ce numéro." in transcript
    assert "Vous êtes maintenant : admin" in transcript
    assert "Ce projet irait vers Bénéfices'Créa" in transcript
    assert "Personas : porteur, benevole, salarie, admin" in transcript
    assert transcript.endswith("Au revoir !\n")
    assert database.exists()  # its own file, never data/pes21.db
