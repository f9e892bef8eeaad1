"""A throwaway PostgreSQL server for the tests, run from the local server binaries.

One server per test session, one fresh database per test::

    # in a conftest.py
    from tests.postgres import PostgresServer, postgres_server_fixture

    @pytest.fixture(scope="session")
    def postgres_server() -> Iterator[PostgresServer]:
        yield from postgres_server_fixture()

    def test_something(postgres_server: PostgresServer) -> None:
        url = postgres_server.create_database("test_something")  # postgresql+asyncpg://...

When no server binaries are found the fixture skips the test with :data:`SKIP_REASON`.
PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the ``postgres`` system
user through ``runuser`` (the user is created if missing). The server is tuned for speed, not
durability (fsync, full_page_writes and synchronous_commit off) and lives in a temporary folder
that :meth:`PostgresServer.stop` removes.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

SKIP_REASON = "PostgreSQL server binaries not found"
SERVER_USER = "postgres"
SUPERUSER = "postgres"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "createdb")
START_ATTEMPTS = 3
COMMAND_TIMEOUT = 60
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _has_server_binaries(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in REQUIRED_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_postgres_bindir() -> Path | None:
    """Return the folder of initdb/pg_ctl/postgres, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(result.stdout.strip()))
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return next((path for path in candidates if _has_server_binaries(path)), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_env() -> dict[str, str]:
    """Return the environment without PG* variables that could redirect the client tools."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _server_account() -> pwd.struct_passwd:
    """Return the unprivileged account that runs the server when we are root, creating it."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVER_USER,
            ],
            check=True,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
        )
        return pwd.getpwnam(SERVER_USER)


def _world_traversable(folder: Path) -> bool:
    """Tell whether every folder from the root down to ``folder`` can be crossed by anyone."""
    return all(os.stat(part).st_mode & stat.S_IXOTH for part in (folder, *folder.parents))


def _temp_base(as_root: bool) -> str | None:
    """Return where to create the server folder (None: the default temporary folder)."""
    if not as_root:
        return None
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp"):
        if _world_traversable(Path(base)):
            return base
    raise RuntimeError("no world-traversable temporary folder for the PostgreSQL data")


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 and a free port."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = 0
        self._as_root = os.geteuid() == 0
        self._root: Path | None = None
        self._running = False

    @property
    def _data(self) -> Path:
        assert self._root is not None, "server not started"
        return self._root / "data"

    @property
    def _log(self) -> Path:
        assert self._root is not None, "server not started"
        return self._root / "server.log"

    def _run(self, args: Sequence[str], *, as_server: bool) -> subprocess.CompletedProcess[str]:
        """Run a command (as the server account when needed) and fail with its output."""
        command = list(args)
        if as_server and self._as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=_clean_env(),
            cwd=self._root,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result

    def _server_log(self) -> str:
        try:
            return self._log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def start(self) -> None:
        """Create the cluster and start the server; clean everything up if that fails."""
        if self._root is not None:
            raise RuntimeError("server already started")
        self._root = Path(tempfile.mkdtemp(prefix="pes21-pg-", dir=_temp_base(self._as_root)))
        atexit.register(self.stop)
        try:
            sockets = self._root / "sockets"
            sockets.mkdir()
            if self._as_root:
                account = _server_account()
                for path in (self._root, sockets):
                    os.chown(path, account.pw_uid, account.pw_gid)
            self._run(
                [
                    str(self.bindir / "initdb"),
                    "--pgdata",
                    str(self._data),
                    "--username",
                    SUPERUSER,
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ],
                as_server=True,
            )
            with (self._data / "postgresql.conf").open("a") as conf:
                conf.write(
                    "\n# Throwaway test server: speed over durability.\n"
                    "listen_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{sockets}'\n"
                    "fsync = off\n"
                    "full_page_writes = off\n"
                    "synchronous_commit = off\n"
                )
            self._start_on_a_free_port()
        except BaseException:
            self.stop()
            raise

    def _start_on_a_free_port(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = _free_port()
            try:
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "--pgdata",
                        str(self._data),
                        "--log",
                        str(self._log),
                        "--options",
                        f"-p {self.port}",
                        "--wait",
                        "--timeout",
                        str(COMMAND_TIMEOUT),
                        "start",
                    ],
                    as_server=True,
                )
            except RuntimeError as exc:
                # Another process may have taken the port between the probe and the start.
                log = self._server_log()
                if attempt < START_ATTEMPTS and "could not bind" in log:
                    continue
                raise RuntimeError(f"{exc}\nserver log:\n{log}") from exc
            self._running = True
            return

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (empty, or a copy of ``template``) and return its asyncpg URL."""
        if not self._running:
            raise RuntimeError("server not running")
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"invalid database name {name!r}")
        self._run(
            [
                str(self.bindir / "createdb"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--username",
                SUPERUSER,
                "--no-password",
                *(["--template", template] if template else []),
                name,
            ],
            as_server=False,
        )
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and delete its folder; safe to call more than once."""
        root = self._root
        if root is None:
            return
        try:
            if (root / "data" / "postmaster.pid").exists():
                self._stop_server()
        finally:
            self._running = False
            self._root = None
            atexit.unregister(self.stop)
            shutil.rmtree(root, ignore_errors=True)

    def _stop_server(self) -> None:
        try:
            self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "--pgdata",
                    str(self._data),
                    "--mode",
                    "immediate",
                    "--wait",
                    "--timeout",
                    "30",
                    "stop",
                ],
                as_server=True,
            )
        except (RuntimeError, OSError, subprocess.SubprocessError):
            self._kill_postmaster()

    def _kill_postmaster(self) -> None:
        """Last resort: kill the postmaster we started, by the pid it recorded."""
        try:
            pid = int((self._data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def postgres_server_fixture() -> Iterator[PostgresServer]:
    """Body of a session-scoped fixture: a running server, or a skip when PostgreSQL is absent."""
    bindir = find_postgres_bindir()
    if bindir is None:
        if os.environ.get("PES21_REQUIRE_POSTGRES"):
            pytest.fail(f"{SKIP_REASON} (PES21_REQUIRE_POSTGRES is set)")
        pytest.skip(SKIP_REASON)
    with PostgresServer(bindir) as server:
        yield server
