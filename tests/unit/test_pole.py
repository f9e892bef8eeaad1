"""The Pôle's contact details: written once in config.yaml, shown in every text that needs them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import main
from pes21_bot import texts
from pes21_bot.config import load_config
from pes21_bot.content import load_content
from pes21_bot.runner import CONTENT_DIR, ROOT
from tests.harness import Harness

REAL_PHONE = "03 80 50 90 47"
REAL_EMAIL = "contact@pole-economie-solidaire21.org"


def _config_with(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw.update(change)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def test_shipped_config_holds_the_poles_real_contact() -> None:
    pole = load_config(ROOT / "config.yaml").pole
    assert (pole.phone, pole.email) == (REAL_PHONE, REAL_EMAIL)
    assert pole.address == "12 avenue Gustave Eiffel, 21000 Dijon"


def test_texts_take_the_contact_from_config(tmp_path: Path) -> None:
    path = _config_with(
        tmp_path, {"pole": {"phone": "03 99 99 99 99", "email": "accueil@pole.test"}}
    )
    content = load_content(CONTENT_DIR, pole=load_config(path).pole)
    refused = content.render(texts.CONSENT_REFUSED)
    assert "03 99 99 99 99" in refused and "accueil@pole.test" in refused
    assert REAL_PHONE not in refused
    workshop = next(w for w in content.agenda if "Inscription" in w.details)
    assert "03 99 99 99 99" in workshop.details


def test_no_text_keeps_a_placeholder_or_a_fake_contact() -> None:
    content = load_content(CONTENT_DIR)
    shown = [*content.messages.values(), *(w.details for w in content.agenda)]
    for text in shown:
        assert "{pole_" not in text
        assert "03 80 00 00 00" not in text and "pes21.example" not in text


async def test_a_holder_who_refuses_gets_the_real_contact(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press("💡 J'ai une idée de projet")
    await holder.expect("Acceptez-vous")
    holder.press("Je refuse")
    refused = await holder.expect("rien enregistré")
    assert REAL_PHONE in (refused.text or "") and REAL_EMAIL in (refused.text or "")


async def test_the_agenda_says_how_to_register(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/start")
    await holder.expect("Bienvenue")
    holder.press("📅 Prochains ateliers")
    agenda = await holder.expect("Prochains ateliers")
    assert f"Inscription auprès du Pôle : {REAL_PHONE}" in (agenda.text or "")


def test_check_warns_about_example_ids_and_reminds_to_press_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PES21_CONFIG", str(ROOT / "config.yaml"))
    assert main(["--check"]) == 0
    out, err = capsys.readouterr()
    assert "staff.0.id (2001, Camille) ressemble à un identifiant d'exemple" in err
    assert "admins.0.id (1001, Direction)" in err
    assert "appuyer sur Démarrer" in out

    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    for member in [*raw["admins"], *raw["staff"]]:
        member["id"] += 700_000_000
    for programme in raw["programmes"].values():
        programme["coordinator"] += 700_000_000
    real = tmp_path / "config.yaml"
    real.write_text(yaml.safe_dump(raw, allow_unicode=True))
    monkeypatch.setenv("PES21_CONFIG", str(real))
    assert main(["--check"]) == 0
    assert "identifiant d'exemple" not in capsys.readouterr().err
