"""Loading of the vendored Bot API spec and validation/coercion of call parameters."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pes21_bot.fake_telegram.errors import JSONDict, bad_request

SPEC_PATH = Path(__file__).parent / "spec" / "api-bot-api-10.0.json"

_INT_RE = re.compile(r"^[+-]?\d+$")
_DISCRIMINATOR_RE = re.compile(r"(?:must be|always)\s+[“\"]?([a-z0-9_]+)")
_ARRAY_PREFIX = "Array of "
_SCALARS = frozenset({"Integer", "String", "Boolean", "Float", "True", "InputFile"})


@dataclass(frozen=True)
class UploadedFile:
    """A file part received through multipart/form-data."""

    filename: str
    content: bytes
    mime_type: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method, or one field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method."""

    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class TypeSpec:
    """One Bot API type (object with fields, or abstract type with subtypes)."""

    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...]
    discriminator: tuple[str, str] | None  # (field name, expected value)


class _Invalid(Exception):
    """A value does not match the expected type (message without parameter name)."""


class BotApiSpec:
    """The parsed Bot API specification with a case-insensitive method lookup."""

    def __init__(self, raw: JSONDict) -> None:
        self.version: str = str(raw.get("version", ""))
        self.methods: dict[str, MethodSpec] = {}
        self._methods_lower: dict[str, MethodSpec] = {}
        for name, item in raw["methods"].items():
            spec = MethodSpec(
                name=name,
                fields=_parse_fields(item.get("fields", [])),
                returns=tuple(item.get("returns", [])),
            )
            self.methods[name] = spec
            self._methods_lower[name.lower()] = spec
        self.types: dict[str, TypeSpec] = {}
        for name, item in raw["types"].items():
            raw_fields = item.get("fields", [])
            discriminator = None
            if raw_fields:
                match = _DISCRIMINATOR_RE.search(raw_fields[0].get("description", ""))
                if match:
                    discriminator = (raw_fields[0]["name"], match.group(1))
            self.types[name] = TypeSpec(
                name=name,
                fields=_parse_fields(raw_fields),
                subtypes=tuple(item.get("subtypes", [])),
                discriminator=discriminator,
            )

    def method(self, name: str) -> MethodSpec | None:
        """Return the method spec (method names are case-insensitive, like Telegram)."""
        return self._methods_lower.get(name.lower())

    def validate_call(
        self,
        method: MethodSpec,
        params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> JSONDict:
        """Check and coerce the parameters of a call; raise a 400 ApiError when invalid."""
        files = files or {}
        merged: dict[str, Any] = {k: v for k, v in params.items() if v is not None}
        for name, upload in files.items():
            if name in method.fields:
                merged[name] = upload
        for name in merged:
            if name not in method.fields:
                raise bad_request(f'unknown parameter "{name}" for method {method.name}')
        result: JSONDict = {}
        for name, fspec in method.fields.items():
            if name not in merged:
                if fspec.required:
                    raise bad_request(f'parameter "{name}" is required for method {method.name}')
                continue
            try:
                result[name] = self._check_union(merged[name], fspec.types, files, top=True)
            except _Invalid as exc:
                raise bad_request(f'invalid parameter "{name}": {exc}') from None
        return result

    def _check_union(
        self, value: Any, types: tuple[str, ...], files: Mapping[str, UploadedFile], top: bool
    ) -> Any:
        first_error: _Invalid | None = None
        # Try scalar types other than String first so that "123" becomes 123 for Integer|String.
        ordered = sorted(types, key=lambda t: t == "String")
        for type_expr in ordered:
            try:
                return self._check(value, type_expr, files, top)
            except _Invalid as exc:
                first_error = first_error or exc
        assert first_error is not None
        if len(types) > 1:
            raise _Invalid(f"expected {' or '.join(types)}; {first_error}")
        raise first_error

    def _check(
        self, value: Any, type_expr: str, files: Mapping[str, UploadedFile], top: bool
    ) -> Any:
        if type_expr.startswith(_ARRAY_PREFIX):
            inner = type_expr[len(_ARRAY_PREFIX) :]
            value = _maybe_json(value, list) if top else value
            if not isinstance(value, list):
                raise _Invalid(f"expected {type_expr}")
            return [self._check(item, inner, files, top=False) for item in value]
        if type_expr in _SCALARS:
            return _check_scalar(value, type_expr, files)
        tspec = self.types.get(type_expr)
        value = _maybe_json(value, dict) if top else value
        if not isinstance(value, dict):
            raise _Invalid(f"expected a JSON object of type {type_expr}")
        if tspec is None:
            return value
        return self._check_object(value, tspec, files)

    def _check_object(
        self, value: JSONDict, tspec: TypeSpec, files: Mapping[str, UploadedFile]
    ) -> JSONDict:
        if tspec.subtypes:
            candidates = [self.types[s] for s in tspec.subtypes if s in self.types]
            with_disc = [c for c in candidates if c.discriminator is not None]
            if with_disc:
                field_name = with_disc[0].discriminator[0]  # type: ignore[index]
                actual = value.get(field_name)
                candidates = [
                    c for c in with_disc if c.discriminator and c.discriminator[1] == actual
                ]
                if not candidates:
                    raise _Invalid(f'unsupported {tspec.name} {field_name} "{actual}"')
            first_error: _Invalid | None = None
            for candidate in candidates:
                try:
                    return self._check_object(value, candidate, files)
                except _Invalid as exc:
                    first_error = first_error or exc
            raise first_error or _Invalid(f"can't parse {tspec.name}")
        result: JSONDict = dict(value)
        for name, fspec in tspec.fields.items():
            if name not in value or value[name] is None:
                if fspec.required:
                    raise _Invalid(f'field "{name}" of {tspec.name} is required')
                continue
            try:
                result[name] = self._check_union(value[name], fspec.types, files, top=False)
            except _Invalid as exc:
                raise _Invalid(f'field "{name}" of {tspec.name}: {exc}') from None
        return result


def _parse_fields(raw_fields: list[JSONDict]) -> dict[str, FieldSpec]:
    return {
        f["name"]: FieldSpec(name=f["name"], types=tuple(f["types"]), required=bool(f["required"]))
        for f in raw_fields
    }


def _maybe_json(value: Any, expected: type) -> Any:
    """Decode a JSON-serialized object/array given as a string (form data, query strings)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            raise _Invalid("can't parse JSON") from None
        if isinstance(decoded, expected):
            return decoded
    return value


def _check_scalar(value: Any, type_name: str, files: Mapping[str, UploadedFile]) -> Any:
    if type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise _Invalid("expected an Integer")
    if type_name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _Invalid("expected a Float")
    if type_name in ("Boolean", "True"):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise _Invalid("expected a Boolean")
    if type_name == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise _Invalid("expected a String")
    # InputFile: an uploaded part, or an attach://<name> reference to one.
    if isinstance(value, UploadedFile):
        return value
    if isinstance(value, str) and value.startswith("attach://"):
        attached = files.get(value[len("attach://") :])
        if attached is None:
            raise _Invalid(f"file {value} was not found in the request")
        return attached
    raise _Invalid("expected an uploaded file")


@functools.cache
def load_spec() -> BotApiSpec:
    """Load and parse the vendored Bot API spec once per process."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return BotApiSpec(json.load(handle))
