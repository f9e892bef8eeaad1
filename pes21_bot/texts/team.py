"""Text keys of the team by chat (/equipe, staff invitations) and of retention (equipe.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# Retention (the admins' daily notice)
RETENTION_DONE = key("retention.done", "count")
RETENTION_NOTICE = key("retention.notice", "count", "date", "years")

# Staff invitations and joining
INVITATION_STAFF_WORDS = key("team.invitation_staff_words")
INVITATION_STAFF_USAGE = key("team.invitation_usage", "programmes")
INVITATION_STAFF_CREATED = key("team.invitation_created", "code", "date", "programmes")
JOINED = key("team.joined", "name", "programmes")
JOINED_ADMINS = key("team.joined_admins", "name", "programmes")

# /equipe
LIST_HEADER = key("team.list_header")
LIST_ADMINS = key("team.list_admins", "names")
LIST_STAFF_HEADER = key("team.list_staff_header", "count")
LIST_STAFF_LINE = key("team.list_staff_line", "name", "programmes", "coordination", "last")
LIST_COORDINATION = key("team.list_coordination", "programmes")
LIST_VOLUNTEERS_HEADER = key("team.list_volunteers_header", "count")
LIST_VOLUNTEER_LINE = key("team.list_volunteer_line", "name", "missions", "last")
LIST_NO_VOLUNTEER = key("team.list_no_volunteer")
LIST_CHOOSE = key("team.list_choose")
NEVER = key("team.never")
NOBODY = key("team.nobody")
EDIT = key("team.edit", "name")
MEMBER = key("team.member", "name", "programmes", "coordination", "last")
MEMBER_GONE = key("team.member_gone")
BUTTON_PROGRAMMES = key("team.button_programmes")
BUTTON_COORDINATE = key("team.button_coordinate")
BUTTON_REMOVE = key("team.button_remove")
BUTTON_BACK = key("team.button_back")
BUTTON_TEAM = key("team.button_team")
PROGRAMMES_PROMPT = key("team.programmes_prompt", "name")
PROGRAMME_ON = key("team.programme_on", "programme")
PROGRAMME_OFF = key("team.programme_off", "programme")
LAST_PROGRAMME = key("team.last_programme")
COORDINATE_PROMPT = key("team.coordinate_prompt", "name")
COORDINATE_BUTTON = key("team.coordinate_button", "programme")
COORDINATE_ALL = key("team.coordinate_all", "name")
COORDINATOR_NOTICE = key("team.coordinator_notice", "programme")
REMOVE_CONFIRM = key("team.remove_confirm", "name")
REMOVE_YES = key("team.remove_yes")
REMOVE_NO = key("team.remove_no")
REMOVED = key("team.removed", "name", "count")
REMOVED_UNOWNED = key("team.removed_unowned", "references")
REMOVED_NOTICE = key("team.removed_notice")
HANDED_OVER = key("team.handed_over", "name", "references")
