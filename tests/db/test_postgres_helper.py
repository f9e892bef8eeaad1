"""The throwaway PostgreSQL helper itself."""

from __future__ import annotations

import pytest

from tests import postgres


def test_fixture_skips_with_a_reason_without_binaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_postgres_bindir", lambda: None)
    monkeypatch.delenv("PES21_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match=postgres.SKIP_REASON):
        next(postgres.postgres_server_fixture())


def test_fixture_fails_without_binaries_when_ci_requires_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres, "find_postgres_bindir", lambda: None)
    monkeypatch.setenv("PES21_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="PES21_REQUIRE_POSTGRES is set"):
        next(postgres.postgres_server_fixture())


@pytest.mark.postgres
def test_database_names_are_checked(postgres_server: postgres.PostgresServer) -> None:
    with pytest.raises(ValueError, match="invalid database name"):
        postgres_server.create_database('x"; DROP DATABASE postgres; --')
    url = postgres_server.create_database("plain_name_1")
    assert url == f"postgresql+asyncpg://postgres@127.0.0.1:{postgres_server.port}/plain_name_1"
