"""gunicorn settings for the web process (Procfile: ``gunicorn -c config/gunicorn.py``).

The access log records the path without its query string (``%(U)s``, not the
request line ``%(r)s``) and no Referer: the OAuth callback's query carries the
authorization code and state, the sandbox's upload URL an upload token, and a
Referer can repeat either.
"""

import os

_address = os.environ.get("POSTDECK_BIND") or "127.0.0.1"
bind = f"{_address}:{os.environ.get('POSTDECK_PORT') or '8000'}"
workers = 2
threads = 4
timeout = 300
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'
