"""Facts drawn from intake answers (the question types and their parsing are in fields.py)."""

from __future__ import annotations

import unicodedata

from pes21_bot.domain.territory import in_home_department


def in_cote_dor(postal_code: str | None) -> bool | None:
    """Côte-d'Or postal codes are 21xxx."""
    return in_home_department(postal_code)


# The answer that names a dossier's project, by questionnaire: the structure's or the local
# authority's name, and for an idea (no structure yet) the idea itself.
NAME_ANSWERS = {
    "idea": "idea",
    "dla": "structure_name",
    "local_authority": "authority_name",
    "crdva": "structure_name",
}
DEFAULT_NAME_ANSWER = "structure_name"
# The answers that name a structure (not a description in the holder's words).
STRUCTURE_NAME_ANSWERS = ("structure_name", "authority_name")


def name_answer(path: str) -> str:
    """The answer key holding the project's name for this questionnaire."""
    return NAME_ANSWERS.get(path, DEFAULT_NAME_ANSWER)


def project_display_name(path: str, answers: dict[str, object]) -> str:
    """The dossier's display name: its project's or structure's name, else empty."""
    value = answers.get(name_answer(path))
    if value is None:
        value = next((answers[k] for k in STRUCTURE_NAME_ANSWERS if answers.get(k)), None)
    return " ".join(str(value).split()) if value else ""


def folded(text: str) -> str:
    """Text compared without case or accents ("Sophie Éluard" and "sophie eluard" match)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def searched_texts(path: str, answers: dict[str, object], commune: str | None) -> list[str]:
    """What a search looks in: the holder's name, the project's display name, the commune."""
    found = [str(answers.get("name") or ""), project_display_name(path, answers)]
    found.append(commune or str(answers.get("commune") or ""))
    return [text for text in found if text]


def matches(query: str, texts: list[str]) -> bool:
    """Whether every word of the query appears in one of the texts (case and accents ignored)."""
    words = folded(query).split()
    haystack = " | ".join(folded(text) for text in texts)
    return bool(words) and all(word in haystack for word in words)
