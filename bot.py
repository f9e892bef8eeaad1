"""Entry point: load the environment, config and content, migrate, then run the bot or simulator."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pes21_bot.config import ConfigError, read_environment
from pes21_bot.content import ContentError
from pes21_bot.logsetup import configure_logging
from pes21_bot.runner import CONTENT_DIR, load_all, run_polling, team_report

logger = logging.getLogger("pes21_bot")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run; a bad config or content file exits with code 2."""
    parser = argparse.ArgumentParser(description="Assistant Telegram du Pôle ESS 21")
    parser.add_argument("--simulator", action="store_true", help="discuter avec le bot en local")
    parser.add_argument("--check", action="store_true", help="vérifier config et contenus")
    args = parser.parse_args(argv)
    env = read_environment()
    simulating = args.simulator or not env.token
    # In the simulator the terminal is the chat: only warnings go to the log.
    configure_logging(env.token, logging.WARNING if simulating else logging.INFO)
    try:
        config, content = load_all(env.config_path, CONTENT_DIR)
    except (ConfigError, ContentError) as exc:
        print(f"Erreur de configuration / configuration error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        print("Configuration et contenus valides.")
        for place in config.example_ids():
            print(
                f"Attention : {place} ressemble à un identifiant d'exemple ; mettez le vrai "
                f"identifiant Telegram / looks like an example id",
                file=sys.stderr,
            )
        print(
            "Rappel : chaque chargé·e de mission et admin doit ouvrir le bot et appuyer sur "
            "Démarrer une fois, sinon Telegram refuse de lui écrire."
        )
        for line in asyncio.run(team_report(config, env.database_url)):
            print(line)
        return 0
    if simulating:
        from pes21_bot.simulator import run_simulator

        return asyncio.run(run_simulator(config, content))
    return run_polling(config, content, env)


if __name__ == "__main__":
    sys.exit(main())
