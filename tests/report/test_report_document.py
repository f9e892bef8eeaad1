"""The activity report in Word (/rapport 2025 document, "📄 Rapport en Word"): every section, the
same key figures as /rapport, charts as pictures, only consented quotes, a definitions page."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from docx import Document
from docx.document import Document as DocumentObject
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot import buttons
from pes21_bot.db.models import Project
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.messages import report_document
from pes21_bot.services import agenda, events, stats
from tests.harness import Harness
from tests.stats.reference_year import Expected, seed_reference_year
from tests.stats.seed import Seeder

CAMILLE = 2001
DLA_ONLY = Scope(("dla",), everything=False)
# Building the document takes a second or two; far more on a machine busy with other work.
DOCUMENT_WAIT = 120.0
# Holders of the survey answers: (first name, Telegram id, consent to quote, comment).
ANSWERS = [
    ("Inès", 7101, "first_name", "L'équipe m'a aidée à bâtir mon budget."),
    ("Hugo", 7102, "anonymous", "Des <b>conseils</b> concrets\x07 & merci !"),
    ("Lina", 7103, "no", "Je ne veux pas être citée."),
    ("Paul", 7104, None, "Pas répondu à la dernière question."),
    ("Maëlle", 7105, "first_name", "Mon commentaire, avant de tout effacer."),
]
SECTION_TITLES = [
    "Générateur BFC",
    "DLA, Dispositif Local d'Accompagnement",
    "Bénéfices'Créa",
    "Sensibilisation et formations",
    "Club des entrepreneurs de l'ESS",
    "Vie associative et bénévoles",
    "Satisfaction et témoignages",
    "Définitions",
]


async def seed_document_year(session: AsyncSession, now: datetime) -> Expected:
    """The reference year, with events held, club meetings and survey answers in 2025."""
    expected = await seed_reference_year(session, CAMILLE)
    seed = Seeder(session)
    seed._seq[2024] = 5000  # after the reference year's dossiers
    for name, telegram_id, consent, comment in ANSWERS:
        holder = await seed.person(name, telegram_id=telegram_id)
        project: Project = await seed.project("benefices_crea", "2024-02-03 10:00", holder=holder)
        seed.event(
            events.SATISFACTION_ANSWERED,
            "2025-09-01 10:00",
            project,
            actor=holder.id,
            rating=5 if consent else 3,
            recommend="yes",
            comment=comment,
            quote=consent,
        )
    held = [
        ("crdva", "Créer son association", None, True),
        ("formation", "Gouvernance partagée", "IRTESS", True),
        ("club", "Recruter son premier salarié", None, True),
        ("club", "Financer son projet", None, True),
        ("emergence", "Émergence en Auxois", None, False),  # the Pôle only took part
    ]
    for index, (kind, title, partner, runs) in enumerate(held):
        at = datetime(2025, 3 + index, 10, 12, tzinfo=UTC)
        new = agenda.NewEvent(kind, title, at, "Dijon", None, agenda.EVERYONE, runs, partner)
        event = agenda.add_event(session, new, None, now)
        await session.flush()
        await agenda.mark_held(session, event, 3, None, now)
    await session.flush()
    return expected


def open_docx(payload: bytes) -> DocumentObject:
    """The document as python-docx reads it (as Word would)."""
    return Document(io.BytesIO(payload))


def key_figures(document: DocumentObject) -> list[tuple[str, str]]:
    """(value, label) of every key figure, in reading order."""
    return [
        (row.cells[0].text, row.cells[1].text)
        for table in document.tables
        for row in table.rows
        if len(row.cells) == 2
    ]


def headings(document: DocumentObject) -> list[str]:
    """The titles of the sections (Heading 1)."""
    return [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]


def expected_figures(expected: Expected) -> list[tuple[str, str]]:
    """The key figures the admin's document shows for the reference year, /rapport's values."""
    return [
        (str(expected.territories), "territoires accompagnés"),
        (str(expected.dla_welcomed), "structures accueillies"),
        (str(expected.dla_diagnostics), "diagnostics"),
        (str(expected.dla_individual), "ingénieries individuelles"),
        (str(expected.dla_collective), "ingénieries collectives"),
        (str(expected.dla_follow_ups), "suivis"),
        (str(expected.dla_collective_structures), "structures dans les ingénieries collectives"),
        (str(expected.dla_beneficiaries), "bénéficiaires"),
        (str(expected.dla_jobs), "emplois consolidés"),
        (str(expected.creation_welcomed), "projets accueillis"),
        (str(expected.creation_accompanied), "projets accompagnés"),
        (str(expected.creation_structures), "structures créées"),
        (str(expected.creation_jobs), "emplois créés"),
        ("1", "atelier animé par le Pôle"),
        ("1", "formation"),
        ("1", "autre événement"),
        ("15", "participant·es"),
        ("2", "rencontres du Club"),
        (str(expected.volunteers_active), "bénévoles actif·ves"),
        (str(expected.upstream_welcomed), "projets accueillis en amont"),
        (str(expected.reviews_done), "bilans post-accompagnement"),
        ("31,5", "heures de bénévolat"),
        ("412", "km parcourus"),
        # 31.5 h × 11.88 € + 412 km × 0.335 € (config.yaml's report rates).
        ("512,24\u00a0€", "la valeur du temps et des trajets des bénévoles"),
        (str(expected.crdva_welcomed), "demandes de conseil associatif reçues par le bot (CRDVA)"),
        (str(len(ANSWERS)), "réponses au questionnaire de satisfaction"),
    ]


async def test_director_gets_the_word_report_with_rapport_figures(bot: Harness) -> None:
    now = bot.clock.now()
    async with bot.session_factory.begin() as session:
        expected = await seed_document_year(session, now)
    admin = bot.admin()
    admin.send_command("/rapport", "2025")
    text = (await admin.expect("Rapport d'activité")).text or ""
    markdown = await admin.expect("Markdown")
    admin.press("📄 Rapport en Word", markdown)
    await admin.expect("Je prépare le rapport en Word")
    sent = await admin.expect("document Word à relire", timeout=DOCUMENT_WAIT)
    assert sent.document is not None
    assert sent.document.filename == "rapport-activite-2025.docx"
    document = open_docx(sent.document.content or b"")

    assert headings(document) == SECTION_TITLES
    figures = key_figures(document)
    assert figures == expected_figures(expected)
    # The same numbers as /rapport's text (the valuation is the document's own).
    for value, label in figures:
        if "€" not in value:
            assert re.search(rf"(?<![\d,]){re.escape(value)}(?![\d,])", text), (value, label)
    # Charts: DLA steps, projects per month, events by kind, satisfaction ratings.
    assert len(document.inline_shapes) == 4
    paragraphs = [p.text for p in document.paragraphs]
    assert "Pôle d'Économie Solidaire 21" in paragraphs
    assert "Rapport d'activité 2025" in paragraphs
    assert "En 2025, le DLA, c'est :" in paragraphs
    assert "10/03/2025 : Créer son association (Atelier CRDVA)" in paragraphs
    assert "IRTESS/IRTS : 1 formation" in paragraphs  # the partner group of config.yaml
    assert "10/05/2025 : Recruter son premier salarié" in paragraphs
    assert "31,5 heures × 11,88 € = 374,22 €" in paragraphs
    assert "412 km × 0,335 € = 138,02 €" in paragraphs
    quotes = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Quote"
    ]
    assert quotes == [
        "« L'équipe m'a aidée à bâtir mon budget. »",
        "« Des <b>conseils</b> concrets & merci ! »",  # as typed, less the control character
        "« Mon commentaire, avant de tout effacer. »",
    ]
    assert "— Inès, Bénéfices'Créa" in paragraphs and "— Anonyme, Bénéfices'Créa" in paragraphs
    definitions = paragraphs[paragraphs.index("Définitions") :]
    assert any(line.startswith("DLA : diagnostics : Structures distinctes") for line in definitions)
    assert any(line.startswith("Rencontres du Club des entrepreneurs : ") for line in definitions)

    # Maëlle erases her data: her comment, so her quote, is gone from the next document.
    maelle = bot.holder(7105, "Maëlle")
    maelle.send_command("/supprimer")
    await maelle.expect("Voulez-vous vraiment effacer")
    maelle.press("Oui, tout effacer")
    await maelle.expect("vos données personnelles sont effacées")
    admin.send_command("/rapport", "2025 document")
    await admin.expect("Je prépare le rapport en Word")
    resent = await admin.expect("document Word à relire", timeout=DOCUMENT_WAIT)
    assert resent.document is not None
    again = open_docx(resent.document.content or b"")
    assert "« Mon commentaire, avant de tout effacer. »" not in [p.text for p in again.paragraphs]
    assert "— Maëlle, Bénéfices'Créa" not in [p.text for p in again.paragraphs]


async def test_staff_get_their_programmes_for_a_funders_year(sqlite_bot: Harness) -> None:
    now = sqlite_bot.clock.now()
    async with sqlite_bot.session_factory.begin() as session:
        expected = await seed_document_year(session, now)
    karim = sqlite_bot.staff("Karim")  # DLA only
    # A funder's year, written the French way; the word may come first.
    karim.send_command("/rapport", "document 01/01/2025 30/06/2025")
    await karim.expect("Je prépare le rapport en Word")
    sent = await karim.expect("document Word à relire", timeout=DOCUMENT_WAIT)
    assert "Vos dispositifs : DLA." in sent.content
    assert sent.document is not None
    assert sent.document.filename == "rapport-activite-2025-01-01_2025-06-30.docx"
    document = open_docx(sent.document.content or b"")
    assert headings(document) == [
        "DLA, Dispositif Local d'Accompagnement",
        "Sensibilisation et formations",
        "Club des entrepreneurs de l'ESS",
        "Vie associative et bénévoles",
        "Satisfaction et témoignages",
        "Définitions",
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert "Rapport d'activité du 01/01/2025 au 30/06/2025" in paragraphs
    assert "Du 01/01/2025 au 30/06/2025, le DLA, c'est :" in paragraphs
    async with sqlite_bot.session_factory() as session:
        report = await stats.compute_report(
            session, sqlite_bot.config, Period(date(2025, 1, 1), date(2025, 7, 1)), DLA_ONLY, now
        )
    dla = report.dla
    assert [value for value, _ in key_figures(document)[:8]] == [
        str(dla.welcomed),
        str(dla.diagnostics),
        str(dla.individual_engineering),
        str(dla.collective_engineering),
        str(dla.follow_ups),
        str(dla.collective_structures),
        str(dla.beneficiaries),
        str(dla.jobs_consolidated),
    ]
    assert dla.welcomed != expected.dla_welcomed or dla.jobs_consolidated != expected.dla_jobs
    # Bénéfices'Créa's quotes and figures are not Karim's.
    assert not any("Bénéfices'Créa" in line for line in paragraphs)
    karim.send_command("/rapport", "30/06/2025 01/01/2025 document")
    await karim.expect("La date de début doit précéder la date de fin")


def test_a_forged_or_stale_word_button_reads_as_no_period() -> None:
    year = Period.year_of(2025)
    data = buttons.REPORT_DOCUMENT.pack(20250101, 20251231)
    assert report_document.button_period(data) == year
    for forged in ("rdoc:20250231:20251231", "rdoc:20251231:20250101", "rdoc:x:1", "rdoc:1"):
        assert report_document.button_period(forged) is None, forged
