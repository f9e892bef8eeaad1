"""The terminal simulator: a person types, sees numbered buttons, switches persona."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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


IDEA = "Une recyclerie solidaire qui emploie des personnes éloignées de l'emploi."
SUBMITTED_IDEA = [
    "/start",
    "1",  # J'ai une idée de projet
    "1",  # J'accepte
    "Zoé Martin",
    "zoe@example.org",
    "1",  # 📱 Partager mon numéro
    "21000",
    "Dijon",
    IDEA,
    "3",  # Environnement, réemploi
    "2",  # Le projet se structure
    "3",
    "2",  # SCOP
    "4",  # Financement
    "8",  # Valider
    "2",  # jobs
    "1",  # Temps plein
    "14",  # Envoyer
]


async def test_numbers_answer_questions_and_press_reply_keys(
    config: Config, content: Content, tmp_path: Path
) -> None:
    output: list[str] = []
    idea = IDEA
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


async def test_a_week_in_the_simulator(
    config: Config, content: Content, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    output: list[str] = []
    upload = tmp_path / "activite.csv"
    upload.write_text("reference;date\n", encoding="utf-8")
    folder = tmp_path / "simulateur"
    script = [
        *SUBMITTED_IDEA,
        "Bonjour, puis-je venir avec mon associée ?",  # relayed to Camille (her message #2)
        "!persona salarie",
        "!repondre 2 Oui, bien sûr !",  # Telegram's reply-to, on the relayed message
        "#1 1",  # "Je prends" on the card, message #1, though it is not the latest
        "!avance 8j",  # the weekly digests fall due
        "!avance bientôt",
        "!persona porteur",
        "/mes_donnees",
        "1",  # Recevoir le fichier
        "!persona admin",
        "/sauvegarde",
        f"!fichier {upload}",
        "!fichier /nulle/part.csv",
        "#999 1",
        "!quitter",
    ]
    database = tmp_path / "simulateur.db"
    with caplog.at_level(logging.WARNING):
        done = await run_simulator(
            config, content, _script(script), output.append, database, folder
        )
    assert done == 0
    transcript = "".join(output)
    assert "\n🤖 #2 Bonjour Alex" in transcript  # every message shows its number
    assert "[pour porteur·euse (Alex)]" in transcript and "Oui, bien sûr !" in transcript
    assert "#1 modifié : ✅ Pris en charge" in transcript  # the edit names its message
    assert "[pour Karim]" in transcript  # a chat that is no persona is named too
    assert re.search(r"⏩ Horloge du bot : .* [1-9]\d* rappel\(s\) envoyé\(s\)", transcript)
    assert "Durée non comprise" in transcript
    assert "Fichier reçu" in transcript and "Fichier introuvable : /nulle/part.csv" in transcript
    assert "Pas de bouton n°1 sur le message n°999." in transcript
    assert "#12 2" in transcript and "!repondre" in transcript  # the help names them
    saved = list((folder / "fichiers").iterdir())
    assert [p.suffix for p in saved] == [".json"] and saved[0].read_bytes()
    assert list((folder / "sauvegardes").glob("pes21-*.sqlite"))
    assert "Chat not found" not in caplog.text
