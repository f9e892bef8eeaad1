"""Tests of the fake Telegram Bot API (pes21_bot.fake_telegram)."""
