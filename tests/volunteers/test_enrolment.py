"""Volunteer enrolment by invitation code, /profil, /benevoles and /retirer through the bot."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from pes21_bot.db.models import Invitation, Person, TeamMember, Volunteer
from pes21_bot.services import events
from tests.harness import Harness
from tests.volunteers.helpers import enrol, events_of, invite_code, rows, seed_volunteer

NEUTRAL = "Ce code n'est pas valable"


async def test_invitation_code_enrols_a_volunteer_once(sbot: Harness) -> None:
    code = await invite_code(sbot)
    async with sbot.session_factory() as session:
        (invitation,) = (await session.execute(select(Invitation))).scalars().all()
    assert code.replace("-", "") not in invitation.code_hash  # only a hash is stored
    assert invitation.expires_at - sbot.clock.now() == timedelta(days=7)

    alice = sbot.api.user(6001, first_name="Alice")
    alice.send_command("/rejoindre", code.lower())  # typed in lower case: still accepted
    await alice.expect("Bienvenue parmi les bénévoles")
    question = await alice.expect("Quelles missions")
    assert [row[0] for row in question.buttons][:4] == [
        "Accueil de projets en amont",
        "Co-accompagnement avec un·e chargé·e de mission",
        "Bilans post-accompagnement",
        "Vie associative",
    ]
    alice.press("✔️ Valider")  # nothing ticked yet
    await alice.expect("au moins une réponse")
    alice.press("Bilans post-accompagnement")
    await alice.next_message()
    alice.press("Accueil de projets en amont")
    await alice.next_message()
    alice.press("✔️ Valider")
    await alice.expect("Quels jours")
    alice.press("Mardi")
    await alice.next_message()
    alice.press("✔️ Valider")
    done = await alice.expect("C'est noté, merci")
    assert "Accueil de projets en amont, Bilans post-accompagnement" in (done.text or "")
    assert "Mardi" in (done.text or "")
    (volunteer,) = await rows(sbot, Volunteer)
    assert volunteer.missions == ["welcoming", "reviews"] and volunteer.days == ["tuesday"]
    (enrolled,) = await events_of(sbot, events.VOLUNTEER_ENROLLED)
    assert enrolled.data == {"missions": ["welcoming", "reviews"]}
    menu = sbot.api.get_commands({"type": "chat", "chat_id": 6001})
    assert menu is not None and "bilan" in [c["command"] for c in menu]

    bob = sbot.api.user(6002, first_name="Bob")
    bob.send_command("/rejoindre", code)  # already used
    await bob.expect(NEUTRAL)
    alice.send_command("/rejoindre", code)
    await alice.expect("déjà partie des bénévoles")


async def test_expired_unknown_and_guessed_codes_get_one_neutral_answer_then_a_lock(
    sbot: Harness,
) -> None:
    code = await invite_code(sbot)
    sbot.clock.advance(timedelta(days=7, minutes=1))
    user = sbot.api.user(6003, first_name="Eve")
    user.send_command("/rejoindre", code)
    expired = await user.expect(NEUTRAL)
    for guess in ("AAAAA-AAAAA", "ZZZZZ", "x" * 500, "<b>hack</b>"):
        user.send_command("/rejoindre", guess)
        assert (await user.expect(NEUTRAL)).text == expired.text
    fresh = await invite_code(sbot)
    user.send_command("/rejoindre", fresh)  # sixth try within the hour: blocked, even valid
    await user.expect("Trop d'essais")
    assert await rows(sbot, Volunteer) == []
    sbot.clock.advance(timedelta(minutes=61))
    user.send_command("/rejoindre", fresh)
    await user.expect("Bienvenue parmi les bénévoles")
    user.send_command("/rejoindre")
    await user.next_message()  # the current question comes back or the usage: no crash


async def test_profile_pause_resume_and_list(sbot: Harness) -> None:
    alice = sbot.api.user(6001, first_name="Alice")
    await enrol(sbot, alice, ["Bilans post-accompagnement"])
    alice.send_command("/profil")
    profile = await alice.expect("Votre profil de bénévole")
    assert "disponible" in (profile.text or "")
    alice.press("⏸️ Faire une pause")
    await alice.expect("Jusqu'à quand")
    alice.send_text("01/01/2020")
    await alice.expect("doit être dans le futur")
    alice.send_text("15/04/2026")
    saved = await alice.expect("C'est enregistré")
    assert "en pause jusqu'au 15/04/2026" in (saved.text or "")
    (volunteer,) = await rows(sbot, Volunteer)
    assert str(volunteer.paused_until) == "2026-04-15"
    updated = await events_of(sbot, events.VOLUNTEER_UPDATED)
    assert updated[-1].data == {"missions": ["reviews"], "paused_until": "2026-04-15"}

    sbot.staff("Karim").send_command("/benevoles")
    listing = await sbot.staff("Karim").expect("Bénévoles")
    assert "Alice" in (listing.text or "") and "en pause jusqu'au 15/04/2026" in (
        listing.text or ""
    )

    alice.send_command("/profil")
    await alice.expect("Votre profil")
    alice.press("▶️ Reprendre")
    await alice.expect("Bon retour")
    alice.press_raw("vp:resume")  # pressed twice (an old copy): nothing changes, no error
    alice.send_command("/profil")
    assert "État : disponible" in ((await alice.expect("Votre profil")).text or "")
    (volunteer,) = await rows(sbot, Volunteer)
    assert volunteer.paused_until is None


async def test_admin_removes_a_volunteer(sbot: Harness) -> None:
    alice = sbot.api.user(6001, first_name="Alice")
    await enrol(sbot, alice, ["Bilans post-accompagnement"])
    admin = sbot.admin()
    admin.send_command("/retirer")
    await admin.expect("Qui souhaitez-vous retirer")
    admin.press("Alice")
    await admin.expect("Retirer Alice")
    admin.press("Non, garder")
    await admin.expect("personne n'a été retiré")
    admin.send_command("/retirer")
    await admin.expect("Qui souhaitez-vous retirer")
    admin.press("Alice")
    await admin.expect("Retirer Alice")
    admin.press("Oui, retirer")
    await admin.expect("ne fait plus partie des bénévoles")
    await alice.expect("Votre participation comme bénévole du Pôle est terminée")
    (person,) = await rows(sbot, Person, Person.telegram_id == 6001)
    assert person.role == "holder"
    (removed,) = await events_of(sbot, events.VOLUNTEER_REMOVED)
    assert removed.data == {"volunteer_id": person.id}
    alice.send_command("/profil")
    await alice.expect("ne faites plus partie de l'équipe du Pôle")  # one sentence once removed


async def test_a_volunteer_guessing_codes_is_locked_out_like_anyone(both: Harness) -> None:
    await seed_volunteer(both, 6004, "Rémi")
    remi = both.api.user(6004)
    for guess in ("AAAAA-AAAAA", "BBBBB-BBBBB", "CCCCC-CCCCC", "DDDDD-DDDDD", "EEEEE-EEEEE"):
        remi.send_command("/rejoindre", guess)
        await remi.next_message()  # "déjà bénévole", yet every wrong code counts
    admin = both.admin()
    admin.send_command("/invitation", "salarie dla")
    shown = await admin.expect("code d'invitation")
    match = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", shown.text or "")
    assert match is not None
    remi.send_command("/rejoindre", match.group(1))  # a valid staff code, after five guesses
    await remi.expect("Trop d'essais")
    assert both.app is not None and both.app.bot_data.config.staff_member(6004) is None
    assert await rows(both, TeamMember) == []
