"""Builders of Telegram objects (documents, photo sizes, entities) shared by the fake."""

from __future__ import annotations

import re

from pes21_bot.fake_telegram.formatting import utf16_len
from pes21_bot.fake_telegram.models import JSONDict, StoredFile

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
# A 1x1 transparent PNG used as the content of photos sent by fake users.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def document_dict(stored: StoredFile) -> JSONDict:
    """The Telegram ``Document`` object of a stored file."""
    data: JSONDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.filename:
        data["file_name"] = stored.filename
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    if stored.content is not None:
        data["file_size"] = stored.size
    return data


def photo_sizes(stored: StoredFile) -> list[JSONDict]:
    """The two ``PhotoSize`` objects (thumbnail, full size) of a stored photo."""
    width, height = image_size(stored.content)
    small = 90 if width >= height else max(1, 90 * width // max(height, 1))
    return [
        {
            "file_id": stored.file_id + "_s",
            "file_unique_id": stored.file_unique_id + "s",
            "width": min(small, width),
            "height": min(90, height),
            "file_size": stored.size,
        },
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.size,
        },
    ]


def image_size(content: bytes | None) -> tuple[int, int]:
    """Width and height of a PNG (800x600 for other formats)."""
    if content and content.startswith(b"\x89PNG") and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return 800, 600


def command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entities Telegram adds to a user's text (UTF-16 offsets)."""
    entities: list[JSONDict] = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities
