"""Restore a backup: ``python -m pes21_bot.restore FILE [--force]`` (bot stopped first).

The database is the one of DATABASE_URL (or --database-url). A database that already holds
rows is refused unless --force is given; after the restore it is migrated to the code's schema,
so a backup taken by an older version works too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pes21_bot.config import ConfigError, load_config, read_environment
from pes21_bot.db.migrate import safe_url, upgrade_to_head
from pes21_bot.services.backup import BackupError, restore_backup


def _pg_bin_dir(config_path: Path) -> str | None:
    """pg_bin_dir from config.yaml when it can be read (restoring must not need a valid one)."""
    try:
        return load_config(config_path).operations.pg_bin_dir
    except ConfigError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Restore FILE into the database; exit 0 on success, 1 with a one-line reason otherwise."""
    parser = argparse.ArgumentParser(
        prog="python -m pes21_bot.restore",
        description="Restaurer une sauvegarde du bot / restore a backup of the bot",
    )
    parser.add_argument("file", type=Path, help="fichier de sauvegarde (.sqlite ou .dump)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="remplacer une base qui contient déjà des données / replace a non-empty database",
    )
    parser.add_argument("--database-url", help="base cible (par défaut : DATABASE_URL)")
    args = parser.parse_args(argv)
    env = read_environment()
    url = args.database_url or env.database_url
    try:
        items = restore_backup(
            args.file, url, force=args.force, bin_dir=_pg_bin_dir(env.config_path)
        )
        upgrade_to_head(url)
    except BackupError as exc:
        print(f"Restauration impossible / restore failed: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"Restauration impossible / restore failed: {exc.filename}", file=sys.stderr)
        return 1
    print(f"Sauvegarde restaurée dans {safe_url(url)} ({items} éléments) / backup restored.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
