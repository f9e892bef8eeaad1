"""The activity report as a Word document: /rapport's figures poured into a template.

The layout is contenus/rapport_activite.docx (docxtpl: Jinja tags in a .docx that the Pôle can
restyle in Word or LibreOffice); the words come from contenus/rapport_document.yaml. Every key
figure is a field of the `Stats` that /stats and /rapport show, formatted the same way.
Building the file is plain CPU work: callers run it off the event loop (asyncio.to_thread).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.domain.french_format import fr_decimal, fr_int
from pes21_bot.domain.periods import Period
from pes21_bot.domain.vocabulary import CREATION_PROGRAMMES, PROGRAMMES
from pes21_bot.services import report_charts
from pes21_bot.services.activity_report import ActivityReport, HeldEvent
from pes21_bot.services.chart import bucket_label
from pes21_bot.texts import report_document as t
from pes21_bot.texts import stats as stats_texts

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE_NAME = "rapport_activite.docx"
CHART_WIDTH_MM = 160
_TAG = re.compile(r"<[^>]+>")


# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): a
# comment or a title typed with one of them would make a file Word refuses to open.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Typed text without the characters a .docx cannot contain."""
    return _NOT_XML.sub("", text)


def plain(text: str) -> str:
    """A rendered text (Telegram HTML) as the plain text a Word paragraph holds."""
    return xml_safe(html.unescape(_TAG.sub("", text))).strip()


def fr_day(day: date) -> str:
    """08/12/2026."""
    return day.strftime("%d/%m/%Y")


def fr_euros(value: float) -> str:
    """1234.5 -> '1 234,50' (always two decimals)."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")


@dataclass(frozen=True)
class KeyFigure:
    """A large number and its label; `figure` names its definition."""

    figure: str
    value: str
    label: str


@dataclass(frozen=True)
class Block:
    """A sub-heading with its bullet lines and an optional note."""

    title: str
    lines: list[str]
    note: str = ""


@dataclass(frozen=True)
class QuoteText:
    """A testimony as printed: the comment and who said it."""

    text: str
    author: str


@dataclass
class Section:
    """One mission of the report: its title, "En 2025…" figures, chart and lists."""

    name: str
    title: str
    intro: str
    figures: list[KeyFigure]
    chart: bytes | None = None
    chart_caption: str = ""
    blocks: list[Block] = field(default_factory=list)
    quotes: list[QuoteText] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Definition:
    """A figure's name and how the bot counts it."""

    label: str
    text: str


