"""Entity parsing like Telegram: HTML, MarkdownV2 and legacy Markdown to plain text + entities.

Offsets and lengths of the produced entities are in UTF-16 code units, as in the Bot API.
Errors raise :class:`EntityParseError` whose message mimics Telegram's
``can't parse entities: ...`` descriptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_SIMPLE_HTML = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


class EntityParseError(ValueError):
    """The text can't be parsed with the requested parse mode."""


@dataclass
class ParsedText:
    """Plain text as displayed by clients, with its formatting entities."""

    text: str
    entities: list[JSONDict] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_text(
    text: str, parse_mode: str | None, entities: list[JSONDict] | None = None
) -> ParsedText:
    """Parse ``text`` with ``parse_mode`` then trim surrounding whitespace, like Telegram."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        parsed = _parse_html(text)
    elif mode == "markdownv2":
        parsed = _parse_markdown_v2(text)
    elif mode == "markdown":
        parsed = _parse_markdown_legacy(text)
    elif mode == "":
        parsed = ParsedText(text, [dict(e) for e in entities or []])
    else:
        raise EntityParseError(f'Unsupported parse_mode "{parse_mode}"')
    return _trim(parsed)


def _trim(parsed: ParsedText) -> ParsedText:
    stripped = parsed.text.strip()
    if stripped == parsed.text:
        return parsed
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    total = utf16_len(stripped)
    entities: list[JSONDict] = []
    for entity in parsed.entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


class _Builder:
    """Accumulates plain text and tracks the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def add(self, text: str) -> None:
        """Append plain text."""
        self.parts.append(text)
        self.pos += utf16_len(text)

    def entity(self, start: int, kind: str, **extra: Any) -> None:
        """Close an entity started at UTF-16 position ``start``."""
        if self.pos > start:
            entity: JSONDict = {"type": kind, "offset": start, "length": self.pos - start}
            entity.update({k: v for k, v in extra.items() if v is not None})
            self.entities.append(entity)

    def result(self) -> ParsedText:
        """The parsed text with entities sorted like Telegram."""
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.parts), self.entities)


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    byte_offset: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_html(text: str) -> ParsedText:
    out = _Builder()
    stack: list[_OpenTag] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            match = _ENTITY_RE.match(text, i)
            if match:
                out.add(_decode_entity(match.group(0), match.group(1)))
                i = match.end()
            else:
                out.add("&")
                i += 1
            continue
        if ch != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.add(text[i:j])
            i = j
            continue
        offset = _byte_offset(text, i)
        if i + 1 < n and text[i + 1] == "/":
            close = text.find(">", i)
            if close == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f'Unexpected end tag "{name}" at byte offset {offset}')
            top = stack[-1]
            if name != top.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _close_html_tag(out, top, stack)
            i = close + 1
            continue
        name_match = _TAG_NAME_RE.match(text, i + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        if not name or name not in HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        j = name_match.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
            if text[j] == ">":
                break
            attr = _ATTR_RE.match(text, j)
            if attr is None or attr.end() == j:
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {offset}"
                )
            raw_value = attr.group(2) or ""
            if raw_value[:1] in ("'", '"'):
                raw_value = raw_value[1:-1]
            attrs[attr.group(1).lower()] = _unescape_attr(raw_value)
            j = attr.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if name == "tg-emoji" and "emoji-id" not in attrs:
            raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at {offset}')
        stack.append(_OpenTag(name, out.pos, attrs, offset))
        i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


def _close_html_tag(out: _Builder, tag: _OpenTag, stack: list[_OpenTag]) -> None:
    name = tag.name
    if name == "a":
        href = tag.attrs.get("href")
        if href is None:
            return
        user = re.match(r"^tg://user\?id=(\d+)$", href)
        if user:
            out.entity(tag.start, "text_mention", user={"id": int(user.group(1))})
        else:
            out.entity(tag.start, "text_link", url=href)
    elif name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        out.entity(tag.start, kind)
    elif name == "tg-emoji":
        out.entity(tag.start, "custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
    elif name == "tg-time":
        unix = tag.attrs.get("unix")
        out.entity(
            tag.start,
            "date_time",
            unix_time=int(unix) if unix and unix.isdigit() else None,
            date_time_format=tag.attrs.get("format"),
        )
    elif name == "code" and stack and stack[-1].name == "pre":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language[len("language-") :]
        else:
            out.entity(tag.start, "code")
    elif name == "pre":
        out.entity(tag.start, "pre", language=tag.attrs.get("language"))
    else:
        out.entity(tag.start, _SIMPLE_HTML[name])


def _decode_entity(raw: str, body: str) -> str:
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return _NAMED_ENTITIES.get(body, raw)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return raw
    return chr(code)


def _unescape_attr(value: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(0), m.group(1)), value)


