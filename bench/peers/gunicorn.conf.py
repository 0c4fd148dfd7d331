"""gunicorn settings for the peers (the Flask tutorial app and the floor project).

Passed with -c so the project's own gunicorn.conf.py (metrics directory, its hooks) is
not read. Kept from it: the control socket off (several masters run at once here) and
the access log on stdout with the same format, so every server in a run writes one
access line per request, as ours does. PEER_ACCESS_LOG= (empty) turns it off.
"""

import os

timeout = 60
graceful_timeout = 5
control_socket_disable = True
accesslog = os.environ.get("PEER_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
