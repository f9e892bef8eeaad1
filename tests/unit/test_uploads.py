"""Received files: size limit, type decided by the bytes, a temporary folder cleaned up."""

from __future__ import annotations

import codecs
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from pes21_bot.services.uploads import (
    UploadRefused,
    check_declared_size,
    received,
    sniff,
)


def _workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Nom", "Commune"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_workbook_and_csv_texts_are_recognised_by_their_bytes() -> None:
    assert sniff(_workbook()) == "xlsx"
    assert sniff("Nom;Commune\r\nZoé;Dijon\r\n".encode("utf-8-sig")) == "csv"
    assert sniff("Nom;Commune\nZoé;Dijon\n".encode("cp1252")) == "csv"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image renamed .csv
        b"%PDF-1.7\n\x00\x01binary",
        _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<t/>"}),  # a .docx
        _zip({"notes.txt": b"Nom;Commune"}),  # a zip renamed .xlsx
        b"PK\x03\x04 not really a zip",
        b"Nom;Commune\n\x07\x1b[31m",  # control characters: not a spreadsheet's text
    ],
)
def test_other_files_are_refused_whatever_their_name(data: bytes) -> None:
    assert sniff(data) is None
    with pytest.raises(UploadRefused) as refused, received(data):
        pass
    assert refused.value.reason == "wrong_type"


def test_a_csv_file_saved_as_unicode_text_is_taken() -> None:
    """Excel's "Texte Unicode" (UTF-16 with its byte order mark) is a CSV file."""
    text = "Nom\tCommune\r\nZoé\tDijon\r\n"
    assert sniff(text.encode("utf-16")) == "csv"
    assert sniff(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) == "csv"
    assert sniff(codecs.BOM_UTF16_LE + b"\x01\x00\x02\x00") is None  # controls: binary


def test_size_limits_apply_before_and_after_the_download() -> None:
    check_declared_size(None)
    check_declared_size(1000, limit=1000)
    with pytest.raises(UploadRefused) as declared:
        check_declared_size(1001, limit=1000)
    assert declared.value.reason == "too_big"
    with pytest.raises(UploadRefused) as received_big, received(b"a;b\n" * 300, limit=1000):
        pass
    assert received_big.value.reason == "too_big"
    with pytest.raises(UploadRefused) as empty, received(b""):
        pass
    assert empty.value.reason == "empty"


def test_the_file_lives_in_a_temporary_folder_removed_afterwards() -> None:
    data = _workbook()
    with received(data) as upload:
        assert upload.kind == "xlsx" and upload.size == len(data)
        assert upload.path.read_bytes() == data
        assert upload.path.name == "upload.xlsx"
        assert upload.path.parent.parent == Path(tempfile.gettempdir())
        folder = upload.path.parent
    assert not folder.exists()
    seen: list[Path] = []

    def import_failing_half_way() -> None:
        with received(data) as upload:
            seen.append(upload.path.parent)
            raise RuntimeError("the import failed half-way")

    with pytest.raises(RuntimeError):
        import_failing_half_way()
    assert seen and not seen[0].exists()


def test_a_csv_upload_can_be_refused_where_only_workbooks_are_taken() -> None:
    with pytest.raises(UploadRefused) as refused, received(b"a;b\n", accepted=("xlsx",)):
        pass
    assert refused.value.reason == "wrong_type"