_MDV2_MARKERS = ("||", "__", "*", "_", "~")
_MDV2_NAMES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def _parse_markdown_v2(text: str) -> ParsedText:
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (marker, start utf16, byte offset)
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        offset = i  # converted to a byte offset on error
        if ch == "\\":
            if i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                out.add(text[i + 1])
                i += 2
                continue
            raise EntityParseError(
                f"Character '\\' is reserved and must be escaped at {_byte_offset(text, offset)}"
            )
        if text.startswith("```", i):
            end = _find_unescaped(text, "```", i + 3)
            if end == -1:
                raise EntityParseError(
                    f"Can't find end of Pre entity at byte offset {_byte_offset(text, offset)}"
                )
            body = text[i + 3 : end]
            language = None
            newline = body.find("\n")
            if newline != -1 and re.fullmatch(r"[\w+-]*", body[:newline]):
                language = body[:newline] or None
                body = body[newline + 1 :]
            start = out.pos
            out.add(_unescape_code(body))
            out.entity(start, "pre", language=language)
            i = end + 3
            continue
        if ch == "`":
            end = _find_unescaped(text, "`", i + 1)
            if end == -1:
                raise EntityParseError(
                    f"Can't find end of Code entity at byte offset {_byte_offset(text, offset)}"
                )
            start = out.pos
            out.add(_unescape_code(text[i + 1 : end]))
            out.entity(start, "code")
            i = end + 1
            continue
        if ch == "[" or (ch == "!" and text.startswith("![", i)):
            stack.append(("[" if ch == "[" else "![", out.pos, offset))
            i += 1 if ch == "[" else 2
            continue
        if ch == "]" and stack and stack[-1][0] in ("[", "!["):
            marker, start, start_offset = stack.pop()
            if not text.startswith("(", i + 1):
                raise EntityParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, start_offset)}"
                )
            url_end = _find_unescaped(text, ")", i + 2)
            if url_end == -1:
                raise EntityParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, start_offset)}"
                )
            url = re.sub(r"\\(.)", r"\1", text[i + 2 : url_end])
            if marker == "![":
                out.entity(start, "custom_emoji", custom_emoji_id=url.rpartition("id=")[2])
            else:
                out.entity(start, "text_link", url=url)
            i = url_end + 1
            continue
        found = next((m for m in _MDV2_MARKERS if text.startswith(m, i)), None)
        if found is not None:
            if stack and stack[-1][0] == found:
                _, start, _ = stack.pop()
                out.entity(start, _MDV2_NAMES[found])
            else:
                stack.append((found, out.pos, offset))
            i += len(found)
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # blockquote line marker
            continue
        if ch in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(ch)
        i += 1
    if stack:
        marker, _, offset = stack[-1]
        name = _MDV2_NAMES.get(marker, "TextUrl").replace("_", " ").title().replace(" ", "")
        raise EntityParseError(
            f"Can't find end of {name} entity at byte offset {_byte_offset(text, offset)}"
        )
    return out.result()


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape_code(body: str) -> str:
    return re.sub(r"\\([\\`])", r"\1", body)


def _unterminated(text: str, index: int) -> EntityParseError:
    return EntityParseError(
        f"Can't find end of the entity starting at byte offset {_byte_offset(text, index)}"
    )


def _parse_markdown_legacy(text: str) -> ParsedText:
    out = _Builder()
    i = 0
    n = len(text)
    names = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        ch = text[i]
        offset = i  # converted to a byte offset on error
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise _unterminated(text, offset)
            start = out.pos
            out.add(text[i + 3 : end])
            out.entity(start, "pre")
            i = end + 3
            continue
        if ch in names:
            end = text.find(ch, i + 1)
            if end == -1:
                raise _unterminated(text, offset)
            start = out.pos
            out.add(text[i + 1 : end])
            out.entity(start, names[ch])
            i = end + 1
            continue
        if ch == "[":
            link = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(text, i)
            if link is None:
                raise _unterminated(text, offset)
            start = out.pos
            out.add(link.group(1))
            out.entity(start, "text_link", url=link.group(2))
            i = link.end()
            continue
        out.add(ch)
        i += 1
    return out.result()