class _Writer:
    """Builds the sections of one report from its figures and the texts."""

    def __init__(self, content: Content, config: Config, report: ActivityReport) -> None:
        self.content = content
        self.config = config
        self.report = report
        self.figures = report.stats.report
        self.scope = report.scope
        period = report.period
        if period.year is not None:
            self.when = plain(content.render(t.PERIOD_YEAR, year=period.year))
        else:
            self.when = plain(
                content.render(
                    t.PERIOD_RANGE, start=fr_day(period.start), end=fr_day(period.last_day)
                )
            )
        self.title = period_title(content, period)

    def text(self, key: Any, **params: object) -> str:
        return plain(self.content.render(key, **params))

    def figure(self, name: str, value: float, shown: str | None = None) -> KeyFigure:
        """A key figure: its value as /rapport writes it, and its label agreed with it."""
        written = shown if shown is not None else fr_int(int(value))
        if name in t.FIXED_FIGURES:
            return KeyFigure(name, written, self.text(t.FIGURES[name]))
        return KeyFigure(name, written, self.text(t.FIGURES[name], count=written))

    def section(self, name: str, figures: list[KeyFigure]) -> Section:
        return Section(
            name,
            self.text(t.SECTIONS[name]),
            self.text(t.INTROS[name], period=self.when),
            figures,
        )

    def chart(self, section: Section, name: str, png: bytes) -> None:
        section.chart = png
        section.chart_caption = self.text(
            t.CHART_CAPTION, title=self.text(t.CHARTS[name]), period_title=self.title
        )

    def kind_label(self, kind: str) -> str:
        return self.content.label("event_kinds", kind)

    # --- the missions, in the order of the printed report ------------------------------------

    def generateur(self) -> Section:
        return self.section(
            "generateur",
            [self.figure("territories_accompanied", self.figures.territories_accompanied)],
        )

    def dla(self) -> Section:
        dla = self.figures.dla
        steps = [
            self.figure("dla_welcomed", dla.welcomed),
            self.figure("dla_diagnostics", dla.diagnostics),
            self.figure("dla_individual_engineering", dla.individual_engineering),
            self.figure("dla_collective_engineering", dla.collective_engineering),
            self.figure("dla_follow_ups", dla.follow_ups),
        ]
        section = self.section(
            "dla",
            [
                *steps,
                self.figure("dla_collective_structures", dla.collective_structures),
                self.figure("dla_beneficiaries", dla.beneficiaries),
                self.figure("dla_jobs_consolidated", dla.jobs_consolidated),
            ],
        )
        values = [
            dla.welcomed,
            dla.diagnostics,
            dla.individual_engineering,
            dla.collective_engineering,
            dla.follow_ups,
        ]
        if any(values):
            labels = [step.label[:1].upper() + step.label[1:] for step in steps]
            png = report_charts.horizontal_bars(labels, values, self.text(t.CHART_STRUCTURES))
            self.chart(section, "dla", png)
        return section

    def creation(self) -> Section:
        creation = self.figures.creation
        section = self.section(
            "creation",
            [
                self.figure("creation_welcomed", creation.welcomed),
                self.figure("creation_accompanied", creation.accompanied),
                self.figure("creation_structures", creation.structures),
                self.figure("creation_jobs", creation.jobs),
            ],
        )
        buckets = self.report.buckets
        counts = self.report.welcomed_per_bucket
        programmes = [p for p in CREATION_PROGRAMMES if p in self.scope.programmes]
        series = [
            (self.content.label("stat_programmes", p), [c.get(p, 0) for c in counts])
            for p in programmes
        ]
        series = [(name, values) for name, values in series if any(values)]
        if series:
            one_year = len({b.start.year for b in buckets}) == 1
            labels = [bucket_label(self.content, b, with_year=not one_year) for b in buckets]
            png = report_charts.stacked_columns(labels, series, self.text(t.CHART_PROJECTS))
            self.chart(section, "creation", png)
        return section

    def _group(self, event: HeldEvent) -> str:
        """How the report counts an event (services.agenda.figures' rule)."""
        settings = self.config.events.kinds.get(event.kind)
        group = settings.report if settings is not None else "other"
        if group == "workshop" and not event.run_by_pole:
            return "other"
        return group

    def _event_lines(self, group: str) -> list[str]:
        return [
            self.text(t.EVENT_LINE, day=fr_day(e.day), title=e.title, kind=self.kind_label(e.kind))
            for e in self.report.held
            if self._group(e) == group
        ]

    def awareness(self) -> Section:
        agenda = self.figures.agenda
        section = self.section(
            "awareness",
            [
                self.figure("agenda_workshops", sum(agenda.workshops.values())),
                self.figure("agenda_trainings", sum(agenda.trainings.values())),
                self.figure("agenda_others", sum(agenda.others.values())),
                self.figure("agenda_participants", agenda.participants),
            ],
        )
        none = self.text(t.NONE)
        trainings = [
            self.text(t.PARTNER_LINE, partner=partner, count=fr_int(count))
            for partner, count in sorted(agenda.trainings.items(), key=lambda i: (-i[1], i[0]))
        ]
        trainings += [
            self.text(t.TRAINING_LINE, day=fr_day(e.day), title=e.title)
            + (f" ({e.partner})" if e.partner else "")
            for e in self.report.held
            if self._group(e) == "training"
        ]
        section.blocks = [
            Block(self.text(t.BLOCK_WORKSHOPS), self._event_lines("workshop") or [none]),
            Block(self.text(t.BLOCK_TRAININGS), trainings or [none]),
            Block(self.text(t.BLOCK_OTHERS), self._event_lines("other") or [none]),
        ]
        section.note = self.text(stats_texts.REPORT_NOT_COUNTED)
        bars = [(self.kind_label(k), n) for k, n in sorted(agenda.workshops.items())]
        if agenda.trainings:
            bars.append((self.kind_label("formation"), sum(agenda.trainings.values())))
        bars += [(self.kind_label(k), n) for k, n in sorted(agenda.others.items())]
        if bars:
            png = report_charts.horizontal_bars(
                [label for label, _ in bars], [n for _, n in bars], self.text(t.CHART_EVENTS)
            )
            self.chart(section, "awareness", png)
        return section

    def club(self) -> Section:
        section = self.section(
            "club", [self.figure("agenda_club", self.figures.agenda.club_meetings)]
        )
        meetings = [
            self.text(t.MEETING_LINE, day=fr_day(e.day), theme=e.title)
            for e in self.report.held
            if self._group(e) == "club"
        ]
        section.blocks = [Block(self.text(t.BLOCK_MEETINGS), meetings or [self.text(t.NONE)])]
        section.note = self.text(t.CLUB_NOTE)
        return section

    def associative(self) -> Section:
        volunteers = self.figures.volunteers
        rates = self.config.report
        hours_value = volunteers.hours * rates.hour_value
        km_value = volunteers.km * rates.km_rate
        figures = [self.figure("volunteers_active", volunteers.active)]
        if self.scope.sees("accueil_amont"):
            figures.append(self.figure("upstream_welcomed", volunteers.upstream_welcomed))
        figures += [
            self.figure("volunteers_reviews", volunteers.reviews_done),
            self.figure("volunteers_hours", volunteers.hours, fr_decimal(volunteers.hours)),
            self.figure("volunteers_km", volunteers.km, fr_decimal(volunteers.km)),
            self.figure(
                "volunteers_valuation",
                hours_value + km_value,
                f"{fr_euros(hours_value + km_value)}\u00a0€",
            ),
        ]
        if self.scope.sees("crdva"):
            figures.append(self.figure("crdva_welcomed", self.figures.crdva_welcomed))
        section = self.section("associative", figures)
        # Rates as configured (a km rate has three decimals: 0,335 €).
        hour_rate, km_rate = fr_decimal(rates.hour_value, 3), fr_decimal(rates.km_rate, 3)
        valuation = Block(
            self.text(t.BLOCK_VALUATION),
            [
                self.text(
                    t.HOURS_LINE,
                    hours=fr_decimal(volunteers.hours),
                    rate=hour_rate,
                    value=fr_euros(hours_value),
                ),
                self.text(
                    t.KM_LINE,
                    km=fr_decimal(volunteers.km),
                    rate=km_rate,
                    value=fr_euros(km_value),
                ),
                self.text(t.TOTAL_LINE, value=fr_euros(hours_value + km_value)),
            ],
            self.text(t.RATES_NOTE, hour_rate=hour_rate, km_rate=km_rate),
        )
        missions = self.report.missions
        mission_lines = [
            self.text(
                t.MISSION_LINE,
                mission=self.content.label("volunteer_missions", name),
                count=fr_int(count),
            )
            for name, count in sorted(missions.items(), key=lambda i: (-i[1], i[0]))
        ]
        section.blocks = [
            valuation,
            Block(
                self.text(t.BLOCK_MISSIONS),
                mission_lines or [self.text(t.NONE)],
                self.text(t.MISSIONS_NOTE),
            ),
        ]
        return section

    def testimonies(self) -> Section:
        surveys = {
            p: s
            for p, s in self.figures.followup.surveys.items()
            if p in self.scope.programmes and s.answers
        }
        answers = sum(s.answers for s in surveys.values())
        section = self.section("testimonies", [self.figure("survey_answers", answers)])
        lines = [
            self.text(
                t.SURVEY_LINE,
                programme=self.content.label("stat_programmes", p),
                answers=fr_int(s.answers),
                average=fr_decimal(s.average or 0),
                yes=fr_int(s.recommend_yes),
                recommend=fr_int(s.recommend_answers),
            )
            for p in PROGRAMMES
            if (s := surveys.get(p)) is not None
        ]
        if lines:
            section.blocks.append(Block(self.text(t.SURVEY_TITLE), lines))
        quotes = [
            QuoteText(
                xml_safe(q.text),
                self.text(
                    t.QUOTE_AUTHOR,
                    name=q.first_name,
                    programme=self.content.label("stat_programmes", q.programme or ""),
                )
                if q.first_name
                else self.text(
                    t.QUOTE_ANONYMOUS,
                    programme=self.content.label("stat_programmes", q.programme or ""),
                ),
            )
            for q in self.report.quotes
        ]
        section.quotes = quotes
        section.blocks.append(
            Block(self.text(t.QUOTES_TITLE), [] if quotes else [self.text(t.NO_QUOTE)])
        )
        if answers:
            ratings = [sum(s.distribution.get(r, 0) for s in surveys.values()) for r in range(1, 6)]
            png = report_charts.vertical_bars(
                [str(r) for r in range(1, 6)], ratings, self.text(t.CHART_ANSWERS)
            )
            self.chart(section, "testimonies", png)
        return section

    def sections(self) -> list[Section]:
        found: list[Section] = []
        if self.scope.sees("generateur"):
            found.append(self.generateur())
        if self.scope.sees("dla"):
            found.append(self.dla())
        if self.scope.sees(*CREATION_PROGRAMMES):
            found.append(self.creation())
        found += [self.awareness(), self.club(), self.associative(), self.testimonies()]
        return found


