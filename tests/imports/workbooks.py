"""Workbooks and CSV files for the /import tests, built with openpyxl like an admin's Excel."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import openpyxl

from pes21_bot.domain import imports as spec

# Column titles as the template writes them (contenus/import.yaml), sheet by sheet.
HEADERS: dict[str, list[str]] = {
    "Dossiers": [
        "Clé",
        "Dispositif",
        "Date du premier contact",
        "Nom du projet ou de la structure",
        "Commune",
        "Code postal",
        "Secteur",
        "Source",
    ],
    "Accompagnements": [
        "Clé du dossier",
        "Début",
        "Fin",
        "Issue",
        "Forme juridique",
        "Nom de la structure créée",
        "Date de création de la structure",
        "Emplois créés",
        "Contrat",
    ],
    "Jalons DLA": ["Clé du dossier", "Jalon", "Date", "Emplois consolidés", "Action collective"],
    "Ateliers et formations": [
        "Clé",
        "Type",
        "Titre",
        "Date",
        "Organisme partenaire",
        "Animé par le Pôle",
        "Participants",
        "Lieu",
    ],
}
assert [len(h) for h in HEADERS.values()] == [len(s.columns) for s in spec.SHEETS]

Rows = dict[str, list[Sequence[Any]]]


def workbook(
    rows: Mapping[str, Sequence[Sequence[Any]]], headers: dict[str, list[str]] | None = None
) -> bytes:
    """An XLSX file with these sheets (title -> data rows), each under its template header."""
    book = openpyxl.Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    for title, data in rows.items():
        sheet = book.create_sheet(title)
        sheet.append((headers or HEADERS).get(title, HEADERS.get(title, [])))
        for row in data:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(title: str, data: Sequence[Sequence[Any]], delimiter: str = ";") -> bytes:
    """One sheet as the CSV file Excel writes ("CSV UTF-8": BOM, semicolons)."""
    lines = [delimiter.join(HEADERS[title])]
    lines += [delimiter.join("" if v is None else str(v) for v in row) for row in data]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def day(index: int, year: int = 2023) -> date:
    """A day of the year spread over the months (index 0..)."""
    return date(year, 1 + index % 12, 1 + index % 27)


def pole_2023() -> Rows:
    """The Pôle's 2023 activity as its published report tells it, plus rows that must not count.

    Bénéfices'Créa 56 / 26 / 5 / 9; DLA 28 welcomed, 16 diagnostics, 13 individual and
    4 collective engineering actions (16 structures), 12 follow-ups, 41 beneficiaries
    (13 + 16 + 12), 519 jobs consolidated; Générateur 3 territories; 13 workshops, 8 trainings,
    3 Club meetings.
    """
    dossiers: list[Sequence[Any]] = []
    dossiers += [
        (
            f"BC-{i:02d}",
            "Bénéfices'Créa",
            day(i),
            f"Projet {i}",
            "Dijon",
            "21000",
            None,
            "téléphone",
        )
        for i in range(1, 31)
    ]
    dossiers += [
        (f"AA-{i:02d}", "Accueil en amont", day(i), None, "Beaune", "21200", None, None)
        for i in range(1, 27)
    ]
    # Welcomed in 2021, 2022 and 2024: not 2023's projects (two are accompanied in 2023 all
    # the same).
    dossiers += [
        ("BC-2021", "benefices_crea", date(2021, 6, 10), None, None, None, None, None),
        ("BC-2022", "benefices_crea", date(2022, 11, 5), None, None, None, None, None),
        ("BC-2024", "benefices_crea", date(2024, 1, 8), None, None, None, None, None),
    ]
    dossiers += [
        (f"DLA-{i:02d}", "DLA", day(i), None, None, None, None, None) for i in range(1, 29)
    ]
    dossiers += [
        (f"OLD-{i:02d}", "DLA", date(2022, 3, i), None, None, None, None, None)
        for i in range(1, 14)
    ]
    dossiers += [
        (f"GEN-{i:02d}", "Générateur BFC", day(i), None, None, None, None, None)
        for i in range(1, 5)
    ]
    # The communauté de communes Ouche et Montagne, accompanied "depuis 2020".
    dossiers.append(("GEN-OM", "Générateur BFC", date(2019, 12, 2), None, None, None, None, None))

    accompaniments: list[Sequence[Any]] = []
    created = [("association", 3), ("association", 2), ("scop", 2), ("scic", 1), ("association", 1)]
    for i in range(1, 14):  # BC-01..BC-13, the first five ending with a structure and jobs
        if i <= 5:
            form, jobs = created[i - 1]
            accompaniments.append(
                (
                    f"BC-{i:02d}",
                    date(2023, 2, i),
                    date(2023, 10, i),
                    "Structure créée",
                    form,
                    f"Structure {i}",
                    date(2023, 9, i),
                    jobs,
                    "CDI",
                )
            )
        else:
            accompaniments.append(
                (f"BC-{i:02d}", date(2023, 3, i), None, None, None, None, None, None, None)
            )
    accompaniments += [
        (f"AA-{i:02d}", date(2023, 4, i), None, None, None, None, None, None, None)
        for i in range(1, 12)
    ]
    # Welcomed in 2022, accompanied in 2023: counts (25 started in 2023).
    accompaniments.append(("BC-2022", date(2023, 1, 20), None, None, None, None, None, None, None))
    # Accompanied "sur 24 mois" from 2021: among 2023's 26 projects accompanied.
    accompaniments.append(
        ("BC-2021", date(2021, 9, 1), date(2023, 8, 31), "Abandonné", None, None, None, None, None)
    )
    # Accompanied in 2024 only: not 2023's.
    accompaniments.append(("BC-2024", date(2024, 2, 1), None, None, None, None, None, None, None))
    # A structure created in 2022 by an accompaniment of 2022: none of 2023's figures.
    accompaniments.append(
        (
            "BC-14",
            date(2022, 6, 1),
            date(2022, 12, 1),
            "structure_created",
            "scop",
            "Vieille",
            date(2022, 11, 1),
            4,
            "cdd",
        )
    )
    accompaniments += [
        (f"GEN-{i:02d}", date(2023, 5, i), None, None, None, None, None, None, None)
        for i in range(1, 3)
    ]
    # "Depuis 2020", still running: one of 2023's 3 territories.
    accompaniments.append(("GEN-OM", date(2020, 3, 2), None, None, None, None, None, None, None))
    # Accompanied in 2022 and ended then: not 2023's.
    accompaniments.append(
        ("GEN-04", date(2022, 5, 4), date(2022, 12, 15), "Abandonné", None, None, None, None, None)
    )

    milestones: list[Sequence[Any]] = []
    for i in range(1, 29):
        given = 12 if i >= 17 else None  # DLA-17..28 give their jobs at the first meeting
        milestones.append((f"DLA-{i:02d}", "Structure accueillie", date(2023, 2, i), given, None))
    for i in range(1, 17):
        jobs = 15 if i <= 13 else 12
        milestones.append((f"DLA-{i:02d}", "Diagnostic partagé", date(2023, 3, i), jobs, None))
    for i in range(1, 14):
        milestones.append((f"DLA-{i:02d}", "Ingénierie individuelle", date(2023, 5, i), None, None))
    collective = [f"DLA-{i:02d}" for i in range(14, 29)] + ["OLD-01"]
    # Each action's name typed four ways (capitals, accents, spaces): still one action.
    spellings = ("Stratégie RH {}", "stratégie rh {}", "STRATEGIE RH {}", " Strategie  RH {} ")
    for number, start in enumerate(range(0, 16, 4), start=1):
        for key, spelling in zip(collective[start : start + 4], spellings, strict=True):
            milestones.append(
                (key, "Ingénierie collective", date(2023, 6, number), None, spelling.format(number))
            )
    # The old structures: welcomed and diagnosed in 2022 (10 jobs; OLD-01 12), followed in 2023.
    for i in range(1, 14):
        milestones.append((f"OLD-{i:02d}", "dla_welcomed", date(2022, 4, i), None, None))
        milestones.append(
            (f"OLD-{i:02d}", "dla_diagnostic", date(2022, 5, i), 12 if i == 1 else 10, None)
        )
    for i in range(2, 14):
        latest = 22 if i == 2 else None  # the latest figure wins: 22 rather than 10
        milestones.append(
            (f"OLD-{i:02d}", "Suivi post-accompagnement", date(2023, 11, i), latest, None)
        )

    workshops: list[Sequence[Any]] = []
    # The report's own words: "Paroles d'Expert", "Table ronde", "Mois de l'ESS"; IRTESS and
    # IRTS typed on their own rows (config.yaml groups them under "IRTESS/IRTS").
    held = [
        ("Atelier CRDVA", None, "oui", 5),
        ("Paroles d'Expert", None, "oui", 2),
        ("Atelier Émergence", None, "oui", 6),
        ("Atelier Émergence", None, "non", 1),  # the Pôle only took part
        ("Formation", "IRTESS", "oui", 4),
        ("Formation", "irts ", "oui", 2),
        ("Formation", "Francas", "oui", 1),
        ("Formation", "IUT Dijon-Auxerre", "oui", 1),
        ("Club des entrepreneurs", None, None, 3),
        ("Table ronde", None, "oui", 1),
        ("Mois de l'ESS", None, "oui", 1),
    ]
    number = 0
    for kind, partner, runs, count in held:
        for _ in range(count):
            number += 1
            workshops.append(
                (
                    f"EV-{number:02d}",
                    kind,
                    f"Séance {number}",
                    day(number),
                    partner,
                    runs,
                    8,
                    "Dijon",
                )
            )
    workshops.append(
        ("EV-2022", "Atelier CRDVA", "Ancien", date(2022, 12, 1), None, "oui", 5, None)
    )
    return {
        "Dossiers": dossiers,
        "Accompagnements": accompaniments,
        "Jalons DLA": milestones,
        "Ateliers et formations": workshops,
    }


REPORT_2023 = [
    "En 2023, Bénéfices'Créa, c'est :",
    "• 56 projets accueillis",
    "• 26 projets accompagnés, dont 25 démarrés dans la période",
    "• 5 structures créées",
    "• 9 emplois créés",
    "En 2023, le DLA, c'est :",
    "• 28 structures accueillies",
    "• 16 diagnostics",
    "• 13 ingénieries individuelles et 4 ingénieries collectives (16 structures)",
    "• 12 suivis",
    "• 41 bénéficiaires",
    "• 519 emplois consolidés",
    "En 2023, le Générateur BFC, c'est :",
    "• 3 territoires accompagnés, dont 2 démarrés dans la période",
    "En 2023, la sensibilisation et les formations, c'est :",
    "• 13 ateliers animés par le Pôle — Atelier Émergence : 6, Atelier CRDVA : 5, "
    "Paroles d'Experts : 2",
    "• 8 formations — IRTESS/IRTS : 6, Francas : 1, IUT Dijon-Auxerre : 1",
    "• 3 rencontres du Club des entrepreneurs",
]
