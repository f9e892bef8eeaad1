"""Terminal simulator: chat with the bot as any persona, over the local fake Bot API.

It needs no token and never touches production data: its database is `data/simulateur.db`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from telegram.ext import Application

from pes21_bot.app import build_application
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.migrate import upgrade_to_head_async
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.fake_telegram import BotMessage, FakeBotApi, FakeBotApiServer, FakeUser, Limits
from pes21_bot.fake_telegram.models import JSONDict

SIMULATOR_DB = Path("data/simulateur.db")
SIMULATOR_TOKEN = "100000:SIMULATEUR"
HOLDER_ID = 700001
VOLUNTEER_ID = 700002
QUIET_SECONDS = 0.3
MAX_WAIT_SECONDS = 5.0
QUIT, LOCAL, SENT = "quit", "local", "sent"

# The simulator's own words: a terminal tool for the Pôle's people, so French like the bot.
HELP = """Simulateur du bot PES 21 : vous écrivez comme sur Telegram.
  texte ou /commande  : envoyer un message au bot
  un numéro (ex. 2)   : appuyer sur le bouton n°2 du dernier message ; s'il n'a pas
                        ce bouton, le numéro est envoyé comme réponse (ex. « Combien ? »)
  !contact            : partager votre numéro de téléphone
  !photo              : envoyer une photo
  !modifier N texte   : modifier votre N-ième dernier message écrit (1 : le dernier),
                        comme « Modifier » sur Telegram
  !persona NOM        : changer de rôle (porteur, benevole, salarie, admin)
  !aide               : cette aide        !quitter : sortir"""


@dataclass
class Persona:
    """Someone the person at the keyboard can play."""

    label: str
    user: FakeUser


@dataclass
class Simulator:
    """Routes typed lines to the current persona and prints what the bot sends."""

    api: FakeBotApi
    personas: dict[str, Persona]
    write: Callable[[str], None]
    current: str = "porteur"
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # Each persona's typed messages (the updates that sent them), for !modifier.
    typed: dict[str, list[JSONDict]] = field(default_factory=dict)

    def show(self, message: BotMessage) -> None:
        """Print a bot message; messages for another persona are tagged with their name."""
        self._arrived.set()
        owner = next((p for p in self.personas.values() if p.user.id == message.chat_id), None)
        tag = "" if owner is None or owner is self.persona else f"[pour {owner.label}] "
        edited = "(modifié) " if message.edited else ""
        same_text = bool(message.history) and message.history[-1].text == message.text
        body = "(boutons mis à jour)" if message.edited and same_text else message.content
        lines = [f"\n🤖 {tag}{edited}{body}"]
        if message.document is not None:
            lines.append(f"   📎 fichier : {message.document.filename}")
        if message.photo is not None:
            lines.append("   🖼️ image")
        number = 0
        for row in message.buttons:
            labels = []
            for label in row:
                number += 1
                labels.append(f"[{number}] {label}")
            lines.append("   " + "   ".join(labels))
        self.write("\n".join(lines) + "\n")

    def show_answer(self, user_id: int, text: str) -> None:
        """Print the bot's short answer to a button press (Telegram shows it as a toast)."""
        if user_id == self.persona.user.id:
            self._arrived.set()
            self.write(f"   💬 {text}\n")

    @property
    def persona(self) -> Persona:
        """The persona being played."""
        return self.personas[self.current]

    def press(self, number: int) -> bool:
        """Press button n° `number` of the latest message, if it has that many buttons."""
        user = self.persona.user
        latest = next((m for m in reversed(user.messages) if not m.deleted), None)
        if latest is None:
            return False
        if latest.has_inline_keyboard:
            flat = [label for row in latest.buttons for label in row]
            if not 1 <= number <= len(flat):
                return False
            user.press(flat[number - 1], message=latest)
            return True
        keys = [key for row in (latest.reply_markup or {}).get("keyboard", []) for key in row]
        if not 1 <= number <= len(keys):
            return False
        key = keys[number - 1]
        if isinstance(key, dict) and key.get("request_contact"):
            user.send_contact("+33612345678")
        else:
            user.send_text(key if isinstance(key, str) else str(key.get("text", "")))
        return True

    def handle(self, line: str) -> str:
        """Act on one typed line: QUIT, LOCAL (answered here) or SENT (the bot will answer)."""
        text = line.strip()
        user = self.persona.user
        if text in ("!quitter", "!q"):
            return QUIT
        if not text:
            return LOCAL
        if text == "!aide":
            self.write(HELP + "\n")
        elif text.startswith("!persona"):
            wanted = text.removeprefix("!persona").strip()
            if wanted in self.personas:
                self.current = wanted
                self.write(f"Vous êtes maintenant : {self.persona.label}\n")
            else:
                self.write(f"Personas : {', '.join(self.personas)}\n")
        elif text == "!contact":
            user.send_contact("+33612345678")
            return SENT
        elif text == "!photo":
            user.send_photo()
            return SENT
        elif text.startswith("!modifier"):
            return self.edit(text.removeprefix("!modifier").strip())
        elif text.isdigit() and len(text) < 3 and self.press(int(text)):
            return SENT
        elif text.startswith("/"):
            command, _, args = text.partition(" ")
            user.send_command(command, args)
            return SENT
        else:
            self.typed.setdefault(self.current, []).append(user.send_text(text))
            return SENT
        return LOCAL

    def edit(self, rest: str) -> str:
        """!modifier N texte: edit the persona's N-th last typed message."""
        back, _, text = rest.partition(" ")
        typed = self.typed.get(self.current, [])
        if not (back.isascii() and back.isdigit()) or not text.strip():
            self.write("Écrivez : !modifier N nouveau texte (1 : votre dernier message)\n")
            return LOCAL
        if not 1 <= int(back) <= len(typed):
            self.write(f"Vous avez écrit {len(typed)} message(s) dans cette session.\n")
            return LOCAL
        self.persona.user.edit_text(typed[-int(back)], text.strip())
        return SENT

    async def quiet(self) -> None:
        """Wait for the bot's first reply, then until it stops sending for a moment."""
        wait = MAX_WAIT_SECONDS
        while True:
            try:
                await asyncio.wait_for(self._arrived.wait(), wait)
            except TimeoutError:
                return
            self._arrived.clear()
            wait = QUIET_SECONDS


