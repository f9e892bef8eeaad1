"""The deployment files: compose.yaml is valid for Docker Compose and keeps its promises."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pes21_bot.runner import ROOT

COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.exemple"


def _compose_command() -> list[str] | None:
    """Docker's compose plugin when it answers without an engine, else Debian's docker-compose."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.fixture
def resolved(tmp_path: Path) -> dict[str, Any]:
    """compose.yaml as Docker Compose reads it, with the example env file as .env."""
    command = _compose_command()
    if command is None:
        if os.environ.get("PES21_REQUIRE_COMPOSE"):
            pytest.fail("docker compose / docker-compose not found (PES21_REQUIRE_COMPOSE is set)")
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    shutil.copy(COMPOSE_FILE, tmp_path / "compose.yaml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    for name in ("config.yaml", "contenus"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items() if k not in ("POSTGRES_PASSWORD", "COMPOSE_FILE")}
    result = subprocess.run(
        [*command, "--project-directory", str(tmp_path), "-f", "compose.yaml", "config"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


def test_compose_file_is_valid_and_keeps_the_database_private(resolved: dict[str, Any]) -> None:
    """The bot waits for a healthy PostgreSQL that is never published outside the server."""
    services = resolved["services"]
    db, bot = services["db"], services["bot"]
    assert db["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "ports" not in db
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    for service in (db, bot):
        assert service["restart"] == "unless-stopped"
        assert service["logging"]["options"]["max-size"]
    assert set(resolved["volumes"]) >= {"pgdata", "botdata"}


def test_compose_builds_the_bot_image_instead_of_pulling_it(resolved: dict[str, Any]) -> None:
    """No registry holds pes21-bot: `up` builds it rather than trying a pull first."""
    bot = resolved["services"]["bot"]
    assert bot["pull_policy"] == "build" and "build" in bot


def test_compose_mounts_config_and_content_read_only(resolved: dict[str, Any]) -> None:
    """config.yaml and contenus/ come from the server's folder and the bot cannot change them."""
    volumes = resolved["services"]["bot"]["volumes"]
    mounted = {}
    for volume in volumes:
        if isinstance(volume, str):
            parts = volume.split(":")
            mounted[parts[1]] = parts[2:] == ["ro"]
        else:
            mounted[volume["target"]] = bool(volume.get("read_only"))
    assert mounted["/app/config.yaml"] is True
    assert mounted["/app/contenus"] is True


def test_token_comes_from_a_git_ignored_env_file() -> None:
    """The example env file is shipped; the real one, holding the token, is never committed."""
    assert "TELEGRAM_BOT_TOKEN=" in ENV_EXAMPLE.read_text(encoding="utf-8")
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert compose["services"]["bot"]["env_file"] == [".env"]
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored


def test_docker_context_leaves_out_personal_data() -> None:
    """Local environments, databases and backups never enter the image."""
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", "data", "*.db", "*.db-wal", ".env", "sauvegardes"} <= ignored


def _locked() -> dict[str, str]:
    """Package name -> its line in requirements.lock (marker included)."""
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line and not line.startswith((" ", "#"))]
    return {canonicalize_name(line.split("==")[0]): line for line in pins}


def test_lock_pins_every_dependency_and_keeps_platform_markers() -> None:
    """Each dependency of pyproject.toml (dev extra included) has an exact version in the lock."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = _locked()
    for requirement in map(Requirement, wanted):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} missing from requirements.lock (run make lock)"
        assert "==" in locked[name]
    assert "sys_platform != 'win32'" in locked["uvloop"]
    assert "tornado" in locked  # the simulator's HTTP fake, no longer from PTB's webhooks extra
    assert "webhooks" not in " ".join(project["dependencies"])


def test_image_and_make_install_the_locked_versions_and_a_matching_pg_dump() -> None:
    """Same versions in the image as in make; the image's pg_dump has the server's major."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--constraint requirements.lock" in dockerfile
    assert "--constraint requirements.lock" in (ROOT / "Makefile").read_text(encoding="utf-8")
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    major = compose["services"]["db"]["image"].split(":")[1].split("-")[0]
    assert f"postgresql-client-{major}" in dockerfile
