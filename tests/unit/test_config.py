"""config.yaml validation: each mistake stops the start with file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import main
from pes21_bot.config import ConfigError, load_config, read_environment
from pes21_bot.runner import ROOT


def _write(tmp_path: Path, mutate: object) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert callable(mutate)
    mutate(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def test_the_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.timezone == "Europe/Paris"
    assert {m.name for m in config.staff_for("accueil_amont")} == {"Camille", "Léa"}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.update(colour="red"), "colour: clé inconnue"),
        (lambda c: c["staff"][0].pop("id"), "staff.0.id: clé obligatoire absente"),
        (
            lambda c: c["staff"][0].update(id="camille"),
            "staff.0.id: Input should be a valid integer",
        ),
        (lambda c: c["programmes"].pop("dla"), "programmes manquants / missing programmes: dla"),
        (
            lambda c: c["programmes"]["dla"].update(response_days="soon"),
            "programmes.dla.response_days",
        ),
        (lambda c: c.update(timezone="Mars/Olympus"), "timezone: fuseau horaire inconnu"),
        (lambda c: c["qualification"]["weights"].update(charisma=5), "critère inconnu"),
        (lambda c: c["staff"][0].update(programmes=["moon"]), "staff.0.programmes.0"),
    ],
)
def test_config_mistakes_are_named(tmp_path: Path, mutate: object, expected: str) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert expected in str(caught.value)


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fichier introuvable"):
        load_config(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("admins: [\n")
    with pytest.raises(ConfigError, match=r"ligne \d+\): YAML invalide"):
        load_config(broken)


def test_main_exits_2_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, lambda c: c["admins"][0].pop("id"))
    monkeypatch.setenv("PES21_CONFIG", str(path))
    assert main(["--check"]) == 2
    err = capsys.readouterr().err
    assert "admins.0.id" in err and "Traceback" not in err


def test_environment_defaults_and_token_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    env = read_environment({"TELEGRAM_BOT_TOKEN": "123:SECRET"})
    assert env.database_url == "sqlite+aiosqlite:///data/pes21.db"
    assert env.config_path == Path("config.yaml")
    assert "SECRET" not in repr(env)


def test_only_admins_are_required_and_check_names_programmes_reaching_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, lambda c: c.update(staff=[s for s in c["staff"] if s["id"] != 2002]))
    assert load_config(path).staff_for("dla") == []
    monkeypatch.setenv("PES21_CONFIG", str(path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'absent.db'}")
    assert main(["--check"]) == 0
    out = capsys.readouterr().out
    assert "programmes.dla : personne ne reçoit ses dossiers" in out
    assert "programmes.crdva" not in out
    assert not (tmp_path / "absent.db").exists()
