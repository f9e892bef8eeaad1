"""Who may ask for figures, and what odd arguments get."""

from __future__ import annotations

import pytest

from tests.harness import Harness
from tests.stats.seed import Seeder

COMMANDS = ["/stats", "/rapport", "/export", "/graphique"]


@pytest.mark.parametrize("command", COMMANDS)
async def test_holders_and_volunteers_are_refused(sqlite_bot: Harness, command: str) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await Seeder(session).person("Vera", telegram_id=7100, role="volunteer")
    for user in (sqlite_bot.holder(), sqlite_bot.api.user(7100, first_name="Vera")):
        user.send_command(command, "2025")
        refused = await user.expect("réservée à l'équipe")
        assert refused.kind == "text"
        await sqlite_bot.settle()
        assert user.unread() == []  # no figure, no file


async def test_odd_arguments_get_a_short_usage(sqlite_bot: Harness) -> None:
    admin = sqlite_bot.admin()
    cases = [
        ("/stats", "abc", "Je n'ai pas compris la période"),
        ("/stats", "2025-13-40 2025-12-31", "Je n'ai pas compris la période"),
        ("/stats", "2025-06-30 2025-01-01", "La date de début doit précéder la date de fin"),
        ("/rapport", "2099", "Cette période n'a pas encore commencé"),
        ("/graphique", "2025 2026 2027", "/graphique 2025-01-01 2025-06-30"),
        ("/export", "2025 pdf", "/export 2025 csv"),
        ("/export", "2025-13-01 2025-12-31 csv", "/export 2025 anonyme"),
    ]
    for command, args, expected in cases:
        admin.send_command(command, args)
        answer = await admin.expect(expected)
        assert answer.kind == "text" and len(answer.text or "") < 400
    await sqlite_bot.settle()
    assert all(m.kind == "text" for m in admin.unread())


async def test_help_and_menu_list_the_figure_commands(sqlite_bot: Harness) -> None:
    admin = sqlite_bot.admin()
    admin.send_command("/aide")
    text = (await admin.expect("Voici ce que vous pouvez")).text or ""
    assert "/stats : Chiffres de l'activité" in text and "/graphique" in text
    menu = sqlite_bot.api.get_commands({"type": "chat", "chat_id": 2002})
    assert menu is not None
    assert {"stats", "rapport", "export", "graphique"} <= {c["command"] for c in menu}
    holder = sqlite_bot.holder()
    holder.send_command("/aide")
    assert "/stats" not in ((await holder.expect("Voici ce que vous pouvez")).text or "")
