"""Back up the PostgreSQL database of ``DATABASE_URL``, and restore a backup (pg_dump's custom format).

    python scripts/backup.py dump [FILE]               # default: backups/vchata-<UTC time>.dump
    python scripts/backup.py restore FILE              # into DATABASE_URL, which must be empty
    python scripts/backup.py restore FILE --clean      # replacing what DATABASE_URL holds

(``make backup`` / ``make restore BACKUP_FILE=…``.) The custom format is
compressed, and pg_restore can pick tables out of it or restore in parallel.
A restore runs in one transaction: it lands whole or not at all. Objects are
owned by the role that restores (``--no-owner``), so a backup of one server
restores on another with other role names.

pg_dump must be at least as new as the server it dumps, and pg_restore as the
dump: the script takes the binaries of the server's major version from
``/usr/lib/postgresql/<major>/bin`` when they are there (Debian and Ubuntu
install several side by side), else those on ``PATH``, and refuses older ones.
The password travels in the environment (``PGPASSWORD``), not on a command
line that ``ps`` shows.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parents[1]
_LIBPQ_ENV = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}


def libpq_env(database_url: str) -> dict[str, str]:
    """The environment that points pg_dump/pg_restore at ``database_url``."""
    params = conninfo_to_dict(database_url)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({_LIBPQ_ENV[name]: str(value) for name, value in params.items() if name in _LIBPQ_ENV and value})
    return env


def server_major(database_url: str) -> int:
    with psycopg.connect(database_url, connect_timeout=10) as connection:
        return connection.info.server_version // 10000


def tool(name: str, major: int) -> str:
    """The path of pg_dump/pg_restore for a server of this major version; exits if only an older one exists."""
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    path = str(candidate) if candidate.exists() else shutil.which(name)
    if path is None:
        sys.exit(f"{name} not found: install the PostgreSQL {major} client tools")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = int(re.search(r"\(PostgreSQL\) (\d+)", version).group(1))  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    if found < major:
        sys.exit(f"{path} is version {found}, older than the server ({major}): install the PostgreSQL {major} tools")
    return path


def dump(database_url: str, file: Path) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    pg_dump = tool("pg_dump", server_major(database_url))
    partial = file.with_name(file.name + ".partial")
    subprocess.run([pg_dump, "--format=custom", "--file", str(partial)], env=libpq_env(database_url), check=True)
    partial.rename(file)  # a backup that stopped half-way never has the final name
    return file


def has_tables(database_url: str) -> bool:
    with psycopg.connect(database_url, connect_timeout=10) as connection:
        row = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return row[0] > 0


def restore(database_url: str, file: Path, *, clean: bool) -> None:
    if not file.is_file():
        sys.exit(f"no backup at {file}")
    if not clean and has_tables(database_url):
        sys.exit("the database is not empty: restore into a new one, or pass --clean to replace what it holds")
    pg_restore = tool("pg_restore", server_major(database_url))
    env = libpq_env(database_url)
    command = [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner", f"--dbname={env['PGDATABASE']}"]
    if clean:
        command += ["--clean", "--if-exists"]
    subprocess.run([*command, str(file)], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    commands = parser.add_subparsers(dest="command", required=True)
    dump_parser = commands.add_parser("dump", help="write a backup")
    dump_parser.add_argument("file", nargs="?", type=Path)
    restore_parser = commands.add_parser("restore", help="load a backup")
    restore_parser.add_argument("file", type=Path)
    restore_parser.add_argument("--clean", action="store_true", help="drop what the database holds first")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must be a postgres:// URL")

    if args.command == "dump":
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        file = dump(args.database_url, args.file or ROOT / "backups" / f"vchata-{stamp}.dump")
        print(f"backup written: {file} ({file.stat().st_size:,} bytes)")
    else:
        restore(args.database_url, args.file, clean=args.clean)
        print(f"restored {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
