"""Reusable conversations: what a holder types to reach a given point."""

from __future__ import annotations

from pes21_bot.fake_telegram import BotMessage, FakeUser

# A mature idea: structuring, 3 people, SCOP, 2 jobs, full time -> Bénéfices'Créa.
MATURE_IDEA: list[tuple[str, str]] = [
    ("text", "Zoé Martin"),
    ("text", "zoe@example.org"),
    ("text", "06 12 34 56 78"),
    ("text", "21000"),
    ("text", "Dijon"),
    ("text", "Une recyclerie solidaire qui emploie des personnes éloignées de l'emploi."),
    ("press", "Environnement, réemploi"),
    ("press", "Le projet se structure"),
    ("text", "3"),
    ("press", "SCOP"),
    ("toggle", "Financement"),
    ("toggle", "Recrutement"),
    ("press", "✔️ Valider"),
    ("text", "2"),
    ("press", "Temps plein"),
]

# An early idea: alone, no legal form yet, no job -> accueil en amont (volunteers).
EARLY_IDEA: list[tuple[str, str]] = [
    ("text", "Paul Durand"),
    ("press", "Passer"),
    ("text", "0612345679"),
    ("text", "21200"),
    ("text", "Beaune"),
    ("text", "Un café associatif pour les habitant·es du quartier, avec des ateliers."),
    ("press", "Culture, arts"),
    ("press", "C'est une idée"),
    ("text", "1"),
    ("press", "Je ne sais pas encore"),
    ("toggle", "Réseau"),
    ("press", "✔️ Valider"),
    ("text", "0"),
    ("press", "Quelques heures par semaine"),
]


async def next_text(user: FakeUser) -> BotMessage:
    """The next bot message in this chat."""
    return await user.next_message()


async def expect_question(user: FakeUser) -> BotMessage:
    """Consume messages until the next numbered question or the recap."""
    while True:
        message = await user.next_message()
        if message.edited:
            continue  # the answered question, shown with its answer
        if message.text and ("Question " in message.text or "Récapitulatif" in message.text):
            return message


async def start_path(user: FakeUser, menu_label: str, source: str = "") -> BotMessage:
    """/start, choose a menu entry, accept the consent; returns the first question."""
    user.send_command("/start", source)
    await user.expect("Bienvenue")
    user.press(menu_label)
    await user.expect("Acceptez-vous")
    user.press("✅ J'accepte")
    return await expect_question(user)


async def answer(user: FakeUser, steps: list[tuple[str, str]]) -> BotMessage:
    """Play answers; returns the message after the last step (a question or the recap)."""
    last: BotMessage | None = None
    for kind, value in steps:
        if kind == "text":
            user.send_text(value)
            last = await expect_question(user)
        elif kind == "press":
            user.press(value)
            last = await expect_question(user)
        elif kind == "toggle":
            user.press(value)
            await user.next_message()  # the same question, edited with the tick
    assert last is not None
    return last


async def submit_idea(user: FakeUser, steps: list[tuple[str, str]] | None = None) -> BotMessage:
    """A whole idea intake, sent; returns the holder's confirmation."""
    await start_path(user, "💡 J'ai une idée de projet")
    await answer(user, steps or MATURE_IDEA)
    user.press("📨 Envoyer")
    return await user.expect("Votre dossier est enregistré")
