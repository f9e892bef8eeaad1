"""Text keys of the activity report as a Word document (contenus/rapport_document.yaml)."""

from __future__ import annotations

from pes21_bot.texts import TextKey, key

BUTTON = key("report_document.button")
WORKING = key("report_document.working")
CAPTION = key("report_document.caption", "period", "scope")
STALE = key("report_document.stale")
PERIOD_TITLE_YEAR = key("report_document.period_title_year", "year")
PERIOD_TITLE_RANGE = key("report_document.period_title_range", "start", "end")
PERIOD_YEAR = key("report_document.period_year", "year")
PERIOD_RANGE = key("report_document.period_range", "start", "end")
PREPARED_ON = key("report_document.prepared_on", "day")
CHART_CAPTION = key("report_document.chart_caption", "title", "period_title")

# One section per mission, in the order of the printed report, then the testimonies.
SECTION_IDS = (
    "generateur",
    "dla",
    "creation",
    "awareness",
    "club",
    "associative",
    "testimonies",
)
SECTIONS: dict[str, TextKey] = {
    name: key(f"report_document.sections.{name}") for name in (*SECTION_IDS, "definitions")
}
INTROS: dict[str, TextKey] = {
    name: key(f"report_document.intros.{name}", "period") for name in SECTION_IDS
}

# The label under each key figure; most agree with their number.
COUNTED_FIGURES = (
    "territories_accompanied",
    "creation_welcomed",
    "creation_accompanied",
    "creation_structures",
    "creation_jobs",
    "dla_welcomed",
    "dla_diagnostics",
    "dla_individual_engineering",
    "dla_collective_engineering",
    "dla_collective_structures",
    "dla_follow_ups",
    "dla_beneficiaries",
    "dla_jobs_consolidated",
    "agenda_workshops",
    "agenda_trainings",
    "agenda_others",
    "agenda_participants",
    "agenda_club",
    "volunteers_active",
    "upstream_welcomed",
    "volunteers_reviews",
    "volunteers_hours",
    "crdva_welcomed",
    "survey_answers",
)
FIXED_FIGURES = ("volunteers_km", "volunteers_valuation", "survey_average")
FIGURES: dict[str, TextKey] = {
    **{name: key(f"report_document.figures.{name}", "count") for name in COUNTED_FIGURES},
    **{name: key(f"report_document.figures.{name}") for name in FIXED_FIGURES},
}

CHARTS: dict[str, TextKey] = {
    name: key(f"report_document.charts.{name}")
    for name in ("creation", "dla", "awareness", "testimonies")
}
CHART_ANSWERS = key("report_document.charts.answers")
CHART_EVENTS = key("report_document.charts.events")
CHART_PROJECTS = key("report_document.charts.projects")
CHART_STRUCTURES = key("report_document.charts.structures")

BLOCK_WORKSHOPS = key("report_document.blocks.workshops")
BLOCK_TRAININGS = key("report_document.blocks.trainings")
BLOCK_OTHERS = key("report_document.blocks.others")
BLOCK_MEETINGS = key("report_document.blocks.meetings")
BLOCK_VALUATION = key("report_document.blocks.valuation")
BLOCK_MISSIONS = key("report_document.blocks.missions")
EVENT_LINE = key("report_document.blocks.event_line", "day", "title", "kind")
TRAINING_LINE = key("report_document.blocks.training_line", "day", "title")
PARTNER_LINE = key("report_document.blocks.partner_line", "partner", "count")
MEETING_LINE = key("report_document.blocks.meeting_line", "day", "theme")
NONE = key("report_document.blocks.none")
HOURS_LINE = key("report_document.blocks.hours_line", "hours", "rate", "value")
KM_LINE = key("report_document.blocks.km_line", "km", "rate", "value")
TOTAL_LINE = key("report_document.blocks.total_line", "value")
RATES_NOTE = key("report_document.blocks.rates_note", "hour_rate", "km_rate")
MISSION_LINE = key("report_document.blocks.mission_line", "mission", "count")
MISSIONS_NOTE = key("report_document.blocks.missions_note")
SURVEY_LINE = key(
    "report_document.blocks.survey_line", "programme", "answers", "average", "yes", "recommend"
)
SURVEY_TITLE = key("report_document.blocks.survey_title")
QUOTES_TITLE = key("report_document.blocks.quotes_title")
NO_QUOTE = key("report_document.blocks.no_quote")
QUOTE_AUTHOR = key("report_document.blocks.quote_author", "name", "programme")
QUOTE_ANONYMOUS = key("report_document.blocks.quote_anonymous", "programme")
DEFINITIONS_INTRO = key("report_document.definitions_intro")
CLUB_NOTE = key("report_document.club_note")
