"""Every text key the code uses, with its placeholders; contenus/ must define each one."""

from __future__ import annotations

from dataclasses import dataclass

REGISTRY: dict[str, TextKey] = {}


@dataclass(frozen=True)
class TextKey:
    """A key into contenus/messages.yaml and the placeholders its text must use."""

    key: str
    params: frozenset[str]


def _t(key: str, *params: str) -> TextKey:
    text_key = TextKey(key, frozenset(params))
    REGISTRY[key] = text_key
    return text_key


# General
WELCOME = _t("start.welcome", "name")
WELCOME_BACK_MENU = _t("start.menu_prompt")
HELP_HEADER = _t("help.header")
HELP_LINE = _t("help.line", "command", "description")
UNKNOWN_COMMAND = _t("errors.unknown_command")
NOT_TEXT = _t("errors.not_text")
INTERNAL_ERROR = _t("errors.internal")
GROUP_ONLY_PRIVATE = _t("errors.group_private_only", "bot_username")
NOT_ALLOWED = _t("errors.not_allowed")
STALE_BUTTON = _t("errors.stale_button")
TOO_LONG = _t("errors.too_long", "max")
NO_DRAFT = _t("errors.no_draft")
NOT_FOUND_REFERENCE = _t("errors.reference_not_found", "reference")

# Welcome menu
MENU_IDEA = _t("menu.idea")
MENU_DLA = _t("menu.dla")
MENU_LOCAL_AUTHORITY = _t("menu.local_authority")
MENU_CRDVA = _t("menu.crdva")
MENU_VOLUNTEER = _t("menu.volunteer")
MENU_AGENDA = _t("menu.agenda")
MENU_FAQ = _t("menu.faq")
MENU_BACK = _t("menu.back")
VOLUNTEER_INFO = _t("welcome.volunteer_info")
AGENDA_HEADER = _t("welcome.agenda_header")
AGENDA_ENTRY = _t("welcome.agenda_entry", "date", "title", "place", "details")
AGENDA_EMPTY = _t("welcome.agenda_empty")
FAQ_HEADER = _t("welcome.faq_header")
FAQ_ANSWER = _t("welcome.faq_answer", "question", "answer")
DRAFT_PENDING = _t("welcome.draft_pending", "title", "answered")
RESUME = _t("welcome.resume")
RESTART = _t("welcome.restart")

# Consent
CONSENT_REQUEST = _t("consent.request")
CONSENT_ACCEPT = _t("consent.accept")
CONSENT_REFUSE = _t("consent.refuse")
CONSENT_REFUSED = _t("consent.refused")

# Intake questions
QUESTION = _t("intake.question", "number", "total", "prompt")
INTAKE_INTRO = _t("intake.intro", "title")
SKIP = _t("intake.skip")
VALIDATE = _t("intake.validate")
SHARE_CONTACT = _t("intake.share_contact")
YES = _t("intake.yes")
NO = _t("intake.no")
NOTED = _t("intake.noted")
OUTSIDE_DEPARTMENT = _t("intake.outside_department")
INVALID_EMPTY = _t("intake.invalid.empty")
INVALID_TOO_SHORT = _t("intake.invalid.too_short", "min", "length")
INVALID_TOO_LONG = _t("intake.invalid.too_long", "max")
INVALID_EMAIL = _t("intake.invalid.email")
INVALID_PHONE = _t("intake.invalid.phone")
INVALID_POSTAL_CODE = _t("intake.invalid.postal_code")
INVALID_NUMBER = _t("intake.invalid.number")
INVALID_NUMBER_RANGE = _t("intake.invalid.number_range", "min", "max")
INVALID_YES_NO = _t("intake.invalid.yes_no")
INVALID_CHOICE = _t("intake.invalid.choice")
INVALID_USE_BUTTONS = _t("intake.invalid.use_buttons")
INVALID_MULTI_EMPTY = _t("intake.invalid.multi_empty")
INVALID_CONTACT_REQUIRED = _t("intake.invalid.contact_required")
INVALID_NOT_TEXT = _t("intake.invalid.not_text")
INVALID_FOREIGN_CONTACT = _t("intake.invalid.foreign_contact")
OUT_OF_TURN = _t("intake.out_of_turn")
NOTHING_TO_GO_BACK = _t("intake.nothing_to_go_back")
RECAP = _t("intake.recap", "title", "lines")
RECAP_LINE = _t("intake.recap_line", "label", "value")
RECAP_EDIT = _t("intake.recap_edit", "label")
SEND = _t("intake.send")
CANCEL = _t("intake.cancel")
CANCEL_CONFIRM = _t("intake.cancel_confirm")
CANCEL_YES = _t("intake.cancel_yes")
CANCEL_NO = _t("intake.cancel_no")
CANCELLED = _t("intake.cancelled")
CANCEL_ABORTED = _t("intake.cancel_aborted")
SUBMITTED = _t("intake.submitted", "reference", "programme", "who", "days")
SUBMITTED_WHO = _t("intake.submitted_who", "name")
SUBMITTED_EMERGENCE = _t("intake.submitted_emergence")
TIMEOUT = _t("intake.timeout")
EMPTY_VALUE = _t("intake.empty_value")

