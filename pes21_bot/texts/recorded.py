"""Text keys of the dossiers recorded by staff and their linking (dossiers_hors_chat.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# /nouveau_dossier (staff, admins)
CHOOSE_PATH = key("recorded.choose_path")
INTRO = key("recorded.intro", "title")
TITLE = key("recorded.title", "title")
SAVE = key("recorded.save")
TIMEOUT = key("recorded.timeout")
CANCELLED = key("recorded.cancelled")
OWN_CONTACT = key("recorded.own_contact")
SENT = key("recorded.sent", "reference", "programme", "code", "until", "link")
ALREADY_SENT = key("recorded.already_sent", "reference")
# A new code from the dossier's panel, while the person has not linked it.
NEW_CODE = key("recorded.new_code")
CODE_RENEWED = key("recorded.code_renewed", "reference", "code", "until", "link")
ALREADY_LINKED = key("recorded.already_linked")
# The questions asked before the questionnaire (their prompts and recap labels).
PROMPTS = {
    qid: key(f"recorded.questions.{qid}")
    for qid in ("rec_source", "rec_partner", "rec_first_contact", "rec_consent", "rec_consent_on")
}
LABELS = {qid: key(f"recorded.labels.{qid}") for qid in PROMPTS}

# /lier CODE (anyone)
LINK_USAGE = key("recorded.link_usage")
LINKED = key("recorded.linked", "reference")
LINK_REFUSED = key("recorded.link_refused")
LINK_LOCKED = key("recorded.link_locked", "until")
