"""Pure rules: no Telegram, no database."""