def period_title(content: Content, period: Period) -> str:
    """'2025', or 'du 01/07/2025 au 30/06/2026'."""
    if period.year is not None:
        return plain(content.render(t.PERIOD_TITLE_YEAR, year=period.year))
    return plain(
        content.render(
            t.PERIOD_TITLE_RANGE, start=fr_day(period.start), end=fr_day(period.last_day)
        )
    )


def sections(content: Content, config: Config, report: ActivityReport) -> list[Section]:
    """The report's sections the reader may see, in the order of the printed report."""
    return _Writer(content, config, report).sections()


def definitions(content: Content, shown: Sequence[Section]) -> list[Definition]:
    """Each figure of the document once, with the definition /stats and the export use."""
    names = dict.fromkeys(f.figure for s in shown for f in s.figures)
    lists = content.lists
    found: list[Definition] = []
    for name in names:
        label = (lists.get("stat_figures") or {}).get(name) or lists["report_figures"][name]
        text = (lists.get("stat_definitions") or {}).get(name) or lists["report_definitions"][name]
        found.append(Definition(label, text))
    return found


def build(
    template: Path, content: Content, config: Config, report: ActivityReport, today: date
) -> bytes:
    """The .docx of the report (CPU work: run it off the event loop)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    document = DocxTemplate(str(template))
    shown = sections(content, config, report)

    def as_context(section: Section) -> dict[str, Any]:
        chart = None
        if section.chart is not None:
            chart = InlineImage(document, io.BytesIO(section.chart), width=Mm(CHART_WIDTH_MM))
        return {**vars(section), "chart": chart}

    definitions_title = plain(content.render(t.SECTIONS["definitions"]))
    context = {
        "pole": {name: xml_safe(str(value)) for name, value in config.pole.model_dump().items()},
        "period_title": period_title(content, report.period),
        "prepared_on": plain(content.render(t.PREPARED_ON, day=fr_day(today))),
        "contents": [s.title for s in shown] + [definitions_title],
        "sections": [as_context(s) for s in shown],
        "definitions_title": definitions_title,
        "definitions_intro": plain(content.render(t.DEFINITIONS_INTRO)),
        "definitions": definitions(content, shown),
    }
    document.render(context, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
