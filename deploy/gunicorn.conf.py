"""gunicorn's configuration for Minh Chứng (docs/production.md):

    gunicorn -c deploy/gunicorn.conf.py "evidence_app:create_app()"

Options given on the command line (or in GUNICORN_CMD_ARGS) win over this file, e.g. `--bind 0.0.0.0:8000` or
`--workers 2`.

Threaded workers (gthread): a worker's `timeout` is the heartbeat of its main loop, not a limit on one request, so a
50 MB upload from a slow connection or the download of a large submission pack is not killed halfway (with the
default sync workers, every request longer than 30 s died as a bare error). The app bounds its own waits instead:
the database's connect and statement timeouts, the file store's connect and read timeouts (docs/configuration.md).
"""

import os

bind = "127.0.0.1:8000"  # behind nginx on the same machine
workers = min(2 * (os.cpu_count() or 1) + 1, 8)  # processes: an image check or an upload's hash uses a whole core
worker_class = "gthread"
threads = 8  # requests served at once by each worker (most of a request's time is spent waiting for I/O)

timeout = 60  # a worker whose main loop is silent for this long (stuck, not merely busy) is restarted
graceful_timeout = 60  # on a restart or stop, requests in flight (an upload, a download) get this long to finish
keepalive = 5  # seconds an idle connection (from nginx or a browser) stays open

max_requests = 1000  # a worker is replaced after this many requests (and a random part of the jitter), which returns
max_requests_jitter = 100  # the memory that decoding large images leaves behind

# Headers only; the body's limit is the app's (MINHCHUNG_MAX_UPLOAD_MB) and nginx's client_max_body_size.
limit_request_line = 8190  # the request line: method, path and query string
limit_request_fields = 100  # number of headers
limit_request_field_size = 8190  # bytes of one header (a session cookie is well under 4 KB)

accesslog = "-"  # one line per request on stdout, with its duration in milliseconds
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"  # gunicorn's own messages on stderr, beside the app's log
