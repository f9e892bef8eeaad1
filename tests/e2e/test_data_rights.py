"""/suivi, /mes_donnees and /supprimer: the holder's view of their files and data."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import String, Text, select

from pes21_bot.content import Content
from pes21_bot.db.models import Base
from pes21_bot.messages.my_data import long_day
from pes21_bot.services import events
from tests.e2e.flows import submit_idea
from tests.harness import Harness


async def test_follow_up_lists_projects_in_plain_french(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/suivi")
    await holder.expect("pas encore envoyé de dossier")
    await submit_idea(holder)
    holder.send_command("/suivi")
    listing = await holder.expect("Vos dossiers")
    assert "PES-2026-0001" in (listing.text or "")
    assert "en attente de prise en charge" in (listing.text or "")
    camille = sqlite_bot.staff("Camille")
    camille.press("✋ Je prends", message=await camille.expect("PES-2026-0001"))
    await holder.expect("pris en charge par Camille")
    holder.send_command("/suivi")
    after = await holder.expect("Vos dossiers")
    assert "pris en charge, suivi par Camille" in (after.text or "")


async def test_my_data_sends_a_summary_and_a_json_file(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/mes_donnees")
    await holder.expect("aucune donnée personnelle")
    await submit_idea(holder)
    holder.send_command("/mes_donnees")
    summary = await holder.expect("Vos données gardées par le Pôle")
    lines = (summary.text or "").splitlines()
    assert "Nom : Zoé Martin" in lines
    assert "E-mail : zoe@example.org" in lines
    assert "Téléphone : 06 12 34 56 78" in lines  # as people write it, not +33612345678
    assert "Premier contact : 10 mars 2026" in lines
    assert "Dossier PES-2026-0001 (idée de projet) : en attente de prise en charge" in lines
    assert "Envoyé le 10 mars 2026" in lines
    assert "Secteur : Environnement, réemploi" in lines
    assert summary.document is None and summary.buttons == [["📄 Recevoir le fichier"]]
    holder.press("📄 Recevoir le fichier", message=summary)
    document = await holder.next_message()
    assert document.document is not None
    payload = json.loads(document.document.content or b"")
    assert payload["dossiers"][0]["reference"] == "PES-2026-0001"
    assert payload["dossiers"][0]["reponses"]["E-mail"] == "zoe@example.org"
    # Every value reads as French: no stored code ("given", "routed", "environment").
    assert payload["personne"]["consentement"] == "donné"
    assert payload["dossiers"][0]["statut"] == "en attente de prise en charge"
    assert payload["dossiers"][0]["reponses"]["Secteur"] == "Environnement, réemploi"
    assert await sqlite_bot.count_events(events.DATA_EXPORTED) == 2  # the summary, the file


async def test_erase_leaves_no_personal_value_in_any_text_column(bot: Harness) -> None:
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    camille.press("✋ Je prends", message=card)
    await holder.expect("pris en charge")
    holder.send_command("/supprimer")
    await holder.expect("Voulez-vous vraiment effacer")
    holder.press("Non, garder")
    await holder.expect("rien n'a été effacé")
    holder.send_command("/supprimer")
    await holder.expect("Voulez-vous vraiment effacer")
    holder.press("Oui, tout effacer")
    await holder.expect("vos données personnelles sont effacées")
    await camille.expect("effacé à la demande de la personne")
    blank = bot.api.bot_message(camille.id, card.message_id)
    assert "Zoé" not in (blank.text or "") and "zoe@" not in (blank.text or "")

    secrets = ("Zoé", "Martin", "zoe@example.org", "612345678", "06 12 34 56 78")
    async with bot.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, String | Text) or c.type.__class__.__name__ == "JSON"
            ]
            if not columns:
                continue
            rows = (await session.execute(select(*columns))).all()
            for row in rows:
                flat = json.dumps([str(v) for v in row], ensure_ascii=False)
                for secret in secrets:
                    assert secret not in flat, f"{secret!r} still in {table.name}"
    (project,) = await bot.projects()
    assert project.reference == "PES-2026-0001"
    assert project.holder_id is None
    assert project.sector == "environment"  # anonymous figures survive
    assert await bot.count_events(events.INTAKE_COMPLETED) == 1
    assert await bot.count_events(events.DATA_ERASED) == 1
    holder.send_command("/suivi")
    await holder.expect("pas encore envoyé de dossier")


def test_my_data_dates_are_written_in_words(content: Content) -> None:
    assert long_day(content, date(2026, 12, 1)) == "1 décembre 2026"
