"""Terminal simulator: chat with the bot as any persona, over the local fake Bot API.

It needs no token and never touches production data: its database is `data/simulateur.db`,
its backups, its state and the files the bot sends go to `data/simulateur/`.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from telegram.ext import Application

from pes21_bot.app import build_application
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.migrate import upgrade_to_head_async
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.fake_telegram import BotMessage, FakeBotApi, FakeBotApiServer, FakeUser, Limits
from pes21_bot.fake_telegram.models import JSONDict
from pes21_bot.jobs import dispatch_due_reminders, plan_reminders
from pes21_bot.services import reminders

SIMULATOR_DB = Path("data/simulateur.db")
SIMULATOR_FOLDER = Path("data/simulateur")  # backups, state, files the bot sends
SIMULATOR_TOKEN = "100000:SIMULATEUR"
HOLDER_ID = 700001
VOLUNTEER_ID = 700002
QUIET_SECONDS = 0.3
MAX_WAIT_SECONDS = 5.0
QUIT, LOCAL, SENT = "quit", "local", "sent"
PRESS_RE = re.compile(r"^#(\d{1,6})\s+(\d{1,3})$")
REPLY_RE = re.compile(r"^!repondre\s+(\d{1,6})\s+(.+)$", re.DOTALL)
DELAY_RE = re.compile(r"^(\d{1,4})\s*(j|h|min)$")
STEP = timedelta(hours=1)  # `!avance`: the clock never jumps further between two job runs
MAX_STEPS = 24 * 400
UNITS = {"j": timedelta(days=1), "h": timedelta(hours=1), "min": timedelta(minutes=1)}

# The simulator's own words: a terminal tool for the Pôle's people, so French like the bot.
HELP = """Simulateur du bot PES 21 : vous écrivez comme sur Telegram.
  texte ou /commande  : envoyer un message au bot
  un numéro (ex. 2)   : appuyer sur le bouton n°2 du dernier message ; s'il n'a pas
                        ce bouton, le numéro est envoyé comme réponse (ex. « Combien ? »)
  #12 2               : appuyer sur le bouton n°2 du message n°12 (le numéro #12 est
                        affiché devant chaque message du bot)
  !repondre 12 texte  : répondre au message n°12 (« Répondre » de Telegram)
  !fichier chemin     : envoyer un fichier (ex. un tableur pour /import)
  !contact            : partager votre numéro de téléphone
  !photo              : envoyer une photo
  !avance 8j          : avancer l'horloge du bot (8j, 3h, 30min) et envoyer les rappels dus
  !modifier N texte   : modifier votre N-ième dernier message écrit (1 : le dernier),
                        comme « Modifier » sur Telegram
  !persona NOM        : changer de rôle (porteur, benevole, salarie, admin)
  !aide               : cette aide        !quitter : sortir
