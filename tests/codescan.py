"""Find internal codes (programme keys, event kinds, statuses, sources, answer values...) in what
the bot shows people: every text, caption, button label and sent file (XLSX, CSV, ZIP, JSON,
Markdown) recorded by the fake Bot API.

The codes are derived from the registries, never listed by hand: every StrEnum of the package,
the event kinds of services.events, the sources of recorded dossiers, the keys of every list of
contenus/ and the choices of every questionnaire. A short allow-list names the codes that are
also French words.
"""

from __future__ import annotations

import enum
import importlib
import io
import json
import pkgutil
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook

import pes21_bot
from pes21_bot.content import Content
from pes21_bot.fake_telegram import BotMessage, FakeBotApi
from pes21_bot.services import events, recorded

# Codes that are also French words in no text of contenus/ yet; keep it short.
FRENCH_WORDS: frozenset[str] = frozenset()
_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def _string_enums() -> Iterator[type[enum.StrEnum]]:
    for module in pkgutil.walk_packages(pes21_bot.__path__, f"{pes21_bot.__name__}."):
        if ".fake_telegram" not in module.name:
            importlib.import_module(module.name)
    todo: list[type[enum.StrEnum]] = [enum.StrEnum]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not enum.StrEnum and cls.__module__.startswith(pes21_bot.__name__):
            yield cls


def known_codes(content: Content) -> frozenset[str]:
    """Every internal code a person must never read, from the registries."""
    found: set[str] = set()
    for cls in _string_enums():
        found.update(str(member.value) for member in cls)
    found.update(v for k, v in vars(events).items() if k.isupper() and isinstance(v, str))
    found.update(recorded.SOURCES)
    for labels in content.lists.values():
        found.update(labels)
    for questionnaire in content.questionnaires.values():
        for question in questionnaire.questions:
            found.update(question.choices)
    codes = {c for c in found if _CODE.fullmatch(c) and len(c) > 2}
    # A one-word code that the texts themselves use as a French word ("commune", "dossier")
    # says nothing when found; "telephone", "dla", "idea" are in no French text.
    french = french_words(content) | FRENCH_WORDS
    return frozenset(c for c in codes if "_" in c or c not in french)


def french_words(content: Content) -> frozenset[str]:
    """Every lower-case word the texts of contenus/ use (messages, labels, questions, names)."""
    strings: list[str] = [*content.messages.values(), *content.commands.values()]
    for labels in content.lists.values():
        strings.extend(str(label) for label in labels.values())
    for programme in content.programmes.values():
        strings += [programme.name, programme.description]
    for questionnaire in content.questionnaires.values():
        for question in questionnaire.questions:
            strings += [question.prompt or "", question.label or "", *question.choices.values()]
    words: set[str] = set()
    for text in strings:
        # Commands and the examples that follow them are what people type, not French.
        prose = re.sub(r"/\w+[^\n.]*", " ", text)
        words.update(re.findall(r"(?<![\w_])[a-zàâäçéèêëîïôöùûüœæ]+(?![\w_])", prose))
    return frozenset(words)


def _cells(content: bytes, name: str) -> Iterator[str]:
    """Every readable string of a sent file."""
    if name.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield from (str(cell) for cell in row if isinstance(cell, str))
    elif name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                yield from _cells(archive.read(member), member)
    elif name.endswith(".json"):
        yield from _json_strings(json.loads(content))
    elif name.endswith((".csv", ".md", ".txt")):
        yield content.decode("utf-8-sig")


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, str):
        yield value


def shown(message: BotMessage) -> Iterator[tuple[str, str]]:
    """(where, text) for every string of a message a person reads."""
    yield "text", message.text or ""
    yield "caption", message.caption or ""
    for row in (message.reply_markup or {}).get("inline_keyboard", []) + (
        message.reply_markup or {}
    ).get("keyboard", []):
        for button in row:
            yield "button", str(button.get("text", "") if isinstance(button, dict) else button)
    document = message.document
    if document is not None and document.content is not None:
        name = document.filename or ""
        for cell in _cells(document.content, name):
            yield f"file {name}", cell


class CodeRecorder:
    """Records every message the bot sends or edits and every button answer, for a scan."""

    def __init__(self, api: FakeBotApi) -> None:
        self.messages: list[BotMessage] = []
        self.answers: list[str] = []
        api.add_listener(self.messages.append)
        api.add_answer_listener(lambda _user, text: self.answers.append(text))

    def codes_shown(self, codes: frozenset[str]) -> list[str]:
        """'code in where: excerpt' for each code found in what was recorded."""
        pattern = re.compile(r"(?<![\w/@.-])(" + "|".join(sorted(codes)) + r")(?![\w@-])")
        texts = [(where, text) for m in self.messages for where, text in shown(m)]
        texts += [("answer", text) for text in self.answers]
        faults = []
        for where, text in texts:
            for found in pattern.finditer(text):
                start = max(found.start() - 40, 0)
                faults.append(f"{found.group(1)} in {where}: …{text[start : found.end() + 40]}…")
        return sorted(set(faults))
