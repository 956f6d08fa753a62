"""gunicorn's settings for Mutuo Aiuto: `make serve-prod`, and a deployment's starting point.

The worker formula. A request is mostly Python (the ORM, Jinja, Babel) with
short waits on PostgreSQL, so the workers are processes, one more than twice
the cores (``2 × cores + 1``, the formula gunicorn's documentation gives:
while one process waits on the database another computes), capped at 9
because past that the extra processes only add memory and database
connections on a small machine. Each process runs ``WEB_THREADS`` threads
(default 2) so a slow client or query does not hold the whole process, and
its SQLAlchemy pool keeps one connection per thread (``DATABASE_POOL_SIZE``,
set here unless given) plus ``DATABASE_MAX_OVERFLOW`` (default 2) for peaks.
PostgreSQL then sees at most ``workers × (threads + overflow)`` connections
from the web, plus one or two for the scheduler: 9 × 4 = 36 at the cap,
well under its default ``max_connections`` of 100.

Every value can be changed from the environment: ``WEB_WORKERS``,
``WEB_THREADS``, ``WEB_BIND`` (default 127.0.0.1:8000), ``WEB_TIMEOUT``.
The scheduler is never started here: it runs as its own process
(``flask --app mutuo_aiuto scheduler``), one at a time behind its lease.
"""

import multiprocessing
import os

wsgi_app = "mutuo_aiuto:create_app()"

cores = multiprocessing.cpu_count()
workers = int(os.environ.get("WEB_WORKERS", min(2 * cores + 1, 9)))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# No page may take longer than this: a worker stuck past it is restarted.
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 20
# Behind a proxy that keeps connections open (nginx upstream keepalive).
keepalive = 5
# A worker is replaced after this many requests, so a slow leak cannot grow for ever.
max_requests = 5000
max_requests_jitter = 500
# The access log on stdout, with the time each request took (%(M)s, in milliseconds).
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
# No control socket (gunicorn 24+): its one default path would clash between
# two gunicorns on one machine (the load benchmark starts two).
control_socket_disable = True

# One pooled connection per thread of each worker (the app reads it when it starts).
os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))