Un message pour quelqu'un d'autre que vous est marqué [pour NOM] ; une modification
d'un message est affichée « #12 modifié ». Les fichiers envoyés par le bot et les
sauvegardes du simulateur vont dans {folder}/."""


class ShiftedClock:
    """The wall clock moved forward by `!avance`, so reminders fall due as days pass."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """The current time plus every advance so far, in UTC."""
        return datetime.now(UTC) + self.offset


def parse_delay(text: str) -> timedelta | None:
    """'8j', '3h', '30min' as a duration; None if it is not one."""
    match = DELAY_RE.match(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        return None
    return int(match.group(1)) * UNITS[match.group(2)]


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
    folder: Path = SIMULATOR_FOLDER
    names: dict[int, str] = field(default_factory=dict)  # other chats: whom they belong to
    clock: ShiftedClock = field(default_factory=ShiftedClock)
    app: Application | None = None
    current: str = "porteur"
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # Each persona's typed messages (the updates that sent them), for !modifier.
    typed: dict[str, list[JSONDict]] = field(default_factory=dict)

    def recipient(self, chat_id: int) -> str | None:
        """Whom a message in this chat is for, when it is not the persona being played."""
        if chat_id == self.persona.user.id:
            return None
        owner = next((p for p in self.personas.values() if p.user.id == chat_id), None)
        if owner is not None:
            return owner.label
        if chat_id < 0:
            return f"groupe {chat_id}"
        return self.names.get(chat_id, f"chat {chat_id}")

    def show(self, message: BotMessage) -> None:
        """Print a bot message with its number; messages for someone else carry their name."""
        self._arrived.set()
        recipient = self.recipient(message.chat_id)
        tag = "" if recipient is None else f"[pour {recipient}] "
        number = f"#{message.message_id}"
        edited = f"{number} modifié : " if message.edited else f"{number} "
        same_text = bool(message.history) and message.history[-1].text == message.text
        body = "(boutons mis à jour)" if message.edited and same_text else message.content
        if message.deleted:
            body = "(supprimé)"
        lines = [f"\n🤖 {tag}{edited}{body}"]
        if message.document is not None:
            lines.append(f"   📎 fichier : {message.document.filename}")
            if not message.edited:
                lines.append(f"      enregistré : {self.save(message)}")
        if message.photo is not None:
            lines.append("   🖼️ image")
        number_of_button = 0
        for row in message.buttons:
            labels = []
            for label in row:
                number_of_button += 1
                labels.append(f"[{number_of_button}] {label}")
            lines.append("   " + "   ".join(labels))
        self.write("\n".join(lines) + "\n")

    def save(self, message: BotMessage) -> Path | str:
        """Write a file the bot sent into the simulator's folder; its path."""
        document = message.document
        assert document is not None
        if document.content is None:
            return "(contenu indisponible)"
        folder = self.folder / "fichiers"
        folder.mkdir(parents=True, exist_ok=True)
        name = Path(document.filename or "fichier").name
        path = folder / f"{message.chat_id}-{message.message_id}-{name}"
        path.write_bytes(document.content)
        return path

    def show_answer(self, user_id: int, text: str) -> None:
        """Print the bot's short answer to a button press (Telegram shows it as a toast)."""
        if user_id == self.persona.user.id:
            self._arrived.set()
            self.write(f"   💬 {text}\n")

    @property
    def persona(self) -> Persona:
        """The persona being played."""
        return self.personas[self.current]

    def press(self, number: int, message_id: int | None = None) -> bool:
        """Press button n° `number` of message `message_id` (default: the latest one)."""
        user = self.persona.user
        alive = [m for m in user.messages if not m.deleted]
        if message_id is None:
            latest = alive[-1] if alive else None
        else:
            latest = next((m for m in alive if m.message_id == message_id), None)
        if latest is None:
            return False
        if latest.has_inline_keyboard:
            flat = [button for row in latest.inline_buttons for button in row]
            if not 1 <= number <= len(flat):
                return False
            user.press(str(flat[number - 1].get("callback_data", "")), message=latest)
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

    def send_file(self, raw: str) -> bool:
        """`!fichier chemin`: send that file as a document."""
        path = Path(raw.strip()).expanduser()
        if not raw.strip() or not path.is_file():
            self.write(f"Fichier introuvable : {raw.strip() or '(aucun chemin)'}\n")
            return False
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.persona.user.send_document(path.name, path.read_bytes(), mime)
        return True

    def reply_to(self, message_id: int, text: str) -> bool:
        """`!repondre 12 texte`: answer message 12 like Telegram's 'Répondre'."""
        user = self.persona.user
        if not any(m.message_id == message_id and not m.deleted for m in user.messages):
            self.write(f"Pas de message n°{message_id} ici.\n")
            return False
        user.send_text(text, reply_to=message_id)
        return True

    async def advance(self, raw: str) -> str:
        """`!avance 8j`: move the bot's clock, sending reminders at the moments they fall due."""
        delay = parse_delay(raw)
        if delay is None:
            self.write(
                "Durée non comprise : écrivez par exemple !avance 8j, !avance 3h, !avance 30min\n"
            )
            return LOCAL
        sent = await self.travel(delay) if self.app is not None else 0
        local = self.clock.now().astimezone(self.persona_tz)
        self.write(f"⏩ Horloge du bot : {local:%d/%m/%Y %H:%M} ; {sent} rappel(s) envoyé(s)\n")
        return SENT if sent else LOCAL

    async def travel(self, delay: timedelta) -> int:
        """Step the clock to each moment a reminder falls due (at most an hour at a time, as
        the planner scans), running the reminder job there; the number of reminders sent."""
        assert self.app is not None
        data = self.app.bot_data
        target = self.clock.now() + delay
        sent = 0
        for _ in range(MAX_STEPS):
            await plan_reminders(self.app)
            sent += (await dispatch_due_reminders(self.app)).claimed
            now = self.clock.now()
            if now >= target:
                break
            horizon = min(target, now + STEP)
            async with data.session_factory() as session:
                due = await reminders.next_due(session, data.config, now, horizon)
            self.clock.offset += (due or horizon) - now
        return sent

    @property
    def persona_tz(self) -> tzinfo:
        """The bot's time zone, for the clock shown after `!avance`."""
        return self.app.bot_data.config.tz if self.app is not None else UTC

    async def handle(self, line: str) -> str:
        """Act on one typed line: QUIT, LOCAL (answered here) or SENT (the bot will answer)."""
        text = line.strip()
        user = self.persona.user
        if text in ("!quitter", "!q"):
            return QUIT
        if not text:
            return LOCAL
        press = PRESS_RE.match(text)
        reply = REPLY_RE.match(text)
        if text == "!aide":
            self.write(HELP.format(folder=self.folder) + "\n")
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
        elif text.startswith("!fichier"):
            return SENT if self.send_file(text.removeprefix("!fichier")) else LOCAL
        elif text.startswith("!avance"):
            return await self.advance(text.removeprefix("!avance"))
        elif reply is not None:
            return SENT if self.reply_to(int(reply.group(1)), reply.group(2)) else LOCAL
        elif press is not None:
            if self.press(int(press.group(2)), int(press.group(1))):
                return SENT
            self.write(f"Pas de bouton n°{press.group(2)} sur le message n°{press.group(1)}.\n")
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


