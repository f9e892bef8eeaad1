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
        "9",  # no button on the question: sent as an answer
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
    assert "Cette adresse e-mail ne semble pas valide" in transcript
    assert "Vous êtes maintenant : admin" in transcript
    assert "Ce projet irait vers Bénéfices'Créa" in transcript
    assert "Personas : porteur, benevole, salarie, admin" in transcript
    assert transcript.endswith("Au revoir !\n")
    assert database.exists()  # its own file, never data/pes21.db


async def test_numbers_answer_questions_and_press_reply_keys(
    config: Config, content: Content, tmp_path: Path
) -> None:
    output: list[str] = []
    idea = "Une recyclerie solidaire qui emploie des personnes éloignées de l'emploi."
    script = [
        "/start",
        "1",  # J'ai une idée de projet
        "1",  # J'accepte
        "Zoé Martin",
        "zoe@example.org",
        "1",  # 📱 Partager mon numéro: a reply-keyboard key, pressed by its number
        "21000",
        "Dijon",
        idea,
        "3",  # Environnement, réemploi
        "2",  # Le projet se structure
        "3",  # "Combien êtes-vous ?" has no button: 3 is the answer
        "2",  # SCOP
        "4",  # Financement
        "8",  # Valider
        "2",  # jobs
        "1",  # Temps plein
        "14",  # Envoyer
        "!persona salarie",
        "1",  # Je prends, on the card
        "!quitter",
    ]
    database = tmp_path / "simulateur.db"
    assert await run_simulator(config, content, _script(script), output.append, database) == 0
    transcript = "".join(output)
    assert "Personnes : 3" in transcript
    assert "Téléphone : 06 12 34 56 78" in transcript
    assert "PES-2026-0001" in transcript
    # The answer to a press, a toast on a phone, is shown too.
    assert "💬 C'est noté, le dossier PES-2026-0001 est à vous." in transcript
