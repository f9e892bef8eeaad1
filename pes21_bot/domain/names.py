"""Recognise the names people type for things the bot knows by a code (programmes, answers)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pes21_bot.domain.fields import fold

# Little words people may put around a name: "le DLA", "au DLA et à Bénéfices'Créa".
_LITTLE_WORDS = frozenset({"le", "la", "les", "l", "du", "de", "des", "d", "au", "aux", "a", "et"})


def words(text: str) -> tuple[str, ...]:
    """The words of a name, folded (no case, accents, apostrophes, underscores or articles)."""
    spaced = re.sub(r"[^\w]|_", " ", fold(text))
    return tuple(w for w in spaced.split() if w not in _LITTLE_WORDS)


def match_names(text: str, names: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The codes of the names typed in ``text``, in order, each once; None if a word is unknown.

    ``names`` gives each code the names that mean it (its label, its code...).
    """
    phrases = sorted(
        ((words(name), code) for code, aliases in names.items() for name in (code, *aliases)),
        key=lambda phrase: -len(phrase[0]),
    )
    typed = words(text)
    chosen: list[str] = []
    at = 0
    while at < len(typed):
        found = next(
            (
                (phrase, code)
                for phrase, code in phrases
                if phrase and typed[at : at + len(phrase)] == phrase
            ),
            None,
        )
        if found is None:
            return None
        if found[1] not in chosen:
            chosen.append(found[1])
        at += len(found[0])
    return chosen or None
