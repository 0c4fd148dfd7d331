"""`python -m support.devservices -- COMMAND` (what `make test` runs): the command gets a
PostgreSQL and a Redis, the ones given, or throwaway ones stopped after it, and its exit
status is the command's."""

import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT
from support.ports import free_port, port_open
from support.postgres import find_pg_bindir

SHOW_SERVICES = "import os; print(os.environ['DATABASE_URL'], os.environ['REDIS_URL']); raise SystemExit(7)"


def devservices(*command: str, **env: str) -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "support.devservices", *command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_given_urls_are_passed_on_and_the_exit_status_is_the_commands():
    given = {"DATABASE_URL": "postgres://someone@127.0.0.1:1/somewhere", "REDIS_URL": "redis://127.0.0.1:1/3"}

    done = devservices("--", sys.executable, "-c", SHOW_SERVICES, **given)

    assert done.returncode == 7, done.stderr
    assert done.stdout.split() == [given["DATABASE_URL"], given["REDIS_URL"]]
    assert "using DATABASE_URL from the environment" in done.stderr


def test_without_a_command_it_says_how_to_call_it():
    done = devservices("pytest")

    assert done.returncode == 2
    assert "usage: python -m support.devservices -- COMMAND" in done.stderr


BINARIES_MISSING = not (find_pg_bindir() and shutil.which("redis-server"))


@pytest.mark.slow
@pytest.mark.skipif(BINARIES_MISSING, reason="initdb/postgres or redis-server missing")
def test_throwaway_servers_serve_the_command_and_are_stopped_after_it():
    nothing_there = {"DEVSERVICES_PG_PORT": str(free_port()), "DEVSERVICES_REDIS_PORT": str(free_port())}
    use_both = (
        "import os, psycopg, redis; "
        "print(psycopg.connect(os.environ['DATABASE_URL']).execute('SELECT current_database()').fetchone()[0]); "
        "print(redis.Redis.from_url(os.environ['REDIS_URL']).ping()); "
        "print(os.environ['DATABASE_URL'], os.environ['REDIS_URL'])"
    )

    done = devservices("--", sys.executable, "-c", use_both, **nothing_there)

    assert done.returncode == 0, done.stderr
    database, pong, database_url, redis_url = done.stdout.split()
    assert (database, pong) == ("blogapi", "True")
    assert "started throwaway PostgreSQL" in done.stderr
    assert "started throwaway Redis" in done.stderr
    for url in (database_url, redis_url):
        assert not port_open(int(url.rsplit(":", 1)[1].split("/")[0])), f"{url} still answers"
