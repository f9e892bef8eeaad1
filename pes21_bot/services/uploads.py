"""Files people send to the bot (imports): size limit, type checked by content, temporary folder.

The name and the type Telegram reports are the sender's word: the type is decided from the
bytes (an XLSX workbook is a zip holding `xl/workbook.xml`; a CSV file is text), the file is
written under a name of our own in a fresh temporary folder, and the folder is removed when
the caller is done, whatever happens.
"""

from __future__ import annotations

import codecs
import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")  # Excel's "CSV UTF-8", else its Windows default
# Excel's "Texte Unicode" is UTF-16 (little-endian) behind its byte order mark.
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

Kind = Literal["xlsx", "csv"]
Reason = Literal["empty", "too_big", "wrong_type"]


class UploadRefused(Exception):
    """The file cannot be taken; `reason` chooses the French message."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class Upload:
    """A received file, checked, in its temporary folder."""

    kind: Kind
    path: Path
    size: int


def check_declared_size(size: int | None, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse, before downloading, a file Telegram says is too big."""
    if size is not None and size > limit:
        raise UploadRefused("too_big")


def _is_workbook(data: bytes) -> bool:
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return False
    # How far its parts unpack is checked by the import, whose refusal names the limit.
    names = {entry.filename for entry in entries}
    return {"[Content_Types].xml", "xl/workbook.xml"} <= names


def _no_controls(text: str) -> bool:
    return not any(ord(c) < 32 and c not in "\t\r\n" for c in text)


def _is_text(data: bytes) -> bool:
    if data.startswith(UTF16_BOMS):
        try:
            return _no_controls(data.decode("utf-16"))
        except UnicodeDecodeError:
            return False
    if b"\x00" in data:  # binary
        return False
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _no_controls(text)
    return False


def sniff(data: bytes) -> Kind | None:
    """What the bytes are (never what the file name says), or None."""
    if _is_workbook(data):
        return "xlsx"
    if not data.startswith(ZIP_MAGIC) and _is_text(data):
        return "csv"
    return None


@contextmanager
def received(
    data: bytes, accepted: tuple[Kind, ...] = ("xlsx", "csv"), limit: int = MAX_UPLOAD_BYTES
) -> Iterator[Upload]:
    """The checked file in a temporary folder removed afterwards; UploadRefused otherwise."""
    if not data:
        raise UploadRefused("empty")
    if len(data) > limit:
        raise UploadRefused("too_big")
    kind = sniff(data)
    if kind is None or kind not in accepted:
        raise UploadRefused("wrong_type")
    with tempfile.TemporaryDirectory(prefix="pes21-upload-") as folder:
        path = Path(folder) / f"upload.{kind}"  # our name: the sender's could hold "../"
        path.write_bytes(data)
        yield Upload(kind=kind, path=path, size=len(data))
