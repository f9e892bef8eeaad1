"""Text keys of the agenda: events, registrations, waiting list, attendance (agenda_textes.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

FORM_INVALID_TIME = key("forms.invalid.time")

# /atelier (staff)
CREATED = key("agenda.created", "title", "date", "place", "kind", "capacity")
CAPACITY_NONE = key("agenda.capacity_none")
UNKNOWN_KIND = key("agenda.unknown_kind")
VOLUNTEERS_INVITED = key("agenda.volunteers_invited", "count")
INVITATION = key("agenda.invitation", "title", "date", "place")

# The agenda people see
ENTRY_DETAILS = key("agenda.entry_details", "details", "status")
SEATS_LEFT = key("agenda.seats_left", "count")
FULL = key("agenda.full")
STATUS_REGISTERED = key("agenda.status_registered")
STATUS_WAITING = key("agenda.status_waiting")
BUTTON_REGISTER = key("agenda.button_register", "date", "title")
BUTTON_CANCEL = key("agenda.button_cancel", "date", "title")
BUTTON_LEAVE_WAIT = key("agenda.button_leave_wait", "date", "title")
BUTTON_WAIT = key("agenda.button_wait")
REGISTERED = key("agenda.registered", "title", "date", "place")
ALREADY_REGISTERED = key("agenda.already_registered", "title")
WAITING = key("agenda.waiting", "title", "position")
ALREADY_WAITING = key("agenda.already_waiting", "title")
FULL_OFFER = key("agenda.full_offer", "title")
CLOSED = key("agenda.closed")
NOT_FOR_YOU = key("agenda.not_for_you")
CANCELLED = key("agenda.cancelled", "title")
LEFT_WAIT = key("agenda.left_wait", "title")
NOT_REGISTERED = key("agenda.not_registered")
PROMOTED = key("agenda.promoted", "title", "date", "place")
REMINDER = key("agenda.reminder", "title", "date", "place")
EMERGENCE_OFFER = key("agenda.emergence_offer", "title", "date", "place")

# Attendance (the event's creator, or an admin)
ATTENDANCE_CHOOSE = key("agenda.attendance_choose")
ATTENDANCE_NONE = key("agenda.attendance_none")
ATTENDANCE_EVENT = key("agenda.attendance_event", "date", "title")
ATTENDANCE_SHEET = key("agenda.attendance_sheet", "title", "date", "count")
ATTENDANCE_CAME = key("agenda.attendance_came", "name")
ATTENDANCE_ABSENT = key("agenda.attendance_absent", "name")
ATTENDANCE_UNSET = key("agenda.attendance_unset", "name")
ATTENDANCE_FINISH = key("agenda.attendance_finish")
ATTENDANCE_DUE = key("agenda.attendance_due", "title", "date")
ATTENDANCE_DONE = key("agenda.attendance_done", "title", "came", "walk_ins", "total")
ATTENDANCE_NOT_YOURS = key("agenda.attendance_not_yours")
