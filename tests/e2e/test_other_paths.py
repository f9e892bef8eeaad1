"""The DLA, local-authority and CRDVA paths, the volunteer, agenda and FAQ menu entries."""

from __future__ import annotations

import pytest

from tests.e2e.flows import answer, start_path
from tests.harness import Harness

PATHS = [
    (
        "🏢 Consolider ma structure employeuse (DLA)",
        [
            ("text", "La Recyclerie du Val"),
            ("text", "Sam Leroy, coordinateur"),
            ("text", "contact@recyclerie.example"),
            ("text", "Passer"),
            ("text", "21000"),
            ("text", "Dijon"),
            ("press", "Association"),
            ("text", "12"),
            ("text", "Nous devons consolider deux postes en fin d'aide et revoir notre modèle."),
        ],
        "au DLA",
        "Karim",
    ),
    (
        "🏛️ Je représente une collectivité",
        [
            ("text", "Commune de Saulieu"),
            ("text", "Anne Roy, adjointe"),
            ("press", "Passer"),
            ("text", "03 80 11 22 33"),
            ("text", "21210"),
            ("text", "Saulieu"),
            ("text", "Plus aucun commerce alimentaire au centre : une épicerie solidaire ?"),
        ],
        "au Générateur BFC",
        "Léa",
    ),
    (
        "🤝 Conseil pour mon association",
        [
            ("text", "Les Amis du Lavoir"),
            ("text", "Jo Bernard"),
            ("text", "jo@lavoir.example"),
            ("text", "Passer"),
            ("text", "21160"),
            ("text", "Marsannay"),
            ("press", "Non"),
            ("press", "Gouvernance, statuts"),
            ("text", "Comment modifier nos statuts pour accueillir un collège de bénévoles ?"),
        ],
        "au CRDVA",
        "Léa",
    ),
]


@pytest.mark.parametrize(("menu", "steps", "programme", "staff"), PATHS)
async def test_each_path_reaches_its_programme(
    bot: Harness, menu: str, steps: list[tuple[str, str]], programme: str, staff: str
) -> None:
    holder = bot.holder()
    await start_path(holder, menu)
    recap = await answer(holder, steps)
    assert "Récapitulatif" in (recap.text or "")
    holder.press("📨 Envoyer")
    done = await holder.expect("PES-2026-0001")
    assert f"confié {programme}" in (done.text or "")  # "au DLA", never "à le DLA"
    card = await bot.staff(staff).expect("PES-2026-0001")
    assert "Maturité" not in (card.text or "")  # only ideas are scored
    (project,) = await bot.projects()
    assert project.status == "routed"


async def test_menu_volunteer_agenda_and_faq(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press("🙋 Devenir bénévole")
    await holder.expect("code d'invitation")
    holder.press("⬅️ Menu")
    await holder.expect("Que souhaitez-vous faire")
    holder.press("📅 Prochains ateliers")
    agenda = await holder.expect("Prochains ateliers")
    assert "08/12/2026" in (agenda.text or "")  # the clock is in March 2026: all are upcoming
    sqlite_bot.clock.set(sqlite_bot.clock.now().replace(month=12, day=20))
    holder.press("⬅️ Menu")
    await holder.expect("Que souhaitez-vous faire")
    holder.press("📅 Prochains ateliers")
    later = await holder.expect("Prochains ateliers")
    assert "08/12/2026" not in (later.text or "")  # past workshops are not shown
    assert "19/01/2027" in (later.text or "")
    holder.press("⬅️ Menu")
    await holder.expect("Que souhaitez-vous faire")
    holder.press("❓ Questions fréquentes")
    await holder.expect("Choisissez une question")
    holder.press("L'accompagnement est-il payant ?")
    faq = await holder.expect("gratuits")
    assert "payant" in (faq.text or "")
    assert await sqlite_bot.projects() == []
