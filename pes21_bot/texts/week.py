"""Text keys of the week's fixes for every role (contenus/semaine.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

# "oui" or "non" typed under the consent screen: its buttons are the answer.
CONSENT_TYPED = key("consent_typed.hint")
