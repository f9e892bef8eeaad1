"""Text keys of /import's bounds and of stopping an import (contenus/import_limites.yaml)."""

from __future__ import annotations

from pes21_bot.texts import key

TOO_MANY_ROWS = key("imports.too_many_rows", "limit")
SHEET_TOO_BIG = key("imports.sheet_too_big", "limit")
TABLE_TOO_BIG = key("imports.table_too_big", "limit")
BUTTON_STOP = key("imports.button_stop")
STOPPING = key("imports.stopping")
NOT_RUNNING = key("imports.not_running")
STOPPED = key("imports.stopped", "created")
INTERRUPTED = key("imports.interrupted", "created")