# Holder follow-up and data rights
FOLLOW_UP_HEADER = _t("holder.follow_up_header")
FOLLOW_UP_LINE = _t("holder.follow_up_line", "reference", "programme", "status", "date")
FOLLOW_UP_OWNER = _t("holder.follow_up_owner", "name")
FOLLOW_UP_EMPTY = _t("holder.follow_up_empty")
HOLDER_CLAIMED = _t("holder.claimed", "reference", "name", "programme")
HOLDER_REDIRECTED = _t("holder.redirected", "reference", "programme", "days")
HOLDER_CLOSED = _t("holder.closed", "reference", "reason")
MY_DATA_EMPTY = _t("rights.my_data_empty")
MY_DATA_SUMMARY = _t("rights.my_data_summary", "name", "since", "projects")
MY_DATA_FILE_CAPTION = _t("rights.my_data_caption")
ERASE_CONFIRM = _t("rights.erase_confirm")
ERASE_YES = _t("rights.erase_yes")
ERASE_NO = _t("rights.erase_no")
ERASED = _t("rights.erased")
ERASE_ABORTED = _t("rights.erase_aborted")
STAFF_ERASED = _t("rights.staff_erased", "reference")

# Staff
CARD = _t("staff.card", "reference", "programme", "path", "summary", "maturity")
CARD_MATURITY = _t("staff.card_maturity", "score", "threshold", "verdict", "reasons")
CARD_REASON = _t("staff.card_reason", "points", "explanation")
MATURE = _t("staff.mature")
NOT_MATURE = _t("staff.not_mature")
CARD_CLAIMED = _t("staff.card_claimed", "name")
CARD_REDIRECTED = _t("staff.card_redirected", "name", "programme")
CARD_CLOSED = _t("staff.card_closed", "name", "reason")
CARD_ERASED = _t("staff.card_erased", "reference")
CLAIM = _t("staff.claim")
REDIRECT = _t("staff.redirect")
CLOSE = _t("staff.close")
CHOOSE_PROGRAMME = _t("staff.choose_programme", "reference")
CHOOSE_REASON = _t("staff.choose_reason", "reference")
BACK = _t("staff.back")
CLAIM_WON = _t("staff.claim_won", "reference")
CLAIM_LOST = _t("staff.claim_lost", "reference", "name")
CLAIM_NOT_OPEN = _t("staff.claim_not_open", "reference", "status")
REDIRECT_DONE = _t("staff.redirect_done", "reference", "programme")
CLOSE_DONE = _t("staff.close_done", "reference")
ALREADY_CLOSED = _t("staff.already_closed", "reference")
MY_PROJECTS_HEADER = _t("staff.my_projects_header")
MY_PROJECTS_LINE = _t("staff.my_projects_line", "reference", "programme", "status", "date")
MY_PROJECTS_EMPTY = _t("staff.my_projects_empty")
PROJECT_USAGE = _t("staff.project_usage")
PROJECT_DETAIL = _t("staff.project_detail", "reference", "programme", "status", "owner", "summary")
PROJECT_HISTORY_LINE = _t("staff.project_history_line", "date", "event", "actor")
ORIENTATION_USAGE = _t("staff.orientation_usage", "keys")
ORIENTATION_RESULT = _t("staff.orientation_result", "programme", "maturity")
ORIENTATION_BAD_VALUE = _t("staff.orientation_bad_value", "key")
