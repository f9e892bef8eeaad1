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
