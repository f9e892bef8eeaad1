"""Text keys every form shares: why a typed answer is refused (contenus/formulaires.yaml).

A parser's refusal code (:class:`pes21_bot.domain.fields.InvalidCode`) finds its text by
convention, forms.invalid.<code>, with the placeholders the code declares: a new code gets its
key here without a list to keep.
"""

from __future__ import annotations

from pes21_bot.domain.fields import InvalidCode
from pes21_bot.texts._registry import TextKey, key

INVALID: dict[InvalidCode, TextKey] = {
    code: key(f"forms.invalid.{code}", *sorted(code.params)) for code in InvalidCode
}

# Refusals the engine decides itself, not a parser.
MULTI_EMPTY = key("forms.invalid.multi_empty")
CONTACT_REQUIRED = key("forms.invalid.contact_required")
NOT_TEXT = key("forms.invalid.not_text")
FOREIGN_CONTACT = key("forms.invalid.foreign_contact")


def invalid(code: InvalidCode) -> TextKey:
    """The text key of a refusal code: forms.invalid.<code>."""
    return INVALID[code]
