"""Text keys of edited messages (contenus/corrections.yaml): a form's answer corrected by
editing the message that gave it, and a relayed message corrected for the team."""

from __future__ import annotations

from pes21_bot.texts import key

ANSWER_CHANGED = key("corrections.answer_changed", "label", "value")
ANSWER_UNCHANGED = key("corrections.answer_unchanged", "label")
HOW_TO_CORRECT = key("corrections.how_to_correct")
RELAY_LABEL = key("corrections.relay_label", "name", "reference")
RELAY_DONE = key("corrections.relay_done", "reference")
VIEW_EDITED = key("corrections.view_edited", "text")
ANSWER_EDIT_NOT_SENT = key("corrections.answer_edit_not_sent")
