"""The registry of text keys: every key the code uses, with its placeholders."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextKey:
    """A key into the texts of contenus/ and the placeholders its text must use."""

    key: str
    params: frozenset[str]


REGISTRY: dict[str, TextKey] = {}


def key(name: str, *params: str) -> TextKey:
    """Declare a text key; contenus/ must define it with exactly these placeholders."""
    text_key = TextKey(name, frozenset(params))
    if name in REGISTRY and REGISTRY[name] != text_key:
        raise ValueError(f"text key {name} declared twice with different placeholders")
    REGISTRY[name] = text_key
    return text_key
