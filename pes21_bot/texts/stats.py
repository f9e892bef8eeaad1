"""Text keys of /stats, /rapport, /export and /graphique (texts in contenus/statistiques.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# Arguments
USAGE = key("stats.usage", "command")
EXPORT_USAGE = key("stats.export_usage")
REVERSED = key("stats.reversed", "command")
FUTURE = key("stats.future", "command", "year")
PERIOD_YEAR = key("stats.period_year", "year")
PERIOD_RANGE = key("stats.period_range", "start", "end")

# /stats
HEADER = key("stats.header", "period", "in_progress", "scope")
IN_PROGRESS = key("stats.in_progress")
SCOPE_ALL = key("stats.scope_all")
SCOPE_SOME = key("stats.scope_some", "programmes")
EMPTY = key("stats.empty")
PROGRAMME_HEADER = key("stats.programme_header", "programme")
PROGRAMME_FLOW = key(
    "stats.programme_flow", "welcomed", "oriented", "claimed", "accompanied", "started", "delay"
)
PROGRAMME_STRUCTURES = key("stats.programme_structures", "total", "detail")
PROGRAMME_JOBS = key("stats.programme_jobs", "total", "detail")
PROGRAMME_REVIEWS = key("stats.programme_reviews", "done", "overdue", "cancelled", "hours", "km")
PROGRAMME_DLA = key(
    "stats.programme_dla",
    "welcomed",
    "diagnostics",
    "individual",
    "collective",
    "follow_ups",
    "beneficiaries",
    "jobs",
)
DETAIL_ITEM = key("stats.detail_item", "label", "count")
DELAY_HOURS = key("stats.delay_hours", "hours")
DELAY_UNDER_HOUR = key("stats.delay_under_hour")
DELAY_DAYS = key("stats.delay_days", "days", "s")
DELAY_NONE = key("stats.delay_none")
CREATION_TOTAL = key(
    "stats.creation_total", "welcomed", "accompanied", "started", "structures", "jobs"
)
FUNNEL_HEADER = key("stats.funnel_header")
FUNNEL_STEP = key("stats.funnel_step", "step", "count", "share")
MEDIAN = key("stats.median", "delay")
COMPARISON_HEADER = key("stats.comparison_header", "start", "end")
COMPARISON_LINE = key("stats.comparison_line", "figure", "current", "previous", "change")
COMPARISON_NEW = key("stats.comparison_new")
BREAKDOWN_HEADER = key("stats.breakdown_header", "period")
SECTORS_HEADER = key("stats.sectors_header")
TERRITORY_HEADER = key("stats.territory_header")
SOURCES_HEADER = key("stats.sources_header")
BREAKDOWN_LINE = key("stats.breakdown_line", "label", "count", "percent")
BREAKDOWN_EMPTY = key("stats.breakdown_empty")
SOURCE_LINE = key("stats.source_line", "source", "contacts", "welcomed")
SOURCE_LINE_STAFF = key("stats.source_line_staff", "source", "welcomed")

# /rapport
REPORT_TITLE = key("report.title", "period")
REPORT_PERIOD_YEAR = key("report.period_year", "year")
REPORT_PERIOD_RANGE = key("report.period_range", "start", "end")
REPORT_CREATION_HEADER = key("report.creation_header", "period")
REPORT_CREATION_SCOPE = key("report.creation_scope")
REPORT_CREATION_WELCOMED = key("report.creation_welcomed", "count", "s")
REPORT_CREATION_ACCOMPANIED = key("report.creation_accompanied", "count", "s")
REPORT_STARTED_IN_PERIOD = key("report.started_in_period", "count")
REPORT_CREATION_STRUCTURES = key("report.creation_structures", "count", "s")
REPORT_CREATION_JOBS = key("report.creation_jobs", "count", "s")
REPORT_DLA_HEADER = key("report.dla_header", "period")
REPORT_DLA_WELCOMED = key("report.dla_welcomed", "count", "s")
REPORT_DLA_DIAGNOSTICS = key("report.dla_diagnostics", "count", "s")
REPORT_DLA_ENGINEERING = key("report.dla_engineering", "individual", "si", "collective", "sc")
REPORT_DLA_COLLECTIVE_STRUCTURES = key("report.dla_collective_structures", "count", "s")
REPORT_DLA_FOLLOW_UPS = key("report.dla_follow_ups", "count", "s")
REPORT_DLA_BENEFICIARIES = key("report.dla_beneficiaries", "count", "s")
REPORT_DLA_JOBS = key("report.dla_jobs", "count", "s")
REPORT_GENERATEUR_HEADER = key("report.generateur_header", "period")
REPORT_TERRITORIES = key("report.territories", "count", "s")
REPORT_CRDVA_HEADER = key("report.crdva_header", "period")
REPORT_CRDVA_WELCOMED = key("report.crdva_welcomed", "count", "s")
REPORT_VOLUNTEERS_HEADER = key("report.volunteers_header", "period")
REPORT_VOLUNTEERS_ACTIVE = key("report.volunteers_active", "count", "s")
REPORT_VOLUNTEERS_UPSTREAM = key("report.volunteers_upstream", "count", "s")
REPORT_VOLUNTEERS_REVIEWS = key("report.volunteers_reviews", "count", "s")
REPORT_VOLUNTEERS_HOURS = key("report.volunteers_hours", "hours", "s")
REPORT_VOLUNTEERS_KM = key("report.volunteers_km", "km")
REPORT_NOT_COUNTED = key("report.not_counted")
REPORT_FILE_CAPTION = key("report.file_caption")

# /export
EXPORT_WORKING = key("export.working")
EXPORT_CAPTION = key("export.caption", "period", "format", "personal")
EXPORT_PERSONAL = key("export.personal")
EXPORT_ANONYMOUS = key("export.anonymous")
EXPORT_TOO_BIG = key("export.too_big")

# /graphique
CHART_CAPTION = key("chart.caption", "period", "total")
