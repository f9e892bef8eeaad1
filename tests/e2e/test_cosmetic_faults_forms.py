"""Cosmetic faults and double presses on the questionnaire's and the short forms' buttons.

The same press as tests/e2e/test_cosmetic_faults.py (see tests/e2e/cosmetic_helpers.py), for the
intake (welcome draft, consent, answers, recap, cancel) and the short forms (accompaniment,
volunteer profile).
"""

from __future__ import annotations

from pes21_bot import buttons
from pes21_bot.db.models import FormDraft, Project, Volunteer
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import accompaniment, events
from pes21_bot.services.people import UserInfo
from tests.e2e.cosmetic_helpers import (
    Case,
    Check,
    Press,
    accompanying,
    both,
    fault_test,
    labels_of,
    on,
    shows,
    toggling,
    validating,
)
from tests.e2e.flows import MATURE_IDEA, answer, start_path
from tests.e2e.outbox_helpers import count
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, rows, seed_project, seed_volunteer

IDEA = "💡 J'ai une idée de projet"
REMI = 3001


async def _draft(bot: Harness) -> Project:
    (project,) = await bot.projects()
    return project


def _answered(bot: Harness, question: str, value: object) -> Check:
    async def check() -> None:
        assert (await _draft(bot)).answers.get(question) == value

    return check


def _first(message: BotMessage, starting: str) -> str:
    return next(b for row in message.buttons for b in row if b.startswith(starting))


async def consent(bot: Harness) -> Press:
    holder = bot.holder()
    holder.send_command("/start")
    holder.press(IDEA, message=await holder.expect("Bienvenue"))
    screen = await holder.expect("Acceptez-vous")

    async def check() -> None:
        assert await bot.count_events(events.CONSENT_GIVEN) == 1

    return on(holder, screen, "✅ J'accepte", both(check, shows(bot, holder, "Question 1/13")))


async def _at(bot: Harness, steps: int) -> tuple[FakeUser, BotMessage]:
    holder = bot.holder()
    question = await start_path(holder, IDEA)
    if steps:
        question = await answer(holder, MATURE_IDEA[:steps])
    return holder, question


async def resume(bot: Harness) -> Press:
    holder, _ = await _at(bot, 2)
    holder.send_command("/start")
    offer = await holder.expect("Vous avez un questionnaire en cours")
    return on(holder, offer, "▶️ Reprendre", shows(bot, holder, "Question 3/13"))


async def restart(bot: Harness) -> Press:
    holder, _ = await _at(bot, 2)
    holder.send_command("/start")
    offer = await holder.expect("Vous avez un questionnaire en cours")

    async def check() -> None:
        assert [p.status for p in await bot.projects()] == ["abandoned", "draft"]

    return on(holder, offer, "🔄 Recommencer", both(check, shows(bot, holder, "Question 1/13")))


async def choice(bot: Harness) -> Press:
    holder, sector = await _at(bot, 6)
    check = both(_answered(bot, "sector", "environment"), shows(bot, holder, "Question 8/13"))
    return on(holder, sector, "Environnement, réemploi", check)


async def _needs(bot: Harness) -> tuple[FakeUser, BotMessage]:
    return await _at(bot, 10)


async def skip(bot: Harness) -> Press:
    holder, email = await _at(bot, 1)
    check = both(_answered(bot, "email", None), shows(bot, holder, "Question 3/13"))
    return on(holder, email, "Passer", check)


async def _recap(bot: Harness) -> tuple[FakeUser, BotMessage]:
    holder, recap = await _at(bot, len(MATURE_IDEA))
    assert "Récapitulatif" in (recap.text or "")
    return holder, recap


async def edit(bot: Harness) -> Press:
    holder, recap = await _recap(bot)
    return on(holder, recap, _first(recap, "✏️"), shows(bot, holder, "votre prénom et votre nom"))


async def send(bot: Harness) -> Press:
    holder, recap = await _recap(bot)
    camille = bot.staff("Camille")

    async def check() -> None:
        assert await bot.count_events(events.INTAKE_COMPLETED) == 1
        assert count(bot, holder, "Votre dossier est enregistré") == 1
        assert count(bot, camille, "PES-2026-0001") == 1

    # The recap's button packs "save"; buttons.RECAP names the same press "send".
    draft = (await _draft(bot)).id
    return Press(holder, buttons.RECAP.pack(draft, "send"), recap.message_id, check, (camille,))


