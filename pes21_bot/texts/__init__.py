"""Text keys: the name and placeholders of every French text the code uses (its words are in
contenus/*.yaml, which must define each one). A message the bot sends is built from texts by
pes21_bot.messages.

Feature modules declare their own keys in a module of this package (e.g. ``texts.volunteers``);
``all_keys`` imports every one of them, so the content is checked against every key whatever
the caller happened to import.
"""

from __future__ import annotations

import importlib
import pkgutil

from pes21_bot.texts._registry import REGISTRY, TextKey, key

__all__ = ["REGISTRY", "TextKey", "all_keys", "key"]


def all_keys() -> list[TextKey]:
    """Every text key of the package: each module of pes21_bot.texts is imported first."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return list(REGISTRY.values())


# General
WELCOME = key("start.welcome", "name")
WELCOME_BACK_MENU = key("start.menu_prompt")
HELP_HEADER = key("help.header")
HELP_LINE = key("help.line", "command", "description")
UNKNOWN_COMMAND = key("errors.unknown_command")
NOT_TEXT = key("errors.not_text")
INTERNAL_ERROR = key("errors.internal")
GROUP_ONLY_PRIVATE = key("errors.group_private_only", "bot_username")
NOT_ALLOWED = key("errors.not_allowed")
STALE_BUTTON = key("errors.stale_button")
NO_DRAFT = key("errors.no_draft")
NOT_FOUND_REFERENCE = key("errors.reference_not_found", "reference")

# Welcome menu
MENU_IDEA = key("menu.idea")
MENU_DLA = key("menu.dla")
MENU_LOCAL_AUTHORITY = key("menu.local_authority")
MENU_CRDVA = key("menu.crdva")
MENU_VOLUNTEER = key("menu.volunteer")
MENU_AGENDA = key("menu.agenda")
MENU_FAQ = key("menu.faq")
MENU_BACK = key("menu.back")
VOLUNTEER_INFO = key("welcome.volunteer_info")
AGENDA_HEADER = key("welcome.agenda_header")
AGENDA_ENTRY = key("welcome.agenda_entry", "date", "title", "place", "details")
AGENDA_EMPTY = key("welcome.agenda_empty")
FAQ_HEADER = key("welcome.faq_header")
FAQ_ANSWER = key("welcome.faq_answer", "question", "answer")
DRAFT_PENDING = key("welcome.draft_pending", "title", "answered")
RESUME = key("welcome.resume")
RESTART = key("welcome.restart")

# Consent
CONSENT_REQUEST = key("consent.request")
CONSENT_ACCEPT = key("consent.accept")
CONSENT_REFUSE = key("consent.refuse")
CONSENT_REFUSED = key("consent.refused")

# Intake questions
QUESTION = key("intake.question", "number", "total", "prompt")
INTAKE_INTRO = key("intake.intro", "title")
SKIP = key("intake.skip")
VALIDATE = key("intake.validate")
SHARE_CONTACT = key("intake.share_contact")
YES = key("intake.yes")
NO = key("intake.no")
NOTED = key("intake.noted")
OUTSIDE_DEPARTMENT = key("intake.outside_department", "region", "alternatives")
OUT_OF_TURN = key("intake.out_of_turn")
ALREADY_ANSWERED = key("intake.already_answered", "answer")
ALREADY_SENT = key("intake.already_sent", "reference")
CONSENT_ALREADY = key("consent.already")
NOTHING_TO_GO_BACK = key("intake.nothing_to_go_back")
RECAP = key("intake.recap", "title", "lines")
RECAP_LINE = key("intake.recap_line", "label", "value")
RECAP_EDIT = key("intake.recap_edit", "label")
SEND = key("intake.send")
CANCEL = key("intake.cancel")
CANCEL_CONFIRM = key("intake.cancel_confirm")
CANCEL_YES = key("intake.cancel_yes")
CANCEL_NO = key("intake.cancel_no")
CANCELLED = key("intake.cancelled")
CANCEL_ABORTED = key("intake.cancel_aborted")
SUBMITTED = key("intake.submitted", "reference", "programme", "who", "days")
SUBMITTED_WHO = key("intake.submitted_who", "name")
SUBMITTED_EMERGENCE = key("intake.submitted_emergence")
TIMEOUT = key("intake.timeout")
EMPTY_VALUE = key("intake.empty_value")

# Holder follow-up and data rights
FOLLOW_UP_HEADER = key("holder.follow_up_header")
FOLLOW_UP_LINE = key("holder.follow_up_line", "reference", "programme", "status", "date")
FOLLOW_UP_OWNER = key("holder.follow_up_owner", "name")
FOLLOW_UP_EMPTY = key("holder.follow_up_empty")
HOLDER_CLAIMED = key("holder.claimed", "reference", "name", "programme")
HOLDER_REDIRECTED = key("holder.redirected", "reference", "programme", "days")
HOLDER_CLOSED = key("holder.closed", "reference", "reason")
MY_DATA_EMPTY = key("rights.my_data_empty")
MY_DATA_SUMMARY = key(
    "rights.my_data_summary", "name", "email", "phone", "since", "consent", "projects"
)
MY_DATA_PROJECT = key("rights.my_data_project", "reference", "path", "status", "date")
MY_DATA_DRAFT = key("rights.my_data_draft", "path", "date")
MY_DATA_FILE_OFFER = key("rights.my_data_file_offer")
MY_DATA_FILE_BUTTON = key("rights.my_data_file_button")
MY_DATA_VOLUNTEER = key("rights.my_data_volunteer", "since", "reviews")
MY_DATA_MESSAGES = key("rights.my_data_messages", "count", "date")
MY_DATA_ANSWERS = key("rights.my_data_answers", "count", "date")
MY_DATA_REGISTRATIONS = key("rights.my_data_registrations")
MY_DATA_REGISTRATION = key("rights.my_data_registration", "event", "date", "state")
MY_DATA_FILE_CAPTION = key("rights.my_data_caption")
MY_DATA_FILE_NAME = key("rights.my_data_file_name")
ERASE_CONFIRM = key("rights.erase_confirm")
ERASE_YES = key("rights.erase_yes")
ERASE_NO = key("rights.erase_no")
ERASED = key("rights.erased")
ERASE_ABORTED = key("rights.erase_aborted")
STAFF_ERASED = key("rights.staff_erased", "reference")
STAFF_ANONYMISED = key("rights.staff_anonymised", "reference")
STAFF_ERASED_REVIEWS = key("rights.staff_erased_reviews")
REVIEWER_REVIEWS_CANCELLED = key("rights.reviewer_reviews_cancelled", "count", "references", "why")
ERASED_WHY_REQUEST = key("rights.why_request")
ERASED_WHY_RETENTION = key("rights.why_retention")

# Staff
CARD = key("staff.card", "title", "reference", "programme", "path", "summary", "maturity")
CARD_MATURITY = key("staff.card_maturity", "score", "threshold", "verdict", "reasons")
CARD_REASON = key("staff.card_reason", "points", "explanation")
MATURE = key("staff.mature")
NOT_MATURE = key("staff.not_mature")
CARD_CLAIMED = key("staff.card_claimed", "name")
CARD_REDIRECTED = key("staff.card_redirected", "name", "programme")
CARD_CLOSED = key("staff.card_closed", "name", "reason")
CARD_ERASED = key("staff.card_erased", "reference")
CARD_ANONYMISED = key("staff.card_anonymised", "reference")
CLAIM = key("staff.claim")
REDIRECT = key("staff.redirect")
CLOSE = key("staff.close")
BACK = key("staff.back")
CLAIM_WON = key("staff.claim_won", "reference")
CLAIM_LOST = key("staff.claim_lost", "reference", "name")
CLAIM_NOT_OPEN = key("staff.claim_not_open", "reference", "status")
REDIRECT_DONE = key("staff.redirect_done", "reference", "programme")
CLOSE_DONE = key("staff.close_done", "reference")
ALREADY_CLOSED = key("staff.already_closed", "reference")
MY_PROJECTS_HEADER = key("staff.my_projects_header")
MY_PROJECTS_EMPTY = key("staff.my_projects_empty")
PROJECT_USAGE = key("staff.project_usage")
TEAM_WELCOME = key("staff.team_welcome", "name")
TEAM_TO_HANDLE = key("staff.team_to_handle", "count")
TEAM_DOSSIERS = key("staff.team_dossiers")
TEAM_STATS = key("staff.team_stats")
TEAM_HELP = key("staff.team_help")
TEAM_HOLDER_MENU = key("staff.team_holder_menu")
MY_PROJECTS_CHOOSE = key("staff.my_projects_choose")
MY_PROJECTS_BUTTON = key("staff.my_projects_button", "reference", "programme", "status")
PROJECT_DETAIL = key("staff.project_detail", "reference", "programme", "status", "owner", "date")
PROJECT_ERASED = key("staff.project_erased")
PROJECT_ANSWERS = key("staff.project_answers")
PROJECT_HISTORY = key("staff.project_history")
PROJECT_BACK = key("staff.project_back")
PROJECT_ANSWERS_HEADER = key("staff.project_answers_header", "reference")
PROJECT_HISTORY_HEADER = key("staff.project_history_header", "reference")
PROJECT_HISTORY_EMPTY = key("staff.project_history_empty")
PROJECT_HISTORY_LINE = key("staff.project_history_line", "date", "event")
PROJECT_HISTORY_BY = key("staff.project_history_by", "date", "event", "actor")
PROJECT_HISTORY_DETAIL = key("staff.project_history_detail", "event", "detail")
ORIENTATION_USAGE = key("staff.orientation_usage", "keys")
ORIENTATION_RESULT = key("staff.orientation_result", "programme", "maturity")
ORIENTATION_BAD_VALUE = key("staff.orientation_bad_value", "key")