def _personas(api: FakeBotApi, config: Config) -> dict[str, Persona]:
    admin = config.admins[0]
    personas = {
        "porteur": Persona("porteur·euse (Alex)", api.user(HOLDER_ID, first_name="Alex")),
        "benevole": Persona("bénévole (Dominique)", api.user(VOLUNTEER_ID, first_name="Dominique")),
    }
    if config.staff:  # config.yaml may list no staff: they can join by chat
        staff = config.staff[0]
        personas["salarie"] = Persona(
            f"chargé·e de mission ({staff.name})", api.user(staff.id, first_name=staff.name)
        )
    personas["admin"] = Persona(f"admin ({admin.name})", api.user(admin.id, first_name=admin.name))
    # The rest of the team has opened the bot too, as they must: their cards are delivered.
    for member in [*config.staff, *config.admins]:
        api.user(member.id, first_name=member.name)
    return personas


async def _stdin_lines() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line


async def start_bot(
    config: Config, content: Content, database: Path
) -> tuple[FakeBotApi, FakeBotApiServer, Application, Callable[[], object]]:
    """The fake Bot API over HTTP and the real bot polling it, on the simulator's database."""
    url = f"sqlite+aiosqlite:///{database}"
    await upgrade_to_head_async(url)
    engine = make_engine(url)
    api = FakeBotApi(
        token=SIMULATOR_TOKEN,
        bot_username="pes21_simulateur_bot",
        limits=Limits(private_chat_rate=20.0, private_chat_burst=20),
    )
    server = FakeBotApiServer(api)
    base_url = await server.start()
    app = build_application(
        config, content, make_session_factory(engine), token=api.token, base_url=base_url
    )
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=5)
    return api, server, app, engine.dispose


async def run_simulator(
    config: Config,
    content: Content,
    lines: AsyncIterator[str] | None = None,
    write: Callable[[str], None] | None = None,
    database: Path = SIMULATOR_DB,
) -> int:
    """Run the interactive simulator until '!quitter' or end of input."""
    out = write or (lambda text: print(text, end="", flush=True))
    api, server, app, dispose = await start_bot(config, content, database)
    simulator = Simulator(api, _personas(api, config), out)
    api.add_listener(simulator.show)
    api.add_answer_listener(simulator.show_answer)
    out(HELP + "\n\nTapez /start pour commencer.\n")
    try:
        async for line in lines or _stdin_lines():
            simulator._arrived.clear()
            outcome = simulator.handle(line)
            if outcome == QUIT:
                break
            if outcome == SENT:
                await simulator.quiet()
    finally:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await server.stop()
        result = dispose()
        if asyncio.iscoroutine(result):
            await result
    out("Au revoir !\n")
    return 0
