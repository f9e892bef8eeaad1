"""Telegram HTML as Markdown, for the files the bot sends."""

from __future__ import annotations

import html
import re

_BOLD = re.compile(r"<b>(.*?)</b>", re.DOTALL)
_ITALIC = re.compile(r"<i>(.*?)</i>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def html_to_markdown(text: str) -> str:
    """Telegram HTML (bold, italic, bullets '•') as Markdown, for the report file."""
    text = _BOLD.sub(r"**\1**", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [f"- {line[2:]}" if line.startswith("• ") else line for line in text.split("\n")]
    return "\n".join(lines).strip() + "\n"
