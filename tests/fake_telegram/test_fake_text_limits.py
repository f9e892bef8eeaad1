"""Message text/caption limits and entity parsing (HTML, MarkdownV2)."""

from __future__ import annotations

from typing import Any

import pytest

from pes21_bot.fake_telegram import EntityParseError, FakeBotApi, UploadedFile, parse_text

from .fake_api_helpers import PNG_1X1, error, ok


@pytest.fixture
def chat(free_api: FakeBotApi) -> int:
    """A private chat id."""
    return free_api.user(1).id


@pytest.mark.parametrize("length", [1, 4096])
async def test_text_length_accepted(free_api: FakeBotApi, chat: int, length: int) -> None:
    result = await ok(free_api, "sendMessage", chat_id=chat, text="a" * length)
    assert len(result["text"]) == length


async def test_text_too_long(free_api: FakeBotApi, chat: int) -> None:
    description = await error(free_api, "sendMessage", chat_id=chat, text="a" * 4097)
    assert description == "Bad Request: message is too long"


@pytest.mark.parametrize("text", ["", "   \n "])
async def test_text_empty(free_api: FakeBotApi, chat: int, text: str) -> None:
    description = await error(free_api, "sendMessage", chat_id=chat, text=text)
    assert description == "Bad Request: message text is empty"


async def test_html_length_counts_visible_characters(free_api: FakeBotApi, chat: int) -> None:
    tagged = "<b>" + "a" * 4096 + "</b>"
    result = await ok(free_api, "sendMessage", chat_id=chat, text=tagged, parse_mode="HTML")
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]
    escaped = "a" * 4095 + "&amp;"
    result = await ok(free_api, "sendMessage", chat_id=chat, text=escaped, parse_mode="HTML")
    assert result["text"].endswith("a&")
    too_long = "&lt;" * 4097
    assert "too long" in await error(
        free_api, "sendMessage", chat_id=chat, text=too_long, parse_mode="HTML"
    )
    # Without parse_mode the tags are literal characters and count.
    assert "too long" in await error(free_api, "sendMessage", chat_id=chat, text=tagged)


async def test_html_only_tags_is_empty(free_api: FakeBotApi, chat: int) -> None:
    description = await error(
        free_api, "sendMessage", chat_id=chat, text="<b> </b>", parse_mode="HTML"
    )
    assert description == "Bad Request: message text is empty"


@pytest.mark.parametrize(
    "text",
    [
        "<b>unclosed",
        "<blink>x</blink>",
        "1 < 2",
        "<b>x</i>",
        "x</b>",
        "<span>x</span>",
        '<a href="https://x.org">x',
        "<b",
    ],
)
async def test_malformed_html_is_rejected(free_api: FakeBotApi, chat: int, text: str) -> None:
    description = await error(free_api, "sendMessage", chat_id=chat, text=text, parse_mode="HTML")
    assert description.startswith("Bad Request: can't parse entities: ")


def test_html_entities_and_tags() -> None:
    parsed = parse_text(
        '<b>B</b> <i>i</i> <a href="https://ex.org/?a=1&amp;b=2">lien</a> &lt;3 &#233;&#x263A; '
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> <u>u</u> <s>s</s> '
        '<pre><code class="language-python">x = 1</code></pre> <code>c</code> '
        "<blockquote expandable>q</blockquote> &nbsp;",  # unsupported named entity: literal
        "HTML",
    )
    assert parsed.text == "B i lien <3 é☺ s t u s x = 1 c q &nbsp;"
    types = [e["type"] for e in parsed.entities]
    assert types == [
        "bold",
        "italic",
        "text_link",
        "spoiler",
        "spoiler",
        "underline",
        "strikethrough",
        "pre",
        "code",
        "expandable_blockquote",
    ]
    link = parsed.entities[2]
    assert link["url"] == "https://ex.org/?a=1&b=2"
    assert parsed.entities[7]["language"] == "python"


def test_entity_offsets_are_utf16() -> None:
    parsed = parse_text("😀 <b>é😀</b>", "HTML")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 3}]


def test_surrounding_whitespace_is_trimmed() -> None:
    parsed = parse_text("  <b> x </b>  ", "HTML")
    assert parsed.text == "x"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 1}]


def test_markdown_v2() -> None:
    parsed = parse_text(
        r"*gras* _it_ __sous__ ~barré~ ||spoil|| `c` [l](https://e.org) 1\.5", "MarkdownV2"
    )
    assert parsed.text == "gras it sous barré spoil c l 1.5"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    with pytest.raises(EntityParseError, match="reserved"):
        parse_text("Prix : 1.5 €", "MarkdownV2")
    with pytest.raises(EntityParseError, match="Can't find end"):
        parse_text("*gras", "MarkdownV2")


async def test_markdown_v2_error_over_api(free_api: FakeBotApi, chat: int) -> None:
    description = await error(
        free_api, "sendMessage", chat_id=chat, text="Fin.", parse_mode="MarkdownV2"
    )
    assert description.startswith("Bad Request: can't parse entities: Character '.'")


def test_legacy_markdown() -> None:
    parsed = parse_text("*b* _i_ `c` [l](https://e.org)", "Markdown")
    assert parsed.text == "b i c l"
    with pytest.raises(EntityParseError):
        parse_text("*b", "Markdown")


@pytest.mark.parametrize(("length", "accepted"), [(1024, True), (1025, False)])
async def test_caption_length(free_api: FakeBotApi, chat: int, length: int, accepted: bool) -> None:
    for method, field in (("sendPhoto", "photo"), ("sendDocument", "document")):
        upload = UploadedFile("f.png", PNG_1X1, "image/png")
        params: dict[str, Any] = {"chat_id": chat, "caption": "c" * length, field: upload}
        if accepted:
            result = await ok(free_api, method, **params)
            assert len(result["caption"]) == length
        else:
            description = await error(free_api, method, **params)
            assert description == "Bad Request: message caption is too long"


async def test_caption_counts_after_html_parsing(free_api: FakeBotApi, chat: int) -> None:
    upload = UploadedFile("f.png", PNG_1X1, "image/png")
    result = await ok(
        free_api,
        "sendPhoto",
        chat_id=chat,
        photo=upload,
        caption="<i>" + "c" * 1024 + "</i>",
        parse_mode="HTML",
    )
    assert result["caption_entities"] == [{"type": "italic", "offset": 0, "length": 1024}]
