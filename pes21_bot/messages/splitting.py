"""Long texts cut into Telegram messages."""

from __future__ import annotations

from collections.abc import Iterable

TELEGRAM_TEXT_LIMIT = 4096


def split_message(blocks: Iterable[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Join blocks with newlines into as few messages as possible, each at most `limit` long.

    Blocks are only cut between lines, so HTML tags opened on a line stay balanced.
    """
    lines: list[str] = []
    for block in blocks:
        lines.extend(block.split("\n"))
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[:limit]
        added = len(line) + (1 if current else 0)
        if current and size + added > limit:
            messages.append("\n".join(current).strip("\n"))
            current, size = [], 0
            added = len(line)
        current.append(line)
        size += added
    if current:
        messages.append("\n".join(current).strip("\n"))
    return [m for m in messages if m.strip()]
