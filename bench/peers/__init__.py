"""Peers measured beside our API by `make bench`: the Flask tutorial app, a FastAPI app and
a bare Django floor project (README.md beside this file). The runner's API is in servers.py.
"""

from bench.peers.servers import (
    CASE_PATHS,
    FLASK_WRITE_PATHS,
    LABELS,
    CheckResult,
    PeerCase,
    Peers,
    flask_cache_key,
    peer_cases,
    start_peers,
)

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
