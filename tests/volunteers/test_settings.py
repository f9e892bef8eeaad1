"""New config.yaml sections are validated with clear messages; every milestone has a label."""

from __future__ import annotations

from pathlib import Path

import pytest

from pes21_bot.config import Config, ConfigError, load_config
from pes21_bot.content import Content
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.runner import ROOT


def _with(tmp_path: Path, extra: str) -> Path:
    base = (ROOT / "config.yaml").read_text(encoding="utf-8").split("\nvolunteers:")[0]
    path = tmp_path / "config.yaml"
    path.write_text(base + "\n" + extra, encoding="utf-8")
    return path


def test_defaults_apply_when_the_sections_are_absent(tmp_path: Path) -> None:
    config = load_config(_with(tmp_path, ""))
    assert config.reminders.review_offsets_months == [3, 6, 12]
    assert config.reminders.quiet_start == "20:00" and config.reminders.quiet_weekdays == ["sunday"]
    assert config.volunteers.invitation_days == 7
    assert "dla_diagnostic" in config.accompaniment.milestones[Programme.DLA]


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ("reminders:\n  quiet_start: 20:00\n", "reminders.quiet_start"),
        ("reminders:\n  review_offsets_months: [6, 3]\n", "reminders.review_offsets_months"),
        ("reminders:\n  digest_weekday: lundi\n", "reminders.digest_weekday"),
        ("reminders:\n  snooze: 3\n", "reminders.snooze"),
        ("accompaniment:\n  milestones:\n    dla: [Bad Name]\n", "accompaniment.milestones"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, extra: str, where: str) -> None:
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        load_config(_with(tmp_path, extra))


def test_every_configured_milestone_and_mission_has_a_french_label(
    config: Config, content: Content
) -> None:
    for names in config.accompaniment.milestones.values():
        for name in names:
            assert name in content.lists["milestones"], name
    assert set(content.lists["volunteer_missions"]) == {
        "welcoming",
        "co_accompaniment",
        "reviews",
        "associative_life",
    }