async def cancel(bot: Harness) -> Press:
    holder, _ = await _at(bot, 2)
    holder.send_command("/annuler")
    confirm = await holder.expect("Voulez-vous vraiment abandonner")

    async def check() -> None:
        assert [p.status for p in await bot.projects()] != ["draft"]

    return on(holder, confirm, "Oui, abandonner", both(check, shows(bot, holder, "abandonné")))


async def _panel(bot: Harness, project: Project) -> tuple[Project, FakeUser, BotMessage]:
    camille = bot.staff("Camille")
    camille.send_command("/dossier", project.reference or "")
    return project, camille, await camille.expect("Suivi par")


async def _claimed(bot: Harness) -> tuple[Project, FakeUser, BotMessage]:
    return await _panel(bot, await seed_project(bot, owner_id=CAMILLE))


async def _accompanying(bot: Harness) -> tuple[Project, FakeUser, BotMessage]:
    return await _panel(bot, await accompanying(bot))


async def acc_start(bot: Harness) -> Press:
    project, camille, panel = await _claimed(bot)
    check = shows(bot, camille, "l'accompagnement a-t-il commencé")
    return Press(camille, buttons.ACC_START.pack(project.id), panel.message_id, check)


async def _start_form(bot: Harness) -> tuple[FakeUser, BotMessage]:
    project, camille, panel = await _claimed(bot)
    camille.press_raw(buttons.ACC_START.pack(project.id), message_id=panel.message_id)
    return camille, await camille.expect("l'accompagnement a-t-il commencé")


async def form_choice(bot: Harness) -> Press:
    camille, question = await _start_form(bot)

    async def check() -> None:  # a form without recap: stored at its answer
        assert await bot.count_events(events.ACCOMPANIMENT_STARTED) == 1
        assert count(bot, camille, "a démarré le") == 1

    return on(camille, question, _first(question, "Aujourd'hui"), check)


async def _end_recap(bot: Harness) -> tuple[FakeUser, BotMessage]:
    project, camille, panel = await _accompanying(bot)
    camille.press_raw(buttons.ACC_END.pack(project.id), message_id=panel.message_id)
    camille.press("En pause", message=await camille.expect("Comment se termine"))
    ended = await camille.expect("s'est-il terminé")
    camille.press(_first(ended, "Aujourd'hui"), message=ended)
    return camille, await camille.expect("Récapitulatif : Fin de l'accompagnement")


async def form_save(bot: Harness) -> Press:
    camille, recap = await _end_recap(bot)
    holder = bot.holder()

    async def check() -> None:
        assert await bot.count_events(events.ACCOMPANIMENT_ENDED) == 1
        assert count(bot, camille, "est clos (En pause)") == 1
        assert count(bot, holder, "est terminé") == 1

    return on(camille, recap, "✅ Enregistrer", check, holder)


async def form_edit(bot: Harness) -> Press:
    camille, recap = await _end_recap(bot)
    check = shows(bot, camille, "s'est-il terminé")
    return on(camille, recap, "✏️ Date de fin", check)


async def milestone(bot: Harness) -> Press:
    project, camille, panel = await _accompanying(bot)
    camille.press_raw(buttons.ACC_MILESTONES.pack(project.id), message_id=panel.message_id)
    menu = await camille.expect("Quelle étape de")
    return on(
        camille, menu, menu.buttons[0][0], shows(bot, camille, "cette étape a-t-elle eu lieu")
    )


async def acc_end(bot: Harness) -> Press:
    project, camille, panel = await _accompanying(bot)
    check = shows(bot, camille, "Comment se termine l'accompagnement")
    return Press(camille, buttons.ACC_END.pack(project.id), panel.message_id, check)


async def acc_fix(bot: Harness) -> Press:
    project, camille, panel = await _accompanying(bot)
    check = shows(bot, camille, "Quelle est la bonne date de début")
    return Press(camille, buttons.ACC_FIX.pack(project.id, "start"), panel.message_id, check)


async def _with_step(bot: Harness) -> tuple[Project, FakeUser, BotMessage]:
    """An accompaniment running since today, with one recorded step."""
    project = await accompanying(bot)
    now = bot.clock.now()
    (first, *_) = accompaniment.milestones_for(bot.config, project.programme)
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        answers = {"milestone": first, "on": now.date().isoformat()}
        await accompaniment.record_milestone(session, fresh, answers, UserInfo(CAMILLE, "C"), now)
    return await _panel(bot, project)


