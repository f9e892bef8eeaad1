"""A time-out or a 5xx on a button's acknowledgement or edits, and a double press, change nothing.

For every button family: the first answerCallbackQuery, editMessageReplyMarkup and
editMessageText of the press fail (time-out, or 500), and the button is pressed twice before the
bot handles the first press. The state change is recorded once, nobody sees an apology, and no
message is sent twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pes21_bot import buttons, texts
from pes21_bot.db.models import Person, Project, Review, TeamMember, Volunteer
from pes21_bot.domain.assignment import CO_ACCOMPANIMENT_MISSION
from pes21_bot.domain.vocabulary import DlaProposal
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import events
from tests.e2e.cosmetic_helpers import (
    Case,
    Press,
    accompanying,
    both,
    fault_test,
    hello,
    on,
    shows,
)
from tests.e2e.outbox_helpers import apologies, count, send_cards
from tests.e2e.test_cosmetic_faults_features import FEATURE_CASES
from tests.e2e.test_cosmetic_faults_forms import FORM_CASES
from tests.harness import HOLDER_ID, Harness
from tests.volunteers.helpers import (
    CAMILLE,
    KARIM,
    end_by_service,
    events_of,
    review,
    rows,
    seed_project,
    seed_volunteer,
)

REMI = 3001


async def _card(bot: Harness) -> tuple[Project, int]:
    bot.holder()
    project = await seed_project(bot, owner_id=None)
    await send_cards(bot, project)
    card = await bot.staff("Camille").expect(project.reference or "")
    return project, card.message_id


async def _project(bot: Harness, project_id: int) -> Project:
    async with bot.session_factory() as session:
        found = await session.get(Project, project_id)
        assert found is not None
        return found


async def claim(bot: Harness) -> Press:
    project, card = await _card(bot)
    holder = bot.holder()

    async def check() -> None:
        assert (await _project(bot, project.id)).status == "claimed"
        assert await bot.count_events(events.CLAIMED) == 1
        assert count(bot, holder, "est pris en charge par") == 1

    return Press(bot.staff("Camille"), buttons.CLAIM.pack(project.id), card, check, (holder,))


async def close(bot: Harness) -> Press:
    project, card = await _card(bot)
    holder = bot.holder()

    async def check() -> None:
        assert (await _project(bot, project.id)).status == "closed"
        assert await bot.count_events(events.CLOSED) == 1
        assert count(bot, holder, "est clos") == 1

    return Press(
        bot.staff("Camille"), buttons.CLOSE.pack(project.id, "duplicate"), card, check, (holder,)
    )


async def redirect(bot: Harness) -> Press:
    project, card = await _card(bot)
    holder, karim = bot.holder(), bot.staff("Karim")

    async def check() -> None:
        assert (await _project(bot, project.id)).programme == "dla"
        assert await bot.count_events(events.REDIRECTED) == 1
        assert count(bot, karim, project.reference or "") == 1
        assert count(bot, holder, "maintenant confié") == 1

    return Press(
        bot.staff("Camille"), buttons.REDIRECT.pack(project.id, "dla"), card, check, (holder, karim)
    )


async def card_menu(bot: Harness) -> Press:
    project, card = await _card(bot)

    async def check() -> None:
        assert (await _project(bot, project.id)).status == "routed"

    return Press(bot.staff("Camille"), buttons.REDIRECT_MENU.pack(project.id), card, check)


async def _reviews(bot: Harness) -> tuple[int, FakeUser]:
    project = await seed_project(bot)
    await seed_volunteer(bot, REMI, "Rémi")
    await seed_volunteer(bot, 3002, "Sara")
    scheduled = await end_by_service(bot, project, date(2026, 3, 10))
    return scheduled[0].id, bot.api.user(REMI)


async def snooze(bot: Harness) -> Press:
    review_id, remi = await _reviews(bot)
    message = await hello(remi)

    async def check() -> None:
        assert len(await events_of(bot, events.REVIEW_SNOOZED)) == 1

    return Press(remi, buttons.REVIEW.pack("snooze", review_id), message, check)


async def decline(bot: Harness) -> Press:
    review_id, remi = await _reviews(bot)
    message = await hello(remi)
    camille = bot.staff("Camille")

    async def check() -> None:
        assert len(await events_of(bot, events.REVIEW_DECLINED)) == 1
        assert (await review(bot, review_id)).assignee_id != (await _person(bot, REMI)).id
        assert count(bot, camille, "ne peut plus être fait par Rémi") == 1

    return Press(remi, buttons.REVIEW.pack("decline", review_id), message, check, (camille,))


async def _person(bot: Harness, telegram_id: int) -> Person:
    async with bot.session_factory() as session:
        result = await session.execute(select(Person).where(Person.telegram_id == telegram_id))
        return result.scalar_one()


async def remove_volunteer(bot: Harness) -> Press:
    sara = await seed_volunteer(bot, 3002, "Sara")
    admin = bot.admin()
    admin.send_command("/retirer")
    message = await admin.expect("Qui souhaitez-vous retirer")
    volunteer = bot.api.user(3002)

    async def check() -> None:
        assert len(await events_of(bot, events.VOLUNTEER_REMOVED)) == 1
        assert count(bot, volunteer, "participation comme bénévole") == 1

    return Press(
        admin, buttons.REMOVE_CONFIRM.pack(sara.id, "yes"), message.message_id, check, (volunteer,)
    )


async def erase(bot: Harness) -> Press:
    holder = bot.holder()
    await seed_project(bot, owner_id=CAMILLE)
    holder.send_command("/supprimer")
    message = await holder.expect("effacer")

    async def check() -> None:
        async with bot.session_factory() as session:
            found = await session.execute(select(Person).where(Person.telegram_id == HOLDER_ID))
            assert found.scalar_one_or_none() is None
        assert count(bot, camille, "a été effacé à la demande") == 1

    camille = bot.staff("Camille")
    return Press(holder, buttons.ERASE.pack("yes"), message.message_id, check, (camille,))


async def welcome_menu(bot: Harness) -> Press:
    holder = bot.holder()
    holder.send_command("/start")
    message = await holder.expect("Bienvenue")

    async def check() -> None:
        async with bot.session_factory() as session:
            found = await session.execute(select(Person).where(Person.telegram_id == HOLDER_ID))
            assert found.scalar_one_or_none() is None  # the FAQ stores nothing

    faq = shows(bot, holder, "Choisissez une question")
    return Press(holder, buttons.MENU.pack("faq", "-"), message.message_id, both(check, faq))


async def _faq_list(bot: Harness) -> FakeUser:
    holder = bot.holder()
    holder.send_command("/start")
    holder.press(bot.content.render(texts.MENU_FAQ), message=await holder.expect("Bienvenue"))
    await holder.expect("Choisissez une question")
    return holder


async def faq_answer(bot: Harness) -> Press:
    holder = await _faq_list(bot)
    question = bot.content.faq[0].question
    listing = bot.api.messages(holder.id)[-1]
    return on(holder, listing, question, shows(bot, holder, question))


async def my_data_file(bot: Harness) -> Press:
    holder = bot.holder()
    await seed_project(bot, owner_id=None)
    holder.send_command("/mes_donnees")
    summary = await holder.expect("Vos données")

    async def check() -> None:
        files = [m for m in bot.api.messages(holder.id) if m.document is not None]
        assert len(files) == 1

    return on(holder, summary, bot.content.render(texts.MY_DATA_FILE_BUTTON), check)


def _markup(bot: Harness, user: FakeUser, message_id: int) -> str:
    return str(bot.api.bot_message(user.id, message_id).reply_markup)


async def close_menu(bot: Harness) -> Press:
    project, card = await _card(bot)
    camille = bot.staff("Camille")

    async def check() -> None:
        assert "closeas:" in _markup(bot, camille, card)
        assert (await _project(bot, project.id)).status == "routed"

    return Press(camille, buttons.CLOSE_MENU.pack(project.id), card, check)


async def card_back(bot: Harness) -> Press:
    project, card = await _card(bot)
    camille = bot.staff("Camille")
    camille.press_raw(buttons.CLOSE_MENU.pack(project.id), message_id=card)
    await bot.until(lambda: "closeas:" in _markup(bot, camille, card), "the close menu")

    async def check() -> None:
        markup = _markup(bot, camille, card)
        assert "claim:" in markup and "closeas:" not in markup

    return Press(camille, buttons.CARD_BACK.pack(project.id), card, check)


async def team_menu(bot: Harness) -> Press:
    await seed_project(bot, owner_id=CAMILLE)
    camille = bot.staff("Camille")
    camille.send_command("/start")
    menu = await camille.expect("Vous êtes dans l'équipe")
    check = shows(bot, camille, "Vos dossiers ouverts")
    return on(camille, menu, bot.content.render(texts.TEAM_DOSSIERS), check)


async def project_panel(bot: Harness) -> Press:
    project = await seed_project(bot, owner_id=CAMILLE)
    camille = bot.staff("Camille")
    camille.send_command("/dossiers")
    listing = await camille.expect("Vos dossiers ouverts")
    return Press(
        camille,
        buttons.PROJECT.pack(project.id),
        listing.message_id,
        shows(bot, camille, "Suivi par"),
    )


async def _panel(bot: Harness, project: Project) -> tuple[FakeUser, BotMessage]:
    camille = bot.staff("Camille")
    camille.send_command("/dossier", project.reference or "")
    return camille, await camille.expect("Suivi par")


async def project_view(bot: Harness) -> Press:
    project = await seed_project(bot, owner_id=CAMILLE)
    camille, panel = await _panel(bot, project)
    check = shows(bot, camille, "· Réponses")
    return on(camille, panel, bot.content.render(texts.PROJECT_ANSWERS), check)


async def accompaniment_menu(bot: Harness) -> Press:
    project = await seed_project(bot, owner_id=CAMILLE)
    camille, panel = await _panel(bot, project)
    check = shows(bot, camille, "Accompagnement de")
    return Press(camille, buttons.ACCOMPANIMENT.pack(project.id), panel.message_id, check)


async def milestone_menu(bot: Harness) -> Press:
    project = await accompanying(bot)
    camille, panel = await _panel(bot, project)
    check = shows(bot, camille, "Quelle étape de")
    return Press(camille, buttons.ACC_MILESTONES.pack(project.id), panel.message_id, check)


async def _helpers(bot: Harness) -> tuple[Project, FakeUser, BotMessage]:
    project = await accompanying(bot)
    await seed_volunteer(bot, REMI, "Rémi", missions=(CO_ACCOMPANIMENT_MISSION,))
    camille, panel = await _panel(bot, project)
    return project, camille, panel


async def volunteer_menu(bot: Harness) -> Press:
    project, camille, panel = await _helpers(bot)
    check = shows(bot, camille, "accompagne " + (project.reference or "") + " avec vous ?")
    return Press(camille, buttons.ACC_VOLUNTEERS.pack(project.id), panel.message_id, check)


async def volunteer_attach(bot: Harness) -> Press:
    project, camille, panel = await _helpers(bot)
    camille.press_raw(buttons.ACC_VOLUNTEERS.pack(project.id), message_id=panel.message_id)
    listing = await camille.expect("avec vous ?")
    remi = bot.api.user(REMI)

    async def check() -> None:
        assert len(await events_of(bot, events.VOLUNTEER_ATTACHED)) == 1
        assert count(bot, remi, "vous associe à l'accompagnement") == 1
        assert count(bot, camille, "accompagne maintenant") == 1

    return on(camille, listing, "Rémi", check, remi)


async def profile_resume(bot: Harness) -> Press:
    await seed_volunteer(bot, REMI, "Rémi", paused_until=date(2026, 6, 1))
    remi = bot.api.user(REMI)
    remi.send_command("/profil")
    profile = await remi.expect("Votre profil de bénévole")

    async def check() -> None:
        found = await rows(bot, Volunteer)
        assert found[0].paused_until is None

    return on(remi, profile, "▶️ Reprendre", both(check, shows(bot, remi, "Bon retour")))


async def remove_choice(bot: Harness) -> Press:
    await seed_volunteer(bot, 3002, "Sara")
    admin = bot.admin()
    admin.send_command("/retirer")
    message = await admin.expect("Qui souhaitez-vous retirer")
    return on(admin, message, "Sara", shows(bot, admin, "Retirer Sara des bénévoles"))


async def review_go(bot: Harness) -> Press:
    review_id, remi = await _reviews(bot)
    message = await hello(remi)
    check = shows(bot, remi, "Quand avez-vous échangé")
    return Press(remi, buttons.REVIEW.pack("go", review_id), message, check)


async def dla_accept(bot: Harness) -> Press:
    review_id, _ = await _reviews(bot)
    async with bot.session_factory.begin() as session:
        found = await session.get(Review, review_id)
        assert found is not None
        found.dla_state = DlaProposal.PENDING
    karim = bot.staff("Karim")
    message = await hello(karim)

    async def check() -> None:
        assert await bot.count_events(events.DLA_ACCEPTED) == 1
        assert len(await bot.projects()) == 2
        assert count(bot, karim, "Nouveau dossier") == 1

    return Press(karim, buttons.DLA.pack("yes", review_id), message, check)


async def _member(bot: Harness, name: str) -> tuple[FakeUser, BotMessage]:
    admin = bot.admin()
    admin.send_command("/equipe")
    listing = await admin.expect("L'équipe du Pôle")
    admin.press(f"✏️ {name}", message=listing)
    return admin, await admin.expect("Dispositifs :")


async def team_member(bot: Harness) -> Press:
    admin = bot.admin()
    admin.send_command("/equipe")
    listing = await admin.expect("L'équipe du Pôle")
    return on(admin, listing, "✏️ Karim", shows(bot, admin, "Dernière activité"))


async def team_remove(bot: Harness) -> Press:
    admin, panel = await _member(bot, "Karim")
    admin.press("🚪 Retirer de l'équipe", message=panel)
    confirm = await admin.expect("Retirer Karim de l'équipe ?")
    karim = bot.staff("Karim")

    async def check() -> None:
        gone = await rows(bot, TeamMember, TeamMember.telegram_id == KARIM)
        assert [m.removed_at is not None for m in gone] == [True]
        assert count(bot, karim, "Vous ne faites plus partie de l'équipe") == 1
        assert count(bot, admin, "ne fait plus partie de l'équipe") == 1

    return on(admin, confirm, "Oui, retirer", check, karim)


async def team_coordinate(bot: Harness) -> Press:
    admin, panel = await _member(bot, "Léa")
    admin.press("⭐ Coordination", message=panel)
    prompt = await admin.expect("prend-elle ou prend-il la coordination")
    lea = bot.staff("Léa")

    async def check() -> None:
        assert count(bot, lea, "Vous coordonnez maintenant") == 1

    label = next(b for row in prompt.buttons for b in row if b.startswith("⭐"))
    return on(admin, prompt, label, check, lea)


async def team_programme(bot: Harness) -> Press:
    admin, panel = await _member(bot, "Karim")
    admin.press("📂 Dispositifs", message=panel)
    programmes = await admin.expect("touchez pour changer")

    async def check() -> None:
        (member,) = await rows(bot, TeamMember, TeamMember.telegram_id == KARIM)
        assert sorted(member.programmes) == ["benefices_crea", "dla"]
        assert "✅ Bénéfices'Créa" in _markup(bot, admin, programmes.message_id)

    return on(admin, programmes, "➕ Bénéfices'Créa", check)


CASES = {
    "claim": Case(buttons.CLAIM, claim),
    "close": Case(buttons.CLOSE, close),
    "close_menu": Case(buttons.CLOSE_MENU, close_menu),
    "card_back": Case(buttons.CARD_BACK, card_back),
    "redirect": Case(buttons.REDIRECT, redirect),
    "redirect_menu": Case(buttons.REDIRECT_MENU, card_menu),
    "review_go": Case(buttons.REVIEW, review_go),
    "review_snooze": Case(buttons.REVIEW, snooze),
    "review_decline": Case(buttons.REVIEW, decline),
    "dla": Case(buttons.DLA, dla_accept),
    "remove_choice": Case(buttons.REMOVE, remove_choice),
    "remove_volunteer": Case(buttons.REMOVE_CONFIRM, remove_volunteer),
    "profile_resume": Case(buttons.PROFILE, profile_resume),
    "erase": Case(buttons.ERASE, erase),
    "my_data_file": Case(buttons.MY_DATA_FILE, my_data_file),
    "welcome_menu": Case(buttons.MENU, welcome_menu),
    "faq": Case(buttons.FAQ, faq_answer),
    "team_menu": Case(buttons.TEAM_MENU, team_menu),
    "project": Case(buttons.PROJECT, project_panel),
    "project_view": Case(buttons.PROJECT_VIEW, project_view),
    "accompaniment": Case(buttons.ACCOMPANIMENT, accompaniment_menu),
    "milestones": Case(buttons.ACC_MILESTONES, milestone_menu),
    "volunteers": Case(buttons.ACC_VOLUNTEERS, volunteer_menu),
    "volunteer": Case(buttons.ACC_VOLUNTEER, volunteer_attach),
    "team_member": Case(buttons.TEAM, team_member),
    "team_remove": Case(buttons.TEAM, team_remove),
    "team_coordinate": Case(buttons.TEAM_PROGRAMME, team_coordinate),
    "team_programme": Case(buttons.TEAM_PROGRAMME, team_programme),
}


test_failed_cosmetics_and_double_press_change_state_once = fault_test(CASES)


def test_every_button_family_has_a_case() -> None:
    covered = {
        c.family.prefix for c in (*CASES.values(), *FORM_CASES.values(), *FEATURE_CASES.values())
    }
    assert {f.prefix for f in buttons.FAMILIES} - covered == set()


async def test_a_button_on_a_message_gone_answers_anew(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    press = holder.press_raw(
        buttons.MENU.pack("faq", "-"), message_id=424242
    )  # "message to edit not found"
    await sqlite_bot.button_answer(press)
    await holder.expect("Choisissez une question")
    assert apologies(sqlite_bot, holder) == []


async def test_a_press_after_the_first_was_handled_is_not_a_double_tap(sqlite_bot: Harness) -> None:
    press = await project_panel(sqlite_bot)
    camille = press.user
    camille.press_raw(press.data, message_id=press.message_id)
    await camille.expect("Suivi par")
    camille.press_raw(press.data, message_id=press.message_id)  # later: the panel again
    await camille.expect("Suivi par")