def simulator_config(config: Config, folder: Path) -> Config:
    """config.yaml with the simulator's own folders: its backups never prune the real ones."""
    operations = config.operations.model_copy(
        update={
            "backup_dir": str(folder / "sauvegardes"),
            "heartbeat_dir": str(folder / "etat"),
        }
    )
    return config.model_copy(update={"operations": operations})


def team_names(config: Config) -> dict[int, str]:
    """The team's chats by id, to tag the messages they receive."""
    return {member.id: member.name for member in [*config.staff, *config.admins]}


async def start_bot(
    config: Config,
    content: Content,
    database: Path,
    clock: ShiftedClock | None = None,
    opened: Callable[[FakeBotApi], object] | None = None,
) -> tuple[FakeBotApi, FakeBotApiServer, Application, Callable[[], object]]:
    """The fake Bot API over HTTP and the real bot polling it, on the simulator's database.

    `opened` creates the chats that exist before the bot starts (the personas, the team), so
    its start-up (the team's command menus) finds them.
    """
    url = f"sqlite+aiosqlite:///{database}"
    await upgrade_to_head_async(url)
    engine = make_engine(url)
    api = FakeBotApi(
        token=SIMULATOR_TOKEN,
        bot_username="pes21_simulateur_bot",
        limits=Limits(private_chat_rate=20.0, private_chat_burst=20),
    )
    if opened is not None:
        opened(api)
    server = FakeBotApiServer(api)
    base_url = await server.start()
    app = build_application(
        config,
        content,
        make_session_factory(engine),
        token=api.token,
        base_url=base_url,
        base_file_url=server.base_file_url,  # files people send (!fichier) are fetched here
        clock=clock,
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
    folder: Path = SIMULATOR_FOLDER,
) -> int:
    """Run the interactive simulator until '!quitter' or end of input."""
    out = write or (lambda text: print(text, end="", flush=True))
    config = simulator_config(config, folder)
    clock = ShiftedClock()
    personas: dict[str, Persona] = {}

    def opened(api: FakeBotApi) -> None:
        personas.update(_personas(api, config))

    api, server, app, dispose = await start_bot(config, content, database, clock, opened)
    simulator = Simulator(api, personas, out, folder, team_names(config), clock, app)
    api.add_listener(simulator.show)
    api.add_answer_listener(simulator.show_answer)
    out(HELP.format(folder=folder) + "\n\nTapez /start pour commencer.\n")
    try:
        async for line in lines or _stdin_lines():
            simulator._arrived.clear()
            outcome = await simulator.handle(line)
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
