"""Development tooling: what the tests, `make test`, `make postman`, `make fuzz`, the bench
and the drills start and stop around the product. Never imported by the product itself
(gunicorn blogapi.wsgi:application, celery -A blogapi), and never deployed.

One job per module:

- `ports`: the loopback address, a free port, whether something listens.
- `processes`: waiting for a condition or a process, stopping a process of ours by pid.
- `servers`: `Server` (any server process of ours on a loopback port) and `Gunicorn`
  (`gunicorn blogapi.wsgi:application` on a free port), the one way both are started.
- `postgres`: a throwaway PostgreSQL cluster (initdb + postgres), and PostgreSQL probes.
- `redis_server`: a throwaway redis-server that its owner may kill, pause and restart.
- `devservices`: `python -m support.devservices -- COMMAND`: PostgreSQL and Redis found or
  started for a command (`make test`).
- `smtp`: an SMTP sink in this process (aiosmtpd) that keeps what it accepts.
- `postman`: `make postman`, the Postman collection run by newman.
- `fuzz` (+ `fuzz_hooks`, `schemathesis.toml`): schemathesis against both API versions.

`devservices` and what it uses (`ports`, `processes`, `servers`, `postgres`,
`redis_server`) need only the standard library: `make test` runs it before anything else.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: manage.py, docs/, ...
