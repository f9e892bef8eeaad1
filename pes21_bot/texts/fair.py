"""Text keys of the bot under load: too-fast notices, groups, restarts (contenus/equite.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

TOO_FAST = key("fair.too_fast")
TOO_FAST_TOAST = key("fair.too_fast_toast")
RESTARTED_AFTER_STALL = key("fair.restarted_after_stall", "minutes")
BUNDLE_HEAD = key("fair.bundle_head", "name", "reference")