async def acc_fix_steps(bot: Harness) -> Press:
    project, camille, panel = await _with_step(bot)
    check = shows(bot, camille, "Quelle étape corriger")
    return Press(camille, buttons.ACC_FIX.pack(project.id, "steps"), panel.message_id, check)


async def acc_fix_step(bot: Harness) -> Press:
    project, camille, panel = await _with_step(bot)
    camille.press_raw(buttons.ACC_FIX.pack(project.id, "steps"), message_id=panel.message_id)
    listing = await camille.expect("Quelle étape corriger")
    check = shows(bot, camille, "bonne date de cette étape")
    return on(camille, listing, listing.buttons[0][0], check)


async def _profile(bot: Harness) -> tuple[FakeUser, BotMessage]:
    await seed_volunteer(bot, REMI, "Rémi")
    remi = bot.api.user(REMI)
    remi.send_command("/profil")
    return remi, await remi.expect("Votre profil de bénévole")


async def profile_form(bot: Harness) -> Press:
    remi, profile = await _profile(bot)
    return on(remi, profile, "🎯 Mes missions", shows(bot, remi, "Quelles missions"))


async def _missions(bot: Harness) -> tuple[FakeUser, BotMessage]:
    remi, profile = await _profile(bot)
    remi.press("🎯 Mes missions", message=profile)
    return remi, await remi.expect("Quelles missions")


def _saved(bot: Harness, remi: FakeUser) -> Check:
    async def check() -> None:
        drafts = await rows(bot, FormDraft)
        assert drafts == [], [(d.kind, d.answers) for d in drafts]  # stored, the draft gone

    return both(check, shows(bot, remi, "C'est enregistré"))


async def form_toggle(bot: Harness) -> Press:
    remi, question = await _missions(bot)
    label = next(b for row in question.buttons for b in row if "Bilans" in b)

    async def check() -> None:
        labels = labels_of(bot, remi, question.message_id)
        assert label not in labels, labels  # changed once, not changed then changed back

    return on(remi, question, label, check)


async def form_validate(bot: Harness) -> Press:
    remi, question = await _missions(bot)
    remi.press("Vie associative", message=question)
    ticked = await remi.expect("Quelles missions")  # the same question, with the tick

    async def check() -> None:
        (volunteer,) = await rows(bot, Volunteer)
        assert volunteer.missions == ["associative_life"]

    return on(remi, ticked, "✔️ Valider", both(check, _saved(bot, remi)))


async def form_skip(bot: Harness) -> Press:
    remi, profile = await _profile(bot)
    remi.press("📅 Mes jours", message=profile)
    question = await remi.expect("Quels jours")
    return on(remi, question, "Passer", _saved(bot, remi))


FORM_CASES = {
    "consent": Case(buttons.CONSENT, consent),
    "resume": Case(buttons.DRAFT, resume),
    "restart": Case(buttons.DRAFT, restart),
    "choice": Case(buttons.ANSWER, choice),
    "toggle": Case(buttons.TOGGLE, toggling(_needs)),
    "validate": Case(buttons.VALIDATE, validating(_needs, _answered, "Question 12/13")),
    "skip": Case(buttons.SKIP, skip),
    "edit": Case(buttons.EDIT, edit),
    "send": Case(buttons.RECAP, send),
    "cancel": Case(buttons.CANCEL, cancel),
    "acc_start": Case(buttons.ACC_START, acc_start),
    "milestone": Case(buttons.ACC_MILESTONE, milestone),
    "acc_end": Case(buttons.ACC_END, acc_end),
    "acc_fix": Case(buttons.ACC_FIX, acc_fix),
    "acc_fix_steps": Case(buttons.ACC_FIX, acc_fix_steps),
    "acc_fix_step": Case(buttons.ACC_FIX_STEP, acc_fix_step),
    "form_choice": Case(buttons.FORM_ANSWER, form_choice),
    "form_save": Case(buttons.FORM_RECAP, form_save),
    "form_edit": Case(buttons.FORM_EDIT, form_edit),
    "profile_form": Case(buttons.PROFILE, profile_form),
    "form_toggle": Case(buttons.FORM_TOGGLE, form_toggle),
    "form_validate": Case(buttons.FORM_VALIDATE, form_validate),
    "form_skip": Case(buttons.FORM_SKIP, form_skip),
}


test_failed_cosmetics_and_double_press_change_state_once = fault_test(FORM_CASES)
