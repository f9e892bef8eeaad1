"""No internal code in front of a person: the stats, exports, personal-data and main staff and
holder scenarios, recorded through the fake Bot API, show no code of the registries."""

from __future__ import annotations

from pes21_bot.content import Content
from pes21_bot.fake_telegram import BotMessage
from pes21_bot.labels import CODES_LIST, event_label, value_label
from pes21_bot.services import events, recorded
from tests.agenda.helpers import open_agenda, seed_event
from tests.codescan import CodeRecorder, known_codes
from tests.e2e.flows import submit_idea
from tests.harness import Harness, make_api
from tests.stats.scenario import seed_scenario


async def test_scenarios_show_no_internal_code(sqlite_bot: Harness) -> None:
    """A holder's intake, event sign-up and data file, staff's card and history, admins' /stats
    and exports, the help of the commands that take names."""
    bot = sqlite_bot
    recorder = CodeRecorder(bot.api)
    async with bot.session_factory.begin() as session:
        await seed_scenario(session)
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.press("✋ Je prends", message=card)
    await holder.expect("pris en charge")
    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("Suivi par : Camille")
    camille.press("🕓 Historique", message=panel)
    await camille.expect("· Historique")
    camille.press("⬅️ Retour au dossier", message=panel)
    await camille.expect("Suivi par : Camille")
    camille.press("📋 Réponses", message=panel)
    await camille.expect("· Réponses")
    await seed_event(bot)
    await open_agenda(holder, "Atelier Émergence de mars")
    holder.press("✍️ S'inscrire : 20/03 Atelier Émergence de mars")
    await holder.expect("inscrit·e à l'événement")
    holder.send_command("/suivi")
    await holder.expect("PES-2026-0001")
    holder.send_command("/mes_donnees")
    summary = await holder.expect("Vos données gardées par le Pôle")
    holder.press("📄 Recevoir le fichier", message=summary)
    await holder.expect("")  # the JSON file
    admin = bot.admin()
    for args, sent in (
        ("2025", "Statistiques"),
        ("2025-01-01 2025-06-30", "Statistiques"),
    ):
        admin.send_command("/stats", args)
        await admin.expect(sent)
    for args, sent in (("2025", "(XLSX)"), ("2025-01-01 2025-06-30 CSV", "(CSV)")):
        admin.send_command("/export", args)
        await admin.expect(sent)
    for command in ("/orientation_test", "/invitation"):
        admin.send_command(command, "")
        await admin.next_message()
    admin.send_command("/invitation", "salarie")
    await admin.next_message()
    await bot.settle()

    shown = recorder.codes_shown(known_codes(bot.content))
    assert not shown, "\n".join(shown)


def test_every_event_kind_and_source_has_a_french_label(content: Content) -> None:
    """Each event kind and each source of a recorded dossier has its label in contenus/."""
    named = set(content.lists[CODES_LIST])  # a label may be the code itself ("permanence")
    kinds = [v for k, v in vars(events).items() if k.isupper() and isinstance(v, str)]
    assert [k for k in kinds if event_label(content, k) == k and k not in named] == []
    sources = recorded.SOURCES
    assert [s for s in sources if value_label(content, "source", s) == s and s not in named] == []


def test_the_scan_knows_the_codes_and_finds_them(content: Content) -> None:
    """The scan is not vacuous: registry codes are known, French words are not, and a code in a
    button or a sent file is found."""
    codes = known_codes(content)
    assert {"benefices_crea", "agenda_registered", "telephone", "part_time", "given"} <= codes
    assert not {"commune", "dossier", "association"} & codes
    recorder = CodeRecorder(make_api())
    markup = {"inline_keyboard": [[{"text": "Temps : part_time", "callback_data": "x"}]]}
    recorder.messages.append(
        BotMessage(chat_id=1, message_id=1, date=0, kind="text", text="ok", reply_markup=markup)
    )
    recorder.answers.append("Source : telephone")
    found = recorder.codes_shown(codes)
    assert [f.split(" in ")[0] for f in found] == ["part_time", "telephone"]
