"""Start, check and stop the peers a bench run measures beside our API.

    peers = Peers(database_url=stack.database_url, redis_url=stack.redis_url, workdir=stack.workdir)
    urls = peers.start()            # {"flask": "http://127.0.0.1:<port>", "fastapi": ..., "floor": ...}
    for case in peer_cases(post_id):
        peers.check(case)           # warms the case, checks status, JSON shape and the hit
    ...                             # wrk urls[case.peer] + case.path
    peers.stop()                    # every process by pid, then the peers' cache keys

Each peer is its own process on a free loopback port: the Flask tutorial app and the
floor project under gunicorn (1 sync worker, bench/peers/gunicorn.conf.py), the FastAPI
app under uvicorn (1 worker). The Flask and FastAPI peers read the run's database (our
tables) and cache in their own Redis databases (7 and 8 by default) under their own key
prefixes; nothing else in Redis is touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from bench.load import Reply, request
from support.ports import HOST, free_port
from support.servers import Server

PEERS_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SECRET_KEY = "bench-peers-only-secret-key-0123456789-not-for-any-deployment"
FLASK_KEY_PREFIX = "blogapi-peers-flask:"
FASTAPI_KEY_PREFIX = "blogapi-peers-fastapi"  # fastapi-cache2 adds the ":"

# The paths of each peer's cases ({id}: a published post). The Flask tutorial's list takes
# Flask-SQLAlchemy's ?per_page=, the FastAPI one ?page_size= like ours; both cap at 100.
CASE_PATHS: dict[str, dict[str, str]] = {
    "flask": {
        "detail": "/api/v1/posts/{id}",
        "list_20": "/api/v1/posts",
        "list_100": "/api/v1/posts?per_page=100",
        "users": "/api/v1/users",
    },
    "fastapi": {
        "detail": "/api/v1/posts/{id}",
        "list_20": "/api/v1/posts",
        "list_100": "/api/v1/posts?page_size=100",
    },
    "floor": {"floor": "/bench/floor/"},
}
# The Flask tutorial's writes, JWT in `Authorization: Bearer <token>` (Peers.flask_token).
FLASK_WRITE_PATHS = {
    "login": "/api/v1/users/login",  # POST {username, password} -> {token}
    "create": "/api/v1/posts",  # POST {title, content} -> 201
    "update": "/api/v1/posts/{id}",  # PUT {title?, content?} -> 200 (the tutorial has no PATCH)
    "delete": "/api/v1/posts/{id}",  # DELETE -> 200
}
LABELS = {
    "flask": "Flask tutorial (flask-restx, Flask-Caching RedisCache, gunicorn 1 sync)",
    "fastapi": "FastAPI (fastapi-cache2 RedisBackend, async SQLAlchemy, uvicorn 1 worker)",
    "floor": "bare Django floor (startproject middleware, gunicorn 1 sync)",
}
POST_FIELDS = {"id", "title", "content", "category", "created_at", "user_id"}


def log(message: str) -> None:
    print(f"bench.peers: {message}", file=sys.stderr, flush=True)


def sqlalchemy_url(database_url: str) -> str:
    """Our DATABASE_URL (postgres://...) as SQLAlchemy names it for psycopg 3."""
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ValueError(f"the peers need PostgreSQL, not {parts.scheme}")
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def with_redis_db(redis_url: str, db: int) -> str:
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{db}"))


@dataclass(frozen=True)
class PeerCase:
    peer: str  # "flask", "fastapi" or "floor"
    name: str  # a key of CASE_PATHS[peer]
    path: str

    @property
    def label(self) -> str:
        return f"{self.peer} {self.name}"


def peer_cases(post_id: int) -> list[PeerCase]:
    return [
        PeerCase(peer, name, path.format(id=post_id))
        for peer, paths in CASE_PATHS.items()
        for name, path in paths.items()
    ]


@dataclass(frozen=True)
class CheckResult:
    body_bytes: int
    hit: str  # how the second request was seen to be a hit ("" where a peer cannot tell)


def flask_cache_key(path: str, *, query_string: bool) -> str:
    """The Redis key Flask-Caching's `@cache.cached` stores a view's value under: the
    default key_prefix 'view/%s' filled with request.path, plus, with query_string=True,
    a hash of the sorted query arguments (CACHE_HASH_METHOD, sha256 by default)."""
    parts = urlsplit(path)
    key = f"{FLASK_KEY_PREFIX}view/{parts.path}"
    if query_string:
        pairs = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        key += hashlib.sha256(str(pairs).encode()).hexdigest()
    return key


@dataclass
class Peers:
    """The three peers of one run; `start()` returns their base URLs, `stop()` ends them."""

    database_url: str  # the run's DATABASE_URL (postgres://...): the peers read our tables
    redis_url: str  # any database of the run's Redis server: the peers use their own
    flask_redis_db: int = 7
    fastapi_redis_db: int = 8
    cache_timeout: int = 3600  # longer than a run, as RESPONSE_CACHE_TTL for ours
    access_log: bool = True  # one access line per request, like our gunicorn
    workdir: Path | None = None  # for the logs; None: a temporary directory, removed by stop()
    urls: dict[str, str] = field(default_factory=dict)
    servers: dict[str, Server] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._own_workdir = self.workdir is None
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="blogapi-peers-"))

    @property
    def flask_redis_url(self) -> str:
        return with_redis_db(self.redis_url, self.flask_redis_db)

    @property
    def fastapi_redis_url(self) -> str:
        return with_redis_db(self.redis_url, self.fastapi_redis_db)

    # --- Processes ----------------------------------------------------------------------

    def start(self) -> dict[str, str]:
        """All three peers, each answering before this returns; stops them all on failure."""
        self.delete_cache_keys()
        try:
            self.urls["flask"] = self._start_flask()
            self.urls["fastapi"] = self._start_fastapi()
            self.urls["floor"] = self._start_floor()
        except BaseException:
            self.stop()
            raise
        return dict(self.urls)

    def env(self, **overrides: str) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "SECRET_KEY": SECRET_KEY}
        env.pop("DJANGO_SETTINGS_MODULE", None)  # the run's own: only the floor sets one
        env.update(overrides)
        return env

    def _gunicorn(self, app: str, port: int) -> list[str]:
        return [
            str(BIN / "gunicorn"),
            app,
            *("-c", str(PEERS_DIR / "gunicorn.conf.py")),
            *("--workers", "1", "--worker-class", "sync", "--bind", f"{HOST}:{port}"),
        ]

    def _start_flask(self) -> str:
        port = free_port()
        env = self.env(
            FLASK_ENV="production",
            DATABASE_URL=sqlalchemy_url(self.database_url),
            CACHE_REDIS_URL=self.flask_redis_url,
            CACHE_KEY_PREFIX=FLASK_KEY_PREFIX,
            CACHE_TIMEOUT=str(self.cache_timeout),
            APP_LOG=str(self.workdir / "flask-app.log"),
            PEER_ACCESS_LOG="-" if self.access_log else "",
        )
        command = self._gunicorn("bench.peers.flask_tutorial.wsgi:app", port)
        return self._spawn("flask", command, env, port, ready_path="/swagger.json")

    def _start_fastapi(self) -> str:
        port = free_port()
        env = self.env(
            DATABASE_URL=sqlalchemy_url(self.database_url),
            REDIS_URL=self.fastapi_redis_url,
            CACHE_PREFIX=FASTAPI_KEY_PREFIX,
            CACHE_EXPIRE=str(self.cache_timeout),
        )
        command = [str(BIN / "uvicorn"), "bench.peers.fastapi_app.main:app", "--workers", "1"]
        command += ["--host", HOST, "--port", str(port)]
        if not self.access_log:
            command.append("--no-access-log")
        return self._spawn("fastapi", command, env, port, ready_path="/openapi.json")

    def _start_floor(self) -> str:
        port = free_port()
        env = self.env(
            DJANGO_SETTINGS_MODULE="bench.peers.floor.settings",
            ALLOWED_HOSTS=f"{HOST},localhost",
            PEER_ACCESS_LOG="-" if self.access_log else "",
        )
        command = self._gunicorn("bench.peers.floor.wsgi:application", port)
        return self._spawn("floor", command, env, port, ready_path=CASE_PATHS["floor"]["floor"])

    def _spawn(self, name: str, command: list[str], env: dict[str, str], port: int, *, ready_path: str) -> str:
        server = Server(f"peer {name}", command, port, env=env, log=self.workdir / f"{name}.log", ready_path=ready_path)
        self.servers[name] = server
        server.start()
        log(f"{name} (pid {server.pid}) on {HOST}:{port}")
        return server.url

    def stop(self) -> None:
        """Stop every peer we started (by pid), then delete their cache keys (and the
        workdir, if it is ours)."""
        for server in reversed(list(self.servers.values())):
            server.stop()
        self.servers.clear()
        self.urls.clear()
        self.delete_cache_keys()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # --- Redis --------------------------------------------------------------------------

    def delete_cache_keys(self) -> int:
        """The keys under the peers' prefixes in the peers' Redis databases, nothing else."""
        import redis

        deleted = 0
        for url, prefix in ((self.flask_redis_url, FLASK_KEY_PREFIX), (self.fastapi_redis_url, FASTAPI_KEY_PREFIX)):
            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(match=f"{prefix}*", count=5000))
            for start in range(0, len(keys), 5000):
                deleted += client.unlink(*keys[start : start + 5000])
            client.close()
        return deleted

    # --- Checks and tokens --------------------------------------------------------------

    def check(self, case: PeerCase) -> CheckResult:
        """Request the case twice: both 200, the same bytes, the JSON the case promises,
        and the second a hit where that can be seen (fastapi-cache2's X-FastAPI-Cache
        header; for Flask-Caching, which says nothing, its entry in Redis)."""
        base_url = self.urls[case.peer]
        first = request(base_url, "GET", case.path)
        second = request(base_url, "GET", case.path)
        for reply in (first, second):
            if reply.status != 200:
                raise RuntimeError(f"{case.label}: {case.path} answered {reply.status}: {reply.body[:300]!r}")
        if second.body != first.body:
            raise RuntimeError(f"{case.label}: the second request answered other bytes than the first")
        check_shape(case, second)
        return CheckResult(len(second.body), self._hit_evidence(case, second))

    def _hit_evidence(self, case: PeerCase, reply: Reply) -> str:
        if case.peer == "fastapi":
            if reply.headers.get("x-fastapi-cache") != "HIT":
                raise RuntimeError(f"{case.label}: X-FastAPI-Cache={reply.headers.get('x-fastapi-cache')}")
            return "X-FastAPI-Cache: HIT"
        if case.peer == "flask":
            import redis

            key = flask_cache_key(case.path, query_string=case.name.startswith("list"))
            ttl = redis.Redis.from_url(self.flask_redis_url).ttl(key)
            if ttl <= 0:
                raise RuntimeError(f"{case.label}: no Flask-Caching entry at {key} (TTL {ttl})")
            return f"entry in Redis db {self.flask_redis_db}, TTL {ttl} s"
        return ""

    def flask_token(self, user_id: int) -> str:
        """The token the tutorial's login returns for that user, without its password hash
        (Django's PBKDF2 costs a fraction of a second per login)."""
        import datetime

        import jwt

        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=24)
        return jwt.encode({"user_id": user_id, "exp": expires}, SECRET_KEY, algorithm="HS256")


def check_shape(case: PeerCase, reply: Reply) -> None:
    data = reply.json()
    if case.name == "floor":
        ok = data == {"status": "ok"}
    elif case.name == "detail":
        ok = isinstance(data, dict) and set(data) == POST_FIELDS and str(data["id"]) == case.path.rsplit("/", 1)[1]
    elif case.name.startswith("list"):
        size = int(case.name.removeprefix("list_"))
        ok = isinstance(data, list) and 0 < len(data) <= size and all(set(post) == POST_FIELDS for post in data)
    else:  # users
        ok = isinstance(data, list) and all({"id", "username", "role"} <= set(user) for user in data)
    if not ok:
        raise RuntimeError(f"{case.label}: unexpected JSON {reply.body[:300]!r}")


def start_peers(database_url: str, redis_url: str, **options) -> Peers:
    """Peers(database_url, redis_url, **options), started; call `.stop()` when done."""
    peers = Peers(database_url, redis_url, **options)
    peers.start()
    return peers
