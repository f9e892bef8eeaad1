"""Text keys of the week's fixes for every role: forms, agenda, menus, /cherche (semaine.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# "oui" or "non" typed under the consent screen: its buttons are the answer.
CONSENT_TYPED = key("consent_typed.hint")

# A question asked again by /retour or the recap's edit button: what it was answered.
PREVIOUS_ANSWER = key("form_previous.line", "answer")
# The same from the recap's edit button, where /retour keeps the answer and shows the recap.
CURRENT_ANSWER = key("form_previous.line_recap", "answer")

# /nouveau_dossier: the person did not agree (yet) that the Pôle keeps their data.
NO_CONSENT = key("recorded_wording.no_consent", "link")

# Dates ahead from today on (/atelier): the buttons are days.
FORM_TOMORROW = key("form_dates.tomorrow", "date")
FORM_NEXT_WEEK = key("form_dates.next_week", "date")

# /presences: an event whose attendance is recorded, offered to be corrected.
ATTENDANCE_CORRECT = key("attendance_fix.event", "date", "title")

# /annuler_atelier: staff cancel an event to come; those registered are told.
EVENT_CANCEL_CHOOSE = key("event_cancel.choose")
EVENT_CANCEL_NONE = key("event_cancel.none")
EVENT_CANCEL_BUTTON = key("event_cancel.button", "date", "title")
EVENT_CANCEL_CONFIRM = key("event_cancel.confirm", "title", "date", "count")
EVENT_CANCEL_YES = key("event_cancel.yes")
EVENT_CANCEL_NO = key("event_cancel.no")
EVENT_CANCEL_DONE = key("event_cancel.done", "title", "count")
EVENT_CANCEL_KEPT = key("event_cancel.kept", "title")
EVENT_CANCEL_GONE = key("event_cancel.gone")
EVENT_CANCEL_ALREADY = key("event_cancel.already", "title")
EVENT_CANCEL_NOT_YOURS = key("event_cancel.not_yours")
EVENT_CANCELLED_NOTICE = key("event_cancel.notice", "title", "date")

# A question answered by "Passer", as the answered question shows it.
SKIPPED = key("form_previous.skipped")

# /cherche (staff, admins): dossiers found by holder, project or structure name, or commune.
SEARCH_USAGE = key("week.search_usage")
SEARCH_NONE = key("week.search_none", "query")
SEARCH_FOUND = key("week.search_found", "count", "query")
SEARCH_MORE = key("week.search_more", "shown")
SEARCH_BUTTON = key("week.search_button", "reference", "name", "status")
SEARCH_MENU = key("week.search_menu")
# A team member or volunteer who types free text gets their own menu, with this hint first.
TEAM_NUDGE = key("week.team_nudge")
SEARCH_TIP = key("week.search_tip")
# The volunteer's /start menu.
VOLUNTEER_WELCOME = key("week.volunteer_welcome", "name")
VOLUNTEER_REVIEWS = key("week.volunteer_reviews")
VOLUNTEER_DOSSIERS = key("week.volunteer_dossiers")
VOLUNTEER_PROFILE = key("week.volunteer_profile")
# A past event's buttons (a reminder delivered late, an old agenda list).
EVENT_OVER = key("week.event_over", "title")
# /dossier by a volunteer: their own open bilan on it, or no access.
REVIEWER_VIEW = key("week.reviewer_view", "reference", "programme", "number", "date")
NO_ACCESS = key("week.no_access", "reference")
# A dossier recorded by staff (/nouveau_dossier): keep it, call the person, first contact's day.
KEEP_OFFER = key("week.keep_offer")
KEEP_BUTTON = key("week.keep_button")
CLAIM_WON_CALL = key("week.claim_won_call", "reference")
PROJECT_DETAIL_RECORDED = key(
    "week.project_detail_recorded", "reference", "programme", "status", "owner", "date"
)
# A volunteer pausing with bilans still given to them.
PAUSE_PENDING = key("week.pause_pending", "count")
PAUSE_DECLINE = key("week.pause_decline", "reference", "number")
# An accepted orientation to an Émergence workshop, to the holder.
HOLDER_EMERGENCE = key("week.holder_emergence", "reference")
# Accompaniment dates checked against each other.
ACC_BEFORE_START = key("week.acc_before_start", "date", "started_on")
ACC_START_BEFORE_CONTACT = key("week.acc_start_before_contact", "contact")
# Correcting the accompaniment's start or end.
ACC_FIX_START = key("week.acc_fix_start")
ACC_FIX_END = key("week.acc_fix_end")
ACC_FIXED = key("week.acc_fixed", "field", "reference", "was", "to")
ACC_FIXED_REVIEWS = key("week.acc_fixed_reviews")
ACC_FIX_REFUSED = {
    reason: key(f"week.acc_fix_refused_{reason}", "date")
    for reason in ("after_end", "after_step", "before_start", "before_step")
}
ACC_FIELD = {field: key(f"week.acc_field_{field}") for field in ("start", "end")}
ACC_CORRECTED_DETAIL = key("week.acc_corrected_detail", "field", "was", "to")
# Correcting a recorded step's date.
ACC_FIX_STEP = key("week.acc_fix_step")
ACC_CHOOSE_STEP = key("week.acc_choose_step", "reference")
ACC_STEP_BUTTON = key("week.acc_step_button", "milestone", "date")
ACC_STEP_FIXED = key("week.acc_step_fixed", "milestone", "reference", "was", "to")
ACC_CORRECTED_STEP_DETAIL = key("week.acc_corrected_step_detail", "milestone", "was", "to")
