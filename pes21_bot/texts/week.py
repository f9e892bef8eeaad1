"""Text keys of the week's fixes for every role (contenus/semaine.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# "oui" or "non" typed under the consent screen: its buttons are the answer.
CONSENT_TYPED = key("consent_typed.hint")

# A question asked again by /retour or the recap's edit button: what it was answered.
PREVIOUS_ANSWER = key("form_previous.line", "answer")
# The same from the recap's edit button, where /retour keeps the answer and shows the recap.
CURRENT_ANSWER = key("form_previous.line_recap", "answer")

# A multiple-choice answer typed that names no option.
INVALID_MULTI_CHOICE = key("form_previous.invalid_multi_choice")

# /nouveau_dossier: the person did not agree (yet) that the Pôle keeps their data.
NO_CONSENT = key("recorded_wording.no_consent", "link")

# Dates ahead from today on (/atelier): the refusals give an example ahead, the buttons are days.
INVALID_DATE_UPCOMING = key("form_dates.invalid_upcoming", "example")
INVALID_DATE_AHEAD = key("form_dates.invalid_ahead", "example")
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
