"""Peers measured beside our API by `make bench`: the Flask tutorial app, a FastAPI app and
a bare Django floor project (README.md beside this file). The runner's API is servers.py,
re-exported here lazily: the peers' own processes import this package on their way to
their app, and must not load ours (blogapi, its Celery app) with it.
"""

__all__ = [
    "CASE_PATHS",
    "FLASK_WRITE_PATHS",
    "LABELS",
    "CheckResult",
    "PeerCase",
    "Peers",
    "flask_cache_key",
    "peer_cases",
    "start_peers",
]


def __getattr__(name: str):
    if name in __all__:
        from bench.peers import servers

        return getattr(servers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
