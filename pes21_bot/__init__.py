"""PES 21 assistant: the Telegram bot of the Pôle d'Économie Solidaire 21."""

import os

# Opt in to PTB's future behaviour: durations (retry_after...) are timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "1")
